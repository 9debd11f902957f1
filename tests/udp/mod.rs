//! `server_protocol = classic_udp` end to end: our binary and the reference on the same
//! sessions (each replaying the other's record files, and recording the same session byte
//! for byte), bad datagrams from many clients at once, and broadcast in a network namespace
//! of the test's own.

mod bad_input;
mod broadcast;
mod interop;
mod order;

use std::path::Path;

use crate::server::harness::{scratch, write};

/// The strict UDP client (`COUNT:MESSAGE` arguments, JSON replies).
const CLIENT: &str = include_str!("client.py");
/// A real UDP server that ends each reply with an empty datagram.
const REAL_SERVER: &str = include_str!("real_server.py");
/// A real server that answers broadcasts.
const BROADCAST_SERVER: &str = include_str!("broadcast_server.py");

/// A scratch directory with the scripts and `udp.rc` (classic_udp, plus `rc_extra`).
fn udp_scratch(name: &str, rc_extra: &str) -> crate::scratch::Scratch {
    let dir = scratch(&format!("udp-{name}"));
    write(&dir, "udp_client.py", CLIENT);
    write(&dir, "real_server.py", REAL_SERVER);
    write(&dir, "broadcast_server.py", BROADCAST_SERVER);
    write(
        &dir,
        "udp.rc",
        &format!("[general]\nserver_protocol = classic_udp\n{rc_extra}"),
    );
    dir
}

/// `args`, then the UDP client with `messages`.
fn with_udp_client<'a>(args: &[&'a str], messages: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["python3", "udp_client.py"]);
    all.extend(messages);
    all
}

/// A real UDP server (real_server.py) on loopback.
struct RealUdpServer {
    address: String,
    child: std::process::Child,
}

impl RealUdpServer {
    fn start(dir: &Path) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new("python3")
            .arg(dir.join("real_server.py"))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("address");
        RealUdpServer {
            address: line.trim().to_string(),
            child,
        }
    }
}

impl Drop for RealUdpServer {
    fn drop(&mut self) {
        if let Ok(socket) = std::net::UdpSocket::bind("127.0.0.1:0") {
            let _ = socket.send_to(b"quit", &self.address);
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
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
