//! The binary TCP server (`server_protocol = tcp_header`): length-prefixed messages over
//! persistent connections, laid out by the rc file's sections
//! ([`tcp_header`](crate::traffic::tcp_header)), recorded as readable texts and replayed as
//! bytes.
//!
//! As in the reference: the real server is announced by a connection that sends the text
//! `SUT_SERVER:host:port` and a newline, and `TERMINATE_SERVER` stops the server (any text
//! whose first bytes are those of `SUT_SERV`, `TERMINAT` or `CAPTUREM` is such a control
//! text). In record mode each client connection gets a connection of its own to the real
//! server; every message the client sends is recorded `<-CLI:` and sent on, and every message
//! the server sends, whenever it comes, is recorded `->SRV:` and sent to the client. In
//! replay each client message is answered with the `->SRV:` messages recorded after it, made
//! into bytes again. Announcements are not recorded: set `record_for_client = true`, which
//! the reference needs for the same file.
//!
//! Beyond the reference: connections are served at once (the reference serves one client
//! and resets the server connection for the next); a message whose header does not fit
//! `[tcp_header]`, whose body size is impossible or over [`Limits::max_message_size`], or
//! which ends early, is an error in the log naming the connection and the header's bytes,
//! and ends that connection (the reference prints `FAILED to parse incoming header` and
//! reads on from the middle of the message); a recorded text that cannot be made into bytes
//! is an error in the log and is not sent (the reference's server thread dies). Not done:
//! the reference's `connect` message for a client that sends nothing first, its
//! `CAPTUREMOCK_SYNCH` / `CAPTUREMOCK_STATUS` synchronisation and `replay_chain_pause`.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{tcp_address_of, Limits, ServerConfig, ServerError, ServerReport};
use crate::exchange::recorder::Recorder;
use crate::exchange::{Decision, Engine, Exchange};
use crate::traffic::classic::announced_destination;
use crate::traffic::tcp_header::message::Layout;

/// What every connection shares.
struct Shared {
    engine: Engine,
    layout: Layout,
    limits: Limits,
    /// The last exchange number given.
    numbers: AtomicU64,
    /// The announced real server.
    destination: Mutex<Option<(String, u16)>>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    fn next(&self) -> u64 {
        self.numbers.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// Serves connections on `listener` until `TERMINATE_SERVER` or `shutdown`, then ends the
/// connections still open (after the read timeout) and reports.
pub(super) async fn run(
    listener: TcpListener,
    mut config: ServerConfig,
    layout: Layout,
    shutdown: impl Future<Output = ()>,
) -> Result<ServerReport, ServerError> {
    let address = tcp_address_of(&listener)?;
    config.alterations.set_address(&address)?;
    let limits = config.limits;
    let recorder = Recorder::new(
        config.record.as_deref(),
        config.newlines,
        config.trailing_newlines,
    )?;
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let shared = Arc::new(Shared {
        engine: Engine::new(config.rules(), config.replay.clone(), Some(recorder)),
        layout,
        limits,
        numbers: AtomicU64::new(0),
        destination: Mutex::new(None),
        stop,
    });
    tracing::debug!("capturemock tcp_header server listening on {address}");
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    let mut report = ServerReport {
        address,
        ..ServerReport::default()
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = stopped.changed() => {
                report.terminated_by_client = true;
                break;
            }
            accepted = listener.accept() => {
                let Some(stream) = super::accepted_stream(accepted).await else { continue };
                let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
                    report.refused += 1;
                    tracing::error!(
                        "refused a connection: {} at once is the limit",
                        limits.max_connections
                    );
                    continue;
                };
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    serve(&shared, stream).await;
                    drop(permit);
                });
                while connections.try_join_next().is_some() {}
            }
        }
    }
    super::finish_tasks(
        &mut connections,
        limits.read_timeout,
        "tcp_header connection",
    )
    .await;
    report.exchanges = shared.numbers.load(Ordering::SeqCst);
    report.add_engine_report(shared.engine.finish());
    Ok(report)
}

/// What came in on a connection.
enum Incoming {
    /// A control text (`SUT_SERVER:...`, `TERMINATE_SERVER`), without its newline.
    Control(String),
    /// A message: its record text and its bytes.
    Message { text: String, bytes: Vec<u8> },
    /// The peer closed the connection between messages.
    Closed,
}

