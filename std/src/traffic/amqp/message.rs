//! One AMQP message as a record entry, both ways.
//!
//! Written as the reference writes it: `<routing key> : k=v,k=v`, a newline, the body, then
//! `\n--HEA:name=value` for each header in name order. The properties are in name order too;
//! `delivery_mode` 2 and `priority` 0 (the reference's defaults) are left out, and so are unset
//! properties, except that an unset `delivery_mode` or `priority` is written `None`. The
//! `timestamp` property and header are never written. A body that is not UTF-8 is written
//! `0x` and its bytes in hex; CR LF in a body becomes LF.
//!
//! Read back for publishing, with these fixes of the reference's reading (which TextTest's
//! `replay_for_server` uses):
//! - `delivery_mode` and `priority` are published as numbers, and `None` leaves them unset;
//!   the reference passes the texts to pika, which fails with `struct.error` on any of them
//!   other than the defaults, so every message recorded without headers' defaults failed.
//! - A message with no properties (`key : `) is read; the reference fails on it.
//! - The body is published as recorded: the reference turns each LF into CR LF, and drops a
//!   newline that ends the body.
//! - A malformed entry is refused with a message that says what is wrong, before anything is
//!   published; the reference fails with a Python exception midway.

use std::collections::BTreeMap;

/// Separates the routing key from the properties on the first line.
const KEY_SEPARATOR: &str = " : ";
/// Starts each header after the body.
const HEADER_SEPARATOR: &str = "\n--HEA:";

/// A message property of AMQP 0-9-1's `basic` class, by pika's name. In name order, which is
/// the order the reference writes them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Property {
    /// `app_id`.
    AppId,
    /// `cluster_id`.
    ClusterId,
    /// `content_encoding`.
    ContentEncoding,
    /// `content_type`.
    ContentType,
    /// `correlation_id`.
    CorrelationId,
    /// `delivery_mode` (1 transient, 2 persistent): a number.
    DeliveryMode,
    /// `expiration`.
    Expiration,
    /// `message_id`.
    MessageId,
    /// `priority`: a number.
    Priority,
    /// `reply_to`.
    ReplyTo,
    /// `type`.
    Type,
    /// `user_id`.
    UserId,
}

impl Property {
    /// Every property, in name order.
    pub const ALL: [Property; 12] = [
        Property::AppId,
        Property::ClusterId,
        Property::ContentEncoding,
        Property::ContentType,
        Property::CorrelationId,
        Property::DeliveryMode,
        Property::Expiration,
        Property::MessageId,
        Property::Priority,
        Property::ReplyTo,
        Property::Type,
        Property::UserId,
    ];

    /// pika's name, as recorded.
    pub fn name(self) -> &'static str {
        match self {
            Property::AppId => "app_id",
            Property::ClusterId => "cluster_id",
            Property::ContentEncoding => "content_encoding",
            Property::ContentType => "content_type",
            Property::CorrelationId => "correlation_id",
            Property::DeliveryMode => "delivery_mode",
            Property::Expiration => "expiration",
            Property::MessageId => "message_id",
            Property::Priority => "priority",
            Property::ReplyTo => "reply_to",
            Property::Type => "type",
            Property::UserId => "user_id",
        }
    }

    /// The property called `name`.
    pub fn from_name(name: &str) -> Option<Property> {
        Property::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The reference's default, left out when recording and assumed when replaying.
    fn default_value(self) -> Option<u8> {
        match self {
            Property::DeliveryMode => Some(2),
            Property::Priority => Some(0),
            _ => None,
        }
    }
}

/// A property's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyValue {
    /// `delivery_mode`, `priority`.
    Number(u8),
    /// The others.
    Text(String),
}

impl std::fmt::Display for PropertyValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PropertyValue::Number(n) => write!(f, "{n}"),
            PropertyValue::Text(t) => f.write_str(t),
        }
    }
}

/// One message: where it was published, its properties, headers and body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// The routing key it was published with.
    pub routing_key: String,
    /// The properties that are set.
    pub properties: BTreeMap<Property, PropertyValue>,
    /// Headers, each value as text.
    pub headers: BTreeMap<String, String>,
    /// The body.
    pub body: Vec<u8>,
}

