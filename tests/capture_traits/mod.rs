//! `#[capture]` end to end: traits, impl blocks and functions recorded to a file and replayed
//! from it with the real implementation absent, and the signatures it refuses (trybuild).

mod refused;
mod shop;
