//! Running the real command for a call, and passing kills on to it.
//!
//! The real program gets the call's arguments (`argv[0]` its base name, as the reference gives
//! it), its whole environment and its working directory, and is looked up on the call's own
//! `PATH`, which the shim has already taken its directory out of (and so does this module,
//! should a shim have failed to). Its stdin is the shim's: the reference gives it the
//! server's own stdin, so a command that reads its input recorded whatever the server had.
//! On Linux the shim's stdin is reached through `/proc/<pid>/fd/0`, which works for the
//! reference's shim as well as ours; where that cannot be opened (another system, a socket),
//! the real program reads an empty stdin.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;

use super::message::Call;

/// What the real command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Everything it wrote to stdout.
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
    /// Its exit status, or minus the signal that killed it.
    pub status: i32,
}

/// Why the real command could not be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Not on the call's `PATH` (without the shims).
    #[error("no command '{0}' on the PATH")]
    NotFound(String),
    /// Found, but it could not be started or waited for.
    #[error("cannot run {}", .0.display())]
    Start(PathBuf, #[source] std::io::Error),
}

/// The real processes running for shims, by the shim's pid as its call sent it, so that a
/// kill naming that pid reaches the real process.
#[derive(Debug, Default)]
pub struct Running {
    processes: Mutex<HashMap<String, u32>>,
}

impl Running {
    /// Sends `signal` to the real process started for the shim `pid`. Returns whether there
    /// was one: a kill for a command that has finished, or that was replayed, does nothing.
    pub fn kill(&self, pid: &str, signal: i32) -> bool {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        let Some(process) = self.lock().get(pid).copied() else {
            return false;
        };
        let (Ok(signal), Ok(process)) = (Signal::try_from(signal), i32::try_from(process)) else {
            return false;
        };
        kill(Pid::from_raw(process), signal).is_ok()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        // A map of pids stays consistent whatever panicked while it was held.
        self.processes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `call`'s real command, named `name`, to its end. `shims` is the directory of the
    /// run's shims, never searched.
    pub async fn run(
        &self,
        call: &Call,
        name: &str,
        shims: Option<&Path>,
    ) -> Result<Finished, RunError> {
        let path = call
            .environment
            .iter()
            .find(|(key, _)| key == b"PATH")
            .map(|(_, value)| OsString::from_vec(value.clone()));
        let program = find_program(name, path.as_deref(), shims)
            .ok_or_else(|| RunError::NotFound(name.to_owned()))?;
        let mut command = tokio::process::Command::new(&program);
        command
            .arg0(name)
            .args(call.argv[1..].iter().map(|a| OsString::from_vec(a.clone())))
            .env_clear()
            .envs(
                call.environment
                    .iter()
                    .map(|(k, v)| (OsString::from_vec(k.clone()), OsString::from_vec(v.clone()))),
            )
            .current_dir(&call.cwd)
            .stdin(shim_stdin(&call.pid))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = command
            .spawn()
            .map_err(|e| RunError::Start(program.clone(), e))?;
        if let Some(id) = child.id() {
            self.lock().insert(call.pid.clone(), id);
        }
        let output = child.wait_with_output().await;
        self.lock().remove(&call.pid);
        let output = output.map_err(|e| RunError::Start(program, e))?;
        Ok(Finished {
            stdout: output.stdout,
            stderr: output.stderr,
            status: status_number(output.status),
        })
    }
}

/// The exit status as the record writes it: the code, or minus the signal.
fn status_number(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|signal| -signal))
        .unwrap_or(1)
}

/// `name` on `path` (the system's default path when there is none, as Python's
/// `os.get_exec_path` has it), skipping `shims`: the first executable file of that name.
fn find_program(
    name: &str,
    path: Option<&std::ffi::OsStr>,
    shims: Option<&Path>,
) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    if name.is_empty() || name.contains('/') {
        return None;
    }
    let default = std::ffi::OsStr::from_bytes(b"/bin:/usr/bin");
    std::env::split_paths(path.unwrap_or(default))
        .filter(|dir| Some(dir.as_path()) != shims)
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                PathBuf::from(".").join(name)
            } else {
                dir.join(name)
            }
        })
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// The shim's own stdin, for the real program: `/proc/<pid>/fd/0`, at the shim's offset when
/// it is a file. Empty when it cannot be opened.
fn shim_stdin(pid: &str) -> Stdio {
    use std::io::{Seek, SeekFrom};
    let Ok(pid) = pid.trim().parse::<u32>() else {
        return Stdio::null();
    };
    let Ok(mut file) = std::fs::File::open(format!("/proc/{pid}/fd/0")) else {
        return Stdio::null();
    };
    if file.metadata().is_ok_and(|m| m.is_file()) {
        // A file opened again starts at 0; the shim may have been given it part-read.
        let offset = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/0"))
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|line| line.strip_prefix("pos:"))
                    .and_then(|pos| pos.trim().parse::<u64>().ok())
            })
            .unwrap_or(0);
        if file.seek(SeekFrom::Start(offset)).is_err() {
            return Stdio::null();
        }
    }
    Stdio::from(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_found_on_the_calls_path_without_the_shims() {
        let dir = tempfile::tempdir().unwrap();
        let shims = dir.path().join("shims");
        let real = dir.path().join("real");
        for d in [&shims, &real] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("tool"), "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(
                d.join("tool"),
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            )
            .unwrap();
        }
        let path = std::env::join_paths([&shims, &real]).unwrap();
        assert_eq!(
            find_program("tool", Some(&path), Some(&shims)),
            Some(real.join("tool"))
        );
        assert_eq!(
            find_program("tool", Some(&path), None),
            Some(shims.join("tool"))
        );
        assert_eq!(find_program("nosuchprog", Some(&path), None), None);
        assert_eq!(find_program("a/b", Some(&path), None), None);
    }
}
