//! The reference's layout language: a Python `struct` format (with its byte order first)
//! extended with length-prefixed strings and lists.
//!
//! - Plain `struct` codes: `x` (pad byte), `c`, `b B h H i I l L q Q n N` (integers), `?`,
//!   `e f d` (floats), `Ns` (N bytes), each with an optional repeat count. The first
//!   character is the byte order, one of `< > ! =`; native alignment (`@`) is refused,
//!   since a wire layout has none.
//! - `i$`: a string whose length the code before the `$` gives (`-1` is `None`); read as text
//!   when it is UTF-8, else `0x` and hex.
//! - `i[...]`: a list whose element count the code before the `[` gives, each element laid
//!   out by the format inside (one value, or a tuple of several); `i*[...]` gives the length
//!   in bytes instead.
//!
//! The reference's `(a|b|...)` option groups are not read: a layout that uses them is
//! refused when the rc file is loaded.

/// Why a layout or a message does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The format string itself is wrong.
    #[error("format {format:?}: {reason}")]
    Bad {
        /// The format.
        format: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The bytes end before the layout does.
    #[error("message too short: {needed} bytes needed at offset {offset}, {available} there")]
    Short {
        /// Where the field starts.
        offset: usize,
        /// Its size.
        needed: usize,
        /// What is left.
        available: usize,
    },
    /// A value does not fit its code.
    #[error("cannot pack {value} as `{code}`")]
    Pack {
        /// The code.
        code: char,
        /// The value, as Python writes it.
        value: String,
    },
}

use super::value::{bytes_to_text, from_hex, repr, Value};

/// Byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

/// One part of a format.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// A plain code repeated `count` times (for `s`, `count` is the length).
    Code { code: char, count: usize },
    /// A length-prefixed string.
    Str { len: char },
    /// A counted list.
    List {
        len: char,
        by_bytes: bool,
        element: Vec<Part>,
    },
}

/// A parsed format.
#[derive(Debug, Clone, PartialEq)]
pub struct Format {
    order: Order,
    parts: Vec<Part>,
}

fn size_of(code: char) -> Option<usize> {
    Some(match code {
        'x' | 'c' | 'b' | 'B' | '?' | 's' => 1,
        'h' | 'H' | 'e' => 2,
        'i' | 'I' | 'l' | 'L' | 'f' => 4,
        'q' | 'Q' | 'n' | 'N' | 'd' => 8,
        _ => return None,
    })
}

impl Format {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Format, FormatError> {
        let bad = |reason: &str| FormatError::Bad {
            format: text.into(),
            reason: reason.into(),
        };
        let order = match text.chars().next() {
            Some('<') => Order::Little,
            Some('>' | '!') => Order::Big,
            Some('=') => {
                if cfg!(target_endian = "little") {
                    Order::Little
                } else {
                    Order::Big
                }
            }
            _ => {
                return Err(bad(
                    "the first character must be the byte order, one of < > ! =",
                ))
            }
        };
        let chars: Vec<char> = text.chars().skip(1).collect();
        let (parts, end) = parse_parts(&chars, 0, None).map_err(|r| bad(&r))?;
        if end != chars.len() {
            return Err(bad("unbalanced ]"));
        }
        Ok(Format { order, parts })
    }

    /// The size of its fixed part: what a header of this format takes (strings and lists
    /// count their length field only, as Python's `struct.calcsize` of the reference's text
    /// would not; a header has neither).
    pub fn fixed_size(&self) -> usize {
        fixed_size(&self.parts)
    }

    /// Reads `bytes` from the start; returns the values and how many bytes they took.
    pub fn unpack(&self, bytes: &[u8]) -> Result<(Vec<Value>, usize), FormatError> {
        let mut values = Vec::new();
        let used = unpack_parts(self.order, &self.parts, bytes, 0, &mut values)?;
        Ok((values, used))
    }

    /// How many values it reads (a list or a string is one).
    pub fn value_count(&self) -> usize {
        value_count(&self.parts)
    }

    /// Writes `values` (at least [`value_count`](Self::value_count) of them).
    pub fn pack(&self, values: &[Value]) -> Result<Vec<u8>, FormatError> {
        let mut out = Vec::new();
        let mut index = 0;
        pack_parts(self.order, &self.parts, values, &mut index, &mut out)?;
        Ok(out)
    }
}

