//! Reading a recorded `->SRV:` text back into the result or fault it stands for: the
//! Python literals `pprint.pformat` writes, parsed and never evaluated (the reference
//! `eval`s them).
//!
//! Accepted: `int`, `float` (also `inf`, `nan`), `True`, `False`, `None`, `str` literals
//! (adjacent ones joined, as pformat splits long strings), `bytes` literals, lists, dicts
//! with string keys, parentheses around a value, `xmlrpclib.Binary(b'...')`,
//! `xmlrpclib.DateTime('...')`, and at the top `raise xmlrpclib.Fault(code, string)`, or the
//! same without `raise` as the reference's replay writes it (spec pitfall 14).

use crate::python_literal::{parse_string_at, LiteralError};

use super::value::{Fault, Outcome, Value};

/// Why a recorded text is no result this parser reads; offsets are bytes into the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResultTextError {
    /// A string literal in it is broken.
    #[error("bad string literal")]
    String(#[from] LiteralError),
    /// Something else was found where the grammar needs a particular token.
    #[error("expected {expected} at byte {offset}")]
    Expected {
        /// What was expected.
        expected: &'static str,
        /// Where.
        offset: usize,
    },
    /// A `bytes` literal holds a character that is not ASCII, or a broken escape.
    #[error("bad bytes literal at byte {offset}")]
    Bytes {
        /// Where the literal starts.
        offset: usize,
    },
    /// Brackets nested deeper than a result read from XML can be.
    #[error("nested deeper than {MAX_DEPTH} brackets at byte {offset}")]
    TooDeep {
        /// Where.
        offset: usize,
    },
    /// A string is not UTF-8 text (a `\udcXX` escape).
    #[error("string at byte {offset} is not UTF-8 text")]
    NotText {
        /// Where.
        offset: usize,
    },
}

/// Deepest nesting of brackets read: a hand-edited file cannot make the parser recurse
/// without bound.
const MAX_DEPTH: usize = 512;

