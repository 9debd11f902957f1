//! Server throughput under load from another process: `cargo bench --bench server_load`.
//!
//! This binary is the load generator. Every server under test runs as a process of its own,
//! and the load reaches it over loopback, one TCP connection per exchange (the classic
//! protocol: connect, send, shut down the write side, read the reply to end of input), from 1
//! or 8 client threads. The servers:
//!
//! - `bare_server threads` and `bare_server tokio` (`benches/bare_server.rs`): read to end of
//!   input, write a constant. Nothing can serve this protocol faster: the limit.
//! - ours: `capturemock --server-only`, release build, replaying (`-m 0 -p`) or recording
//!   (`-m 1 -r`).
//! - the reference: CaptureMock 2.10's `server.py`, started the way its own wrapper starts it
//!   (`python3 .../capturemock/server.py -m 0 -p FILE`, address read from stdout).
//!
//! Each configuration gets a fresh server process, a warm-up, then a timed window; the
//! configurations take turns (ours, bare, reference, ours, ...) for several rounds so that a
//! busy machine affects all of them alike, and the table shows medians. The CPU time that
//! other processes used during each window is measured too (`/proc/stat` minus the server
//! and this process), because the figures mean little on a machine that was busy.
//!
//! Then the resident memory of ours and of the reference with a 100,000-exchange replay file
//! loaded (`VmRSS` from `/proc/<pid>/status`).
//!
//! Options (after `--`): `--duration S` (5), `--warmup S` (1), `--rounds N` (3), `--quick`
//! (1 s, 0.5 s, 1 round), `--only NAME` (configurations whose name contains NAME; repeatable),
//! `--no-rss`, `--sources N` (loopback source addresses the clients connect from, 253; 1 for
//! the kernel's choice, see `load::exchange_from`). Files go to `target/bench-data/server/`. Linux only (`/proc`).
//!
//! To compare two builds side by side, `--baseline PATH` adds an older `capturemock` binary
//! as three more configurations ("baseline, replay", ...), taking turns with ours in every
//! round (e.g. `--only ours --only baseline --only "bare, tokio" --no-rss`).
//!
//! For profiling, `--against HOST:PORT [--clients N] [--messages replay|exact|record]` only
//! loads a server you started yourself (its replay file: `target/bench-data/server/
//! replay_1000.mock`), e.g. under `perf record -g`.

#[path = "server_load/load.rs"]
mod load;
#[path = "server_load/memory.rs"]
mod memory;
#[path = "server_load/report.rs"]
mod report;
#[path = "server_load/servers.rs"]
mod servers;
#[path = "support/cargo_build.rs"]
mod support;
#[path = "server_load/workload.rs"]
mod workload;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use load::{load, measure, Measurement};
use report::{render, Machine};
use servers::Config;
use support::cargo_build;
use workload::Workload;

/// Recorded requests in the replay file of the throughput runs.
pub const REPLAY_REQUESTS: usize = 1_000;
/// Recorded requests in the replay file of the memory measurement.
pub const RSS_REQUESTS: usize = 100_000;
/// One request in this many is inexact (a recorded request with one word replaced).
pub const INEXACT_EVERY: usize = 50;
pub const CONCURRENCY: [usize; 2] = [1, 8];
/// Clock ticks per second of `/proc` CPU times (USER_HZ, 100 on Linux).
pub const TICKS: f64 = 100.0;

fn main() {
    let options = Options::parse();
    let paths = Paths::new();
    std::fs::create_dir_all(paths.data.join("logs")).expect("create target/bench-data/server");
    let workload = Workload::generate(&paths.data);
    if let Some(address) = options.against {
        // For profiling: load a server started by hand (e.g. under perf), nothing else.
        let messages = match options.messages.as_str() {
            "exact" => &workload.exact,
            "record" => &workload.record,
            _ => &workload.mixed,
        };
        let m = load(address, None, messages, options.clients, &options);
        println!(
            "{address}: {:.0} exchanges/s with {} client(s), errors {}, wrong replies {}; cores: clients {:.2}, others and server {:.2}, idle {:.2}",
            m.rate, options.clients, m.errors, m.wrong, m.client_cores, m.other_cores, m.idle_cores
        );
        return;
    }
    let tools = Tools::find(&paths, options.baseline.clone());

    let configs: Vec<Config> = Config::all(&tools, &workload, &paths)
        .into_iter()
        .filter(|c| options.selects(c.name))
        .collect();
    let machine = Machine::now();
    eprintln!(
        "server_load: {} configurations x {:?} clients x {} rounds, {:?} warm-up + {:?} each",
        configs.len(),
        CONCURRENCY,
        options.rounds,
        options.warmup,
        options.duration
    );
    let mut results: Vec<Vec<Vec<Measurement>>> =
        vec![vec![Vec::new(); CONCURRENCY.len()]; configs.len()];
    for round in 1..=options.rounds {
        for (ci, &clients) in CONCURRENCY.iter().enumerate() {
            for (k, config) in configs.iter().enumerate() {
                let m = measure(config, clients, &options, &paths);
                eprintln!(
                    "  round {round}, {clients} client(s), {:<28} {:>8.0}/s  errors {}  wrong {}  unrecorded {:?}  cores: server {:.2} clients {:.2} others {:.2} idle {:.2}",
                    config.name, m.rate, m.errors, m.wrong, m.unrecorded, m.server_cores, m.client_cores, m.other_cores, m.idle_cores
                );
                results[k][ci].push(m);
            }
        }
    }
    let rss = if options.rss {
        memory::memory(&tools, &workload, &paths)
    } else {
        Vec::new()
    };
    let reference = tools.reference.as_ref().map(|r| r.version.as_str());
    let report = render(
        &configs,
        &results,
        &rss,
        &options,
        &machine,
        &Machine::now(),
        reference,
    );
    println!("{report}");
    let file = paths.data.join("results.md");
    std::fs::write(&file, &report).expect("write results.md");
    eprintln!("server_load: table written to {}", file.display());
}

