//! Puts memory.x on the linker's search path, refuses a host build (cargo reads
//! .cargo/config.toml only from the current directory, and a build started elsewhere would
//! silently measure a host binary), and builds `i2c.mock` into a replay table on the host:
//! the `i2c` binary includes it as a `Frozen` table in flash (`ReplayTable::write_frozen`).

use std::convert::Infallible;
use std::{env, fs, path::PathBuf};

use capturemock_core::format::{self, NewlineOptions};
use capturemock_core::replay::{
    GroupSlot, MatchOptions, Parts, ReplayTable, RequestSlot, Requirements, ResponseSlot,
};

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    if !target.starts_with("thumb") {
        panic!("firmware-size-replay builds only for a thumb target (got {target:?}): run cargo from examples/firmware-size-replay/");
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy("memory.x", out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");

    println!("cargo:rerun-if-changed=i2c.mock");
    let table = freeze(&fs::read_to_string("i2c.mock").expect("read i2c.mock"));
    fs::write(out.join("i2c_table.rs"), table).expect("write i2c_table.rs");
}

/// The Rust source of the replay table of `text`, built by the core's one engine.
fn freeze(text: &str) -> String {
    // Bus transactions always read as they are written (`HalReplay::from_mock` needs the same).
    let records: Vec<_> = format::entries(text)
        .map(|entry| {
            let entry = entry.unwrap_or_else(|e| panic!("i2c.mock: {e}"));
            entry
                .plain(NewlineOptions::NONE)
                .unwrap_or_else(|| panic!("i2c.mock:{}: entry needs decoding", entry.line()))
        })
        .collect();
    let records = || records.iter().map(|r| Ok::<_, Infallible>(*r));
    let needs = Requirements::measure(records()).expect("measure i2c.mock");
    let mut requests = vec![RequestSlot::EMPTY; needs.requests];
    let mut groups = vec![GroupSlot::EMPTY; needs.requests];
    let mut group_order = vec![0; needs.requests];
    let mut responses = vec![ResponseSlot::EMPTY; needs.responses];
    let mut key_slots = vec![0; needs.key_slots()];
    let parts = Parts {
        requests: &mut requests,
        groups: &mut groups,
        group_order: &mut group_order,
        responses: &mut responses,
        key_slots: &mut key_slots,
        index: None,
    };
    let mut table =
        ReplayTable::build(records(), parts, MatchOptions::default()).expect("build i2c.mock");
    let mut source = String::new();
    table.write_frozen(&mut source).expect("write to a String");
    source
}
