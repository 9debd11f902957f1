//! The HTTP proxy's replay throughput, and its memory with a 10 MB response:
//! `cargo bench --bench http`.
//!
//! Three servers, each a process of its own, loaded over loopback by this binary's client
//! threads with keep-alive connections (a client whose server closes the connection, as the
//! reference's HTTP/1.0 server does after every response, connects again):
//!
//! - `bare hyper` (`benches/bare_http.rs`): hyper's server answering every request with a
//!   fixed response. Nothing serves HTTP faster here: the limit.
//! - `ours`: `capturemock --server-only` (release build) replaying a 100-request file.
//! - `reference`: CaptureMock 2.10's HTTP server (`server.py`) replaying the same file.
//!
//! With 1 and 64 clients, for `--rounds` rounds that take turns (bare, ours, reference, ...)
//! so that a busy machine affects all alike; the table shows medians and ours as a share of
//! bare hyper and as a multiple of the reference.
//!
//! Then memory: a 10 MB response recorded from a real service through ours, and replayed;
//! the proxy's peak resident memory (`VmHWM`) over its idle size, in units of the response
//! (how many copies of it the proxy held at once).
//!
//! Options (after `--`): `--duration S` (3), `--rounds N` (3), `--quick` (1 s, 1 round),
//! `--no-reference`, `--dev-build` (the servers from the dev profile, as CI runs it:
//! `cargo test --bench http -- --quick --dev-build` checks that the benchmark works without
//! a release build; its figures measure nothing). Linux only (`/proc`). Files go to
//! `target/bench-data/http/`.

#[path = "support/cargo_build.rs"]
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::cargo_build;

/// Requests in the replay file.
const REQUESTS: usize = 100;
/// The size of the large response.
const LARGE: usize = 10 * 1024 * 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str, default: f64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let quick = flag("--quick");
    let duration = Duration::from_secs_f64(if quick { 1.0 } else { value("--duration", 3.0) });
    let rounds = if quick {
        1
    } else {
        value("--rounds", 3.0) as usize
    };
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = manifest.join("target/bench-data/http");
    std::fs::create_dir_all(&data).expect("data dir");
    // CI runs the benchmark so that it cannot rot, on the builds its tests already made.
    let profile = if flag("--dev-build") {
        println!("dev builds (--dev-build): this run checks that the benchmark works; its figures measure nothing\n");
        "dev"
    } else {
        "release"
    };
    // The dev build is the one `cargo test` made for this benchmark, with the same features:
    // building `--bin capturemock` alone would resolve them without the dev-dependencies and
    // compile ring and rustls once more.
    let ours = if profile == "dev" {
        PathBuf::from(env!("CARGO_BIN_EXE_capturemock"))
    } else {
        cargo_build(
            &manifest,
            &["--profile", profile, "--bin", "capturemock"],
            "capturemock",
        )
    };
    let bare = cargo_build(
        &manifest,
        &["--profile", profile, "--bench", "bare_http"],
        "bare_http",
    );
    let reference = (!flag("--no-reference")).then(reference_server).flatten();
    if reference.is_none() {
        eprintln!("note: the reference is not measured (--no-reference, or python3 cannot import capturemock)");
    }
    std::fs::write(
        data.join("http.rc"),
        "[general]\nserver_protocol = http\nrecord_for_client = true\n",
    )
    .expect("rc");
    let mut file = String::new();
    for i in 0..REQUESTS {
        file.push_str(&format!(
            "<-CLI:GET /item/{i}\n->SRV:200 item {i}\n--HEA:Content-Type=text/plain\n"
        ));
    }
    std::fs::write(data.join("items.mock"), file).expect("replay file");

    let mut servers: Vec<(&str, Vec<String>)> = vec![
        ("bare hyper", vec![path(&bare)]),
        (
            "ours",
            vec![
                path(&ours),
                "--server-only".into(),
                "-R".into(),
                "http.rc".into(),
                "-p".into(),
                "items.mock".into(),
            ],
        ),
    ];
    if let Some(server_py) = &reference {
        servers.push((
            "reference",
            vec![
                "python3".into(),
                path(server_py),
                "-m".into(),
                "0".into(),
                "-p".into(),
                "items.mock".into(),
                "--rcfiles".into(),
                "http.rc".into(),
            ],
        ));
    }
    let mut results: Vec<(String, usize, Vec<f64>)> = Vec::new();
    for round in 0..rounds {
        for clients in [1, 64] {
            for (name, command) in &servers {
                let mut server = Server::start(command, &data);
                let rate = load(&server.address, clients, duration);
                server.stop();
                eprintln!(
                    "round {}: {name}, {clients} client(s): {rate:.0} requests/s",
                    round + 1
                );
                match results
                    .iter_mut()
                    .find(|(n, c, _)| n == name && *c == clients)
                {
                    Some((_, _, rates)) => rates.push(rate),
                    None => results.push((name.to_string(), clients, vec![rate])),
                }
            }
        }
    }
    println!("\nReplay over keep-alive connections, requests per second (median of {rounds} round(s) of {duration:?}):\n");
    println!("| server | clients | requests/s | share of bare hyper | times the reference |");
    println!("|---|---|---|---|---|");
    let median_of = |name: &str, clients: usize| {
        results
            .iter()
            .find(|(n, c, _)| n == name && *c == clients)
            .map(|(_, _, rates)| median(rates))
    };
    for (name, clients, rates) in &results {
        let rate = median(rates);
        let share = median_of("bare hyper", *clients)
            .map_or("".into(), |bare| format!("{:.0} %", 100.0 * rate / bare));
        let times =
            median_of("reference", *clients).map_or("".into(), |r| format!("{:.1}×", rate / r));
        println!("| {name} | {clients} | {rate:.0} | {share} | {times} |");
    }

    println!("\nA {} MB response through ours: peak resident memory over idle, in copies of the response:\n", LARGE >> 20);
    let upstream = big_upstream();
    let record = Server::start(
        &[
            path(&ours),
            "--server-only".into(),
            "-R".into(),
            "http.rc".into(),
            "-m".into(),
            "1".into(),
            "-r".into(),
            "big.mock".into(),
            "--upstream".into(),
            upstream.clone(),
        ],
        &data,
    );
    let idle = memory(record.pid(), "VmRSS");
    fetch_large(&record.address);
    let peak = memory(record.pid(), "VmHWM");
    let mut record = record;
    record.stop_http();
    println!("| run | idle | peak | copies held |");
    println!("|---|---|---|---|");
    println!(
        "| record | {} MB | {} MB | {:.1} |",
        idle >> 20,
        peak >> 20,
        (peak - idle) as f64 / LARGE as f64
    );
    let mut replay = Server::start(
        &[
            path(&ours),
            "--server-only".into(),
            "-R".into(),
            "http.rc".into(),
            "-p".into(),
            "big.mock".into(),
        ],
        &data,
    );
    let idle = memory(replay.pid(), "VmRSS");
    fetch_large(&replay.address);
    let peak = memory(replay.pid(), "VmHWM");
    replay.stop();
    println!(
        "| replay (file loaded at start: idle includes it) | {} MB | {} MB | {:.1} |",
        idle >> 20,
        peak >> 20,
        (peak - idle) as f64 / LARGE as f64
    );
}

