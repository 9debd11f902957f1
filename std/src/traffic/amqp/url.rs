//! The broker's address: `amqp://[user[:password]@]host[:port][/vhost]`, as pika reads it.
//!
//! Written here rather than taken from amqprs's `urispec` feature: that one keeps the
//! virtual host percent-encoded (pika's usual `/%2F`, the default virtual host `/`, would
//! name a host called `%2F`) and panics on a query item without `=`.

/// Why an `amqp://` URL could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Not `amqp://...` (TLS, `amqps://`, is not supported).
    #[error("url = {0}: not an amqp:// URL (amqps:// is not supported)")]
    Scheme(String),
    /// No host, or a port that is not a number.
    #[error("url = {0}: no host, or a port that is not a number")]
    Authority(String),
    /// A `%` not followed by two hex digits, or a decoded part that is not UTF-8.
    #[error("url = {0}: bad percent-encoding")]
    Percent(String),
}

/// A broker's address and credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// Host name or address.
    pub host: String,
    /// Port, 5672 by default.
    pub port: u16,
    /// User name, `guest` by default (pika's and RabbitMQ's).
    pub user: String,
    /// Password, `guest` by default.
    pub password: String,
    /// Virtual host, percent-decoded: `/` when the URL has no path or `/%2F`.
    pub vhost: String,
}

/// The AMQP port.
const DEFAULT_PORT: u16 = 5672;

impl BrokerUrl {
    /// Reads `url`. A query (`?heartbeat=...`) is ignored.
    pub fn parse(url: &str) -> Result<BrokerUrl, UrlError> {
        let rest = url
            .strip_prefix("amqp://")
            .ok_or_else(|| UrlError::Scheme(url.to_string()))?;
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let (authority, path) = match rest.split_once('/') {
            Some((authority, path)) => (authority, Some(path)),
            None => (rest, None),
        };
        let (credentials, host_port) = match authority.rsplit_once('@') {
            Some((credentials, host_port)) => (Some(credentials), host_port),
            None => (None, authority),
        };
        let decode = |text: &str| decode(text).ok_or_else(|| UrlError::Percent(url.to_string()));
        let (user, password) = match credentials {
            Some(credentials) => match credentials.split_once(':') {
                Some((user, password)) => (decode(user)?, decode(password)?),
                None => (decode(credentials)?, "guest".to_string()),
            },
            None => ("guest".to_string(), "guest".to_string()),
        };
        let bad_authority = || UrlError::Authority(url.to_string());
        let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
            let (host, after) = bracketed.split_once(']').ok_or_else(bad_authority)?;
            let port = match after.strip_prefix(':') {
                Some(port) => port.parse().map_err(|_| bad_authority())?,
                None if after.is_empty() => DEFAULT_PORT,
                None => return Err(bad_authority()),
            };
            (host.to_string(), port)
        } else {
            match host_port.split_once(':') {
                Some((host, port)) => {
                    (host.to_string(), port.parse().map_err(|_| bad_authority())?)
                }
                None => (host_port.to_string(), DEFAULT_PORT),
            }
        };
        if host.is_empty() {
            return Err(bad_authority());
        }
        let vhost = match path {
            None | Some("") => "/".to_string(),
            Some(path) => decode(path)?,
        };
        Ok(BrokerUrl {
            host,
            port,
            user,
            password,
            vhost,
        })
    }
}

/// `text` with `%XX` escapes decoded; `None` for a bad escape or a result that is not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pikas_usual_url_names_the_default_vhost() {
        let url = BrokerUrl::parse("amqp://guest:guest@localhost:25672/%2F").unwrap();
        assert_eq!(
            url,
            BrokerUrl {
                host: "localhost".into(),
                port: 25672,
                user: "guest".into(),
                password: "guest".into(),
                vhost: "/".into(),
            }
        );
    }

    #[test]
    fn defaults_and_escapes() {
        let url = BrokerUrl::parse("amqp://rabbit").unwrap();
        assert_eq!(
            (url.port, url.user.as_str(), url.vhost.as_str()),
            (5672, "guest", "/")
        );
        let url = BrokerUrl::parse("amqp://us%40r:p%3Ass@[::1]:1234/prod?heartbeat=10").unwrap();
        assert_eq!(url.user, "us@r");
        assert_eq!(url.password, "p:ss");
        assert_eq!((url.host.as_str(), url.port), ("::1", 1234));
        assert_eq!(url.vhost, "prod");
    }

    #[test]
    fn bad_urls_are_refused() {
        assert!(matches!(
            BrokerUrl::parse("amqps://h"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            BrokerUrl::parse("http://h"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            BrokerUrl::parse("amqp://h:port/"),
            Err(UrlError::Authority(_))
        ));
        assert!(matches!(
            BrokerUrl::parse("amqp:///x"),
            Err(UrlError::Authority(_))
        ));
        assert!(matches!(
            BrokerUrl::parse("amqp://h/%zz"),
            Err(UrlError::Percent(_))
        ));
    }
}
