//! The cost of one intercepted command: `cargo bench --bench shim`.
//!
//! Every call a program makes to an intercepted command starts the shim, which asks the
//! capturemock server and writes its reply. This measures that per-call cost from the
//! program's side: spawn `mytool arg` by name (found on `PATH` through a symbolic link in a
//! directory of its own, as `capturemock` sets it up), wait for it, read its output. The
//! server is a tiny one in this process that reads the request to its end and sends a fixed
//! reply, so the figures are the shim's own cost plus one loopback exchange.
//!
//! Side by side, in turns within each round (the medians of the rounds are shown):
//! - `/bin/true`: the cost of starting any program, the floor;
//! - `capturemock-shim`: the dedicated shim binary;
//! - `capturemock` under another name: the CLI binary run as the shim (when built with that
//!   form; see BENCHMARKS.md for the run that compared the two);
//! - the reference's Python shim (`#!python3` + `capturemock.interceptCommand()`), when
//!   CaptureMock 2.10 is installed, with fewer calls.
//!
//! Options (after `--`): `--calls N` (2000 per round), `--rounds N` (3),
//! `--reference-calls N` (100 per round), `--quick` (200 calls, 1 round, 20 reference calls).
//! Unix; the CPU figures need Linux's `/proc` (zero elsewhere). Builds the release binaries
//! first.

#[path = "support/cargo_build.rs"]
mod support;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::cargo_build;

/// The reply of the fixed server: what `mytool` prints, then status 0.
const REPLY: &[u8] = b"hello\n|TT_CMD_SEP||TT_CMD_SEP|0";

struct Options {
    calls: usize,
    rounds: usize,
    reference_calls: usize,
}

impl Options {
    fn parse() -> Self {
        let mut o = Options {
            calls: 2000,
            rounds: 3,
            reference_calls: 100,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> usize {
                args.next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{name} N"))
            };
            match arg.as_str() {
                "--calls" => o.calls = number("--calls"),
                "--rounds" => o.rounds = number("--rounds"),
                "--reference-calls" => o.reference_calls = number("--reference-calls"),
                "--quick" => {
                    o.calls = 200;
                    o.rounds = 1;
                    o.reference_calls = 20;
                }
                // `cargo bench` passes --bench.
                _ => {}
            }
        }
        o
    }
}

/// One way of running `mytool`: a directory to put first on `PATH`.
struct Config {
    name: String,
    /// `None`: run `/bin/true` directly.
    dir: Option<PathBuf>,
    calls: usize,
    /// Per-call wall times of each round.
    rounds: Vec<Duration>,
    /// Per-call CPU times (user + system) of the called processes, each round.
    cpu: Vec<Duration>,
}

fn main() {
    let options = Options::parse();
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("target"));
    let work = target.join("bench-data/shim");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("bench-data/shim");

    let release = |bin| {
        cargo_build(
            &manifest,
            &["--release", "-p", "capturemock-cli", "--bin", bin],
            bin,
        )
    };
    let shim = release("capturemock-shim");
    let cli = release("capturemock");

    let mut configs = vec![Config {
        name: "/bin/true (floor)".into(),
        dir: None,
        calls: options.calls,
        rounds: Vec::new(),
        cpu: Vec::new(),
    }];
    let mut link = |name: &str, label: &str, to: &Path, calls: usize| {
        let dir = work.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(to, dir.join("mytool")).unwrap();
        configs.push(Config {
            name: label.into(),
            dir: Some(dir),
            calls,
            rounds: Vec::new(),
            cpu: Vec::new(),
        });
    };
    link("dedicated", "capturemock-shim", &shim, options.calls);
    // The CLI binary is a shim only when built with that form (it dispatches on argv[0]).
    if acts_as_shim(&cli, &work) {
        link("cli", "capturemock under another name", &cli, options.calls);
    }
    if let Some(python) = reference_python() {
        let dir = work.join("reference");
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("mytool");
        std::fs::write(
            &script,
            format!("#!{python}\nimport capturemock; capturemock.interceptCommand()\n"),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o775)).unwrap();
        configs.push(Config {
            name: "reference (Python shim)".into(),
            dir: Some(dir),
            calls: options.reference_calls,
            rounds: Vec::new(),
            cpu: Vec::new(),
        });
    }

    let address = fixed_server();
    let base_path = std::env::var("PATH").unwrap_or_default();
    for round in 0..options.rounds {
        for config in &mut configs {
            let cpu_before = children_cpu();
            let per_call = run_calls(config, &address, &base_path);
            let cpu = (children_cpu() - cpu_before) / config.calls as u32;
            eprintln!(
                "round {}: {:<32} {:>8.1} µs per call, {:>8.1} µs CPU",
                round + 1,
                config.name,
                micros(per_call),
                micros(cpu)
            );
            config.rounds.push(per_call);
            config.cpu.push(cpu);
        }
    }

    let floor = median(&configs[0].rounds);
    let dedicated = median(&configs[1].rounds);
    println!();
    let floor_cpu = median(&configs[0].cpu);
    let dedicated_cpu = median(&configs[1].cpu);
    println!(
        "| per call ({} calls x {} rounds, medians) | wall | / `/bin/true` | / `capturemock-shim` | CPU of the called process | / `/bin/true` | / `capturemock-shim` |",
        options.calls, options.rounds
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for config in &configs {
        let m = median(&config.rounds);
        let c = median(&config.cpu);
        println!(
            "| {} | {:.0} µs | ×{:.2} | ×{:.2} | {:.0} µs | ×{:.2} | ×{:.2} |",
            config.name,
            micros(m),
            m.as_secs_f64() / floor.as_secs_f64(),
            m.as_secs_f64() / dedicated.as_secs_f64(),
            micros(c),
            c.as_secs_f64() / floor_cpu.as_secs_f64(),
            c.as_secs_f64() / dedicated_cpu.as_secs_f64()
        );
    }
    println!(
        "\nshim's own cost above the floor: {:.0} µs (capturemock-shim)",
        micros(dedicated.saturating_sub(floor))
    );
    for config in &configs[2..] {
        println!(
            "{}: {:.0} µs above the floor",
            config.name,
            micros(median(&config.rounds).saturating_sub(floor))
        );
    }
}

