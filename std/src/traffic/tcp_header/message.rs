//! Whole messages of a `tcp_header` layout: how one is read off a stream, written as the
//! reference's record text, and made into bytes again from such a text.
//!
//! Every message starts with a header laid out by `[tcp_header]`. Its `msg_size` field is
//! the size of the whole message (header included), or its `length` field the size of the
//! body; with both `msg_size` and `header_size`, the body is `msg_size` minus what of the
//! header was not counted. The header's `type` names the body's section (`[HEL]`); a section
//! `[TYPE_header]` lays out a sub-header at the start of the body, whose `subtype` field
//! moves the rest to `[TYPE.subtype]`.
//!
//! The record text is the header line, `TYPE {fields}` (the header's and sub-header's
//! fields, without `type`, `length`, `msg_size` and values that only repeat `assume`), then
//! the body: `pprint.pformat` of its fields when its section lays it out, else its bytes as
//! text (or `0x` hex). As in the reference, a body whose section does not fit is recorded as
//! `{'unknown_format': '<hex>'}`.
//!
//! Not read here (refused or left to the reference): multi-part messages (`incomplete`,
//! `[TYPE_intermediate]`), `[tcp_footer]`, `tcp_padding`, `_leastsig`/`_mostsig` fields and
//! the `Time` field's date conversion.

use crate::rc::RcConfig;

use super::format::FormatError;
use super::layout::{LayoutError, Section};
use super::value::{bytes_to_text, from_hex, parse_literal, pformat, repr, LiteralError, Value};

/// The sections of a run's layout, read once.
#[derive(Debug, Clone)]
pub struct Layout {
    header: Section,
    /// Every other section that has a format, by name.
    sections: Vec<Section>,
}

/// Why a message could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// The header does not fit `[tcp_header]`, or its enforced values do not hold.
    #[error("header {hex} does not fit [tcp_header]{why}")]
    Header {
        /// The header's bytes in hex.
        hex: String,
        /// More about it.
        why: String,
    },
    /// The header gives no usable body size.
    #[error("header gives a body size of {0} bytes, which is not possible")]
    Size(i128),
    /// A recorded text is not a literal.
    #[error("recorded text: {0}")]
    Literal(#[from] LiteralError),
    /// A recorded text has the wrong shape.
    #[error("recorded text: {0}")]
    Shape(String),
    /// Values do not fit the layout.
    #[error(transparent)]
    Pack(#[from] FormatError),
}

/// A header read off the stream, and the body size it gives.
#[derive(Debug, Clone)]
pub struct Header {
    /// Its fields.
    pub fields: Vec<(String, Value)>,
    /// The body's size in bytes.
    pub body_size: usize,
}

fn int_field(fields: &[(String, Value)], key: &str) -> Option<i128> {
    match Value::get(fields, key)? {
        Value::Int(n) => Some(*n),
        Value::Str(s) => s.parse().ok(),
        _ => None,
    }
}

/// The reference's `fromString` for an assumed value: `0x` hex as bytes, digits as an
/// integer, anything else as its bytes.
fn from_rc_text(text: &str) -> Value {
    if let Some(b) = text.strip_prefix("0x").and_then(from_hex) {
        Value::Bytes(b)
    } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse()
            .map_or_else(|_| Value::Str(text.into()), Value::Int)
    } else {
        Value::Bytes(text.as_bytes().to_vec())
    }
}

impl Layout {
    /// The layout in `rc`: `[tcp_header]` and every section named by a header type.
    pub fn from_rc(rc: &RcConfig) -> Result<Layout, LayoutError> {
        let header = Section::load(rc, "tcp_header")?;
        let mut sections = Vec::new();
        for name in rc.sections() {
            if matches!(
                name,
                "tcp_header" | "general" | "enums" | "list_elements" | "DEFAULT"
            ) {
                continue;
            }
            let section = Section::load(rc, name)?;
            if section.has_data() {
                sections.push(section);
            }
        }
        Ok(Layout { header, sections })
    }

    /// Whether `[tcp_header]` has a format (without one, nothing can be read).
    pub fn has_header(&self) -> bool {
        self.header.has_data()
    }

    /// The header's size in bytes.
    pub fn header_size(&self) -> usize {
        self.header.fixed_size()
    }

    fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name() == name)
    }

    /// Reads a header.
    pub fn read_header(&self, bytes: &[u8]) -> Result<Header, MessageError> {
        let bad = |why: &str| MessageError::Header {
            hex: super::value::hex(bytes),
            why: why.into(),
        };
        let (ok, fields, _) = self.header.parse(bytes).ok_or_else(|| bad(""))?;
        if !ok {
            return Err(bad(" (an enforced value differs)"));
        }
        let header_size = self.header_size() as i128;
        let msg_size = int_field(&fields, "msg_size");
        let given = int_field(&fields, "length")
            .filter(|n| *n != 0)
            .or(msg_size.map(|m| m - header_size));
        let size = match (msg_size, int_field(&fields, "header_size")) {
            (Some(m), Some(h)) if m != 0 && h != 0 => m - (header_size - h),
            _ => given.unwrap_or(0),
        };
        let body_size = usize::try_from(size).map_err(|_| MessageError::Size(size))?;
        Ok(Header { fields, body_size })
    }

    /// The record text of a message with `header` and `body`.
    pub fn to_text(&self, header: &Header, body: &[u8]) -> String {
        let mut fields = header.fields.clone();
        let mut body_type = Value::get(&fields, "type").map_or("None".to_string(), Value::to_text);
        let mut body = body;
        if let Some(sub) = self.section(&format!("{body_type}_header")) {
            if let Some((_, values, used)) = sub.parse(body) {
                for (k, v) in values {
                    match fields.iter_mut().find(|(f, _)| *f == k) {
                        Some(slot) => slot.1 = v,
                        None => fields.push((k, v)),
                    }
                }
                body = &body[used.min(body.len())..];
                if let Some(subtype) = Value::get(&fields, "subtype") {
                    let subtype = subtype.to_text();
                    if !subtype.is_empty() && subtype != "None" {
                        body_type = format!("{body_type}.{subtype}");
                    }
                }
            }
        }
        let mut parts = Vec::new();
        let shown: Vec<(String, Value)> = fields
            .iter()
            .filter(|(k, v)| {
                !matches!(k.as_str(), "type" | "length" | "msg_size")
                    && !self.header.is_implied(k, v)
            })
            .cloned()
            .collect();
        match Value::get(&fields, "type") {
            Some(t) => parts.push(format!("{} {}", t.to_text(), repr(&Value::Dict(shown)))),
            None if !shown.is_empty() => parts.push(repr(&Value::Dict(shown))),
            None => {}
        }
        match self.section(&body_type) {
            Some(section) => {
                let values = match section.parse(body) {
                    Some((_, values, _)) => values,
                    None => vec![("unknown_format".into(), Value::Str(super::value::hex(body)))],
                };
                parts.push(pformat(&Value::Dict(values)));
            }
            None => parts.push(bytes_to_text(body)),
        }
        parts.join("\n")
    }

    /// The bytes of a recorded text.
    pub fn to_bytes(&self, text: &str) -> Result<Vec<u8>, MessageError> {
        // The reference takes the first line as the header line only when a dict or list
        // follows, so a body recorded as text never replays there; a first line that is a
        // type and a dict is taken as the header line here whatever follows.
        let (header_line, body_text) = match text.split_once('\n') {
            Some((line, body)) if body.starts_with(['{', '[']) || is_header_line(line) => {
                (line, body)
            }
            _ => ("", text),
        };
        let mut fields: Vec<(String, Value)> = Vec::new();
        if let Some((type_text, field_text)) = header_line.split_once(' ') {
            match parse_literal(field_text)? {
                Value::Dict(members) => fields = members,
                _ => {
                    return Err(MessageError::Shape(
                        "the header line's fields are not a dict".into(),
                    ))
                }
            }
            fields.push(("type".into(), Value::Bytes(type_text.as_bytes().to_vec())));
        }
        for (k, v) in self.header.assumed() {
            if Value::get(&fields, k).is_none() {
                fields.push((k.clone(), from_rc_text(v)));
            }
        }
        let mut body_type = Value::get(&fields, "type").map_or("None".to_string(), Value::to_text);
        let mut payload = Vec::new();
        if let Some(sub) = self.section(&format!("{body_type}_header")) {
            payload = sub.pack(&fields)?;
            if let Some(subtype) = Value::get(&fields, "subtype") {
                body_type = format!("{body_type}.{}", subtype.to_text());
            }
        }
        match self.section(&body_type) {
            Some(section) => match parse_literal(body_text)? {
                Value::Dict(members) => payload.extend(section.pack(&members)?),
                _ => {
                    return Err(MessageError::Shape(format!(
                        "the body of a {body_type} is not a dict"
                    )))
                }
            },
            None => payload.extend_from_slice(body_text.as_bytes()),
        }
        let set = |fields: &mut Vec<(String, Value)>, key: &str, value: usize| {
            let value = Value::Int(value as i128);
            match fields.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => fields.push((key.into(), value)),
            }
        };
        set(&mut fields, "length", payload.len());
        if Value::get(&fields, "msg_size").is_none() {
            set(&mut fields, "msg_size", payload.len() + self.header_size());
        }
        let mut bytes = self.header.pack(&fields)?;
        bytes.extend(payload);
        Ok(bytes)
    }
}

