//! XML-RPC on the wire: method calls and responses read with quick-xml into
//! [`Value`]s, and written the way Python's `xmlrpc.client.dumps` writes them.
//!
//! Reading is as lenient as Python's unmarshaller where clients differ (a namespace prefix
//! on type tags such as `ex:nil`, white space around values, integer tags `i1`..`i8` and
//! `bigint`, a `<value>` with text and no type is a string), and strict about what is
//! malformed: XML that is not well formed, a document that is no call or response, a value
//! of the wrong form. Text is UTF-8 with XML 1.0 line ends (a CR read as LF, as expat does).

use base64::Engine as _;
use quick_xml::events::Event;
use quick_xml::Reader;

use super::repr::write_float;
use super::value::{Fault, Outcome, Value};

/// Deepest nesting of elements read: a deeper document is refused rather than recursed into.
const MAX_DEPTH: usize = 512;

/// Why a body is no XML-RPC call or response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlRpcError {
    /// The body is not well-formed XML (or not UTF-8).
    #[error("not well-formed XML: {0}")]
    NotXml(String),
    /// Well-formed XML that is not the XML-RPC document expected.
    #[error("not an XML-RPC {expected}: {reason}")]
    NotXmlRpc {
        /// `methodCall` or `methodResponse`.
        expected: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// A method call as the client sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// `<methodName>`.
    pub method: String,
    /// Its `<params>`, in order.
    pub params: Vec<Value>,
}

/// One element of the document: its name (namespace prefix dropped), its text, its children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

/// Reads a whole document into its root element.
fn document(body: &[u8]) -> Result<Element, XmlRpcError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| XmlRpcError::NotXml(format!("the body is not UTF-8 ({e})")))?;
    // Characters XML 1.0 does not allow anywhere, even escaped: expat (the reference's parser)
    // refuses a document with one, and so does this reader.
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| {
        matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
    }) {
        return Err(XmlRpcError::NotXml(format!(
            "character U+{:04X} at byte {at} is not allowed in XML",
            c as u32
        )));
    }
    let mut reader = Reader::from_str(text);
    let not_xml = |reader: &Reader<&[u8]>, what: String| {
        XmlRpcError::NotXml(format!("{what} (at byte {})", reader.buffer_position()))
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| not_xml(&reader, e.to_string()))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(not_xml(&reader, "content after the root element".into()));
                }
                if stack.len() == MAX_DEPTH {
                    return Err(not_xml(
                        &reader,
                        format!("nested deeper than {MAX_DEPTH} elements"),
                    ));
                }
                stack.push(Element {
                    name: local(start.name().as_ref()),
                    ..Element::default()
                });
            }
            Event::Empty(start) => {
                let element = Element {
                    name: local(start.name().as_ref()),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None if root.is_none() => root = Some(element),
                    None => return Err(not_xml(&reader, "content after the root element".into())),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(not_xml(&reader, "an end tag without its start".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let content = t
                    .xml10_content()
                    .map_err(|e| not_xml(&reader, e.to_string()))?;
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => return Err(not_xml(&reader, "text outside the root element".into())),
                }
            }
            Event::CData(t) => {
                let content = t
                    .xml10_content()
                    .map_err(|e| not_xml(&reader, e.to_string()))?;
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&content),
                    None => return Err(not_xml(&reader, "text outside the root element".into())),
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| not_xml(&reader, e.to_string()))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| not_xml(&reader, format!("undefined entity &{name};")))?
                            .to_string()
                    }
                    Err(e) => return Err(not_xml(&reader, e.to_string())),
                };
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&resolved),
                    None => return Err(not_xml(&reader, "text outside the root element".into())),
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlRpcError::NotXml(format!(
            "the document ends inside <{}>",
            stack.last().map_or("", |e| e.name.as_str())
        )));
    }
    root.ok_or_else(|| XmlRpcError::NotXml("no element".into()))
}

/// A tag's name without its namespace prefix (`ex:nil` is `nil`), as Python reads it.
fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.into_owned(),
    }
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Reads a `<methodCall>`.
pub fn read_call(body: &[u8]) -> Result<MethodCall, XmlRpcError> {
    let bad = |reason: String| XmlRpcError::NotXmlRpc {
        expected: "methodCall",
        reason,
    };
    let root = document(body)?;
    if root.name != "methodCall" {
        return Err(bad(format!("the root element is <{}>", root.name)));
    }
    let method = root
        .child("methodName")
        .ok_or_else(|| bad("no <methodName>".into()))?
        .text
        .clone();
    if method.is_empty() {
        return Err(bad("the <methodName> is empty".into()));
    }
    let params = match root.child("params") {
        Some(params) => read_params(params).map_err(bad)?,
        None => Vec::new(),
    };
    Ok(MethodCall { method, params })
}

