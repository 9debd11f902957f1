//! The command-line shim (`capturemock-shim`, `capturemock::shim`) as a program under test
//! runs it: by name, through a symbolic link in a directory first on `PATH`.
//! - `fixed`: against a tiny server in the test that checks the request's bytes and sends a
//!   fixed reply (output, statuses, death by signal, odd replies, no server, kill messages).
//! - `reference`: against CaptureMock 2.10's own server, side by side with the reference's
//!   own Python shim: the record files must be the same.

mod fixed;
mod reference;

pub use crate::scratch::Scratch;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The shim executable this package builds.
pub fn shim_executable() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_capturemock-shim"))
}

/// A scratch directory for one test, emptied first and removed when the test passes.
pub fn scratch(name: &str) -> Scratch {
    Scratch::new("shim", name)
}

/// `dir/shims/<name>` for each name, linked to our shim; returns `dir/shims`.
pub fn our_shims(dir: &Path, names: &[&str]) -> PathBuf {
    let shims = dir.join("shims");
    std::fs::create_dir_all(&shims).unwrap();
    for name in names {
        std::os::unix::fs::symlink(shim_executable(), shims.join(name)).unwrap();
    }
    shims
}

/// Runs `command` to its end, failing the test if it takes longer than `limit` (a shim that
/// hangs must not hang the test run).
pub fn finish(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "still running after {limit:?}; stdout {:?}, stderr {:?}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Starts `program` (by name or path) with exactly the environment `env`, in `cwd`, with
/// stdout and stderr captured and no stdin.
pub fn spawn(
    program: impl AsRef<OsStr>,
    args: &[&OsStr],
    env: &[(&str, &OsStr)],
    cwd: &Path,
) -> Child {
    Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(n, v)| (n, v)))
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// The shim's exit status and output as text.
pub fn describe(output: &Output) -> String {
    format!(
        "{:?}, stdout {:?}, stderr {:?}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// One exchange, strictly: connect, send, half-close, read to the end. Any error fails.
pub fn exchange(address: &str, message: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.write_all(message).expect("send");
    stream.shutdown(Shutdown::Write).expect("shutdown");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("read the reply");
    reply
}

/// A listener on a free loopback port and its `host:port`.
pub fn listen() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().unwrap().to_string();
    (listener, address)
}

/// Reads one request to its end from a connection accepted on `listener`; panics when none
/// comes within 20 s, so that a server thread never blocks a test for good.
pub fn accept_request(listener: &TcpListener) -> (TcpStream, Vec<u8>) {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "no connection within 20 s");
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut request = Vec::new();
    stream
        .read_to_end(&mut request)
        .expect("the shim half-closes after its request");
    (stream, request)
}

/// Whether `status` is a death by `signal`.
pub fn killed_by(status: ExitStatus, signal: i32) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(signal)
}

/// `shim::executable` looks for the shim beside the running `capturemock`: cargo builds (and
/// installs) the two side by side.
#[test]
fn the_shim_executable_sits_beside_capturemock() {
    let capturemock = Path::new(env!("CARGO_BIN_EXE_capturemock"));
    assert_eq!(
        capturemock.with_file_name(capturemock::shim::EXECUTABLE_NAME),
        shim_executable()
    );
}
