//! Python's `repr` of XML-RPC values, character for character: the record texts are the
//! reference's `repr` (requests) and `pprint.pformat` (results, [`pformat`](super::pformat)).
//!
//! A request's values are written as the reference's server reads them
//! (`use_builtin_types=True`): a date is a `datetime.datetime(...)`, a binary `b'...'`. A
//! result's are written as its forwarding client reads them (`use_builtin_types=False`): there
//! Python writes `<DateTime '...' at 0x7f...>` and `<xmlrpc.client.Binary object at 0x...>`,
//! which hold a memory address and which its own replay cannot read back; we write
//! `xmlrpclib.DateTime('...')` and `xmlrpclib.Binary(b'...')` instead, which the reference's
//! replay `eval`s to the same objects (`docs/xmlrpc.md`).

use std::fmt::Write as _;

use super::value::Value;
use crate::traffic::python_str::{quote_for, write_str};

/// Which side of the reference read the value, which decides how dates and binaries look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A request's argument (`datetime.datetime(2020, 1, 2, 3, 4, 5)`, `b'..'`).
    Request,
    /// A result (`xmlrpclib.DateTime('20200102T03:04:05')`, `xmlrpclib.Binary(b'..')`).
    Result,
}

/// Python's `repr(value)`, with dict keys in the order sent (`sorted` off), or sorted as
/// `pprint` writes them.
pub fn write_repr(out: &mut String, value: &Value, side: Side, sorted: bool) {
    match value {
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Value::Double(f) => write_float(out, *f),
        Value::Str(s) => write_str(out, s),
        Value::Nil => out.push_str("None"),
        Value::Binary(bytes) => match side {
            Side::Request => write_bytes(out, bytes),
            Side::Result => {
                out.push_str("xmlrpclib.Binary(");
                write_bytes(out, bytes);
                out.push(')');
            }
        },
        Value::DateTime(text) => match (side, parse_date(text)) {
            (Side::Request, Some(parts)) => {
                out.push_str("datetime.datetime(");
                write_date_parts(out, parts);
                out.push(')');
            }
            _ => {
                out.push_str("xmlrpclib.DateTime(");
                write_str(out, text);
                out.push(')');
            }
        },
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, item, side, sorted);
            }
            out.push(']');
        }
        Value::Struct(members) => {
            out.push('{');
            let mut order: Vec<&(String, Value)> = members.iter().collect();
            if sorted {
                order.sort_by(|a, b| a.0.cmp(&b.0));
            }
            for (i, (name, member)) in order.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, name);
                out.push_str(": ");
                write_repr(out, member, side, sorted);
            }
            out.push('}');
        }
    }
}

/// `repr(value)` as a new string.
pub fn repr(value: &Value, side: Side, sorted: bool) -> String {
    let mut out = String::new();
    write_repr(&mut out, value, side, sorted);
    out
}

/// The reference's request text: the method, then `repr` of the argument tuple with every
/// `,)` replaced by `)` (so one argument has no trailing comma: `pow(2)`). The replacement is
/// the reference's, applied to the whole text, so a string argument holding `,)` loses its
/// comma too (`'a,)b'` is written `'a)b'`).
pub fn call_text(method: &str, params: &[Value]) -> String {
    let mut out = String::from(method);
    out.push('(');
    for (i, param) in params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_repr(&mut out, param, Side::Request, false);
    }
    if params.len() == 1 {
        out.push(',');
    }
    out.push(')');
    out.replace(",)", ")")
}

/// The parts of an XML-RPC date as Python's `datetime.strptime(text, "%Y%m%dT%H:%M:%S")`
/// reads the form every client sends (`20200102T03:04:05`), if it is that form and a real
/// date.
pub fn parse_date(text: &str) -> Option<[u32; 6]> {
    let b = text.as_bytes();
    if b.len() != 17 || b[8] != b'T' || b[11] != b':' || b[14] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(r)?;
        digits
            .bytes()
            .all(|d| d.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let parts = [
        num(0..4)?,
        num(4..6)?,
        num(6..8)?,
        num(9..11)?,
        num(12..14)?,
        num(15..17)?,
    ];
    let [year, month, day, hour, minute, second] = parts;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (year >= 1 && (1..=days).contains(&day) && hour < 24 && minute < 60 && second < 62)
        .then_some(parts)
}

/// `datetime.__repr__`'s arguments: the seconds are left out when zero, and the minutes are
/// always there.
fn write_date_parts(out: &mut String, parts: [u32; 6]) {
    let shown = if parts[5] == 0 { 5 } else { 6 };
    for (i, part) in parts[..shown].iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{part}");
    }
}

