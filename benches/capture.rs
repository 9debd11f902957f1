//! Criterion benchmark of in-process capture replay: exact captures answered from a
//! 10,000-exchange capture file, through the whole pipeline a test uses (session, alterations,
//! lookup, repeat counters, JSON decoding, and in the second case the record file that
//! `for_test` writes for the drift check).
//!
//! The second group does the same through a trait captured with `#[capture]`
//! (`CapturedInventory`), beside the same call on the real implementation, unwrapped; and
//! records through the wrapper, one flushed write per call.
//!
//! `cargo bench --bench capture`. The files are generated into `target/bench-data/capture/`.
//! BENCHMARKS.md keeps the figures and the command to compare two builds side by side.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::hint::black_box;

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

/// The trait of the second group: one call shaped like the descriptions above.
#[capturemock::capture]
pub trait Inventory {
    /// The price of `item` in `region`.
    fn price(&self, item: usize, region: u8) -> usize;
}

/// The real implementation: as cheap as a call can be, so that the wrapper's cost shows.
struct RealInventory;

impl Inventory for RealInventory {
    fn price(&self, item: usize, _region: u8) -> usize {
        item * 3
    }
}

/// The capture file of `CapturedInventory`: the texts its calls make.
fn trait_file() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/capture");
    let path = dir.join(format!("trait_{EXCHANGES}.mock"));
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = String::new();
        for i in 0..EXCHANGES {
            text.push_str(&format!(
                "<-CAL:inventory.price(item={i}, region={})\n->RET:{}\n",
                i % 7,
                i * 3
            ));
        }
        std::fs::write(&path, text).unwrap();
    }
    path
}

fn captured_trait(c: &mut Criterion) {
    let replay = trait_file();
    let record = replay.with_file_name("trait_recorded.mock");
    let mut group = c.benchmark_group(format!("captured_trait_exact_{EXCHANGES}"));
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));

    let real = RealInventory;
    let mut i = 0;
    group.bench_function("unwrapped", |b| {
        b.iter(|| {
            i = (i + 1) % EXCHANGES;
            let price = black_box(&real as &dyn Inventory).price(i, (i % 7) as u8);
            assert_eq!(price, i * 3);
            price
        })
    });

    for with_record_file in [false, true] {
        let mut builder = Session::builder(Mode::Replay).replay_file(&replay);
        if with_record_file {
            builder = builder.record_file(&record);
        }
        let session = builder.open().unwrap();
        let entered = session.enter();
        let captured = CapturedInventory::<RealInventory>::absent();
        let name = if with_record_file {
            "replay_and_record_file"
        } else {
            "replay"
        };
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % EXCHANGES;
                let price = black_box(&captured as &dyn Inventory).price(i, (i % 7) as u8);
                assert_eq!(price, i * 3);
                price
            })
        });
        drop(entered);
        session.flush();
    }

    // Recording: the real call, its JSON, and one flushed write of the record file per call.
    let session = Session::builder(Mode::Record)
        .record_file(&record)
        .open()
        .unwrap();
    let entered = session.enter();
    let captured = CapturedInventory::new(RealInventory);
    let mut i = 0;
    group.bench_function("record", |b| {
        b.iter(|| {
            i = (i + 1) % EXCHANGES;
            black_box(&captured as &dyn Inventory).price(i, (i % 7) as u8)
        })
    });
    drop(entered);
    session.flush();
    group.finish();
    let _ = std::fs::remove_file(&record);
}

criterion_group!(benches, exact_replay, captured_trait);
criterion_main!(benches);
