#![doc = include_str!("../README.md")]
//! ---
//! This package, `capturemock-cli`, is the `capturemock` command (`cargo install
//! capturemock-cli`); in the repository it also owns the workspace's top-level `examples/`
//! and `tests/`. Its documentation is the README, whose examples run as doctests; the
//! library is the `capturemock` crate.
