//! The test helper: a test's mock file, its mode, and the drift check when it ends. The Rust
//! form of the reference's `@capturemock` decorator.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use capturemock_core::replay::{Mode, NewRequestPolicy};

use super::{current::Entered, CaptureError, Session};
use crate::client::MODE_VAR;
use crate::pending::{self, Settled};
use crate::rc::RcConfig;
use crate::record_mode::RecordMode;

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

/// How a test's mode is chosen: by name (a [`RecordMode`]) or by the reference's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    /// `none`, `once`, `new` or `all`.
    Named(RecordMode),
    /// `0`, `1` or `2`, as `CAPTUREMOCK_MODE` gives it.
    Numbered(Mode),
}

/// The mode of a test, first found wins: `given` (the builder's `record_mode` or `mode`),
/// `CAPTUREMOCK_RECORD_MODE`, `CAPTUREMOCK_MODE`, the rc files' `record_mode`, then `once`
/// (replay when the mock file exists, record when it does not). With it, whether the run is
/// strict (record mode `none`) and what mode 2 does with new requests.
pub fn choose_mode(
    given: Option<ModeChoice>,
    record_mode_env: Option<&str>,
    mode_env: Option<&str>,
    rc: Option<RecordMode>,
    mock_exists: bool,
) -> Result<crate::record_mode::ModePlan, CaptureError> {
    let named = |m: RecordMode| m.plan(mock_exists);
    let numbered = |mode: Mode| crate::record_mode::ModePlan {
        mode,
        new_requests: NewRequestPolicy::Reference,
        strict: false,
    };
    Ok(match given {
        Some(ModeChoice::Named(m)) => named(m),
        Some(ModeChoice::Numbered(mode)) => numbered(mode),
        None => match (record_mode_env.filter(|v| !v.trim().is_empty()), mode_env) {
            (Some(name), _) => named(RecordMode::parse(name)?),
            (None, Some(_)) => numbered(test_mode(mode_env, mock_exists)?),
            (None, None) => named(rc.unwrap_or(RecordMode::Once)),
        },
    })
}

/// The files of one test's run, as every test helper chooses them (the capture session's
/// [`TestMock`] and the HTTP server's [`crate::http::HttpTest`]): the mock file named after the
/// test, the mode, the rc files, and a temporary record file.
#[derive(Debug)]
pub(crate) struct TestFiles {
    /// `mocks/<test path>.mock`.
    pub mock: PathBuf,
    /// The mode ([`choose_mode`]).
    pub mode: Mode,
    /// Mode 2's treatment of new requests (record them, for record mode `new`).
    pub new_requests: NewRequestPolicy,
    /// Record mode `none`: exact matches only.
    pub strict: bool,
    /// Nothing real may be reached (record mode `none`, or `CAPTUREMOCK_FORBID_REAL`).
    pub forbid_real: bool,
    /// The rc files to read (given, or `.capturemockrc` when it exists).
    pub rc_files: Vec<PathBuf>,
    /// In replay mode, the mock file as it was at the start: what the run is compared with.
    pub replay_text: Option<String>,
    /// Where the run records (see `temp_record_path`).
    pub record: PathBuf,
}

