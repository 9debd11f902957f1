//! A device client (capturemock-core's `link::LinkClient`) on one end of a socket pair, the
//! bridge and an in-process server on the other: the record file is an ordinary `.mock`.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use capturemock_core::link::{LinkClient, LinkConfig, Source};
use capturemock_core::replay::{Mode, NewRequestPolicy};

use super::*;
use crate::server::ServerConfig;

const POLL: Duration = Duration::from_millis(20);

/// A std stream as an `embedded_io` transport whose read timeouts are `TimedOut`.
struct StdIo<T>(T);

#[derive(Debug)]
struct IoError(std::io::ErrorKind);

impl embedded_io::Error for IoError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self.0 {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                embedded_io::ErrorKind::TimedOut
            }
            _ => embedded_io::ErrorKind::Other,
        }
    }
}

impl<T> embedded_io::ErrorType for StdIo<T> {
    type Error = IoError;
}

impl<T: Read> embedded_io::Read for StdIo<T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
        self.0.read(buf).map_err(|e| IoError(e.kind()))
    }
}

impl<T: Write> embedded_io::Write for StdIo<T> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
        self.0.write(buf).map_err(|e| IoError(e.kind()))
    }
    fn flush(&mut self) -> Result<(), IoError> {
        self.0.flush().map_err(|e| IoError(e.kind()))
    }
}

type Device = LinkClient<StdIo<std::os::unix::net::UnixStream>, 512>;

/// A bridge on one end of a socket pair, serving until the device closes the other end.
fn start_bridge(config: ServerConfig) -> (BackgroundBridge, Device) {
    let (host_end, device_end) = std::os::unix::net::UnixStream::pair().unwrap();
    device_end
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let link = Link::from_port(Box::new(host_end), POLL).unwrap();
    let bridge = BackgroundBridge::start(link, Host::Start { config, port: 0 }, false).unwrap();
    (
        bridge,
        LinkClient::new(StdIo(device_end), LinkConfig::new(0x5EED)),
    )
}

fn config(mode: Mode, replay: Option<&Path>, record: &Path) -> ServerConfig {
    let mut config = ServerConfig {
        mode,
        record: Some(record.to_path_buf()),
        ..ServerConfig::default()
    };
    if let Some(replay) = replay {
        config.load_replay(replay).unwrap();
    }
    config
}

fn exchange(device: &mut Device, request: &str, real: &str) -> (String, Source) {
    let mut out = [0u8; 128];
    let got = device
        .exchange(request, &mut out, |_, buf| {
            buf[..real.len()].copy_from_slice(real.as_bytes());
            real.len()
        })
        .unwrap();
    (
        String::from_utf8(out[..got.len].to_vec()).unwrap(),
        got.source,
    )
}

const RECORDED: &str = "<-CAL:read temperature\n->RET:21.5\n<-CAL:read humidity\n->RET:40%\n\
                        <-CAL:version\n->RET:v1\nbuilt today\n";

