//! What can go wrong talking to a CaptureMock server.

use std::time::Duration;

/// Why a custom-client exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// An environment variable the client needs is not set.
    #[error(
        "{variable} is not set: run the program under `capturemock` (it exports \
         CAPTUREMOCK_SERVER=host:port and CAPTUREMOCK_MODE=0|1|2), or set it yourself"
    )]
    Unset {
        /// `CAPTUREMOCK_SERVER` or `CAPTUREMOCK_MODE`.
        variable: &'static str,
    },
    /// An environment variable is set but not valid Unicode.
    #[error("{variable} is not valid Unicode")]
    NotUnicode {
        /// The variable.
        variable: &'static str,
    },
    /// The server address is not `host:port`.
    #[error(
        "CAPTUREMOCK_SERVER={value:?} is not host:port (a host, a colon, a port number 1-65535)"
    )]
    BadAddress {
        /// The value found.
        value: String,
    },
    /// The mode is not 0, 1 or 2.
    #[error(
        "CAPTUREMOCK_MODE={value:?} is not 0 (replay), 1 (record) or 2 (replay old, record new)"
    )]
    BadMode {
        /// The value found.
        value: String,
    },
    /// The request is empty: the server would neither record nor answer it.
    #[error("the request is empty: a CaptureMock server neither records nor answers it")]
    EmptyRequest,
    /// A text contains the separator, so the server would split it.
    #[error("the {what} contains \":SUT_SEP:\", which the server would split it at")]
    ContainsSeparator {
        /// `request` or `response`.
        what: &'static str,
    },
    /// The address does not resolve to any socket address.
    #[error("cannot resolve CaptureMock server address {address}")]
    Resolve {
        /// `host:port`.
        address: String,
        /// What the resolver said.
        source: std::io::Error,
    },
    /// Connecting failed.
    #[error("cannot connect to the CaptureMock server at {address}")]
    Connect {
        /// `host:port`.
        address: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Sending or receiving failed.
    #[error("talking to the CaptureMock server at {address} failed")]
    Io {
        /// `host:port`.
        address: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A timeout ran out.
    #[error("the CaptureMock server at {address} did not {what} within {after:?}")]
    Timeout {
        /// `host:port`.
        address: String,
        /// `accept the connection`, `take the message`, `answer`.
        what: &'static str,
        /// The timeout.
        after: Duration,
    },
    /// The reply is not UTF-8.
    #[error("the CaptureMock server at {address} replied with text that is not UTF-8")]
    ReplyNotUtf8 {
        /// `host:port`.
        address: String,
    },
    /// The server answered with a mismatch or error message (`CAPTUREMOCK MISMATCH: ...`,
    /// `CAPTUREMOCK ERROR: ...`) instead of a recorded response. Only
    /// [`call`](super::Client::call) reports this; [`replay`](super::Client::replay) returns
    /// the text as it came.
    #[error("the CaptureMock server at {address} did not replay {request:?}: {reply}")]
    Server {
        /// `host:port`.
        address: String,
        /// The request sent.
        request: String,
        /// The server's message.
        reply: String,
    },
}
