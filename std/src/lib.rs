#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub use capturemock_core as core_engine;
pub mod alterations;
pub mod bridge;
pub mod capture;
#[cfg(feature = "cli")]
pub mod cli;
pub mod client;
pub mod drift;
pub mod fake;
pub mod rc;
pub mod replay_file;
pub mod serial_proxy;
pub mod server;
