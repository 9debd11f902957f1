//! Running our `capturemock` binary and the reference side by side, with small Python
//! clients written into a scratch directory.

pub use crate::scratch::Scratch;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The `capturemock` binary (this package's; `CAPTUREMOCK_BIN` overrides).
pub fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| match std::env::var_os("CAPTUREMOCK_BIN") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_BIN_EXE_capturemock")),
    })
}

/// A scratch directory for one test, emptied first and removed when the test passes.
pub fn scratch(name: &str) -> Scratch {
    let dir = Scratch::new("server", name);
    std::fs::write(dir.join("client.py"), CLIENT).expect("client script");
    std::fs::write(dir.join("concurrent.py"), CONCURRENT).expect("client script");
    dir
}

/// A client that sends each argument as one exchange and prints the replies as a JSON list.
/// `hex:<hex>` sends raw bytes, `noshut:<text>` does not shut down its write side,
/// `sleep:<seconds>` waits.
const CLIENT: &str = r#"
import json, os, socket, sys, time

def exchange(data, shut=True):
    host, port = os.environ["CAPTUREMOCK_SERVER"].rsplit(":", 1)
    s = socket.create_connection((host, int(port)))
    s.sendall(data)
    if shut:
        s.shutdown(socket.SHUT_WR)
    chunks = []
    while True:
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            break
        if not d:
            break
        chunks.append(d)
    s.close()
    return b"".join(chunks).decode("utf-8", "replace")

replies = []
for arg in sys.argv[1:]:
    if arg.startswith("hex:"):
        replies.append(exchange(bytes.fromhex(arg[4:])))
    elif arg.startswith("noshut:"):
        replies.append(exchange(arg[7:].encode(), shut=False))
    elif arg.startswith("sleep:"):
        time.sleep(float(arg[6:]))
    else:
        replies.append(exchange(arg.encode()))
print(json.dumps(replies))
"#;

/// Connects one socket per argument, in order, then sends the messages from threads in
/// REVERSE order (a short pause between them), so that exchanges complete in the opposite of
/// their accept order. Prints the replies in connection order as a JSON list.
const CONCURRENT: &str = r#"
import json, os, socket, sys, threading, time

host, port = os.environ["CAPTUREMOCK_SERVER"].rsplit(":", 1)
messages = sys.argv[1:]
socks = []
for m in messages:
    socks.append(socket.create_connection((host, int(port))))
    time.sleep(0.01)
replies = [None] * len(messages)

def run(i):
    s = socks[i]
    s.sendall(messages[i].encode())
    s.shutdown(socket.SHUT_WR)
    chunks = []
    while True:
        d = s.recv(65536)
        if not d:
            break
        chunks.append(d)
    s.close()
    replies[i] = b"".join(chunks).decode()

threads = []
for i in reversed(range(len(messages))):
    t = threading.Thread(target=run, args=(i,))
    t.start()
    threads.append(t)
    time.sleep(0.02)
for t in threads:
    t.join()
print(json.dumps(replies))
"#;

/// One finished run.
#[derive(Debug)]
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Run {
            status: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The client's replies (the last stdout line is its JSON list).
    pub fn replies(&self) -> Vec<String> {
        let line = self
            .stdout
            .lines()
            .rev()
            .find(|l| l.starts_with('['))
            .unwrap_or_else(|| {
                panic!(
                    "no replies in stdout {:?}\nstderr: {}",
                    self.stdout, self.stderr
                )
            });
        serde_json::from_str(line).expect("JSON replies")
    }
}

fn run(mut command: Command, dir: &Path, env: &[(&str, &str)]) -> Run {
    command
        .current_dir(dir)
        .env_remove("CAPTUREMOCK_SERVER")
        .env_remove("CAPTUREMOCK_MODE")
        .env_remove("CAPTUREMOCK_RECORD_MODE")
        .env_remove("CAPTUREMOCK_FORBID_REAL")
        .env_remove("CAPTUREMOCK_LOG")
        // rc files come from -R only: no personal ~/.capturemock/config.
        .env("HOME", dir)
        .env("PYTHONUTF8", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    Run::from(command.output().expect("run"))
}

/// Any `program` with `args`, in `dir`, with extra environment variables, set up as our
/// binary is (no inherited CAPTUREMOCK_* settings, `HOME` is `dir`).
pub fn run_program(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(program);
    command.args(args);
    run(command, dir, env)
}

/// Our binary with `args`, in `dir`.
pub fn ours(dir: &Path, args: &[&str]) -> Run {
    ours_with_env(dir, args, &[])
}

/// Our binary with `args`, in `dir`, with extra environment variables.
pub fn ours_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary());
    command.args(args);
    run(command, dir, env)
}

/// The reference's console script with `args`, in `dir`.
pub fn reference(dir: &Path, args: &[&str]) -> Run {
    reference_with_env(dir, args, &[])
}

