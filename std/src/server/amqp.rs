//! The AMQP "server" (`server_protocol = amqp`): no socket of its own, but a client of a
//! RabbitMQ broker (amqprs), as the reference's is of pika.
//!
//! **Record** (`-m 1`): connecting declares the exchange when `exchange_type` is set, binds
//! `exchange_forward` to it when set without a prefix, and binds a queue
//! `<exchange>.capturemock` (durable, auto-delete) to the exchange with the key `#`, all before
//! the program starts, so nothing the program publishes is missed. Serving records each message
//! of that queue as a `<-RMQ:` entry in arrival order ([`Message::record_text`]); with
//! `exchange_forward_prefix` it also publishes it to `exchange_forward` as
//! `<prefix>.<routing key>`. A message with the header `originfile=norecord` is not recorded.
//! When the program has ended, a marker is sent to the queue itself (through the default
//! exchange, so it arrives after everything already routed there whatever the exchange's
//! type), everything before it is recorded, and the queue and the exchange are deleted, as
//! the reference deletes them. The reference's own stop message (routing key `CaptureMock`,
//! body `terminate`, published to the exchange) ends a recording too.
//!
//! **Replay** (`-m 0`): connecting reads every `<-RMQ:` entry of the replay file first
//! (a malformed one is an error, and nothing is published), then publishes them to the
//! exchange in file order with their properties and headers, before the program starts
//! (as TextTest's `replay_for_server`, which the reference's command line does not offer:
//! it publishes nothing). Consumers whose queues are bound by then receive them; with
//! `--server-only` the command ends once they are published. Nothing is recorded, as in the
//! reference. Like the reference, a message with an empty routing key is not published
//! again to a `topic` exchange.
//!
//! Beyond the reference: a message without headers or with headers that are not strings is
//! recorded (headers as text: numbers in decimal, booleans `True`/`False`); the reference's
//! recorder dies on both and loses the rest of the run. Properties are replayed typed
//! (see [`crate::traffic::amqp::message`]). `-m 2` is refused: the reference has no replay of
//! its own to combine with recording.

use std::future::Future;
use std::time::Duration;

use amqprs::channel::{
    BasicConsumeArguments, BasicPublishArguments, Channel, ExchangeBindArguments,
    ExchangeDeclareArguments, ExchangeDeleteArguments, QueueBindArguments, QueueDeclareArguments,
    QueueDeleteArguments,
};
use amqprs::connection::{Connection, OpenConnectionArguments};
use amqprs::{BasicProperties, FieldTable, FieldValue};
use capturemock_core::replay::Mode;
use tokio::sync::mpsc::UnboundedReceiver;

use super::{ServerConfig, ServerError, ServerReport};
use crate::exchange::recorder::Recorder;
use crate::exchange::{Engine, Exchange};
use crate::traffic::amqp::{AmqpSettings, Message, MessageError, Property, PropertyValue};

/// The entry type of a published message.
const PREFIX: &str = "<-RMQ";
/// The reference's stop message: this routing key and body, published to the exchange.
const STOP_KEY: &str = "CaptureMock";
/// Its body, also the body of our own end marker.
const STOP_BODY: &[u8] = b"terminate";
/// The longest exchange name or routing key AMQP can carry (a short string).
const MAX_SHORT_STRING: usize = 255;

/// Why the AMQP server could not do its job.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AmqpError {
    /// The broker could not be reached, or refused the login.
    #[error("cannot connect to the AMQP broker at {url}")]
    Connect {
        /// `url` from the rc file, its password hidden.
        url: String,
        /// What amqprs said.
        source: amqprs::error::Error,
    },
    /// The broker refused a step (declaring, binding, consuming, publishing, deleting).
    #[error("the AMQP broker refused to {what}")]
    Broker {
        /// The step, with the names involved.
        what: String,
        /// What amqprs said.
        source: amqprs::error::Error,
    },
    /// The replay file could not be read again for its messages.
    #[error("cannot read replay file {path}")]
    ReadReplay {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// An entry of the replay file is not a message that can be published.
    #[error("{path}:{line}: <-RMQ entry cannot be published")]
    BadEntry {
        /// The file.
        path: String,
        /// The entry's first line.
        line: u32,
        /// What is wrong with it.
        source: EntryError,
    },
    /// `-m 2` was asked for.
    #[error("server_protocol = amqp records (-m 1) or publishes a replay file again (-m 0); -m 2 is not supported")]
    Mode,
}

/// What is wrong with a replay file's entry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    /// The record file's syntax.
    #[error("{0}")]
    Syntax(String),
    /// The message text.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// A routing key over 255 bytes.
    #[error("the routing key is longer than AMQP's 255 bytes")]
    LongKey,
}