/// The first bytes of the reference's control texts.
const CONTROL_PREFIXES: [&[u8]; 3] = [b"SUT_SERV", b"TERMINAT", b"CAPTUREM"];

fn is_control(header: &[u8]) -> bool {
    let n = header.len().min(8);
    n > 0 && CONTROL_PREFIXES.iter().any(|p| p[..n] == header[..n])
}

/// Reads one message (or control text) from `read`. Waiting for a message has no limit (the
/// connection is persistent); once its first byte is there, the rest must come within the
/// read timeout.
async fn read_incoming(
    read: &mut OwnedReadHalf,
    layout: &Layout,
    limits: &Limits,
) -> Result<Incoming, String> {
    let size = layout.header_size();
    let mut header = vec![0u8; size];
    let first = read
        .read(&mut header)
        .await
        .map_err(|e| format!("read failed: {e}"))?;
    if first == 0 {
        return Ok(Incoming::Closed);
    }
    let rest = async {
        read.read_exact(&mut header[first..]).await?;
        if size >= 4 && is_control(&header) {
            let mut text = header.clone();
            while text.last() != Some(&b'\n') {
                if text.len() > limits.max_message_size {
                    return Err(std::io::Error::other("control text without a newline"));
                }
                let mut byte = [0u8; 1];
                read.read_exact(&mut byte).await?;
                text.push(byte[0]);
            }
            return Ok(Err(text));
        }
        let parsed = match layout.read_header(&header) {
            Ok(parsed) => parsed,
            Err(_) if is_control(&header) => return Ok(Err(header.clone())),
            Err(e) => {
                return Ok(Ok(Err(format!(
                    "{e} (header bytes {})",
                    crate::traffic::tcp_header::value::hex(&header)
                ))))
            }
        };
        if parsed.body_size > limits.max_message_size {
            return Ok(Ok(Err(format!(
                "header {} gives a body of {} bytes, over the limit of {}",
                crate::traffic::tcp_header::value::hex(&header),
                parsed.body_size,
                limits.max_message_size
            ))));
        }
        let mut body = vec![0u8; parsed.body_size];
        read.read_exact(&mut body).await?;
        Ok(Ok(Ok((parsed, body))))
    };
    match tokio::time::timeout(limits.read_timeout, rest).await {
        Err(_) => Err(format!(
            "message not complete within {:?} of its first byte",
            limits.read_timeout
        )),
        Ok(Err(e)) => Err(format!("message ended early: {e}")),
        Ok(Ok(Err(text))) => String::from_utf8(text)
            .map(|t| Incoming::Control(t.trim_end_matches(['\r', '\n']).to_string()))
            .map_err(|_| "control text is not UTF-8".to_string()),
        Ok(Ok(Ok(Err(reason)))) => Err(reason),
        Ok(Ok(Ok(Ok((parsed, body))))) => {
            let text = layout.to_text(&parsed, &body);
            let mut bytes = header;
            bytes.extend(body);
            Ok(Incoming::Message { text, bytes })
        }
    }
}

/// Serves one connection: a control text, or a client's messages until it closes.
async fn serve(shared: &Arc<Shared>, stream: TcpStream) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "a client".to_string(), |a| a.to_string());
    let (mut read, write) = stream.into_split();
    let client = Arc::new(tokio::sync::Mutex::new(write));
    let mut upstream: Option<OwnedWriteHalf> = None;
    let mut upstream_reader: Option<tokio::task::JoinHandle<()>> = None;
    loop {
        match read_incoming(&mut read, &shared.layout, &shared.limits).await {
            Ok(Incoming::Closed) => break,
            Ok(Incoming::Control(text)) => {
                control(shared, &text);
                break;
            }
            Ok(Incoming::Message { text, bytes }) => {
                let bytes = match client_message(shared, &text, &client).await {
                    Forward::Nothing => continue,
                    Forward::AsReceived => bytes,
                    Forward::Altered(altered) => altered,
                };
                if upstream.is_none() {
                    let (write, reader) = match connect_upstream(shared, &client).await {
                        Some(pair) => pair,
                        None => continue,
                    };
                    upstream = Some(write);
                    upstream_reader = Some(reader);
                }
                if let Some(write) = upstream.as_mut() {
                    if let Err(e) = write.write_all(&bytes).await {
                        tracing::error!("sending a message to the real server failed: {e}");
                    }
                }
            }
            Err(reason) => {
                tracing::error!(
                    "tcp_header: closed the connection from {peer}: {reason}; the message is not recorded"
                );
                break;
            }
        }
    }
    if let Some(mut write) = upstream {
        let _ = write.shutdown().await;
    }
    if let Some(reader) = upstream_reader {
        // The real server's last messages may still be on their way.
        if tokio::time::timeout(shared.limits.read_timeout, reader)
            .await
            .is_err()
        {
            tracing::warn!("the real server did not close its connection; stopped reading it");
        }
    }
}

