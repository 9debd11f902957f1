//! The custom client on tokio: the same exchanges as [`Client`](super::Client), awaited. The
//! protocol is [`machine`](super::machine)'s; this face only moves its bytes.

use std::future::Future;

use capturemock_core::replay::Mode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::machine::{Call, Plan, Wait};
use super::{ClientConfig, ClientError};

/// An async custom client for tokio. Cheap to clone; each exchange opens its own connection,
/// so any number may run at once.
#[derive(Debug, Clone)]
pub struct AsyncClient {
    /// Read only: each exchange takes what it needs, so clones share nothing mutable.
    config: ClientConfig,
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
        self.run(Plan::record(&self.config, request, response)?)
            .await
    }

    /// [`Client::replay`](super::Client::replay), awaited.
    pub async fn replay(&self, request: &str) -> Result<String, ClientError> {
        self.run(Plan::replay(&self.config, request)?).await
    }

    /// [`Client::call`](super::Client::call), awaited: `real` makes the future of the real
    /// response, and is only called when the mode needs it.
    pub async fn call<F, Fut>(&self, request: &str, real: F) -> Result<String, ClientError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = String>,
    {
        let plan = match Call::new(&self.config, request)? {
            Call::Ready(plan) => plan,
            Call::NeedsReal(pending) => pending.with(&real().await)?,
        };
        self.run(plan).await
    }

    /// [`Client::terminate_server`](super::Client::terminate_server), awaited.
    pub async fn terminate_server(&self) -> Result<(), ClientError> {
        self.run(Plan::terminate(&self.config)).await.map(drop)
    }

    /// Carries out one exchange on its own connection, each wait bounded as a whole by the
    /// runtime's timer.
    async fn run(&self, plan: Plan<'_>) -> Result<String, ClientError> {
        let mut stream = within(&plan, Wait::Connect, connect(&plan)).await?;
        within(&plan, Wait::Send, async {
            stream
                .write_all(plan.message())
                .await
                .map_err(|e| plan.failed(Wait::Send, e))?;
            stream
                .shutdown()
                .await
                .map_err(|e| plan.failed(Wait::Send, e))
        })
        .await?;
        let reply = within(&plan, Wait::Answer, async {
            let mut reply = Vec::new();
            stream
                .read_to_end(&mut reply)
                .await
                .map_err(|e| plan.failed(Wait::Answer, e))?;
            Ok(reply)
        })
        .await?;
        plan.finish(reply)
    }
}

/// Runs `work` within the limit of `wait`, or without limit. Each wait gets its whole limit
/// for itself, as in the blocking face.
async fn within<T>(
    plan: &Plan<'_>,
    wait: Wait,
    work: impl Future<Output = Result<T, ClientError>>,
) -> Result<T, ClientError> {
    match plan.limit(wait) {
        None => work.await,
        Some(after) => match tokio::time::timeout(after, work).await {
            Ok(done) => done,
            Err(_elapsed) => Err(plan.timed_out(wait, after)),
        },
    }
}

/// Connects to the first address the plan's `host:port` resolves to that accepts (as
/// the blocking face does, so that both name an unresolvable address alike).
async fn connect(plan: &Plan<'_>) -> Result<TcpStream, ClientError> {
    let resolved = tokio::net::lookup_host(plan.address())
        .await
        .map_err(|e| plan.unresolved(e))?;
    let mut last = None;
    for candidate in resolved {
        match TcpStream::connect(candidate).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    // A name that resolves to no address at all has nothing to connect to.
    let source = last.unwrap_or_else(|| std::io::ErrorKind::AddrNotAvailable.into());
    Err(plan.failed(Wait::Connect, source))
}
