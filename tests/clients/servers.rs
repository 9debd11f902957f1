//! The two servers a client can talk to: the reference's (`python3 -m capturemock.server`, a
//! separate process, as its command line starts it) and ours (in this process).

pub use crate::scratch::Scratch;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use capturemock::client::{Client, ClientConfig};
use capturemock::rc::RcConfig;
use capturemock::server::{BackgroundServer, ServerConfig};
use capturemock_core::replay::Mode;

/// A scratch directory for one test, emptied first and removed when the test passes.
pub fn scratch(name: &str) -> Scratch {
    Scratch::new("clients", name)
}

/// Which implementation serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Reference,
    Ours,
}

pub const BOTH: [Kind; 2] = [Kind::Reference, Kind::Ours];

/// A running server and the files of its run.
pub struct Server {
    pub address: String,
    pub record: PathBuf,
    running: Running,
}

enum Running {
    Reference(Child),
    Ours(BackgroundServer),
}

/// What a server run is given.
pub struct Setup<'a> {
    pub mode: Mode,
    /// The replay file's text (written to `replay.mock`), if any.
    pub replay: Option<&'a str>,
    /// The rc file's text (`run.rc`; empty by default, so no personal config is read).
    pub rc: &'a str,
}

impl Setup<'_> {
    pub fn mode(mode: Mode) -> Self {
        Setup {
            mode,
            replay: None,
            rc: "",
        }
    }
}

impl Server {
    /// Starts `kind` in `dir` (which receives `replay.mock`, `run.rc`, `record.mock`).
    pub fn start(kind: Kind, dir: &Path, setup: &Setup<'_>) -> Server {
        let record = dir.join("record.mock");
        let rc = dir.join("run.rc");
        std::fs::write(&rc, setup.rc).unwrap();
        let replay = setup.replay.map(|text| {
            let path = dir.join("replay.mock");
            std::fs::write(&path, text).unwrap();
            path
        });
        let (address, running) = match kind {
            Kind::Reference => {
                let mut command = Command::new("python3");
                command
                    .args(["-m", "capturemock.server"])
                    .args(["-m", &setup.mode.number().to_string()])
                    .arg("-r")
                    .arg(&record)
                    .arg("-R")
                    .arg(&rc)
                    .current_dir(dir)
                    // The reference reads replay files in the locale's encoding.
                    .env("PYTHONUTF8", "1")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null());
                if let Some(replay) = &replay {
                    command.arg("-p").arg(replay);
                }
                let mut child = command
                    .spawn()
                    .expect("python3 with capturemock==2.10.0 installed (see .ci/run)");
                let mut line = String::new();
                BufReader::new(child.stdout.take().unwrap())
                    .read_line(&mut line)
                    .unwrap();
                let address = line.trim().to_string();
                assert!(
                    !address.is_empty(),
                    "the reference server printed no address"
                );
                (address, Running::Reference(child))
            }
            Kind::Ours => {
                let rc = RcConfig::load(&[&rc]).unwrap();
                let (mut config, _) = ServerConfig::from_rc(&rc, setup.mode).unwrap();
                if let Some(replay) = &replay {
                    config.load_replay(replay).unwrap();
                }
                config.record = Some(record.clone());
                let server = BackgroundServer::start(config, 0).unwrap();
                (server.address().to_string(), Running::Ours(server))
            }
        };
        Server {
            address,
            record,
            running,
        }
    }

    /// A blocking client for this server in `mode`.
    pub fn client(&self, mode: Mode) -> Client {
        Client::new(ClientConfig::new(&self.address, mode).unwrap())
    }

    /// Stops the server with our client's `TERMINATE_SERVER`, waits for it, and returns the
    /// record file's text (empty when none was written).
    pub fn finish(self) -> String {
        self.client(Mode::Replay).terminate_server().unwrap();
        match self.running {
            Running::Reference(mut child) => {
                let deadline = Instant::now() + Duration::from_secs(20);
                loop {
                    if let Some(status) = child.try_wait().unwrap() {
                        assert!(status.success(), "the reference server failed: {status}");
                        break;
                    }
                    if Instant::now() > deadline {
                        let _ = child.kill();
                        panic!("the reference server did not stop after TERMINATE_SERVER");
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            Running::Ours(server) => {
                server.wait().unwrap();
            }
        }
        std::fs::read_to_string(&self.record).unwrap_or_default()
    }
}
