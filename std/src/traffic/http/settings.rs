//! What the rc files say about HTTP traffic (spec section 4), and the upstream location.

use std::collections::HashMap;

use super::headers::{Header, HeaderFilter};
use super::secrets::Secrets;
use crate::rc::{RcConfig, RcError};

/// The HTTP settings of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpSettings {
    /// `upstream_ca_file` in `[general]` (`--upstream-ca`): a PEM file of certificate
    /// authorities trusted for HTTPS upstreams besides the system's.
    pub upstream_ca: Option<std::path::PathBuf>,
    /// `record_for_client`: the system under test is the HTTP client. When false (the
    /// reference's default), a `setServerLocation` flips the record's directions.
    pub record_for_client: bool,
    /// The built-in header drop list and `ignore_http_headers`.
    pub filter: HeaderFilter,
    /// `[default_http_headers]`: added to every request, recorded and forwarded. Names are
    /// lower-cased, as the reference's INI reader gives them.
    pub default_headers: Vec<Header>,
    /// `check_repeated_calls`, by method, where a `[METHOD]` section sets it (default true).
    repeated_calls: HashMap<String, bool>,
    /// `assume_all_can_modify`: every request, GET included, may change the server, so no
    /// request counts as a repeat of an earlier one.
    pub all_can_modify: bool,
    /// Where record mode forwards to before any `setServerLocation`: `--upstream` or the
    /// rc option `upstream` in `[general]` (the reference has neither).
    pub upstream: Option<String>,
    /// Which values never reach a record file: `redact_secrets` (default true) and
    /// `secret_names` in `[general]` (the reference has neither, and records them all).
    pub secrets: Secrets,
    /// `canonical_matching` in `[general]` (default true): JSON bodies and query parameters
    /// match whatever their order ([`canonical`](super::canonical)); false keeps the
    /// reference's exact text.
    pub canonical_matching: bool,
    /// `[amqp]`: the broker and exchange that replay publishes the recorded `->RMQ:`
    /// responses to, as the reference's HTTP replay does (set by the server's configuration
    /// when the rc file has the section).
    #[cfg(feature = "amqp")]
    pub amqp: Option<crate::traffic::amqp::AmqpSettings>,
}

impl HttpSettings {
    /// The settings in `rc`.
    pub fn from_rc(rc: &RcConfig) -> Result<Self, RcError> {
        let ignored = rc.get_list("ignore_http_headers", &["general"])?;
        let default_headers = rc
            .items("default_http_headers")?
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect();
        let mut repeated_calls = HashMap::new();
        for section in rc.sections() {
            if rc.has_option(section, "check_repeated_calls") {
                let check = rc.get_bool("check_repeated_calls", &[section], true)?;
                repeated_calls.insert(section.to_string(), check);
            }
        }
        Ok(HttpSettings {
            record_for_client: rc.get_bool("record_for_client", &["general"], false)?,
            filter: HeaderFilter::new(&ignored),
            default_headers,
            repeated_calls,
            all_can_modify: rc.get_bool("assume_all_can_modify", &["general"], false)?,
            upstream: rc
                .get_first("upstream", &["general"])?
                .filter(|u| !u.is_empty()),
            canonical_matching: rc.get_bool("canonical_matching", &["general"], true)?,
            #[cfg(feature = "amqp")]
            amqp: None,
            upstream_ca: rc
                .get_first("upstream_ca_file", &["general"])?
                .filter(|f| !f.is_empty())
                .map(Into::into),
            secrets: Secrets::new(
                rc.get_bool("redact_secrets", &["general"], true)?,
                &rc.get_list("secret_names", &["general"])?,
            ),
        })
    }

    /// `check_repeated_calls` for `method` (true unless its section turns it off).
    pub fn checks_repeated_calls(&self, method: &str) -> bool {
        self.repeated_calls.get(method).copied().unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc_options_are_read_with_the_reference_defaults() {
        let rc = RcConfig::from_str_named(
            "[general]\nrecord_for_client = true\nignore_http_headers = X-Request-Id, Server\n\
             upstream = http://127.0.0.1:9\nsecret_names = X-Session\n[default_http_headers]\nX-Api = 100%%\n[GET]\ncheck_repeated_calls = false\n",
            "t.rc",
        )
        .unwrap();
        let s = HttpSettings::from_rc(&rc).unwrap();
        assert!(s.record_for_client && !s.all_can_modify);
        assert!(!s.filter.records("server", "x") && !s.filter.records("X-REQUEST-ID", "1"));
        assert_eq!(
            s.default_headers,
            vec![("x-api".to_string(), "100%".to_string())]
        );
        assert!(!s.checks_repeated_calls("GET") && s.checks_repeated_calls("POST"));
        assert_eq!(s.upstream.as_deref(), Some("http://127.0.0.1:9"));
        assert!(s.secrets.is_secret("x-session") && s.secrets.is_secret("Authorization"));
        let none = HttpSettings::from_rc(&RcConfig::new()).unwrap();
        assert!(
            !none.record_for_client && none.default_headers.is_empty() && none.upstream.is_none()
        );
    }
}
