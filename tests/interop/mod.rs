//! Interop: the same client programs run live under our `capturemock` and under the reference
//! (CaptureMock 2.10), and what they produce is compared byte for byte.
//!
//! - [`documented`]: the reference's own documented custom client, unchanged but for its port
//!   to Python 3 (`clients/documented_client.py`).
//! - [`scenarios`]: a table of end-to-end scenarios over compat spec sections 3–6, run by
//!   [`driver`]. Each is identical under both, or asserts exactly how it differs (a deliberate
//!   difference listed in `docs/compatibility.md`). [`prefetch`] runs them several at a time.
//!
//! Processes, scratch directories and the Python clients come from the server tests' harness
//! (`tests/server/harness.rs`).

mod documented;
mod driver;
mod prefetch;
mod scenarios;
