//! FTP traffic (`server_protocol = ftp`): each command of a client's session is an exchange,
//! `<-CLI:CMD arg`, answered by the real server's reply line `->SRV:...`; a listing adds
//! `->LST:` (the listing lines as Python's `pformat` writes a list, see [`listing`]) and a
//! download `->FIL:name`, the file itself kept in the record edit directory (`-F`) and served
//! again from the replay one (`-f`).
//!
//! The real server is announced by a session of user `capturemock` uploading
//! `SUT_SERVER=host:port`, which is not recorded; the transport
//! ([`crate::server::ftp`]) handles that session and tells [`Ftp::announce`]. Unlike the
//! reference, the real server is reached only when something is recorded (first command of a
//! session in record mode), so a replay runs with the real server absent; and each client
//! session has a control connection of its own to it.
//!
//! What the client sees: the real (or recorded) reply to each command, the real (or
//! recorded) listing and file through the proxy's own data connection. Passive-mode replies
//! are the proxy's own (the client must connect to the proxy), and are recorded as the real
//! server gave them. The reference instead answers most commands from a local FTP server
//! over the edit directory, whatever the real server said.

pub mod listing;
pub mod real;

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::exchange::{Decision, Exchange};
use crate::replay_file::RecordedResponse;
use crate::traffic::classic::forward::ForwardLimits;
use real::{listing_lines, RealFtp, Transfer};

/// The settings of the FTP kind.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FtpSettings {
    /// `-F`: where downloads are stored when recording.
    pub record_edits: Option<PathBuf>,
    /// `-f`: where downloads are served from when replaying.
    pub replay_edits: Option<PathBuf>,
    /// Limits on waiting for and reading from the real server.
    pub limits: ForwardLimits,
}

impl FtpSettings {
    /// Settings with `limits` and no edit directories.
    pub fn new(limits: ForwardLimits) -> Self {
        FtpSettings {
            record_edits: None,
            replay_edits: None,
            limits,
        }
    }
}

/// The FTP kind of one run: its settings and the announced real server.
#[derive(Debug)]
pub struct Ftp {
    settings: FtpSettings,
    announced: Mutex<Option<String>>,
}

/// One client session's side of the kind: its own connection to the real server, made when
/// first needed.
#[derive(Debug, Default)]
pub struct Session {
    real: Option<RealFtp>,
}

/// What the client is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A reply line (lines joined with `\n` for a multi-line reply).
    Reply(String),
    /// A listing through the data connection, then the final reply.
    Listing {
        /// The listing's lines.
        lines: Vec<String>,
        /// The final reply.
        reply: String,
    },
    /// A file through the data connection, then the final reply.
    File {
        /// The file's bytes.
        data: Vec<u8>,
        /// The final reply.
        reply: String,
    },
}

impl Ftp {
    /// The kind with `settings`, no real server announced yet.
    pub fn new(settings: FtpSettings) -> Self {
        Ftp {
            settings,
            announced: Mutex::new(None),
        }
    }

    /// A session announced the real server at `address` (`host:port`). Nothing connects to
    /// it now: record mode does when a command needs it.
    pub fn announce(&self, address: &str) {
        tracing::debug!("the real FTP server is at {address}");
        *self.announced.lock().unwrap_or_else(|e| e.into_inner()) = Some(address.to_string());
    }

    /// Serves the command `text` (`CMD arg`, the command upper-cased) of `session` in
    /// `exchange`.
    pub async fn serve(
        &self,
        session: &mut Session,
        cmd: &str,
        text: &str,
        exchange: &mut Exchange<'_>,
    ) -> Answer {
        let text = exchange.alter(text);
        let key = format!("<-CLI:{text}");
        match exchange.decide(&key) {
            Decision::Replay(replayed) => {
                exchange.record("<-CLI", &text, None);
                self.replayed(exchange, replayed.responses)
            }
            Decision::Record => {
                exchange.end_ordered_part();
                self.recorded(session, cmd, &text, exchange).await
            }
            Decision::Mismatch | Decision::Forbidden | Decision::Unanswered => {
                exchange.record("<-CLI", &text, None);
                Answer::Reply(format!("550 capturemock: nothing recorded answers `{key}`"))
            }
        }
    }

