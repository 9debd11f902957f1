//! Web APIs in tests: a local HTTP server that replays a test's recorded exchanges with a
//! web service, or records them from the real service (feature `http`).
//!
//! ```no_run
//! # fn get(_url: &str) -> String { String::new() }
//! #[test]
//! fn forecast() {
//!     // Replays mocks/forecast.mock when it exists; records it from the real service when it
//!     // does not (or with CAPTUREMOCK_MODE=1).
//!     let server = capturemock::http::for_test().upstream("https://api.example.com").start();
//!     let body = get(&server.url("/forecast?city=Paris"));
//!     assert!(body.contains("Paris"));
//!     // Dropped here: in replay, the test fails if its requests drifted from the recording.
//! }
//! ```
//!
//! The server is the `capturemock` command's HTTP proxy (`server_protocol = http`), in
//! process and on a thread of its own, so it serves sync and async tests alike and any
//! client (reqwest, ureq, hyper, curl). The mock file, the mode and the drift check follow
//! [`capture::for_test`](crate::capture::for_test). Record files keep secrets out (see
//! [`traffic::http::secrets`](crate::traffic::http::secrets)); `docs/http.md` has the rest.

mod for_test;

pub use for_test::{for_test, HttpTest, HttpTestBuilder};