/// Python's `repr(float)`: the shortest digits that read back to the same value, fixed
/// notation for decimal exponents -4..16 (`0.0001`, `1e+16`), always with a `.0` or an
/// exponent; `inf`, `-inf`, `nan`.
pub fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f < 0.0 { "-inf" } else { "inf" });
        return;
    }
    // Rust's `{:e}` writes the same shortest digits, as `d.ddde<exp>`.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    out.push_str(sign);
    // Python's `decpt`: the value is 0.<digits> * 10**decpt.
    let decpt = exponent + 1;
    if decpt <= -4 || decpt > 16 {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exponent < 0 { '-' } else { '+' },
            exponent.abs()
        );
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let decpt = decpt as usize;
        if digits.len() <= decpt {
            out.push_str(&digits);
            for _ in digits.len()..decpt {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..decpt]);
            out.push('.');
            out.push_str(&digits[decpt..]);
        }
    }
}

/// Python's `repr(bytes)`: printable ASCII as it is, the quote and backslash escaped,
/// `\t \n \r`, and `\xNN` for every other byte.
pub fn write_bytes(out: &mut String, bytes: &[u8]) {
    let quote = quote_for(bytes.contains(&b'\''), bytes.contains(&b'"'));
    out.push('b');
    out.push(quote);
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            b' '..=b'~' => out.push(char::from(b)),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(f: f64) -> String {
        let mut out = String::new();
        write_float(&mut out, f);
        out
    }

    #[test]
    fn floats_as_python_writes_them() {
        for (f, text) in [
            (1.0, "1.0"),
            (2.5, "2.5"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1.0 / 3.0, "0.3333333333333333"),
            (-12.75, "-12.75"),
            (1e300, "1e+300"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(float(f), text, "{f:?}");
        }
        assert_eq!(float(f64::NAN), "nan");
    }

    #[test]
    fn bytes_as_python_writes_them() {
        let mut out = String::new();
        write_bytes(&mut out, b"\x00hi\xff'\\\n");
        assert_eq!(out, "b\"\\x00hi\\xff'\\\\\\n\"");
    }

    #[test]
    fn call_texts_drop_the_one_argument_comma_everywhere() {
        assert_eq!(
            call_text("pow", &[Value::Int(2), Value::Int(3)]),
            "pow(2, 3)"
        );
        assert_eq!(call_text("ident", &[Value::Int(2)]), "ident(2)");
        assert_eq!(call_text("f", &[]), "f()");
        assert_eq!(
            call_text("ident", &[Value::Str("a,)b".into())]),
            "ident('a)b')"
        );
        let dict = Value::Struct(vec![("b".into(), Value::Int(1)), ("a".into(), Value::Nil)]);
        assert_eq!(call_text("f", &[dict]), "f({'b': 1, 'a': None})");
    }

    #[test]
    fn dates_of_requests_and_results() {
        let date = Value::DateTime("20200102T03:04:05".into());
        assert_eq!(
            repr(&date, Side::Request, false),
            "datetime.datetime(2020, 1, 2, 3, 4, 5)"
        );
        let midnight = Value::DateTime("20200102T00:00:00".into());
        assert_eq!(
            repr(&midnight, Side::Request, false),
            "datetime.datetime(2020, 1, 2, 0, 0)"
        );
        assert_eq!(
            repr(&date, Side::Result, true),
            "xmlrpclib.DateTime('20200102T03:04:05')"
        );
        assert_eq!(parse_date("20200230T00:00:00"), None);
        assert_eq!(parse_date("2020-01-02T00:00:00"), None);
    }
}
