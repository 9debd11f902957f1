//! What a server run needs to know: mode, files, rc settings and limits.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use capturemock_core::format::NewlineOptions;
use capturemock_core::replay::{MatchOptions, Mode, NewRequestPolicy};

use crate::alterations::{AlterationError, AlterationWarning, Alterations};
use crate::exchange::{Clock, Rules, SystemClock, TrailingNewlines};
use crate::rc::{RcConfig, RcError, RemoteAccess};
use crate::replay_file::{ReplayFile, ReplayFileError, ReplayOptions};
use crate::traffic::command_line::names::recorded_commands;
use crate::traffic::command_line::settings::CommandLineSettings;

/// Limits that protect the server (and the run) from misbehaving clients. Each one, when hit,
/// is logged as an error and answered with a `CAPTUREMOCK ERROR: ...` reply.
///
/// A refusal is sent before the whole message has been read, so the server then lingers: it
/// shuts its write side and reads and discards what the client still sends, until the client
/// shuts down its own side or [`Limits::drain_limit`] bytes or [`Limits::drain_timeout`] are
/// reached. Closing a socket with unread input makes the kernel send a reset, and a reset can
/// overtake the reply: a client still sending would see `ECONNRESET`, `EPIPE` or `ENOTCONN`
/// instead of the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Connections served at once; one more is refused. Default 512.
    pub max_connections: usize,
    /// Longest silence while reading a message (the client must send and shut down its write
    /// side or close), and while a forwarded request waits for the real server. Default 60 s.
    pub read_timeout: Duration,
    /// Largest message accepted, and largest reply read from a real server. Default 64 MiB.
    pub max_message_size: usize,
    /// Longest an exchange waits for earlier ones to take their turn before they are given up
    /// on (see the [sequencer](crate::exchange::sequencer) docs). Default 5 s.
    pub order_wait: Duration,
    /// Most bytes read and discarded after a refusal before the connection is closed anyway.
    /// Default 64 MiB: a client sending up to that much always reads the error reply.
    pub drain_limit: u64,
    /// Longest a refused connection is drained. Default 10 s.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 512,
            read_timeout: Duration::from_secs(60),
            max_message_size: 64 * 1024 * 1024,
            order_wait: Duration::from_secs(5),
            drain_limit: 64 * 1024 * 1024,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// Why a server configuration could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An rc value could not be read.
    #[error(transparent)]
    Rc(#[from] RcError),
    /// An alteration is broken.
    #[error(transparent)]
    Alteration(#[from] AlterationError),
    /// The replay file could not be loaded.
    #[error(transparent)]
    ReplayFile(#[from] ReplayFileError),
    /// `server_protocol` names a protocol this server does not speak.
    #[error(
        "server_protocol = {0} is not supported: this server speaks `classic` (TCP), `classic_udp`, `ftp`, `http`, `tcp_header`, `xmlrpc` and `amqp`"
    )]
    UnsupportedProtocol(String),
    /// The `[amqp]` settings are unusable.
    #[cfg(feature = "amqp")]
    #[error(transparent)]
    Amqp(#[from] crate::traffic::amqp::settings::SettingsError),
    /// The `tcp_header` layout in the rc files cannot be used.
    #[cfg(feature = "http")]
    #[error("server_protocol = tcp_header: {0}")]
    Layout(String),
    /// `connection_timeout` is not a positive number of seconds.
    #[error("connection_timeout = {0} is not a positive number of seconds")]
    BadConnectionTimeout(f64),
    /// `server_remote_access` names an interface that has no IPv4 address.
    #[error("server_remote_access = {0}: no network interface of that name with an IPv4 address")]
    NoSuchInterface(String),
}

/// Everything a server run needs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// `-m`: replay, record, or replay old and record new.
    pub mode: Mode,
    /// The loaded replay file, if any. Load it with [`ServerConfig::load_replay`] so that its
    /// options match this configuration.
    pub replay: Option<Arc<std::sync::Mutex<ReplayFile>>>,
    /// Where to record (removed first, created on the first entry).
    pub record: Option<PathBuf>,
    /// Alterations from the rc files (the server substitutes its address into them).
    pub alterations: Alterations,
    /// `preserve_cr` / `preserve_lf`.
    pub newlines: NewlineOptions,
    /// `record_timestamps`: `--TIM:` lines after classic client entries (the only traffic
    /// the reference timestamps).
    pub record_timestamps: bool,
    /// `use_exact_matching`: a request with no exact match gets the mismatch reply.
    pub exact_matching: bool,
    /// Strip white space around a request before exact lookup. Off in the reference, where a
    /// request with trailing white space never matches exactly although it was recorded from
    /// the same text. [`ServerConfig::from_rc`] turns it on together with exact matching,
    /// where the reference's behaviour can only ever produce a mismatch.
    pub trim_requests: bool,
    /// How newlines at the end of recorded texts are written (the reference's way by
    /// default; see the [recorder](crate::exchange::recorder) docs).
    pub trailing_newlines: TrailingNewlines,
    /// Mode 2's treatment of requests without an exact match.
    pub new_requests: NewRequestPolicy,
    /// Nothing real may be reached (`--forbid-real`, record mode `none`): see
    /// [`Rules::forbid_real`].
    pub forbid_real: bool,
    /// `record_for_client`: a `SUT_SERVER:` announcement neither flips the directions nor is
    /// recorded.
    pub record_for_client: bool,
    /// `server_multithreaded`: when off, connections are served one at a time.
    pub multithreaded: bool,
    /// Where to listen (`server_remote_access`); 127.0.0.1 by default.
    pub bind_ip: IpAddr,
    /// Protection against misbehaving clients.
    pub limits: Limits,
    /// Source of `--TIM:` timestamps.
    pub clock: Arc<dyn Clock>,
    /// The `[command line]` settings and the edit directories (`-F`, `-f`).
    pub command_lines: CommandLineSettings,
    /// The directory of the program's shims, if it has any: the server never runs a real
    /// command from there.
    pub shims: Option<PathBuf>,
    /// `server_protocol`: what the server speaks.
    pub protocol: Protocol,
    /// HTTP only: the proxy serves HTTPS with this certificate (`--tls`).
    #[cfg(feature = "http")]
    pub serving_tls: Option<super::http::tls::ServingTls>,
    /// Keep every replay decision for the run's report (`--report`, see
    /// [`Rules::keep_matches`]).
    pub keep_matches: bool,
}