/// Why a recorded message cannot be read for publishing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The first line has no ` : ` between routing key and properties.
    #[error("no ` : ` between the routing key and the properties in `{0}`")]
    NoSeparator(String),
    /// A property is not `name=value`, or names no property.
    #[error(
        "`{0}` is not a message property (name=value, the name one of pika's BasicProperties)"
    )]
    BadProperty(String),
    /// `delivery_mode` or `priority` is neither a number from 0 to 255 nor `None`.
    #[error("{name} = {value} is not a number from 0 to 255 (or None)")]
    BadNumber {
        /// The property.
        name: &'static str,
        /// Its text.
        value: String,
    },
    /// A `--HEA:` line is not `name=value`.
    #[error("header `{0}` is not name=value")]
    BadHeader(String),
}

impl Message {
    /// The entry text as the reference records it (after `<-RMQ:`). An empty routing key is
    /// written `exchange=<exchange_record>` when that is set.
    pub fn record_text(&self, exchange_record: Option<&str>) -> String {
        let mut text = match (self.routing_key.as_str(), exchange_record) {
            ("", Some(exchange)) => format!("exchange={exchange}"),
            (key, _) => key.to_string(),
        };
        text.push_str(KEY_SEPARATOR);
        let mut first = true;
        for property in Property::ALL {
            let value = match (self.properties.get(&property), property.default_value()) {
                (None, None) => continue,
                (None, Some(_)) => "None".to_string(),
                (Some(PropertyValue::Number(n)), Some(default)) if *n == default => continue,
                (Some(value), _) => value.to_string(),
            };
            if !first {
                text.push(',');
            }
            first = false;
            text.push_str(property.name());
            text.push('=');
            text.push_str(&value);
        }
        text.push('\n');
        text.push_str(&body_text(&self.body));
        for (name, value) in &self.headers {
            if name != "timestamp" {
                text.push_str(HEADER_SEPARATOR);
                text.push_str(name);
                text.push('=');
                text.push_str(value);
            }
        }
        text
    }

    /// Reads an entry's text (after `<-RMQ:`) back into the message to publish: `delivery_mode`
    /// 2 and `priority` 0 unless the entry says otherwise (`None`: unset), the routing key
    /// empty when it was recorded `exchange=...`.
    pub fn parse(text: &str) -> Result<Message, MessageError> {
        let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
        let (key, props) = first
            .split_once(KEY_SEPARATOR)
            .or_else(|| first.strip_suffix(" :").map(|key| (key, "")))
            .ok_or_else(|| MessageError::NoSeparator(first.to_string()))?;
        let mut message = Message {
            routing_key: if key.starts_with("exchange=") {
                String::new()
            } else {
                key.to_string()
            },
            ..Message::default()
        };
        for property in Property::ALL {
            if let Some(n) = property.default_value() {
                message
                    .properties
                    .insert(property, PropertyValue::Number(n));
            }
        }
        for part in props.split(',').filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| MessageError::BadProperty(part.to_string()))?;
            let property = Property::from_name(name)
                .ok_or_else(|| MessageError::BadProperty(part.to_string()))?;
            if property.default_value().is_some() {
                if value == "None" {
                    message.properties.remove(&property);
                } else {
                    let n = value.parse().map_err(|_| MessageError::BadNumber {
                        name: property.name(),
                        value: value.to_string(),
                    })?;
                    message
                        .properties
                        .insert(property, PropertyValue::Number(n));
                }
            } else {
                message
                    .properties
                    .insert(property, PropertyValue::Text(value.to_string()));
            }
        }
        let mut parts = rest.split(HEADER_SEPARATOR);
        let body = parts.next().unwrap_or_default();
        for header in parts {
            let header = header.trim();
            let (name, value) = header
                .split_once('=')
                .ok_or_else(|| MessageError::BadHeader(header.to_string()))?;
            message.headers.insert(name.to_string(), value.to_string());
        }
        message.body = body_bytes(body);
        Ok(message)
    }
}

/// A body as recorded: its text with CR LF made LF, or `0x` and hex when it is not UTF-8.
fn body_text(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => text.replace("\r\n", "\n"),
        Err(_) => {
            let mut text = String::with_capacity(2 + 2 * body.len());
            text.push_str("0x");
            for byte in body {
                text.push_str(&format!("{byte:02x}"));
            }
            text
        }
    }
}

