//! Declaration mistakes (Fudge's `FakeDeclarationError`): a kind of failure of their own.

use capturemock::args;
use capturemock::fake::{self, Fake, FakeError};

use super::panic_message;

#[test]
fn returns_before_any_call() {
    assert_eq!(
        panic_message(|| drop(Fake::new("s").returns(1))),
        "fake:s: Call to a method that expects a predefined call but no such call exists.  \
         Maybe you forgot expects(\"method\") or provides(\"method\") ?"
    );
}

#[test]
fn with_args_before_any_call() {
    assert_eq!(
        panic_message(|| drop(Fake::new("s").with_args(args![1]))),
        "fake:s: Call to a method that expects a predefined call but no such call exists.  \
         Maybe you forgot expects(\"method\") or provides(\"method\") ?"
    );
}

#[test]
fn next_call_before_any_call() {
    assert_eq!(
        panic_message(|| drop(Fake::new("s").next_call())),
        "fake:s: next_call() must follow provides(), expects() or is_callable()"
    );
}

#[test]
fn next_call_for_an_undeclared_method() {
    assert_eq!(
        panic_message(|| drop(Fake::new("s").provides("a").next_call_for("zz"))),
        "fake:s: next_call_for(\"zz\") is not possible; declare expects(\"zz\") or provides(\"zz\") first"
    );
}

#[test]
fn next_call_with_times_called() {
    assert_eq!(
        panic_message(|| drop(Fake::new("s").expects("a").times_called(2).next_call())),
        "fake:s: Cannot use next_call() in combination with times_called()"
    );
    assert_eq!(
        panic_message(|| drop(Fake::new("s").expects("a").next_call().times_called(2))),
        "fake:s: Cannot use times_called() in combination with next_call()"
    );
    // Also for a callable (Fudge lets this one through).
    assert_eq!(
        panic_message(|| drop(Fake::new("s").is_callable().next_call().times_called(2))),
        "fake:s: Cannot use times_called() in combination with next_call()"
    );
    fake::clear_expectations();
}

#[test]
fn remember_order_on_a_callable() {
    assert_eq!(
        panic_message(|| drop(Fake::new("s").is_callable().remember_order())),
        "fake:s: remember_order() cannot be used for Fake.is_callable() or Fake.expects_call()"
    );
}

#[test]
fn inspectors_belong_in_declarations() {
    let f = Fake::new("f").provides("g");
    let err = f
        .try_call("g", args![capturemock::fake::arg::any()])
        .unwrap_err();
    assert_eq!(
        err,
        FakeError::Declaration(
            "arg.any() is an inspector: use it in declarations (with_args), not in calls".into()
        )
    );
}

#[test]
fn unmet_expectations_and_declaration_mistakes_are_told_apart() {
    let f = Fake::new("f").provides("g").times_called(0);
    assert!(matches!(f.try_call("g", args![]), Err(FakeError::Unmet(_))));
    assert!(matches!(
        f.try_call("g", args![capturemock::fake::arg::any()]),
        Err(FakeError::Declaration(_))
    ));
}

#[test]
fn a_declared_value_of_the_wrong_type() {
    let f = Fake::new("f").provides("name").returns(5);
    assert_eq!(
        panic_message(|| drop(f.call("name", args![]).get::<String>())),
        "fake:f.name() answers a i32, which cannot become the alloc::string::String the caller expects"
    );
    let g = Fake::new("g").provides("count");
    assert_eq!(
        panic_message(|| {
            let _ = g.call("count", args![]).get::<usize>();
        }),
        "fake:g.count() answers nothing, but the caller expects a usize: declare returns(...)"
    );
}
