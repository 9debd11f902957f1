//! Intercepted commands, per call: `cargo bench --bench command_line`.
//!
//! A shell loop runs `uname -a` N times. It runs bare (the real `uname`), and under
//! `capturemock` with `[command line] intercepts = uname`: replaying (`-m 0`, every call
//! answered by the shim and the server, `uname` never runs) and recording (`-m 1`, the shim
//! sends each call to the server, which runs the real `uname` and records it). The same under
//! the reference (CaptureMock 2.10's own command, whose shim is a Python script).
//!
//! Each figure is a whole run of N calls minus a run of 0 calls (start-up and shut-down),
//! divided by N, so it is the cost of one call as the program under test sees it. The
//! configurations take turns for several rounds, so that a busy machine affects all of them
//! alike, and the table shows medians.
//!
//! Options (after `--`): `--calls N` (300), `--reference-calls N` (30), `--rounds N` (3).
//! Files go to `target/bench-data/command_line/`. Needs `uname`, `sh`, and python3 with
//! capturemock 2.10 for the reference's rows (left out, with a note, without it).

#[path = "support/cargo_build.rs"]
mod support;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::cargo_build;

fn main() {
    let options = Options::parse();
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("target"));
    let data = target.join("bench-data/command_line");
    std::fs::create_dir_all(&data).expect("create target/bench-data/command_line");
    let ours = build_release(&manifest);
    std::fs::write(data.join("rc"), "[command line]\nintercepts = uname\n").expect("rc");
    std::fs::write(
        data.join("loop.sh"),
        "i=0\nwhile [ $i -lt $1 ]; do uname -a > /dev/null; i=$((i+1)); done\n",
    )
    .expect("loop.sh");
    // The replay file: one recorded call, which answers every later one (repeats wrap).
    let recorded = Command::new(&ours)
        .current_dir(&data)
        .args([
            "-m",
            "1",
            "-r",
            "uname.mock",
            "-R",
            "rc",
            "--",
            "sh",
            "loop.sh",
            "1",
        ])
        .status()
        .expect("record uname.mock");
    assert!(recorded.success(), "recording uname.mock failed");
    let reference = reference_available();
    if !reference {
        eprintln!("python3 with capturemock 2.10 not found: the reference's rows are left out");
    }

    let mut configs = vec![
        Config::new("bare uname", options.calls, Runner::Bare),
        Config::new(
            "ours, replay (-m 0)",
            options.calls,
            Runner::Ours(&ours, "0"),
        ),
        Config::new(
            "ours, record (-m 1)",
            options.calls,
            Runner::Ours(&ours, "1"),
        ),
    ];
    if reference {
        let calls = options.reference_calls;
        configs.push(Config::new(
            "reference, replay (-m 0)",
            calls,
            Runner::Reference("0"),
        ));
        configs.push(Config::new(
            "reference, record (-m 1)",
            calls,
            Runner::Reference("1"),
        ));
    }
    for round in 1..=options.rounds {
        eprintln!("round {round} of {}", options.rounds);
        for config in &mut configs {
            let full = config.runner.time(&data, config.calls);
            let empty = config.runner.time(&data, 0);
            let per_call = full.saturating_sub(empty).as_secs_f64() / config.calls as f64;
            config.per_call.push(per_call);
        }
    }

    let bare = median(&configs[0].per_call);
    let ours_replay = median(&configs[1].per_call);
    println!("\n| configuration | calls per run | time per call | minus bare `uname` | vs ours, replay |");
    println!("|---|---|---|---|---|");
    for config in &configs {
        let per_call = median(&config.per_call);
        println!(
            "| {} | {} | {:.2} ms | {:+.2} ms | {:.1}x |",
            config.name,
            config.calls,
            per_call * 1e3,
            (per_call - bare) * 1e3,
            per_call / ours_replay
        );
    }
}

/// Builds the release `capturemock` (and the shim beside it) and returns the command.
fn build_release(manifest: &Path) -> PathBuf {
    cargo_build(
        manifest,
        &["--release", "-p", "capturemock-cli", "--bins"],
        "capturemock",
    )
}

/// Whether python3 has the reference installed.
fn reference_available() -> bool {
    Command::new("python3")
        .args(["-c", "import capturemock"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// How a configuration is run.
enum Runner<'a> {
    /// `sh loop.sh N`.
    Bare,
    /// Our command in the given mode around it.
    Ours(&'a Path, &'static str),
    /// The reference's command in the given mode around it.
    Reference(&'static str),
}

impl Runner<'_> {
    /// The wall-clock time of one run of `calls` calls.
    fn time(&self, data: &Path, calls: usize) -> Duration {
        let calls = calls.to_string();
        let mut command = match self {
            Runner::Bare => Command::new("sh"),
            Runner::Ours(ours, mode) => {
                let mut c = Command::new(ours);
                c.args(mode_args(mode)).arg("--").arg("sh");
                c
            }
            Runner::Reference(mode) => {
                let mut c = Command::new("python3");
                c.args([
                    "-c",
                    "import sys, capturemock; sys.exit(capturemock.commandline())",
                ])
                .args(mode_args(mode))
                .arg("--")
                .arg("sh");
                c
            }
        };
        command
            .args(["loop.sh", &calls])
            .current_dir(data)
            // No personal ~/.capturemock/config.
            .env("HOME", data)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        let started = Instant::now();
        let status = command.status().expect("run");
        let elapsed = started.elapsed();
        assert!(status.success(), "a run failed: {command:?}");
        elapsed
    }
}

/// The options of a run in `mode`: replay from `uname.mock`, or record to `out.mock`.
fn mode_args(mode: &str) -> Vec<&str> {
    match mode {
        "0" => vec!["-m", "0", "-p", "uname.mock", "-R", "rc"],
        _ => vec!["-m", "1", "-r", "out.mock", "-R", "rc"],
    }
}

/// One configuration and its results.
struct Config<'a> {
    name: &'static str,
    calls: usize,
    runner: Runner<'a>,
    /// Seconds per call, one per round.
    per_call: Vec<f64>,
}

impl<'a> Config<'a> {
    fn new(name: &'static str, calls: usize, runner: Runner<'a>) -> Self {
        Config {
            name,
            calls,
            runner,
            per_call: Vec::new(),
        }
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

struct Options {
    calls: usize,
    reference_calls: usize,
    rounds: usize,
}

impl Options {
    fn parse() -> Self {
        let mut options = Options {
            calls: 300,
            reference_calls: 30,
            rounds: 3,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = || {
                args.next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{arg} needs a number"))
            };
            match arg.as_str() {
                "--calls" => options.calls = number(),
                "--reference-calls" => options.reference_calls = number(),
                "--rounds" => options.rounds = number(),
                // cargo bench passes --bench.
                "--bench" => {}
                other => panic!("unknown option {other}"),
            }
        }
        options
    }
}
