//! Record modes by name (`--record-mode`, `CAPTUREMOCK_RECORD_MODE`, `record_mode` in rc
//! files, the test helpers' `record_mode`), `--forbid-real` / `CAPTUREMOCK_FORBID_REAL`,
//! pending `.mock.new` files, and `capturemock review`, `accept` and `reject`: each through
//! real processes and files, `review` on a pseudo-terminal that types its answers.

mod cli;
mod for_test;
mod pending;
#[cfg(unix)]
mod review;
