//! The servers under test as processes: how each configuration starts and stops.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use crate::load::exchange;
use crate::workload::{Message, Workload};
use crate::{Paths, Tools};

/// How a server process is ended after its run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Send `TERMINATE_SERVER` and wait for the process to end (it writes its files).
    Terminate,
    /// Kill the process.
    Kill,
}

/// One server configuration: how to start it and what to send it.
pub struct Config {
    pub name: &'static str,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stop: Stop,
    pub messages: Arc<Vec<Message>>,
    /// Removed before each run.
    pub record_file: Option<PathBuf>,
}

impl Config {
    pub fn all(tools: &Tools, w: &Workload, paths: &Paths) -> Vec<Config> {
        let path = |p: &Path| p.display().to_string();
        let rc = path(&w.rc);
        let replay = path(&w.replay);
        let ours_record = paths.data.join("ours_record.mock");
        let ref_record = paths.data.join("reference_record.mock");
        // A constant reply: nothing to check.
        let unchecked: Arc<Vec<Message>> = Arc::new(
            w.mixed
                .iter()
                .map(|m| Message {
                    bytes: m.bytes.clone(),
                    expected: None,
                })
                .collect(),
        );
        let bare = |name, flavour: &str| Config {
            name,
            program: tools.bare.clone(),
            args: vec![flavour.into()],
            env: Vec::new(),
            stop: Stop::Kill,
            messages: Arc::clone(&unchecked),
            record_file: None,
        };
        let build = |program: &Path,
                     name,
                     args: &[&str],
                     messages: &Arc<Vec<Message>>,
                     record: Option<&Path>| {
            let mut all: Vec<String> = ["--server-only", "-R", &rc]
                .iter()
                .map(|s| s.to_string())
                .collect();
            all.extend(args.iter().map(|s| s.to_string()));
            Config {
                name,
                program: program.to_path_buf(),
                args: all,
                env: Vec::new(),
                stop: Stop::Terminate,
                messages: Arc::clone(messages),
                record_file: record.map(Path::to_path_buf),
            }
        };
        let ours = |name, args: &[&str], messages: &Arc<Vec<Message>>, record: Option<&Path>| {
            build(&tools.ours, name, args, messages, record)
        };
        let mut configs = vec![
            bare("bare, thread per connection", "threads"),
            bare("bare, tokio", "tokio"),
            ours("ours, replay", &["-m", "0", "-p", &replay], &w.mixed, None),
            ours(
                "ours, replay, exact only",
                &["-m", "0", "-p", &replay],
                &w.exact,
                None,
            ),
            ours(
                "ours, record",
                &["-m", "1", "-r", &path(&ours_record)],
                &w.record,
                Some(&ours_record),
            ),
        ];
        if let Some(baseline) = &tools.baseline {
            let record = paths.data.join("baseline_record.mock");
            let replay_args = ["-m", "0", "-p", replay.as_str()];
            // Each right after its counterpart of ours.
            let runs = [
                (3, "baseline, replay", &w.mixed, None),
                (5, "baseline, replay, exact only", &w.exact, None),
                (7, "baseline, record", &w.record, Some(record.as_path())),
            ];
            for (at, name, messages, record) in runs {
                let record_args;
                let args: &[&str] = match record {
                    Some(file) => {
                        record_args = ["-m".to_string(), "1".into(), "-r".into(), path(file)];
                        &[
                            &record_args[0],
                            &record_args[1],
                            &record_args[2],
                            &record_args[3],
                        ]
                    }
                    None => &replay_args,
                };
                configs.insert(at, build(baseline, name, args, messages, record));
            }
        }
        if let Some(r) = &tools.reference {
            let reference =
                |name, args: &[&str], messages: &Arc<Vec<Message>>, record: Option<&Path>| {
                    let mut all = vec![path(&r.server_py), "--rcfiles".into(), rc.clone()];
                    all.extend(args.iter().map(|s| s.to_string()));
                    Config {
                        name,
                        program: PathBuf::from(&r.python),
                        args: all,
                        env: vec![("PYTHONPATH".into(), path(&r.pythonpath))],
                        stop: Stop::Terminate,
                        messages: Arc::clone(messages),
                        record_file: record.map(Path::to_path_buf),
                    }
                };
            // Interleaved with ours in the table's order.
            configs.insert(
                3,
                reference(
                    "reference, replay",
                    &["-m", "0", "-p", &replay],
                    &w.mixed,
                    None,
                ),
            );
            configs.insert(
                5,
                reference(
                    "reference, replay, exact only",
                    &["-m", "0", "-p", &replay],
                    &w.exact,
                    None,
                ),
            );
            configs.push(reference(
                "reference, record",
                &["-m", "1", "-r", &path(&ref_record)],
                &w.record,
                Some(&ref_record),
            ));
        }
        configs
    }

    pub fn start(&self, logs: &Path) -> Server {
        if let Some(file) = &self.record_file {
            let _ = std::fs::remove_file(file);
        }
        let log_name = self.name.replace(", ", "_").replace(' ', "_") + ".stderr";
        let log = std::fs::File::create(logs.join(log_name)).expect("create server log");
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", self.program.display()));
        let started = Instant::now();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep reading so that a server that prints more never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut server = Server {
            child,
            address: "127.0.0.1:1".parse().expect("address"),
            stop: self.stop,
            startup: Duration::ZERO,
        };
        let line = rx
            .recv_timeout(Duration::from_secs(300))
            .unwrap_or_else(|_| panic!("{} printed no address", self.name));
        server.address = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{} printed {line:?}, not an address", self.name));
        server.startup = started.elapsed();
        server
    }
}

pub struct Server {
    pub child: Child,
    pub address: SocketAddr,
    pub stop: Stop,
    /// From starting the process to reading its address.
    pub startup: Duration,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn shut_down(mut self) {
        if self.stop == Stop::Terminate {
            let _ = exchange(self.address, b"TERMINATE_SERVER", &mut Vec::new());
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            eprintln!(
                "server_load: server {} did not stop; killing it",
                self.pid()
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // After shut_down this finds the process gone; on a panic it ends the server.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
