//! The custom client on tokio: the same exchanges as [`Client`](super::Client), awaited.

use std::future::Future;
use std::time::Duration;

use capturemock_core::replay::Mode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{message, ClientConfig, ClientError};

/// An async custom client for tokio. Cheap to clone; each exchange opens its own connection,
/// so any number may run at once.
#[derive(Debug, Clone)]
pub struct AsyncClient {
    /// Read only: each exchange takes what it needs, so clones share nothing mutable.
    config: ClientConfig,
}

/// Runs `work` within `limit` (or without limit), naming what timed out.
/// Each phase of an exchange (connecting, sending, reading the answer) gets the whole limit
/// for itself, as the blocking client's phases do.
async fn within<T>(
    limit: Option<Duration>,
    address: &str,
    what: &'static str,
    work: impl Future<Output = Result<T, ClientError>>,
) -> Result<T, ClientError> {
    match limit {
        None => work.await,
        Some(after) => tokio::time::timeout(after, work).await.unwrap_or_else(|_| {
            Err(ClientError::Timeout {
                address: address.to_string(),
                what,
                after,
            })
        }),
    }
}

impl AsyncClient {
    /// A client for the server `capturemock` started (`CAPTUREMOCK_SERVER`,
    /// `CAPTUREMOCK_MODE`).
    pub fn from_env() -> Result<Self, ClientError> {
        ClientConfig::from_env().map(Self::new)
    }

    /// A client with this configuration.
    pub fn new(config: ClientConfig) -> Self {
        AsyncClient { config }
    }

    /// Its configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The mode of the run.
    pub fn mode(&self) -> Mode {
        self.config.mode
    }

    /// [`Client::record`](super::Client::record), awaited.
    pub async fn record(&self, request: &str, response: &str) -> Result<String, ClientError> {
        self.exchange(&message::record(request, response)?).await
    }

    /// [`Client::replay`](super::Client::replay), awaited.
    pub async fn replay(&self, request: &str) -> Result<String, ClientError> {
        self.exchange(&message::replay(request)?).await
    }

    /// [`Client::call`](super::Client::call), awaited: `real` makes the future of the real
    /// response, and is only called when the mode needs it.
    pub async fn call<F, Fut>(&self, request: &str, real: F) -> Result<String, ClientError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = String>,
    {
        match self.config.mode {
            Mode::Replay => {
                let reply = self.replay(request).await?;
                self.checked(request, reply)
            }
            Mode::Record | Mode::ReplayOldRecordNew => {
                let reply = self.record(request, &real().await).await?;
                self.checked(request, reply)
            }
        }
    }

    /// [`Client::terminate_server`](super::Client::terminate_server), awaited.
    pub async fn terminate_server(&self) -> Result<(), ClientError> {
        self.exchange(message::TERMINATE_MESSAGE).await.map(drop)
    }

    /// Turns a server's complaint into [`ClientError::Server`], so that `call` never hands a
    /// mismatch text to the program as if it were the recorded response.
    fn checked(&self, request: &str, reply: String) -> Result<String, ClientError> {
        if message::is_complaint(&reply) {
            return Err(ClientError::Server {
                address: self.config.address.clone(),
                request: request.to_string(),
                reply,
            });
        }
        Ok(reply)
    }

    /// One exchange on a connection of its own, in the classic framing: the message, a shutdown
    /// of the write side, then the reply to end of input. A timeout names the phase that ran
    /// out, which tells a slow server from an unreachable one.
    async fn exchange(&self, message: &str) -> Result<String, ClientError> {
        let address = self.config.address.as_str();
        let timeouts = self.config.timeouts;
        let io = |source| ClientError::Io {
            address: address.to_string(),
            source,
        };
        let mut stream = within(timeouts.connect, address, "accept the connection", async {
            TcpStream::connect(address)
                .await
                .map_err(|source| ClientError::Connect {
                    address: address.to_string(),
                    source,
                })
        })
        .await?;
        within(timeouts.io, address, "take the message", async {
            stream.write_all(message.as_bytes()).await.map_err(io)?;
            stream.shutdown().await.map_err(io)
        })
        .await?;
        let bytes = within(timeouts.io, address, "answer", async {
            let mut bytes = Vec::new();
            stream.read_to_end(&mut bytes).await.map_err(io)?;
            Ok(bytes)
        })
        .await?;
        String::from_utf8(bytes).map_err(|_| ClientError::ReplyNotUtf8 {
            address: address.to_string(),
        })
    }
}
