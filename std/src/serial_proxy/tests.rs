//! A device and a simulated AT modem on socket pairs, the proxy between them.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use capturemock_core::replay::{Mode, NewRequestPolicy};

use super::*;

const POLL: Duration = Duration::from_millis(10);

/// An AT modem with echo on: each command ending in `\r` is echoed and answered.
fn modem(mut line: UnixStream) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut csq = 21;
        let mut command = Vec::new();
        let mut byte = [0u8];
        while let Ok(1) = line.read(&mut byte) {
            command.push(byte[0]);
            if byte[0] != b'\r' {
                continue;
            }
            let answer = match &command[..] {
                b"AT\r" => "\r\nOK\r\n".to_string(),
                b"AT+CSQ\r" => {
                    csq -= 1;
                    format!("\r\n+CSQ: {csq},0\r\n\r\nOK\r\n")
                }
                b"ATI\r" => "\r\nQuectel\r\nEC25\r\n\r\nOK\r\n".to_string(),
                _ => "\r\nERROR\r\n".to_string(),
            };
            let mut reply = std::mem::take(&mut command);
            reply.extend_from_slice(answer.as_bytes());
            if line.write_all(&reply).is_err() {
                return;
            }
        }
    })
}

/// Sends `command` and reads until the final result code.
fn at(device: &mut UnixStream, command: &str) -> String {
    device.write_all(command.as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !(got.ends_with(b"OK\r\n") || got.ends_with(b"ERROR\r\n")) {
        let n = device.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "the line closed after {:?}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8(got).unwrap()
}

fn link(end: UnixStream) -> Link {
    Link::from_port(Box::new(end), POLL).unwrap()
}

fn at_framing() -> Framing {
    Framing {
        delimiter: Some(b"\r".to_vec()),
        idle_gap: None,
    }
}

const SCRIPT: [&str; 4] = ["AT\r", "AT+CSQ\r", "ATI\r", "AT+CSQ\r"];

#[test]
fn records_a_modem_then_answers_as_it() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("modem.mock");

    let (mut device, proxy_device) = UnixStream::pair().unwrap();
    device
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let (proxy_modem, modem_end) = UnixStream::pair().unwrap();
    let modem = modem(modem_end);
    let proxy = BackgroundProxy::start(
        link(proxy_device),
        Some(link(proxy_modem)),
        ProxyConfig {
            framing: at_framing(),
            record: Some(recorded.clone()),
            poll: POLL,
            ..ProxyConfig::default()
        },
    )
    .unwrap();
    let real: Vec<String> = SCRIPT.iter().map(|c| at(&mut device, c)).collect();
    assert_eq!(real[1], "AT+CSQ\r\r\n+CSQ: 20,0\r\n\r\nOK\r\n");
    drop(device);
    let report = proxy.wait().unwrap();
    drop(modem);
    assert_eq!((report.requests, report.forwarded), (4, 4), "{report}");
    assert_eq!(report.recorded_exchanges, 4, "{report}");
    let text = std::fs::read_to_string(&recorded).unwrap();
    assert_eq!(
        text,
        "<-CLI:AT<CR>\n->SRV:AT<CR><CR><LF>OK<CR><LF>\n\
         <-CLI:AT+CSQ<CR>\n->SRV:AT+CSQ<CR><CR><LF>+CSQ: 20,0<CR><LF><CR><LF>OK<CR><LF>\n\
         <-CLI:ATI<CR>\n->SRV:ATI<CR><CR><LF>Quectel<CR><LF>EC25<CR><LF><CR><LF>OK<CR><LF>\n\
         <-CLI:AT+CSQ<CR>\n->SRV:AT+CSQ<CR><CR><LF>+CSQ: 19,0<CR><LF><CR><LF>OK<CR><LF>\n"
    );

    // Replay: no modem; the same bytes back, and the same file recorded again.
    let rerecorded = dir.path().join("replayed.mock");
    let (mut device, proxy_device) = UnixStream::pair().unwrap();
    device
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut config = ProxyConfig {
        mode: Mode::Replay,
        framing: at_framing(),
        record: Some(rerecorded.clone()),
        poll: POLL,
        ..ProxyConfig::default()
    };
    config.load_replay(&recorded, false).unwrap();
    let proxy = BackgroundProxy::start(link(proxy_device), None, config).unwrap();
    let replayed: Vec<String> = SCRIPT.iter().map(|c| at(&mut device, c)).collect();
    assert_eq!(replayed, real);
    drop(device);
    let report = proxy.wait().unwrap();
    assert_eq!((report.replayed, report.nearest), (4, 0), "{report}");
    assert_eq!(std::fs::read_to_string(&rerecorded).unwrap(), text);
}

#[test]
fn mode_two_asks_the_modem_only_for_what_the_file_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.mock");
    std::fs::write(
        &old,
        "<-CLI:AT<CR>\n->SRV:AT<CR><CR><LF>OK<CR><LF>\n\
         <-CLI:AT+CSQ<CR>\n->SRV:AT+CSQ<CR><CR><LF>+CSQ: 31,0<CR><LF><CR><LF>OK<CR><LF>\n",
    )
    .unwrap();
    let new = dir.path().join("new.mock");
    let (mut device, proxy_device) = UnixStream::pair().unwrap();
    device
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let (proxy_modem, modem_end) = UnixStream::pair().unwrap();
    let modem = modem(modem_end);
    let mut config = ProxyConfig {
        mode: Mode::ReplayOldRecordNew,
        framing: at_framing(),
        record: Some(new.clone()),
        new_requests: NewRequestPolicy::RecordUnmatched,
        poll: POLL,
        ..ProxyConfig::default()
    };
    config.load_replay(&old, false).unwrap();
    let proxy =
        BackgroundProxy::start(link(proxy_device), Some(link(proxy_modem)), config).unwrap();
    assert_eq!(
        at(&mut device, "AT+CSQ\r"),
        "AT+CSQ\r\r\n+CSQ: 31,0\r\n\r\nOK\r\n"
    );
    assert_eq!(
        at(&mut device, "ATI\r"),
        "ATI\r\r\nQuectel\r\nEC25\r\n\r\nOK\r\n"
    );
    drop(device);
    let report = proxy.wait().unwrap();
    drop(modem);
    assert_eq!((report.replayed, report.forwarded), (1, 1), "{report}");
    assert_eq!(
        std::fs::read_to_string(&new).unwrap(),
        "<-CLI:AT+CSQ<CR>\n->SRV:AT+CSQ<CR><CR><LF>+CSQ: 31,0<CR><LF><CR><LF>OK<CR><LF>\n\
         <-CLI:ATI<CR>\n->SRV:ATI<CR><CR><LF>Quectel<CR><LF>EC25<CR><LF><CR><LF>OK<CR><LF>\n"
    );
}