/// Reads a `<methodResponse>`: the result, or the fault.
pub fn read_response(body: &[u8]) -> Result<Outcome, XmlRpcError> {
    let bad = |reason: String| XmlRpcError::NotXmlRpc {
        expected: "methodResponse",
        reason,
    };
    let root = document(body)?;
    if root.name != "methodResponse" {
        return Err(bad(format!("the root element is <{}>", root.name)));
    }
    if let Some(fault) = root.child("fault") {
        let value = fault
            .child("value")
            .ok_or_else(|| bad("a <fault> without its <value>".into()))?;
        let Value::Struct(members) = read_value(value, 0).map_err(bad)? else {
            return Err(bad("a <fault> that is not a struct".into()));
        };
        let take = |name: &str| {
            members
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| bad(format!("a <fault> without {name}")))
        };
        return Ok(Outcome::Fault(Fault {
            code: take("faultCode")?,
            string: take("faultString")?,
        }));
    }
    let params = root
        .child("params")
        .ok_or_else(|| bad("neither <params> nor <fault>".into()))?;
    let mut values = read_params(params).map_err(bad)?;
    if values.len() != 1 {
        return Err(bad(format!("{} results instead of one", values.len())));
    }
    Ok(Outcome::Value(values.remove(0)))
}

fn read_params(params: &Element) -> Result<Vec<Value>, String> {
    params
        .children
        .iter()
        .map(|param| {
            if param.name != "param" {
                return Err(format!("<{}> inside <params>", param.name));
            }
            let value = param
                .child("value")
                .ok_or_else(|| "a <param> without its <value>".to_string())?;
            read_value(value, 0)
        })
        .collect()
}

/// One `<value>` element.
fn read_value(value: &Element, depth: usize) -> Result<Value, String> {
    if value.name != "value" {
        return Err(format!("<{}> where a <value> belongs", value.name));
    }
    let Some(typed) = value.children.first() else {
        return Ok(Value::Str(value.text.clone()));
    };
    if value.children.len() > 1 {
        return Err("a <value> with more than one element".into());
    }
    let text = typed.text.as_str();
    let bad = |what: &str| format!("bad <{}> value {text:?}: {what}", typed.name);
    Ok(match typed.name.as_str() {
        "int" | "i1" | "i2" | "i4" | "i8" | "bigint" => Value::Int(
            text.trim()
                .parse()
                .map_err(|_| bad("not an integer of 64 bits"))?,
        ),
        "boolean" => match text {
            "0" => Value::Bool(false),
            "1" => Value::Bool(true),
            _ => return Err(bad("not 0 or 1")),
        },
        "double" | "float" => Value::Double(text.trim().parse().map_err(|_| bad("not a number"))?),
        "string" => Value::Str(text.to_string()),
        "nil" => Value::Nil,
        "base64" => {
            let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            Value::Binary(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|e| bad(&e.to_string()))?,
            )
        }
        "dateTime.iso8601" => Value::DateTime(text.to_string()),
        "array" => {
            let data = typed
                .child("data")
                .ok_or_else(|| "an <array> without <data>".to_string())?;
            if depth >= MAX_DEPTH {
                return Err("values nested too deep".into());
            }
            Value::Array(
                data.children
                    .iter()
                    .map(|v| read_value(v, depth + 1))
                    .collect::<Result<_, _>>()?,
            )
        }
        "struct" => {
            if depth >= MAX_DEPTH {
                return Err("values nested too deep".into());
            }
            let mut members = Vec::new();
            for member in &typed.children {
                if member.name != "member" {
                    return Err(format!("<{}> inside <struct>", member.name));
                }
                let name = member
                    .child("name")
                    .ok_or_else(|| "a <member> without <name>".to_string())?;
                let value = member
                    .child("value")
                    .ok_or_else(|| "a <member> without <value>".to_string())?;
                members.push((name.text.clone(), read_value(value, depth + 1)?));
            }
            Value::from_members(members)
        }
        other => return Err(format!("unknown type <{other}>")),
    })
}

/// Python's escape for XML text: `&`, `<` and `>`.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// One value as Python's marshaller writes it.
fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Int(n) => out.push_str(&format!("<value><int>{n}</int></value>\n")),
        Value::Bool(b) => out.push_str(&format!(
            "<value><boolean>{}</boolean></value>\n",
            u8::from(*b)
        )),
        Value::Double(f) => {
            out.push_str("<value><double>");
            write_float(out, *f);
            out.push_str("</double></value>\n");
        }
        Value::Str(s) => {
            out.push_str("<value><string>");
            escape(out, s);
            out.push_str("</string></value>\n");
        }
        Value::Nil => out.push_str("<value><nil/></value>"),
        Value::Binary(bytes) => {
            out.push_str("<value><base64>\n");
            let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
            // `base64.encodebytes`: lines of 76 characters, each ended.
            for line in encoded.as_bytes().chunks(76) {
                out.push_str(std::str::from_utf8(line).unwrap_or_default());
                out.push('\n');
            }
            out.push_str("</base64></value>\n");
        }
        Value::DateTime(text) => {
            out.push_str("<value><dateTime.iso8601>");
            escape(out, text);
            out.push_str("</dateTime.iso8601></value>\n");
        }
        Value::Array(items) => {
            out.push_str("<value><array><data>\n");
            for item in items {
                write_value(out, item);
            }
            out.push_str("</data></array></value>\n");
        }
        Value::Struct(members) => {
            out.push_str("<value><struct>\n");
            for (name, member) in members {
                out.push_str("<member>\n<name>");
                escape(out, name);
                out.push_str("</name>\n");
                write_value(out, member);
                out.push_str("</member>\n");
            }
            out.push_str("</struct></value>\n");
        }
    }
}