/// A control text: an announcement or a stop.
fn control(shared: &Shared, text: &str) {
    if let Some(rest) = text.strip_prefix("SUT_SERVER:") {
        match announced_destination(rest) {
            Some((host, port)) => {
                tracing::debug!("real server announced at {host}:{port}");
                if let Ok(mut destination) = shared.destination.lock() {
                    *destination = Some((host.to_string(), port));
                }
            }
            None => tracing::error!("announcement {text:?} does not end in host:port"),
        }
    } else if text.starts_with("TERMINATE_SERVER") {
        let _ = shared.stop.send(true);
    } else {
        tracing::warn!(
            "control text {text:?} ignored: only SUT_SERVER: and TERMINATE_SERVER are served"
        );
    }
}

/// What goes to the real server for a client's message.
enum Forward {
    /// Nothing: it was answered here.
    Nothing,
    /// The message's own bytes.
    AsReceived,
    /// The bytes of its altered text, as the reference sends them.
    Altered(Vec<u8>),
}

/// A client's message as an exchange: replayed (answered here), or to be sent to the real
/// server. The rc file's alterations apply to its text before it is looked up and recorded,
/// and an altered text is what the real server gets, made into bytes again; the real
/// server's messages are recorded and replayed unaltered. All three as the reference does.
async fn client_message(
    shared: &Shared,
    text: &str,
    client: &tokio::sync::Mutex<OwnedWriteHalf>,
) -> Forward {
    let n = shared.next();
    let mut exchange = Exchange::new(&shared.engine, n, None);
    let received = text;
    let altered = exchange.alter_borrowed(received);
    let text = altered.as_ref();
    let key = format!("<-CLI:{text}");
    let decision = exchange.decide(&key);
    exchange.record("<-CLI", text, None);
    match decision {
        Decision::Record => {
            exchange.finish();
            // Compared, as the reference compares: with alterations, the text is always a
            // new one, changed or not.
            if text == received {
                return Forward::AsReceived;
            }
            match shared.layout.to_bytes(text) {
                Ok(bytes) => Forward::Altered(bytes),
                Err(e) => {
                    tracing::error!(
                        exchange = n,
                        "the altered message cannot be made into bytes: {e}; the message is sent as received"
                    );
                    Forward::AsReceived
                }
            }
        }
        Decision::Replay(replayed) => {
            let mut replies = Vec::new();
            for response in replayed.responses {
                if response.type_id() != "SRV" {
                    tracing::warn!(
                        exchange = n,
                        "replayed response of type {} ignored: tcp_header replays SRV",
                        response.type_id()
                    );
                    continue;
                }
                exchange.record("->SRV", response.text(), None);
                match shared.layout.to_bytes(response.text()) {
                    Ok(bytes) => replies.push(bytes),
                    Err(e) => tracing::error!(
                        exchange = n,
                        "recorded response cannot be sent: {e}; the text is {:?}",
                        response.text()
                    ),
                }
            }
            exchange.finish();
            let mut client = client.lock().await;
            for bytes in replies {
                if let Err(e) = client.write_all(&bytes).await {
                    tracing::debug!("the client is gone: {e}");
                    break;
                }
            }
            Forward::Nothing
        }
        Decision::Mismatch | Decision::Forbidden | Decision::Unanswered => {
            tracing::warn!(
                exchange = n,
                "nothing recorded answers this message; none sent"
            );
            exchange.finish();
            Forward::Nothing
        }
    }
}