/// What a server speaks (`server_protocol`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// `classic` / `classic_tcp`: one message per TCP connection.
    #[default]
    Classic,
    /// `classic_udp`: one message per datagram, with its settings.
    ClassicUdp(super::udp::UdpSettings),
    /// `ftp`: an FTP proxy in passive mode ([`super::ftp`]).
    Ftp,
    /// `http`: a reverse proxy for a web service, with its settings.
    #[cfg(feature = "http")]
    Http(Box<crate::traffic::http::HttpSettings>),
    /// `tcp_header`: length-prefixed binary TCP, with the layout from the rc file.
    #[cfg(feature = "http")]
    TcpHeader(Box<crate::traffic::tcp_header::message::Layout>),
    /// `xmlrpc`: an XML-RPC server in front of a real one, on the HTTP transport.
    #[cfg(feature = "http")]
    XmlRpc(crate::traffic::xmlrpc::XmlRpcSettings),
    /// `amqp`: a client of a RabbitMQ broker ([`super::amqp`]), with its `[amqp]` settings.
    #[cfg(feature = "amqp")]
    Amqp(Box<crate::traffic::amqp::AmqpSettings>),
}

/// Record mode with no files, no rc settings and the default limits, listening on
/// 127.0.0.1: what the command runs with no options and no rc file.
impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            mode: Mode::Record,
            replay: None,
            record: None,
            alterations: Alterations::empty(),
            newlines: NewlineOptions::NONE,
            record_timestamps: false,
            exact_matching: false,
            trim_requests: false,
            trailing_newlines: TrailingNewlines::Reference,
            new_requests: NewRequestPolicy::Reference,
            forbid_real: false,
            record_for_client: false,
            multithreaded: true,
            bind_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            limits: Limits::default(),
            clock: Arc::new(SystemClock),
            command_lines: CommandLineSettings::default(),
            shims: None,
            protocol: Protocol::Classic,
            #[cfg(feature = "http")]
            serving_tls: None,
            keep_matches: false,
        }
    }
}

