//! The real FTP server, reached as the reference reaches it with Python's `ftplib`: one
//! control connection, commands sent as they came, and transfers in passive mode (`TYPE A` or
//! `TYPE I`, then `PASV`, then the command), whose helper commands are not recorded.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// Why the real server could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum RealError {
    /// The connection failed, closed, or timed out.
    #[error("the real FTP server at {address}: {source}")]
    Io {
        /// The announced address.
        address: String,
        /// What failed.
        source: std::io::Error,
    },
    /// A reply that is not an FTP reply, or a passive-mode reply without an address.
    #[error("the real FTP server at {address} answered `{reply}`, which is not {expected}")]
    Protocol {
        /// The announced address.
        address: String,
        /// The reply.
        reply: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// What a transfer brought: the data and the final reply, or the reply that refused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transfer {
    /// The data, then the final reply (`226 Transfer complete.`).
    Done {
        /// The bytes of the data connection.
        data: Vec<u8>,
        /// The reply that ended the transfer.
        reply: String,
    },
    /// The server refused the command (`550 No such file or directory.`).
    Refused(String),
}

/// One control connection to the real server.
#[derive(Debug)]
pub struct RealFtp {
    address: String,
    peer: SocketAddr,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    timeout: Duration,
    max_reply: usize,
}

impl RealFtp {
    /// Connects to `address` (`host:port`) and reads its greeting. Every later read waits at
    /// most `timeout`, and a reply or transfer larger than `max_reply` bytes fails.
    pub async fn connect(
        address: &str,
        timeout: Duration,
        max_reply: usize,
    ) -> Result<Self, RealError> {
        let io = |source| RealError::Io {
            address: address.to_string(),
            source,
        };
        let stream = tokio::time::timeout(timeout, TcpStream::connect(address))
            .await
            .map_err(|_| io(timed_out()))?
            .map_err(io)?;
        let peer = stream.peer_addr().map_err(io)?;
        let (read, writer) = stream.into_split();
        let mut real = RealFtp {
            address: address.to_string(),
            peer,
            reader: BufReader::new(read),
            writer,
            timeout,
            max_reply,
        };
        real.reply().await?;
        Ok(real)
    }

    /// Sends `line` and returns the reply, its lines joined with `\n` (`ftplib`'s
    /// `sendcmd`; an error reply is returned as any other).
    pub async fn command(&mut self, line: &str) -> Result<String, RealError> {
        let mut sent = line.as_bytes().to_vec();
        sent.extend_from_slice(b"\r\n");
        let write = self.writer.write_all(&sent);
        tokio::time::timeout(self.timeout, write)
            .await
            .map_err(|_| self.io(timed_out()))?
            .map_err(|e| self.io(e))?;
        self.reply().await
    }

    /// `command` in passive mode with the representation type `kind` (`A` for listings,
    /// `I` for files), as `ftplib`'s `retrlines` and `retrbinary` do.
    pub async fn transfer(&mut self, kind: char, command: &str) -> Result<Transfer, RealError> {
        let typed = self.command(&format!("TYPE {kind}")).await?;
        if !typed.starts_with('2') {
            return Ok(Transfer::Refused(typed));
        }
        let pasv = self.command("PASV").await?;
        if !pasv.starts_with("227") {
            return Ok(Transfer::Refused(pasv));
        }
        let port = pasv_port(&pasv).ok_or_else(|| RealError::Protocol {
            address: self.address.clone(),
            reply: pasv.clone(),
            expected: "a passive-mode address",
        })?;
        let data_address = SocketAddr::new(self.peer.ip(), port);
        let mut data = tokio::time::timeout(self.timeout, TcpStream::connect(data_address))
            .await
            .map_err(|_| self.io(timed_out()))?
            .map_err(|e| self.io(e))?;
        let mut started = self.command(command).await?;
        if started.starts_with('2') {
            started = self.reply().await?;
        }
        if !started.starts_with('1') {
            return Ok(Transfer::Refused(started));
        }
        let mut bytes = Vec::new();
        let limit = self.max_reply as u64 + 1;
        let mut limited = (&mut data).take(limit);
        let read = limited.read_to_end(&mut bytes);
        tokio::time::timeout(self.timeout, read)
            .await
            .map_err(|_| self.io(timed_out()))?
            .map_err(|e| self.io(e))?;
        if bytes.len() > self.max_reply {
            return Err(self.io(too_large(self.max_reply)));
        }
        drop(data);
        let reply = self.reply().await?;
        Ok(Transfer::Done { data: bytes, reply })
    }

