#![doc = include_str!("../README.md")]
// On docs.rs (`--cfg docsrs`, Cargo.toml's docs.rs metadata) each item shows the features it
// needs; doc_cfg is a nightly feature, so stable builds never turn it on.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
// Module docs name the server's items (traffic kinds, the sequencer, the async client) to
// explain where each piece fits. Without the `server` feature those items do not exist, and
// the names stay plain text rather than links.
#![cfg_attr(not(feature = "server"), allow(rustdoc::broken_intra_doc_links))]
#![warn(missing_docs)]

// Errors: each module has a thiserror enum whose `Display` says only its own layer (what
// failed and where, file:line when there is one, a hint when the fix is obvious) and never
// interpolates its cause; the cause is its `source()`. Whoever shows an error to a person
// shows the chain once, with `ErrorChain` (`outer: cause: root cause`). See `error_chain`.

pub use capturemock_core as core_engine;
/// `#[capturemock::capture]`: record and replay every call of a trait (through a generated
/// `Captured...` wrapper), an inherent impl block or a function, with no descriptions written
/// by hand. It shares its name with the [`capture`](mod@capture) module, whose session it
/// records into; `docs/capture-traits.md` has the rules.
pub use capturemock_macros::capture;
pub use error_chain::ErrorChain;
pub mod alterations;
#[cfg(feature = "serial")]
pub mod bridge;
pub mod capture;
#[cfg(feature = "cli")]
pub mod cli;
pub mod client;
pub mod drift;
pub mod error_chain;
pub mod exchange;
pub mod fake;
pub mod file_edits;
#[cfg(feature = "embedded-hal")]
pub mod hal;
#[cfg(feature = "http")]
pub mod http;
pub mod pending;
pub mod python_literal;
pub mod rc;
pub mod record_mode;
pub mod replay_file;
#[cfg(feature = "serial")]
pub mod serial_proxy;
#[cfg(feature = "server")]
pub mod server;
#[cfg(unix)]
pub mod shim;
pub mod traffic;
