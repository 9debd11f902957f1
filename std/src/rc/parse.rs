//! Reading one rc file into an [`RcConfig`], line by line, with the rules of Python's
//! `ConfigParser._read` (strict=False, default delimiters and comment prefixes).
//! The reader keeps ConfigParser's state from line to line: the current section, the current
//! key, and the indentation of that key's line. A line indented deeper than the key's line
//! continues its value; any other line starts a key or a section. Values are gathered as
//! lines and joined only at the end of the file, as ConfigParser joins them, so blank lines
//! between continuation lines are kept and trailing ones dropped.

use super::{Entry, Origin, RcConfig, RcError, Target};
use std::sync::Arc;

/// Python's `str.isspace()`: Unicode White_Space plus the four ASCII separators
/// U+001C..U+001F, which Python counts as space and Rust does not.
pub(crate) fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// Python's universal-newline line splitting: `\r\n`, `\r` and `\n` all end a line.
/// Returns the lines without their terminators.
/// A final terminator does not start one more, empty line, as in Python's line iteration.
pub(crate) fn universal_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'\n') => {
                lines.push(&text[start..i]);
                i += 1;
                start = i;
            }
            Some(b'\r') => {
                lines.push(&text[start..i]);
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// The header of a `[section]` line, as ConfigParser's `\[(?P<header>.+)\]` matches it at the
/// start of the stripped line: everything up to the LAST `]`, at least one character.
fn section_header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    (close > 0).then(|| &rest[..close])
}

impl RcConfig {
    /// Parses `text` (the contents of `source`) into this configuration, on top of what is
    /// already there: later values override earlier ones, sections with the same name merge.
    /// Errors come as ConfigParser raises them: a key before any section header is
    /// [`RcError::MissingSectionHeader`] at once; lines that are neither a header, a key nor a
    /// continuation are gathered into one [`RcError::Parse`] raised after the whole text is
    /// read, with the values around them kept (ConfigParser's single `ParsingError` listing
    /// every bad line).
    pub(crate) fn read_text(&mut self, text: &str, source: Arc<str>) -> Result<(), RcError> {
        let mut cursect: Option<Target> = None;
        let mut optname: Option<String> = None;
        let mut indent_level = 0usize;
        let mut bad_lines = Vec::new();
        // Values are collected as lists of lines and joined at the end, as ConfigParser does.
        let mut pending: Vec<(Target, String)> = Vec::new();

        for (index, line) in universal_lines(text).into_iter().enumerate() {
            let lineno = index + 1;
            let is_comment = {
                let stripped = py_strip(line);
                stripped.starts_with('#') || stripped.starts_with(';')
            };
            let value = if is_comment { "" } else { py_strip(line) };
            if value.is_empty() {
                // A blank line inside a value is kept (joined as an empty line); a comment
                // line is skipped without ending the value.
                if !is_comment {
                    if let (Some(target), Some(name)) = (cursect, optname.as_deref()) {
                        if !name.is_empty() {
                            if let Some(entry) = self.entry_mut(target, name) {
                                entry.push_line(String::new());
                            }
                        }
                    }
                }
                continue;
            }
            let cur_indent_level = line.chars().take_while(|&c| py_isspace(c)).count();
            let continues = cursect.is_some()
                && optname.as_deref().is_some_and(|n| !n.is_empty())
                && cur_indent_level > indent_level;
            if continues {
                if let (Some(target), Some(name)) = (cursect, optname.as_deref()) {
                    if let Some(entry) = self.entry_mut(target, name) {
                        entry.push_line(value.to_string());
                    }
                }
                continue;
            }
            indent_level = cur_indent_level;
            if let Some(header) = section_header(value) {
                cursect = Some(self.open_section(header));
                optname = None;
                continue;
            }
            let Some(target) = cursect else {
                return Err(RcError::MissingSectionHeader {
                    at: Origin {
                        source: source.clone(),
                        line: lineno,
                    },
                    text: line.to_string(),
                });
            };
            let Some(delim) = value.find(['=', ':']) else {
                bad_lines.push((lineno, line.to_string()));
                continue;
            };
            let raw_name = py_strip(&value[..delim]);
            if raw_name.is_empty() {
                // ConfigParser records the error but still stores the value under ''.
                bad_lines.push((lineno, line.to_string()));
            }
            let name = raw_name.to_lowercase();
            let optval = py_strip(&value[delim + 1..]).to_string();
            let origin = Origin {
                source: source.clone(),
                line: lineno,
            };
            self.set_entry(target, &name, optval, origin, true);
            pending.push((target, name.clone()));
            optname = Some(name);
        }
        for (target, name) in pending {
            if let Some(entry) = self.entry_mut(target, &name) {
                entry.join_lines();
            }
        }
        if bad_lines.is_empty() {
            Ok(())
        } else {
            Err(RcError::Parse {
                source_name: source,
                lines: bad_lines,
            })
        }
    }
}

impl Entry {
    /// Adds a continuation line to the value being read.
    fn push_line(&mut self, line: String) {
        if let Some(lines) = self.lines.as_mut() {
            lines.push(line);
        }
    }

    /// ConfigParser's `_join_multiline_values`: the lines joined with `\n`, trailing white space
    /// (and so the blank lines kept on the way) dropped. The value is then final: `lines` is
    /// `None` and a later file can only replace it.
    fn join_lines(&mut self) {
        if let Some(lines) = self.lines.take() {
            let joined = lines.join("\n");
            self.value = joined.trim_end_matches(py_isspace).to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn universal_newlines_split_like_python() {
        assert_eq!(universal_lines("a\r\nb\rc\nd"), vec!["a", "b", "c", "d"]);
        assert_eq!(universal_lines("a\n\n"), vec!["a", ""]);
        assert_eq!(universal_lines(""), Vec::<&str>::new());
    }

    #[test]
    fn header_takes_the_last_bracket() {
        assert_eq!(section_header("[a]b]"), Some("a]b"));
        assert_eq!(section_header("[a] trailing"), Some("a"));
        assert_eq!(section_header("[]"), None);
        assert_eq!(section_header("[]]"), Some("]"));
        assert_eq!(section_header("[a"), None);
    }

    #[test]
    fn python_space_includes_file_separators() {
        assert!(py_isspace('\u{1f}'));
        assert!(py_isspace('\u{a0}'));
        assert!(!py_isspace('\u{200b}'));
        assert_eq!(py_strip("\u{1c} x \u{3000}"), "x");
    }
}