    /// One reply, multi-line replies (`211-...` up to `211 ...`) joined with `\n`.
    async fn reply(&mut self) -> Result<String, RealError> {
        let first = self.line().await?;
        if first.len() < 3 || !first.as_bytes()[..3].iter().all(u8::is_ascii_digit) {
            return Err(RealError::Protocol {
                address: self.address.clone(),
                reply: first,
                expected: "an FTP reply",
            });
        }
        let mut reply = first.clone();
        if first.as_bytes().get(3) == Some(&b'-') {
            let end = format!("{} ", &first[..3]);
            loop {
                let line = self.line().await?;
                reply.push('\n');
                reply.push_str(&line);
                if line.starts_with(&end) {
                    break;
                }
                if reply.len() > self.max_reply {
                    return Err(self.io(too_large(self.max_reply)));
                }
            }
        }
        Ok(reply)
    }

    /// One line of the control connection, without its line end.
    async fn line(&mut self) -> Result<String, RealError> {
        let mut line = Vec::new();
        let limit = self.max_reply as u64 + 1;
        let mut limited = (&mut self.reader).take(limit);
        let read = limited.read_until(b'\n', &mut line);
        let n = tokio::time::timeout(self.timeout, read)
            .await
            .map_err(|_| self.io(timed_out()))?
            .map_err(|e| self.io(e))?;
        if n == 0 {
            return Err(self.io(std::io::ErrorKind::UnexpectedEof.into()));
        }
        if line.len() > self.max_reply {
            return Err(self.io(too_large(self.max_reply)));
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    }

    fn io(&self, source: std::io::Error) -> RealError {
        RealError::Io {
            address: self.address.clone(),
            source,
        }
    }
}

fn timed_out() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in time")
}

fn too_large(limit: usize) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("more than the limit of {limit} bytes"),
    )
}

/// The port of a `227 Entering passive mode (h1,h2,h3,h4,p1,p2).` reply. The host is not
/// used: as `ftplib` does by default, data goes to the control connection's host.
pub fn pasv_port(reply: &str) -> Option<u16> {
    let start = reply.find('(')?;
    let end = start + reply[start..].find(')')?;
    let numbers: Vec<u16> = reply[start + 1..end]
        .split(',')
        .map(|n| n.trim().parse().ok())
        .collect::<Option<_>>()?;
    match numbers[..] {
        [_, _, _, _, high, low] if high < 256 && low < 256 => Some(high * 256 + low),
        _ => None,
    }
}

/// The lines of a listing as `ftplib`'s `retrlines` gives them: split at `\n`, each without
/// its `\r\n` (or lone `\r` / `\n`) end, text decoded as UTF-8 (invalid bytes replaced).
pub fn listing_lines(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    text.split_inclusive('\n')
        .map(|line| {
            line.strip_suffix("\r\n")
                .or_else(|| line.strip_suffix('\n'))
                .or_else(|| line.strip_suffix('\r'))
                .unwrap_or(line)
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passive_ports_are_read_from_227_replies() {
        assert_eq!(
            pasv_port("227 Entering passive mode (127,0,0,1,169,215)."),
            Some(169 * 256 + 215)
        );
        assert_eq!(
            pasv_port("227 Entering passive mode (127,0,0,1,300,1)."),
            None
        );
        assert_eq!(pasv_port("227 nothing"), None);
        assert_eq!(pasv_port("227 (1,2,3)"), None);
    }

    #[test]
    fn listing_lines_lose_their_line_ends() {
        assert_eq!(listing_lines(b"a\r\nb\nc"), ["a", "b", "c"]);
        assert!(listing_lines(b"").is_empty());
    }
}
