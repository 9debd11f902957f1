//! [`for_test`]: a test's HTTP server, tied to its mock file.

use std::path::{Path, PathBuf};

use capturemock_core::replay::Mode;

use crate::capture::{CaptureError, ModeChoice, TestFiles};
use crate::rc::RcConfig;
use crate::record_mode::RecordMode;
use crate::server::http::tls::ServingTls;
use crate::server::{BackgroundServer, Protocol, ServerConfig};
use crate::traffic::http::HttpSettings;

/// How an [`HttpTest`] is set up; see [`for_test`].
#[derive(Debug, Default)]
#[must_use = "nothing starts until start() or try_start()"]
pub struct HttpTestBuilder {
    upstream: Option<String>,
    upstream_ca: Option<PathBuf>,
    tls: bool,
    name: Option<String>,
    dir: Option<PathBuf>,
    mode: Option<ModeChoice>,
    rc_files: Option<Vec<PathBuf>>,
}

/// A test's HTTP server: `mocks/<test path>.mock`, the mode from `CAPTUREMOCK_RECORD_MODE`,
/// `CAPTUREMOCK_MODE` or the rc option `record_mode` (else replay when the mock exists,
/// record when it does not). Configure it, then
/// [`start`](HttpTestBuilder::start).
pub fn for_test() -> HttpTestBuilder {
    HttpTestBuilder::default()
}

impl HttpTestBuilder {
    /// The real service's base URL (`https://api.example.com`), where record mode sends the
    /// requests. Paths are appended to it as text.
    pub fn upstream(mut self, base_url: impl Into<String>) -> Self {
        self.upstream = Some(base_url.into());
        self
    }

    /// A PEM file of certificate authorities to trust for an `https://` upstream, besides
    /// the system's (a local service with a certificate of its own).
    pub fn upstream_ca(mut self, pem_file: impl Into<PathBuf>) -> Self {
        self.upstream_ca = Some(pem_file.into());
        self
    }

    /// Serve HTTPS, for a client that insists on it: the base URL is `https://127.0.0.1:PORT`
    /// and the client must trust [`HttpTest::certificate_pem`], made at start.
    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// The test's path (`module::test_name`) when the thread's name is not it.
    pub fn name(mut self, test_path: impl Into<String>) -> Self {
        self.name = Some(test_path.into());
        self
    }

    /// The directory of mock files (default: `mocks` in the working directory).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// The mode, whatever `CAPTUREMOCK_MODE` says.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(ModeChoice::Numbered(mode));
        self
    }

    /// The record mode by name, whatever the environment and rc files say (see
    /// [`choose_mode`](crate::capture::choose_mode)): `none` replays exact matches only and
    /// never reaches the upstream, `new` forwards and records what has no exact match.
    pub fn record_mode(mut self, mode: RecordMode) -> Self {
        self.mode = Some(ModeChoice::Named(mode));
        self
    }

    /// rc files to read (default: `.capturemockrc` in the working directory, if any). Their
    /// `[general]` HTTP options apply (`ignore_http_headers`, `secret_names`, alterations,
    /// ...); `server_protocol` is `http` whatever they say, and the test is the client
    /// (`record_for_client`).
    pub fn rc_files<P: Into<PathBuf>>(mut self, files: impl IntoIterator<Item = P>) -> Self {
        self.rc_files = Some(files.into_iter().map(Into::into).collect());
        self
    }

    /// Starts the server. Errors: no test name, a bad `CAPTUREMOCK_MODE`, a missing mock file
    /// in replay mode, record mode with no upstream, rc or mock files that do not load, a
    /// server that cannot listen.
    pub fn try_start(self) -> Result<HttpTest, CaptureError> {
        let files = TestFiles::choose(self.name, self.dir, self.mode, self.rc_files)?;
        let rc = if files.rc_files.is_empty() {
            RcConfig::new()
        } else {
            RcConfig::load(&files.rc_files)?
        };
        let mut settings = HttpSettings::from_rc(&rc)?;
        settings.record_for_client = true;
        if self.upstream.is_some() {
            settings.upstream = self.upstream;
        }
        if self.upstream_ca.is_some() {
            settings.upstream_ca = self.upstream_ca;
        }
        if files.mode != Mode::Replay && settings.upstream.is_none() {
            return Err(CaptureError::NoUpstream { mock: files.mock });
        }
        let (mut config, warnings) = ServerConfig::from_rc(&rc, files.mode)?;
        for warning in warnings {
            tracing::warn!("{warning}");
        }
        config.protocol = Protocol::Http(Box::new(settings));
        config.trim_requests = true;
        config.new_requests = files.new_requests;
        config.forbid_real = files.forbid_real;
        if files.strict {
            config.exact_matching = true;
        }
        config.record = Some(files.record.clone());
        if self.tls {
            config.serving_tls = Some(ServingTls::generate(None)?);
        }
        let certificate_pem = config
            .serving_tls
            .as_ref()
            .map(|tls| tls.certificate_pem.clone());
        if files.mode != Mode::Record && files.mock.exists() {
            config.load_replay(&files.mock)?;
        }
        let server = BackgroundServer::start(config, 0)?;
        Ok(HttpTest {
            server: Some(server),
            files,
            certificate_pem,
            done: false,
        })
    }

    /// [`try_start`](Self::try_start), panicking with the error.
    #[track_caller]
    pub fn start(self) -> HttpTest {
        self.try_start()
            .unwrap_or_else(|e| panic!("capturemock: {}", crate::ErrorChain(&e)))
    }
}

/// A running test server. When it ends (dropped, or [`finish`](Self::finish)), the server
/// stops and the run is judged as [`capture::TestMock`](crate::capture::TestMock) judges
/// it: in replay, the requests must equal the recording or the test fails with a diff; in
/// record mode, the exchanges become the mock file when there is none, and go to
/// `<mock>.new` when they differ from one that exists. A test that panics changes nothing.
#[derive(Debug)]
#[must_use = "the server stops when this is dropped: bind it (`let server = ...`)"]
pub struct HttpTest {
    /// `None` once stopped.
    server: Option<BackgroundServer>,
    files: TestFiles,
    /// With [`HttpTestBuilder::tls`], the certificate the server serves.
    certificate_pem: Option<String>,
    done: bool,
}

impl HttpTest {
    /// The server's base URL, `http://127.0.0.1:PORT`, to use in place of the real
    /// service's.
    pub fn base_url(&self) -> &str {
        self.server.as_ref().map_or("", BackgroundServer::address)
    }

    /// `base_url` followed by `path_and_query` (which starts with `/`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base_url())
    }

    /// With [`HttpTestBuilder::tls`]: the server's certificate (PEM), for the client to trust.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// The mode chosen.
    pub fn mode(&self) -> Mode {
        self.files.mode
    }

    /// The mock file.
    pub fn mock_path(&self) -> &Path {
        &self.files.mock
    }

    /// Stops the server now and reports drift as an error instead of a panic.
    pub fn finish(mut self) -> Result<(), CaptureError> {
        self.conclude()
    }

    fn conclude(&mut self) -> Result<(), CaptureError> {
        self.done = true;
        if let Some(server) = self.server.take() {
            server.stop()?;
        }
        self.files.conclude()
    }
}

impl Drop for HttpTest {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if std::thread::panicking() {
            drop(self.server.take());
            self.files.abandon();
            return;
        }
        if let Err(e) = self.conclude() {
            panic!("capturemock: {}", crate::ErrorChain(&e));
        }
    }
}