/// Runs `mytool hello` (or `/bin/true`) `config.calls` times and returns the time per call.
fn run_calls(config: &Config, address: &str, base_path: &str) -> Duration {
    let mut command = match &config.dir {
        Some(dir) => {
            let mut c = Command::new("mytool");
            c.arg("hello")
                .env("PATH", format!("{}:{base_path}", dir.display()))
                .env("CAPTUREMOCK_SERVER", address);
            c
        }
        None => Command::new("/bin/true"),
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    for _ in 0..config.calls {
        let output = command.output().expect("run mytool");
        assert!(
            output.status.success(),
            "{}: {:?}\n{}",
            config.name,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        if config.dir.is_some() {
            assert_eq!(output.stdout, b"hello\n", "{}", config.name);
        }
    }
    start.elapsed() / config.calls as u32
}

/// A server that answers every connection with [`REPLY`] once it has read the request to
/// its end, one connection at a time (the calls are sequential).
fn fixed_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            if stream.read_to_end(&mut request).is_ok() {
                let _ = stream.write_all(REPLY);
            }
        }
    });
    address
}

/// Whether `cli` run as `mytool` acts as the shim (tried once against a server of its own).
fn acts_as_shim(cli: &Path, work: &Path) -> bool {
    let dir = work.join("probe");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(cli, dir.join("mytool")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let answered = std::thread::spawn(move || {
        let (mut stream, _): (TcpStream, _) = listener.accept().ok()?;
        let mut request = Vec::new();
        stream.read_to_end(&mut request).ok()?;
        stream.write_all(REPLY).ok()
    });
    let output = Command::new(dir.join("mytool"))
        .env("CAPTUREMOCK_SERVER", &address)
        .stdin(Stdio::null())
        .output()
        .expect("run the probe");
    if output.stdout == b"hello\n" {
        answered.join().unwrap();
        true
    } else {
        // Unblock the accept.
        let _ = TcpStream::connect(&address);
        let _ = answered.join();
        false
    }
}

/// `python3` when the reference is installed.
fn reference_python() -> Option<String> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import capturemock"])
        .stderr(Stdio::null())
        .status()
        .ok()?
        .success();
    if !ok {
        return None;
    }
    // A `#!` line needs a path.
    let output = Command::new(&python)
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()?;
    Some(String::from_utf8(output.stdout).ok()?.trim().to_string())
}

/// The CPU time (user + system) of this process's waited-for children so far, from
/// `/proc/self/stat` (`cutime`, `cstime`; clock ticks, 100 a second). Coarse, so it is read
/// around whole batches of calls. Zero where there is no `/proc`.
fn children_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let after = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 of the line; `after` starts at field 3.
    let ticks: u64 =
        fields[13].parse::<u64>().unwrap_or(0) + fields[14].parse::<u64>().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
