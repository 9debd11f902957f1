//! Injection, the Rust form of Fudge's `patch`: `fake_impl!` implements the collaborator's
//! trait for a fake, and the code under test receives the fake instead of the real object.

use std::fmt;

use capturemock::fake::{self, AsFake, Fake, FakeError};
use capturemock::{args, fake_impl};

use super::panic_message;

#[derive(Debug, Clone, PartialEq)]
pub struct DbError(String);

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A collaborator of the code under test.
pub trait Database {
    fn connect(&mut self, url: &str, timeout_ms: u32) -> Result<(), DbError>;
    fn count(&self, table: &str) -> usize;
    fn find(&self, id: u64) -> Option<String>;
    fn insert(&mut self, table: &str, row: Vec<(String, i64)>) -> Result<u64, DbError>;
    fn close(&mut self);
}

fake_impl! {
    impl Database for Fake {
        fn connect(&mut self, url: &str, timeout_ms: u32) -> Result<(), DbError>;
        fn count(&self, table: &str) -> usize;
        fn find(&self, id: u64) -> Option<String>;
        fn insert(&mut self, table: &str, row: Vec<(String, i64)>) -> Result<u64, DbError>;
        fn close(&mut self);
    }
}

/// The code under test: archives `table` if it has rows.
fn archive(db: &mut impl Database, table: &str) -> Result<u64, DbError> {
    db.connect("db://prod", 500)?;
    let rows = db.count(table);
    let id = if rows > 0 {
        db.insert("archive", vec![(table.to_owned(), rows as i64)])?
    } else {
        0
    };
    db.close();
    Ok(id)
}

#[test]
fn the_code_under_test_receives_the_fake() {
    fake::test(|| {
        let mut db = Fake::new("db")
            .remember_order()
            .expects("connect")
            .with_args(args!["db://prod", 500])
            .expects("count")
            .with_args(args!["users"])
            .returns(3)
            .expects("insert")
            .with_args(args!["archive", vec![("users".to_owned(), 3i64)]])
            .returns(42)
            .expects("close");
        assert_eq!(archive(&mut db, "users"), Ok(42));
    });
}

#[test]
fn raises_becomes_err() {
    fake::test(|| {
        let mut db = Fake::new("db")
            .expects("connect")
            .raises(DbError("connection refused".into()));
        assert_eq!(
            archive(&mut db, "users"),
            Err(DbError("connection refused".into()))
        );
    });
}

#[test]
fn wrong_arguments_fail_with_fudges_message() {
    let mut db = Fake::new("db")
        .expects("connect")
        .with_args(args!["db://test", 500]);
    assert_eq!(
        panic_message(|| drop(archive(&mut db, "users"))),
        "fake:db.connect(\"db://test\", 500) was called unexpectedly with args (\"db://prod\", 500)"
    );
    fake::clear_expectations();
}

#[test]
fn option_and_unit_returns() {
    let db = Fake::new("db")
        .provides("find")
        .with_args(args![1])
        .returns("alice")
        .next_call()
        .returns(None::<String>)
        .next_call();
    assert_eq!(db.find(1), Some("alice".to_owned()));
    assert_eq!(db.find(2), None);
    assert_eq!(db.find(3), None);
}

#[test]
fn dyn_and_boxed_receivers() {
    fn total(dbs: &[Box<dyn Database>]) -> usize {
        dbs.iter().map(|db| db.count("t")).sum()
    }
    let a = Fake::new("a").provides("count").returns(2usize);
    let b = Fake::new("b").provides("count").returns(5);
    assert_eq!(total(&[Box::new(a), Box::new(b)]), 7);
}

/// A trait of another crate needs a newtype of ours (Rust's orphan rule).
struct Sink(Fake);

impl AsFake for Sink {
    fn as_fake(&self) -> &Fake {
        &self.0
    }
}

fake_impl! {
    impl fmt::Write for Sink {
        fn write_str(&mut self, s: &str) -> fmt::Result;
    }
}

#[test]
fn foreign_traits_through_a_newtype() {
    use std::fmt::Write;
    fake::test(|| {
        let mut sink = Sink(
            Fake::new("sink")
                .expects("write_str")
                .with_args(args!["hello "])
                .next_call()
                .with_args(args!["world"]),
        );
        let who = "world";
        write!(sink, "hello {who}").unwrap();
    });
}

/// Associated types are listed with the methods.
trait Port {
    type Error;
    fn send(&mut self, frame: &[u8]) -> Result<usize, Self::Error>;
}

fake_impl! {
    impl Port for Fake {
        type Error = std::io::Error;
        fn send(&mut self, frame: &[u8]) -> Result<usize, Self::Error>;
    }
}

#[test]
fn associated_types_and_lenient_conversions() {
    let mut port = Fake::new("port")
        .provides("send")
        .with_args(args![b"\x01\x02".as_slice()])
        .returns(2)
        .next_call()
        .raises(std::io::ErrorKind::TimedOut);
    assert_eq!(port.send(&[1, 2]).unwrap(), 2);
    assert_eq!(
        port.send(&[3]).unwrap_err().kind(),
        std::io::ErrorKind::TimedOut
    );
}

#[test]
fn raising_from_a_method_without_result_panics_with_the_error() {
    let db = Fake::new("db")
        .provides("count")
        .raises(DbError("disk on fire".into()));
    assert_eq!(
        panic_message(|| {
            let _ = db.count("t");
        }),
        "disk on fire"
    );
}

#[test]
fn try_call_reports_instead_of_panicking() {
    let db = Fake::new("db")
        .provides("count")
        .times_called(1)
        .returns(1usize);
    assert_eq!(db.count("t"), 1);
    assert_eq!(
        db.try_call("count", args!["t"]).unwrap_err(),
        FakeError::Unmet("fake:db.count() was called 2 time(s). Expected 1.".into())
    );
}
