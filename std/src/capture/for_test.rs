//! The test helper: a test's mock file, its mode, and the drift check when it ends. The Rust
//! form of the reference's `@capturemock` decorator.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use capturemock_core::replay::{Mode, NewRequestPolicy};

use super::{current::Entered, CaptureError, Session};
use crate::client::MODE_VAR;
use crate::rc::RcConfig;

/// The rc file the reference's decorator reads when it exists in the working directory.
pub const TEST_RC_FILE: &str = ".capturemockrc";

/// The mock file of a test: `<dir>/<module path>/<name>.mock`, where the test's path
/// `a::b::test_name` gives the directories `a/b` and the name with every `test_` removed (as
/// the reference removes it from function names, so `test_prices` keeps its `prices.mock`).
/// A name that would be empty that way is kept as it is.
pub fn mock_file(dir: &Path, test_path: &str) -> PathBuf {
    let mut segments: Vec<&str> = test_path.split("::").filter(|s| !s.is_empty()).collect();
    let last = segments.pop().unwrap_or("test");
    let stem = match last.replace("test_", "") {
        stem if stem.is_empty() => last.to_string(),
        stem => stem,
    };
    let mut path = dir.to_path_buf();
    path.extend(segments);
    path.push(format!("{stem}.mock"));
    path
}

/// The mode for a test: `CAPTUREMOCK_MODE` when set, otherwise replay when the mock file
/// exists and record when it does not.
pub fn test_mode(env_value: Option<&str>, mock_exists: bool) -> Result<Mode, CaptureError> {
    match env_value {
        Some(value) => Mode::parse(value).map_err(|_| CaptureError::BadMode {
            value: value.to_string(),
        }),
        None if mock_exists => Ok(Mode::Replay),
        None => Ok(Mode::Record),
    }
}

/// The mock file with `.tmp` appended: where a drifted run's exchanges go, as in the
/// reference.
fn drift_path(mock: &Path) -> PathBuf {
    let mut name = mock.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

/// A fresh temporary record file for this process.
/// The session records there, never straight into the mock file: in replay mode the mock file
/// is what the run is compared with, and a failing or panicking test must leave it as it was.
/// Numbered per process, so parallel tests (threads of one process) never share one, and
/// named after the process, so parallel test binaries do not either.
fn temp_record_path() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("capturemock-{}-{n}.mock", std::process::id()))
}

/// An error mapper naming what was being done to which file, for [`CaptureError::Io`].
fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> CaptureError {
    let path = path.to_path_buf();
    move |source| CaptureError::Io { what, path, source }
}

/// Removes `path`; a file that is already gone is no error.
fn remove_if_there(path: &Path) -> Result<(), CaptureError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("remove", path)(e)),
        _ => Ok(()),
    }
}

/// Moves `from` to `to`, copying when they are on different file systems.
/// (The temporary directory often is on another.) The mock file's directories are created,
/// since the first recording of a test in a new module needs them.
fn move_file(from: &Path, to: &Path) -> Result<(), CaptureError> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(io("create the directory", parent))?;
    }
    if std::fs::rename(from, to).is_err() {
        std::fs::copy(from, to).map_err(io("write", to))?;
        remove_if_there(from)?;
    }
    Ok(())
}

/// The files of one test's run, as every test helper chooses them (the capture session's
/// [`TestMock`] and the HTTP server's [`crate::http::HttpTest`]): the mock file named after the
/// test, the mode, the rc files, and a temporary record file.
#[derive(Debug)]
pub(crate) struct TestFiles {
    /// `mocks/<test path>.mock`.
    pub mock: PathBuf,
    /// The mode: given, or `CAPTUREMOCK_MODE`, or replay when the mock exists.
    pub mode: Mode,
    /// The rc files to read (given, or `.capturemockrc` when it exists).
    pub rc_files: Vec<PathBuf>,
    /// In replay mode, the mock file as it was at the start: what the run is compared with.
    pub replay_text: Option<String>,
    /// Where the run records (see `temp_record_path`).
    pub record: PathBuf,
}

