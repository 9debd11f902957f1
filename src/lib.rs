#![doc = include_str!("../README.md")]
//! ---
//! This unpublished root package owns the top-level `examples/` and `tests/` of the workspace;
//! its documentation is the README, whose examples run as doctests.
