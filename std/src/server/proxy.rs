//! The one-shot TCP proxy of classic traffic: connect to the announced server, send the
//! text, shut down the write side, read the reply to the end, close (the reference's
//! `ClientSocketTraffic.forwardToServer`).

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::config::Limits;
use super::connection::{read_to_end_limited, ReadError};

/// Why forwarding failed.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
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

/// Forwards `text` to `host:port` and returns the reply. A reply that is not UTF-8 is
/// decoded with replacement characters (and a warning), so that the exchange is still
/// recorded; the reference's thread dies on it.
pub async fn forward(
    (host, port): &(String, u16),
    text: &str,
    limits: &Limits,
) -> Result<String, ProxyError> {
    let connect = TcpStream::connect((host.as_str(), *port));
    let mut stream = tokio::time::timeout(limits.read_timeout, connect)
        .await
        .map_err(|_| ProxyError::ConnectTimeout)??;
    stream.write_all(text.as_bytes()).await?;
    stream.shutdown().await?;
    let bytes = read_to_end_limited(&mut stream, limits).await?;
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
