//! Fakes (issue 4): Fudge's documented behaviour through the std layer, with exact messages;
//! `live/` compares the messages with the real Fudge's (issue 17).

mod declarations;
mod fudge_docs;
mod inject;
mod inspectors;
mod io;
mod live;
mod scopes;
mod threads;

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
