//! Refuses a host build (cargo reads .cargo/config.toml only from the current directory, and
//! a build started elsewhere would silently make a host binary), puts memory.x on the linker's
//! search path, and writes table.mock's binary form for `include_bytes!`.

use std::{env, fs, path::PathBuf};

use capturemock_core::binary::{text_to_binary, text_to_binary_sizes};
use capturemock_core::format::NewlineOptions;

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    if !target.starts_with("thumb") {
        panic!("firmware-qemu builds only for a thumb target (got {target:?}): run cargo from examples/firmware-qemu/");
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy("memory.x", out.join("memory.x")).expect("copy memory.x");
    println!("cargo:rustc-link-search={}", out.display());

    let text = fs::read_to_string("table.mock").expect("read table.mock");
    let sizes = text_to_binary_sizes(&text, NewlineOptions::NONE).expect("table.mock parses");
    let mut binary = vec![0u8; sizes.binary_len];
    let mut scratch = vec![0u8; sizes.scratch_len];
    let len = text_to_binary(&text, NewlineOptions::NONE, &mut binary, &mut scratch)
        .expect("table.mock converts");
    fs::write(out.join("table.cmrb"), &binary[..len]).expect("write table.cmrb");

    for path in ["memory.x", "table.mock", "build.rs"] {
        println!("cargo:rerun-if-changed={path}");
    }
}
