//! Custom clients in Rust: the wire protocol of the reference's custom clients (compat spec
//! section 3), so that Rust code run under `capturemock` (ours or the reference) records and
//! replays its own exchanges.
//!
//! The program is started by `capturemock`, which exports `CAPTUREMOCK_SERVER=host:port` and
//! `CAPTUREMOCK_MODE=0|1|2`; [`Client::from_env`] (blocking, `std::net`) and
//! [`AsyncClient::from_env`] (tokio) read them and fail with a clear [`ClientError`] when
//! they are missing or malformed. Each exchange is one TCP connection:
//! - [`record`](Client::record): `SUT_CUSTOM:<request>:SUT_SEP:<response>`, then the echo;
//! - [`replay`](Client::replay): `SUT_CUSTOM:<request>`, write side shut, the recorded
//!   response read to the end;
//! - [`call`](Client::call): one or the other as the mode says, calling the real thing only
//!   when it must;
//! - [`terminate_server`](Client::terminate_server): `TERMINATE_SERVER`.
//!
//! ```no_run
//! use capturemock::client::Client;
//!
//! # fn real_price(_: &str) -> String { String::new() }
//! # fn main() -> Result<(), capturemock::client::ClientError> {
//! let client = Client::from_env()?;
//! let price = client.call("price('ACME')", || real_price("ACME"))?;
//! # let _ = price; Ok(()) }
//! ```
//!
//! Texts the server would mangle are refused before anything is sent: an empty request
//! (neither recorded nor answered) and a request or response containing `:SUT_SEP:`.
//! Requests and responses are otherwise free text and may span lines; the server strips
//! trailing white space from what it sends back.
//!
//! The protocol is written once, sans-IO (`machine.rs`: which message, whether to call the
//! real thing, how long each wait lasts, what the reply means); the blocking and the async
//! client are two faces that only move its bytes, so they cannot disagree.

#[cfg(feature = "server")]
mod asynchronous;
mod blocking;
mod config;
mod error;
mod machine;
mod message;

#[cfg(feature = "server")]
pub use asynchronous::AsyncClient;
pub use blocking::Client;
pub use config::{ClientConfig, Timeouts, MODE_VAR, SERVER_VAR};
pub use error::ClientError;
// For the bridge, which relays a device's exchanges and must check and read them as this
// client does.
#[cfg(feature = "serial")]
pub(crate) use message::{check_exchange, complaint, Complaint};

// Against real servers of its own, blocking and async.
#[cfg(all(test, feature = "server"))]
mod tests;
