//! Criterion benchmarks of one replayed embedded-hal I2C transaction (issue 15, item 5: under
//! 10 µs of host CPU), on the committed lm75 recording (`tests/hal_replay/lm75.mock`, 11
//! transactions):
//!
//! - `core`: `I2cReplay` over the core's `HalReplay` (`ArrayStorage`), the firmware's path;
//! - `host`: `I2cReplay` over `capturemock::hal::HalSession`, the host's replay of a `.mock`
//!   file through the exchange engine, without a record file.
//!
//! Each iteration is the driver's temperature read (`write [00] read 2`), exact match; the
//! repeat counters run past the recorded answers, which then start again, as in a long test.
//!
//! `cargo bench --bench hal`; numbers in BENCHMARKS.md.

use capturemock::hal::HalSession;
use capturemock_core::hal::{HalReplay, I2cReplay};
use capturemock_core::replay::{ArrayStorage, LookupScratch, MatchOptions};
use criterion::{criterion_group, criterion_main, Criterion};
use embedded_hal::i2c::I2c;

const MOCK: &str = include_str!("../tests/hal_replay/lm75.mock");

fn transaction(c: &mut Criterion) {
    let mut group = c.benchmark_group("hal_i2c_transaction");

    let mut scratch = [0u32; LookupScratch::required(16, 16, 0)];
    let mut request = [0u8; 64];
    let replay = HalReplay::from_mock(
        MOCK,
        ArrayStorage::<'static, 16, 16>::new(),
        LookupScratch::new(&mut scratch, 16, 16, 0).unwrap(),
        &mut request,
        MatchOptions::default(),
    )
    .unwrap();
    let mut bus = I2cReplay::new(&replay);
    group.bench_function("core", |b| {
        b.iter(|| {
            let mut t = [0u8; 2];
            bus.write_read(0x48u8, &[0x00], &mut t).unwrap();
            t
        })
    });

    let path =
        std::env::temp_dir().join(format!("capturemock-bench-hal-{}.mock", std::process::id()));
    std::fs::write(&path, MOCK).unwrap();
    let session = HalSession::replay(&path).unwrap();
    let mut bus = I2cReplay::new(&session);
    group.bench_function("host", |b| {
        b.iter(|| {
            let mut t = [0u8; 2];
            bus.write_read(0x48u8, &[0x00], &mut t).unwrap();
            t
        })
    });
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, transaction);
criterion_main!(benches);
