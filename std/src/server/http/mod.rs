//! The HTTP transport: a reverse proxy that records a web service's exchanges and replays
//! them (`server_protocol = http`), on hyper's HTTP/1.1 server.
//!
//! Unlike the reference's (single-threaded, HTTP/1.0, one request per connection), it keeps
//! connections alive and serves many clients at once, sends `Content-Length`, and replays
//! bodies byte for byte. What each request means is the [HTTP kind](crate::traffic::http)'s
//! business and what to answer the engine's; this module reads requests, serves the
//! internal `/capturemock/...` endpoints, and writes responses
//! (`service.rs`).
//!
//! A request is numbered when the engine decides it, once its whole body has arrived, under
//! the replay file's lock (`Engine::decide_next_repeatable`): the record file follows the
//! order of the decisions, and no request waits for another's turn.

mod service;
pub mod tls;
mod xmlrpc;

use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::TcpListener;

use super::{tcp_address_of, Limits, ServerConfig, ServerError, ServerReport};
use crate::exchange::recorder::Recorder;
use crate::exchange::Engine;
use crate::traffic::classic::forward::ForwardLimits;
use crate::traffic::http::attachments::Attachments;
use crate::traffic::http::header_case::{HeadTap, Role};
use crate::traffic::http::{Http, HttpSettings};

/// What every connection of a run shares.
#[derive(Debug)]
struct Context {
    engine: Engine,
    kind: Http,
    /// `server_protocol = xmlrpc`: every request is an XML-RPC call to this kind.
    xmlrpc: Option<crate::traffic::xmlrpc::XmlRpc>,
    /// Requests served, for the report.
    served: AtomicU64,
    limits: Limits,
    /// Set by `GET /capturemock/shutdownServer`.
    stop: tokio::sync::watch::Sender<bool>,
}

/// The value of `CAPTUREMOCK_SERVER` for an HTTP server listening on `host_port`: a base URL,
/// as the reference exports it (`https://` when the proxy serves TLS, which it cannot).
pub fn base_url(host_port: &str, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://{host_port}")
}

/// Serves one client connection (plain or TLS) until it closes or the server stops.
async fn serve_connection<IO>(io: IO, context: Arc<Context>, watcher: Watcher)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let limits = context.limits;
    let tap = HeadTap::new(Role::Requests);
    let io = TokioIo::new(tap.wrap(io));
    let serve = service_fn(move |request| {
        let context = Arc::clone(&context);
        let tap = tap.clone();
        async move { Ok::<_, Infallible>(service::handle(&context, &tap, request).await) }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.read_timeout)
        .keep_alive(true)
        .serve_connection(io, serve);
    if let Err(e) = watcher.watch(connection).await {
        tracing::debug!("HTTP connection ended: {e}");
    }
}

/// Serves HTTP on `listener` until `shutdown` completes or a client asks for
/// `/capturemock/shutdownServer`, then lets requests in progress finish (at most the read
/// timeout), writes what is left of the record file, and reports.
pub async fn run(
    listener: TcpListener,
    config: ServerConfig,
    settings: HttpSettings,
    shutdown: impl Future<Output = ()>,
) -> Result<ServerReport, ServerError> {
    serve(listener, config, settings, None, shutdown).await
}

/// Serves XML-RPC on `listener` (`server_protocol = xmlrpc`) as [`run`] serves HTTP, until
/// `shutdown` completes or a client calls `shutdownCaptureMockServer()`.
pub async fn run_xmlrpc(
    listener: TcpListener,
    config: ServerConfig,
    settings: crate::traffic::xmlrpc::XmlRpcSettings,
    shutdown: impl Future<Output = ()>,
) -> Result<ServerReport, ServerError> {
    serve(
        listener,
        config,
        HttpSettings::default(),
        Some(settings),
        shutdown,
    )
    .await
}

async fn serve(
    listener: TcpListener,
    mut config: ServerConfig,
    settings: HttpSettings,
    xmlrpc: Option<crate::traffic::xmlrpc::XmlRpcSettings>,
    shutdown: impl Future<Output = ()>,
) -> Result<ServerReport, ServerError> {
    let address = config.client_address(&tcp_address_of(&listener)?);
    let serving_tls = config.serving_tls.clone();
    config.alterations.set_address(&address)?;
    let limits = config.limits;
    let recorder = Recorder::new(
        config.record.as_deref(),
        config.newlines,
        config.trailing_newlines,
    )?;
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let mut kind = Http::new(
        settings,
        ForwardLimits::new(limits.read_timeout, limits.max_message_size),
        Attachments::new(
            config.command_lines.record_edits.clone(),
            config.command_lines.replay_edits.clone(),
        ),
    );
    if let Some(replay) = &config.replay {
        let requests = replay.lock().unwrap_or_else(|e| e.into_inner()).requests();
        kind.index_recorded(requests.iter().map(|r| r.key.as_str()));
    }
    let context = Arc::new(Context {
        engine: Engine::new(config.rules(), config.replay.clone(), Some(recorder)),
        kind,
        xmlrpc: xmlrpc.map(|settings| {
            crate::traffic::xmlrpc::XmlRpc::new(
                settings,
                ForwardLimits::new(limits.read_timeout, limits.max_message_size),
            )
        }),
        served: AtomicU64::new(0),
        limits,
        stop,
    });
    tracing::debug!("capturemock HTTP server listening on {address}");
    let graceful = GracefulShutdown::new();
    let mut connections = 0u64;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                let Some(stream) = crate::server::accepted_stream(accepted).await else { continue };
                connections += 1;
                let _ = stream.set_nodelay(true);
                let context = Arc::clone(&context);
                let watcher = graceful.watcher();
                let serving_tls = serving_tls.clone();
                tokio::spawn(async move {
                    match serving_tls {
                        Some(tls) => match tls.acceptor.accept(stream).await {
                            Ok(stream) => serve_connection(stream, context, watcher).await,
                            Err(e) => tracing::warn!("TLS handshake with a client failed: {e}"),
                        },
                        None => serve_connection(stream, context, watcher).await,
                    }
                });
            }
        }
    }
    // Idle keep-alive connections close now; requests in progress get the read timeout.
    if tokio::time::timeout(limits.read_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "HTTP requests still in progress after {:?}; stopping without them",
            limits.read_timeout
        );
    }
    drop(listener);
    context.kind.close().await;
    tracing::debug!("HTTP server served {connections} connection(s)");
    let mut report = ServerReport {
        address,
        exchanges: context.served.load(std::sync::atomic::Ordering::Relaxed),
        terminated_by_client: *context.stop.borrow(),
        ..ServerReport::default()
    };
    report.add_engine_report(context.engine.finish());
    Ok(report)
}
