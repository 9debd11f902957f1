//! The serial proxy end to end: a simulated AT modem (a thread answering on a socket)
//! recorded through the `capturemock serial-proxy` command and then emulated from the
//! recording; and the QEMU firmware's own modem traffic (mode `A`) through the proxy, recorded
//! and replayed without the modem.
//!
//! Sockets stand in for serial lines here (QEMU's UART is one); the serialport path a real
//! device takes is tested in the std crate on a pty.

pub use crate::scratch::Scratch;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use capturemock::bridge::Link;
use capturemock::serial_proxy::{BackgroundProxy, Framing, ProxyConfig};
use capturemock_core::replay::Mode;

use crate::qemu::Qemu;

/// A modem on a socket: echoes each command (ending in CR) and answers it. Its signal
/// quality drops at each `AT+CSQ`, so a second real run differs from a replayed one.
struct Modem {
    address: String,
    thread: JoinHandle<Vec<String>>,
}

impl Modem {
    fn start() -> Modem {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let thread = std::thread::spawn(move || {
            let (mut line, _) = listener.accept().expect("the proxy connects to the modem");
            line.set_nodelay(true).unwrap();
            line.set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            let mut heard = Vec::new();
            let mut csq = 24;
            let mut command = Vec::new();
            let mut buf = [0u8; 64];
            while let Ok(n @ 1..) = line.read(&mut buf) {
                for &byte in &buf[..n] {
                    command.push(byte);
                    if byte != b'\r' {
                        continue;
                    }
                    let text = String::from_utf8_lossy(&command).into_owned();
                    let answer = match text.as_str() {
                        "AT\r" => "\r\nOK\r\n".to_string(),
                        "ATI\r" => "\r\nSimModem\r\nRevision: 1.0\r\n\r\nOK\r\n".to_string(),
                        "AT+CSQ\r" => {
                            csq -= 3;
                            format!("\r\n+CSQ: {csq},99\r\n\r\nOK\r\n")
                        }
                        "AT+CREG?\r" => "\r\n+CREG: 0,1\r\n\r\nOK\r\n".to_string(),
                        "AT+COPS?\r" => "\r\n+COPS: 0,0,\"SimNet\",7\r\n\r\nOK\r\n".to_string(),
                        _ => "\r\nERROR\r\n".to_string(),
                    };
                    heard.push(text);
                    let mut reply = std::mem::take(&mut command);
                    reply.extend_from_slice(answer.as_bytes());
                    if line.write_all(&reply).is_err() {
                        return heard;
                    }
                }
            }
            heard
        });
        Modem { address, thread }
    }

    /// The commands it heard (it ends when the proxy closes its line).
    fn heard(self) -> Vec<String> {
        self.thread.join().expect("modem thread")
    }
}

fn at_framing() -> Framing {
    Framing {
        delimiter: Some(b"\r".to_vec()),
        idle_gap: None,
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("record file {} not written: {e}", path.display()))
}

/// A scratch directory for one test, emptied first and removed when the test passes.
fn scratch(name: &str) -> Scratch {
    Scratch::new("serial-proxy", name)
}

/// The firmware's modem lines: `modem COMMAND => "ANSWER"`.
fn modem_lines(console: &str) -> Vec<String> {
    console
        .lines()
        .filter(|l| l.starts_with("modem "))
        .map(str::to_owned)
        .collect()
}

