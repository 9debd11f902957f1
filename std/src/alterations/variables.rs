//! Alteration variables: a replacement starting with `$` names a variable; the text it
//! matched is remembered under that name (renamed `$X_2`, `$X_3`, ... when the name is
//! taken by a different value) and substituted back by [`AlterationVariables::apply`].
//! As in the reference they are global to the run: one table shared by every alteration
//! set and thread.
//! A name is found in later texts as a pattern, the way the reference finds it, so it is
//! replaced wherever it occurs, even as the start of a longer name; applying the newest
//! variable first means `$ID_2` is replaced before `$ID` could take its first characters.

use super::pyre::PyRegex;
use std::sync::{Arc, Mutex, MutexGuard};

/// The run's alteration variables, in the order they were first defined.
#[derive(Debug, Default)]
pub struct AlterationVariables {
    /// One lock for the whole table: `Alterations::apply_report` holds it across a whole text,
    /// so that the variables one text defines are numbered together even when several threads
    /// alter texts at once.
    table: Mutex<VarTable>,
}

/// The variables, reached through the lock of [`AlterationVariables`], in definition order.
#[derive(Debug, Default)]
pub(crate) struct VarTable {
    entries: Vec<Variable>,
}

/// One alteration variable.
#[derive(Debug)]
struct Variable {
    /// With its `$`, and the `_<n>` suffix `store` gave it if the name was taken.
    name: String,
    /// The matched text it stands for. A value that itself starts with `$` is taken as a
    /// variable name when applied: the text it matches then is stored under that name.
    value: String,
    /// The name as a pattern (`$` escaped), as the reference matches it; `None` if that is
    /// not a valid pattern, in which case the name is matched literally.
    regex: Option<Arc<PyRegex>>,
}

/// The reference's `findNextNameCandidate`: `X_<n>` becomes `X_<n+1>`, anything else gets
/// `_2` appended.
pub fn next_name_candidate(name: &str) -> String {
    if let Some((stem, last)) = name.rsplit_once('_') {
        if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
            return format!("{stem}_{}", increment_decimal(last));
        }
    }
    format!("{name}_2")
}

/// `str(int(digits) + 1)` for a string of ASCII digits of any length.
/// Python's integers have no upper limit, so neither does this: `$X_18446744073709551616`
/// still has a successor, where parsing into a `u64` would fail.
fn increment_decimal(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    let mut bytes: Vec<u8> = trimmed.bytes().collect();
    let mut k = bytes.len();
    loop {
        if k == 0 {
            bytes.insert(0, b'1');
            break;
        }
        k -= 1;
        match bytes.get_mut(k) {
            Some(b'9') => {
                if let Some(b) = bytes.get_mut(k) {
                    *b = b'0';
                }
            }
            Some(b) => {
                *b += 1;
                break;
            }
            None => break,
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

impl AlterationVariables {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The table, locked; crate-internal so that a caller can hold it across several stores.
    pub(crate) fn lock(&self) -> MutexGuard<'_, VarTable> {
        // A panic while holding the lock leaves the table consistent (every update is a
        // single push or assignment), so a poisoned lock is still usable.
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The variables as `(name, value)`, in definition order.
    pub fn snapshot(&self) -> Vec<(String, String)> {
        self.lock()
            .entries
            .iter()
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect()
    }

    /// The value of variable `name` (with its `$`).
    pub fn get(&self, name: &str) -> Option<String> {
        self.lock()
            .entries
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.value.clone())
    }

    /// The reference's `applyAlterationVariables`: each variable name in `text` replaced by
    /// its value, the most recently defined variable first.
    pub fn apply(&self, text: &str) -> String {
        self.lock().apply(text)
    }
}

impl VarTable {
    /// Remembers `matched` under `name` or the next free variant of it, and returns the
    /// name used.
    /// A name that already holds the same text is reused, so within a run the same matched text
    /// always gets the same name.
    pub(crate) fn store(&mut self, name: &str, matched: &str) -> String {
        let mut name = name.to_string();
        loop {
            match self.entries.iter().find(|v| v.name == name) {
                Some(v) if v.value != matched => name = next_name_candidate(&name),
                Some(_) => return name,
                None => break,
            }
        }
        let regex = PyRegex::new(&name.replace('$', "\\$")).ok().map(Arc::new);
        self.entries.push(Variable {
            name: name.clone(),
            value: matched.to_string(),
            regex,
        });
        name
    }

    /// See [`AlterationVariables::apply`]. A name that is not a valid pattern is replaced as
    /// plain text, and a substitution the engine gives up on leaves the text as it was.
    pub(crate) fn apply(&mut self, text: &str) -> String {
        // Like the reference, iterate over the variables as they were when we started,
        // newest first; variables defined on the way are not applied this time.
        let current: Vec<(String, String, Option<Arc<PyRegex>>)> = self
            .entries
            .iter()
            .rev()
            .map(|v| (v.name.clone(), v.value.clone(), v.regex.clone()))
            .collect();
        let mut text = text.to_string();
        for (name, value, regex) in current {
            text = match regex {
                Some(regex) => {
                    let replaced = regex.sub_with(&text, |m| {
                        if value.starts_with('$') {
                            self.store(&value, m.group(0).unwrap_or(""))
                        } else {
                            // The reference expands the value as a template; a value that is
                            // not a valid template (where the reference fails) goes in as is.
                            match regex.template(&value) {
                                Ok(t) => t.expand(|g| m.group(g)),
                                Err(_) => value.clone(),
                            }
                        }
                    });
                    replaced.unwrap_or(text)
                }
                None => text.replace(&name, &value),
            };
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_candidates_follow_the_reference() {
        assert_eq!(next_name_candidate("$X"), "$X_2");
        assert_eq!(next_name_candidate("$X_2"), "$X_3");
        assert_eq!(next_name_candidate("$X_09"), "$X_10");
        assert_eq!(next_name_candidate("$X_99"), "$X_100");
        assert_eq!(next_name_candidate("$X_"), "$X__2");
        assert_eq!(next_name_candidate("$A_B"), "$A_B_2");
        assert_eq!(next_name_candidate("$_1"), "$_2");
        assert_eq!(next_name_candidate("$X_0"), "$X_1");
        assert_eq!(
            next_name_candidate("$X_18446744073709551616"),
            "$X_18446744073709551617"
        );
    }

    #[test]
    fn clashing_values_get_new_names() {
        let vars = AlterationVariables::new();
        let mut t = vars.lock();
        assert_eq!(t.store("$ID", "1"), "$ID");
        assert_eq!(t.store("$ID", "1"), "$ID");
        assert_eq!(t.store("$ID", "2"), "$ID_2");
        assert_eq!(t.store("$ID", "3"), "$ID_3");
        assert_eq!(t.store("$ID", "2"), "$ID_2");
        drop(t);
        assert_eq!(vars.get("$ID_3").as_deref(), Some("3"));
        assert_eq!(vars.apply("$ID $ID_2 $ID_3"), "1 2 3");
    }

    #[test]
    fn values_are_templates_as_in_the_reference() {
        let vars = AlterationVariables::new();
        vars.lock().store("$P", r"C:\new");
        vars.lock().store("$Q", r"bad\1");
        assert_eq!(vars.apply("$P"), "C:\new");
        assert_eq!(vars.apply("$Q"), r"bad\1");
    }
}