impl TestFiles {
    /// Chooses the files. Errors: no test name (a thread the test harness did not name,
    /// such as `main`), a bad `CAPTUREMOCK_MODE`, `CAPTUREMOCK_RECORD_MODE` or `record_mode`,
    /// a missing mock file in replay mode, recording when nothing real may be reached.
    pub fn choose(
        name: Option<String>,
        dir: Option<PathBuf>,
        mode: Option<ModeChoice>,
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
        let rc_files = match rc_files {
            Some(files) => files,
            None => [PathBuf::from(TEST_RC_FILE)]
                .into_iter()
                .filter(|p| p.is_file())
                .collect(),
        };
        let rc_mode = if rc_files.is_empty() {
            None
        } else {
            RcConfig::load(&rc_files)?.record_mode()?
        };
        let plan = choose_mode(
            mode,
            std::env::var(crate::record_mode::RECORD_MODE_VAR)
                .ok()
                .as_deref(),
            std::env::var(MODE_VAR).ok().as_deref(),
            rc_mode,
            mock.exists(),
        )?;
        let mode = plan.mode;
        let forbid_real = plan.strict || crate::record_mode::forbid_real_from_env();
        if forbid_real && mode == Mode::Record {
            return Err(CaptureError::Forbidden {
                what: format!("recording the mock file {}", mock.display()),
            });
        }
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
            new_requests: plan.new_requests,
            strict: plan.strict,
            forbid_real,
            rc_files,
            replay_text,
            record: temp_record_path(),
        })
    }

    /// Judges what the run recorded, once its record file is complete. Replay: equal to the
    /// mock file, or a [`CaptureError::Drift`] with the diff and this run's exchanges left in
    /// `<mock>.tmp`. Record and mode 2 never overwrite a mock file that exists
    /// ([`pending::settle`]): the record becomes the mock file when there is none (nothing
    /// recorded: no file), is dropped when the same, and is left as `<mock>.new` for review
    /// when it differs (said on stderr). A `.tmp` left by an earlier drift goes once the test
    /// passes.
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
            _ if actual.is_empty() && !self.mock.exists() => {
                remove_if_there(&self.record)?;
            }
            _ => {
                let settled = pending::settle(&self.mock, &self.record).map_err(|e| {
                    CaptureError::Pending {
                        mock: self.mock.clone(),
                        source: e,
                    }
                })?;
                if let Settled::Pending(new) = settled {
                    eprintln!(
                        "capturemock: this run's exchanges differ from {}: they are in {} \
                         (see them with `capturemock review`)",
                        self.mock.display(),
                        new.display()
                    );
                }
            }
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
    mode: Option<ModeChoice>,
    /// `None`: `.capturemockrc` in the working directory, if it exists.
    rc_files: Option<Vec<PathBuf>>,
    /// `None`: as the mode decides (the reference's, except record mode `new`).
    policy: Option<NewRequestPolicy>,
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
        self.mode = Some(ModeChoice::Numbered(mode));
        self
    }

    /// The record mode by name, whatever the environment and rc files say ([`choose_mode`]).
    pub fn record_mode(mut self, mode: RecordMode) -> Self {
        self.mode = Some(ModeChoice::Named(mode));
        self
    }

    /// rc files to read (default: `.capturemockrc` in the working directory, if any).
    pub fn rc_files<P: Into<PathBuf>>(mut self, files: impl IntoIterator<Item = P>) -> Self {
        self.rc_files = Some(files.into_iter().map(Into::into).collect());
        self
    }

    /// What mode 2 does with requests that have no exact match.
    pub fn new_requests(mut self, policy: NewRequestPolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Starts: chooses the mode, loads the mock file, enters the session on this thread.
    /// In replay mode the mock file's text is kept as it was at the start: it is what the run's
    /// exchanges are compared with at the end. Errors: no test name (a thread the test harness
    /// did not name, such as `main`), a bad `CAPTUREMOCK_MODE`, a missing mock file in replay
    /// mode, rc or replay files that do not load.
    pub fn try_start(self) -> Result<TestMock, CaptureError> {
        let files = TestFiles::choose(self.name, self.dir, self.mode, self.rc_files)?;
        let mut builder = Session::builder(files.mode)
            .replay_file(&files.mock)
            .record_file(&files.record)
            .new_requests(self.policy.unwrap_or(files.new_requests));
        if !files.rc_files.is_empty() {
            builder = builder.rc(&RcConfig::load(&files.rc_files)?)?;
        }
        // After the rc files, which may turn exact matching on but never off for `none`.
        if files.strict {
            builder = builder.exact_matching(true);
        }
        let session = builder.forbid_real(files.forbid_real).open()?;
        let entered = session.enter();
        Ok(TestMock {
            session,
            entered: Some(entered),
            files,
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
/// - record mode and mode 2: the exchanges become the mock file when there is none; a mock
///   file that exists is never overwritten: a different result goes to `<mock>.new`, for
///   `capturemock review` ([`crate::pending`]).
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
/// running test, the mode from `CAPTUREMOCK_RECORD_MODE`, `CAPTUREMOCK_MODE` or the rc
/// option `record_mode` (else `once`: replay when the mock exists, record when not; see
/// [`choose_mode`]). Panics when it cannot start.
#[track_caller]
pub fn for_test() -> TestMock {
    TestMock::builder().start()
}

impl TestMock {
    /// Options: name, directory, mode or record mode, rc files.
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
