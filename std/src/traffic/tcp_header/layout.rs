//! One rc section of a `tcp_header` layout (the reference's `BinaryMessageConverter`): which
//! formats lay a message part out, what its values are called, and what they mean.
//!
//! A section `[NAME]` has `format` (one or more, tried in turn), `fields` (the names of the
//! values, in order), and optionally `assume` and `enforce` (`field=value` items: a value
//! taken when a message lacks the field, and one it must have), and `incomplete` (values that
//! mark a chunk followed by more; read, never acted on here). `[enums]` names the values of
//! an integer field by position (`security_mode = Invalid,None,Sign`), and `[list_elements]`
//! names the values of each element of a list field. Values beyond `fields` are kept as
//! `parameters`; bytes after the layout (in a section that is not a `_header`) as one more
//! parameter, in hex.

use crate::rc::{RcConfig, RcError};

use super::format::{Format, FormatError};
use super::value::{from_hex, hex, Value};

/// A message part read by a section: whether its enforced values hold, its named values,
/// and how many bytes they took.
pub type Parsed = (bool, Vec<(String, Value)>, usize);

/// A layout section read from the rc files.
#[derive(Debug, Clone)]
pub struct Section {
    name: String,
    fields: Vec<String>,
    formats: Vec<Format>,
    assume: Vec<(String, String)>,
    enforce: Vec<(String, String)>,
    incomplete: Vec<(String, String)>,
    enums: Vec<(String, Vec<String>)>,
    list_elements: Vec<(String, Vec<String>)>,
}

/// Why a section cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// An rc value could not be read.
    #[error(transparent)]
    Rc(#[from] RcError),
    /// A format does not parse.
    #[error("[{section}] {source}")]
    Format {
        /// The section.
        section: String,
        /// What is wrong.
        source: FormatError,
    },
    /// An `assume`, `enforce` or `incomplete` item is not `field=value`.
    #[error("[{section}] {key} item {item:?} is not field=value")]
    Item {
        /// The section.
        section: String,
        /// The key.
        key: &'static str,
        /// The item.
        item: String,
    },
}

fn pairs(
    rc: &RcConfig,
    section: &str,
    key: &'static str,
) -> Result<Vec<(String, String)>, LayoutError> {
    rc.get_list(key, &[section])?
        .into_iter()
        .map(|item| match item.split_once('=') {
            Some((k, v)) if !v.contains('=') => Ok((k.to_string(), v.to_string())),
            _ => Err(LayoutError::Item {
                section: section.into(),
                key,
                item,
            }),
        })
        .collect()
}

