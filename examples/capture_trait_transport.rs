//! A byte transport captured as a trait, with out-parameters: `read(&mut self, buf: &mut
//! [u8])` is recorded with the bytes the real call put in `buf`, and replay puts them there
//! again. The captured transport is adapted to `std::io::Read + Write`, so the code under
//! test is ordinary I/O code. The real transport is a TCP connection to a small line server
//! this example starts; the test replays
//! `examples/mocks/capture_trait_transport/tests/asks_the_server.mock` with no server.
//!
//! ```text
//! cargo test --example capture_trait_transport                      # replay, no server
//! CAPTUREMOCK_RECORD_MODE=all cargo test --example capture_trait_transport   # record against the server
//!     (a recording that differs goes to its .mock.new: `capturemock review` shows it)
//! cargo run --example capture_trait_transport                       # talk to the server
//! ```

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use capturemock::capture;

/// The transport the client needs: the two calls of `Read` and `Write` that move bytes.
#[capture]
pub trait Transport {
    /// Reads into `buf`, as `Read::read`.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Writes from `data`, as `Write::write`.
    fn write(&mut self, data: &[u8]) -> io::Result<usize>;
}

/// The real transport.
impl Transport for TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Read::read(self, buf)
    }
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        Write::write(self, data)
    }
}

/// The captured transport as `std::io::Read`, for code written against std.
impl<T: Transport + ?Sized> Read for CapturedTransport<T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Transport::read(self, buf)
    }
}

/// The captured transport as `std::io::Write`. Flushing is not an exchange: writes go out
/// as they are made.
impl<T: Transport + ?Sized> Write for CapturedTransport<T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        Transport::write(self, data)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The code under test: one question, one line of answer.
pub fn ask(connection: &mut (impl Read + Write), question: &str) -> io::Result<String> {
    connection.write_all(format!("{question}\r\n").as_bytes())?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 32];
    while !answer.ends_with(b"\r\n") {
        let n = connection.read(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        answer.extend_from_slice(&buf[..n]);
    }
    answer.truncate(answer.len() - 2);
    String::from_utf8(answer).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The real server: answers `PING` and `HELLO <name>`, one connection, until it closes.
pub fn start_server() -> io::Result<TcpStream> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    std::thread::spawn(move || -> io::Result<()> {
        let (stream, _) = listener.accept()?;
        let mut lines = BufReader::new(stream.try_clone()?);
        let mut stream = stream;
        let mut line = String::new();
        while lines.read_line(&mut line)? > 0 {
            let answer = match line.trim_end() {
                "PING" => "PONG".to_string(),
                other => match other.strip_prefix("HELLO ") {
                    Some(name) => format!("Hello, {name}! Nice to meet you, {name}."),
                    None => "ERR unknown command".to_string(),
                },
            };
            stream.write_all(format!("{answer}\r\n").as_bytes())?;
            line.clear();
        }
        Ok(())
    });
    TcpStream::connect(address)
}

fn main() -> io::Result<()> {
    let mut connection = CapturedTransport::new(start_server()?);
    println!("{}", ask(&mut connection, "PING")?);
    println!("{}", ask(&mut connection, "HELLO capturemock")?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[capture::test(dir = "examples/mocks/capture_trait_transport")]
    fn asks_the_server() {
        // The server starts on the first call that needs it: never, in replay.
        let replaying = capture::current().is_some_and(|s| s.mode() == capture::Mode::Replay);
        let mut connection = CapturedTransport::lazy(move || {
            assert!(!replaying, "replay needed the real server");
            start_server().expect("the server starts")
        })
        .named("tcp");
        assert_eq!(ask(&mut connection, "PING").unwrap(), "PONG");
        // Longer than the 32-byte buffer: two reads, each recorded with what it filled.
        assert_eq!(
            ask(&mut connection, "HELLO capturemock").unwrap(),
            "Hello, capturemock! Nice to meet you, capturemock."
        );
    }
}
