//! The program's shims: a private directory with one link per intercepted command name,
//! first on the program's `PATH`, each leading to the shim executable
//! ([`crate::shim::executable`]). The shim sends the call to the server, which runs the real
//! command or replays it.

use std::io;
use std::path::{Path, PathBuf};

use capturemock_core::replay::Mode;

use crate::traffic::command_line::settings::CommandLineSettings;

/// A directory of shims, removed when dropped (shims that leftover background processes start
/// later then fail, as the reference's do).
#[derive(Debug)]
pub(crate) struct ShimDir {
    path: PathBuf,
}

impl ShimDir {
    /// The names that get a shim in `mode`: every intercepted command when recording (modes 1
    /// and 2), only those the replay file holds when replaying, so that the others run for
    /// real, unrecorded, as in the reference.
    pub(crate) fn names(settings: &CommandLineSettings, mode: Mode) -> &[String] {
        match mode {
            Mode::Replay => &settings.replayed,
            Mode::Record | Mode::ReplayOldRecordNew => &settings.intercepts,
        }
    }

    /// A new private directory (mode 0700) in the system's temporary directory, with a link
    /// named after each of `names` to `shim`.
    pub(crate) fn create(names: &[String], shim: &Path) -> io::Result<ShimDir> {
        let dir = ShimDir {
            path: private_dir()?,
        };
        for name in names {
            std::os::unix::fs::symlink(shim, dir.path.join(name))?;
        }
        Ok(dir)
    }

    /// Where it is.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// `PATH` with the shims first.
    pub(crate) fn path_variable(&self) -> std::ffi::OsString {
        let mut value = self.path.clone().into_os_string();
        if let Some(old) = std::env::var_os("PATH").filter(|p| !p.is_empty()) {
            value.push(":");
            value.push(old);
        }
        value
    }
}

impl Drop for ShimDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            tracing::warn!("cannot remove the shims in {}: {e}", self.path.display());
        }
    }
}

/// A new directory only this user can enter, `capturemock-shims-<pid>-<n>` in the temporary
/// directory. Its name need not be secret: it is created exclusively, and a name already
/// taken is skipped.
fn private_dir() -> io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for attempt in 0u32..100 {
        let path = base.join(format!(
            "capturemock-shims-{}-{:x}",
            std::process::id(),
            nanos.wrapping_add(attempt)
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free name for a shim directory in {}", base.display()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shims_are_links_in_a_private_directory_removed_on_drop() {
        use std::os::unix::fs::PermissionsExt;
        let names = vec!["git".to_string(), "make".to_string()];
        let dir = ShimDir::create(&names, Path::new("/bin/true")).unwrap();
        let path = dir.path().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(
            std::fs::read_link(path.join("git")).unwrap(),
            Path::new("/bin/true")
        );
        assert!(dir
            .path_variable()
            .to_string_lossy()
            .starts_with(&*path.to_string_lossy()));
        drop(dir);
        assert!(!path.exists());
    }
}
