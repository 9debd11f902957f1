//! Alterations: rewrites of traffic text configured in rc files (compat spec section 6).
//!
//! `alterations = a,b` in `[general]` names sections `[a]`, `[b]`, each with a
//! `match_pattern` (a Python regular expression, environment variables expanded) and a
//! `replacement` (a Python template, `${CAPTUREMOCK_SERVER}`/`${CAPTUREMOCK_PORT}`
//! substituted once the server address is known; starting with `$` it names an alteration
//! variable instead). They apply in REVERSE order of the list; two sections with the same
//! pattern collapse into one at the first one's place with the later replacement.
//!
//! Unlike the reference, a listed section that is missing or lacks `match_pattern` or
//! `replacement` is skipped with a warning (the reference fails every request), and a bad
//! pattern or replacement is an error at load time rather than at the first match.

mod expandvars;
pub mod pyre;
mod variables;

pub use expandvars::{expand_env_vars, expand_vars_with};
pub use variables::{next_name_candidate, AlterationVariables};

use crate::rc::{Origin, RcConfig, RcError};
use pyre::{PyRegex, Template};
use std::sync::Arc;

/// A configuration problem that does not stop the run: the alteration is skipped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AlterationWarning {
    /// The section named in `alterations` does not exist.
    #[error(
        "alteration [{section}] is listed in `alterations` but there is no such section; ignored"
    )]
    MissingSection {
        /// The section name.
        section: String,
    },
    /// The section has no `match_pattern`.
    #[error("alteration [{section}] has no match_pattern; ignored")]
    MissingPattern {
        /// The section name.
        section: String,
    },
    /// The section has no `replacement`.
    #[error("{at}: alteration [{section}] has no replacement; ignored")]
    MissingReplacement {
        /// The section name.
        section: String,
        /// Where its `match_pattern` is.
        at: Origin,
    },
    /// `match_pattern` is empty (the reference skips it silently).
    #[error("{at}: alteration [{section}] has an empty match_pattern; ignored")]
    EmptyPattern {
        /// The section name.
        section: String,
        /// Where the pattern is.
        at: Origin,
    },
    /// The pattern repeats a group that can match empty text and captures inside it
    /// (`(a|)*`): the captured text may differ from the reference's, which keeps the
    /// captures of a final repetition that matched nothing.
    #[error("{at}: alteration [{section}]: match_pattern repeats a group that can match empty text; its captures may differ from CaptureMock's")]
    EmptyRepeatCaptures {
        /// The section name.
        section: String,
        /// Where the pattern is.
        at: Origin,
    },
    /// A later section has the same pattern as an earlier one: its replacement wins but it
    /// keeps the earlier one's place in the order.
    #[error("alteration [{later}] has the same match_pattern as [{earlier}]: [{later}]'s replacement is used, in [{earlier}]'s place in the order")]
    DuplicatePattern {
        /// The section first seen with this pattern.
        earlier: String,
        /// The section whose replacement is used.
        later: String,
    },
}

/// A configuration error: an alteration that cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AlterationError {
    /// Reading the rc values failed (bad `%` interpolation, for instance).
    #[error(transparent)]
    Rc(#[from] RcError),
    /// `match_pattern` is not a valid Python regular expression (or the engine refuses it).
    #[error(transparent)]
    Pattern(Box<BadPattern>),
    /// `replacement` is not a valid template for the pattern (bad escape, reference to a
    /// group the pattern does not have).
    #[error(transparent)]
    Replacement(Box<BadReplacement>),
}

/// Details of [`AlterationError::Pattern`].
#[derive(Debug, thiserror::Error)]
#[error("{at}: alteration [{section}]: match_pattern {pattern:?} is not usable")]
pub struct BadPattern {
    /// The section name.
    pub section: String,
    /// Where the pattern is.
    pub at: Origin,
    /// The pattern after environment expansion.
    pub pattern: String,
    /// Why.
    pub source: pyre::CompileError,
}

/// Details of [`AlterationError::Replacement`].
#[derive(Debug, thiserror::Error)]
#[error("{at}: alteration [{section}]: replacement {replacement:?} is not valid for pattern {pattern:?}")]
pub struct BadReplacement {
    /// The section name.
    pub section: String,
    /// Where the replacement is.
    pub at: Origin,
    /// The pattern.
    pub pattern: String,
    /// The replacement (after address substitution).
    pub replacement: String,
    /// Why.
    pub source: pyre::TemplateError,
}

/// An alteration that failed on one text (the engine gave up backtracking); the text was
/// left as that alteration found it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("alteration [{section}] skipped")]
pub struct ApplyError {
    /// The section.
    pub section: String,
    /// Why.
    pub source: pyre::MatchError,
}

