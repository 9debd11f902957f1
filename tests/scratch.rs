//! The one scratch directory kind of every end-to-end test: made empty for one test, and
//! removed when that test passes. A failing test keeps its directory (its record files and
//! logs are what explains the failure), and says where it is. With
//! `CAPTUREMOCK_KEEP_SCRATCH=1` every directory is kept: `scripts/test-all.sh` sets it, in a
//! temporary directory of its own, to scan the record files the tests wrote for secrets.

use std::ops::Deref;
use std::path::{Path, PathBuf};

/// A test's own directory under the system's temporary directory (`TMPDIR`), named
/// `capturemock-tests-<process>-<area>-<name>` so that concurrent test runs never share one.
#[derive(Debug)]
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// An empty directory for the test `name` of the area `area` (`server`, `shim`, ...).
    pub fn new(area: &str, name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "capturemock-tests-{}-{area}-{name}",
            std::process::id()
        ));
        // Left over from a failed test of a process with the same id.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create scratch directory {}: {e}", path.display()));
        Scratch { path }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "the failed test's files are kept in {}",
                self.path.display()
            );
        } else if std::env::var_os("CAPTUREMOCK_KEEP_SCRATCH").is_none_or(|v| v != "1") {
            // A program the test started may still be writing; what it leaves is harmless.
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
