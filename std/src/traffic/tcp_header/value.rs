//! The Python values a `tcp_header` record text holds, written as the reference writes them
//! (`repr` for header lines, `pprint.pformat(width=200, sort_dicts=False)` for bodies) and
//! read back without evaluating anything.
//!
//! The reference `eval`s a recorded body to replay it; this reader accepts only the literals
//! such a body is made of: dicts with string keys, lists, tuples, strings, bytes, integers,
//! floats, `True`, `False` and `None`.

use capturemock_core::words::is_python_space;

use crate::traffic::python_str::{write_split_str, write_str};
use crate::traffic::xmlrpc::repr::{write_bytes, write_float};

/// One value of a parsed message.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `None`: a null string (length -1), or a field with no data.
    None,
    /// A `?` field.
    Bool(bool),
    /// An integer field (wide enough for `Q` and `q` both).
    Int(i128),
    /// An `e`, `f` or `d` field.
    Float(f64),
    /// A length-prefixed string, an enum name, or `0x` hex of bytes that are not UTF-8.
    Str(String),
    /// A `c` or `s` field.
    Bytes(Vec<u8>),
    /// A list field.
    List(Vec<Value>),
    /// A list element of several values.
    Tuple(Vec<Value>),
    /// A message's fields, in layout order.
    Dict(Vec<(String, Value)>),
}

impl Value {
    /// The reference's `toString`: bytes decoded as UTF-8 or else `0x` hex, a tuple's last
    /// item, anything else as Python's `str`.
    pub fn to_text(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Bytes(b) => bytes_to_text(b),
            Value::Tuple(items) => items.last().map_or_else(String::new, Value::to_text),
            Value::None => "None".into(),
            other => repr(other),
        }
    }

    /// The member `key` of a dict.
    pub fn get<'a>(members: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
        members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Bytes as the reference's `toString` writes them: UTF-8 text, or `0x` and hex.
pub fn bytes_to_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => format!("0x{}", hex(bytes)),
    }
}

/// Lower-case hex, as Python's `bytes.hex()`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Python's `bytes.fromhex` for the hex this format writes (no white space).
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// Python's `repr(value)`, dict members in their order.
pub fn repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(&mut out, value);
    out
}

fn write_repr(out: &mut String, value: &Value) {
    match value {
        Value::None => out.push_str("None"),
        Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Float(f) => write_float(out, *f),
        Value::Str(s) => write_str(out, s),
        Value::Bytes(b) => write_bytes(out, b),
        Value::List(items) => {
            out.push('[');
            write_items(out, items);
            out.push(']');
        }
        Value::Tuple(items) => {
            out.push('(');
            write_items(out, items);
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Value::Dict(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, k);
                out.push_str(": ");
                write_repr(out, v);
            }
            out.push('}');
        }
    }
}

fn write_items(out: &mut String, items: &[Value]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_repr(out, item);
    }
}

/// The width the reference's bodies are written to.
const WIDTH: usize = 200;

/// `pprint.pformat(value, width=200, sort_dicts=False)`: the one-line `repr` when it fits,
/// else a dict, list or tuple one item per line, a string cut after white space into
/// adjacent literals, and bytes cut into adjacent literals of whole groups of four bytes.
pub fn pformat(value: &Value) -> String {
    let mut out = String::new();
    format(&mut out, value, 0, 0, 0);
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn format(out: &mut String, value: &Value, indent: usize, allowance: usize, level: usize) {
    let rep = repr(value);
    if chars(&rep) + indent + allowance > WIDTH {
        match value {
            Value::Dict(members) if !members.is_empty() => {
                out.push('{');
                let (indent, allowance) = (indent + 1, allowance + 1);
                let last = members.len() - 1;
                for (i, (k, v)) in members.iter().enumerate() {
                    let mut key = String::new();
                    write_str(&mut key, k);
                    out.push_str(&key);
                    out.push_str(": ");
                    let inner = if i == last { allowance } else { 1 };
                    format(out, v, indent + chars(&key) + 2, inner, level + 1);
                    if i != last {
                        out.push_str(",\n");
                        out.extend(std::iter::repeat_n(' ', indent));
                    }
                }
                out.push('}');
                return;
            }
            Value::List(items) | Value::Tuple(items) if !items.is_empty() => {
                let tuple = matches!(value, Value::Tuple(_));
                out.push(if tuple { '(' } else { '[' });
                let (indent, allowance) = (indent + 1, allowance + 1);
                let last = items.len() - 1;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(",\n");
                        out.extend(std::iter::repeat_n(' ', indent));
                    }
                    format(
                        out,
                        item,
                        indent,
                        if i == last { allowance } else { 1 },
                        level + 1,
                    );
                }
                if tuple && items.len() == 1 {
                    out.push(',');
                }
                out.push(if tuple { ')' } else { ']' });
                return;
            }
            Value::Str(text) => {
                return write_split_str(out, text, WIDTH, indent, allowance, level + 1);
            }
            Value::Bytes(bytes) if bytes.len() > 4 => {
                return write_split_bytes(out, bytes, indent, allowance, level + 1);
            }
            _ => {}
        }
    }
    out.push_str(&rep);
}

