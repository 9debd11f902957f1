//! An XML-RPC value, as Python's `xmlrpc.client` reads it, and a fault.

/// One XML-RPC value.
///
/// Dates and binaries stay as they came: the reference reads a request's with
/// `use_builtin_types` (a `datetime.datetime`, `bytes`) and a result's without (an
/// `xmlrpc.client.DateTime`, a `Binary`), and their record texts differ accordingly
/// ([`repr`](super::repr)).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `<int>`, `<i4>`, `<i8>` (and the other integer tags Python reads).
    Int(i64),
    /// `<boolean>`.
    Bool(bool),
    /// `<double>`.
    Double(f64),
    /// `<string>`, or a `<value>` with text and no type.
    Str(String),
    /// `<base64>`, decoded.
    Binary(Vec<u8>),
    /// `<dateTime.iso8601>`: the text as sent, e.g. `20200102T03:04:05`.
    DateTime(String),
    /// `<nil/>`: Python's `None`.
    Nil,
    /// `<array>`.
    Array(Vec<Value>),
    /// `<struct>`: members in the order sent; a repeated name keeps its first place and its
    /// last value, as a Python dict built from them does.
    Struct(Vec<(String, Value)>),
}

impl Value {
    /// A struct from `members`, merging repeated names as Python's dict does.
    pub fn from_members(members: impl IntoIterator<Item = (String, Value)>) -> Value {
        let mut merged: Vec<(String, Value)> = Vec::new();
        for (name, value) in members {
            match merged.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = value,
                None => merged.push((name, value)),
            }
        }
        Value::Struct(merged)
    }

    /// Whether this value, or any value inside it, is `None`: Python's XML-RPC server
    /// (`allow_none` off, as in the reference) cannot send it.
    pub fn holds_nil(&self) -> bool {
        match self {
            Value::Nil => true,
            Value::Array(items) => items.iter().any(Value::holds_nil),
            Value::Struct(members) => members.iter().any(|(_, v)| v.holds_nil()),
            _ => false,
        }
    }

    /// Whether this value, or any value inside it, is an integer beyond 32 bits, which
    /// Python's marshaller refuses to send.
    pub fn holds_big_int(&self) -> bool {
        match self {
            Value::Int(n) => i32::try_from(*n).is_err(),
            Value::Array(items) => items.iter().any(Value::holds_big_int),
            Value::Struct(members) => members.iter().any(|(_, v)| v.holds_big_int()),
            _ => false,
        }
    }
}

/// An XML-RPC fault: `xmlrpclib.Fault(faultCode, faultString)`. Both are values: a server
/// may send any type, although the standard says an int and a string.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// `faultCode`.
    pub code: Value,
    /// `faultString`.
    pub string: Value,
}

impl Fault {
    /// The usual fault: an int code and a message.
    pub fn new(code: i64, message: impl Into<String>) -> Fault {
        Fault {
            code: Value::Int(code),
            string: Value::Str(message.into()),
        }
    }
}

/// A method's outcome: its result, or a fault.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The result.
    Value(Value),
    /// The fault raised.
    Fault(Fault),
}
