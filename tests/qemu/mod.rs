//! The firmware of `examples/firmware-qemu` under QEMU (`lm3s6965evb`), its UART0 on a TCP
//! socket this process listens on.
//!
//! Needs `qemu-system-arm` (`.ci/run` installs it) and the `thumbv7m-none-eabi` target. Without
//! QEMU these tests fail, unless `CAPTUREMOCK_SKIP_QEMU=1` says to skip them.

mod bridge;
mod hal;
mod host;
mod local;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long one QEMU run may take, boot to exit.
const RUN_DEADLINE: Duration = Duration::from_secs(60);

fn firmware_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/firmware-qemu")
}

/// `None` (after saying so) when QEMU is missing and skipping is allowed; panics when it is
/// missing and skipping is not allowed.
fn qemu_available() -> Option<()> {
    let found = Command::new("qemu-system-arm")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(());
    }
    if std::env::var("CAPTUREMOCK_SKIP_QEMU").as_deref() == Ok("1") {
        eprintln!("qemu-system-arm not found: skipped (CAPTUREMOCK_SKIP_QEMU=1)");
        return None;
    }
    panic!(
        "qemu-system-arm not found: the firmware tests need it. Install it as .ci/run does \
         (apt-get install -t bookworm-backports qemu-system-arm), or set CAPTUREMOCK_SKIP_QEMU=1 \
         to skip these tests"
    );
}

/// Builds the firmware once per test run; returns the ELF.
fn firmware() -> &'static Path {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let dir = firmware_dir();
        let target_dir = dir.join("target");
        // Cargo reads the firmware's .cargo/config.toml (target, linker script) only from its
        // directory; RUSTFLAGS from outside would replace the linker script flag.
        let mut cargo = Command::new(env!("CARGO"));
        let output = crate::cargo_env::without_cargo_run_env(&mut cargo)
            .args(["build", "--release", "--target", "thumbv7m-none-eabi"])
            .arg("--target-dir")
            .arg(&target_dir)
            .current_dir(&dir)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "building the firmware failed (is the thumbv7m-none-eabi target installed? \
                 rustup target add thumbv7m-none-eabi):\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(target_dir.join("thumbv7m-none-eabi/release/firmware-qemu"))
    });
    match built {
        Ok(path) => path,
        Err(e) => panic!("{e}"),
    }
}

/// One QEMU at a time: the machine has few cores, and the throughput test wants them.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running firmware. Dropping it kills QEMU (by PID) if it is still running.
pub struct Qemu {
    child: Child,
    /// UART0.
    pub uart: TcpStream,
    deadline: Instant,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
    _turn: MutexGuard<'static, ()>,
}

/// How a run ended.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    /// Semihosting output.
    pub console: String,
    pub stderr: String,
}

impl Qemu {
    /// Boots the firmware and sends it `mode` (its first byte). `None` when QEMU is missing
    /// and skipping is allowed.
    pub fn start(mode: u8) -> Option<Qemu> {
        Qemu::start_with(mode, &[], || ())
    }

    /// [`Qemu::start`] with more QEMU arguments (`-device ...`: a peripheral model on the
    /// board's buses), and `prepare` run once QEMU is up, before the firmware gets its mode
    /// byte (to set a model's state through QMP, say).
    pub fn start_with(mode: u8, qemu_args: &[&str], prepare: impl FnOnce()) -> Option<Qemu> {
        qemu_available()?;
        let elf = firmware();
        let turn = one_at_a_time();
        // Listening first and letting QEMU connect avoids racing for a port.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut child = Command::new("qemu-system-arm")
            .args(["-cpu", "cortex-m3", "-machine", "lm3s6965evb", "-nographic"])
            .args(["-monitor", "none"])
            .args(["-semihosting-config", "enable=on,target=native"])
            .arg("-kernel")
            .arg(elf)
            .arg("-serial")
            .arg(format!("tcp:127.0.0.1:{port},nodelay=on"))
            .args(qemu_args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start qemu-system-arm");
        let stdout = child.stdout.take().map(drain);
        let stderr = child.stderr.take().map(drain);
        let deadline = Instant::now() + RUN_DEADLINE;
        listener.set_nonblocking(true).unwrap();
        let uart = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if let Ok(Some(status)) = child.try_wait() {
                        panic!("qemu exited before connecting: {status}");
                    }
                    assert!(Instant::now() < deadline, "qemu did not connect in time");
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => panic!("accept: {e}"),
            }
        };
        uart.set_nonblocking(false).unwrap();
        uart.set_nodelay(true).unwrap();
        let mut qemu = Qemu {
            child,
            uart,
            deadline,
            stdout,
            stderr,
            _turn: turn,
        };
        prepare();
        qemu.uart.write_all(&[mode]).unwrap();
        Some(qemu)
    }

    /// Time left before the run's deadline.
    pub fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Whether QEMU has exited.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Waits for QEMU to exit (until the deadline) and collects its output.
    pub fn finish(mut self) -> Finished {
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() >= self.deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                let console = self.stdout.take().map(join).unwrap_or_default();
                let stderr = self.stderr.take().map(join).unwrap_or_default();
                panic!("firmware did not finish in time; console so far:\n{console}\n{stderr}");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        Finished {
            status,
            console: self.stdout.take().map(join).unwrap_or_default(),
            stderr: self.stderr.take().map(join).unwrap_or_default(),
        }
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let status = self.child.wait();
        if std::thread::panicking() {
            // The test failed while the firmware ran: show what QEMU said.
            let console = self.stdout.take().map(join).unwrap_or_default();
            let stderr = self.stderr.take().map(join).unwrap_or_default();
            eprintln!("qemu ({status:?}) console:\n{console}\nqemu stderr:\n{stderr}");
        }
    }
}

fn drain<R: Read + Send + 'static>(mut pipe: R) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = pipe.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    })
}

fn join(handle: JoinHandle<String>) -> String {
    handle.join().unwrap_or_default()
}

impl Finished {
    /// Panics with the console unless the firmware exited with status 0.
    pub fn assert_success(&self) {
        assert!(
            self.status.success(),
            "firmware failed ({}):\n{}\n{}",
            self.status,
            self.console,
            self.stderr
        );
    }
}
