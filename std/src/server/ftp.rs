//! The FTP front end (`server_protocol = ftp`): a small FTP server in passive mode only,
//! whose every command is an exchange of the [FTP traffic kind](crate::traffic::ftp).
//!
//! Written by hand rather than on an FTP server crate: the proxy must see each command line
//! as sent and answer it with the real (or recorded) reply, which a server crate built around
//! a storage back end does not let through. It speaks what clients need: any command is
//! forwarded; `PASV` and `EPSV` open the proxy's own data port (active mode, `PORT`, is not
//! supported, answered `502`); `LIST`, `NLST` and `RETR` send their data through it. Uploads
//! other than the announcement are answered `502` and not recorded (the reference's proxy
//! does not answer them at all).
//!
//! A session of user `capturemock` is the reference's control channel, answered locally
//! and never recorded: uploading `SUT_SERVER=host:port` announces the real server, and
//! `CAPTUREMOCK_SHUTDOWN` stops the server.
//!
//! A command line that is not UTF-8, not a command (letters, then a space and its argument),
//! or longer than [`Limits::max_message_size`](super::Limits) is answered `500` and not
//! recorded; the session goes on (the line too long ends it).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{tcp_address_of, Limits, ServerConfig, ServerError, ServerReport};
use crate::exchange::recorder::Recorder;
use crate::exchange::{Engine, Exchange};
use crate::traffic::classic::forward::ForwardLimits;
use crate::traffic::ftp::{Answer, Ftp, FtpSettings, Session};

/// What every session shares.
struct Shared {
    engine: Engine,
    ftp: Ftp,
    limits: Limits,
    /// The last exchange number given.
    numbers: AtomicU64,
    stop: tokio::sync::watch::Sender<bool>,
}

/// Serves FTP sessions on `listener` until a session uploads `CAPTUREMOCK_SHUTDOWN` or
/// `shutdown` completes, then ends the sessions still open (after the read timeout) and
/// reports.
pub(super) async fn run(
    listener: TcpListener,
    mut config: ServerConfig,
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
    let mut settings = FtpSettings::new(ForwardLimits::new(
        limits.read_timeout,
        limits.max_message_size,
    ));
    settings.record_edits = config.command_lines.record_edits.clone();
    settings.replay_edits = config.command_lines.replay_edits.clone();
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let shared = Arc::new(Shared {
        engine: Engine::new(config.rules(), config.replay.clone(), Some(recorder)),
        ftp: Ftp::new(settings),
        limits,
        numbers: AtomicU64::new(0),
        stop,
    });
    tracing::debug!("capturemock FTP server listening on {address}");
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut sessions = JoinSet::new();
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
                let Some(mut stream) = super::accepted_stream(accepted).await else { continue };
                let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
                    report.refused += 1;
                    let _ = stream
                        .write_all(b"421 capturemock: too many sessions at once\r\n")
                        .await;
                    continue;
                };
                let shared = Arc::clone(&shared);
                sessions.spawn(async move {
                    serve(&shared, stream).await;
                    drop(permit);
                });
                while sessions.try_join_next().is_some() {}
            }
        }
    }
    super::finish_tasks(&mut sessions, limits.read_timeout, "FTP session").await;
    report.exchanges = shared.numbers.load(Ordering::SeqCst);
    report.add_engine_report(shared.engine.finish());
    Ok(report)
}

/// One control connection's state.
struct Control {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    local: SocketAddr,
    /// The data port opened by the last `PASV` / `EPSV`.
    data: Option<TcpListener>,
    /// The session of user `capturemock` (the control channel).
    internal: bool,
    session: Session,
}

/// A line read from the client.
enum Line {
    Text(String),
    Bad(String),
    TooLong,
    Closed,
}

/// Serves one FTP session.
async fn serve(shared: &Shared, stream: TcpStream) {
    let Ok(local) = stream.local_addr() else {
        return;
    };
    let (read, writer) = stream.into_split();
    let mut control = Control {
        reader: BufReader::new(read),
        writer,
        local,
        data: None,
        internal: false,
        session: Session::default(),
    };
    if control
        .send("220 capturemock FTP proxy ready.")
        .await
        .is_err()
    {
        return;
    }
    loop {
        let line = match control.read_line(shared.limits.max_message_size).await {
            Line::Text(line) => line,
            Line::Bad(reason) => {
                tracing::error!("refused an FTP command line: {reason}");
                if control
                    .send(&format!("500 capturemock: {reason}"))
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            }
            Line::TooLong => {
                let _ = control
                    .send(&format!(
                        "500 capturemock: command line longer than the limit of {} bytes",
                        shared.limits.max_message_size
                    ))
                    .await;
                return;
            }
            Line::Closed => return,
        };
        let (cmd, arg) = match parse_command(&line) {
            Ok(parsed) => parsed,
            Err(reason) => {
                tracing::error!("refused an FTP command line: {reason}");
                if control
                    .send(&format!("500 capturemock: {reason}"))
                    .await
                    .is_err()
                {
                    return;
                }
                continue;
            }
        };
        if cmd == "USER" {
            control.internal = arg == "capturemock";
        }
        let go_on = if control.internal {
            control.internal_command(shared, &cmd, arg).await
        } else {
            control.command(shared, &cmd, &line_text(&cmd, arg)).await
        };
        if !go_on {
            return;
        }
    }
}