/// The firmware in mode `A` with its UART through a proxy; the proxy's report and the
/// firmware's modem lines.
fn firmware_through_proxy(
    peripheral: Option<&str>,
    config: ProxyConfig,
) -> Option<(capturemock::serial_proxy::ProxyReport, Vec<String>)> {
    let qemu = Qemu::start(b'A')?;
    let uart = qemu.uart.try_clone().unwrap();
    let device = Link::from_port(Box::new(uart), Duration::from_millis(10)).unwrap();
    let peripheral = peripheral.map(|address| {
        let stream = TcpStream::connect(address).expect("connect to the modem");
        Link::from_port(Box::new(stream), Duration::from_millis(10)).unwrap()
    });
    let proxy = BackgroundProxy::start(device, peripheral, config).expect("proxy starts");
    let finished = qemu.finish();
    // QEMU closed the UART socket: the proxy sees the device's line close and ends.
    let report = proxy.wait().expect("the proxy ends cleanly");
    assert!(
        finished.status.success(),
        "firmware failed ({}):\n{}\n{}\nproxy: {report}",
        finished.status,
        finished.console,
        finished.stderr
    );
    assert!(
        finished.console.contains("modem: done"),
        "{}",
        finished.console
    );
    Some((report, modem_lines(&finished.console)))
}