/// Parses parts from `chars[start..]` until `close` (or the end); returns them and where
/// it stopped (after `close`).
fn parse_parts(
    chars: &[char],
    start: usize,
    close: Option<char>,
) -> Result<(Vec<Part>, usize), String> {
    let mut parts = Vec::new();
    let mut i = start;
    let mut count: Option<usize> = None;
    let mut by_bytes = false;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            ' ' | '\t' => {}
            '0'..='9' => {
                let digit = c as usize - '0' as usize;
                count = Some(count.unwrap_or(0).saturating_mul(10).saturating_add(digit));
                if count > Some(1 << 20) {
                    return Err("repeat count too large".into());
                }
            }
            '*' => by_bytes = true,
            '$' | '[' => {
                let len = match parts.pop() {
                    Some(Part::Code { code, count }) if code != 'x' && code != 's' => {
                        if count > 1 {
                            parts.push(Part::Code {
                                code,
                                count: count - 1,
                            });
                        }
                        code
                    }
                    _ => return Err(format!("`{c}` must follow an integer code, its length")),
                };
                if !matches!(
                    len,
                    'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'n' | 'N'
                ) {
                    return Err(format!("the length before `{c}` must be an integer code"));
                }
                if c == '$' {
                    parts.push(Part::Str { len });
                } else {
                    let (element, end) = parse_parts(chars, i, Some(']'))?;
                    if element.is_empty() {
                        return Err("an empty list element `[]` (the reference's bit templates) is not supported".into());
                    }
                    i = end;
                    parts.push(Part::List {
                        len,
                        by_bytes,
                        element,
                    });
                    by_bytes = false;
                }
                count = None;
            }
            ']' if close == Some(']') => return Ok((parts, i)),
            '(' | ')' | '|' => {
                return Err("option groups `(a|b|...)` are not supported by this server".into())
            }
            _ => {
                if size_of(c).is_none() {
                    return Err(format!("unknown code `{c}`"));
                }
                parts.push(Part::Code {
                    code: c,
                    count: count.take().unwrap_or(1),
                });
            }
        }
    }
    if close.is_some() {
        return Err("`[` without `]`".into());
    }
    Ok((parts, i))
}

fn fixed_size(parts: &[Part]) -> usize {
    parts
        .iter()
        .map(|p| match p {
            Part::Code { code, count } => size_of(*code).unwrap_or(0) * count,
            Part::Str { len } | Part::List { len, .. } => size_of(*len).unwrap_or(0),
        })
        .sum()
}

fn value_count(parts: &[Part]) -> usize {
    parts
        .iter()
        .map(|p| match p {
            Part::Code { code: 'x', .. } => 0,
            Part::Code { code: 's', .. } => 1,
            Part::Code { count, .. } => *count,
            _ => 1,
        })
        .sum()
}

fn take(bytes: &[u8], offset: usize, n: usize) -> Result<&[u8], FormatError> {
    bytes
        .get(offset..offset.saturating_add(n))
        .ok_or(FormatError::Short {
            offset,
            needed: n,
            available: bytes.len().saturating_sub(offset),
        })
}

fn read_int(order: Order, code: char, raw: &[u8]) -> i128 {
    let mut buf = [0u8; 8];
    let n = raw.len();
    match order {
        Order::Little => buf[..n].copy_from_slice(raw),
        Order::Big => {
            for (i, b) in raw.iter().rev().enumerate() {
                buf[i] = *b;
            }
        }
    }
    let unsigned = u64::from_le_bytes(buf);
    let signed = matches!(code, 'b' | 'h' | 'i' | 'l' | 'q' | 'n');
    if signed && n < 8 && unsigned >> (n * 8 - 1) & 1 == 1 {
        unsigned as i128 - (1i128 << (n * 8))
    } else if signed && n == 8 {
        unsigned as i64 as i128
    } else {
        unsigned as i128
    }
}

