//! Building what a benchmark measures: the benchmarks that start servers and programs as
//! processes build them first, so that an edited tree is never measured from a stale binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "../../tests/cargo_env.rs"]
mod cargo_env;

/// Runs `cargo build ARGS` in `manifest` and returns the executable of `target`.
pub fn cargo_build(manifest: &Path, args: &[&str], target: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    let output = cargo_env::without_cargo_run_env(&mut command)
        .current_dir(manifest)
        .arg("build")
        .arg("--message-format=json-render-diagnostics")
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build");
    assert!(output.status.success(), "cargo build {args:?} failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == target)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo build {args:?} named no executable for {target}"))
}
