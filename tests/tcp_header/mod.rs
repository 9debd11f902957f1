//! `server_protocol = tcp_header` end to end: a small length-prefixed protocol between a
//! real Python server and a strict client, recorded byte for byte as the reference records
//! it and each tool replaying the other's file; a real OPC UA session (asyncua's client and
//! server) recorded and replayed with the server gone, by us and by the reference; and
//! malformed messages.

mod bad_input;
mod interop;
mod opcua;
mod texts;

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::server::harness::write;

/// A scratch directory with every script and layout of these tests, and nothing else (the
/// server tests' scratch holds a `concurrent.py`, which would hide Python's own module from
/// asyncio).
fn tcp_scratch(name: &str) -> crate::scratch::Scratch {
    let dir = crate::scratch::Scratch::new("tcp-header", name);
    for (file, text) in [
        ("simple_server.py", include_str!("simple_server.py")),
        ("simple_client.py", include_str!("simple_client.py")),
        ("simple.rc", include_str!("simple.rc")),
        ("opcua_server.py", include_str!("opcua_server.py")),
        ("opcua_client.py", include_str!("opcua_client.py")),
        ("opcua.rc", include_str!("opcua.rc")),
        ("bad_client.py", include_str!("bad_client.py")),
    ] {
        write(&dir, file, text);
    }
    dir
}

/// Whether asyncua can be imported; where the reference is required (CI), it must be.
fn asyncua_available() -> bool {
    crate::server::harness::python_module_available("asyncua", "the OPC UA tests")
}

/// A real server script that prints its port and stops when its stdin closes.
struct RealServer {
    address: String,
    stdin: Option<ChildStdin>,
    child: Child,
}

impl RealServer {
    fn start(dir: &Path, script: &str) -> Self {
        let mut child = Command::new("python3")
            .arg(dir.join(script))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("port");
        assert!(!line.trim().is_empty(), "{script} did not start");
        RealServer {
            address: format!("127.0.0.1:{}", line.trim()),
            stdin: child.stdin.take(),
            child,
        }
    }

    /// Stops it and waits until it has gone, so that nothing answers at its address.
    fn stop(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
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

impl Drop for RealServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}
