//! Record, replay and mode 2 through the bridge, from the library and from the command line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use capturemock_core::replay::Mode;

use super::relay::{Relay, RelayOptions};
use super::{read, run_firmware, scratch, script, Setup, RECORDED};
use crate::qemu::Qemu;

#[test]
fn record_then_replay_gives_the_same_file_then_mode_two_records_what_is_new() {
    let dir = scratch("runs");
    let recorded = dir.join("recorded.mock");
    let Some(run) = run_firmware(
        b'B',
        Mode::Record,
        &recorded,
        &Setup::default(),
        RelayOptions::clean(),
    ) else {
        return;
    };
    let real = script(&run);
    assert!(real.sources.iter().all(|s| s == "real"), "{real:?}");
    assert_eq!(real.answers.len(), 8, "{real:?}");
    assert_eq!(read(&recorded), RECORDED, "the record run's file");
    let report = run.bridge.report;
    assert_eq!((report.recorded, report.host.served), (8, 8), "{report}");
    assert!(!report.saw_damage(), "a clean line: {report}");

    // Replay: the recorded answers, and the replay recorded again is the replay file.
    let replayed_file = dir.join("replayed.mock");
    let setup = Setup {
        replay: Some(recorded.clone()),
        ..Setup::default()
    };
    let run = run_firmware(
        b'B',
        Mode::Replay,
        &replayed_file,
        &setup,
        RelayOptions::clean(),
    )
    .unwrap();
    let replayed = script(&run);
    assert_eq!(replayed.answers, real.answers);
    assert!(
        replayed.sources.iter().all(|s| s == "replayed"),
        "{replayed:?}"
    );
    assert_eq!(run.bridge.report.replayed, 8, "{}", run.bridge.report);
    assert_eq!(
        read(&replayed_file),
        read(&recorded),
        "the replay run's record file must equal the replay file"
    );
    let server = run.bridge.server.expect("the bridge's own server");
    assert!(server.summary.near_misses.is_empty(), "{server:?}");

    // Mode 2 with the first four exchanges, recording what has no exact match: the device
    // asks its sensor for those two, the rest is replayed.
    let partial = dir.join("partial.mock");
    let first_four: String = RECORDED.lines().take(8).map(|l| format!("{l}\n")).collect();
    std::fs::write(&partial, first_four).unwrap();
    let mixed_file = dir.join("mixed.mock");
    let setup = Setup {
        replay: Some(partial),
        record_unmatched: true,
        ..Setup::default()
    };
    let run = run_firmware(
        b'B',
        Mode::ReplayOldRecordNew,
        &mixed_file,
        &setup,
        RelayOptions::clean(),
    )
    .unwrap();
    let mixed = script(&run);
    assert_eq!(
        mixed.sources,
        ["replayed", "replayed", "replayed", "replayed", "real", "real", "replayed", "replayed"]
    );
    assert_eq!(mixed.answers[..6], real.answers[..6]);
    let report = run.bridge.report;
    assert_eq!(
        (report.replayed, report.no_match, report.recorded),
        (6, 2, 2),
        "{report}"
    );
    // Replayed exchanges are recorded too (as the server does in mode 2); the partial file's
    // groups ran out, so its first ones answered the last two requests.
    assert_eq!(
        read(&mixed_file),
        "<-CAL:read temperature\n->RET:21.5\n<-CAL:read humidity\n->RET:40%\n\
         <-CAL:read counter\n->RET:1\n<-CAL:read counter\n->RET:2\n\
         <-CAL:get firmware version\n->RET:v1.2.3\nbuilt for qemu\n<-CAL:set led on\n->RET:ok\n\
         <-CAL:read temperature\n->RET:21.5\n<-CAL:read counter\n->RET:1\n"
    );
}

/// `capturemock bridge` as a process, killed by PID if the test fails.
pub(super) struct BridgeProcess {
    child: Child,
    pub(super) address: String,
}

impl BridgeProcess {
    pub(super) fn start(args: &[&str]) -> BridgeProcess {
        let mut child = Command::new(crate::server::harness::binary())
            .arg("bridge")
            .args(["--listen", "127.0.0.1:0", "--once"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start capturemock bridge");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening address");
        let address = line.trim().to_string();
        assert!(
            address.starts_with("127.0.0.1:"),
            "capturemock bridge printed {address:?}, not its address"
        );
        BridgeProcess { child, address }
    }

    /// Waits (at most `limit`) for the bridge to exit by itself; its status and stderr.
    pub(super) fn finish(mut self, limit: Duration) -> (std::process::ExitStatus, String) {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "capturemock bridge --once did not exit within {limit:?} after the device's line closed"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            use std::io::Read;
            let _ = pipe.read_to_string(&mut stderr);
        }
        (status, stderr)
    }
}

impl Drop for BridgeProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Runs the firmware's script through a `capturemock bridge` process; its console.
fn through_cli(args: &[&str]) -> Option<(std::process::ExitStatus, String, String)> {
    let bridge = BridgeProcess::start(args);
    let qemu = Qemu::start(b'B')?;
    let relay = Relay::start(
        qemu.uart.try_clone().unwrap(),
        bridge.address.clone(),
        RelayOptions::clean(),
    );
    let firmware = qemu.finish();
    relay.join();
    let (status, stderr) = bridge.finish(Duration::from_secs(20));
    firmware.assert_success();
    Some((status, stderr, firmware.console))
}

#[test]
fn the_bridge_command_records_and_replays_without_drift() {
    let dir = scratch("cli");
    let recorded = dir.join("board.mock");
    let Some((status, stderr, _)) = through_cli(&["-m", "1", "-r", recorded.to_str().unwrap()])
    else {
        return;
    };
    assert!(
        status.success(),
        "capturemock bridge failed: {status}\n{stderr}"
    );
    assert!(
        stderr.contains("8 exchange(s) served (8 recorded"),
        "summary on stderr: {stderr}"
    );
    assert_eq!(read(&recorded), RECORDED);

    let again = dir.join("again.mock");
    let (status, stderr, console) = through_cli(&[
        "-p",
        recorded.to_str().unwrap(),
        "-r",
        again.to_str().unwrap(),
        "--fail-on-drift",
    ])
    .unwrap();
    assert!(
        status.success(),
        "replay through the command drifted or failed: {status}\n{stderr}"
    );
    assert!(console.contains("source 7: replayed"), "{console}");
    assert_eq!(read(&again), RECORDED);
}