/// A connection to the broker, made before the program starts: recording set up, or the
/// replay file's messages published.
pub struct Link {
    settings: AmqpSettings,
    connection: Connection,
    channel: Channel,
    /// The recording queue's deliveries (record mode).
    deliveries: Option<UnboundedReceiver<amqprs::channel::ConsumerMessage>>,
    /// Messages published (replay mode).
    published: u64,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("url", &self.settings.shown_url())
            .field("recording", &self.deliveries.is_some())
            .field("published", &self.published)
            .finish_non_exhaustive()
    }
}

impl Link {
    /// `CAPTUREMOCK_SERVER`: `<url>/<exchange>`.
    pub fn address(&self) -> String {
        self.settings.address()
    }
}

/// A broker step's error.
fn broker(what: impl Into<String>) -> impl FnOnce(amqprs::error::Error) -> ServerError {
    let what = what.into();
    move |source| ServerError::Amqp(AmqpError::Broker { what, source })
}

/// Connects to the broker of `settings` and sets up recording (record mode), or publishes
/// the replay file's messages (replay mode).
pub(super) async fn connect(
    config: &ServerConfig,
    settings: &AmqpSettings,
) -> Result<Link, ServerError> {
    if config.mode == Mode::ReplayOldRecordNew {
        return Err(AmqpError::Mode.into());
    }
    let replay = config.mode == Mode::Replay;
    // Read before connecting: a malformed replay file publishes nothing.
    let messages = match (&config.replay, replay) {
        (Some(file), true) => {
            let path = file
                .lock()
                .map(|f| f.path().to_path_buf())
                .unwrap_or_default();
            replay_messages(&path, config)?
        }
        _ => Vec::new(),
    };
    let name = if replay {
        "CaptureMock replay"
    } else {
        "CaptureMock recorder"
    };
    let (connection, channel) = open(settings, name).await?;
    let exchange = &settings.exchange;
    let mut link = Link {
        settings: settings.clone(),
        connection,
        channel,
        deliveries: None,
        published: 0,
    };
    if replay {
        for message in messages.iter().filter(|m| routable(m, settings)) {
            publish(&link.channel, exchange, &message.routing_key, message).await?;
            link.published += 1;
        }
        return Ok(link);
    }
    let queue = settings.queue();
    link.channel
        .queue_declare(
            QueueDeclareArguments::new(&queue)
                .durable(true)
                .auto_delete(true)
                .finish(),
        )
        .await
        .map_err(broker(format!("declare queue {queue}")))?;
    link.channel
        .queue_bind(QueueBindArguments::new(&queue, exchange, "#"))
        .await
        .map_err(broker(format!("bind queue {queue} to exchange {exchange}")))?;
    let (_tag, deliveries) = link
        .channel
        .basic_consume_rx(
            BasicConsumeArguments::new(&queue, "")
                .auto_ack(true)
                .finish(),
        )
        .await
        .map_err(broker(format!("consume from queue {queue}")))?;
    link.deliveries = Some(deliveries);
    Ok(link)
}

/// Connects to the broker of `settings` as `name`, opens a channel, declares the exchange
/// (with `exchange_type`) or checks that it exists, and binds `exchange_forward` to it: what
/// recording, replay and the HTTP replay's `->RMQ:` responses all need first.
async fn open(settings: &AmqpSettings, name: &str) -> Result<(Connection, Channel), ServerError> {
    let b = &settings.broker;
    let mut args = OpenConnectionArguments::new(&b.host, b.port, &b.user, &b.password);
    args.virtual_host(&b.vhost).connection_name(name);
    let connection =
        Connection::open(&args.finish())
            .await
            .map_err(|source| AmqpError::Connect {
                url: settings.shown_url(),
                source,
            })?;
    let channel = connection
        .open_channel(None)
        .await
        .map_err(broker("open a channel"))?;
    let exchange = &settings.exchange;
    if let Some(kind) = &settings.exchange_type {
        let mut declare = ExchangeDeclareArguments::new(exchange, kind);
        declare.durable = settings.durable;
        declare.auto_delete = settings.auto_delete;
        channel
            .exchange_declare(declare)
            .await
            .map_err(broker(format!("declare exchange {exchange} ({kind})")))?;
    } else {
        // Checked before anything is declared, so that a missing exchange leaves no queue.
        let mut check = ExchangeDeclareArguments::new(exchange, "");
        check.passive = true;
        channel
            .exchange_declare(check)
            .await
            .map_err(broker(format!(
                "find exchange {exchange} (set exchange_type to declare it)"
            )))?;
    }
    if let (Some(forward), None) = (
        &settings.exchange_forward,
        &settings.exchange_forward_prefix,
    ) {
        channel
            .exchange_bind(ExchangeBindArguments::new(forward, exchange, "#"))
            .await
            .map_err(broker(format!("bind exchange {forward} to {exchange}")))?;
    }
    Ok((connection, channel))
}