impl TestFiles {
    /// Chooses the files. Errors: no test name (a thread the test harness did not name,
    /// such as `main`), a bad `CAPTUREMOCK_MODE`, a missing mock file in replay mode.
    pub fn choose(
        name: Option<String>,
        dir: Option<PathBuf>,
        mode: Option<Mode>,
        rc_files: Option<Vec<PathBuf>>,
    ) -> Result<TestFiles, CaptureError> {
        let name = match name {
            Some(name) => name,
            None => {
                let thread = std::thread::current();
                match thread.name() {
                    Some(name) if name != "main" => name.to_string(),
                    other => {
                        return Err(CaptureError::NoTestName {
                            thread: other.map(str::to_owned),
                        })
                    }
                }
            }
        };
        let dir = match dir {
            Some(dir) => dir,
            None => std::env::current_dir()
                .map_err(io("find", Path::new(".")))?
                .join("mocks"),
        };
        let mock = mock_file(&dir, &name);
        let mode = match mode {
            Some(mode) => mode,
            None => {
                let env = std::env::var(MODE_VAR).ok();
                test_mode(env.as_deref(), mock.exists())?
            }
        };
        let rc_files = match rc_files {
            Some(files) => files,
            None => [PathBuf::from(TEST_RC_FILE)]
                .into_iter()
                .filter(|p| p.is_file())
                .collect(),
        };
        let replay_text = match mode {
            Mode::Replay => Some(std::fs::read_to_string(&mock).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    CaptureError::MissingReplayFile { path: mock.clone() }
                } else {
                    io("read", &mock)(e)
                }
            })?),
            _ => None,
        };
        Ok(TestFiles {
            mock,
            mode,
            rc_files,
            replay_text,
            record: temp_record_path(),
        })
    }

    /// Judges what the run recorded, once its record file is complete. Replay: equal to the
    /// mock file, or a [`CaptureError::Drift`] with the diff and this run's exchanges left in
    /// `<mock>.tmp`. Record and mode 2: the record becomes the mock file, or the mock file is
    /// removed when nothing was recorded. A `.tmp` left by an earlier drift goes once the
    /// test passes.
    pub fn conclude(&self) -> Result<(), CaptureError> {
        let actual = match std::fs::read_to_string(&self.record) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io("read", &self.record)(e)),
        };
        let drifted = drift_path(&self.mock);
        match (&self.replay_text, self.mode) {
            (Some(expected), Mode::Replay) => {
                let diff = crate::drift::diff_texts(
                    expected,
                    &actual,
                    &self.mock.display().to_string(),
                    "this run",
                );
                if let Some(diff) = diff {
                    std::fs::write(&drifted, &actual).map_err(io("write", &drifted))?;
                    remove_if_there(&self.record)?;
                    return Err(CaptureError::Drift {
                        mock: self.mock.clone(),
                        actual: drifted,
                        diff,
                    });
                }
                remove_if_there(&self.record)?;
            }
            _ if actual.is_empty() => {
                remove_if_there(&self.record)?;
                remove_if_there(&self.mock)?;
            }
            _ => move_file(&self.record, &self.mock)?,
        }
        remove_if_there(&drifted)
    }

    /// A panicking test changes nothing: its record is thrown away, the mock file kept.
    pub fn abandon(&self) {
        let _ = std::fs::remove_file(&self.record);
    }
}

/// How a [`TestMock`] is set up; see [`TestMock::builder`].
#[derive(Debug, Default)]
pub struct TestBuilder {
    /// `None`: the thread's name, which the test harness sets to the test's path.
    name: Option<String>,
    dir: Option<PathBuf>,
    mode: Option<Mode>,
    /// `None`: `.capturemockrc` in the working directory, if it exists.
    rc_files: Option<Vec<PathBuf>>,
    policy: NewRequestPolicy,
}

impl TestBuilder {
    /// The test's path (`module::test_name`) when the thread's name is not it.
    pub fn name(mut self, test_path: impl Into<String>) -> Self {
        self.name = Some(test_path.into());
        self
    }

    /// The test's path from `module_path!()` (whose first segment, the crate, the test
    /// harness leaves out of thread names) and the function's name. What
    /// `#[capture::test]` uses.
    pub fn function(self, module_path: &str, function: &str) -> Self {
        let path = match module_path.split_once("::") {
            Some((_crate, rest)) => format!("{rest}::{function}"),
            None => function.to_string(),
        };
        self.name(path)
    }