#[test]
fn record_replay_and_mode_two_through_the_bridge() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("device.mock");

    // Record: the device's real exchanges become custom-client records.
    let (bridge, mut device) = start_bridge(config(Mode::Record, None, &recorded));
    assert_eq!(device.connect().unwrap(), Mode::Record);
    for (request, real) in [
        ("read temperature", "21.5"),
        ("read humidity", "40%"),
        ("version", "v1\nbuilt today"),
    ] {
        assert_eq!(
            exchange(&mut device, request, real),
            (real.to_string(), Source::Real)
        );
    }
    drop(device);
    let run = bridge.wait().unwrap();
    assert_eq!(run.report.recorded, 3, "{}", run.report);
    assert_eq!(run.report.host.served, 3);
    assert!(!run.report.saw_damage(), "{}", run.report);
    assert_eq!(std::fs::read_to_string(&recorded).unwrap(), RECORDED);

    // Replay: answers from the file, recorded again as the same file.
    let rerecorded = dir.path().join("replayed.mock");
    let (bridge, mut device) = start_bridge(config(Mode::Replay, Some(&recorded), &rerecorded));
    for (request, recorded_answer) in [
        ("read temperature", "21.5"),
        ("read humidity", "40%"),
        ("version", "v1\nbuilt today"),
    ] {
        assert_eq!(
            exchange(&mut device, request, "not asked"),
            (recorded_answer.to_string(), Source::Replayed)
        );
    }
    drop(device);
    let run = bridge.wait().unwrap();
    assert_eq!(run.report.replayed, 3, "{}", run.report);
    assert_eq!(std::fs::read_to_string(&rerecorded).unwrap(), RECORDED);

    // Mode 2, recording what has no exact match: the device asks the real thing for it.
    let mixed = dir.path().join("mixed.mock");
    let mut server = config(Mode::ReplayOldRecordNew, Some(&recorded), &mixed);
    server.new_requests = NewRequestPolicy::RecordUnmatched;
    let (bridge, mut device) = start_bridge(server);
    assert_eq!(
        exchange(&mut device, "read humidity", "99%"),
        ("40%".to_string(), Source::Replayed)
    );
    assert_eq!(
        exchange(&mut device, "read pressure", "1013 hPa"),
        ("1013 hPa".to_string(), Source::Real)
    );
    drop(device);
    let run = bridge.wait().unwrap();
    assert_eq!((run.report.replayed, run.report.no_match), (1, 1));
    assert_eq!(run.report.recorded, 1);
    assert_eq!(
        std::fs::read_to_string(&mixed).unwrap(),
        "<-CAL:read humidity\n->RET:40%\n<-CAL:read pressure\n->RET:1013 hPa\n"
    );
}

#[test]
fn mode_two_with_the_reference_policy_replays_whatever_the_file_can_answer() {
    let dir = tempfile::tempdir().unwrap();
    let replay = dir.path().join("old.mock");
    std::fs::write(&replay, RECORDED).unwrap();
    let record = dir.path().join("new.mock");
    let (bridge, mut device) =
        start_bridge(config(Mode::ReplayOldRecordNew, Some(&replay), &record));
    // Nearest recorded request, as the server answers any custom client in mode 2.
    assert_eq!(
        exchange(&mut device, "read temperature now", "20.0"),
        ("21.5".to_string(), Source::Replayed)
    );
    drop(device);
    let run = bridge.wait().unwrap();
    assert_eq!(run.report.no_match, 0, "{}", run.report);
}

#[test]
fn damaged_bytes_are_reported_and_never_reach_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("noisy.mock");
    let (host_end, mut line) = std::os::unix::net::UnixStream::pair().unwrap();
    line.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let link = Link::from_port(Box::new(host_end), POLL).unwrap();
    let bridge = BackgroundBridge::start(
        link,
        Host::Start {
            config: config(Mode::Record, None, &record),
            port: 0,
        },
        false,
    )
    .unwrap();
    let mut frame = [0u8; 64];
    let hello = capturemock_core::link::DeviceMessage::Hello(capturemock_core::link::Hello {
        version: capturemock_core::link::PROTOCOL_VERSION,
        session: 7,
        max_frame: 512,
    });
    let n = capturemock_core::link::encode(&hello, &mut frame).unwrap();
    line.write_all(&frame[..n]).unwrap();
    let record_frame = capturemock_core::link::DeviceMessage::Record {
        seq: 1,
        request: "get",
        response: "value",
    };
    let n = capturemock_core::link::encode(&record_frame, &mut frame).unwrap();
    let mut damaged = frame[..n].to_vec();
    damaged[4] ^= 0x20;
    // Garbage, the damaged frame, then half a frame cut off by the end of the connection.
    line.write_all(&[0x13, 0x37, 0x00]).unwrap();
    line.write_all(&damaged).unwrap();
    line.write_all(&frame[..n / 2]).unwrap();
    // Welcome, then a Nak for each damaged chunk.
    let mut answers = Vec::new();
    let mut buf = [0u8; 256];
    while answers.iter().filter(|&&b| b == 0).count() < 6 {
        let got = line.read(&mut buf).unwrap();
        answers.extend_from_slice(&buf[..got]);
    }
    drop(line);
    let run = bridge.wait().unwrap();
    let report = run.report;
    assert_eq!(report.decoder.skips(), 2, "{report}");
    assert_eq!(report.decoder.checksum, 1, "{report}");
    assert_eq!(report.host.naks, 2, "{report}");
    assert_eq!(report.unfinished_bytes as usize, n / 2 - 1, "{report}");
    assert_eq!(report.recorded, 0);
    assert!(
        !record.exists(),
        "nothing may be recorded from damaged frames"
    );
}

