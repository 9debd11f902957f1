//! The `capturemock` binary and server end to end: real sockets, real processes, small
//! Python clients, and the same runs under the reference for comparison.

mod cli;
mod cli_failures;
// Shared with tests/interop.
pub(crate) mod harness;
mod ordering;
mod reference;
mod refusals;
mod robustness;