/// pprint's `_pprint_bytes`: bytes too long for their line, cut into adjacent `b'...'`
/// literals of whole groups of four bytes, each as long as fits in the columns left after
/// `indent`; in parentheses at the top level (`level` 1). `allowance` columns stay free after
/// the last piece, but, as in Python, only when the length is not a multiple of four (its
/// last group is then short).
fn write_split_bytes(
    out: &mut String,
    bytes: &[u8],
    mut indent: usize,
    mut allowance: usize,
    level: usize,
) {
    if level == 1 {
        indent += 1;
        allowance += 1;
        out.push('(');
    }
    let mut width = WIDTH as isize - indent as isize;
    let last = bytes.len() / 4 * 4;
    let repr_len = |piece: &[u8]| {
        let mut text = String::new();
        write_bytes(&mut text, piece);
        text.len() as isize
    };
    let mut pieces: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    for i in (0..bytes.len()).step_by(4) {
        let end = (i + 4).min(bytes.len());
        if i == last {
            width -= allowance as isize;
        }
        if repr_len(&bytes[start..end]) > width {
            if start < i {
                pieces.push(&bytes[start..i]);
            }
            start = i;
        }
    }
    pieces.push(&bytes[start..]);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', indent));
        }
        write_bytes(out, piece);
    }
    if level == 1 {
        out.push(')');
    }
}

/// Why a recorded text is not the literal it should be; the offset is in bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Python literal at byte {offset}: {reason}")]
pub struct LiteralError {
    /// Where reading stopped.
    pub offset: usize,
    /// What was expected there.
    pub reason: String,
}

/// Deepest nesting read, so that a hand-edited file cannot make the reader recurse without
/// bound.
const MAX_DEPTH: usize = 64;

