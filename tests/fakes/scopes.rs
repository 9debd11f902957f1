//! Scoped verification (a wrapper, a guard, an attribute for `#[test]` functions) and the
//! verification that cannot be forgotten.

use capturemock::args;
use capturemock::fake::{self, Fake, Scope};

use super::panic_message;

#[fake::test]
fn attribute_verifies_a_passing_test() {
    let db = Fake::new("db").expects("connect");
    let _ = db.call("connect", args![]);
}

#[fake::test]
#[should_panic(expected = "fake:db.connect() was not called")]
fn attribute_verifies_a_failing_test() {
    let _db = Fake::new("db").expects("connect");
}

#[fake::test]
fn attribute_keeps_the_return_type() -> Result<(), String> {
    let db = Fake::new("db").expects("connect").returns(7);
    let n = db.call("connect", args![]).get::<i32>();
    if n == 7 {
        Ok(())
    } else {
        Err(format!("got {n}"))
    }
}

#[test]
fn wrapper_returns_the_body_value() {
    let n = fake::test(|| {
        let f = Fake::new("f").expects("g").returns(3);
        f.call("g", args![]).get::<u8>()
    });
    assert_eq!(n, 3);
}

#[test]
fn wrapper_forgets_expectations_declared_before() {
    let _before = Fake::new("before").expects("x");
    fake::test(|| {});
    // and the ones declared inside, afterwards
    fake::test(|| {
        let _inside = Fake::new("inside").provides("y");
    });
    fake::verify();
}

#[test]
fn guard_verifies_when_dropped() {
    let message = panic_message(|| {
        let _scope = Scope::begin();
        let _db = Fake::new("db").expects("connect");
    });
    assert_eq!(message, "fake:db.connect() was not called");
}

#[test]
fn guard_finish_and_try_finish() {
    let scope = Scope::begin();
    let db = Fake::new("db").expects("connect");
    let _ = db.call("connect", args![]);
    scope.finish();

    let scope = Scope::begin();
    let _q = Fake::new("q").expects("run").times_called(2);
    assert_eq!(
        scope.try_finish().map_err(|e| e.to_string()),
        Err("fake:q.run() was not called".to_owned())
    );
}

#[test]
fn forgotten_verification_runs_when_the_last_fake_goes() {
    let message = panic_message(|| {
        let db = Fake::new("db").expects("connect");
        let _query = db.provides("query").returns_fake();
        // no verify(): dropping the fakes verifies them
    });
    assert_eq!(message, "fake:db.connect() was not called");
}

#[test]
fn clones_are_the_same_fake() {
    let message = panic_message(|| {
        let db = Fake::new("db").expects("connect");
        let again = db.clone();
        drop(db);
        // still alive through `again`: nothing checked yet
        let _ = again.call("connect", args![]);
        let _q = Fake::new("q").expects("run");
    });
    assert_eq!(message, "fake:q.run() was not called");
}

#[test]
fn verified_fakes_are_not_checked_again() {
    let db = Fake::new("db").expects("connect");
    let _ = db.call("connect", args![]);
    fake::verify();
    // the call was forgotten by verify(), but db was verified: dropping it is quiet
}

#[test]
fn a_panicking_thread_is_not_panicked_again() {
    let message = panic_message(|| {
        let _db = Fake::new("db").expects("connect");
        panic!("the test failed for its own reason");
    });
    assert_eq!(message, "the test failed for its own reason");
    let message = panic_message(|| {
        let _scope = Scope::begin();
        let _db = Fake::new("db").expects("connect");
        panic!("inside a scope too");
    });
    assert_eq!(message, "inside a scope too");
}

#[test]
fn with_fakes_keeps_expectations_declared_before() {
    let db = Fake::new("db").expects("connect");
    assert_eq!(
        panic_message(|| fake::with_fakes(|| {})),
        "fake:db.connect() was not called"
    );
    fake::with_fakes(|| drop(db.call("connect", args![])));
}