/// The reference's console script with `args`, in `dir`, with extra environment variables.
///
/// A run that hit the reference's own shutdown race is run again (at most three times in all):
/// when the program's last exchange is still being recorded as the program exits, the
/// reference's command stops its server, which closes the record file under the handler
/// thread (`ValueError: write to closed file` in its stderr) and loses that exchange. The
/// reference is the oracle here, and on a loaded machine this race is common enough to fail a
/// comparison that has nothing to do with us.
pub fn reference_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    const SHUTDOWN_RACE: &str = "ValueError: write to closed file";
    let mut attempts = 0;
    loop {
        let mut command = Command::new("python3");
        command
            .args([
                "-c",
                "import sys, capturemock; sys.exit(capturemock.commandline())",
            ])
            .args(args);
        let result = run(command, dir, env);
        attempts += 1;
        if !result.stderr.contains(SHUTDOWN_RACE) || attempts == 3 {
            return result;
        }
    }
}

/// `args` followed by `python3 client.py messages...`.
pub fn with_client<'a>(args: &[&'a str], messages: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["python3", "client.py"]);
    all.extend(messages);
    all
}

/// `args` followed by `python3 concurrent.py messages...`.
pub fn with_concurrent<'a>(args: &[&'a str], messages: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["python3", "concurrent.py"]);
    all.extend(messages);
    all
}

/// The text of a file in `dir` (`None` when it does not exist).
pub fn read(dir: &Path, name: &str) -> Option<String> {
    std::fs::read(dir.join(name))
        .ok()
        .map(|b| String::from_utf8(b).expect("UTF-8 record file"))
}

/// Writes a file into `dir`.
pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write test file");
}

/// A real classic server in Python: replies `reply to <text>` and a newline.
pub struct RealServer {
    /// `host:port` it listens on.
    pub address: String,
    child: std::process::Child,
}

const REAL_SERVER: &str = r#"
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(50)
print("127.0.0.1:%d" % s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    data = b""
    while True:
        d = c.recv(4096)
        if not d: break
        data += d
    if data == b"quit":
        c.close(); break
    c.sendall(b"reply to " + data + b"\n")
    c.close()
"#;

impl RealServer {
    /// Starts it and waits for its address.
    pub fn start() -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new("python3")
            .args(["-c", REAL_SERVER])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("address");
        RealServer {
            address: line.trim().to_string(),
            child,
        }
    }

    /// Stops it.
    pub fn stop(mut self) {
        use std::io::Write;
        if let Ok(mut s) = std::net::TcpStream::connect(&self.address) {
            let _ = s.write_all(b"quit");
        }
        let _ = self.child.wait();
    }
}

/// Our binary with `--server-only`, its address read from stdout and its stderr collected by
/// a thread (a server that logs a lot must not block on a full pipe).
pub struct ServerOnly {
    pub address: String,
    child: std::process::Child,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl ServerOnly {
    pub fn start(dir: &Path, args: &[&str]) -> Self {
        use std::io::{BufRead, Read};
        let mut child = Command::new(binary())
            .arg("--server-only")
            .args(args)
            .current_dir(dir)
            .env("HOME", dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start server");
        let mut stderr = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("address line");
        ServerOnly {
            address: line.trim().to_string(),
            child,
            stderr: Some(stderr),
        }
    }

    /// One exchange as a lenient client: an error reading the reply gives what was read.
    pub fn send(&self, message: &str) -> String {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.address).expect("connect");
        s.write_all(message.as_bytes()).expect("send");
        s.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        reply
    }

    /// Sends `TERMINATE_SERVER` without waiting for the server to stop.
    pub fn tell_to_stop(&self) {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&self.address).expect("connect");
        s.write_all(b"TERMINATE_SERVER\n").expect("send");
        s.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let mut reply = Vec::new();
        s.read_to_end(&mut reply)
            .expect("the server closes the connection");
    }

    /// Waits for the server to exit; returns its exit status and stderr.
    pub fn wait(mut self) -> (Option<i32>, String) {
        let status = self.child.wait().expect("wait");
        let stderr = self
            .stderr
            .take()
            .map(|t| t.join().expect("stderr reader"))
            .unwrap_or_default();
        (status.code(), stderr)
    }

    /// Sends `TERMINATE_SERVER` and waits; returns exit status and stderr.
    pub fn terminate(self) -> (Option<i32>, String) {
        self.tell_to_stop();
        self.wait()
    }
}

impl Drop for ServerOnly {
    fn drop(&mut self) {
        // A test that failed half-way must not leave the server running.
        if self.stderr.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Whether the reference can run (python3 imports capturemock); with
/// `CAPTUREMOCK_REQUIRE_REFERENCE` set it must, so a missing reference fails the test rather
/// than skipping it. `what` names what is skipped, for the notice.
pub fn reference_available(what: &str) -> bool {
    python_module_available("capturemock", &format!("the reference CaptureMock; {what}"))
}

/// Runs Python `script` (its text) with `args` and reads what it prints, one JSON value a line:
/// the oracle of the tests that check our Python texts against Python's own. A failed run
/// fails the test, with what Python said.
pub fn python_json_lines(script: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Whether python3 imports `module`, which the reference's tests or their real peers need
/// (`what` says who, and what is skipped without it). Where the reference is required
/// (`CAPTUREMOCK_REQUIRE_REFERENCE`, set by `scripts/test-all.sh`), it must: a missing module
/// fails the test rather than skipping it.
pub fn python_module_available(module: &str, what: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CAPTUREMOCK_REQUIRE_REFERENCE").is_none(),
            "CAPTUREMOCK_REQUIRE_REFERENCE is set but python3 cannot import {module}"
        );
        eprintln!("note: python3 cannot import {module} ({what}): skipped");
    }
    ok
}
