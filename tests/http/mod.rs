//! HTTP traffic end to end (`server_protocol = http`): a real web service (Python's
//! `http.server`), real clients (curl, Python's urllib, raw sockets), our binary and the
//! reference's, recording and replaying the same sessions.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::server::harness::{scratch, write};

mod interop;
mod secrets;
mod test_api;
mod tls;
mod wire;

/// The rc file of these tests: the system under test is the HTTP client.
const RC: &str = "[general]\nserver_protocol = http\nrecord_for_client = true\n";

/// The real web service, stopped when dropped.
pub(crate) struct Upstream {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    child: Child,
}

impl Upstream {
    fn start() -> Self {
        Self::spawn(Command::new("python3").args(["-c", include_str!("upstream.py")]))
    }

    /// `python3 args...` in `dir`, which prints the address as `upstream.py` does.
    pub(crate) fn start_with(dir: &Path, args: &[&str]) -> Self {
        Self::spawn(Command::new("python3").args(args).current_dir(dir))
    }

    fn spawn(command: &mut Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 for the upstream service");
        let mut url = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut url)
            .expect("the upstream's address");
        Upstream {
            url: url.trim().to_string(),
            child,
        }
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch directory with the rc file (plus `rc_extra`) and the client session script.
fn setup(test: &str, rc_extra: &str) -> crate::scratch::Scratch {
    let dir = scratch(&format!("http-{test}"));
    write(&dir, "http.rc", &format!("{RC}{rc_extra}"));
    write(&dir, "session.sh", include_str!("session.sh"));
    dir
}

/// Reads a file of `dir` as bytes (record files are compared byte for byte).
fn bytes(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Whether the reference can run (see the harness).
fn reference_available() -> bool {
    crate::server::harness::reference_available("HTTP interop")
}
