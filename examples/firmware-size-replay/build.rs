//! Puts memory.x on the linker's search path, and refuses a host build: cargo reads
//! .cargo/config.toml only from the current directory, and a build started elsewhere
//! would silently measure a host binary.

use std::{env, fs, path::PathBuf};

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
}
