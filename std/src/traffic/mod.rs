//! Traffic kinds: each knows one protocol of the outside world, and nothing else.
//!
//! A kind answers three questions: how a message from its transport becomes record entries,
//! how record mode gets the real response (the client supplies it, a real server is asked),
//! and how a replayed response is rendered back. It never decides a mode, looks anything up
//! or writes a file: it asks the [engine](crate::exchange) through an [`Exchange`](crate::exchange::Exchange).
//!
//! The kinds of the classic TCP transport are listed in [`Kinds::new`], in the order a
//! message is offered to them (the reference's order; classic text is the fallback). A new
//! kind is one module here and one line there.
//!
//! - [`custom`]: `SUT_CUSTOM:` (`<-CAL` / `->RET`), a program's own exchanges.
//! - [`command_line`]: `SUT_COMMAND_LINE:` / `SUT_COMMAND_KILL:`, the programs a system
//!   under test runs (`<-CMD` / `->OUT`, `->ERR`, `->EXC`, `->FIL`).
//! - [`classic`]: client text forwarded to a real server (`<-CLI` / `->SRV`) and servers
//!   under test announcing themselves.
//! - [`http`] (feature `http`): web requests (`<-CLI:GET /path` / `->SRV:200 body`), served
//!   by the HTTP transport rather than the TCP one.
//! - [`xmlrpc`] (feature `http`): XML-RPC calls (`<-CLI:pow(2, 3)` / `->SRV:8`), served by
//!   the HTTP transport.
//! - [`ftp`]: FTP sessions (`<-CLI:CMD arg` / `->SRV`, `->LST`, `->FIL`), served by the FTP
//!   transport.
//! - [`amqp`] (feature `amqp`): messages published to a broker (`<-RMQ:key : props`,
//!   `--HEA:` headers), served by the AMQP transport.
//! - [`play`]: how a request and its responses play out, by response type.
//! - [`wire`]: the transport's framing (one message per connection) and fixed replies.
//! # Adding a kind
//! A module here with a type that implements `Kind`: `claims` recognises the kind's messages
//! by their prefix; `serve` turns a message into a `play::Item` (or entries of its own) with
//! the text altered through the `Exchange`, lets the engine decide (through `play` for
//! request and response traffic, or `Exchange::decide`), records what the reference would
//! record, and writes the reply with `Exchange::reply`. Then one line in `Kinds::new`,
//! before `classic`, which claims everything; a kind with settings of its own takes them from
//! one field of `KindSettings` (as the command-line kind does). How record mode gets the real response is the
//! kind's own business; if it waits on the outside world, it ends the exchange's ordered part
//! first, so that later exchanges do not wait with it.

// Without the `server` feature only the message formats are here: the blocking client and
// in-process captures write the custom-client format, the shim the command-line one, without
// serving them.
#[cfg(feature = "amqp")]
pub mod amqp;
#[cfg(feature = "server")]
pub mod classic;
pub mod command_line;
pub mod custom;
#[cfg(feature = "server")]
pub mod ftp;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "server")]
mod kinds;
#[cfg(feature = "server")]
pub mod play;
#[cfg(feature = "server")]
pub mod python_str;
#[cfg(feature = "http")]
pub mod tcp_header;
#[cfg(feature = "server")]
pub mod wire;
#[cfg(feature = "http")]
pub mod xmlrpc;

#[cfg(feature = "server")]
pub use kinds::{BoxFuture, Kind, KindSettings, Kinds};
