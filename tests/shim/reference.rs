//! Our shim against CaptureMock 2.10's server (`python3 -m capturemock.server`, started as
//! its command line starts it), side by side with the reference's own Python shim: the same
//! calls must give the same record file, output and statuses. And a kill: SIGTERM to a shim
//! of `sleep` while the server runs the real `sleep` is passed on, recorded as `->EXC:-15`,
//! and the shim dies by SIGTERM.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

const LIMIT: Duration = Duration::from_secs(30);

/// The real `mytool`: prints its arguments on stdout, their count on stderr, and exits with
/// `$MYTOOL_EXIT`.
const REAL_MYTOOL: &str =
    "#!/bin/sh\necho \"out: $*\"\necho \"err: $#\" >&2\nexit ${MYTOOL_EXIT:-0}\n";

/// The interpreter of `python3` on the test's `PATH`, as a path: the server and the
/// reference's shim run with a small `PATH` of their own, which may hold another python3.
fn python() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        let output = Command::new("python3")
            .args(["-c", "import sys, capturemock; print(sys.executable)"])
            .output()
            .expect("python3 with capturemock==2.10.0 installed (see .ci/run)");
        assert!(
            output.status.success(),
            "python3 with capturemock==2.10.0 installed (see .ci/run)"
        );
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    })
}

/// The reference's shim, as its command line writes it (`makePosixIntercept`).
fn reference_shim_text() -> String {
    format!(
        "#!{}\nimport capturemock; capturemock.interceptCommand()\n",
        python()
    )
}

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o775)).unwrap();
}

/// The reference's server in record mode, in `dir`, with `rc` as its rc file.
struct ReferenceServer {
    child: Child,
    address: String,
    record: PathBuf,
}

impl ReferenceServer {
    fn start(dir: &Path, rc: &str, path: &str) -> Self {
        let rc_file = dir.join("run.rc");
        std::fs::write(&rc_file, rc).unwrap();
        let record = dir.join("record.mock");
        let mut child = Command::new(python())
            .args(["-m", "capturemock.server", "-m", "1", "-r"])
            .arg(&record)
            .arg("--rcfiles")
            .arg(&rc_file)
            .current_dir(dir)
            .env_clear()
            .env("PATH", path)
            .env("HOME", dir)
            .env("LANG", "C.UTF-8")
            .env("CAPTUREMOCK_MODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
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
        ReferenceServer {
            child,
            address,
            record,
        }
    }

    /// Stops the server and returns the record file's text.
    fn finish(mut self) -> String {
        exchange(&self.address, b"TERMINATE_SERVER");
        let deadline = Instant::now() + LIMIT;
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the reference server did not stop");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        assert!(
            !stderr.contains("Traceback"),
            "the reference server failed:\n{stderr}"
        );
        std::fs::read_to_string(&self.record).unwrap_or_default()
    }
}

/// What one call gave: status code, stdout, stderr.
type Outcome = (Option<i32>, Vec<u8>, Vec<u8>);

/// Runs each call (`args` with `MYTOOL_EXIT`) through the shims in `shims` against a fresh
/// reference server, and returns what the calls gave and the record file.
fn record_calls(dir: &Path, shims: &Path, calls: &[(&[&str], &str)]) -> (Vec<Outcome>, String) {
    let real = dir.join("real");
    std::fs::create_dir_all(&real).unwrap();
    write_executable(&real.join("mytool"), REAL_MYTOOL);
    let server_path = format!("{}:/usr/bin:/bin", real.display());
    let server = ReferenceServer::start(
        dir,
        "[command line]\nintercepts = mytool,nosuchtool\nenvironment = MYVAR\n",
        &server_path,
    );
    let path = format!("{}:{server_path}", shims.display());
    let mut outcomes = Vec::new();
    for (args, exit) in calls {
        let (command, args) = args.split_first().unwrap();
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let env = [
            ("PATH", OsStr::new(&path)),
            ("CAPTUREMOCK_SERVER", OsStr::new(&server.address)),
            ("LANG", OsStr::new("C.UTF-8")),
            ("MYTOOL_EXIT", OsStr::new(exit)),
            ("MYVAR", OsStr::new("it's \"é\" $x")),
        ];
        let output = finish(spawn(command, &args, &env, dir), LIMIT);
        outcomes.push((output.status.code(), output.stdout, output.stderr));
    }
    (outcomes, server.finish())
}

