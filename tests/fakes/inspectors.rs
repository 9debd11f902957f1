//! Every example of Fudge's `fudge.inspector` documentation, transcribed.

use capturemock::args;
use capturemock::fake::arg::{self, ValueKind};
use capturemock::fake::{self, Fake, ToValue, Value};

use super::panic_message;

#[test]
fn module_example() {
    let image = Fake::new("image")
        .expects("save")
        .with_args(args![arg::endswith(".jpg")]);
    let _ = image.call("save", args!["holiday.jpg"]);
    fake::clear_expectations();
}

#[test]
fn any() {
    let db = Fake::new("db");
    let db = db
        .expects("transaction")
        .with_args(args!["insert", isolation_level = arg::any()]);
    let _ = db.call("transaction", args!["insert", isolation_level = "lock"]);
    fake::verify();
    // This also passes:
    fake::clear_calls();
    let _ = db.call(
        "transaction",
        args!["insert", isolation_level = "autocommit"],
    );
    fake::verify();
    fake::clear_expectations();
}

#[test]
fn not_any_matches_nothing() {
    let query = Fake::new("query")
        .expects_call()
        .with_args(args![arg::not::any()]);
    assert_eq!(
        panic_message(|| drop(query.call_fake(args!["asdf"]))),
        "fake:query((NOT) arg.any()) was called unexpectedly with args (\"asdf\")"
    );
    assert_eq!(
        panic_message(|| drop(query.call_fake(args![]))),
        "fake:query((NOT) arg.any()) was called unexpectedly with args ()"
    );
    fake::clear_expectations();
}

#[test]
fn contains() {
    let addressbook = Fake::unnamed()
        .expects("import_")
        .with_args(args![arg::contains("Baba Brooks")]);
    let _ = addressbook.call("import_", args!["Bill Brooks; Baba Brooks; Henry Brooks;"]);
    fake::verify();
    fake::clear_expectations();

    // contains() checks list items too
    let colorpicker = Fake::new("colorpicker");
    let colorpicker = colorpicker
        .expects("select")
        .with_args(args![arg::contains("red")]);
    let _ = colorpicker.call("select", args![vec!["green", "red", "blue"]]);
    fake::verify();

    // arg_not.contains matches an argument not containing some element.
    let colorpicker = colorpicker
        .expects("select")
        .with_args(args![arg::not::contains("blue")]);
    let _ = colorpicker.call("select", args!["reddish"]);
    let _ = colorpicker.call("select", args![vec!["red", "green"]]);
    fake::verify();
    assert_eq!(
        panic_message(|| drop(colorpicker.call("select", args!["blue-green"]))),
        "fake:colorpicker.select(arg.contains(\"red\"))[0] was called unexpectedly with args (\"blue-green\")"
    );
    assert_eq!(
        panic_message(|| drop(colorpicker.call("select", args![vec!["red", "blue", "green"]]))),
        "fake:colorpicker.select((NOT) arg.contains(\"blue\"))[1] was called unexpectedly with args ([\"red\", \"blue\", \"green\"])"
    );
    fake::clear_expectations();
}

#[test]
fn endswith() {
    let tmpfile = Fake::new("tempfile")
        .expects("mkname")
        .with_args(args![arg::endswith(".tmp")]);
    let _ = tmpfile.call("mkname", args!["7AakkkLazUUKHKJgh908JKjlkh.tmp"]);
    fake::verify();
    fake::clear_expectations();

    let query = Fake::new("query")
        .expects_call()
        .with_args(args![arg::not::endswith("Ringo")]);
    let _ = query.call_fake(args!["John, Paul, George and Steve"]);
    fake::verify();
    fake::clear_expectations();
}

/// A class with these attributes: `ToValue` shows it as a struct, so `has_attr` sees its
/// fields.
struct User {
    first_name: &'static str,
    last_name: Option<&'static str>,
    job: Option<&'static str>,
}

impl ToValue for User {
    fn to_value(&self) -> Value {
        let mut fields = vec![("first_name", self.first_name.to_value())];
        if let Some(last) = self.last_name {
            fields.push(("last_name", last.to_value()));
        }
        if let Some(job) = self.job {
            fields.push(("job", job.to_value()));
        }
        Value::record("User", fields)
    }
}

#[test]
fn has_attr() {
    let db = Fake::new("db")
        .expects("update")
        .with_args(args![arg::has_attr(args![
            first_name = "Bob",
            last_name = "James"
        ])]);
    let user = User {
        first_name: "Bob",
        last_name: Some("James"),
        job: Some("jazz musician"), // this is ignored
    };
    let _ = db.call("update", args![user]);
    fake::verify();

    // In case of error, the other object's representation is shown:
    fake::clear_calls();
    let bob = User {
        first_name: "Bob",
        last_name: None,
        job: None,
    };
    assert_eq!(
        panic_message(|| drop(db.call("update", args![bob]))),
        "fake:db.update(arg.has_attr(first_name=\"Bob\", last_name=\"James\")) was called unexpectedly with args (User { first_name: \"Bob\" })"
    );
    fake::clear_expectations();

    // arg_not.has_attr: the argument does not have the specified attributes.
    let query = Fake::new("query")
        .expects_call()
        .with_args(args![arg::not::has_attr(args![first_name = "James"])]);
    let user = User {
        first_name: "Bob",
        last_name: Some("Dobbs"),
        job: None,
    };
    let _ = query.call_fake(args![user]);
    fake::verify();
    fake::clear_expectations();
}

