//! Python's `pprint.pformat(value, width=130)` of an XML-RPC result: how the reference writes
//! a `->SRV:` text. Same line breaks, indents and string splitting as Python 3's
//! `PrettyPrinter` (indent 1, no depth limit, not compact, dicts sorted), so that a record
//! file is byte for byte the reference's.

use capturemock_core::words::is_python_space;

use super::repr::{repr, write_str, Side};
use super::value::Value;

/// The width the reference asks for.
pub const WIDTH: usize = 130;

/// `pprint.pformat(value, width=130)` of a result.
pub fn pformat(value: &Value) -> String {
    let mut out = String::new();
    format(&mut out, value, 0, 0, 0);
    out
}

/// Characters in `s`, as Python's `len` counts them.
fn len(s: &str) -> usize {
    s.chars().count()
}

/// `PrettyPrinter._format`: the one-line `repr` when it fits in what is left of the line,
/// else the container or string split over lines.
fn format(out: &mut String, value: &Value, indent: usize, allowance: usize, level: usize) {
    let rep = repr(value, Side::Result, true);
    let max_width = WIDTH as isize - indent as isize - allowance as isize;
    if len(&rep) as isize > max_width {
        match value {
            Value::Struct(members) => return dict(out, members, indent, allowance, level + 1),
            Value::Array(items) => return list(out, items, indent, allowance, level + 1),
            Value::Str(s) => return string(out, s, indent, allowance, level + 1),
            _ => {}
        }
    }
    out.push_str(&rep);
}

/// `_pprint_dict` and `_format_dict_items`: one member per line, keys sorted.
fn dict(
    out: &mut String,
    members: &[(String, Value)],
    indent: usize,
    allowance: usize,
    level: usize,
) {
    out.push('{');
    let mut sorted: Vec<&(String, Value)> = members.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let allowance = allowance + 1;
    let indent = indent + 1;
    let last = sorted.len().saturating_sub(1);
    for (i, (name, member)) in sorted.into_iter().enumerate() {
        let mut key = String::new();
        write_str(&mut key, name);
        out.push_str(&key);
        out.push_str(": ");
        let inner = if i == last { allowance } else { 1 };
        format(out, member, indent + len(&key) + 2, inner, level);
        if i != last {
            out.push_str(",\n");
            push_spaces(out, indent);
        }
    }
    out.push('}');
}

/// `_pprint_list` and `_format_items`: one item per line.
fn list(out: &mut String, items: &[Value], indent: usize, allowance: usize, level: usize) {
    out.push('[');
    let allowance = allowance + 1;
    let indent = indent + 1;
    let last = items.len().saturating_sub(1);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
            push_spaces(out, indent);
        }
        format(
            out,
            item,
            indent,
            if i == last { allowance } else { 1 },
            level,
        );
    }
    out.push(']');
}

/// `_pprint_str`: a string too long for its line, cut after white space into pieces that
/// fit (and at line ends), written as adjacent literals, in parentheses at the top level.
fn string(out: &mut String, s: &str, mut indent: usize, mut allowance: usize, level: usize) {
    if s.is_empty() {
        write_str(out, s);
        return;
    }
    let lines = split_lines(s);
    if level == 1 {
        indent += 1;
        allowance += 1;
    }
    let max_width = WIDTH as isize - indent as isize;
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

    #[test]
    fn lines_split_as_python_splits_them() {
        assert_eq!(
            split_lines("a\nb\r\nc\rd\u{2028}e"),
            ["a\n", "b\r\n", "c\r", "d\u{2028}", "e"]
        );
        assert_eq!(split_lines("a\n"), ["a\n"]);
        assert_eq!(words_and_spaces("  ab  cd e"), ["  ", "ab  ", "cd ", "e"]);
    }

    #[test]
    fn short_values_stay_on_one_line() {
        let v = Value::Struct(vec![
            ("b".into(), Value::Int(1)),
            ("a".into(), Value::Int(2)),
        ]);
        assert_eq!(pformat(&v), "{'a': 2, 'b': 1}");
    }
}