/// Connects to the announced real server, and starts reading its messages into `client`.
async fn connect_upstream(
    shared: &Arc<Shared>,
    client: &Arc<tokio::sync::Mutex<OwnedWriteHalf>>,
) -> Option<(OwnedWriteHalf, tokio::task::JoinHandle<()>)> {
    let destination = shared.destination.lock().ok()?.clone();
    let Some((host, port)) = destination else {
        tracing::error!(
            "no real server announced (SUT_SERVER:host:port) and nothing recorded answers: the message is not sent"
        );
        return None;
    };
    let stream = match tokio::time::timeout(
        shared.limits.read_timeout,
        TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => {
            tracing::error!("could not connect to the real server {host}:{port}: {e}");
            return None;
        }
        Err(_) => {
            tracing::error!("could not connect to the real server {host}:{port} in time");
            return None;
        }
    };
    let (mut read, write) = stream.into_split();
    let shared = Arc::clone(shared);
    let client = Arc::clone(client);
    let reader = tokio::spawn(async move {
        loop {
            match read_incoming(&mut read, &shared.layout, &shared.limits).await {
                Ok(Incoming::Message { text, bytes }) => {
                    let n = shared.next();
                    let mut exchange = Exchange::new(&shared.engine, n, None);
                    exchange.record("->SRV", &text, None);
                    exchange.finish();
                    let mut client = client.lock().await;
                    if let Err(e) = client.write_all(&bytes).await {
                        tracing::debug!("the client is gone: {e}");
                    }
                }
                Ok(Incoming::Closed) => break,
                Ok(Incoming::Control(text)) => {
                    tracing::error!(
                        "the real server {host}:{port} sent a control text {text:?}; stopped reading it"
                    );
                    break;
                }
                Err(reason) => {
                    tracing::error!(
                        "tcp_header: stopped reading the real server {host}:{port}: {reason}; the message is not recorded"
                    );
                    break;
                }
            }
        }
        let _ = client.lock().await.shutdown().await;
    });
    Some((write, reader))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server of `layout` on a free port, with a record file in a directory of its own.
    async fn server(layout: &str, record: &std::path::Path) -> super::super::ServerHandle {
        let rc = crate::rc::RcConfig::from_str_named(
            &format!("[general]\nserver_protocol = tcp_header\n{layout}"),
            "t.rc",
        )
        .unwrap();
        let (mut config, _) =
            ServerConfig::from_rc(&rc, capturemock_core::replay::Mode::Record).unwrap();
        config.record = Some(record.to_path_buf());
        super::super::start(config, 0).await.unwrap()
    }

    #[tokio::test]
    async fn terminate_server_stops_it_and_the_announcement_connection_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        let handle = server(
            "[tcp_header]\nformat = <3sI\nfields = type,msg_size\n",
            &dir.path().join("r.mock"),
        )
        .await;
        let mut announce = TcpStream::connect(handle.address()).await.unwrap();
        announce
            .write_all(b"SUT_SERVER:127.0.0.1:9\n")
            .await
            .unwrap();
        let mut rest = Vec::new();
        announce.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        let mut stop = TcpStream::connect(handle.address()).await.unwrap();
        stop.write_all(b"TERMINATE_SERVER\n").await.unwrap();
        let report = tokio::time::timeout(std::time::Duration::from_secs(10), handle.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(report.terminated_by_client);
        assert_eq!(report.recorded_exchanges, 0);
    }

    #[test]
    fn a_layout_without_a_header_or_with_options_is_refused() {
        for rc in [
            "[general]\nserver_protocol = tcp_header\n",
            "[general]\nserver_protocol = tcp_header\n[tcp_header]\nformat = <3sI\n[X]\nformat = <B(x|H)\n",
        ] {
            let rc = crate::rc::RcConfig::from_str_named(rc, "t.rc").unwrap();
            let err = ServerConfig::from_rc(&rc, capturemock_core::replay::Mode::Record)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("server_protocol = tcp_header: "), "{err}");
        }
    }

    #[test]
    fn control_texts_are_told_by_their_first_bytes() {
        assert!(is_control(b"SUT_SERV"));
        assert!(is_control(b"TERMINATE_SERVER"));
        assert!(is_control(b"CAPT"));
        assert!(!is_control(b"HELF\x10\x00\x00\x00"));
        assert!(!is_control(b""));
    }
}