/// What a match is replaced with, decided once when the alteration is read.
#[derive(Clone, Debug)]
enum Replacement {
    /// Remember the match under this variable name and put the name in its place.
    Variable(String),
    /// A Python replacement template, parsed against the pattern's groups.
    Template(Template),
}

/// One alteration, compiled.
#[derive(Clone, Debug)]
struct Alteration {
    /// The section whose replacement is used.
    section: String,
    /// Where the replacement is defined.
    at: Origin,
    /// Shared: cloning an alteration set (one per server run, per capture session) does not
    /// compile the pattern again.
    regex: Arc<PyRegex>,
    /// The replacement as written, kept so that it can be compiled again once the server's
    /// address is known (`${CAPTUREMOCK_SERVER}`).
    raw_replacement: String,
    replacement: Replacement,
}

/// A compiled list of alterations plus the run's alteration variables.
#[derive(Clone, Debug)]
pub struct Alterations {
    /// In list order (first occurrence of each pattern); applied from the end.
    items: Vec<Alteration>,
    /// The run's alteration variables, shared with every other set of the run.
    variables: Arc<AlterationVariables>,
    /// The server's `host:port`, once [`set_address`](Self::set_address) has been called.
    address: Option<String>,
}

/// The reference's `getWithAddress`: `${CAPTUREMOCK_SERVER}` becomes `host:port` and
/// `${CAPTUREMOCK_PORT}` the port, once the address is known.
pub fn substitute_address(raw: &str, address: Option<&str>) -> String {
    match address {
        Some(address) if !address.is_empty() && raw.contains("${CAPTUREMOCK_") => {
            let port = address.rsplit(':').next().unwrap_or(address);
            raw.replace("${CAPTUREMOCK_SERVER}", address)
                .replace("${CAPTUREMOCK_PORT}", port)
        }
        _ => raw.to_string(),
    }
}

impl Alterations {
    /// No alterations.
    pub fn empty() -> Self {
        Alterations {
            items: Vec::new(),
            variables: Arc::new(AlterationVariables::new()),
            address: None,
        }
    }

    /// The alterations named by `alterations` in the first of `sections` that has it
    /// (the reference uses `["general"]`), with environment variables from the process.
    pub fn from_rc(
        rc: &RcConfig,
        sections: &[&str],
    ) -> Result<(Alterations, Vec<AlterationWarning>), AlterationError> {
        Self::from_rc_with_env(rc, sections, expandvars::env_lookup)
    }