impl ServerConfig {
    /// A configuration for `mode` with the `[general]` settings of `rc`, and the warnings about
    /// alterations that were skipped.
    pub fn from_rc(
        rc: &RcConfig,
        mode: Mode,
    ) -> Result<(ServerConfig, Vec<AlterationWarning>), ConfigError> {
        let general = rc.general()?;
        let protocol = match general.server_protocol.as_str() {
            "classic" | "classic_tcp" => Protocol::Classic,
            "classic_udp" => Protocol::ClassicUdp(super::udp::UdpSettings::from_rc(rc)?),
            "ftp" => Protocol::Ftp,
            #[cfg(feature = "http")]
            "http" => Protocol::Http(Box::new(http_settings(rc)?)),
            #[cfg(feature = "http")]
            "xmlrpc" => Protocol::XmlRpc(crate::traffic::xmlrpc::XmlRpcSettings {
                record_for_client: general.record_for_client,
            }),
            #[cfg(feature = "amqp")]
            "amqp" => Protocol::Amqp(Box::new(crate::traffic::amqp::AmqpSettings::from_rc(rc)?)),
            #[cfg(feature = "http")]
            "tcp_header" => Protocol::TcpHeader(Box::new(tcp_header_layout(rc)?)),
            _ => return Err(ConfigError::UnsupportedProtocol(general.server_protocol)),
        };
        // HTTP request texts end in a space when their body is empty (`POST /create `), and
        // stored keys are stripped: without trimming, such a request could never match
        // exactly (spec pitfall 5).
        let trim_requests = general.use_exact_matching
            || !matches!(
                protocol,
                Protocol::Classic | Protocol::ClassicUdp(_) | Protocol::Ftp
            );
        let (alterations, warnings) = Alterations::from_rc(rc, &["general"])?;
        let bind_ip = bind_ip(&general.server_remote_access)?;
        if let Some(pattern) = &general.id_pattern_client {
            tracing::warn!(
                "id_pattern_client = {pattern} is ignored: id mapping is not supported by this server"
            );
        }
        Ok((
            ServerConfig {
                mode,
                alterations,
                newlines: NewlineOptions {
                    preserve_cr: general.preserve_cr,
                    preserve_lf: general.preserve_lf,
                },
                record_timestamps: general.record_timestamps,
                exact_matching: general.use_exact_matching,
                trim_requests,
                protocol,
                record_for_client: general.record_for_client,
                multithreaded: general.server_multithreaded,
                bind_ip,
                command_lines: CommandLineSettings::from_rc(rc)?,
                ..ServerConfig::default()
            },
            warnings,
        ))
    }

    /// The value of `CAPTUREMOCK_SERVER` for this server listening on `host_port`: the address
    /// itself for classic TCP and UDP, a base URL for HTTP (`http://host:port`, or `https://`
    /// when the proxy serves TLS).
    pub fn client_address(&self, host_port: &str) -> String {
        match &self.protocol {
            Protocol::Classic | Protocol::ClassicUdp(_) | Protocol::Ftp => host_port.to_string(),
            #[cfg(feature = "http")]
            Protocol::Http(_) => super::http::base_url(host_port, self.serving_tls.is_some()),
            #[cfg(feature = "http")]
            Protocol::XmlRpc(_) => super::http::base_url(host_port, false),
            #[cfg(feature = "amqp")]
            Protocol::Amqp(_) => host_port.to_string(),
            #[cfg(feature = "http")]
            Protocol::TcpHeader(_) => host_port.to_string(),
        }
    }

    /// How replay files are read for this configuration. Best match stays available even
    /// under exact matching: the server enforces exact matching itself, so that it can still
    /// say which recorded request was nearest.
    pub fn replay_options(&self) -> ReplayOptions {
        ReplayOptions {
            newlines: self.newlines,
            matching: MatchOptions {
                exact_only: false,
                trim_request: self.trim_requests,
            },
            word_index: true,
        }
    }

    /// The rules its exchanges are decided by.
    /// A copy each time: the server's engine owns one, and the bridge's mode 2 lookup builds a
    /// second engine from the same configuration so that both decide alike.
    pub fn rules(&self) -> Rules {
        Rules {
            mode: self.mode,
            new_requests: self.new_requests,
            exact_matching: self.exact_matching,
            alterations: self.alterations.clone(),
            record_timestamps: self.record_timestamps,
            clock: Arc::clone(&self.clock),
            keep_matches: self.keep_matches,
            forbid_real: self.forbid_real,
        }
    }

    /// Loads `path` as this configuration's replay file, and notes which intercepted
    /// commands it holds (see [`CommandLineSettings::replayed`]).
    pub fn load_replay(&mut self, path: &Path) -> Result<(), ConfigError> {
        let file = ReplayFile::load(path, self.replay_options())?;
        let requests = file.requests();
        self.command_lines.replayed = recorded_commands(
            &self.command_lines.intercepts,
            requests.iter().map(|r| r.key.as_str()),
        );
        self.replay = Some(Arc::new(std::sync::Mutex::new(file)));
        Ok(())
    }
}

/// The HTTP settings of `rc`, with its `[amqp]` section when it has one (replay publishes
/// `->RMQ:` responses there).
#[cfg(feature = "http")]
fn http_settings(rc: &RcConfig) -> Result<crate::traffic::http::HttpSettings, ConfigError> {
    #[allow(unused_mut)] // without the `amqp` feature nothing more is read
    let mut settings = crate::traffic::http::HttpSettings::from_rc(rc)?;
    #[cfg(feature = "amqp")]
    if rc.has_section("amqp") {
        settings.amqp = Some(crate::traffic::amqp::AmqpSettings::from_rc(rc)?);
    }
    Ok(settings)
}

