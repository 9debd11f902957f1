//! The embedded-hal 1.0 fakes of the core (issue 15 item 3) under a published driver, the
//! `lm75` crate's LM75 temperature sensor driver, and the same driver test written with
//! embedded-hal-mock beside ours (issue 15 item 6, docs/embedded-hal-mock.md).

mod lm75_driver;
mod versus_mock;

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, which must panic, and returns the panic's message.
pub fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "<panic without a message>".to_owned()
    }
}