    /// [`from_rc`](Self::from_rc) with environment variables looked up by `env`.
    /// The environment is a parameter so that tests can give their own without touching the
    /// process's, which other threads share.
    pub fn from_rc_with_env(
        rc: &RcConfig,
        sections: &[&str],
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<(Alterations, Vec<AlterationWarning>), AlterationError> {
        let mut warnings = Vec::new();
        let mut items: Vec<Alteration> = Vec::new();
        for section in rc.get_list("alterations", sections)? {
            if !rc.has_section(&section) {
                warnings.push(AlterationWarning::MissingSection { section });
                continue;
            }
            let Some(raw_pattern) = rc.get_first("match_pattern", &[&section])? else {
                warnings.push(AlterationWarning::MissingPattern { section });
                continue;
            };
            let pattern_at = rc
                .origin(&section, "match_pattern")
                .cloned()
                .unwrap_or_else(|| unknown_origin(&section));
            let Some(raw_replacement) = rc.get_first("replacement", &[&section])? else {
                warnings.push(AlterationWarning::MissingReplacement {
                    section,
                    at: pattern_at,
                });
                continue;
            };
            let pattern = expand_vars_with(&raw_pattern, &env);
            if pattern.is_empty() {
                warnings.push(AlterationWarning::EmptyPattern {
                    section,
                    at: pattern_at,
                });
                continue;
            }
            let at = rc
                .origin(&section, "replacement")
                .cloned()
                .unwrap_or_else(|| unknown_origin(&section));
            if let Some(existing) = items.iter_mut().find(|a| a.regex.as_str() == pattern) {
                warnings.push(AlterationWarning::DuplicatePattern {
                    earlier: existing.section.clone(),
                    later: section.clone(),
                });
                let replacement =
                    compile_replacement(&existing.regex, &raw_replacement, None, &section, &at)?;
                existing.section = section;
                existing.at = at;
                existing.raw_replacement = raw_replacement;
                existing.replacement = replacement;
                continue;
            }
            let regex = PyRegex::new(&pattern).map_err(|source| {
                AlterationError::Pattern(Box::new(BadPattern {
                    section: section.clone(),
                    at: pattern_at.clone(),
                    pattern: pattern.clone(),
                    source,
                }))
            })?;
            if regex.has_empty_repeat_captures() {
                warnings.push(AlterationWarning::EmptyRepeatCaptures {
                    section: section.clone(),
                    at: pattern_at.clone(),
                });
            }
            let replacement = compile_replacement(&regex, &raw_replacement, None, &section, &at)?;
            items.push(Alteration {
                section,
                at,
                regex: Arc::new(regex),
                raw_replacement,
                replacement,
            });
        }
        let alterations = Alterations {
            items,
            variables: Arc::new(AlterationVariables::new()),
            address: None,
        };
        Ok((alterations, warnings))
    }

    /// Shares `variables` with other alteration sets (the reference has one table per run).
    pub fn with_variables(mut self, variables: Arc<AlterationVariables>) -> Self {
        self.variables = variables;
        self
    }

    /// The alteration variables this set records into.
    pub fn variables(&self) -> &Arc<AlterationVariables> {
        &self.variables
    }

    /// Number of alterations (after collapsing duplicate patterns).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The server address is known (`host:port`): substitute it into replacements.
    /// Replacements are compiled again with the address in them, since the address can change
    /// what a template means (a backslash before `${CAPTUREMOCK_PORT}` becomes a group
    /// reference), and a replacement that is then invalid is reported here.
    pub fn set_address(&mut self, host_port: &str) -> Result<(), AlterationError> {
        let address = Some(host_port);
        for item in &mut self.items {
            item.replacement = compile_replacement(
                &item.regex,
                &item.raw_replacement,
                address,
                &item.section,
                &item.at,
            )?;
        }
        self.address = Some(host_port.to_string());
        Ok(())
    }

    /// The server address given to [`set_address`](Self::set_address).
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// Applies every alteration to `text`, last listed first. An alteration the engine
    /// gives up on leaves the text as it was for that alteration (see [`apply_report`]).
    ///
    /// [`apply_report`]: Self::apply_report
    pub fn apply(&self, text: &str) -> String {
        self.apply_report(text).0
    }

    /// [`apply`](Self::apply), also returning the alterations that had to be skipped.
    pub fn apply_report(&self, text: &str) -> (String, Vec<ApplyError>) {
        let mut errors = Vec::new();
        if self.items.is_empty() {
            return (text.to_string(), errors);
        }
        // Only sets that record variables take the run-wide lock (for the whole text, so
        // that one text's variables are numbered together).
        let records = self
            .items
            .iter()
            .any(|i| matches!(i.replacement, Replacement::Variable(_)));
        let mut table = records.then(|| self.variables.lock());
        let mut text = text.to_string();
        for item in self.items.iter().rev() {
            let result =
                item.regex
                    .sub_with(&text, |m| match (&item.replacement, table.as_mut()) {
                        (Replacement::Variable(name), Some(table)) => {
                            table.store(name, m.group(0).unwrap_or(""))
                        }
                        (Replacement::Variable(name), None) => name.clone(),
                        (Replacement::Template(t), _) => t.expand(|g| m.group(g)),
                    });
            match result {
                Ok(altered) => text = altered,
                Err(source) => errors.push(ApplyError {
                    section: item.section.clone(),
                    source,
                }),
            }
        }
        (text, errors)
    }

    /// The reference's `applyAlterationVariables`: variable names in `text` replaced by the
    /// values they stand for.
    pub fn apply_variables(&self, text: &str) -> String {
        self.variables.apply(text)
    }
}

impl Default for Alterations {
    fn default() -> Self {
        Self::empty()
    }
}

/// Where a value is said to come from when the rc file does not know (it always does for
/// values read from a file); line 0 marks it.
fn unknown_origin(section: &str) -> Origin {
    Origin {
        source: Arc::from(format!("[{section}]")),
        line: 0,
    }
}

/// A replacement for `regex`: an alteration variable when, after the address is filled in,
/// it starts with `$`; otherwise a template, checked against the pattern's groups now so that
/// a bad one fails at load time, naming the section and the line.
fn compile_replacement(
    regex: &PyRegex,
    raw: &str,
    address: Option<&str>,
    section: &str,
    at: &Origin,
) -> Result<Replacement, AlterationError> {
    let replacement = substitute_address(raw, address);
    if replacement.starts_with('$') {
        return Ok(Replacement::Variable(replacement));
    }
    regex
        .template(&replacement)
        .map(Replacement::Template)
        .map_err(|source| {
            AlterationError::Replacement(Box::new(BadReplacement {
                section: section.to_string(),
                at: at.clone(),
                pattern: regex.as_str().to_string(),
                replacement,
                source,
            }))
        })
}

#[cfg(test)]
mod tests;