/// Whether replay publishes `message`: not with an empty routing key to a `topic` exchange
/// (the reference's rule; such an exchange would route it nowhere).
fn routable(message: &Message, settings: &AmqpSettings) -> bool {
    !(message.routing_key.is_empty() && settings.exchange_type.as_deref() == Some("topic"))
}

/// Publishes the `->RMQ:` responses of replayed HTTP exchanges, as the reference's HTTP
/// replay does: a service that published messages while it answered, when recorded, does so
/// again on replay. Each message gets the header `originfile=norecord`, the reference's mark
/// for messages that a recorder of the same exchange must not record.
///
/// The broker is reached on the first such response, not at start-up, so that a run whose
/// replay has none needs no broker; when it cannot be reached, every such response fails.
#[cfg(feature = "http")]
pub(crate) struct Publisher {
    settings: AmqpSettings,
    /// The connection and channel, opened on first need; or why opening them failed (said
    /// once, then each response fails with it).
    link: tokio::sync::Mutex<Option<Result<Opened, String>>>,
}

/// How long a [`Publisher`] waits for the broker to be reached. Why a bound: the HTTP
/// request whose `->RMQ:` response it publishes waits too, and so would every later one
/// (they publish in turn), for as long as the system lets a TCP connect hang.
#[cfg(feature = "http")]
const BROKER_WAIT: Duration = Duration::from_secs(10);

/// A publisher's connection and its channel.
#[cfg(feature = "http")]
type Opened = Box<(Connection, Channel)>;

#[cfg(feature = "http")]
impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("url", &self.settings.shown_url())
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "http")]
impl Publisher {
    /// A publisher to the exchange of `settings`; nothing is connected yet.
    pub(crate) fn new(settings: AmqpSettings) -> Publisher {
        Publisher {
            settings,
            link: tokio::sync::Mutex::new(None),
        }
    }

    /// Publishes one response's text (after `->RMQ:`), alterations already applied; the
    /// error says why it was not published.
    pub(crate) async fn publish(&self, text: &str) -> Result<(), String> {
        let mut message = Message::parse(text).map_err(|e| e.to_string())?;
        if message.routing_key.len() > MAX_SHORT_STRING {
            return Err(EntryError::LongKey.to_string());
        }
        if !routable(&message, &self.settings) {
            return Ok(());
        }
        message
            .headers
            .insert("originfile".to_string(), "norecord".to_string());
        let mut link = self.link.lock().await;
        let opened = match &mut *link {
            Some(opened) => opened,
            empty => {
                let opening = open(&self.settings, "CaptureMock replay");
                empty.insert(match tokio::time::timeout(BROKER_WAIT, opening).await {
                    Ok(opened) => opened
                        .map(Box::new)
                        .map_err(|e| crate::ErrorChain(&e).to_string()),
                    Err(_) => Err(format!(
                        "the AMQP broker at {} did not answer within {} s",
                        self.settings.shown_url(),
                        BROKER_WAIT.as_secs()
                    )),
                })
            }
        };
        let (_, channel) = &**opened.as_ref().map_err(Clone::clone)?;
        publish(
            channel,
            &self.settings.exchange,
            &message.routing_key,
            &message,
        )
        .await
        .map_err(|e| crate::ErrorChain(&e).to_string())
    }

    /// Closes the connection, if one was opened (at the end of the run).
    pub(crate) async fn close(&self) {
        if let Some(Ok(opened)) = self.link.lock().await.take() {
            let (connection, channel) = *opened;
            close_both(connection, channel).await;
        }
    }
}

/// The `<-RMQ:` entries of the replay file at `path`, in file order, each with the file's
/// alterations applied, read into messages.
fn replay_messages(
    path: &std::path::Path,
    config: &ServerConfig,
) -> Result<Vec<Message>, ServerError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| AmqpError::ReadReplay {
        path: shown.clone(),
        source,
    })?;
    let mut messages = Vec::new();
    for entry in capturemock_core::format::entries(&text) {
        let bad = |line: u32, source: EntryError| AmqpError::BadEntry {
            path: shown.clone(),
            line,
            source,
        };
        let entry = entry.map_err(|e| bad(e.line, EntryError::Syntax(format!("{:?}", e.kind))))?;
        let mut buf = vec![0u8; entry.decoded_len(config.newlines)];
        let record = entry
            .decode(config.newlines, &mut buf)
            .map_err(|e| bad(entry.line(), EntryError::Syntax(format!("{e:?}"))))?;
        if record.prefix() != PREFIX {
            continue;
        }
        let text = config.alterations.apply(record.text());
        let message = Message::parse(&text).map_err(|e| bad(entry.line(), e.into()))?;
        if message.routing_key.len() > MAX_SHORT_STRING {
            return Err(bad(entry.line(), EntryError::LongKey).into());
        }
        messages.push(message);
    }
    Ok(messages)
}

