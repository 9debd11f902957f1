//! Python's `pprint.pformat(value, width=130)` of an XML-RPC result: how the reference writes
//! a `->SRV:` text. Same line breaks, indents and string splitting as Python 3's
//! `PrettyPrinter` (indent 1, no depth limit, not compact, dicts sorted), so that a record
//! file is byte for byte the reference's.

use super::repr::{repr, Side};
use super::value::Value;
use crate::traffic::python_str::{len, write_split_str, write_str};

/// The width the reference asks for.
pub const WIDTH: usize = 130;

/// `pprint.pformat(value, width=130)` of a result.
pub fn pformat(value: &Value) -> String {
    let mut out = String::new();
    format(&mut out, value, 0, 0, 0);
    out
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
            Value::Str(s) => return write_split_str(out, s, WIDTH, indent, allowance, level + 1),
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

fn push_spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_stay_on_one_line() {
        let v = Value::Struct(vec![
            ("b".into(), Value::Int(1)),
            ("a".into(), Value::Int(2)),
        ]);
        assert_eq!(pformat(&v), "{'a': 2, 'b': 1}");
    }
}
