//! The `<-CMD:` text of a call (spec section 3): what the record shows and the key replay
//! looks it up by, `[cd <cwd>; ][env --unset=V 'V=value' ]name args`.
//!
//! The text is the reference's, byte for byte, with one difference: when several new
//! elements join a `PATH`-like variable, the reference orders them by Python's set iteration,
//! which changes from run to run; here they keep their order in the value.

use std::collections::HashMap;

use super::message::Call;

/// What a call is compared with: the server's own working directory and environment.
#[derive(Debug, Clone, Default)]
pub struct ServerSide {
    /// The server's working directory. A call from elsewhere gets a `cd` prefix.
    pub cwd: String,
    /// The server's environment.
    pub environment: HashMap<Vec<u8>, Vec<u8>>,
}

impl ServerSide {
    /// This process's working directory and environment.
    #[cfg(unix)]
    pub fn current() -> Self {
        use std::os::unix::ffi::OsStringExt;
        ServerSide {
            cwd: std::env::current_dir()
                .map(|dir| dir.to_string_lossy().into_owned())
                .unwrap_or_default(),
            environment: std::env::vars_os()
                .map(|(k, v)| (k.into_vec(), v.into_vec()))
                .collect(),
        }
    }
}

/// A call's request text, and what it shows of the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestText {
    /// The text after `<-CMD:`.
    pub text: String,
    /// The command's name: `argv[0]`'s base name, which the real program also gets as `argv[0]`.
    pub name: String,
    /// Whether the call came from another directory than the server's.
    pub changed_cwd: bool,
    /// The `'VAR=value'` settings shown, with their values as shown: file edits look for paths
    /// among them.
    pub shown: Vec<(String, String)>,
}

/// The name a command is recorded by: `argv[0]`'s base name, `\` read as `/`.
pub fn command_name(argv0: &[u8]) -> String {
    let full = String::from_utf8_lossy(argv0).replace('\\', "/");
    match full.rsplit_once('/') {
        Some((_, base)) => base.to_owned(),
        None => full,
    }
}

/// The request text of `call`, showing the `variables` (the command's `environment`
/// settings) where the call's environment differs from the server's.
pub fn request_text(call: &Call, variables: &[String], server: &ServerSide) -> RequestText {
    let name = command_name(&call.argv[0]);
    let program: HashMap<&[u8], &[u8]> = call
        .environment
        .iter()
        .map(|(k, v)| (k.as_slice(), v.as_slice()))
        .collect();
    let mut unset = Vec::new();
    let mut shown = Vec::new();
    for variable in variables {
        let key = variable.as_bytes();
        let value = program.get(key).copied();
        let old = server.environment.get(key).map(Vec::as_slice);
        if value == old {
            continue;
        }
        match value {
            None => unset.push(variable.clone()),
            Some(value) => {
                let value = String::from_utf8_lossy(value);
                let old = old.map(String::from_utf8_lossy);
                if let Some(shown_value) = shown_value(variable, &value, old.as_deref()) {
                    shown.push((variable.clone(), shown_value));
                }
            }
        }
    }
    let changed_cwd = call.cwd != server.cwd;
    let mut text = String::new();
    if changed_cwd {
        text.push_str("cd ");
        text.push_str(&call.cwd.replace('\\', "/"));
        text.push_str("; ");
    }
    if !unset.is_empty() || !shown.is_empty() {
        text.push_str("env ");
        for variable in &unset {
            text.push_str("--unset=");
            text.push_str(variable);
            text.push(' ');
        }
        for (variable, value) in &shown {
            text.push('\'');
            text.push_str(variable);
            text.push('=');
            text.push_str(value);
            text.push_str("' ");
        }
    }
    text.push_str(&name);
    for arg in &call.argv[1..] {
        text.push(' ');
        let arg = String::from_utf8_lossy(arg);
        // Only a space is quoted, and nothing escaped: the reference's form, which is for
        // reading and matching, never for parsing back into arguments.
        if arg.contains(' ') {
            text.push('"');
            text.push_str(&arg);
            text.push('"');
        } else {
            text.push_str(&arg);
        }
    }
    RequestText {
        text,
        name,
        changed_cwd,
        shown,
    }
}

