//! `exchange_forward`: what the program publishes also reaches another exchange, bound to
//! the recorded one, or (with `exchange_forward_prefix`) published there by the recorder with
//! the routing key prefixed.

use super::interop::published;
use super::{amqp_scratch, broker, Consumer};
use crate::server::harness::{ours, read, write};

/// Records the `reference` set with `forward` settings added to the rc file, while a consumer
/// of `to` (the forward exchange) runs; returns what was published and what it received.
fn record_forwarded(
    name: &str,
    forward: &str,
    to: &str,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let broker = broker("the amqp forward test").expect("checked by the caller");
    let exchange = format!("{name}-source");
    let dir = amqp_scratch(name, broker, &exchange);
    let rc = read(&dir, "amqp.rc").expect("amqp.rc") + forward;
    write(&dir, "amqp.rc", &rc);
    let consumer = Consumer::start(&dir, broker, to, 3, 10.0);
    let argv = [
        "-m",
        "1",
        "-r",
        "out.mock",
        "-R",
        "amqp.rc",
        "python3",
        "publisher.py",
        "reference",
    ];
    let sent = published(&ours(&dir, &argv), "ours");
    assert_eq!(
        read(&dir, "out.mock").map(|t| t.matches("<-RMQ:").count()),
        Some(3)
    );
    (sent, consumer.messages())
}

/// Without a prefix the forward exchange is bound to the recorded one: its consumer receives
/// the messages as published.
#[test]
fn the_forward_exchange_is_bound_to_the_recorded_one() {
    if broker("the amqp forward test").is_none() {
        return;
    }
    let (sent, received) = record_forwarded(
        "forward-bound",
        "exchange_forward = forward-bound-to\n",
        "forward-bound-to",
    );
    assert_eq!(received, sent);
}

/// With a prefix the recorder publishes each recorded message to the forward exchange as
/// `<prefix>.<routing key>`, with its properties and headers.
#[test]
fn with_a_prefix_each_message_is_published_to_the_forward_exchange() {
    if broker("the amqp forward test").is_none() {
        return;
    }
    let (sent, received) = record_forwarded(
        "forward-prefix",
        "exchange_forward = forward-prefix-to\nexchange_forward_prefix = pre\n",
        "forward-prefix-to",
    );
    let expected: Vec<_> = sent
        .into_iter()
        .map(|mut m| {
            let key = format!("pre.{}", m["key"].as_str().expect("key"));
            m["key"] = key.into();
            m
        })
        .collect();
    assert_eq!(received, expected);
}
