//! How Python writes a `str`: its `repr`, and `pprint`'s split of one too long for its line.
//!
//! Record texts that the reference makes with `repr` or `pprint.pformat` (XML-RPC values,
//! FTP listings) must be the same here character for character, so that a record file is
//! byte for byte the reference's.

use std::fmt::Write as _;
use std::sync::OnceLock;

use capturemock_core::words::is_python_space;

/// Characters in `s`, as Python's `len` counts them (the widths `pprint` compares).
pub fn len(s: &str) -> usize {
    s.chars().count()
}

/// The quote `repr` uses: `'`, unless the text holds `'` and no `"`.
pub fn quote_for(has_single: bool, has_double: bool) -> char {
    if has_single && !has_double {
        '"'
    } else {
        '\''
    }
}

/// Python's `repr(str)`: printable characters as they are (non-ASCII ones too), the quote
/// and backslash escaped, `\t \n \r`, and `\xNN`, `\uNNNN` or `\UNNNNNNNN` for the rest.
pub fn write_str(out: &mut String, s: &str) {
    let quote = quote_for(s.contains('\''), s.contains('"'));
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if printable(c) => out.push(c),
            c => {
                let code = c as u32;
                let _ = match code {
                    0..=0xff => write!(out, "\\x{code:02x}"),
                    0x100..=0xffff => write!(out, "\\u{code:04x}"),
                    _ => write!(out, "\\U{code:08x}"),
                };
            }
        }
    }
    out.push(quote);
}

/// Python's `str.isprintable()` for one non-ASCII character: false for the categories
/// `Cc Cf Cs Co Cn Zl Zp Zs`. The categories come from the Unicode tables of the regex
/// engine already linked (a newer Unicode than Python 3.11's 14.0: a character assigned
/// since is printable here and `\U` escaped there).
fn printable(c: char) -> bool {
    static UNPRINTABLE: OnceLock<Option<fancy_regex::Regex>> = OnceLock::new();
    let Some(regex) = UNPRINTABLE.get_or_init(|| {
        fancy_regex::Regex::new(r"[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]").ok()
    }) else {
        return true;
    };
    !regex.is_match(c.encode_utf8(&mut [0; 4])).unwrap_or(false)
}

/// pprint's `_pprint_str`: a string too long for its line of `width` columns, cut after white
/// space into pieces that fit (and at line ends), written as adjacent literals, in
/// parentheses at the top level (`level` 1). `indent` is the column the string starts in,
/// `allowance` the columns that must stay free after its last piece (closing brackets).
pub fn write_split_str(
    out: &mut String,
    s: &str,
    width: usize,
    mut indent: usize,
    mut allowance: usize,
    level: usize,
) {
    if s.is_empty() {
        write_str(out, s);
        return;
    }
    let lines = split_lines(s);
    if level == 1 {
        indent += 1;
        allowance += 1;
    }
    let max_width = width as isize - indent as isize;
    let mut max_width1 = max_width;
    let mut chunks: Vec<String> = Vec::new();
    let quoted = |text: &str| {
        let mut q = String::new();
        write_str(&mut q, text);
        q
    };
    for (i, line) in lines.iter().enumerate() {
        let rep = quoted(line);
        let last_line = i == lines.len() - 1;
        if last_line {
            max_width1 -= allowance as isize;
        }
        if len(&rep) as isize <= max_width1 {
            chunks.push(rep);
            continue;
        }
        let parts = words_and_spaces(line);
        let mut max_width2 = max_width;
        let mut current = String::new();
        for (j, part) in parts.iter().enumerate() {
            let candidate = format!("{current}{part}");
            if j == parts.len() - 1 && last_line {
                max_width2 -= allowance as isize;
            }
            if len(&quoted(&candidate)) as isize > max_width2 {
                if !current.is_empty() {
                    chunks.push(quoted(&current));
                }
                current = (*part).to_string();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            chunks.push(quoted(&current));
        }
    }
    if chunks.len() == 1 {
        write_str(out, s);
        return;
    }
    if level == 1 {
        out.push('(');
    }
    for (i, chunk) in chunks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            push_spaces(out, indent);
        }
        out.push_str(chunk);
    }
    if level == 1 {
        out.push(')');
    }
}

fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Python's `str.splitlines(keepends=True)`.
fn split_lines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '\r' => match chars.peek() {
                Some(&(j, '\n')) => {
                    chars.next();
                    j + 1
                }
                _ => i + 1,
            },
            '\n' | '\u{0b}' | '\u{0c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => i + c.len_utf8(),
            _ => continue,
        };
        lines.push(&s[start..end]);
        start = end;
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// `re.findall(r'\S*\s*', line)` without its final empty match: each piece is a run of
/// non-space characters and the white space after it.
fn words_and_spaces(line: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in line.char_indices() {
        let space = is_python_space(c);
        if !space && in_space {
            parts.push(&line[start..i]);
            start = i;
        }
        in_space = space;
    }
    if start < line.len() {
        parts.push(&line[start..]);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> String {
        let mut out = String::new();
        write_str(&mut out, s);
        out
    }

    #[test]
    fn strings_as_python_writes_them() {
        assert_eq!(string("a"), "'a'");
        assert_eq!(string("it's"), "\"it's\"");
        assert_eq!(string("it's \"q\""), "'it\\'s \"q\"'");
        assert_eq!(string("\t\n\r\\\x01\x7f"), "'\\t\\n\\r\\\\\\x01\\x7f'");
        assert_eq!(string("café ü 漢"), "'café ü 漢'");
        assert_eq!(
            string("\u{a0}\u{ad}\u{200b}\u{2028}"),
            "'\\xa0\\xad\\u200b\\u2028'"
        );
        assert_eq!(string("\u{e000}\u{10ffff}"), "'\\ue000\\U0010ffff'");
        assert_eq!(string("\u{1f600}"), "'\u{1f600}'");
    }

    #[test]
    fn lines_split_as_python_splits_them() {
        assert_eq!(
            split_lines("a\nb\r\nc\rd\u{2028}e"),
            ["a\n", "b\r\n", "c\r", "d\u{2028}", "e"]
        );
        assert_eq!(split_lines("a\n"), ["a\n"]);
        assert_eq!(words_and_spaces("  ab  cd e"), ["  ", "ab  ", "cd ", "e"]);
    }
}
