//! Criterion benchmark of in-process capture replay: exact captures answered from a
//! 10,000-exchange capture file, through the whole pipeline a test uses (session, alterations,
//! lookup, repeat counters, JSON decoding, and in the second case the record file that
//! `for_test` writes for the drift check).
//!
//! `cargo bench --bench capture`. The file is generated into `target/bench-data/capture/`.
//! BENCHMARKS.md keeps the figures and the command to compare two builds side by side.

use std::path::{Path, PathBuf};
use std::time::Duration;

use capturemock::capture::{Mode, Session};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Exchanges in the capture file.
const EXCHANGES: usize = 10_000;

/// The description of capture `i`: shaped like a call, as descriptions usually are.
fn description(i: usize) -> String {
    format!("inventory.price(item_{i}, 'EUR', region={})", i % 7)
}

/// Writes the capture file once: `<-CAL:` description, `->RET:` a JSON number.
fn capture_file() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/capture");
    let path = dir.join(format!("exact_{EXCHANGES}.mock"));
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = String::new();
        for i in 0..EXCHANGES {
            text.push_str(&format!("<-CAL:{}\n->RET:{}\n", description(i), i * 3));
        }
        std::fs::write(&path, text).unwrap();
    }
    path
}

fn exact_replay(c: &mut Criterion) {
    let replay = capture_file();
    let record = replay.with_file_name("recorded.mock");
    let descriptions: Vec<String> = (0..EXCHANGES).map(description).collect();
    let mut group = c.benchmark_group(format!("capture_replay_exact_{EXCHANGES}"));
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for with_record_file in [false, true] {
        let mut builder = Session::builder(Mode::Replay).replay_file(&replay);
        if with_record_file {
            builder = builder.record_file(&record);
        }
        let session = builder.open().unwrap();
        let mut next = descriptions.iter().enumerate().cycle();
        let name = if with_record_file {
            "replay_and_record_file"
        } else {
            "replay"
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                let (i, desc) = next.next().unwrap();
                let price: usize = session
                    .try_capture(desc, || unreachable!("replay never calls the real thing"))
                    .unwrap();
                assert_eq!(price, i * 3);
                price
            })
        });
        session.flush();
    }
    group.finish();
    let _ = std::fs::remove_file(&record);
}

criterion_group!(benches, exact_replay);
criterion_main!(benches);