    /// The directory of mock files (default: `mocks` in the working directory, which
    /// `cargo test` sets to the package's directory).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// The mode, whatever `CAPTUREMOCK_MODE` says (the decorator's `mode=`).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// rc files to read (default: `.capturemockrc` in the working directory, if any).
    pub fn rc_files<P: Into<PathBuf>>(mut self, files: impl IntoIterator<Item = P>) -> Self {
        self.rc_files = Some(files.into_iter().map(Into::into).collect());
        self
    }

    /// What mode 2 does with requests that have no exact match.
    pub fn new_requests(mut self, policy: NewRequestPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Starts: chooses the mode, loads the mock file, enters the session on this thread.
    /// In replay mode the mock file's text is kept as it was at the start: it is what the run's
    /// exchanges are compared with at the end. Errors: no test name (a thread the test harness
    /// did not name, such as `main`), a bad `CAPTUREMOCK_MODE`, a missing mock file in replay
    /// mode, rc or replay files that do not load.
    pub fn try_start(self) -> Result<TestMock, CaptureError> {
        let files = TestFiles::choose(self.name, self.dir, self.mode, self.rc_files)?;
        let TestFiles {
            mock,
            mode,
            rc_files,
            replay_text,
            record,
        } = files;
        let mut builder = Session::builder(mode)
            .replay_file(&mock)
            .record_file(&record)
            .new_requests(self.policy);
        if !rc_files.is_empty() {
            builder = builder.rc(&RcConfig::load(&rc_files)?)?;
        }
        let session = builder.open()?;
        let entered = session.enter();
        Ok(TestMock {
            session,
            entered: Some(entered),
            files: TestFiles {
                mock,
                mode,
                rc_files,
                replay_text,
                record,
            },
            done: false,
        })
    }

    /// [`try_start`](Self::try_start), panicking with the error.
    #[track_caller]
    pub fn start(self) -> TestMock {
        self.try_start()
            .unwrap_or_else(|e| panic!("capturemock: {}", crate::ErrorChain(&e)))
    }
}

/// A test's capture session, tied to `mocks/<test>.mock`. While it lives, captures on this
/// thread go to it; when it ends (dropped, or [`finish`](Self::finish)):
/// - replay mode: the test's exchanges must equal the mock file, or the test fails with a
///   unified diff (and this run's exchanges are left in `<mock>.tmp`);
/// - record mode and mode 2: the exchanges become the mock file (none: the file is removed).
///
/// A test that panics changes nothing.
#[derive(Debug)]
#[must_use = "the mock is checked when this is dropped: bind it (`let _mock = ...`)"]
pub struct TestMock {
    session: Session,
    /// Dropped before the check, so the session is no longer this thread's current one.
    entered: Option<Entered>,
    /// Its mock file, temporary record file and mode.
    files: TestFiles,
    /// Set once concluded, so that `Drop` does nothing more.
    done: bool,
}

/// [`TestMock::builder`]`().start()`: the mock file `mocks/<test path>.mock` named after the
/// running test, the mode from `CAPTUREMOCK_MODE`. Panics when it cannot start.
#[track_caller]
pub fn for_test() -> TestMock {
    TestMock::builder().start()
}

impl TestMock {
    /// Options: name, directory, mode, rc files.
    pub fn builder() -> TestBuilder {
        TestBuilder::default()
    }

    /// The session, e.g. to [`enter`](Session::enter) on threads the test starts.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The mode chosen.
    pub fn mode(&self) -> Mode {
        self.session.mode()
    }

    /// The mock file.
    pub fn mock_path(&self) -> &Path {
        &self.files.mock
    }

    /// Ends the test's session now and reports drift as an error instead of a panic.
    pub fn finish(mut self) -> Result<(), CaptureError> {
        self.conclude()
    }

    /// Flushes the session and judges what it recorded ([`TestFiles::conclude`]).
    fn conclude(&mut self) -> Result<(), CaptureError> {
        self.done = true;
        self.entered = None;
        self.session.flush();
        self.files.conclude()
    }
}

/// A panicking test changes nothing (its exchanges are thrown away, the mock file kept),
/// which also avoids panicking again while unwinding, an abort.
impl Drop for TestMock {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if std::thread::panicking() {
            self.entered = None;
            self.session.flush();
            self.files.abandon();
            return;
        }
        if let Err(e) = self.conclude() {
            panic!("capturemock: {}", crate::ErrorChain(&e));
        }
    }
}