struct Options {
    duration: Duration,
    warmup: Duration,
    rounds: usize,
    only: Vec<String>,
    rss: bool,
    against: Option<std::net::SocketAddr>,
    clients: usize,
    messages: String,
    /// An older `capturemock` binary measured beside ours (`--baseline PATH`).
    baseline: Option<PathBuf>,
    /// Loopback source addresses the clients connect from (127.0.0.2 on); 1: the default.
    sources: u8,
}

impl Options {
    fn parse() -> Self {
        let mut o = Options {
            duration: Duration::from_secs(5),
            warmup: Duration::from_secs(1),
            rounds: 3,
            only: Vec::new(),
            rss: true,
            against: None,
            clients: 8,
            messages: "replay".into(),
            baseline: None,
            sources: 253,
        };
        let mut args = std::env::args().skip(1);
        let seconds = |v: Option<String>| {
            let s: f64 = v.and_then(|v| v.parse().ok()).expect("a number of seconds");
            Duration::from_secs_f64(s)
        };
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--duration" => o.duration = seconds(args.next()),
                "--warmup" => o.warmup = seconds(args.next()),
                "--rounds" => {
                    o.rounds = args
                        .next()
                        .and_then(|v| v.parse().ok())
                        .expect("--rounds N")
                }
                "--quick" => {
                    o.duration = Duration::from_secs(1);
                    o.warmup = Duration::from_millis(500);
                    o.rounds = 1;
                }
                "--only" => o.only.push(args.next().expect("--only NAME")),
                "--no-rss" => o.rss = false,
                "--sources" => {
                    o.sources = args
                        .next()
                        .and_then(|v| v.parse().ok())
                        .filter(|n| (1..=253).contains(n))
                        .expect("--sources 1..=253")
                }
                "--against" => {
                    o.against = args.next().and_then(|v| v.parse().ok());
                    assert!(o.against.is_some(), "--against HOST:PORT");
                }
                "--clients" => {
                    o.clients = args
                        .next()
                        .and_then(|v| v.parse().ok())
                        .expect("--clients N")
                }
                "--messages" => o.messages = args.next().expect("--messages replay|exact|record"),
                "--baseline" => {
                    let path = PathBuf::from(args.next().expect("--baseline PATH"));
                    assert!(path.is_file(), "--baseline: no file {}", path.display());
                    o.baseline = Some(path);
                }
                // `cargo bench` passes --bench; filters and other harness options mean nothing here.
                _ => {}
            }
        }
        o
    }

    fn selects(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| name.contains(o.as_str()))
    }
}

struct Paths {
    manifest: PathBuf,
    data: PathBuf,
    logs: PathBuf,
}

impl Paths {
    fn new() -> Self {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| manifest.join("target"));
        let data = target.join("bench-data/server");
        let logs = data.join("logs");
        Paths {
            manifest,
            data,
            logs,
        }
    }
}

/// The programs under test.
struct Tools {
    ours: PathBuf,
    /// An older build of ours, measured beside it.
    baseline: Option<PathBuf>,
    bare: PathBuf,
    /// `python3` and the reference's `server.py`, with the `PYTHONPATH` its wrapper sets.
    reference: Option<Reference>,
}

struct Reference {
    python: String,
    server_py: PathBuf,
    pythonpath: PathBuf,
    version: String,
}

impl Tools {
    fn find(paths: &Paths, baseline: Option<PathBuf>) -> Self {
        // Always asked, so that an edited server is never measured from a stale binary.
        let ours = cargo_build(
            &paths.manifest,
            &["--release", "-p", "capturemock-cli", "--bin", "capturemock"],
            "capturemock",
        );
        let bare = cargo_build(
            &paths.manifest,
            &[
                "--profile",
                "bench",
                "-p",
                "capturemock-cli",
                "--bench",
                "bare_server",
            ],
            "bare_server",
        );
        Tools {
            ours,
            baseline,
            bare,
            reference: Reference::find(),
        }
    }
}

impl Reference {
    fn find() -> Option<Self> {
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let output = Command::new(&python)
            .args([
                "-c",
                "import capturemock.server as s, importlib.metadata as m; \
                 print(s.__file__); print(m.version('capturemock'))",
            ])
            .output()
            .ok()?;
        if !output.status.success() {
            eprintln!("server_load: the reference (pip install capturemock==2.10.0) is not installed; its rows are left out");
            return None;
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let mut lines = text.lines();
        let server_py = PathBuf::from(lines.next()?);
        let version = lines.next().unwrap_or("?").to_string();
        // As the reference's startServer does: the package's parent directory.
        let pythonpath = server_py.parent()?.parent()?.to_path_buf();
        Some(Reference {
            python,
            server_py,
            pythonpath,
            version,
        })
    }
}