/// Whether `line` is `TYPE {fields}`.
fn is_header_line(line: &str) -> bool {
    line.split_once(' ').is_some_and(|(kind, fields)| {
        !kind.is_empty()
            && !kind.contains(['{', '['])
            && matches!(parse_literal(fields), Ok(Value::Dict(_)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RC: &str =
        "[tcp_header]\nformat = <3scI\nfields = type,chunk,msg_size\nassume = chunk=F\n\
        [HEL]\nformat = <Ii$\nfields = version,url\n\
        [MSG_header]\nformat = <IH\nfields = channel,subtype\n\
        [MSG.7]\nformat = <d\nfields = value\n";

    fn layout() -> Layout {
        Layout::from_rc(&RcConfig::from_str_named(RC, "t.rc").unwrap()).unwrap()
    }

    fn message(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let mut m = kind.to_vec();
        m.push(b'F');
        m.extend_from_slice(&((body.len() + 8) as u32).to_le_bytes());
        m.extend_from_slice(body);
        m
    }

    fn round_trip(bytes: &[u8]) -> String {
        let layout = layout();
        let header = layout.read_header(&bytes[..8]).unwrap();
        assert_eq!(header.body_size, bytes.len() - 8);
        let text = layout.to_text(&header, &bytes[8..]);
        assert_eq!(layout.to_bytes(&text).unwrap(), bytes, "{text}");
        text
    }

    #[test]
    fn bodies_are_recorded_as_dicts_and_come_back_as_bytes() {
        let mut body = 0u32.to_le_bytes().to_vec();
        body.extend_from_slice(&3i32.to_le_bytes());
        body.extend_from_slice(b"opc");
        assert_eq!(
            round_trip(&message(b"HEL", &body)),
            "HEL {}\n{'version': 0, 'url': 'opc'}"
        );
        let mut body = 5u32.to_le_bytes().to_vec();
        body.extend_from_slice(&7u16.to_le_bytes());
        body.extend_from_slice(&21.5f64.to_le_bytes());
        body.push(0xee);
        assert_eq!(
            round_trip(&message(b"MSG", &body)),
            "MSG {'channel': 5, 'subtype': 7}\n{'value': 21.5, 'parameters': ['ee']}"
        );
    }

    #[test]
    fn unknown_types_keep_their_body_as_text_or_hex() {
        let text = round_trip(&message(b"ERR", b"plain words"));
        assert_eq!(text, "ERR {}\nplain words");
        let layout = layout();
        let bytes = message(b"XYZ", b"\xff\x00");
        let header = layout.read_header(&bytes[..8]).unwrap();
        assert_eq!(layout.to_text(&header, &bytes[8..]), "XYZ {}\n0xff00");
    }

    #[test]
    fn a_short_body_is_recorded_as_unknown_format() {
        let layout = layout();
        let bytes = message(b"HEL", b"\x01\x00");
        let header = layout.read_header(&bytes[..8]).unwrap();
        assert_eq!(
            layout.to_text(&header, &bytes[8..]),
            "HEL {}\n{'unknown_format': '0100'}"
        );
    }

    #[test]
    fn bad_texts_and_headers_are_errors() {
        let layout = layout();
        assert!(layout
            .to_bytes("HEL {}\n{'version': 'x', 'url': 'opc'}")
            .is_err());
        assert!(layout.to_bytes("HEL {'a': }\n{}").is_err());
        assert!(layout.read_header(b"HE").is_err());
        let mut huge = b"HELF".to_vec();
        huge.extend_from_slice(&2u32.to_le_bytes());
        assert!(matches!(
            layout.read_header(&huge),
            Err(MessageError::Size(-6))
        ));
    }
}
