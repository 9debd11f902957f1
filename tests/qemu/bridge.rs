//! The firmware's link client against a host played by the test (capturemock-core's
//! `HostSession`): record, replay, mode 2, noise on the line, throughput.

use capturemock_core::link::{DeviceRequest, HostEvent, LocalReplay};
use capturemock_core::replay::{ArrayStorage, LookupScratch, MatchOptions, Mode};

use super::host::{to_mock, Fault, Faults, PlayedHost, Seen, Served};
use super::{Finished, Qemu};

/// What the firmware printed for its script: the answer lines and the source lines.
#[derive(Debug, PartialEq, Eq)]
struct Console {
    answers: Vec<String>,
    sources: Vec<String>,
    stats: String,
}

fn console(finished: &Finished) -> Console {
    finished.assert_success();
    let lines = finished.console.lines();
    let pick = |prefix: &str| -> Vec<String> {
        lines
            .clone()
            .filter(|l| l.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    };
    Console {
        answers: pick("answer "),
        sources: pick("source ")
            .iter()
            .map(|l| l.rsplit(": ").next().unwrap_or("").to_owned())
            .collect(),
        stats: pick("stats: ").concat(),
    }
}

/// A stat the firmware printed (`name=value`).
fn stat(console: &Console, name: &str) -> u32 {
    console
        .stats
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {:?}", console.stats))
}

/// Serves replays from `.mock` text with capturemock-core's `LocalReplay` (the server's
/// answers to custom clients) and records whatever the device sends.
fn replaying_from(mock: &str) -> impl FnMut(&DeviceRequest<'_>) -> Served {
    let text: &'static str = Box::leak(mock.to_owned().into_boxed_str());
    let storage = Box::leak(Box::new(ArrayStorage::<'static, 64, 64>::new()));
    let words = Box::leak(vec![0u32; LookupScratch::required(32, 32, 0)].into_boxed_slice());
    let scratch = LookupScratch::new(words, 32, 32, 0).unwrap();
    let mut table = LocalReplay::from_mock(text, storage, scratch, MatchOptions::default())
        .expect("recorded text builds a table");
    let mut out = vec![0u8; 4096];
    move |exchange| match exchange {
        DeviceRequest::Record { .. } => Served::Recorded,
        DeviceRequest::Replay { request, .. } => match table.answer(request, &mut out).unwrap() {
            Some(answer) => {
                Served::Response(String::from_utf8(out[..answer.len].to_vec()).unwrap())
            }
            None => Served::NoMatch,
        },
    }
}

fn recording(exchange: &DeviceRequest<'_>) -> Served {
    match exchange {
        DeviceRequest::Record { .. } => Served::Recorded,
        DeviceRequest::Replay { .. } => Served::NoMatch,
    }
}

fn run(
    mode: Mode,
    faults: Faults,
    serve: impl FnMut(&DeviceRequest<'_>) -> Served,
) -> Option<(Seen, Console)> {
    let qemu = Qemu::start(b'B')?;
    let (seen, finished) = PlayedHost::new(mode, faults).run(qemu, serve);
    Some((seen, console(&finished)))
}

/// What the firmware's sensor says to its script, in a record run.
const SENSOR: &[(&str, &str)] = &[
    ("read temperature", "21.5"),
    ("read humidity", "40%"),
    ("read counter", "1"),
    ("read counter", "2"),
    ("get firmware version", "v1.2.3\nbuilt for qemu"),
    ("set led on", "ok"),
    ("read temperature", "21.8"),
    ("read counter", "3"),
];

#[test]
fn record_then_replay_then_replay_old_record_new() {
    let Some((seen, recorded)) = run(Mode::Record, Faults::default(), recording) else {
        return;
    };
    let expected: Vec<(String, String)> = SENSOR
        .iter()
        .map(|(q, a)| (q.to_string(), a.to_string()))
        .collect();
    assert_eq!(seen.recorded, expected);
    assert!(recorded.sources.iter().all(|s| s == "real"), "{recorded:?}");
    assert_eq!(stat(&recorded, "repeats"), 0);
    let mock = to_mock(&seen.recorded);

    // Replay: the same answers, all from the host, none recorded.
    let (seen, replayed) = run(Mode::Replay, Faults::default(), replaying_from(&mock)).unwrap();
    assert_eq!(replayed.answers, recorded.answers);
    assert!(
        replayed.sources.iter().all(|s| s == "replayed"),
        "{replayed:?}"
    );
    assert!(seen.recorded.is_empty());

    // Mode 2 with the first four exchanges: those replayed (by exact and repeated match),
    // the two requests unlike any of them recorded from the real sensor.
    let partial = to_mock(&expected[..4]);
    let (seen, mixed) = run(
        Mode::ReplayOldRecordNew,
        Faults::default(),
        replaying_from(&partial),
    )
    .unwrap();
    assert_eq!(
        mixed.sources,
        ["replayed", "replayed", "replayed", "replayed", "real", "real", "replayed", "replayed"]
    );
    assert_eq!(seen.recorded, expected[4..6]);
    assert_eq!(mixed.answers[..6], recorded.answers[..6]);
    // Replayed from the partial file: its groups ran out, so the first group again.
    assert!(
        mixed.answers[6].ends_with("=> \"21.5\""),
        "{:?}",
        mixed.answers
    );
    assert!(
        mixed.answers[7].ends_with("=> \"1\""),
        "{:?}",
        mixed.answers
    );
}

/// Faults on every kind of frame the host writes, and on the way in.
fn noisy() -> Faults {
    let mut faults = Faults::default();
    let garbage = vec![0x55, 0x00, 0xff, 0x13, 0x00, 0x02, 0x99];
    faults.to_device.insert(0, Fault::Garbage(garbage.clone())); // before the welcome
    faults.to_device.insert(1, Fault::DropByte); // the welcome again
    faults.to_device.insert(3, Fault::FlipBit);
    faults.to_device.insert(5, Fault::NoDelimiter);
    faults.to_device.insert(8, Fault::Truncate);
    faults.to_device.insert(11, Fault::Garbage(vec![0x41; 40]));
    faults.to_device.insert(13, Fault::DropByte);
    faults.damage_from_device = Some(7);
    faults.restart_before = Some(12);
    faults
}

#[test]
fn noise_costs_repeats_never_a_wrong_or_double_record() {
    let Some((clean, reference)) = run(Mode::Record, Faults::default(), recording) else {
        return;
    };
    let (seen, recorded) = run(Mode::Record, noisy(), recording).unwrap();
    eprintln!(
        "noisy record run: device {}; host {} skips, events {:?}",
        recorded.stats,
        seen.skips.len(),
        seen.events
    );
    // The same exchanges recorded once each, the same answers printed.
    assert_eq!(seen.recorded, clean.recorded);
    assert_eq!(to_mock(&seen.recorded), to_mock(&clean.recorded));
    assert_eq!(recorded.answers, reference.answers);
    // The device saw the damage, repeated, and said hello again after the host's restart.
    assert!(stat(&recorded, "skips") >= 3, "{recorded:?}");
    assert!(stat(&recorded, "repeats") >= 5, "{recorded:?}");
    assert_eq!(stat(&recorded, "host_restarts"), 1, "{recorded:?}");
    // The host answered repeats from what it kept, noticed its lost session and the
    // damaged frame from the device.
    assert!(
        seen.events.contains(&HostEvent::NoSession),
        "{:?}",
        seen.events
    );
    assert!(
        seen.events
            .iter()
            .any(|e| matches!(e, HostEvent::Repeated { .. })),
        "{:?}",
        seen.events
    );
    assert!(!seen.skips.is_empty(), "{:?}", seen.skips);

    // Replay through the same noise: the recorded answers, each request served once.
    let mock = to_mock(&seen.recorded);
    let (seen, replayed) = run(Mode::Replay, noisy(), replaying_from(&mock)).unwrap();
    assert_eq!(replayed.answers, reference.answers);
    assert!(replayed.sources.iter().all(|s| s == "replayed"));
    assert!(seen.recorded.is_empty());
    assert!(stat(&replayed, "repeats") >= 5, "{replayed:?}");
}

#[test]
fn throughput_unthrottled() {
    const EXCHANGES: u32 = 2000;
    let Some(qemu) = Qemu::start(b'S') else {
        return;
    };
    let serve = |exchange: &DeviceRequest<'_>| match exchange {
        DeviceRequest::Replay { request, .. } => match request
            .strip_prefix("ping ")
            .and_then(|n| n.parse::<u32>().ok())
        {
            Some(n) if n < EXCHANGES => Served::Response(format!("pong {n}")),
            _ => Served::NoMatch,
        },
        DeviceRequest::Record { .. } => Served::Recorded,
    };
    let (seen, finished) = PlayedHost::new(Mode::Replay, Faults::default()).run(qemu, serve);
    finished.assert_success();
    assert!(
        finished
            .console
            .contains(&format!("stress: {EXCHANGES} exchanges")),
        "{}",
        finished.console
    );
    assert_eq!(seen.exchanges, EXCHANGES as usize + 1);
    let secs = seen.busy.as_secs_f64();
    let rate = f64::from(EXCHANGES) / secs;
    // Reported for docs/link.md; only a floor is checked (the machine may be busy).
    eprintln!(
        "link throughput under QEMU, unthrottled: {EXCHANGES} replay exchanges in {secs:.3} s = \
         {rate:.0} exchanges/s ({:.0} frames/s)",
        rate * 2.0
    );
    assert!(rate > 20.0, "{rate} exchanges/s");
}