#[test]
fn an_idle_gap_frames_a_protocol_without_delimiters() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("sensor.mock");
    let (mut device, proxy_device) = UnixStream::pair().unwrap();
    device
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let (proxy_sensor, mut sensor) = UnixStream::pair().unwrap();
    let sensor_thread = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        while let Ok(n @ 1..) = sensor.read(&mut buf) {
            let reply: &[u8] = if buf[..n].starts_with(b"T?") {
                b"T=21.5"
            } else {
                b"?"
            };
            if sensor.write_all(reply).is_err() {
                return;
            }
        }
    });
    let proxy = BackgroundProxy::start(
        link(proxy_device),
        Some(link(proxy_sensor)),
        ProxyConfig {
            framing: Framing {
                delimiter: None,
                idle_gap: Some(Duration::from_millis(30)),
            },
            record: Some(recorded.clone()),
            poll: POLL,
            ..ProxyConfig::default()
        },
    )
    .unwrap();
    for request in ["T?", "H?"] {
        device.write_all(request.as_bytes()).unwrap();
        let mut buf = [0u8; 16];
        let n = device.read(&mut buf).unwrap();
        assert!(n > 0);
        // Longer than the gap: the next request is a new message.
        std::thread::sleep(Duration::from_millis(80));
    }
    drop(device);
    proxy.wait().unwrap();
    sensor_thread.join().unwrap();
    assert_eq!(
        std::fs::read_to_string(&recorded).unwrap(),
        "<-CLI:T?\n->SRV:T=21.5\n<-CLI:H?\n->SRV:?\n"
    );
}

#[test]
fn recording_needs_a_peripheral() {
    let (_device, proxy_device) = UnixStream::pair().unwrap();
    let err = BackgroundProxy::start(link(proxy_device), None, ProxyConfig::default()).unwrap_err();
    assert!(err.to_string().contains("give one"), "{err}");
}