/// Publishes `message` to `exchange` with `routing_key`.
async fn publish(
    channel: &Channel,
    exchange: &str,
    routing_key: &str,
    message: &Message,
) -> Result<(), ServerError> {
    let mut props = BasicProperties::default();
    for (property, value) in &message.properties {
        match (property, value) {
            (Property::DeliveryMode, PropertyValue::Number(n)) => props.with_delivery_mode(*n),
            (Property::Priority, PropertyValue::Number(n)) => props.with_priority(*n),
            (Property::AppId, v) => props.with_app_id(&v.to_string()),
            (Property::ClusterId, v) => props.with_cluster_id(&v.to_string()),
            (Property::ContentEncoding, v) => props.with_content_encoding(&v.to_string()),
            (Property::ContentType, v) => props.with_content_type(&v.to_string()),
            (Property::CorrelationId, v) => props.with_correlation_id(&v.to_string()),
            (Property::Expiration, v) => props.with_expiration(&v.to_string()),
            (Property::MessageId, v) => props.with_message_id(&v.to_string()),
            (Property::ReplyTo, v) => props.with_reply_to(&v.to_string()),
            (Property::Type, v) => props.with_message_type(&v.to_string()),
            (Property::UserId, v) => props.with_user_id(&v.to_string()),
            _ => &mut props,
        };
    }
    if !message.headers.is_empty() {
        let mut table = FieldTable::new();
        for (name, value) in &message.headers {
            let (Ok(name), Ok(value)) = (name.clone().try_into(), value.clone().try_into()) else {
                tracing::warn!("header {name} left out: its name or value is too long for AMQP");
                continue;
            };
            table.insert(name, FieldValue::S(value));
        }
        props.with_headers(table);
    }
    channel
        .basic_publish(
            props.finish(),
            message.body.clone(),
            BasicPublishArguments::new(exchange, routing_key),
        )
        .await
        .map_err(broker(format!("publish to exchange {exchange}")))
}