impl Section {
    /// Section `name` of `rc` (a section that is not there has no formats).
    pub fn load(rc: &RcConfig, name: &str) -> Result<Section, LayoutError> {
        let formats = rc
            .get_list("format", &[name])?
            .iter()
            .map(|f| {
                Format::parse(f).map_err(|source| LayoutError::Format {
                    section: name.into(),
                    source,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let fields = rc.get_list("fields", &[name])?;
        let named = |table: &str| -> Result<Vec<(String, Vec<String>)>, LayoutError> {
            let mut out = Vec::new();
            for field in &fields {
                let names = rc.get_list(field, &[table])?;
                if !names.is_empty() {
                    out.push((field.clone(), names));
                }
            }
            Ok(out)
        };
        let enums = named("enums")?;
        let list_elements = named("list_elements")?;
        let mut section = Section {
            name: name.into(),
            enforce: pairs(rc, name, "enforce")?,
            assume: pairs(rc, name, "assume")?,
            incomplete: pairs(rc, name, "incomplete")?,
            fields,
            formats,
            enums,
            list_elements,
        };
        // Element names of list fields may have enums too.
        let element_names: Vec<String> = section
            .list_elements
            .iter()
            .flat_map(|(_, names)| names.clone())
            .collect();
        for name in element_names {
            let names = rc.get_list(&name, &["enums"])?;
            if !names.is_empty() && !section.enums.iter().any(|(f, _)| *f == name) {
                section.enums.push((name, names));
            }
        }
        // As the reference: enforced values are assumed too.
        for (k, v) in section.enforce.clone() {
            match section.assume.iter_mut().find(|(a, _)| *a == k) {
                Some(slot) => slot.1 = v,
                None => section.assume.push((k, v)),
            }
        }
        Ok(section)
    }

    /// Its `assume` items (enforced ones included).
    pub fn assumed(&self) -> &[(String, String)] {
        &self.assume
    }

    /// Whether the section lays anything out.
    pub fn has_data(&self) -> bool {
        !self.formats.is_empty()
    }

    /// The size of its first format's fixed part: a header's size.
    pub fn fixed_size(&self) -> usize {
        self.formats.first().map_or(0, Format::fixed_size)
    }

    /// The section's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `field` of a message is only the assumed or incomplete-marker value, which a
    /// header line leaves out.
    pub fn is_implied(&self, field: &str, value: &Value) -> bool {
        let text = value.to_text();
        self.assume.iter().any(|(k, v)| k == field && *v == text)
            || self
                .incomplete
                .iter()
                .any(|(k, v)| k == field && *v == text)
    }

    /// Reads `bytes` by the first format that fits: whether the enforced values hold, the
    /// named values, and how many bytes they took. `None` when no format fits.
    pub fn parse(&self, bytes: &[u8]) -> Option<Parsed> {
        let (mut data, used) = self.formats.iter().find_map(|f| f.unpack(bytes).ok())?;
        let mut used = used;
        if !self.name.ends_with("_header") && used < bytes.len() {
            data.push(Value::Str(hex(&bytes[used..])));
            used = bytes.len();
        }
        let mut members: Vec<(String, Value)> = Vec::new();
        for (field, value) in self.fields.iter().zip(data.iter()) {
            let value = self.convert(field, value.clone());
            if value != Value::None {
                members.push((field.clone(), value));
            }
        }
        if data.len() > self.fields.len() {
            let key = if members.iter().any(|(k, _)| k == "parameters") {
                "additional_params"
            } else {
                "parameters"
            };
            members.push((key.into(), Value::List(data[self.fields.len()..].to_vec())));
        }
        let ok = self
            .enforce
            .iter()
            .all(|(k, v)| Value::get(&members, k).map_or("None".to_string(), python_str) == *v);
        for (k, v) in &self.assume {
            if Value::get(&members, k).is_none() {
                members.push((k.clone(), Value::Str(v.clone())));
            }
        }
        Some((ok, members, used))
    }

    fn enum_names(&self, field: &str) -> Option<&[String]> {
        self.enums
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, names)| names.as_slice())
    }

    /// An integer named by `[enums]`, a list's elements named by `[list_elements]`.
    fn convert(&self, field: &str, value: Value) -> Value {
        match value {
            Value::Int(n) => match self.enum_names(field) {
                Some(names) => {
                    let size = names.len() as i128;
                    // Python's indexing, negative values from the end.
                    let index = if n < 0 { size + n } else { n };
                    if n < size && index >= 0 {
                        Value::Str(names[index as usize].clone())
                    } else {
                        Value::Int(n)
                    }
                }
                None => Value::Int(n),
            },
            Value::List(items) => {
                let Some((_, names)) = self.list_elements.iter().find(|(f, _)| f == field) else {
                    return Value::List(items);
                };
                let fits = |item: &Value| match item {
                    Value::Tuple(values) => values.len() == names.len(),
                    _ => names.len() == 1,
                };
                if !items.iter().all(fits) {
                    return Value::List(items);
                }
                Value::List(
                    items
                        .into_iter()
                        .map(|item| {
                            let values = match item {
                                Value::Tuple(values) => values,
                                single => vec![single],
                            };
                            Value::Dict(
                                names
                                    .iter()
                                    .zip(values)
                                    .filter(|(_, v)| *v != Value::None)
                                    .map(|(n, v)| (n.clone(), self.convert(n, v)))
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            }
            other => other,
        }
    }

    /// A named value back to what its format packs.
    fn deconvert(&self, field: &str, value: &Value) -> Value {
        match value {
            Value::Str(s) => match self
                .enum_names(field)
                .and_then(|n| n.iter().position(|x| x == s))
            {
                Some(i) => Value::Int(i as i128),
                None => value.clone(),
            },
            Value::List(items) => {
                let Some((_, names)) = self.list_elements.iter().find(|(f, _)| f == field) else {
                    return value.clone();
                };
                if !items.iter().all(|i| matches!(i, Value::Dict(_))) {
                    return value.clone();
                }
                Value::List(
                    items
                        .iter()
                        .map(|item| {
                            let Value::Dict(members) = item else {
                                return item.clone();
                            };
                            let values = self.values_of(members, names);
                            if values.len() == 1 {
                                values.into_iter().next().unwrap_or(Value::None)
                            } else {
                                Value::Tuple(values)
                            }
                        })
                        .collect(),
                )
            }
            other => other.clone(),
        }
    }

    /// The values of `fields` in `members`: present ones deconverted, assumed ones as
    /// assumed, `None` for the rest.
    fn values_of(&self, members: &[(String, Value)], fields: &[String]) -> Vec<Value> {
        fields
            .iter()
            .map(|field| {
                if let Some(v) = Value::get(members, field) {
                    self.deconvert(field, v)
                } else if let Some((_, v)) = self.assume.iter().find(|(k, _)| k == field) {
                    match v.parse::<i128>() {
                        Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) => Value::Int(n),
                        _ => Value::Str(v.clone()),
                    }
                } else {
                    Value::None
                }
            })
            .collect()
    }

    /// Packs `members` by the first format that takes them (the reference's
    /// `fields_to_payload`).
    pub fn pack(&self, members: &[(String, Value)]) -> Result<Vec<u8>, FormatError> {
        let mut data = self.values_of(members, &self.fields);
        if let Some(Value::List(extra)) =
            Value::get(members, "additional_params").or_else(|| Value::get(members, "parameters"))
        {
            data.extend(extra.iter().cloned());
        }
        let mut last = None;
        for format in &self.formats {
            match format.pack(&data) {
                Ok(mut bytes) => {
                    let index = format.value_count();
                    if !self.name.ends_with("_header") {
                        if let Some(Value::Str(rest)) = data.get(index) {
                            match from_hex(rest) {
                                Some(b) => bytes.extend_from_slice(&b),
                                None => {
                                    last = Some(FormatError::Pack {
                                        code: 'x',
                                        value: format!("{rest:?} (trailing bytes must be hex)"),
                                    });
                                    continue;
                                }
                            }
                        }
                    }
                    return Ok(bytes);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(FormatError::Bad {
            format: String::new(),
            reason: format!("section [{}] has no format", self.name),
        }))
    }
}

/// Python's `str(value)` for a comparison with an rc text.
fn python_str(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        other => super::value::repr(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(text: &str) -> RcConfig {
        RcConfig::from_str_named(text, "t.rc").unwrap()
    }

    #[test]
    fn fields_enums_and_list_elements_name_the_values() {
        let rc = rc("[M]\nformat = <BIi[BH]\nfields = mode,count,items\n\
                     [enums]\nmode = Off,On\nkind = A,B,C\n\
                     [list_elements]\nitems = kind,size\n");
        let section = Section::load(&rc, "M").unwrap();
        let bytes = [1, 5, 0, 0, 0, 1, 0, 0, 0, 2, 9, 0, 0xab];
        let (ok, members, used) = section.parse(&bytes).unwrap();
        assert!(ok);
        assert_eq!(used, bytes.len());
        assert_eq!(
            super::super::value::repr(&Value::Dict(members.clone())),
            "{'mode': 'On', 'count': 5, 'items': [{'kind': 'C', 'size': 9}], 'parameters': ['ab']}"
        );
        assert_eq!(section.pack(&members).unwrap(), bytes);
    }

    #[test]
    fn enforce_and_assume() {
        // Compared as Python's str() of the value, so a bytes field never holds (as in the
        // reference, where str(b'abc') is "b'abc'").
        let rc = rc("[H]\nformat = <3sI\nfields = magic,size\nenforce = size=1,magic=abc\n");
        let section = Section::load(&rc, "H").unwrap();
        assert!(!section.parse(b"abc\x01\x00\x00\x00").unwrap().0);
        let rc = self::rc("[H]\nformat = <3sI\nfields = magic,size\nenforce = size=1\n");
        let section = Section::load(&rc, "H").unwrap();
        assert!(section.parse(b"abc\x01\x00\x00\x00").unwrap().0);
        assert!(!section.parse(b"xyz\x02\x00\x00\x00").unwrap().0);
        assert!(section.parse(b"ab").is_none());
        let bad = self::rc("[H]\nformat = <I\nassume = nothing\n");
        assert!(Section::load(&bad, "H").is_err());
    }
}
