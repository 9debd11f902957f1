//! Where the server is and what the run does, from `CAPTUREMOCK_SERVER` / `CAPTUREMOCK_MODE`.

use std::time::Duration;

use capturemock_core::replay::Mode;

use super::ClientError;

/// The variable `capturemock` exports with the server's `host:port`.
pub const SERVER_VAR: &str = "CAPTUREMOCK_SERVER";
/// The variable `capturemock` exports with the mode (`0`, `1` or `2`).
pub const MODE_VAR: &str = "CAPTUREMOCK_MODE";

/// How long a client waits. `None` waits for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For the connection to be accepted (default 10 s).
    pub connect: Option<Duration>,
    /// For the whole message to be taken, and again for the whole answer to arrive (default
    /// 60 s). A server may hold an answer back while earlier exchanges finish, so this is
    /// generous.
    pub io: Option<Duration>,
}

/// 10 seconds to connect, 60 for each direction of an exchange: long enough for a server
/// that holds an answer back while earlier exchanges take their turn, short enough that a
/// dead server fails a test instead of hanging it.
impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Some(Duration::from_secs(10)),
            io: Some(Duration::from_secs(60)),
        }
    }
}

/// What a custom client needs to know: the server's address, the mode, the timeouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// `host:port`, as `CAPTUREMOCK_SERVER` gives it.
    pub address: String,
    /// Replay, record, or replay old and record new.
    pub mode: Mode,
    /// How long to wait.
    pub timeouts: Timeouts,
}

impl ClientConfig {
    /// A configuration for a server at `address` (`host:port`) in `mode`, default timeouts.
    pub fn new(address: impl Into<String>, mode: Mode) -> Result<Self, ClientError> {
        let address = address.into();
        check_address(&address)?;
        Ok(ClientConfig {
            address,
            mode,
            timeouts: Timeouts::default(),
        })
    }

    /// Reads `CAPTUREMOCK_SERVER` and `CAPTUREMOCK_MODE`, which `capturemock` exports to the
    /// program it runs.
    pub fn from_env() -> Result<Self, ClientError> {
        Self::from_values(&env_var(SERVER_VAR)?, &env_var(MODE_VAR)?)
    }

    /// Parses the two values as they appear in the environment (surrounding white space is
    /// ignored).
    pub fn from_values(server: &str, mode: &str) -> Result<Self, ClientError> {
        let parsed_mode = Mode::parse(mode).map_err(|_| ClientError::BadMode {
            value: mode.to_string(),
        })?;
        Self::new(server.trim(), parsed_mode)
    }

    /// The same with other timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }
}

/// A variable's value; an unset or non-UTF-8 variable is an error that names it, since the
/// usual cause is a program run without `capturemock` around it.
fn env_var(variable: &'static str) -> Result<String, ClientError> {
    match std::env::var(variable) {
        Ok(value) => Ok(value),
        Err(std::env::VarError::NotPresent) => Err(ClientError::Unset { variable }),
        Err(std::env::VarError::NotUnicode(_)) => Err(ClientError::NotUnicode { variable }),
    }
}

/// `host:port` with a non-empty host and a port 1-65535 (`[::1]:port` works too).
/// Checked when the configuration is made, so that a malformed `CAPTUREMOCK_SERVER` is
/// reported as such rather than as a failure to connect at the first exchange. The host is
/// not resolved here.
fn check_address(address: &str) -> Result<(), ClientError> {
    let bad = || ClientError::BadAddress {
        value: address.to_string(),
    };
    let (host, port) = address.rsplit_once(':').ok_or_else(bad)?;
    let port_ok = !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok_and(|p| p != 0);
    if host.is_empty() || !port_ok || host.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_capturemock_exports() {
        let c = ClientConfig::from_values("127.0.0.1:40123", "1").unwrap();
        assert_eq!(c.address, "127.0.0.1:40123");
        assert_eq!(c.mode, Mode::Record);
        assert_eq!(c.timeouts, Timeouts::default());
        let c = ClientConfig::from_values(" localhost:9\n", "2").unwrap();
        assert_eq!(c.address, "localhost:9");
        assert_eq!(c.mode, Mode::ReplayOldRecordNew);
        assert!(ClientConfig::from_values("[::1]:8080", "0").is_ok());
    }

    #[test]
    fn malformed_values_are_named_in_the_error() {
        for bad in [
            "",
            "localhost",
            ":80",
            "host:",
            "host:0",
            "host:65536",
            "host:8o",
            "ho st:80",
        ] {
            let e = ClientConfig::from_values(bad, "0").unwrap_err();
            assert!(
                matches!(&e, ClientError::BadAddress { value } if value == bad.trim()),
                "{bad:?}: {e}"
            );
            assert!(e.to_string().contains("is not host:port"), "{e}");
        }
        for bad in ["", "3", "record", "-1"] {
            let e = ClientConfig::from_values("h:1", bad).unwrap_err();
            assert!(matches!(&e, ClientError::BadMode { value } if value == bad));
            assert!(e.to_string().starts_with("CAPTUREMOCK_MODE="), "{e}");
        }
    }

    #[test]
    fn unset_variables_say_how_to_set_them() {
        let e = ClientError::Unset {
            variable: SERVER_VAR,
        };
        let text = e.to_string();
        assert!(text.starts_with("CAPTUREMOCK_SERVER is not set"), "{text}");
        assert!(
            text.contains("run the program under `capturemock`"),
            "{text}"
        );
    }
}
