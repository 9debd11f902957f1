//! Noise between QEMU and the bridge: random bytes in, bytes lost, bits flipped, and the
//! bridge's connection reset in the middle of frames. The bridge must resynchronise, report
//! what it dropped, and record exactly what a clean run records.

use capturemock_core::replay::Mode;

use super::relay::{Noise, RelayOptions};
use super::{read, run_firmware, scratch, script, Setup, RECORDED};

fn noisy(seed: u64) -> RelayOptions {
    RelayOptions {
        bytes_per_second: None,
        noise: Some(Noise {
            seed,
            chance: 0.06,
            max_faults: 14,
            resets_at: vec![5, 30],
        }),
    }
}

#[test]
fn noise_costs_repeats_never_a_corrupt_or_double_record() {
    let dir = scratch("noise");
    let clean = dir.join("clean.mock");
    let Some(run) = run_firmware(
        b'B',
        Mode::Record,
        &clean,
        &Setup::default(),
        RelayOptions::clean(),
    ) else {
        return;
    };
    let expected = script(&run);

    let recorded = dir.join("noisy.mock");
    let run = run_firmware(b'B', Mode::Record, &recorded, &Setup::default(), noisy(7)).unwrap();
    let report = run.bridge.report;
    eprintln!("noisy record run: relay {:?}\n{report}", run.relay);
    let got = script(&run);
    assert_eq!(
        got.answers, expected.answers,
        "the device saw other answers"
    );
    // Exactly the clean run's exchanges, each once, nothing damaged.
    assert_eq!(read(&recorded), RECORDED, "the noisy run's record file");
    assert_eq!(report.recorded, 8, "{report}");
    // The relay did damage, and the bridge reported it.
    let relay = &run.relay;
    assert!(relay.resets >= 1, "no reset happened: {relay:?}");
    assert!(
        relay.garbage + relay.dropped + relay.flipped > 0,
        "no noise injected: {relay:?}"
    );
    assert_eq!(
        report.connections as usize,
        1 + relay.resets,
        "one connection per reset more: {report}"
    );
    assert!(
        report.decoder.skips() > 0 || report.unfinished_bytes > 0,
        "the bridge reported no damage: {report}"
    );
    assert!(
        report.decoder.skipped_bytes as u64 + report.unfinished_bytes > 0,
        "{report}"
    );

    // Replay through noise with another pattern: the recorded answers, and the replay's
    // record file is the replay file.
    let replayed = dir.join("replayed.mock");
    let setup = Setup {
        replay: Some(recorded.clone()),
        ..Setup::default()
    };
    let run = run_firmware(b'B', Mode::Replay, &replayed, &setup, noisy(11)).unwrap();
    eprintln!(
        "noisy replay run: relay {:?}\n{}",
        run.relay, run.bridge.report
    );
    let got = script(&run);
    assert_eq!(got.answers, expected.answers);
    assert!(got.sources.iter().all(|s| s == "replayed"), "{got:?}");
    assert_eq!(read(&replayed), RECORDED, "the noisy replay's record file");
    assert_eq!(run.bridge.report.replayed, 8, "{}", run.bridge.report);
}