fn unpack_parts(
    order: Order,
    parts: &[Part],
    bytes: &[u8],
    mut offset: usize,
    out: &mut Vec<Value>,
) -> Result<usize, FormatError> {
    let start = offset;
    for part in parts {
        match part {
            Part::Code { code: 's', count } => {
                out.push(Value::Bytes(take(bytes, offset, *count)?.to_vec()));
                offset += count;
            }
            Part::Code { code, count } => {
                let size = size_of(*code).unwrap_or(1);
                for _ in 0..*count {
                    let raw = take(bytes, offset, size)?;
                    offset += size;
                    match code {
                        'x' => {}
                        'c' => out.push(Value::Bytes(raw.to_vec())),
                        '?' => out.push(Value::Bool(raw[0] != 0)),
                        'e' | 'f' | 'd' => out.push(Value::Float(read_float(order, raw))),
                        _ => out.push(Value::Int(read_int(order, *code, raw))),
                    }
                }
            }
            Part::Str { len } => {
                let size = size_of(*len).unwrap_or(4);
                let n = read_int(order, *len, take(bytes, offset, size)?);
                offset += size;
                if n < 0 {
                    out.push(Value::None);
                } else {
                    let n = usize::try_from(n).unwrap_or(usize::MAX);
                    out.push(Value::Str(bytes_to_text(take(bytes, offset, n)?)));
                    offset += n;
                }
            }
            Part::List {
                len,
                by_bytes,
                element,
            } => {
                let size = size_of(*len).unwrap_or(4);
                let mut n = read_int(order, *len, take(bytes, offset, size)?).max(0);
                offset += size;
                if *by_bytes {
                    n /= fixed_size(element).max(1) as i128;
                }
                let mut items = Vec::new();
                for _ in 0..n {
                    let mut element_values = Vec::new();
                    offset += unpack_parts(order, element, bytes, offset, &mut element_values)?;
                    items.push(if element_values.len() == 1 {
                        element_values.remove(0)
                    } else {
                        Value::Tuple(element_values)
                    });
                }
                out.push(Value::List(items));
            }
        }
    }
    Ok(offset - start)
}

fn read_float(order: Order, raw: &[u8]) -> f64 {
    let mut bytes = raw.to_vec();
    if order == Order::Big {
        bytes.reverse();
    }
    match bytes.len() {
        2 => half_to_f64(u16::from_le_bytes([bytes[0], bytes[1]])),
        4 => f64::from(f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])),
        _ => f64::from_le_bytes(bytes.try_into().unwrap_or([0; 8])),
    }
}

fn half_to_f64(h: u16) -> f64 {
    let sign = if h >> 15 == 1 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + frac / 1024.0) * 2f64.powi(exp - 15),
    }
}

fn write_int(
    order: Order,
    code: char,
    value: &Value,
    out: &mut Vec<u8>,
) -> Result<(), FormatError> {
    let size = size_of(code).unwrap_or(4);
    let fail = || FormatError::Pack {
        code,
        value: repr(value),
    };
    let n = match value {
        Value::Int(n) => *n,
        Value::Bool(b) => i128::from(*b),
        _ => return Err(fail()),
    };
    let signed = matches!(code, 'b' | 'h' | 'i' | 'l' | 'q' | 'n');
    let bits = size as u32 * 8;
    let (min, max) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    if n < min || n > max {
        return Err(fail());
    }
    let le = (n as u128).to_le_bytes();
    let mut raw = le[..size].to_vec();
    if order == Order::Big {
        raw.reverse();
    }
    out.extend_from_slice(&raw);
    Ok(())
}

