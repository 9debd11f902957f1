//! Every example of Fudge's `fudge` module documentation, transcribed: how each reads in
//! Rust, and what it answers. Python's `patch` has no Rust equivalent (see inject.rs for the
//! Rust form); its examples keep their meaning with fakes named after the patched path. That
//! the messages are Fudge's word for word is proven against Fudge itself, in `live/`.

use capturemock::fake::{self, Fake, CONSTRUCTOR};
use capturemock::{args, fake_impl};

use super::panic_message;

#[test]
fn patch_single_path_must_be_called() {
    // @fudge.patch('os.remove') def test(fake_remove): fake_remove.expects_call()
    let message = panic_message(|| {
        fake::test(|| {
            let _fake_remove = Fake::new("os.remove").expects_call();
            // do stuff...
        })
    });
    assert_eq!(message, "fake:os.remove() was not called");
}

#[test]
fn patch_many_paths() {
    fake::test(|| {
        let _fake_remove = Fake::new("os.remove").is_callable();
        let _fake_rmtree = Fake::new("shutil.rmtree");
        // do stuff...
    });
}

#[test]
fn test_decorator() {
    // @fudge.test def test(): db = fudge.Fake('db').expects('connect')
    let message = panic_message(|| {
        fake::test(|| {
            let _db = Fake::new("db").expects("connect");
        })
    });
    assert_eq!(message, "fake:db.connect() was not called");
}

#[test]
fn calls() {
    let f = Fake::unnamed()
        .provides("hello")
        .calls(|_| "Why, hello there");
    assert_eq!(f.call("hello", args![]).get::<&str>(), "Why, hello there");
}

#[test]
fn expects() {
    let session = Fake::new("session").expects("open").expects("close");
    let _ = session.call("open", args![]);
    assert_eq!(
        panic_message(fake::verify),
        "fake:session.close() was not called"
    );
}

#[test]
fn expects_call() {
    let _remove = Fake::new("os.remove").expects_call();
    assert_eq!(
        panic_message(fake::verify),
        "fake:os.remove() was not called"
    );
}

#[test]
fn has_attr() {
    let user_class = Fake::new("User")
        .provides(CONSTRUCTOR)
        .has_attr("name", "Harry");
    let user = user_class.call_fake(args![]).fake();
    assert_eq!(user.attr("name").get::<&str>(), "Harry");
}

#[test]
fn is_callable() {
    let remove = Fake::new("os.remove").is_callable();
    assert!(remove.call_fake(args!["some/path"]).is_nothing());
}

#[test]
fn before_next_call_calls_are_infinite() {
    let f = Fake::unnamed().provides("status").returns("Awake!");
    assert_eq!(f.call("status", args![]).get::<&str>(), "Awake!");
    assert_eq!(f.call("status", args![]).get::<&str>(), "Awake!");
}

#[test]
fn after_next_call() {
    let f = Fake::unnamed().provides("status").returns("Awake!");
    let f = f.next_call().returns("Asleep");
    let f = f.next_call().returns("Dreaming");
    assert_eq!(f.call("status", args![]).get::<&str>(), "Awake!");
    assert_eq!(f.call("status", args![]).get::<&str>(), "Asleep");
    assert_eq!(f.call("status", args![]).get::<&str>(), "Dreaming");
    assert_eq!(
        panic_message(|| {
            let _ = f.call("status", args![]);
        }),
        "This attribute of fake:unnamed can only be called 3 time(s).  \
         Call reset() if necessary or fake::clear_calls()."
    );
}

#[test]
fn next_call_for_method() {
    let sess = Fake::new("session").provides("get_count").returns(1);
    let sess = sess.provides("set_count").with_args(args![5]);
    // Now go back and adjust return values for get_count()
    let sess = sess.next_call_for("get_count").returns(5);
    // This allows these calls to be made
    assert_eq!(sess.call("get_count", args![]).get::<i32>(), 1);
    assert!(sess.call("set_count", args![5]).is_nothing());
    assert_eq!(sess.call("get_count", args![]).get::<i32>(), 5);
}

#[test]
fn provides() {
    let session = Fake::new("session").provides("open").provides("close");
    fake::clear_expectations(); // from any previously declared fakes
    fake::clear_calls();
    let _ = session.call("open", args![]);
    fake::verify(); // close() not called but no error
}