/// `CMD arg` as recorded: the command upper-cased, as the reference's server reads it.
fn line_text(cmd: &str, arg: &str) -> String {
    if arg.is_empty() {
        cmd.to_string()
    } else {
        format!("{cmd} {arg}")
    }
}

/// Why `cmd` is answered `502` without being recorded, if it is: uploads (the reference's
/// proxy never answers them either) and active mode.
fn unsupported(cmd: &str) -> Option<&'static str> {
    match cmd {
        "STOR" | "STOU" | "APPE" => {
            Some("uploads are not recorded by this FTP proxy (only SUT_SERVER= announcements)")
        }
        "PORT" | "EPRT" => Some("active mode is not supported: use PASV or EPSV"),
        _ => None,
    }
}

/// The command (upper-cased) and argument of a line, or why it is not a command: the
/// command is 1 to 10 ASCII letters, then nothing or a space and the argument.
fn parse_command(line: &str) -> Result<(String, &str), String> {
    let (cmd, arg) = line.split_once(' ').unwrap_or((line, ""));
    if cmd.is_empty() || cmd.len() > 10 || !cmd.bytes().all(|b| b.is_ascii_alphabetic()) {
        let shown: String = line.chars().take(40).collect();
        return Err(format!("malformed command line {shown:?}: expected a command of letters, then a space and its argument"));
    }
    if arg.contains(['\r', '\n', '\0']) {
        return Err("a control character (CR, LF or NUL) inside the command line".into());
    }
    Ok((cmd.to_ascii_uppercase(), arg))
}

impl Control {
    async fn send(&mut self, reply: &str) -> std::io::Result<()> {
        let mut bytes = reply.replace('\n', "\r\n").into_bytes();
        bytes.extend_from_slice(b"\r\n");
        self.writer.write_all(&bytes).await
    }

