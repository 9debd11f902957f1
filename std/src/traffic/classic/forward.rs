//! The one-shot TCP forwarding of classic traffic: connect to the announced server, send the
//! text, shut down the write side, read the reply to the end, close (the reference's
//! `ClientSocketTraffic.forwardToServer`). This is how record mode gets a real server's
//! response.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::traffic::wire::{read_to_end_limited, ReadError};

/// Why forwarding to the real server failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ForwardError {
    /// The server could not be reached or written to.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Reading the reply failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Connecting took longer than the read timeout.
    #[error("connecting timed out")]
    ConnectTimeout,
}

/// How long forwarding may wait, and how large a reply may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ForwardLimits {
    /// Longest wait to connect, and longest silence while reading the reply.
    pub timeout: Duration,
    /// Largest reply read.
    pub max_reply_size: usize,
}

impl ForwardLimits {
    /// Limits of `timeout` (connecting, and each silence while reading) and `max_reply_size`.
    pub fn new(timeout: Duration, max_reply_size: usize) -> Self {
        ForwardLimits {
            timeout,
            max_reply_size,
        }
    }
}

/// Forwards `text` to `host:port` and returns the reply. A reply that is not UTF-8 is
/// decoded with replacement characters (and a warning), so that the exchange is still
/// recorded; the reference's thread dies on it.
/// Shutting down the write side is how the real server learns the message is complete (the
/// classic framing, see [`crate::traffic::wire`]); the reply is read with the same size and
/// silence limits as a client's message.
pub async fn forward(
    (host, port): &(String, u16),
    text: &str,
    limits: ForwardLimits,
) -> Result<String, ForwardError> {
    let connect = TcpStream::connect((host.as_str(), *port));
    let mut stream = tokio::time::timeout(limits.timeout, connect)
        .await
        .map_err(|_| ForwardError::ConnectTimeout)??;
    stream.write_all(text.as_bytes()).await?;
    stream.shutdown().await?;
    let bytes = read_to_end_limited(&mut stream, limits.max_reply_size, limits.timeout).await?;
    Ok(match String::from_utf8(bytes) {
        Ok(reply) => reply,
        Err(e) => {
            tracing::warn!(
                "reply from {host}:{port} is not valid UTF-8; recorded with replacement characters"
            );
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    })
}