/// Records the queue's messages until the program has ended (`shutdown`) or the reference's
/// stop message comes, then deletes the queue and the exchange and reports. In replay mode,
/// only closes the connection and reports what was published.
pub(super) async fn run(
    mut link: Link,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<ServerReport, ServerError> {
    let mut report = ServerReport {
        address: link.address(),
        ..ServerReport::default()
    };
    let Some(mut deliveries) = link.deliveries.take() else {
        report.exchanges = link.published;
        close(link).await;
        return Ok(report);
    };
    let recorder = Recorder::new(
        config.record.as_deref(),
        config.newlines,
        config.trailing_newlines,
    )?;
    let engine = Engine::new(config.rules(), None, Some(recorder));
    let settings = link.settings.clone();
    let queue = settings.queue();
    let mut ended = false;
    // How long the end marker may take to come back once the program has ended.
    let mut drain_until: Option<tokio::time::Instant> = None;
    let drain_limit = config.limits.read_timeout;
    tokio::pin!(shutdown);
    loop {
        let draining = async {
            match drain_until {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = &mut shutdown, if !ended => {
                ended = true;
                // Everything routed to the queue before this marker is recorded first.
                let marker = Message { routing_key: queue.clone(), body: STOP_BODY.to_vec(), ..Message::default() };
                if let Err(e) = publish(&link.channel, "", &queue, &marker).await {
                    tracing::error!("{}; stopping without the messages still on their way", crate::ErrorChain(&e));
                    break;
                }
                drain_until = Some(tokio::time::Instant::now() + drain_limit);
            }
            () = draining => {
                tracing::error!("the end marker did not come back within {drain_limit:?}; stopping without the messages still on their way");
                break;
            }
            delivery = deliveries.recv() => {
                let Some(delivery) = delivery else {
                    tracing::error!("the AMQP broker closed the recording's channel");
                    break;
                };
                let (Some(deliver), Some(content)) = (delivery.deliver, delivery.content) else {
                    continue;
                };
                if content == STOP_BODY
                    && ((deliver.exchange().is_empty() && deliver.routing_key() == &queue)
                        || deliver.routing_key() == STOP_KEY)
                {
                    report.terminated_by_client = !ended;
                    break;
                }
                report.exchanges += 1;
                let message = received(deliver.routing_key(), delivery.basic_properties.as_ref(), content);
                if message.headers.get("originfile").map(String::as_str) == Some("norecord") {
                    continue;
                }
                let mut exchange = Exchange::new(&engine, report.exchanges, None);
                let text = exchange.alter(&message.record_text(settings.exchange_record.as_deref()));
                // No `--TIM:` line, whatever `record_timestamps` says: the reference writes none.
                exchange.record_owned(PREFIX, text, None);
                exchange.finish();
                if let (Some(forward), Some(prefix)) = (&settings.exchange_forward, &settings.exchange_forward_prefix) {
                    let key = format!("{prefix}.{}", message.routing_key);
                    if key.len() > MAX_SHORT_STRING {
                        tracing::error!("message {} not forwarded: {prefix}.<routing key> is longer than AMQP's 255 bytes", report.exchanges);
                    } else if let Err(e) = publish(&link.channel, forward, &key, &message).await {
                        tracing::error!("message {} not forwarded: {}", report.exchanges, crate::ErrorChain(&e));
                    }
                }
            }
        }
    }
    // As the reference does when it stops.
    if let Err(e) = link
        .channel
        .queue_delete(QueueDeleteArguments::new(&queue))
        .await
    {
        tracing::warn!("could not delete queue {queue}: {e}");
    }
    if let Err(e) = link
        .channel
        .exchange_delete(ExchangeDeleteArguments::new(&settings.exchange))
        .await
    {
        tracing::warn!("could not delete exchange {}: {e}", settings.exchange);
    }
    close(link).await;
    report.add_engine_report(engine.finish());
    Ok(report)
}

/// Closes the channel and the connection, within a few seconds.
async fn close(link: Link) {
    let Link {
        connection,
        channel,
        ..
    } = link;
    close_both(connection, channel).await;
}

/// Closes `channel`, then `connection`, within a few seconds.
async fn close_both(connection: Connection, channel: Channel) {
    let closing = async {
        let _ = channel.close().await;
        let _ = connection.close().await;
    };
    if tokio::time::timeout(Duration::from_secs(5), closing)
        .await
        .is_err()
    {
        tracing::warn!("the AMQP broker did not close the connection in time");
    }
}

/// A delivered message as recorded.
fn received(routing_key: &str, props: Option<&BasicProperties>, body: Vec<u8>) -> Message {
    let mut message = Message {
        routing_key: routing_key.to_string(),
        body,
        ..Message::default()
    };
    let Some(props) = props else {
        return message;
    };
    let mut set = |property: Property, value: Option<PropertyValue>| {
        if let Some(value) = value {
            message.properties.insert(property, value);
        }
    };
    let text = |v: Option<&String>| v.map(|v| PropertyValue::Text(v.clone()));
    set(Property::AppId, text(props.app_id()));
    set(Property::ClusterId, text(props.cluster_id()));
    set(Property::ContentEncoding, text(props.content_encoding()));
    set(Property::ContentType, text(props.content_type()));
    set(Property::CorrelationId, text(props.correlation_id()));
    set(
        Property::DeliveryMode,
        props.delivery_mode().map(PropertyValue::Number),
    );
    set(Property::Expiration, text(props.expiration()));
    set(Property::MessageId, text(props.message_id()));
    set(
        Property::Priority,
        props.priority().map(PropertyValue::Number),
    );
    set(Property::ReplyTo, text(props.reply_to()));
    set(Property::Type, text(props.message_type()));
    set(Property::UserId, text(props.user_id()));
    if let Some(headers) = props.headers() {
        for (name, value) in headers.as_ref() {
            message.headers.insert(name.to_string(), header_text(value));
        }
    }
    message
}

/// A header's value as text: strings as they are, numbers in decimal, booleans as Python
/// writes them.
fn header_text(value: &FieldValue) -> String {
    match value {
        FieldValue::S(s) => s.to_string(),
        FieldValue::t(b) => if *b { "True" } else { "False" }.to_string(),
        FieldValue::b(n) => n.to_string(),
        FieldValue::B(n) => n.to_string(),
        FieldValue::s(n) => n.to_string(),
        FieldValue::u(n) => n.to_string(),
        FieldValue::I(n) => n.to_string(),
        FieldValue::i(n) => n.to_string(),
        FieldValue::l(n) => n.to_string(),
        FieldValue::T(n) => n.to_string(),
        FieldValue::V => "None".to_string(),
        other => other.to_string(),
    }
}
