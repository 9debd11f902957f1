//! The record texts against Python itself: for random values, our `pformat` agrees with
//! Python 3's `pprint.pformat(width=200, sort_dicts=False)`, which the reference writes message
//! bodies with, character for character (long strings and long bytes cut into adjacent
//! literals included), and what Python writes reads back as the same value.

use capturemock::traffic::tcp_header::value::{parse_literal, pformat, Value};

use crate::server::harness::python_json_lines;

/// A JSON value as the Python value it stands for (see `texts.py`).
fn value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::None,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Int(n.as_i64().expect("an integer").into()),
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(items) => Value::List(items.iter().map(value).collect()),
        serde_json::Value::Object(tagged) => {
            if let Some(hex) = tagged.get("bytes").and_then(|h| h.as_str()) {
                let digits = hex.as_bytes().chunks(2);
                let byte = |d: &[u8]| u8::from_str_radix(std::str::from_utf8(d).unwrap(), 16);
                return Value::Bytes(digits.map(|d| byte(d).expect("hex")).collect());
            }
            if let Some(serde_json::Value::Array(items)) = tagged.get("tuple") {
                return Value::Tuple(items.iter().map(value).collect());
            }
            let Some(serde_json::Value::Array(pairs)) = tagged.get("dict") else {
                panic!("{tagged:?}")
            };
            Value::Dict(
                pairs
                    .iter()
                    .map(|pair| (pair[0].as_str().expect("key").to_string(), value(&pair[1])))
                    .collect(),
            )
        }
    }
}

#[test]
fn pformat_and_the_literal_reader_agree_with_python() {
    let (mut bytes_cut, mut strings_cut) = (0, 0);
    for case in python_json_lines(include_str!("texts.py"), &["20261204", "600"]) {
        let v = value(&case["value"]);
        let python = case["pformat"].as_str().expect("pformat");
        assert_eq!(pformat(&v), python, "pformat of {case}");
        bytes_cut += usize::from(python.contains("'\n") && python.contains(" b'"));
        strings_cut += usize::from(python.contains("'\n") && python.contains(" '"));
        assert_eq!(parse_literal(python).as_ref(), Ok(&v), "reading {python}");
    }
    assert!(bytes_cut > 50, "only {bytes_cut} cases cut bytes");
    assert!(strings_cut > 10, "only {strings_cut} cases cut strings");
}