/// A recorded body's bytes: `0x` and hex digits are bytes (as the reference reads them),
/// anything else is text.
fn body_bytes(text: &str) -> Vec<u8> {
    if let Some(hex) = text.strip_prefix("0x") {
        if hex.len() % 2 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return (0..hex.len())
                .step_by(2)
                .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                .collect();
        }
    }
    text.as_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(
        key: &str,
        props: &[(Property, PropertyValue)],
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Message {
        Message {
            routing_key: key.into(),
            properties: props.iter().cloned().collect(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    #[test]
    fn written_as_the_reference_writes_it() {
        // The texts are what CaptureMock 2.10 recorded for these messages (tests/amqp has
        // the byte comparison against it running).
        let m = message(
            "orders.new",
            &[(
                Property::ContentType,
                PropertyValue::Text("text/plain".into()),
            )],
            &[("b", "2"), ("a", "1")],
            b"first body\nline two",
        );
        assert_eq!(
            m.record_text(None),
            "orders.new : content_type=text/plain,delivery_mode=None,priority=None\nfirst body\nline two\n--HEA:a=1\n--HEA:b=2"
        );
        let m = message(
            "",
            &[
                (Property::DeliveryMode, PropertyValue::Number(2)),
                (Property::Priority, PropertyValue::Number(0)),
                (Property::AppId, PropertyValue::Text("app".into())),
                (Property::Type, PropertyValue::Text("t".into())),
            ],
            &[("k", "v"), ("timestamp", "x")],
            b"empty key\r\n",
        );
        assert_eq!(
            m.record_text(None),
            " : app_id=app,type=t\nempty key\n\n--HEA:k=v"
        );
        assert_eq!(
            m.record_text(Some("ex")),
            "exchange=ex : app_id=app,type=t\nempty key\n\n--HEA:k=v"
        );
        let m = message("b", &[], &[], &[0xff, 0x00]);
        assert_eq!(
            m.record_text(None),
            "b : delivery_mode=None,priority=None\n0xff00"
        );
    }

    #[test]
    fn read_back_typed() {
        let m = Message::parse("k.two : content_type=text/plain,delivery_mode=1\nline1\nline2\n\n--HEA:a=1\n--HEA:b=x=y").unwrap();
        assert_eq!(m.routing_key, "k.two");
        assert_eq!(
            m.properties.get(&Property::DeliveryMode),
            Some(&PropertyValue::Number(1))
        );
        assert_eq!(
            m.properties.get(&Property::Priority),
            Some(&PropertyValue::Number(0))
        );
        assert_eq!(
            m.properties.get(&Property::ContentType),
            Some(&PropertyValue::Text("text/plain".into()))
        );
        assert_eq!(m.body, b"line1\nline2\n");
        assert_eq!(m.headers.get("b").map(String::as_str), Some("x=y"));

        let m = Message::parse("exchange=ex : delivery_mode=None,priority=None\n0xff00").unwrap();
        assert_eq!(m.routing_key, "");
        assert!(m.properties.is_empty());
        assert_eq!(m.body, [0xff, 0x00]);
        // No properties at all: the reference fails on this one.
        let m = Message::parse("key : \nbody").unwrap();
        assert_eq!(m.body, b"body");
        assert_eq!(m.properties.len(), 2);
    }

    #[test]
    fn round_trip() {
        let m = message(
            "a.b",
            &[
                (Property::DeliveryMode, PropertyValue::Number(1)),
                (Property::Priority, PropertyValue::Number(0)),
                (Property::CorrelationId, PropertyValue::Text("c".into())),
            ],
            &[("h", "v")],
            "café\n".as_bytes(),
        );
        assert_eq!(Message::parse(&m.record_text(None)).unwrap(), m);
    }

    #[test]
    fn malformed_entries_say_what_is_wrong() {
        assert!(matches!(
            Message::parse("no separator\nbody"),
            Err(MessageError::NoSeparator(_))
        ));
        assert!(matches!(
            Message::parse("k : colour=red\n"),
            Err(MessageError::BadProperty(_))
        ));
        assert!(matches!(
            Message::parse("k : app_id\n"),
            Err(MessageError::BadProperty(_))
        ));
        let err = Message::parse("k : priority=high\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "priority = high is not a number from 0 to 255 (or None)"
        );
        assert!(matches!(
            Message::parse("k : \nb\n--HEA:novalue"),
            Err(MessageError::BadHeader(_))
        ));
    }
}
