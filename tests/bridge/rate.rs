//! The bridge's exchange rate with the firmware under QEMU (mode `S`: replay `ping N` until
//! the server has no answer), unthrottled and held to 115200 baud by the relay. Printed for
//! BENCHMARKS.md; only a floor is checked, the machine may be busy.

use std::fmt::Write as _;

use capturemock_core::replay::Mode;

use super::relay::RelayOptions;
use super::{run_firmware, scratch, Setup};

/// 115200 baud, 8N1: ten bits a byte.
const BAUD_115200: u32 = 11_520;

fn rate(name: &str, exchanges: u32, relay: RelayOptions) -> Option<f64> {
    let dir = scratch(name);
    let pings = dir.join("pings.mock");
    let mut text = String::new();
    for n in 0..exchanges {
        writeln!(text, "<-CAL:ping {n}\n->RET:pong {n}").unwrap();
    }
    std::fs::write(&pings, text).unwrap();
    // Exact matching: `ping N` past the end gets a mismatch, which ends the firmware's run.
    let setup = Setup {
        replay: Some(pings),
        exact: true,
        ..Setup::default()
    };
    let run = run_firmware(
        b'S',
        Mode::Replay,
        &dir.join("rerecorded.mock"),
        &setup,
        relay,
    )?;
    assert!(
        run.firmware.status.success()
            && run
                .firmware
                .console
                .contains(&format!("stress: {exchanges} exchanges")),
        "firmware: {}\n{}\nbridge: {}",
        run.firmware.status,
        run.firmware.console,
        run.bridge.report
    );
    assert_eq!(
        run.bridge.report.replayed, exchanges,
        "{}",
        run.bridge.report
    );
    let secs = run.relay.busy.as_secs_f64();
    let rate = f64::from(exchanges) / secs;
    let bytes = (run.relay.to_bridge + run.relay.to_device) as f64 / f64::from(exchanges + 1);
    eprintln!(
        "bridge rate, {name}: {exchanges} replay exchanges in {secs:.3} s = {rate:.0} exchanges/s \
         ({bytes:.0} bytes on the line per exchange, both ways)"
    );
    Some(rate)
}

#[test]
fn exchange_rate_unthrottled_and_at_115200_baud() {
    let Some(fast) = rate("unthrottled", 1000, RelayOptions::clean()) else {
        return;
    };
    assert!(fast > 20.0, "{fast:.0} exchanges/s unthrottled");
    let slow = rate(
        "115200 baud",
        200,
        RelayOptions {
            bytes_per_second: Some(BAUD_115200),
            noise: None,
        },
    )
    .unwrap();
    assert!(slow > 10.0, "{slow:.0} exchanges/s at 115200 baud");
    // About 40 bytes per exchange cannot go faster than the line carries them.
    assert!(
        slow < 400.0,
        "{slow:.0} exchanges/s: the throttle did not hold"
    );
}