/// The path a real board's USB serial adapter takes: the serialport crate on a terminal.
#[cfg(target_os = "linux")]
#[test]
fn a_serial_device_is_bridged() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("serial.mock");
    let pty = nix::pty::openpty(None, None).unwrap();
    let path = nix::unistd::ttyname(&pty.slave).unwrap();
    let endpoint = Endpoint::Serial {
        path: path.to_string_lossy().into_owned(),
        baud: 115_200,
    };
    let link = endpoint.open(POLL).unwrap();
    let bridge = BackgroundBridge::start(
        link,
        Host::Start {
            config: config(Mode::Record, None, &record),
            port: 0,
        },
        false,
    )
    .unwrap();
    // The pty's master is the device's UART; nothing is lost, so blocking reads will do.
    let master = std::fs::File::from(pty.master);
    let mut device: LinkClient<_, 512> = LinkClient::new(StdIo(master), LinkConfig::new(1));
    assert_eq!(device.connect().unwrap(), Mode::Record);
    device.record("AT+CSQ", "+CSQ: 20,0").unwrap();
    let run = bridge.stop().unwrap();
    assert_eq!(run.report.recorded, 1, "{}", run.report);
    assert_eq!(
        std::fs::read_to_string(&record).unwrap(),
        "<-CAL:AT+CSQ\n->RET:+CSQ: 20,0\n"
    );
    drop(pty.slave);
}

/// QEMU's `server=on` chardevs: the bridge connects to the line, over TCP and a Unix socket,
/// and ends with it.
#[test]
fn the_bridge_connects_to_a_listening_line() {
    let dir = tempfile::tempdir().unwrap();
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let unix_path = dir.path().join("uart.sock");
    let unix = std::os::unix::net::UnixListener::bind(&unix_path).unwrap();
    let lines = [
        Endpoint::socket(&tcp.local_addr().unwrap().to_string(), false).unwrap(),
        Endpoint::socket(&format!("unix:{}", unix_path.display()), false).unwrap(),
    ];
    for (i, endpoint) in lines.iter().enumerate() {
        let record = dir.path().join(format!("line{i}.mock"));
        let link = endpoint.open(POLL).unwrap();
        assert!(!link.is_listener());
        let bridge = BackgroundBridge::start(
            link,
            Host::Start {
                config: config(Mode::Record, None, &record),
                port: 0,
            },
            false,
        )
        .unwrap();
        let request = format!("line {i}");
        if i == 0 {
            let (stream, _) = tcp.accept().unwrap();
            let mut device: LinkClient<_, 512> = LinkClient::new(StdIo(stream), LinkConfig::new(2));
            device.record(&request, "up").unwrap();
        } else {
            let (stream, _) = unix.accept().unwrap();
            let mut device: LinkClient<_, 512> = LinkClient::new(StdIo(stream), LinkConfig::new(3));
            device.record(&request, "up").unwrap();
        }
        // The device's line closed: a bridge that connected ends with it.
        let run = bridge.wait().unwrap();
        assert_eq!(run.report.recorded, 1, "{}", run.report);
        assert_eq!(
            std::fs::read_to_string(&record).unwrap(),
            format!("<-CAL:{request}\n->RET:up\n")
        );
    }
}