fn is_valid(s: &Value) -> bool {
    matches!(s.as_str(), Some("active" | "deleted"))
}

#[test]
fn passes_test() {
    let system = Fake::new("system");
    let system = system
        .expects("set_status")
        .with_args(args![arg::passes_test(is_valid)]);
    let _ = system.call("set_status", args!["active"]);
    fake::verify();
    fake::clear_calls();
    assert_eq!(
        panic_message(|| drop(system.call("set_status", args!["sleep"]))),
        "fake:system.set_status(arg.passes_test(<function is_valid>)) was called unexpectedly with args (\"sleep\")"
    );
    fake::clear_expectations();
}

#[test]
fn passes_test_may_assert() {
    fn is_valid(s: &Value) -> bool {
        assert!(
            matches!(s.as_str(), Some("active" | "deleted")),
            "Unexpected status value: {}",
            s.as_str().unwrap_or_default()
        );
        true
    }
    let system = Fake::new("system");
    let system = system
        .expects("set_status")
        .with_args(args![arg::passes_test(is_valid)]);
    assert_eq!(
        panic_message(|| drop(system.call("set_status", args!["sleep"]))),
        "Unexpected status value: sleep"
    );
    fake::clear_expectations();
}

#[test]
fn not_passes_test() {
    let query = Fake::new("query")
        .expects_call()
        .with_args(args![arg::not::passes_test(|x: &Value| x
            .as_int()
            .is_some_and(|x| x > 10))]);
    let _ = query.call_fake(args![5]);
    fake::verify();
    fake::clear_expectations();
}

#[test]
fn isinstance() {
    let system = Fake::new("system");
    let system = system
        .expects("set_status")
        .with_args(args![arg::isinstance(ValueKind::Str)]);
    let _ = system.call("set_status", args!["active"]);
    fake::verify();
    fake::clear_calls();
    assert_eq!(
        panic_message(|| drop(system.call("set_status", args![31337]))),
        "fake:system.set_status(arg.isinstance(\"str\")) was called unexpectedly with args (31337)"
    );
    fake::clear_expectations();
}

#[test]
fn isinstance_of_a_named_type() {
    #[derive(Debug)]
    struct Point {
        #[allow(dead_code)]
        x: i32,
    }
    let plot = Fake::new("plot")
        .expects("draw")
        .with_args(args![arg::isinstance(ValueKind::Named("Point"))]);
    let _ = plot.call("draw", args![Point { x: 1 }]);
    assert_eq!(
        panic_message(|| drop(plot.call("draw", args![(1, 2)]))),
        "fake:plot.draw(arg.isinstance(\"Point\")) was called unexpectedly with args ((1, 2))"
    );
    fake::verify();
}

#[test]
fn startswith() {
    let keychain = Fake::new("keychain")
        .expects("accept_key")
        .with_args(args![arg::startswith("_key")]);
    let _ = keychain.call(
        "accept_key",
        args!["_key-18657yojgaodfty98618652olkj[oollk]"],
    );
    fake::verify();
    fake::clear_expectations();

    let query = Fake::new("query")
        .expects_call()
        .with_args(args![arg::not::startswith("asdf")]);
    let _ = query.call_fake(args!["qwerty"]);
    fake::verify();
    fake::clear_expectations();
}

#[test]
fn arg_not_value() {
    let query = Fake::new("query")
        .expects_call()
        .with_args(args![arg::any(), arg::not::eq("foobar")]);
    let _ = query.call_fake(args![vec![1, 2, 3], "asdf"]);
    assert_eq!(
        panic_message(|| drop(query.call_fake(args!["asdf", "foobar"]))),
        "fake:query(arg.any(), arg_not(\"foobar\")) was called unexpectedly with args (\"asdf\", \"foobar\")"
    );
    fake::clear_expectations();
}

#[test]
fn long_declared_values_are_shortened_in_the_call_not_in_the_args() {
    let x = "x".repeat(60);
    let y = "y".repeat(60);
    let long = Fake::new("long").expects("f").with_args(args![x]);
    assert_eq!(
        panic_message(|| drop(long.call("f", args![y]))),
        format!(
            "fake:long.f(\"{}...\") was called unexpectedly with args (\"{y}\")",
            "x".repeat(45)
        )
    );
    fake::clear_expectations();
}

#[test]
fn bytes_and_numbers() {
    let uart = Fake::new("uart")
        .expects("send")
        .with_args(args![arg::startswith(b"AT".as_slice()), 3u8]);
    let _ = uart.call("send", args![b"AT+CSQ".as_slice(), 3i64]);
    fake::verify();
}
