//! Python replacement templates (`re` `match.expand`): `\1`..`\99`, `\g<n>`, `\g<name>`,
//! octal escapes, `\n`-style escapes; other escaped punctuation keeps its backslash.
//! A template is parsed once, when the alterations are read (and again when the server's
//! address is substituted into it), so a bad one is an error at load time with Python's
//! message, and expanding it for each match cannot fail.

use super::parse::{is_identifier, parse_group_number};
use std::collections::HashMap;

/// A template Python would refuse, with the character position it would report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {pos}")]
pub struct TemplateError {
    /// What is wrong.
    pub message: String,
    /// 0-based character position in the template.
    pub pos: usize,
}

/// A piece of the expanded text.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// Literal text, escapes already resolved.
    Text(String),
    /// The text of a group (0 = the whole match), checked against the pattern's group count
    /// when the template was parsed.
    Group(usize),
}

/// A parsed replacement template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `template` for a pattern with `groups` capturing groups named as in `names`.
    /// Errors, with Python's messages and positions: a trailing backslash, `\g` without a
    /// well-formed `<name>`, an unknown group name, a group number above `groups`, an octal
    /// escape above `\377`, and an escaped ASCII letter Python does not know. Two digits are a
    /// group number, three octal digits an octal escape, as in Python.
    pub(crate) fn parse(
        template: &str,
        groups: usize,
        names: &HashMap<String, usize>,
    ) -> Result<Template, TemplateError> {
        let chars: Vec<char> = template.chars().collect();
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        let err = |message: String, pos: usize| TemplateError { message, pos };
        let is_oct = |c: Option<&char>| matches!(c, Some('0'..='7'));
        while let Some(&c) = chars.get(i) {
            if c != '\\' {
                text.push(c);
                i += 1;
                continue;
            }
            let start = i;
            let Some(&e) = chars.get(i + 1) else {
                return Err(err("bad escape (end of pattern)".into(), i));
            };
            i += 2;
            let mut group = None;
            match e {
                'g' => {
                    if chars.get(i) != Some(&'<') {
                        return Err(err("missing <".into(), i));
                    }
                    i += 1;
                    let name_start = i;
                    // The name runs to the next `>`; a backslash pairs with the next character.
                    let mut name = String::new();
                    loop {
                        match chars.get(i) {
                            None => {
                                return Err(err(
                                    if name.is_empty() {
                                        "missing group name".into()
                                    } else {
                                        "missing >, unterminated name".into()
                                    },
                                    name_start,
                                ))
                            }
                            Some('>') => {
                                i += 1;
                                break;
                            }
                            Some('\\') => {
                                name.push('\\');
                                if let Some(&n) = chars.get(i + 1) {
                                    name.push(n);
                                }
                                i += 2;
                            }
                            Some(&n) => {
                                name.push(n);
                                i += 1;
                            }
                        }
                    }
                    if name.is_empty() {
                        return Err(err("missing group name".into(), name_start));
                    }
                    let index = if is_identifier(&name) {
                        match names.get(&name) {
                            Some(&g) => g,
                            None => {
                                return Err(err(format!("unknown group name {name:?}"), name_start))
                            }
                        }
                    } else {
                        match parse_group_number(&name) {
                            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
                            None => {
                                return Err(err(
                                    format!("bad character in group name {name:?}"),
                                    name_start,
                                ))
                            }
                        }
                    };
                    group = Some((index, name_start));
                }
                '0' => {
                    let mut v = 0u32;
                    for _ in 0..2 {
                        if is_oct(chars.get(i)) {
                            v = v * 8 + chars.get(i).and_then(|c| c.to_digit(8)).unwrap_or(0);
                            i += 1;
                        }
                    }
                    text.push(char::from_u32(v & 0xff).unwrap_or('\0'));
                }
                '1'..='9' => {
                    let mut digits = e.to_string();
                    let mut octal = false;
                    if let Some(&d2) = chars.get(i).filter(|c| c.is_ascii_digit()) {
                        i += 1;
                        digits.push(d2);
                        if is_oct(Some(&e)) && is_oct(Some(&d2)) && is_oct(chars.get(i)) {
                            digits.push(chars.get(i).copied().unwrap_or('0'));
                            i += 1;
                            octal = true;
                            let v = u32::from_str_radix(&digits, 8).unwrap_or(u32::MAX);
                            if v > 0o377 {
                                return Err(err(
                                    format!(
                                        "octal escape value \\{digits} outside of range 0-0o377"
                                    ),
                                    start,
                                ));
                            }
                            text.push(char::from_u32(v).unwrap_or('\0'));
                        }
                    }
                    if !octal {
                        group = Some((digits.parse().unwrap_or(usize::MAX), start + 1));
                    }
                }
                'a' => text.push('\u{7}'),
                'b' => text.push('\u{8}'),
                'f' => text.push('\u{c}'),
                'n' => text.push('\n'),
                'r' => text.push('\r'),
                't' => text.push('\t'),
                'v' => text.push('\u{b}'),
                '\\' => text.push('\\'),
                e if e.is_ascii_alphabetic() => {
                    return Err(err(format!("bad escape \\{e}"), start));
                }
                e => {
                    text.push('\\');
                    text.push(e);
                }
            }
            if let Some((index, pos)) = group {
                if index > groups {
                    return Err(err(format!("invalid group reference {index}"), pos));
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Group(index));
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { parts })
    }

    /// The template with group references filled from `group` (an unmatched group gives
    /// the empty string, as since Python 3.5; earlier versions raised an error).
    pub(crate) fn expand<'t>(&self, group: impl Fn(usize) -> Option<&'t str>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Group(g) => out.push_str(group(*g).unwrap_or("")),
            }
        }
        out
    }
}