/// A server process and its address (`host:port`).
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(command: &[String], dir: &Path) -> Self {
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("address");
        let address = line.trim().trim_start_matches("http://").to_string();
        assert!(!address.is_empty(), "{command:?} printed no address");
        Server { child, address }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Ends a recording the way the reference's launcher does, so that its file is written.
    fn stop_http(&mut self) {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        let _ = stream.write_all(b"GET /capturemock/shutdownServer HTTP/1.1\r\nHost: x\r\n\r\n");
        let _ = self.child.wait();
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Requests per second from `clients` threads over `duration`, each on a keep-alive
/// connection, asking for the recorded items in turn.
fn load(address: &str, clients: usize, duration: Duration) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let warm = Duration::from_millis(300);
    let threads: Vec<_> = (0..clients)
        .map(|t| {
            let (address, done, stop) = (address.to_string(), Arc::clone(&done), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut connection: Option<(TcpStream, BufReader<TcpStream>)> = None;
                let mut i = t;
                while !stop.load(Ordering::Relaxed) {
                    let (stream, reader) = connection.get_or_insert_with(|| {
                        let stream = TcpStream::connect(&address).expect("connect");
                        let _ = stream.set_nodelay(true);
                        let reader = BufReader::new(stream.try_clone().expect("clone"));
                        (stream, reader)
                    });
                    let request =
                        format!("GET /item/{} HTTP/1.1\r\nHost: bench\r\n\r\n", i % REQUESTS);
                    i += 1;
                    stream.write_all(request.as_bytes()).expect("send");
                    let keep = read_response(reader);
                    done.fetch_add(1, Ordering::Relaxed);
                    if !keep {
                        connection = None;
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(warm);
    let start_count = done.load(Ordering::Relaxed);
    let start = Instant::now();
    std::thread::sleep(duration);
    let count = done.load(Ordering::Relaxed) - start_count;
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        thread.join().expect("client thread");
    }
    count as f64 / elapsed.as_secs_f64()
}

/// Reads one response; returns whether the connection stays open. A response without a
/// length ends with the connection (the reference's).
fn read_response(reader: &mut BufReader<TcpStream>) -> bool {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    assert!(line.contains(" 200 "), "unexpected response {line:?}");
    let mut length = None;
    let mut close = line.starts_with("HTTP/1.0");
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).expect("header");
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse::<usize>().ok();
        }
        if lower.starts_with("connection:") && lower.contains("close") {
            close = true;
        }
    }
    match length {
        Some(length) => {
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("body");
        }
        None => {
            let mut body = Vec::new();
            reader.read_to_end(&mut body).expect("body");
            close = true;
        }
    }
    !close
}

/// A real service answering every request with a 10 MB text body; its base URL.
fn big_upstream() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        let body: Vec<u8> = (0..LARGE)
            .map(|i| {
                if i % 64 == 63 {
                    b'\n'
                } else {
                    b'a' + (i % 26) as u8
                }
            })
            .collect();
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {LARGE}\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}

/// GETs /big and checks its size.
fn fetch_large(address: &str) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .write_all(b"GET /big HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    assert!(
        response.len() > LARGE,
        "short response: {} bytes",
        response.len()
    );
}

/// A `/proc/<pid>/status` figure in bytes.
fn memory(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[sorted.len() / 2]
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The reference's server.py, if python3 can import it.
fn reference_server() -> Option<PathBuf> {
    let output = Command::new("python3")
        .args(["-c", "import capturemock.server as s; print(s.__file__)"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()))
}