/// The `tcp_header` layout of `rc`, which must have a `[tcp_header]` format.
#[cfg(feature = "http")]
fn tcp_header_layout(
    rc: &RcConfig,
) -> Result<crate::traffic::tcp_header::message::Layout, ConfigError> {
    let layout = crate::traffic::tcp_header::message::Layout::from_rc(rc)
        .map_err(|e| ConfigError::Layout(e.to_string()))?;
    if !layout.has_header() || layout.header_size() == 0 {
        return Err(ConfigError::Layout(
            "no [tcp_header] section with a format: the header layout must be given".into(),
        ));
    }
    Ok(layout)
}

/// The address to listen on for a `server_remote_access` setting.
fn bind_ip(access: &RemoteAccess) -> Result<IpAddr, ConfigError> {
    match access {
        RemoteAccess::Local => Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        RemoteAccess::Host => Ok(host_ip()),
        RemoteAccess::Interface(name) => {
            interface_ip(name).ok_or_else(|| ConfigError::NoSuchInterface(name.clone()))
        }
    }
}

/// The host's own IPv4 address as the reference finds it (the host name resolved), or
/// 127.0.0.1 when that fails, as the reference falls back to `localhost`.
fn host_ip() -> IpAddr {
    use std::net::ToSocketAddrs;
    #[cfg(unix)]
    let name = nix::unistd::gethostname()
        .ok()
        .and_then(|n| n.into_string().ok());
    #[cfg(not(unix))]
    let name: Option<String> = None;
    name.and_then(|name| (name.as_str(), 0).to_socket_addrs().ok())
        .and_then(|mut addrs| addrs.find(|a| a.is_ipv4()))
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |a| a.ip())
}

/// The IPv4 address of network interface `name`. An interface with several IPv4 addresses
/// gives its first; one with IPv6 only gives none, which is reported as no such interface.
#[cfg(unix)]
fn interface_ip(name: &str) -> Option<IpAddr> {
    nix::ifaddrs::getifaddrs().ok()?.find_map(|ifaddr| {
        if ifaddr.interface_name != name {
            return None;
        }
        let addr = ifaddr.address?;
        addr.as_sockaddr_in().map(|sin| IpAddr::V4(sin.ip()))
    })
}

/// Interfaces are not looked up outside Unix: naming one is reported as no such interface.
#[cfg(not(unix))]
fn interface_ip(_name: &str) -> Option<IpAddr> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc_settings_reach_the_config() {
        let rc = RcConfig::from_str_named(
            "[general]\nuse_exact_matching = yes\nrecord_timestamps = 1\npreserve_cr = on\n\
             record_for_client = true\nserver_multithreaded = false\n",
            "test.rc",
        )
        .unwrap();
        let (config, warnings) = ServerConfig::from_rc(&rc, Mode::Replay).unwrap();
        assert!(warnings.is_empty());
        assert!(config.exact_matching && config.trim_requests);
        assert!(config.record_timestamps && config.record_for_client);
        assert!(!config.multithreaded);
        assert!(config.newlines.preserve_cr && !config.newlines.preserve_lf);
        assert_eq!(config.bind_ip, IpAddr::V4(Ipv4Addr::LOCALHOST));
    }

    #[test]
    fn other_protocols_are_refused_clearly() {
        let rc = RcConfig::from_str_named("[general]\nserver_protocol = smtp\n", "t").unwrap();
        let err = ServerConfig::from_rc(&rc, Mode::Record).unwrap_err();
        assert!(err.to_string().contains("server_protocol = smtp"), "{err}");
    }

    /// An HTTP run takes the `[amqp]` section for its `->RMQ:` responses; one that cannot be
    /// used fails the run before it starts, naming what is missing.
    #[cfg(all(feature = "http", feature = "amqp"))]
    #[test]
    fn an_http_run_reads_the_amqp_section_when_there_is_one() {
        let protocol = |text: &str| {
            let rc = RcConfig::from_str_named(text, "t").unwrap();
            ServerConfig::from_rc(&rc, Mode::Replay).map(|(config, _)| config.protocol)
        };
        let http = "[general]\nserver_protocol = http\n";
        let Ok(Protocol::Http(settings)) = protocol(http) else {
            panic!("not http");
        };
        assert_eq!(settings.amqp, None);
        let full = format!("{http}[amqp]\nurl = amqp://localhost\nexchange = orders\n");
        let Ok(Protocol::Http(settings)) = protocol(&full) else {
            panic!("not http");
        };
        assert_eq!(settings.amqp.map(|a| a.exchange).as_deref(), Some("orders"));
        let Err(err) = protocol(&format!("{http}[amqp]\nexchange = orders\n")) else {
            panic!("[amqp] without a url was taken");
        };
        assert_eq!(
            err.to_string(),
            "the [amqp] section of the rc file needs `url`"
        );
    }

    #[test]
    fn loopback_interface_is_found() {
        #[cfg(target_os = "linux")]
        assert_eq!(interface_ip("lo"), Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert_eq!(interface_ip("no-such-interface-here"), None);
    }
}
