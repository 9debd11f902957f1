//! The `[amqp]` section of the rc files: which broker, which exchange, and how it is
//! declared. The keys and defaults are the reference's.

use crate::rc::{RcConfig, RcError};

use super::url::{BrokerUrl, UrlError};

/// Why the `[amqp]` settings cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A value could not be read.
    #[error(transparent)]
    Rc(#[from] RcError),
    /// `url` or `exchange` is missing.
    #[error("the [amqp] section of the rc file needs `{0}`")]
    Missing(&'static str),
    /// An exchange name is longer than AMQP's 255 bytes (`exchange`: with `.capturemock`
    /// added, the recording queue's name).
    #[error("{0} is too long: AMQP names are at most 255 bytes (the queue <exchange>.capturemock included)")]
    TooLong(&'static str),
    /// `url` is not an `amqp://` URL.
    #[error(transparent)]
    Url(#[from] UrlError),
}

/// The `[amqp]` settings of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AmqpSettings {
    /// `url`, as written (it is part of `CAPTUREMOCK_SERVER`).
    pub url: String,
    /// `url`, read.
    pub broker: BrokerUrl,
    /// `exchange`: where the program publishes, and replay publishes again.
    pub exchange: String,
    /// `exchange_type`: when set, the exchange is declared with it (and `durable`,
    /// `auto_delete`); otherwise it must exist already.
    pub exchange_type: Option<String>,
    /// `exchange_forward`: another exchange that receives what is published to `exchange`.
    pub exchange_forward: Option<String>,
    /// `exchange_forward_prefix`: instead of binding the exchanges, each recorded message is
    /// published to `exchange_forward` with its routing key prefixed `PREFIX.`.
    pub exchange_forward_prefix: Option<String>,
    /// `exchange_record`: a message with an empty routing key is recorded as
    /// `exchange=<this>` (and replayed with an empty one).
    pub exchange_record: Option<String>,
    /// `auto_delete` (default true).
    pub auto_delete: bool,
    /// `durable` (default true).
    pub durable: bool,
}

impl AmqpSettings {
    /// The settings in `rc`'s `[amqp]` section. Empty values count as unset, as in the
    /// reference (where an empty string is false).
    pub fn from_rc(rc: &RcConfig) -> Result<AmqpSettings, SettingsError> {
        let get = |key: &str| -> Result<Option<String>, RcError> {
            Ok(rc.get_first(key, &["amqp"])?.filter(|v| !v.is_empty()))
        };
        let url = get("url")?.ok_or(SettingsError::Missing("url"))?;
        let broker = BrokerUrl::parse(&url)?;
        let settings = AmqpSettings {
            broker,
            url,
            exchange: get("exchange")?.ok_or(SettingsError::Missing("exchange"))?,
            exchange_type: get("exchange_type")?,
            exchange_forward: get("exchange_forward")?,
            exchange_forward_prefix: get("exchange_forward_prefix")?,
            exchange_record: get("exchange_record")?,
            auto_delete: rc.get_bool("auto_delete", &["amqp"], true)?,
            durable: rc.get_bool("durable", &["amqp"], true)?,
        };
        // amqprs panics on longer names; the broker would refuse them anyway.
        let long = |name: &Option<String>| name.as_ref().is_some_and(|n| n.len() > 255);
        // The recording queue, `<exchange>.capturemock`, must fit too.
        if settings.queue().len() > 255 {
            return Err(SettingsError::TooLong("exchange"));
        }
        if long(&settings.exchange_forward) {
            return Err(SettingsError::TooLong("exchange_forward"));
        }
        if long(&settings.exchange_type) {
            return Err(SettingsError::TooLong("exchange_type"));
        }
        Ok(settings)
    }

    /// `CAPTUREMOCK_SERVER`: `<url>/<exchange>`, the reference's.
    pub fn address(&self) -> String {
        format!("{}/{}", self.url, self.exchange)
    }

    /// `url` with its password written `***`: what errors and logs show. (The address the
    /// program is given keeps it: the program needs it to connect.)
    pub fn shown_url(&self) -> String {
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return self.url.clone();
        };
        let (authority, after) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        match authority.rsplit_once('@') {
            Some((credentials, host)) => match credentials.split_once(':') {
                Some((user, _password)) => format!("{scheme}://{user}:***@{host}{after}"),
                None => self.url.clone(),
            },
            None => self.url.clone(),
        }
    }

    /// The queue the recorder binds to the exchange: `<exchange>.capturemock`.
    pub fn queue(&self) -> String {
        format!("{}.capturemock", self.exchange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_urls_hide_the_password_only() {
        let shown = |url: &str| {
            let rc = RcConfig::from_str_named(
                &format!("[amqp]\nurl = {}\nexchange = x\n", url.replace('%', "%%")),
                "t",
            )
            .unwrap();
            AmqpSettings::from_rc(&rc).unwrap().shown_url()
        };
        assert_eq!(
            shown("amqp://ann:s3cr@t@broker:5673/%2F?heartbeat=5"),
            "amqp://ann:***@broker:5673/%2F?heartbeat=5"
        );
        assert_eq!(shown("amqp://ann@broker/v"), "amqp://ann@broker/v");
        assert_eq!(shown("amqp://broker"), "amqp://broker");
    }

    #[test]
    fn the_references_keys_and_defaults() {
        let rc = RcConfig::from_str_named(
            "[general]\nserver_protocol = amqp\n[amqp]\nurl = amqp://localhost:5999/%%2F\n\
             exchange = orders\nexchange_type = topic\ndurable = false\n",
            "t.rc",
        )
        .unwrap();
        let settings = AmqpSettings::from_rc(&rc).unwrap();
        assert_eq!(settings.url, "amqp://localhost:5999/%2F");
        assert_eq!(settings.broker.port, 5999);
        assert_eq!(settings.address(), "amqp://localhost:5999/%2F/orders");
        assert_eq!(settings.queue(), "orders.capturemock");
        assert_eq!(settings.exchange_type.as_deref(), Some("topic"));
        assert!(settings.auto_delete && !settings.durable);
        assert_eq!(settings.exchange_forward, None);
    }

    #[test]
    fn url_and_exchange_are_required() {
        let rc = RcConfig::from_str_named("[amqp]\nexchange = x\n", "t.rc").unwrap();
        let err = AmqpSettings::from_rc(&rc).unwrap_err();
        assert!(err.to_string().contains("needs `url`"), "{err}");
        let rc = RcConfig::from_str_named("[amqp]\nurl = amqp://h\n", "t.rc").unwrap();
        let err = AmqpSettings::from_rc(&rc).unwrap_err();
        assert!(err.to_string().contains("needs `exchange`"), "{err}");
        let rc = format!("[amqp]\nurl = amqp://h\nexchange = {}\n", "x".repeat(245));
        let rc = RcConfig::from_str_named(&rc, "t.rc").unwrap();
        let err = AmqpSettings::from_rc(&rc).unwrap_err();
        assert!(err.to_string().starts_with("exchange is too long"), "{err}");
    }
}
