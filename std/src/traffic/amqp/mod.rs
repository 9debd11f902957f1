//! AMQP 0-9-1 messages (`server_protocol = amqp`): what is published to a broker's exchange,
//! recorded as `<-RMQ:` entries and published again on replay. The transport (connecting to
//! the broker, consuming, publishing) is [`crate::server::amqp`].
//!
//! - [`message`]: a message as the reference writes it (`<-RMQ:<routing key> : props`, the
//!   body, `--HEA:` lines) and read back, with its properties typed for publishing.
//! - [`settings`]: the `[amqp]` rc section.
//! - [`url`]: the broker's `amqp://` URL.

pub mod message;
pub mod settings;
pub mod url;

pub use message::{Message, MessageError, Property, PropertyValue};
pub use settings::AmqpSettings;
pub use url::{BrokerUrl, UrlError};
