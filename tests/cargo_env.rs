//! Running cargo from a test or a benchmark without making it rebuild the world.
//!
//! `cargo test` and `cargo bench` run their binaries with the package's variables set
//! (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`, `OUT_DIR`, ...). A cargo started from there passes
//! them on to build scripts, and some build scripts (ring's, rustix's) declare
//! `rerun-if-env-changed` on exactly those names. Such a nested build then sees them changed,
//! rebuilds ring, rustls and everything above them, and the next plain `cargo` rebuilds them
//! all over again: each such build cost about 25 s of CI time. Removed, they leave the nested
//! cargo with the environment a plain `cargo` has, and its build is the no-op it should be.

use std::process::Command;

/// Removes from `command` the variables that cargo sets for the binaries it runs.
pub fn without_cargo_run_env(command: &mut Command) -> &mut Command {
    const SET_FOR_RUNS: &[&str] = &[
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_MANIFEST_LINKS",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "OUT_DIR",
    ];
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if SET_FOR_RUNS.contains(&name)
            || name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_EXE_")
        {
            command.env_remove(name);
        }
    }
    command
}
