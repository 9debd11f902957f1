//! The registry is per thread, as in Fudge: each thread verifies its own fakes.

use std::thread;

use capturemock::args;
use capturemock::fake::{self, Fake};

use super::panic_message;

#[test]
fn another_threads_fakes_are_not_verified_here() {
    let _mine = Fake::new("mine").expects("run");
    let theirs = thread::spawn(|| {
        let theirs = Fake::new("theirs").expects("go");
        let _ = theirs.call("go", args![]);
        fake::try_verify().map_err(|e| e.to_string())
    });
    assert_eq!(theirs.join().unwrap(), Ok(()));
    assert_eq!(
        panic_message(fake::verify),
        "fake:mine.run() was not called"
    );
}

#[test]
fn clearing_expectations_is_per_thread() {
    let _mine = Fake::new("mine").expects("run");
    thread::spawn(fake::clear_expectations).join().unwrap();
    assert_eq!(
        panic_message(fake::verify),
        "fake:mine.run() was not called"
    );
}

#[test]
fn each_thread_checks_its_own_fakes_when_they_go() {
    let result = thread::spawn(|| {
        let _db = Fake::new("db").expects("connect");
        // never verified: dropping the last fake of the thread verifies it
    })
    .join();
    let payload = result.expect_err("the thread should have panicked");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("fake:db.connect() was not called")
    );
}

#[test]
fn many_threads_at_once() {
    let handles: Vec<_> = (0..8)
        .map(|i| {
            thread::spawn(move || {
                let worker = Fake::new(format!("worker{i}"))
                    .expects("work")
                    .times_called(i + 1);
                for _ in 0..i {
                    let _ = worker.call("work", args![]);
                }
                fake::try_verify().map_err(|e| e.to_string())
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        let expected = if i == 0 {
            "fake:worker0.work() was not called".to_owned()
        } else {
            format!(
                "fake:worker{i}.work() was called {i} time(s). Expected {}.",
                i + 1
            )
        };
        assert_eq!(h.join().unwrap(), Err(expected));
    }
}
