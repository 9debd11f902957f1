//! Criterion benchmarks of the replay engine on the workload of `benches/workload.py`:
//! best-match lookups on 100 to 100,000 recorded requests, and parsing a 6 MB record file.
//!
//! `cargo bench --bench replay` generates the workload into `target/bench-data` on first use
//! (python3 needed). See BENCHMARKS.md for the reference's figures and how to compare.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use capturemock::replay_file::{ReplayFile, ReplayOptions};
use capturemock_core::format::{entries, NewlineOptions};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const SIZES: [usize; 4] = [100, 1_000, 10_000, 100_000];

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    if !dir.join("big.mock").exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/workload.py");
        let status = Command::new("python3")
            .arg(script)
            .arg("generate")
            .arg(&dir)
            .status()
            .expect("python3 generates the benchmark workload");
        assert!(status.success(), "benches/workload.py generate failed");
    }
    dir
}

fn requests(dir: &Path, name: &str) -> Vec<String> {
    std::fs::read_to_string(dir.join(name))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn best_match(c: &mut Criterion) {
    let dir = data_dir();
    for (suffix, label) in [("", "zipf"), ("_flat", "flat")] {
        let mut group = c.benchmark_group(format!("best_match_{label}"));
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(3));
        group.sample_size(20);
        for n in SIZES {
            let wanted = requests(&dir, &format!("requests_{n}{suffix}.txt"));
            for (engine, word_index) in [("index", true), ("scan", false)] {
                if !word_index && n > 10_000 {
                    continue; // the scan is the reference's algorithm: minutes per sample
                }
                let mut options = ReplayOptions::default();
                options.word_index = word_index;
                let path = dir.join(format!("replay_{n}{suffix}.mock"));
                let mut file = ReplayFile::load(&path, options).unwrap();
                let mut next = wanted.iter().cycle();
                group.bench_with_input(BenchmarkId::new(engine, n), &n, |b, _| {
                    b.iter(|| {
                        let desc = next.next().unwrap();
                        let answer = file.lookup(desc).unwrap();
                        assert!(
                            answer.is_ok(),
                            "every benchmark request has a nearest match"
                        );
                        answer
                    })
                });
            }
        }
        group.finish();
    }
}

fn parsing(c: &mut Criterion) {
    let dir = data_dir();
    let text = std::fs::read_to_string(dir.join("big.mock")).unwrap();
    let mut group = c.benchmark_group("parse_6mb");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("entries", |b| {
        b.iter(|| {
            let opts = NewlineOptions::default();
            let mut plain = 0usize;
            for entry in entries(&text) {
                if entry.unwrap().plain(opts).is_some() {
                    plain += 1;
                }
            }
            plain
        })
    });
    group.bench_function("load_with_index", |b| {
        b.iter(|| {
            ReplayFile::from_text(text.clone(), "big.mock", ReplayOptions::default()).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, best_match, parsing);
criterion_main!(benches);