/// A `<methodCall>` document.
pub fn write_call(method: &str, params: &[Value]) -> String {
    let mut out = String::from("<?xml version='1.0'?>\n<methodCall>\n<methodName>");
    escape(&mut out, method);
    out.push_str("</methodName>\n<params>\n");
    for param in params {
        out.push_str("<param>\n");
        write_value(&mut out, param);
        out.push_str("</param>\n");
    }
    out.push_str("</params>\n</methodCall>\n");
    out
}

/// A `<methodResponse>` document with a result or a fault.
pub fn write_response(outcome: &Outcome) -> String {
    let mut out = String::from("<?xml version='1.0'?>\n<methodResponse>\n");
    match outcome {
        Outcome::Value(value) => {
            out.push_str("<params>\n<param>\n");
            write_value(&mut out, value);
            out.push_str("</param>\n</params>\n");
        }
        Outcome::Fault(fault) => {
            out.push_str("<fault>\n");
            write_value(
                &mut out,
                &Value::Struct(vec![
                    ("faultCode".into(), fault.code.clone()),
                    ("faultString".into(), fault.string.clone()),
                ]),
            );
            out.push_str("</fault>\n");
        }
    }
    out.push_str("</methodResponse>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_read_back_what_is_written() {
        let params = vec![
            Value::Int(-2),
            Value::Bool(true),
            Value::Double(2.5),
            Value::Str("a<&>b é\n".into()),
            Value::Binary(vec![0, 1, 255]),
            Value::DateTime("20200102T03:04:05".into()),
            Value::Nil,
            Value::Array(vec![Value::Int(1), Value::Array(vec![])]),
            Value::Struct(vec![
                ("b".into(), Value::Int(1)),
                ("a".into(), Value::Str(String::new())),
            ]),
        ];
        let text = write_call("pow", &params);
        assert_eq!(
            read_call(text.as_bytes()),
            Ok(MethodCall {
                method: "pow".into(),
                params
            })
        );
    }

    #[test]
    fn python_forms_are_read() {
        let body = "<?xml version='1.0'?>\r\n<methodCall><methodName>f</methodName><params>\
            <param><value>plain\r\ntext</value></param>\
            <param><value> <i4> 7 </i4> </value></param>\
            <param><value><ex:nil xmlns:ex='x'/></value></param>\
            <param><value><string><![CDATA[<raw>]]>&#233;&amp;</string></value></param>\
            </params></methodCall>";
        let call = read_call(body.as_bytes()).unwrap();
        assert_eq!(
            call.params,
            [
                Value::Str("plain\ntext".into()),
                Value::Int(7),
                Value::Nil,
                Value::Str("<raw>é&".into())
            ]
        );
    }

    #[test]
    fn faults_read_back() {
        let fault = Outcome::Fault(Fault::new(7, "it's <bad>"));
        assert_eq!(read_response(write_response(&fault).as_bytes()), Ok(fault));
    }

    #[test]
    fn malformed_documents_are_refused_saying_why() {
        for (body, says) in [
            ("<methodCall><methodName>f</methodName>", "ends inside"),
            ("<methodCall><methodName>f</methodName></methodCall></x>", "close tag"),
            ("<methodCall><methodName>f\u{1}</methodName></methodCall>", "U+0001 at byte 25 is not allowed"),
            ("<methodResponse/>", "not an XML-RPC methodCall"),
            ("<methodCall><params/></methodCall>", "no <methodName>"),
            ("<methodCall><methodName>f</methodName><params><param><value><int>x</int></value></param></params></methodCall>", "bad <int>"),
            ("<methodCall><methodName>f</methodName><params><param><value><foo/></value></param></params></methodCall>", "unknown type"),
            ("<methodCall><methodName>&nope;</methodName></methodCall>", "entity"),
        ] {
            let e = read_call(body.as_bytes()).expect_err(body);
            assert!(e.to_string().contains(says), "{body}: {e}");
        }
        assert!(read_call(b"\xff<x/>").is_err());
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(read_call(deep.as_bytes()).is_err());
    }
}
