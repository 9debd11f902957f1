//! The record texts against Python itself: for random values, our `pformat`, `repr` of the
//! arguments and literal reader agree with Python 3's `pprint.pformat(width=130)` and `repr`,
//! character for character.

use capturemock::traffic::xmlrpc::literal::parse_outcome;
use capturemock::traffic::xmlrpc::pformat::pformat;
use capturemock::traffic::xmlrpc::repr::call_text;
use capturemock::traffic::xmlrpc::{Outcome, Value};

use crate::server::harness::python_json_lines;

/// A JSON value as the XML-RPC value Python had (a dict comes as `{"dict": [[k, v], ...]}`, a float as `{"float": "repr"}`).
fn value(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::Int(i),
            _ => Value::Double(n.as_f64().expect("a float")),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(items) => Value::Array(items.iter().map(value).collect()),
        serde_json::Value::Object(tagged) if tagged.contains_key("float") => Value::Double(
            tagged["float"]
                .as_str()
                .and_then(|f| f.parse().ok())
                .expect("float"),
        ),
        serde_json::Value::Object(tagged) => {
            let serde_json::Value::Array(pairs) = &tagged["dict"] else {
                panic!("{tagged:?}")
            };
            Value::Struct(
                pairs
                    .iter()
                    .map(|pair| (pair[0].as_str().expect("key").to_string(), value(&pair[1])))
                    .collect(),
            )
        }
    }
}

/// `value` with every dict's members sorted by name, as pformat writes them.
fn sorted(v: Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        Value::Struct(members) => {
            let mut members: Vec<(String, Value)> =
                members.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Struct(members)
        }
        other => other,
    }
}

#[test]
fn pformat_repr_and_the_literal_reader_agree_with_python() {
    let mut split = 0;
    for case in python_json_lines(include_str!("texts.py"), &["20261203", "400"]) {
        let v = value(&case["value"]);
        let python = case["pformat"].as_str().expect("pformat");
        assert_eq!(pformat(&v), python, "pformat of {case}");
        split += usize::from(python.contains('\n'));
        // What is written reads back, dicts in the sorted order written (no NaN is made).
        assert_eq!(
            parse_outcome(python),
            Ok(Outcome::Value(sorted(v))),
            "reading {python}"
        );
        let serde_json::Value::Array(args) = &case["args"] else {
            panic!("args")
        };
        let args: Vec<Value> = args.iter().map(value).collect();
        assert_eq!(
            call_text("m", &args),
            case["call"].as_str().expect("call"),
            "{case}"
        );
    }
    assert!(split > 40, "only {split} cases were split over lines");
}