/// How a changed variable is shown: relative to the server's value where it has one. A
/// `PATH`-like variable shows only its new elements around `$VAR` (nothing at all when it
/// only lost or reordered elements); any other shows the server's value as `$VAR` wherever it
/// occurs in the new one.
fn shown_value(variable: &str, value: &str, old: Option<&str>) -> Option<String> {
    let old = match old {
        Some(old) if !old.is_empty() && old != value => old,
        _ => return Some(value.to_owned()),
    };
    let reference = format!("${variable}");
    if !variable.contains("PATH") {
        return Some(value.replace(old, &reference));
    }
    let parts: Vec<&str> = value.split(':').collect();
    let old_parts: Vec<&str> = old.split(':').collect();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for (index, part) in parts.iter().enumerate() {
        let first = parts.iter().position(|p| p == part) == Some(index);
        if !first || old_parts.contains(part) {
            continue;
        }
        // The reference's midpoint is half the length, a fraction for odd lengths.
        if index * 2 < parts.len() {
            before.push(*part);
        } else {
            after.push(*part);
        }
    }
    if before.is_empty() && after.is_empty() {
        return None;
    }
    let mut shown = String::new();
    for part in before {
        shown.push_str(part);
        shown.push(':');
    }
    shown.push_str(&reference);
    for part in after {
        shown.push(':');
        shown.push_str(part);
    }
    Some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(argv: &[&str], environment: &[(&str, &str)], cwd: &str) -> Call {
        Call {
            argv: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
            environment: environment
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
            cwd: cwd.into(),
            pid: "1".into(),
        }
    }

    fn server(cwd: &str, environment: &[(&str, &str)]) -> ServerSide {
        ServerSide {
            cwd: cwd.into(),
            environment: environment
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
        }
    }

    fn text(call: &Call, variables: &[&str], server: &ServerSide) -> String {
        let variables: Vec<String> = variables.iter().map(|v| v.to_string()).collect();
        request_text(call, &variables, server).text
    }

    #[test]
    fn arguments_with_a_space_are_quoted_and_nothing_is_escaped() {
        let s = server("/w", &[]);
        let t = |argv: &[&str]| text(&call(argv, &[], "/w"), &[], &s);
        assert_eq!(t(&["/shims/mytool", "a b", "it's"]), "mytool \"a b\" it's");
        assert_eq!(
            t(&["/shims/mytool", "say \"hi there\""]),
            "mytool \"say \"hi there\"\""
        );
        assert_eq!(t(&["/shims/mytool", "", "x"]), "mytool  x");
        assert_eq!(t(&["/shims/mytool", "a\tb"]), "mytool a\tb");
        assert_eq!(t(&["/shims/mytool"]), "mytool");
        assert_eq!(t(&["C:\\shims\\tool.exe", "x"]), "tool.exe x");
    }

    #[test]
    fn the_specs_example_with_cd_unset_set_and_path() {
        let s = server("/w", &[("UNSETME", "1"), ("PATH", "/usr/bin:/bin")]);
        let c = call(
            &["/shims/mytool", "both"],
            &[("MYVAR", "v"), ("PATH", "/new/a:/usr/bin:/bin:/new/z")],
            "/w/sub",
        );
        assert_eq!(
            text(&c, &["UNSETME", "MYVAR", "PATH"], &s),
            "cd /w/sub; env --unset=UNSETME 'MYVAR=v' 'PATH=/new/a:$PATH:/new/z' mytool both"
        );
    }

    #[test]
    fn values_are_compacted_against_the_servers() {
        let s = server("/w", &[("COMPACT", "x"), ("EMPTY", ""), ("PATH", "/a:/b")]);
        let with = |variable: &str, value: &str| {
            text(
                &call(&["/s/t"], &[(variable, value)], "/w"),
                &[variable],
                &s,
            )
        };
        assert_eq!(
            with("COMPACT", "pre-x-mid-x"),
            "env 'COMPACT=pre-$COMPACT-mid-$COMPACT' t"
        );
        assert_eq!(with("EMPTY", "v"), "env 'EMPTY=v' t");
        assert_eq!(with("NEW", "it's"), "env 'NEW=it's' t");
        // Only removed or reordered elements: not shown at all.
        assert_eq!(with("PATH", "/b:/a"), "t");
        assert_eq!(with("PATH", "/a"), "t");
        // New elements keep their order (the reference's set order varies between runs).
        assert_eq!(
            with("PATH", "/n1:/n2:/a:/b:/n3"),
            "env 'PATH=/n1:/n2:$PATH:/n3' t"
        );
        // Unchanged: nothing.
        assert_eq!(with("COMPACT", "x"), "t");
    }

    #[test]
    fn the_commands_own_variables_come_first_then_unsets_before_sets() {
        let s = server("/w", &[("GONE", "1")]);
        let c = call(&["/s/t"], &[("B", "2"), ("A", "1")], "/w");
        assert_eq!(
            text(&c, &["A", "B", "GONE"], &s),
            "env --unset=GONE 'A=1' 'B=2' t"
        );
    }
}