    async fn read_line(&mut self, max: usize) -> Line {
        let mut line = Vec::new();
        let read = (&mut self.reader)
            .take(max as u64 + 2)
            .read_until(b'\n', &mut line)
            .await;
        match read {
            Ok(0) | Err(_) => return Line::Closed,
            Ok(_) => {}
        }
        if !line.ends_with(b"\n") && line.len() > max {
            return Line::TooLong;
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        match String::from_utf8(line) {
            Ok(text) => Line::Text(text),
            Err(e) => Line::Bad(format!(
                "command line is not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            )),
        }
    }

    /// Opens a data port for `PASV` (`extended` false) or `EPSV`, and its reply.
    async fn open_data(&mut self, extended: bool) -> String {
        match TcpListener::bind(SocketAddr::new(self.local.ip(), 0)).await {
            Ok(listener) => {
                let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
                self.data = Some(listener);
                if extended {
                    format!("229 Entering extended passive mode (|||{port}|).")
                } else {
                    let ip = match self.local.ip() {
                        std::net::IpAddr::V4(ip) => ip.octets(),
                        std::net::IpAddr::V6(_) => [127, 0, 0, 1],
                    };
                    format!(
                        "227 Entering passive mode ({},{},{},{},{},{}).",
                        ip[0],
                        ip[1],
                        ip[2],
                        ip[3],
                        port >> 8,
                        port & 0xff
                    )
                }
            }
            Err(e) => format!("425 capturemock: cannot open a data port: {e}"),
        }
    }

    /// Accepts the client's data connection on the port opened last.
    async fn data_connection(&mut self, limits: &Limits) -> Result<TcpStream, String> {
        let listener = self
            .data
            .take()
            .ok_or("use PASV or EPSV first (active mode is not supported)")?;
        match tokio::time::timeout(limits.read_timeout, listener.accept()).await {
            Ok(Ok((stream, _))) => Ok(stream),
            Ok(Err(e)) => Err(format!("data connection failed: {e}")),
            Err(_) => Err("the client did not open the data connection in time".into()),
        }
    }

    /// Sends `data` through a data connection, between a `150` and `reply`.
    async fn transfer(&mut self, limits: &Limits, data: &[u8], reply: &str) -> std::io::Result<()> {
        let mut stream = match self.data_connection(limits).await {
            Ok(stream) => stream,
            Err(reason) => return self.send(&format!("425 capturemock: {reason}")).await,
        };
        self.send("150 Data connection open; transfer starting.")
            .await?;
        let sent = async {
            stream.write_all(data).await?;
            stream.shutdown().await
        };
        if let Err(e) = sent.await {
            return self
                .send(&format!("426 capturemock: transfer failed: {e}"))
                .await;
        }
        drop(stream);
        self.send(reply).await
    }

    /// A command of a client session: one exchange. Returns whether the session goes on.
    async fn command(&mut self, shared: &Shared, cmd: &str, text: &str) -> bool {
        if let Some(reason) = unsupported(cmd) {
            tracing::warn!("answered {cmd} with 502: {reason}");
            return self
                .send(&format!("502 capturemock: {reason}"))
                .await
                .is_ok();
        }
        let own_port = match cmd {
            "PASV" => Some(self.open_data(false).await),
            "EPSV" => Some(self.open_data(true).await),
            _ => None,
        };
        let n = shared.numbers.fetch_add(1, Ordering::SeqCst) + 1;
        let mut exchange = Exchange::new(&shared.engine, n, None);
        let answer = shared
            .ftp
            .serve(&mut self.session, cmd, text, &mut exchange)
            .await;
        exchange.finish();
        let sent = match (answer, own_port) {
            (Answer::Reply(reply), Some(own))
                if !reply.starts_with('4') && !reply.starts_with('5') =>
            {
                self.send(&own).await
            }
            (Answer::Reply(reply), _) => self.send(&reply).await,
            (Answer::Listing { lines, reply }, _) => {
                let mut data = String::new();
                for line in lines {
                    data.push_str(&line);
                    data.push_str("\r\n");
                }
                self.transfer(&shared.limits, data.as_bytes(), &reply).await
            }
            (Answer::File { data, reply }, _) => self.transfer(&shared.limits, &data, &reply).await,
        };
        sent.is_ok() && cmd != "QUIT"
    }

    /// A command of the `capturemock` session, answered locally. Returns whether the
    /// session goes on.
    async fn internal_command(&mut self, shared: &Shared, cmd: &str, arg: &str) -> bool {
        let reply = match cmd {
            "USER" => "331 Username ok, send password.".to_string(),
            "PASS" => "230 Login successful.".to_string(),
            "QUIT" => {
                let _ = self.send("221 Goodbye.").await;
                return false;
            }
            "PASV" => self.open_data(false).await,
            "EPSV" => self.open_data(true).await,
            "STOR" => {
                let name = arg.rsplit('/').next().unwrap_or(arg);
                let mut stream = match self.data_connection(&shared.limits).await {
                    Ok(stream) => stream,
                    Err(reason) => {
                        return self
                            .send(&format!("425 capturemock: {reason}"))
                            .await
                            .is_ok()
                    }
                };
                if self
                    .send("150 Data connection open; transfer starting.")
                    .await
                    .is_err()
                {
                    return false;
                }
                let mut sink = Vec::new();
                let limit = shared.limits.max_message_size as u64;
                let _ = tokio::time::timeout(
                    shared.limits.read_timeout,
                    (&mut stream).take(limit).read_to_end(&mut sink),
                )
                .await;
                drop(stream);
                if let Some(address) = name.strip_prefix("SUT_SERVER=") {
                    shared.ftp.announce(address);
                    "226 Transfer complete.".to_string()
                } else if name == "CAPTUREMOCK_SHUTDOWN" {
                    let _ = self.send("226 Transfer complete.").await;
                    let _ = shared.stop.send(true);
                    return false;
                } else {
                    format!("553 capturemock: {name} is neither SUT_SERVER=host:port nor CAPTUREMOCK_SHUTDOWN")
                }
            }
            _ => "200 Command ignored by the capturemock session.".to_string(),
        };
        self.send(&reply).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_are_a_command_of_letters_and_an_argument() {
        assert_eq!(
            parse_command("retr a b.txt").unwrap(),
            ("RETR".into(), "a b.txt")
        );
        assert_eq!(parse_command("PWD").unwrap(), ("PWD".into(), ""));
        for bad in ["", " PWD", "P@SV", "RETR a\rb", "ABCDEFGHIJK x"] {
            assert!(parse_command(bad).is_err(), "{bad:?}");
        }
        assert_eq!(line_text("LIST", ""), "LIST");
        assert!(unsupported("STOR").is_some() && unsupported("PORT").is_some());
        assert!(unsupported("RETR").is_none());
        assert_eq!(line_text("CWD", "sub"), "CWD sub");
    }
}
