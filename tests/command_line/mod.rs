//! Command-line traffic end to end: real shell scripts calling real programs through shims,
//! recorded and then replayed without those programs, under our binary and under the
//! reference, with our shim and with the reference's Python shim.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::server::harness::{ours_with_env, read, reference_with_env, scratch, write, Run};

mod example;
mod interop;
mod programs;

/// Writes an executable script `name` into `dir`.
fn script(dir: &Path, name: &str, text: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// A scratch directory with `bin/` holding the given scripts (the real programs) and an rc
/// file intercepting them.
fn setup(test: &str, tools: &[(&str, &str)], rc_extra: &str) -> crate::scratch::Scratch {
    let dir = scratch(test);
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    for (name, text) in tools {
        script(&bin, name, text);
    }
    let names: Vec<&str> = tools.iter().map(|(name, _)| *name).collect();
    write(
        &dir,
        "rc",
        &format!(
            "[command line]\nintercepts = {}\n{rc_extra}",
            names.join(", ")
        ),
    );
    dir
}

/// The Python interpreter that has the reference installed (what `python3` on this
/// process's `PATH` runs; with pyenv, a shim in front of it).
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let output = std::process::Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3");
        PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
    })
}

/// `PATH` without the real programs: Python's directory and the system's.
fn path_without_tools() -> String {
    let python_dir = python().parent().expect("python's directory");
    format!("{}:/usr/bin:/bin", python_dir.display())
}

/// `PATH` with the real programs: `dir/bin` first.
fn path_with_tools(dir: &Path) -> String {
    format!("{}:{}", dir.join("bin").display(), path_without_tools())
}

/// `options`, then the rc file and `sh script`: how the tests run a script.
fn args<'a>(options: &[&'a str], script: &'a str) -> Vec<&'a str> {
    let mut all = options.to_vec();
    all.extend(["-R", "rc", "--", "sh", script]);
    all
}

/// Our binary in `dir` with `args` and `PATH`.
fn ours(dir: &Path, path: &str, args: &[&str]) -> Run {
    ours_with_env(dir, args, &[("PATH", path)])
}

/// The reference's command in `dir` with `args` and `PATH`.
fn reference(dir: &Path, path: &str, args: &[&str]) -> Run {
    reference_with_env(dir, args, &[("PATH", path)])
}

/// The text of a record file, which must exist.
fn record(dir: &Path, name: &str) -> String {
    read(dir, name).unwrap_or_else(|| panic!("no record file {name} in {}", dir.display()))
}
