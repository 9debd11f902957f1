//! Fakes with call expectations, in the style of Python's Fudge: declare what must happen to a
//! collaborator, hand the fake to the code under test, verify.
//!
//! The expectation engine (declarations, argument matching, counting, ordering, messages) is
//! [`capturemock_core::fake`], which runs without an allocator; this module adds fakes that
//! are cheap handles into a per-thread registry, verification scopes, injection through traits
//! ([`fake_impl!`](crate::fake_impl)), and panics with Fudge's messages inside tests.
//!
//! ```
//! use capturemock::{args, fake::{self, Fake}};
//!
//! // In a test file: `#[fake::test]` instead of `#[test]`.
//! #[fake::test]
//! fn closes_the_session() {
//!     let session = Fake::new("session").expects("open").expects("close");
//!     let _ = session.call("open", args![]);
//!     let _ = session.call("close", args![]);
//! }
//!
//! // The same, as a wrapper function:
//! fake::test(|| {
//!     let session = Fake::new("session").expects("open").expects("close");
//!     let _ = session.call("open", args![]);
//!     let _ = session.call("close", args![]);
//! });
//! ```
//!
//! Verification cannot be forgotten: a scope ([`test()`], [`with_fakes()`], [`Scope`],
//! `#[fake::test]`) verifies when it ends, and outside a scope the last fake of a thread to be
//! dropped verifies every fake never verified before, unless the thread is already panicking.

pub mod arg;
mod args;
mod error;
mod family;
mod growable;
mod handle;
mod inject;
pub mod io;
mod reply;
mod state;
mod value;

pub use args::{Arg, Args};
pub use capturemock_core::fake::CONSTRUCTOR;
pub use error::FakeError;
pub use family::{Called, Matcher, StdFamily};
pub use handle::Fake;
pub use inject::AsFake;
pub use reply::Reply;
pub use state::{clear_calls, clear_expectations, test, try_verify, verify, with_fakes, Scope};
pub use value::{ToValue, Value};

/// `#[fake::test]`: a `#[test]` function run inside [`fake::test`](test()), so that every fake
/// it declares is verified when it returns.
pub use capturemock_macros::test;

/// What the `args!` and `fake_impl!` expansions name: public so that code in other crates
/// can reach it, hidden because nothing else should.
#[doc(hidden)]
pub mod __private {
    pub use super::args::{Probe, ViaDebug, ViaMatcher, ViaToValue};
    pub use super::inject::{ViaOption, ViaPlain, ViaResult, Want};
}