    /// The client's answer from recorded responses, recorded again.
    fn replayed(&self, exchange: &mut Exchange<'_>, responses: Vec<RecordedResponse>) -> Answer {
        let (mut reply, mut lines, mut file) = (None, None, None);
        for response in responses {
            match response.type_id() {
                "SRV" => {
                    let text = exchange.alter(response.text());
                    exchange.record("->SRV", &text, None);
                    reply = Some(text);
                }
                "LST" => {
                    exchange.record("->LST", response.text(), None);
                    match listing::parse_listing(response.text()) {
                        Ok(parsed) => lines = Some(parsed),
                        Err(e) => {
                            return Answer::Reply(format!(
                            "451 capturemock: the recorded listing is not a list of strings: {e}"
                        ))
                        }
                    }
                }
                "FIL" => {
                    exchange.record("->FIL", response.text(), None);
                    file = Some(response.text().to_string());
                }
                other => tracing::warn!(
                    exchange = exchange.number(),
                    "replayed response of type {other} ignored: FTP replays SRV, LST and FIL"
                ),
            }
        }
        let Some(reply) = reply else {
            return Answer::Reply("451 capturemock: no reply was recorded for this command".into());
        };
        if let Some(lines) = lines {
            return Answer::Listing { lines, reply };
        }
        if let Some(name) = file {
            let Some(path) = self
                .settings
                .replay_edits
                .as_deref()
                .and_then(|dir| inside(dir, &name))
            else {
                return Answer::Reply(format!(
                    "451 capturemock: the download {name} cannot be served: no replay edit directory (-f), or a name outside it"
                ));
            };
            return match std::fs::read(&path) {
                Ok(data) => Answer::File { data, reply },
                Err(e) => Answer::Reply(format!(
                    "451 capturemock: the recorded download {}: {e}",
                    path.display()
                )),
            };
        }
        Answer::Reply(reply)
    }

    /// Record mode: the real server's answer, recorded. A failure to reach it records
    /// nothing and answers `421`.
    async fn recorded(
        &self,
        session: &mut Session,
        cmd: &str,
        text: &str,
        exchange: &mut Exchange<'_>,
    ) -> Answer {
        match self.ask_real(session, cmd, text).await {
            Ok(answer) => {
                exchange.record("<-CLI", text, None);
                match &answer {
                    Answer::Reply(reply) => exchange.record("->SRV", &exchange.alter(reply), None),
                    Answer::Listing { lines, reply } => {
                        exchange.record_owned("->LST", listing::format_listing(lines), None);
                        exchange.record("->SRV", &exchange.alter(reply), None);
                    }
                    Answer::File { data, reply } => {
                        let name = text.split_once(' ').map_or("", |(_, arg)| arg);
                        if let Err(e) = self.store(name, data) {
                            tracing::error!("could not keep the download {name}: {e}");
                        }
                        exchange.record("->FIL", name, None);
                        exchange.record("->SRV", &exchange.alter(reply), None);
                    }
                }
                answer
            }
            Err(reason) => {
                session.real = None;
                tracing::error!(exchange = exchange.number(), "{reason}");
                Answer::Reply(format!("421 capturemock: {reason}"))
            }
        }
    }

    /// Asks the real server, connecting first if this session has not.
    async fn ask_real(
        &self,
        session: &mut Session,
        cmd: &str,
        text: &str,
    ) -> Result<Answer, String> {
        if session.real.is_none() {
            let address = self
                .announced
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
                .ok_or("no real FTP server was announced (STOR SUT_SERVER=host:port as user capturemock)")?;
            let limits = self.settings.limits;
            let real = RealFtp::connect(&address, limits.timeout, limits.max_reply_size)
                .await
                .map_err(|e| e.to_string())?;
            session.real = Some(real);
        }
        let real = session.real.as_mut().ok_or("no real connection")?;
        let done = match cmd {
            "LIST" | "NLST" => match real.transfer('A', text).await {
                Ok(Transfer::Done { data, reply }) => Answer::Listing {
                    lines: listing_lines(&data),
                    reply,
                },
                Ok(Transfer::Refused(reply)) => Answer::Reply(reply),
                Err(e) => return Err(e.to_string()),
            },
            "RETR" => match real.transfer('I', text).await {
                Ok(Transfer::Done { data, reply }) => Answer::File { data, reply },
                Ok(Transfer::Refused(reply)) => Answer::Reply(reply),
                Err(e) => return Err(e.to_string()),
            },
            _ => Answer::Reply(real.command(text).await.map_err(|e| e.to_string())?),
        };
        Ok(done)
    }

    /// Keeps a download under the record edit directory, as the reference does (its name
    /// without a leading `/`).
    fn store(&self, name: &str, data: &[u8]) -> std::io::Result<()> {
        let Some(dir) = self.settings.record_edits.as_deref() else {
            return Ok(());
        };
        let path = inside(dir, name).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the name leads outside the record edit directory",
            )
        })?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, data)
    }
}

/// `name` (leading `/` dropped) under `dir`, unless it would lead outside it.
fn inside(dir: &Path, name: &str) -> Option<PathBuf> {
    let relative = Path::new(name.trim_start_matches('/'));
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    (plain && !name.trim_start_matches('/').is_empty()).then(|| dir.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_stay_inside_their_directory() {
        let dir = Path::new("/edits");
        assert_eq!(
            inside(dir, "/sub/a.txt"),
            Some(PathBuf::from("/edits/sub/a.txt"))
        );
        assert_eq!(inside(dir, "a.txt"), Some(PathBuf::from("/edits/a.txt")));
        assert_eq!(inside(dir, "../a.txt"), None);
        assert_eq!(inside(dir, "/"), None);
    }
}
