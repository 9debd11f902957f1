//! `->RMQ:` responses in an HTTP replay: a service that published a message while it answered
//! a request does so again when the request is replayed. Ours and the reference replay the
//! same file to the same strict consumer, which must receive the same message from both, and
//! both record the whole exchange again, the `->RMQ:` response included.

use super::{amqp_scratch, broker, Broker, Consumer};
use crate::scratch::Scratch;
use crate::server::harness::{ours, read, reference, reference_available, write, Run};

/// The HTTP exchange, then the message the service published while answering it.
const REPLAYED: &str = "\
<-CLI:GET /orders/7
->SRV:200 created
--HEA:Content-Type=text/plain
->RMQ:orders.created : content_type=text/plain,correlation_id=c-7
order 7
--HEA:source=shop
";

/// The program under test: one GET, its body printed.
const CLIENT: &str = "\
import os, urllib.request
with urllib.request.urlopen(os.environ['CAPTUREMOCK_SERVER'] + '/orders/7') as r:
    print(r.status, r.read().decode())
";

/// A scratch directory for an HTTP replay whose `[amqp]` section names `url` and `exchange`.
fn http_scratch(name: &str, broker: &Broker, exchange: &str, url: &str) -> Scratch {
    let dir = amqp_scratch(name, broker, exchange);
    write(&dir, "client.py", CLIENT);
    write(&dir, "replay.mock", REPLAYED);
    write(
        &dir,
        "http.rc",
        &format!(
            "[general]\nserver_protocol = http\n[amqp]\nurl = {}\nexchange = {exchange}\nexchange_type = topic\n",
            url.replace('%', "%%")
        ),
    );
    dir
}

/// Replays `replay.mock` to the client with `tool`, recording to `again.mock`.
fn replay(tool: fn(&std::path::Path, &[&str]) -> Run, dir: &Scratch, who: &str) -> Run {
    let run = tool(
        dir,
        &[
            "-m",
            "0",
            "-p",
            "replay.mock",
            "-r",
            "again.mock",
            "-R",
            "http.rc",
            "python3",
            "client.py",
        ],
    );
    assert_eq!(
        (run.status, run.stdout.as_str()),
        (Some(0), "200 created\n"),
        "{who}: the client did not get the replayed answer\nstderr: {}",
        run.stderr
    );
    assert_eq!(
        read(dir, "again.mock").as_deref(),
        Some(REPLAYED),
        "{who}: the record"
    );
    run
}

#[test]
fn both_publish_the_replayed_exchanges_message_and_record_the_exchange_as_replayed() {
    let Some(broker) = broker("the HTTP replay's ->RMQ: test") else {
        return;
    };
    let exchange = "http-replay";
    let mine = http_scratch("http-rmq-ours", broker, exchange, &broker.url());
    let consumer = Consumer::start(&mine, broker, exchange, 1, 10.0);
    replay(ours, &mine, "ours");
    let received = consumer.messages();
    let expected = serde_json::json!({
        "key": "orders.created",
        "body": hex("order 7"),
        "props": {
            "content_type": "text/plain",
            "correlation_id": "c-7",
            "delivery_mode": 2,
            "priority": 0,
        },
        "headers": {"originfile": "norecord", "source": "shop"},
    });
    assert_eq!(received, [expected], "ours published");

    if !reference_available("the HTTP replay's ->RMQ: test") {
        return;
    }
    let theirs = http_scratch("http-rmq-reference", broker, exchange, &broker.url());
    let consumer = Consumer::start(&theirs, broker, exchange, 1, 10.0);
    replay(reference, &theirs, "the reference");
    assert_eq!(
        consumer.messages(),
        received,
        "the reference published another message"
    );
}

/// With no broker at the `[amqp]` URL, the message cannot be published: the HTTP answer is
/// still replayed, and the run says what was not published and why.
#[test]
fn a_broker_that_cannot_be_reached_loses_only_the_message_and_says_so() {
    let Some(broker) = broker("the HTTP replay's ->RMQ: test") else {
        return;
    };
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = closed.local_addr().expect("its address").port();
    drop(closed);
    let url = format!("amqp://guest:guest@127.0.0.1:{port}/%2F");
    let dir = http_scratch("http-rmq-unreachable", broker, "nowhere", &url);
    let run = replay(ours, &dir, "ours");
    assert!(
        run.stderr
            .contains("->RMQ: response not published: cannot connect to the AMQP broker at amqp://guest:***@127.0.0.1:"),
        "{}",
        run.stderr
    );
}

/// A broker that takes the connection and never answers (a listener that never accepts: the
/// kernel completes the handshake): the publisher gives up after its wait, and the HTTP
/// answer is replayed all the same.
#[test]
fn a_broker_that_never_answers_is_given_up_on() {
    let Some(broker) = broker("the HTTP replay's ->RMQ: test") else {
        return;
    };
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = silent.local_addr().expect("its address").port();
    let url = format!("amqp://guest:guest@127.0.0.1:{port}/%2F");
    let dir = http_scratch("http-rmq-silent", broker, "silent", &url);
    let run = replay(ours, &dir, "ours");
    assert!(
        run.stderr.contains(
            "->RMQ: response not published: the AMQP broker at amqp://guest:***@127.0.0.1:"
        ) && run.stderr.contains("did not answer within 10 s"),
        "{}",
        run.stderr
    );
    drop(silent);
}

/// `text` in hex, as the consumer shows bodies.
fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}
