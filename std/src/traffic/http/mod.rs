//! HTTP traffic (`server_protocol = http`): requests to a web service recorded as
//! `<-CLI:METHOD target[ body]` with `--HEA:` lines, responses as `->SRV:<code> <body>`
//! (spec `http.md`, and `docs/http.md`).
//!
//! - [`message`]: a request and response as the transport hands them over.
//! - [`request_text`] / [`response_text`]: the record texts, and a recorded response read back.
//! - [`headers`]: which headers a record shows, and how; [`body`]: how a body is written;
//!   [`multipart`] and [`attachments`]: uploaded and downloaded files, kept in `-F` / `-f`.
//! - [`header_case`]: header names as spelled on the wire (hyper lower-cases them).
//! - [`secrets`]: credentials kept out of record files; [`canonical`]: JSON bodies and
//!   queries compared whatever their order.
//! - [`settings`]: the rc options.
//! - [`upstream`]: record mode's forwarding to the real service; [`tls`]: HTTPS upstreams.
//! - [`kind`]: the kind itself, which asks the engine.

pub mod attachments;
pub mod body;
pub mod canonical;
pub mod header_case;
pub mod headers;
pub mod kind;
pub mod message;
pub mod multipart;
pub mod request_text;
pub mod response_text;
pub mod secrets;
pub mod settings;
pub mod tls;
pub mod upstream;

pub use kind::Http;
pub use message::{Answer, HttpRequest, HttpResponse};
pub use settings::HttpSettings;
