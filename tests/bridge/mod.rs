//! The firmware of `examples/firmware-qemu` in link-client mode, under QEMU, through our
//! bridge (`capturemock::bridge`, listening on a TCP socket) to our server: record, replay,
//! mode 2, noise on the line, the command line, and the exchange rate.
//!
//! QEMU's UART0 socket is the harness's (tests/qemu: it listens, QEMU connects, the mode
//! byte goes first); a relay in this test carries the bytes on to the bridge's listening
//! socket, injecting noise or holding them to a baud rate on the way.

mod hal;
mod hal_model;
mod noise;
mod rate;
mod relay;
mod runs;

pub use crate::scratch::Scratch;
use std::path::{Path, PathBuf};
use std::time::Duration;

use capturemock::bridge::{BackgroundBridge, BridgeRun, Endpoint, Host};
use capturemock::server::ServerConfig;
use capturemock_core::replay::{Mode, NewRequestPolicy};

use crate::qemu::{Finished, Qemu};
use relay::{Relay, RelayOptions, RelayStats};

/// How the bridge's server is set up.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    pub replay: Option<PathBuf>,
    pub exact: bool,
    pub record_unmatched: bool,
}

/// A bridge with its own server, listening on an ephemeral port.
pub fn start_bridge(mode: Mode, record: &Path, setup: &Setup) -> BackgroundBridge {
    let mut config = ServerConfig::default();
    config.mode = mode;
    config.record = Some(record.to_path_buf());
    config.exact_matching = setup.exact;
    config.trim_requests = setup.exact;
    if setup.record_unmatched {
        config.new_requests = NewRequestPolicy::RecordUnmatched;
    }
    if let Some(replay) = &setup.replay {
        config
            .load_replay(replay)
            .unwrap_or_else(|e| panic!("replay file {}: {e}", replay.display()));
    }
    start_bridge_for(Host::Start { config, port: 0 }).0
}

/// A bridge serving `host`, its device side listening on an ephemeral socket; and that
/// socket's address, for the firmware's relay.
pub fn start_bridge_for(host: Host) -> (BackgroundBridge, String) {
    let link = Endpoint::socket("127.0.0.1:0", true)
        .unwrap()
        .open(Duration::from_millis(20))
        .expect("the bridge listens");
    let bridge = BackgroundBridge::start(link, host, false).expect("bridge starts");
    let address = bridge
        .link_address()
        .expect("the link's address")
        .to_string();
    (bridge, address)
}

/// One firmware run through a bridge.
pub struct Run {
    pub bridge: BridgeRun,
    pub firmware: Finished,
    pub relay: RelayStats,
}

/// Boots the firmware in `mode_byte`, relays its UART to a new bridge and back, and waits
/// until the firmware exits. `None` when QEMU is missing and may be skipped.
pub fn run_firmware(
    mode_byte: u8,
    mode: Mode,
    record: &Path,
    setup: &Setup,
    relay: RelayOptions,
) -> Option<Run> {
    let bridge = start_bridge(mode, record, setup);
    let qemu = Qemu::start(mode_byte)?;
    let address = bridge.link_address().expect("listening").to_string();
    let uart = qemu.uart.try_clone().expect("clone the UART socket");
    let relay = Relay::start(uart, address, relay);
    // The firmware exits when its script is done (or the harness's deadline kills it); QEMU
    // then closes the socket, which ends the relay.
    let firmware = qemu.finish();
    let relay = relay.join();
    let bridge = bridge.stop().expect("the bridge stops cleanly");
    Some(Run {
        bridge,
        firmware,
        relay,
    })
}

/// The firmware's script output: `answer N: request => "text"` and where each came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub answers: Vec<String>,
    pub sources: Vec<String>,
}

/// The script output of a run, after checking that the firmware succeeded.
pub fn script(run: &Run) -> Script {
    let f = &run.firmware;
    assert!(
        f.status.success(),
        "firmware failed ({}); console:\n{}\nqemu stderr:\n{}\nbridge: {}",
        f.status,
        f.console,
        f.stderr,
        run.bridge.report
    );
    let pick = |prefix: &str| -> Vec<String> {
        f.console
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    };
    Script {
        answers: pick("answer "),
        sources: pick("source ")
            .iter()
            .map(|l| l.rsplit(": ").next().unwrap_or("").to_owned())
            .collect(),
    }
}

/// A scratch directory for one test, emptied first and removed when the test passes.
pub fn scratch(name: &str) -> Scratch {
    Scratch::new("bridge", name)
}

/// The file's text, or a message saying it is missing.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("record file {} not written: {e}", path.display()))
}

/// What the firmware's simulated sensor answers in a record run (firmware-qemu's
/// `bridge::SCRIPT`), as the server records it.
pub const RECORDED: &str = "\
<-CAL:read temperature
->RET:21.5
<-CAL:read humidity
->RET:40%
<-CAL:read counter
->RET:1
<-CAL:read counter
->RET:2
<-CAL:get firmware version
->RET:v1.2.3
built for qemu
<-CAL:set led on
->RET:ok
<-CAL:read temperature
->RET:21.8
<-CAL:read counter
->RET:3
";
