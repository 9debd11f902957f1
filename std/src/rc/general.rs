//! Typed access to the `[general]` options that the server and command line use
//! (compat spec section 6), with the reference's defaults.

use super::{RcConfig, RcError};

/// The sections these options are looked up in: the reference reads them from
/// `[general]` only (with ConfigParser's `[DEFAULT]` fallback).
const GENERAL: &[&str] = &["general"];

/// Where the server listens (`server_remote_access`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteAccess {
    /// `false` (the default): 127.0.0.1 only.
    Local,
    /// `true`: the host's own address, reachable from other machines.
    Host,
    /// Any other value: the IPv4 address of this network interface.
    Interface(String),
}

/// The `[general]` options, read once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneralSettings {
    /// `use_exact_matching` (default false): a request is replayed only if it was recorded
    /// exactly so; otherwise the server answers `CAPTUREMOCK MISMATCH: ...` instead of
    /// replaying the nearest recorded request.
    pub use_exact_matching: bool,
    /// `alterations`: names of the alteration sections, in file order (they apply in
    /// reverse order, see [`crate::alterations`]).
    pub alterations: Vec<String>,
    /// `record_timestamps` (default false): a `--TIM:` line after each classic client
    /// entry; custom-client traffic carries none.
    pub record_timestamps: bool,
    /// `preserve_cr` (default false): record CR as `<CR>`.
    pub preserve_cr: bool,
    /// `preserve_lf` (default false): record LF as `<LF>`.
    pub preserve_lf: bool,
    /// `server_multithreaded` (default true): when false, connections are served one at a
    /// time. Exchanges are decided and recorded in accept order either way; this only
    /// changes whether a slow exchange holds up the ones after it.
    pub server_multithreaded: bool,
    /// `server_remote_access` (default `false`).
    pub server_remote_access: RemoteAccess,
    /// `server_protocol` (default `classic`). Read as text, not refused here: the server
    /// refuses what it does not speak, with a message naming the value.
    pub server_protocol: String,
    /// `id_pattern_client`; `None` when unset or empty. The server does not map ids and
    /// says so with a warning.
    pub id_pattern_client: Option<String>,
    /// `record_for_client` (default false).
    pub record_for_client: bool,
}

impl RcConfig {
    /// All `[general]` options at once.
    pub fn general(&self) -> Result<GeneralSettings, RcError> {
        Ok(GeneralSettings {
            use_exact_matching: self.use_exact_matching()?,
            alterations: self.alterations()?,
            record_timestamps: self.record_timestamps()?,
            preserve_cr: self.preserve_cr()?,
            preserve_lf: self.preserve_lf()?,
            server_multithreaded: self.server_multithreaded()?,
            server_remote_access: self.server_remote_access()?,
            server_protocol: self.server_protocol()?,
            id_pattern_client: self.id_pattern_client()?,
            record_for_client: self.record_for_client()?,
        })
    }

    /// `use_exact_matching` (default false).
    pub fn use_exact_matching(&self) -> Result<bool, RcError> {
        self.get_bool("use_exact_matching", GENERAL, false)
    }

    /// `alterations`: the alteration section names.
    pub fn alterations(&self) -> Result<Vec<String>, RcError> {
        self.get_list("alterations", GENERAL)
    }

    /// `record_timestamps` (default false).
    pub fn record_timestamps(&self) -> Result<bool, RcError> {
        self.get_bool("record_timestamps", GENERAL, false)
    }

    /// `preserve_cr` (default false).
    pub fn preserve_cr(&self) -> Result<bool, RcError> {
        self.get_bool("preserve_cr", GENERAL, false)
    }

    /// `preserve_lf` (default false).
    pub fn preserve_lf(&self) -> Result<bool, RcError> {
        self.get_bool("preserve_lf", GENERAL, false)
    }

    /// `server_multithreaded` (default true).
    pub fn server_multithreaded(&self) -> Result<bool, RcError> {
        self.get_bool("server_multithreaded", GENERAL, true)
    }

    /// `server_remote_access`. The reference compares the raw text with `false` and `true`
    /// and takes anything else as an interface name, so `yes` would name an interface there;
    /// here every ConfigParser boolean spelling means what it says.
    pub fn server_remote_access(&self) -> Result<RemoteAccess, RcError> {
        let value = self
            .get_first("server_remote_access", GENERAL)?
            .unwrap_or_else(|| "false".to_string());
        Ok(match value.to_lowercase().as_str() {
            "false" | "no" | "off" | "0" => RemoteAccess::Local,
            "true" | "yes" | "on" | "1" => RemoteAccess::Host,
            _ => RemoteAccess::Interface(value),
        })
    }

    /// `server_protocol` (default `classic`).
    pub fn server_protocol(&self) -> Result<String, RcError> {
        Ok(self
            .get_first("server_protocol", GENERAL)?
            .unwrap_or_else(|| "classic".to_string()))
    }

    /// `id_pattern_client`; `None` when unset or empty (the reference ignores an empty one).
    pub fn id_pattern_client(&self) -> Result<Option<String>, RcError> {
        Ok(self
            .get_first("id_pattern_client", GENERAL)?
            .filter(|p| !p.is_empty()))
    }

    /// `record_for_client` (default false).
    pub fn record_for_client(&self) -> Result<bool, RcError> {
        self.get_bool("record_for_client", GENERAL, false)
    }

    /// `record_mode` (`none`, `once`, `new` or `all`); `None` when unset or empty. The
    /// command line's `--record-mode`/`-m` and `CAPTUREMOCK_RECORD_MODE` come first
    /// ([`crate::record_mode`]).
    pub fn record_mode(&self) -> Result<Option<crate::record_mode::RecordMode>, RcError> {
        let value = self.get_first("record_mode", GENERAL)?.unwrap_or_default();
        if value.trim().is_empty() {
            return Ok(None);
        }
        crate::record_mode::RecordMode::parse(&value)
            .map(Some)
            .map_err(|_| RcError::NotARecordMode {
                at: self
                    .origin("general", "record_mode")
                    .cloned()
                    .unwrap_or_else(super::unknown_origin),
                section: "general".to_string(),
                value,
            })
    }
}