/// The result or fault a recorded `->SRV:` text stands for.
pub fn parse_outcome(text: &str) -> Result<Outcome, ResultTextError> {
    let mut p = Parser {
        text,
        pos: 0,
        depth: 0,
    };
    p.space();
    if p.keyword("raise") {
        p.space();
    }
    if p.starts("xmlrpclib.Fault") {
        p.pos += "xmlrpclib.Fault".len();
        p.space();
        p.expect(b'(', "'('")?;
        let code = p.value()?;
        p.space();
        p.expect(b',', "','")?;
        let string = p.value()?;
        p.space();
        if p.peek() == Some(b',') {
            p.pos += 1;
            p.space();
        }
        p.expect(b')', "')'")?;
        p.end()?;
        return Ok(Outcome::Fault(Fault { code, string }));
    }
    let value = p.value()?;
    p.end()?;
    Ok(Outcome::Value(value))
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
    /// Brackets open around the cursor.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn starts(&self, s: &str) -> bool {
        self.text[self.pos..].starts_with(s)
    }

    /// `word` at the cursor as a whole word: consumed.
    fn keyword(&mut self, word: &str) -> bool {
        let after = self.text.as_bytes().get(self.pos + word.len()).copied();
        if self.starts(word)
            && !after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') = self.peek() {
            self.pos += 1;
        }
    }

    fn expected(&self, expected: &'static str) -> ResultTextError {
        ResultTextError::Expected {
            expected,
            offset: self.pos,
        }
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), ResultTextError> {
        self.space();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.expected(expected))
        }
    }

    fn end(&mut self) -> Result<(), ResultTextError> {
        self.space();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(self.expected("the end of the text"))
        }
    }

    fn value(&mut self) -> Result<Value, ResultTextError> {
        if self.depth == MAX_DEPTH {
            return Err(ResultTextError::TooDeep { offset: self.pos });
        }
        self.depth += 1;
        let value = self.bracketed_or_atom();
        self.depth -= 1;
        value
    }

    fn bracketed_or_atom(&mut self) -> Result<Value, ResultTextError> {
        self.space();
        match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                let value = self.value()?;
                self.expect(b')', "')'")?;
                Ok(value)
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                while !self.next_item(b']', !items.is_empty())? {
                    items.push(self.value()?);
                }
                Ok(Value::Array(items))
            }
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                while !self.next_item(b'}', !members.is_empty())? {
                    let Value::Str(name) = self.value()? else {
                        return Err(self.expected("a string key"));
                    };
                    self.expect(b':', "':'")?;
                    members.push((name, self.value()?));
                }
                Ok(Value::from_members(members))
            }
            Some(b'\'' | b'"') => Ok(Value::Str(self.strings()?)),
            Some(b'b') if matches!(self.text.as_bytes().get(self.pos + 1), Some(b'\'' | b'"')) => {
                Ok(Value::Binary(self.all_bytes()?))
            }
            Some(b'-' | b'+' | b'0'..=b'9' | b'.') => self.number(),
            _ if self.keyword("True") => Ok(Value::Bool(true)),
            _ if self.keyword("False") => Ok(Value::Bool(false)),
            _ if self.keyword("None") => Ok(Value::Nil),
            _ if self.keyword("inf") => Ok(Value::Double(f64::INFINITY)),
            _ if self.keyword("nan") => Ok(Value::Double(f64::NAN)),
            _ if self.starts("xmlrpclib.Binary(") => {
                self.pos += "xmlrpclib.Binary(".len();
                self.space();
                let bytes = self.all_bytes()?;
                self.expect(b')', "')'")?;
                Ok(Value::Binary(bytes))
            }
            _ if self.starts("xmlrpclib.DateTime(") => {
                self.pos += "xmlrpclib.DateTime(".len();
                self.space();
                let text = self.strings()?;
                self.expect(b')', "')'")?;
                Ok(Value::DateTime(text))
            }
            _ => Err(self.expected("a Python literal")),
        }
    }

    /// Between items of a list or dict: like `python_literal`'s, commas between, one
    /// allowed at the end.
    fn next_item(&mut self, close: u8, after_item: bool) -> Result<bool, ResultTextError> {
        self.space();
        if after_item && self.peek() != Some(close) {
            self.expect(b',', "',' or a closing bracket")?;
            self.space();
        }
        if self.peek() == Some(close) {
            self.pos += 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// One or more adjacent `str` literals, joined.
    fn strings(&mut self) -> Result<String, ResultTextError> {
        let mut joined = Vec::new();
        loop {
            let (bytes, end) = parse_string_at(self.text, self.pos)?;
            joined.extend(bytes);
            self.pos = end;
            let before = self.pos;
            self.space();
            if !matches!(self.peek(), Some(b'\'' | b'"')) {
                self.pos = before;
                break;
            }
        }
        String::from_utf8(joined).map_err(|_| ResultTextError::NotText { offset: self.pos })
    }

    /// One or more adjacent `bytes` literals, joined.
    fn all_bytes(&mut self) -> Result<Vec<u8>, ResultTextError> {
        let mut joined = Vec::new();
        loop {
            if self.peek() != Some(b'b') {
                return Err(self.expected("a bytes literal"));
            }
            self.pos += 1;
            joined.extend(self.bytes_literal()?);
            let before = self.pos;
            self.space();
            if !(self.peek() == Some(b'b')
                && matches!(self.text.as_bytes().get(self.pos + 1), Some(b'\'' | b'"')))
            {
                self.pos = before;
                return Ok(joined);
            }
        }
    }

    /// The quoted part of a `bytes` literal at the cursor.
    fn bytes_literal(&mut self) -> Result<Vec<u8>, ResultTextError> {
        let start = self.pos;
        let bad = ResultTextError::Bytes { offset: start };
        let b = self.text.as_bytes();
        let quote = b[start];
        let mut i = start + 1;
        let mut out = Vec::new();
        loop {
            let Some(&c) = b.get(i) else { return Err(bad) };
            i += 1;
            match c {
                c if c == quote => break,
                b'\n' | b'\r' => return Err(bad),
                b'\\' => {
                    let Some(&e) = b.get(i) else { return Err(bad) };
                    i += 1;
                    match e {
                        b'\\' | b'\'' | b'"' => out.push(e),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'a' => out.push(0x07),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'v' => out.push(0x0b),
                        b'\n' => {}
                        b'x' => {
                            let hex = self.text.get(i..i + 2).ok_or(bad.clone())?;
                            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad.clone())?);
                            i += 2;
                        }
                        b'0'..=b'7' => {
                            let mut code = u32::from(e - b'0');
                            for _ in 0..2 {
                                match b.get(i) {
                                    Some(d @ b'0'..=b'7') => {
                                        code = code * 8 + u32::from(d - b'0');
                                        i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push(u8::try_from(code).map_err(|_| bad.clone())?);
                        }
                        e if e.is_ascii() => {
                            out.push(b'\\');
                            out.push(e);
                        }
                        _ => return Err(bad),
                    }
                }
                c if c.is_ascii() => out.push(c),
                _ => return Err(bad),
            }
        }
        self.pos = i;
        Ok(out)
    }

    /// An int or float literal, with an optional sign (and `-inf`).
    fn number(&mut self) -> Result<Value, ResultTextError> {
        let start = self.pos;
        let b = self.text.as_bytes();
        let mut i = start;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if self.text[i..].starts_with("inf") {
            self.pos = i + 3;
            let inf = if b[start] == b'-' {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            return Ok(Value::Double(inf));
        }
        let mut float = false;
        while let Some(&c) = b.get(i) {
            match c {
                b'0'..=b'9' | b'_' => {}
                b'.' => float = true,
                b'e' | b'E' => {
                    float = true;
                    if matches!(b.get(i + 1), Some(b'-' | b'+')) {
                        i += 1;
                    }
                }
                _ => break,
            }
            i += 1;
        }
        let literal: String = self.text[start..i].chars().filter(|&c| c != '_').collect();
        self.pos = i;
        let bad = ResultTextError::Expected {
            expected: "a number",
            offset: start,
        };
        if float {
            literal.parse().map(Value::Double).map_err(|_| bad)
        } else {
            literal.parse().map(Value::Int).map_err(|_| bad)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Value {
        match parse_outcome(text) {
            Ok(Outcome::Value(v)) => v,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(value("8"), Value::Int(8));
        assert_eq!(value("-3"), Value::Int(-3));
        assert_eq!(value("1e+20"), Value::Double(1e20));
        assert_eq!(value("-0.0"), Value::Double(-0.0));
        assert_eq!(value("True"), Value::Bool(true));
        assert_eq!(value("None"), Value::Nil);
        assert_eq!(value("'it\\'s'"), Value::Str("it's".into()));
        assert_eq!(value("-inf"), Value::Double(f64::NEG_INFINITY));
    }

    #[test]
    fn containers_and_split_strings() {
        let text = "{'k000': ['xx', 0, 0.0],\n 'k001': ('word '\n  'word')}";
        assert_eq!(
            value(text),
            Value::Struct(vec![
                (
                    "k000".into(),
                    Value::Array(vec![
                        Value::Str("xx".into()),
                        Value::Int(0),
                        Value::Double(0.0)
                    ])
                ),
                ("k001".into(), Value::Str("word word".into())),
            ])
        );
        assert_eq!(
            value("['a '\n  'b', 'c']"),
            Value::Array(vec![Value::Str("a b".into()), Value::Str("c".into())])
        );
    }

    #[test]
    fn binaries_dates_and_faults() {
        assert_eq!(
            value("xmlrpclib.Binary(b'\\x00hi')"),
            Value::Binary(b"\x00hi".to_vec())
        );
        assert_eq!(
            value("xmlrpclib.DateTime('20200102T03:04:05')"),
            Value::DateTime("20200102T03:04:05".into())
        );
        let fault = Outcome::Fault(Fault::new(7, "it's"));
        assert_eq!(
            parse_outcome("raise xmlrpclib.Fault(7, \"it's\")"),
            Ok(fault.clone())
        );
        assert_eq!(parse_outcome("xmlrpclib.Fault(7, \"it's\")"), Ok(fault));
    }

    #[test]
    fn what_is_no_literal_is_refused_with_a_place() {
        assert!(matches!(
            parse_outcome("<DateTime '2020' at 0x7f>"),
            Err(ResultTextError::Expected { offset: 0, .. })
        ));
        assert!(matches!(
            parse_outcome("[1, 2"),
            Err(ResultTextError::Expected { offset: 5, .. })
        ));
        assert!(parse_outcome("__import__('os')").is_err());
        assert!(parse_outcome("1 2").is_err());
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            parse_outcome(&deep),
            Err(ResultTextError::TooDeep { .. })
        ));
    }
}
