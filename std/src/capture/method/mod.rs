//! What the code that `#[capture]` generates runs: one exchange per captured call, through
//! the thread's current [`Session`](super::Session), with the same modes, best match, repeat
//! counters and drift check as [`capture`](super::capture()).
//!
//! You rarely name these yourself: `#[capture]` on a trait, an inherent `impl` block or a
//! function writes the calls (see `docs/capture-traits.md`). They are public, and
//! documented, because the generated code lives in your crate.
//!
//! - [`Call`]: the request text, `receiver.method(args)`, and the exchange itself.
//! - Codecs of results: [`Json`] for a value, [`Raises`] for a `Result` whose `Err` is
//!   recorded as `raise <error>`, [`IoError`] for `std::io::Error`, [`Instance`] for a
//!   returned captured trait object, and out-parameters (`&mut [u8]`) in
//!   [`Call::run_filling`].
//! - [`Real`]: the real implementation a wrapper calls, which may be made only when a call
//!   needs it, or be absent when a test only replays.

mod buffers;
mod call;
mod instance;
mod io_error;
mod raises;
mod real;

#[cfg(test)]
mod tests;

pub use super::codec::{Codec, Json};
pub use buffers::{written, Refill};
pub use call::Call;
pub use instance::{instance_name, Captured, Instance};
pub use io_error::IoError;
pub use raises::{Raises, RAISE};
pub use real::Real;
/// serde, by a path the generated code can name whatever the user's crate calls it (the
/// bounds on a captured trait's associated types).
pub use serde;
