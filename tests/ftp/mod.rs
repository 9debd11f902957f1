//! `server_protocol = ftp` end to end: a real FTP server (pyftpdlib) and a real client
//! (Python's ftplib, strict), our binary and the reference recording the same session byte
//! for byte and each replaying the other's file with the real server gone, and bad command
//! lines from many sessions at once.

mod bad_input;
mod interop;
mod real_replies;

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::server::harness::{scratch, write};

/// The strict ftplib client of the sessions.
const CLIENT: &str = include_str!("client.py");
/// The real server.
const REAL_SERVER: &str = include_str!("real_server.py");
/// Many raw sessions at once, with bad command lines.
const BAD_CLIENT: &str = include_str!("bad_client.py");

/// A file name that makes its listing line longer than `pformat`'s 80 columns, with no
/// white space in it, so that the record cuts the line just before it.
const LONG_NAME: &str = "a-file-name-long-enough-that-its-listing-line-is-cut-in-two.txt";

/// Whether pyftpdlib can be imported; where the reference is required (CI), it must be.
fn pyftpdlib_available() -> bool {
    crate::server::harness::python_module_available("pyftpdlib", "the ftp tests")
}

/// A scratch directory with the scripts, `ftp.rc` and the real server's files (`real/`).
fn ftp_scratch(name: &str) -> crate::scratch::Scratch {
    let dir = scratch(&format!("ftp-{name}"));
    write(&dir, "client.py", CLIENT);
    write(&dir, "real_server.py", REAL_SERVER);
    write(&dir, "bad_client.py", BAD_CLIENT);
    write(&dir, "ftp.rc", "[general]\nserver_protocol = ftp\n");
    std::fs::create_dir(dir.join("real")).expect("real/");
    write(&dir, "real/hello.txt", "hello world\n");
    write(&dir, "real/it's here.txt", "x");
    // A listing line too long for pformat's 80 columns: the record cuts it in two literals.
    write(&dir, &format!("real/{LONG_NAME}"), "long\n");
    dir
}

/// The real server (real_server.py) serving `dir/real`; stopped when dropped.
struct RealFtpServer {
    address: String,
    stdin: Option<ChildStdin>,
    child: Child,
}

impl RealFtpServer {
    fn start(dir: &Path) -> Self {
        let mut child = Command::new("python3")
            .arg(dir.join("real_server.py"))
            .arg(dir.join("real"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("address");
        assert!(!line.trim().is_empty(), "the real FTP server did not start");
        RealFtpServer {
            address: line.trim().to_string(),
            stdin: child.stdin.take(),
            child,
        }
    }
}

impl Drop for RealFtpServer {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.flush();
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