#[test]
fn our_shim_records_what_the_references_own_shim_records() {
    let calls: &[(&[&str], &str)] = &[
        (&["mytool", "a b", "it's"], "3"),
        (&["mytool"], "0"),
        (
            &[
                "mytool",
                "say \"hi there\"",
                "",
                "tab\there",
                "é😀",
                "back\\slash",
            ],
            "0",
        ),
        // Not 129..160: the reference's shim would wait for a signal forever.
        (&["mytool", "two\nlines"], "7"),
        (&["nosuchtool", "-a", "x y"], "0"),
    ];
    let ours_dir = scratch("reference-ours");
    let ours_shims = our_shims(&ours_dir, &["mytool", "nosuchtool"]);
    let (ours, ours_record) = record_calls(&ours_dir, &ours_shims, calls);

    let theirs_dir = scratch("reference-theirs");
    let theirs_shims = theirs_dir.join("shims");
    std::fs::create_dir_all(&theirs_shims).unwrap();
    for name in ["mytool", "nosuchtool"] {
        write_executable(&theirs_shims.join(name), &reference_shim_text());
    }
    let (theirs, theirs_record) = record_calls(&theirs_dir, &theirs_shims, calls);

    assert!(
        ours_record.contains("<-CMD:env 'MYVAR=it's \"é\" $x' mytool \"a b\" it's\n->OUT:out: a b it's\n->ERR:err: 2\n->EXC:3\n"),
        "{ours_record}"
    );
    assert!(
        ours_record
            .contains("ERROR: CaptureMock Server could not find command 'nosuchtool' in PATH"),
        "{ours_record}"
    );
    assert_eq!(ours_record, theirs_record);
    for (call, (ours, theirs)) in calls.iter().zip(ours.iter().zip(&theirs)) {
        assert_eq!(ours, theirs, "call {call:?}");
    }
    assert_eq!(ours[0].0, Some(3));
}

#[test]
fn sigterm_reaches_the_real_command_through_the_reference_server() {
    let dir = scratch("reference-kill");
    let shims = our_shims(&dir, &["sleep"]);
    let server = ReferenceServer::start(
        &dir,
        "[command line]\nintercepts = sleep\n",
        "/usr/bin:/bin",
    );
    let path = format!("{}:/usr/bin:/bin", shims.display());
    let child = spawn(
        "sleep",
        &[OsStr::new("100")],
        &[
            ("PATH", OsStr::new(&path)),
            ("CAPTUREMOCK_SERVER", OsStr::new(&server.address)),
            ("LANG", OsStr::new("C.UTF-8")),
        ],
        &dir,
    );
    // Kill once the server runs the real `sleep 100`, a child of the server.
    let server_pid = server.child.id();
    let deadline = Instant::now() + LIMIT;
    while !runs_child(server_pid, b"sleep\x00100\x00") {
        assert!(Instant::now() < deadline, "the server never ran sleep 100");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = finish(child, LIMIT);
    assert!(killed_by(output.status, 15), "{}", describe(&output));
    let record = server.finish();
    assert_eq!(record, "<-CMD:sleep 100\n->EXC:-15\n");
}

/// Whether a child of `parent` runs with the command line `cmdline` (`/proc`).
fn runs_child(parent: u32, cmdline: &[u8]) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        let parent_matches = std::fs::read_to_string(path.join("stat")).is_ok_and(|stat| {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1).map(str::to_string))
                == Some(parent.to_string())
        });
        parent_matches && std::fs::read(path.join("cmdline")).is_ok_and(|c| c == cmdline)
    })
}