/// Reads one Python literal that is the whole of `text` (white space around it allowed).
pub fn parse_literal(text: &str) -> Result<Value, LiteralError> {
    let mut p = Parser { text, pos: 0 };
    let value = p.value(0)?;
    p.skip_space();
    if p.pos != text.len() {
        return Err(p.error("text after the literal"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, reason: &str) -> LiteralError {
        LiteralError {
            offset: self.pos,
            reason: reason.into(),
        }
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.rest().chars().next() {
            if !is_python_space(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn eat(&mut self, s: &str) -> bool {
        self.skip_space();
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, LiteralError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_space();
        let rest = self.rest();
        let c = rest.chars().next().ok_or_else(|| self.error("a value"))?;
        match c {
            '{' => {
                self.pos += 1;
                let mut members = Vec::new();
                loop {
                    if self.eat("}") {
                        break;
                    }
                    let key = match self.value(depth + 1)? {
                        Value::Str(k) => k,
                        _ => return Err(self.error("a string key")),
                    };
                    if !self.eat(":") {
                        return Err(self.error("':'"));
                    }
                    let v = self.value(depth + 1)?;
                    match members
                        .iter_mut()
                        .find(|(k, _): &&mut (String, Value)| *k == key)
                    {
                        Some(slot) => slot.1 = v,
                        None => members.push((key, v)),
                    }
                    if !self.eat(",") {
                        if self.eat("}") {
                            break;
                        }
                        return Err(self.error("',' or '}'"));
                    }
                }
                Ok(Value::Dict(members))
            }
            '[' | '(' => {
                self.pos += 1;
                let close = if c == '[' { "]" } else { ")" };
                let mut items = Vec::new();
                let mut comma = false;
                loop {
                    if self.eat(close) {
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    comma = self.eat(",");
                    if !comma {
                        if self.eat(close) {
                            break;
                        }
                        return Err(self.error("',' or a closing bracket"));
                    }
                }
                Ok(if c == '[' {
                    Value::List(items)
                } else if items.len() == 1 && !comma {
                    items.pop().unwrap_or(Value::None)
                } else {
                    Value::Tuple(items)
                })
            }
            '\'' | '"' => Ok(Value::Str(self.string(false)?)),
            'b' if rest[1..].starts_with(['\'', '"']) => {
                self.pos += 1;
                let s = self.string(true)?;
                Ok(Value::Bytes(s.chars().map(|c| c as u8).collect()))
            }
            _ => self.word(),
        }
    }

    /// A quoted string (adjacent literals joined); for bytes, each char is one byte.
    fn string(&mut self, bytes: bool) -> Result<String, LiteralError> {
        let mut out = String::new();
        loop {
            let quote = self.rest().chars().next().unwrap_or('\'');
            self.pos += 1;
            loop {
                let c = self
                    .rest()
                    .chars()
                    .next()
                    .ok_or_else(|| self.error("a closing quote"))?;
                self.pos += c.len_utf8();
                if c == quote {
                    break;
                }
                if c != '\\' {
                    if bytes && !c.is_ascii() {
                        return Err(self.error("ASCII in a bytes literal"));
                    }
                    out.push(c);
                    continue;
                }
                let e = self
                    .rest()
                    .chars()
                    .next()
                    .ok_or_else(|| self.error("an escape"))?;
                self.pos += e.len_utf8();
                let code = |p: &mut Self, n: usize| -> Result<char, LiteralError> {
                    let digits = p.rest().get(..n).ok_or_else(|| p.error("hex digits"))?;
                    let v = u32::from_str_radix(digits, 16).map_err(|_| p.error("hex digits"))?;
                    p.pos += n;
                    char::from_u32(v).ok_or_else(|| p.error("a character"))
                };
                out.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '\\' | '\'' | '"' => e,
                    'x' => code(self, 2)?,
                    'u' if !bytes => code(self, 4)?,
                    'U' if !bytes => code(self, 8)?,
                    _ => return Err(self.error("a known escape")),
                });
            }
            self.skip_space();
            if bytes && (self.rest().starts_with("b'") || self.rest().starts_with("b\"")) {
                self.pos += 1;
            } else if bytes || !self.rest().starts_with(['\'', '"']) {
                return Ok(out);
            }
        }
    }

    fn word(&mut self) -> Result<Value, LiteralError> {
        let rest = self.rest();
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.' | '_')))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        let value = match word {
            "None" => Value::None,
            "True" => Value::Bool(true),
            "False" => Value::Bool(false),
            "inf" => Value::Float(f64::INFINITY),
            _ => {
                if let Ok(n) = word.parse::<i128>() {
                    Value::Int(n)
                } else if word.contains(['.', 'e', 'E']) {
                    Value::Float(word.parse().map_err(|_| self.error("a number"))?)
                } else {
                    return Err(self.error("a value"));
                }
            }
        };
        self.pos += end;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written() {
        let v = Value::Dict(vec![
            ("a".into(), Value::Int(-3)),
            ("b".into(), Value::Str("it's".into())),
            ("c".into(), Value::Bytes(b"F\x00".to_vec())),
            (
                "d".into(),
                Value::List(vec![Value::Tuple(vec![Value::Int(1)]), Value::None]),
            ),
            ("e".into(), Value::Float(21.5)),
            ("f".into(), Value::Bool(true)),
        ]);
        let text = repr(&v);
        assert_eq!(
            text,
            "{'a': -3, 'b': \"it's\", 'c': b'F\\x00', 'd': [(1,), None], 'e': 21.5, 'f': True}"
        );
        assert_eq!(parse_literal(&text).unwrap(), v);
    }

    #[test]
    fn long_dicts_go_one_member_per_line() {
        let long = "x".repeat(190);
        let v = Value::Dict(vec![
            ("a".into(), Value::Int(1)),
            ("b".into(), Value::List(vec![Value::Str(long.clone())])),
        ]);
        assert_eq!(pformat(&v), format!("{{'a': 1,\n 'b': ['{long}']}}"));
        assert_eq!(parse_literal(&pformat(&v)).unwrap(), v);
    }

    #[test]
    fn long_strings_are_cut_after_white_space_as_pformat_cuts_them() {
        // Python: pprint.pformat({'name': 'x ' * 120}, width=200, sort_dicts=False)
        let v = Value::Dict(vec![("name".into(), Value::Str("x ".repeat(120)))]);
        let text = pformat(&v);
        assert_eq!(
            text,
            format!(
                "{{'name': '{}'\n         '{}'}}",
                "x ".repeat(94),
                "x ".repeat(26)
            )
        );
        assert_eq!(parse_literal(&text).unwrap(), v);
    }

    #[test]
    fn bad_literals_are_refused_with_where() {
        for bad in [
            "{'a': }",
            "{'a' 1}",
            "[1, 2",
            "__import__('os')",
            "{1: 2}",
            "b'\u{e9}'",
        ] {
            assert!(parse_literal(bad).is_err(), "{bad}");
        }
        assert_eq!(hex(b"\x01\xff"), "01ff");
        assert_eq!(from_hex("01ff"), Some(vec![1, 255]));
        assert_eq!(from_hex("0"), None);
        assert_eq!(bytes_to_text(b"\xff"), "0xff");
    }
}