#[test]
fn the_firmwares_modem_traffic_is_recorded_then_emulated() {
    let dir = scratch("firmware");
    let recorded = dir.join("modem.mock");
    let modem = Modem::start();
    let Some((report, real)) = firmware_through_proxy(Some(&modem.address), {
        let mut config = ProxyConfig::default();
        config.framing = at_framing();
        config.record = Some(recorded.clone());
        config
    }) else {
        return;
    };
    let heard = modem.heard();
    assert_eq!(
        heard,
        [
            "AT\r",
            "ATI\r",
            "AT+CSQ\r",
            "AT+CREG?\r",
            "AT+CSQ\r",
            "AT+COPS?\r"
        ],
        "what reached the modem"
    );
    assert_eq!((report.requests, report.forwarded), (6, 6), "{report}");
    assert_eq!(
        real[2], r#"modem AT+CSQ\r => "AT+CSQ\r\r\n+CSQ: 21,99\r\n\r\nOK\r\n""#,
        "{real:#?}"
    );
    let text = read(&recorded);
    assert!(
        text.starts_with("<-CLI:AT<CR>\n->SRV:AT<CR><CR><LF>OK<CR><LF>\n<-CLI:ATI<CR>\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 12, "{text}");

    // No modem now: the proxy answers as it did, and records the same file again.
    let replayed = dir.join("replayed.mock");
    let mut config = ProxyConfig::default();
    config.mode = Mode::Replay;
    config.framing = at_framing();
    config.record = Some(replayed.clone());
    config.load_replay(&recorded, false).unwrap();
    let (report, emulated) = firmware_through_proxy(None, config).unwrap();
    assert_eq!(emulated, real, "the emulated modem's answers");
    assert_eq!((report.replayed, report.nearest), (6, 0), "{report}");
    assert_eq!(read(&replayed), text, "the replay's record file");
}

/// `capturemock serial-proxy` as a process, killed by PID if the test fails.
struct ProxyProcess {
    child: Child,
    address: String,
}

impl ProxyProcess {
    fn start(args: &[&str]) -> ProxyProcess {
        let mut child = Command::new(crate::server::harness::binary())
            .arg("serial-proxy")
            .args(["--device", "listen:127.0.0.1:0", "--delimiter", "\\r"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start capturemock serial-proxy");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the device line's address");
        let address = line.trim().to_string();
        assert!(
            address.starts_with("127.0.0.1:"),
            "capturemock serial-proxy printed {address:?}, not its address"
        );
        ProxyProcess { child, address }
    }

    fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "capturemock serial-proxy did not exit after the device's line closed"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        (status, stderr)
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// A device: sends each command and reads the answer up to the final result code.
fn device_session(address: &str, commands: &[&str]) -> Vec<String> {
    let mut line = TcpStream::connect(address).expect("connect to the proxy");
    line.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answers = Vec::new();
    for command in commands {
        line.write_all(command.as_bytes()).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while !(got.ends_with(b"OK\r\n") || got.ends_with(b"ERROR\r\n")) {
            let n = line
                .read(&mut buf)
                .unwrap_or_else(|e| panic!("no answer to {command:?} (got {got:?}): {e}"));
            assert!(n > 0, "the proxy closed the line during {command:?}");
            got.extend_from_slice(&buf[..n]);
        }
        answers.push(String::from_utf8(got).unwrap());
    }
    answers
}

#[test]
fn the_serial_proxy_command_records_a_modem_and_emulates_it() {
    let dir = scratch("cli");
    let recorded = dir.join("modem.mock");
    let commands = ["AT\r", "AT+CSQ\r", "ATI\r", "AT+CSQ\r", "AT+XYZ\r"];
    let modem = Modem::start();
    let peripheral = format!("connect:{}", modem.address);
    let proxy = ProxyProcess::start(&[
        "--peripheral",
        &peripheral,
        "-m",
        "1",
        "-r",
        recorded.to_str().unwrap(),
    ]);
    let real = device_session(&proxy.address, &commands);
    let (status, stderr) = proxy.finish();
    assert!(status.success(), "{status}\n{stderr}");
    assert!(stderr.contains("5 request(s): 5 passed"), "{stderr}");
    assert_eq!(modem.heard().len(), 5);
    assert_eq!(real[1], "AT+CSQ\r\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
    assert_eq!(real[4], "AT+XYZ\r\r\nERROR\r\n");

    let replayed = dir.join("replayed.mock");
    let proxy = ProxyProcess::start(&[
        "-p",
        recorded.to_str().unwrap(),
        "-r",
        replayed.to_str().unwrap(),
        "--fail-on-drift",
    ]);
    let emulated = device_session(&proxy.address, &commands);
    let (status, stderr) = proxy.finish();
    assert!(status.success(), "drift or failure: {status}\n{stderr}");
    assert_eq!(emulated, real, "the emulated modem's bytes");
    assert_eq!(read(&replayed), read(&recorded));

    // A command that shares no word with a recorded one (AT commands are one word each)
    // has no nearest match: no answer, and the summary says so.
    let proxy = ProxyProcess::start(&["-p", recorded.to_str().unwrap()]);
    let mut line = TcpStream::connect(&proxy.address).unwrap();
    line.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    line.write_all(b"AT+CSQ=?\r").unwrap();
    let mut buf = [0u8; 64];
    let silence = line.read(&mut buf);
    assert!(
        silence.as_ref().is_err_and(|e| matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )),
        "an unrecorded command got {silence:?}"
    );
    drop(line);
    let (status, stderr) = proxy.finish();
    assert!(status.success(), "{status}\n{stderr}");
    assert!(stderr.contains("1 unanswered"), "{stderr}");
}

#[test]
fn the_serial_proxy_command_fails_on_a_record_file_it_cannot_write() {
    let dir = scratch("record-fails");
    // Before any line is opened.
    let missing = dir.join("no-such-dir").join("modem.mock");
    let output = Command::new(crate::server::harness::binary())
        .args([
            "serial-proxy",
            "--device",
            "listen:127.0.0.1:0",
            "--delimiter",
            "\\r",
        ])
        .args(["-m", "1", "--peripheral", "connect:127.0.0.1:1", "-r"])
        .arg(&missing)
        .stdin(Stdio::null())
        .output()
        .expect("run capturemock serial-proxy");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(output.stdout, b"", "no line was opened");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("does not exist (create it first)"),
        "{stderr}"
    );

    // During the run: the exchanges are answered, the loss is said, the status is 2.
    if !Path::new("/dev/full").exists() {
        return;
    }
    let modem = Modem::start();
    let peripheral = format!("connect:{}", modem.address);
    let proxy = ProxyProcess::start(&["--peripheral", &peripheral, "-m", "1", "-r", "/dev/full"]);
    let real = device_session(&proxy.address, &["AT\r", "ATI\r"]);
    let (status, stderr) = proxy.finish();
    assert_eq!(real[0], "AT\r\r\nOK\r\n");
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "capturemock: error: the record file /dev/full is incomplete: 2 write(s) failed"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("No space left on device"), "{stderr}");
    modem.heard();
}