fn pack_parts(
    order: Order,
    parts: &[Part],
    values: &[Value],
    index: &mut usize,
    out: &mut Vec<u8>,
) -> Result<(), FormatError> {
    let mut next = |code: char| -> Result<&Value, FormatError> {
        let v = values.get(*index).ok_or(FormatError::Pack {
            code,
            value: "nothing (too few values)".into(),
        })?;
        *index += 1;
        Ok(v)
    };
    for part in parts {
        match part {
            Part::Code { code: 'x', count } => out.extend(std::iter::repeat_n(0u8, *count)),
            Part::Code { code: 's', count } => {
                let v = next('s')?;
                let mut b = match v {
                    Value::Bytes(b) => b.clone(),
                    Value::Str(s) => s.as_bytes().to_vec(),
                    _ => {
                        return Err(FormatError::Pack {
                            code: 's',
                            value: repr(v),
                        })
                    }
                };
                b.resize(*count, 0);
                out.extend_from_slice(&b);
            }
            Part::Code { code, count } => {
                for _ in 0..*count {
                    let v = next(*code)?;
                    match code {
                        'c' => match v {
                            Value::Bytes(b) if b.len() == 1 => out.push(b[0]),
                            Value::Str(s) if s.len() == 1 => out.push(s.as_bytes()[0]),
                            _ => {
                                return Err(FormatError::Pack {
                                    code: 'c',
                                    value: repr(v),
                                })
                            }
                        },
                        '?' => out.push(u8::from(match v {
                            Value::Bool(b) => *b,
                            Value::Int(n) => *n != 0,
                            Value::None => false,
                            _ => {
                                return Err(FormatError::Pack {
                                    code: '?',
                                    value: repr(v),
                                })
                            }
                        })),
                        'e' | 'f' | 'd' => {
                            let f = match v {
                                Value::Float(f) => *f,
                                Value::Int(n) => *n as f64,
                                _ => {
                                    return Err(FormatError::Pack {
                                        code: *code,
                                        value: repr(v),
                                    })
                                }
                            };
                            let mut raw = match code {
                                'f' => (f as f32).to_le_bytes().to_vec(),
                                'd' => f.to_le_bytes().to_vec(),
                                _ => {
                                    return Err(FormatError::Pack {
                                        code: 'e',
                                        value: repr(v),
                                    })
                                }
                            };
                            if order == Order::Big {
                                raw.reverse();
                            }
                            out.extend_from_slice(&raw);
                        }
                        _ => write_int(order, *code, v, out)?,
                    }
                }
            }
            Part::Str { len } => {
                let v = next(*len)?;
                let bytes = match v {
                    Value::None => None,
                    Value::Str(s) => Some(match s.strip_prefix("0x").and_then(from_hex) {
                        Some(b) => b,
                        None => s.as_bytes().to_vec(),
                    }),
                    Value::Bytes(b) => Some(b.clone()),
                    _ => {
                        return Err(FormatError::Pack {
                            code: '$',
                            value: repr(v),
                        })
                    }
                };
                match bytes {
                    None => write_int(order, *len, &Value::Int(-1), out)?,
                    Some(b) => {
                        write_int(order, *len, &Value::Int(b.len() as i128), out)?;
                        out.extend_from_slice(&b);
                    }
                }
            }
            Part::List {
                len,
                by_bytes,
                element,
            } => {
                let v = next(*len)?;
                let Value::List(items) = v else {
                    return Err(FormatError::Pack {
                        code: '[',
                        value: repr(v),
                    });
                };
                let mut n = items.len();
                if *by_bytes {
                    n *= fixed_size(element);
                }
                write_int(order, *len, &Value::Int(n as i128), out)?;
                let several = value_count(element) > 1;
                for item in items {
                    let element_values = match item {
                        Value::Tuple(values) if several => values.clone(),
                        single => vec![single.clone()],
                    };
                    let mut i = 0;
                    pack_parts(order, element, &element_values, &mut i, out)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opc_ua_hello_reads_and_writes_back() {
        let f = Format::parse("<5Ii$").unwrap();
        let mut bytes = Vec::new();
        for n in [0u32, 65535, 65535, 0, 0] {
            bytes.extend_from_slice(&n.to_le_bytes());
        }
        bytes.extend_from_slice(&4i32.to_le_bytes());
        bytes.extend_from_slice(b"opc!");
        let (values, used) = f.unpack(&bytes).unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(values[5], Value::Str("opc!".into()));
        assert_eq!(f.pack(&values).unwrap(), bytes);
    }

    #[test]
    fn lists_strings_and_big_endian() {
        let f = Format::parse(">h[Bi$]q?").unwrap();
        let bytes = [
            0, 2, 7, 0xff, 0xff, 0xff, 0xff, 9, 0, 0, 0, 1, b'z', 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xfe, 1,
        ];
        let (values, used) = f.unpack(&bytes).unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(
            values,
            [
                Value::List(vec![
                    Value::Tuple(vec![Value::Int(7), Value::None]),
                    Value::Tuple(vec![Value::Int(9), Value::Str("z".into())]),
                ]),
                Value::Int(-2),
                Value::Bool(true),
            ]
        );
        assert_eq!(f.pack(&values).unwrap(), bytes);
    }

    #[test]
    fn byte_counted_lists_and_sizes() {
        let f = Format::parse("<I*[H]").unwrap();
        let (values, _) = f.unpack(&[4, 0, 0, 0, 1, 0, 2, 0]).unwrap();
        assert_eq!(values, [Value::List(vec![Value::Int(1), Value::Int(2)])]);
        assert_eq!(f.pack(&values).unwrap(), [4, 0, 0, 0, 1, 0, 2, 0]);
        assert_eq!(Format::parse("<3scI").unwrap().fixed_size(), 8);
        assert_eq!(Format::parse("<3scI").unwrap().value_count(), 3);
    }

    #[test]
    fn bad_formats_and_short_messages_are_refused() {
        for bad in ["5I", "<I(B|H)", "<x$", "<I[B", "<Iz", "<I[]"] {
            assert!(Format::parse(bad).is_err(), "{bad}");
        }
        let f = Format::parse("<I").unwrap();
        assert!(matches!(f.unpack(&[1, 2]), Err(FormatError::Short { .. })));
        assert!(f.pack(&[Value::Int(-1)]).is_err());
        assert!(f.pack(&[Value::Str("x".into())]).is_err());
    }
}