#[derive(Debug, Clone, PartialEq)]
struct ValueError(&'static str);

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

trait Db {
    fn insert(&self) -> Result<(), ValueError>;
}

fake_impl! {
    impl Db for Fake {
        fn insert(&self) -> Result<(), ValueError>;
    }
}

#[test]
fn raises() {
    let db = Fake::new("db")
        .provides("insert")
        .raises(ValueError("not enough parameters for insert"));
    assert_eq!(
        db.insert(),
        Err(ValueError("not enough parameters for insert"))
    );
    // A method that cannot return an error panics with it, as Python raises it.
    assert_eq!(
        panic_message(|| {
            db.call("insert", args![]).get::<()>();
        }),
        "not enough parameters for insert"
    );
}

#[test]
fn remember_order() {
    let db = Fake::new("db")
        .remember_order()
        .expects("insert")
        .expects("update");
    assert_eq!(
        panic_message(|| {
            let _ = db.call("update", args![]);
        }),
        "Call #1 was fake:db.update(); Expected: #1 fake:db.insert(), #2 fake:db.update(), end"
    );
    fake::clear_expectations();
}

#[test]
fn remember_order_with_next_call() {
    let sess = Fake::new("session")
        .remember_order()
        .expects("get_id")
        .returns(1);
    let sess = sess.expects("set_id").with_args(args![5]);
    let sess = sess.next_call_for("get_id").returns(5);
    // Multiple calls to get_id() are now expected
    assert_eq!(sess.call("get_id", args![]).get::<i32>(), 1);
    let _ = sess.call("set_id", args![5]);
    assert_eq!(sess.call("get_id", args![]).get::<i32>(), 5);
    fake::verify();
    fake::clear_expectations();
}

#[test]
fn returns() {
    let f = Fake::unnamed().provides("get_number").returns(64);
    assert_eq!(f.call("get_number", args![]).get::<i32>(), 64);
}

#[test]
fn returns_fake() {
    let session = Fake::new("session");
    let query = session.provides("query").returns_fake_named("Query");
    assert_ne!(query, session);
    let query = query.provides("one").returns(vec!["object"]);
    let q = session.call("query", args![]).fake();
    assert_eq!(q, query);
    assert_eq!(q.call("one", args![]).get::<Vec<&str>>(), vec!["object"]);
    assert_eq!(q.name(), "fake:session.Query()");
}

#[test]
fn times_called_provided_fails_when_exceeded() {
    let auth = Fake::new("auth").provides("login").times_called(1);
    let _ = auth.call("login", args![]);
    assert_eq!(
        panic_message(|| {
            let _ = auth.call("login", args![]);
        }),
        "fake:auth.login() was called 2 time(s). Expected 1."
    );
}

#[test]
fn times_called_expected_fails_when_not_met() {
    let auth = Fake::new("auth").expects("login").times_called(2);
    let _ = auth.call("login", args![]);
    assert_eq!(
        panic_message(fake::verify),
        "fake:auth.login() was called 1 time(s). Expected 2."
    );
}

#[test]
fn with_arg_count() {
    let auth = Fake::new("auth").provides("login").with_arg_count(2);
    assert_eq!(
        panic_message(|| {
            let _ = auth.call("login", args!["joe_user"]); // forgot password
        }),
        "fake:auth.login() was called with 1 arg(s) but expected 2"
    );
}

#[test]
fn with_args() {
    let counter = Fake::new("counter")
        .expects("increment")
        .with_args(args![25, table = "hits"]);
    assert_eq!(
        panic_message(|| {
            let _ = counter.call("increment", args![24, table = "clicks"]);
        }),
        "fake:counter.increment(25, table=\"hits\") was called unexpectedly with args (24, table=\"clicks\")"
    );
}

#[test]
fn with_args_and_inspectors() {
    use capturemock::fake::arg;
    let counter = Fake::new("counter");
    let counter = counter
        .expects("increment")
        .with_args(args![arg::any(), table = arg::endswith("hits")]);
    // The above declaration would allow you to call counter like this:
    let _ = counter.call("increment", args![999, table = "image_hits"]);
    fake::verify();
    // Or like this:
    let _ = counter.call("increment", args![22, table = "user_profile_hits"]);
    fake::verify();
}

#[test]
fn with_kwarg_count() {
    let auth = Fake::new("auth").provides("login").with_kwarg_count(2);
    assert_eq!(
        panic_message(|| {
            let _ = auth.call("login", args![username = "joe"]); // forgot password=
        }),
        "fake:auth.login() was called with 1 keyword arg(s) but expected 2"
    );
}

#[test]
fn with_matching_args() {
    let db = Fake::new("db")
        .expects("transaction")
        .with_matching_args(args!["insert"]);
    // With this declaration, any keyword argument is allowed:
    let _ = db.call("transaction", args!["insert", isolation_level = "lock"]);
    let _ = db.call("transaction", args!["insert", isolation_level = "shared"]);
    let _ = db.call("transaction", args!["insert", retry_on_error = true]);
    fake::verify();
}

#[test]
fn with_matching_args_checks_named_ones_when_passed() {
    let db = Fake::new("db")
        .expects("transaction")
        .with_matching_args(args!["insert", isolation_level = "lock"]);
    let _ = db.call("transaction", args!["insert", retry_on_error = true]);
    assert_eq!(
        panic_message(|| {
            let _ = db.call("transaction", args!["insert", retry_on_error = true, isolation_level = "shared"]);
        }),
        "fake:db.transaction() was called unexpectedly with args (\"insert\", isolation_level=\"shared\")"
    );
    fake::verify();
}

#[test]
fn without_args() {
    let query = Fake::new("query")
        .expects_call()
        .without_args(args!["http://example.com", name = "Steve"]);
    let _ = query.call_fake(args!["http://python.org", name = "Joe"]);
    let unexpected = |args| panic_message(|| drop(query.call_fake(args)));
    assert_eq!(
        unexpected(args!["http://example.com"]),
        "fake:query() was called unexpectedly with arg \"http://example.com\""
    );
    let _ = query.call_fake(args!["Joe", "Frank", "Bartholomew", "Steve"]);
    let steve = "fake:query() was called unexpectedly with kwarg name=\"Steve\"";
    assert_eq!(unexpected(args![name = "Steve"]), steve);
    assert_eq!(
        unexpected(args!["http://python.org", name = "Steve"]),
        steve
    );
    assert_eq!(unexpected(args![city = "Chicago", name = "Steve"]), steve);

    let query = query
        .expects_call()
        .without_args(args!["http://example2.com"]);
    assert_eq!(query.name(), "fake:query");
    let _ = query.call_fake(args!["foobar"]);
    assert_eq!(
        panic_message(|| drop(query.call_fake(args!["foobar", "http://example2.com"]))),
        "fake:query() was called unexpectedly with arg \"http://example2.com\""
    );

    let query = query
        .expects_call()
        .without_args(args![name = "Hieronymus"]);
    let _ = query.call_fake(args!["Gottfried", "Hieronymus"]);
    let _ = query.call_fake(args![name = "Wexter", other_name = "Hieronymus"]);
    let hieronymus = "fake:query() was called unexpectedly with kwarg name=\"Hieronymus\"";
    assert_eq!(
        panic_message(|| drop(query.call_fake(args!["asdf", name = "Hieronymus"]))),
        hieronymus
    );
    assert_eq!(
        panic_message(|| drop(query.call_fake(args![name = "Hieronymus"]))),
        hieronymus
    );

    let query = Fake::new("query")
        .expects_call()
        .without_args(args!["http://example.com", name = "Steve"])
        .with_args(args!["dog"]);
    let _ = query.call_fake(args!["dog"]);
    assert_eq!(
        panic_message(|| drop(query.call_fake(args!["dog", "http://example.com"]))),
        "fake:query(\"dog\") was called unexpectedly with args (\"dog\", \"http://example.com\")"
    );
    assert_eq!(
        panic_message(|| drop(query.call_fake(args![]))),
        "fake:query(\"dog\") was called unexpectedly with args ()"
    );
    fake::verify();
}

#[test]
fn clear_calls_and_verify() {
    let db = Fake::new("db").expects("connect");
    let _ = db.call("connect", args![]);
    fake::clear_calls();
    assert_eq!(
        panic_message(fake::verify),
        "fake:db.connect() was not called"
    );
    let _ = db.call("connect", args![]);
    fake::verify();
    // verify() forgot the calls
    assert_eq!(
        panic_message(fake::verify),
        "fake:db.connect() was not called"
    );
}

#[test]
fn with_fakes_clears_calls_before_and_verifies_after() {
    let db = Fake::new("db").expects("connect");
    let _ = db.call("connect", args![]);
    let message = panic_message(|| fake::with_fakes(|| {}));
    assert_eq!(message, "fake:db.connect() was not called");
    fake::with_fakes(|| {
        let _ = db.call("connect", args![]);
    });
}

#[test]
fn stubs_and_undeclared_calls() {
    let session = Fake::new("session");
    assert_eq!(
        panic_message(|| drop(session.call("x", args![]))),
        "fake:session object does not allow call or attribute 'x' (maybe you want Fake.is_a_stub() ?)"
    );
    let f = Fake::new("f");
    assert_eq!(
        panic_message(|| drop(f.call_fake(args![]))),
        "fake:f object cannot be called (maybe you want Fake.is_callable() ?)"
    );
    let st = Fake::new("st").is_a_stub();
    assert_eq!(st.attr("foo").fake().name(), "fake:st.foo");
    assert_eq!(st.call("foo", args![]).fake().name(), "fake:st.foo()");
    assert_eq!(st.call_fake(args![]).fake().name(), "fake:st()");
    assert_eq!(
        st.attr("bar").fake().attr("baz").fake().name(),
        "fake:st.bar.baz"
    );
    // Overriding a stub with declarations works as usual.
    let st = st.provides("answer").returns(42);
    assert_eq!(st.call("answer", args![]).get::<u8>(), 42);
}
