//! Our binary and the reference on the same messages: identical record files, and each
//! publishing the other's recording again to a strict consumer, which must receive what
//! was first published.

use super::{amqp_scratch, broker, exchange_exists, queue_exists, Consumer};
use crate::server::harness::{
    ours, read, reference, reference_available, run_program, Run, ServerOnly,
};

/// The publisher's messages (its stdout, one JSON value each), after asserting the run
/// succeeded.
pub fn published(run: &Run, who: &str) -> Vec<serde_json::Value> {
    assert_eq!(
        run.status,
        Some(0),
        "{who}: the run failed\nstdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{who}: {e}: {l}")))
        .collect()
}

/// Record mode, both: the same messages make the same file byte for byte, and ours deletes
/// its queue and the exchange at the end as the reference does. Then ours publishes the
/// reference's recording again: the consumer receives every message as first published
/// (delivery modes and priorities as numbers, `None` unset, bodies with their newlines),
/// where the reference's own replay fails on the first unset delivery mode.
#[test]
fn the_same_messages_record_byte_identically_and_ours_replays_the_references_file() {
    let Some(broker) = broker("the amqp interop test") else {
        return;
    };
    if !reference_available("the amqp interop test") {
        return;
    }
    let exchange = "interop-full";
    let (mine_dir, ref_dir) = (
        amqp_scratch("record-ours", broker, exchange),
        amqp_scratch("record-ref", broker, exchange),
    );
    let argv = [
        "-m",
        "1",
        "-r",
        "out.mock",
        "-R",
        "amqp.rc",
        "python3",
        "publisher.py",
        "full",
    ];
    let sent = published(&ours(&mine_dir, &argv), "ours");
    assert!(
        !exchange_exists(&mine_dir, broker, exchange),
        "ours left the exchange"
    );
    assert!(
        !queue_exists(&mine_dir, broker, "interop-full.capturemock"),
        "ours left the queue"
    );
    assert_eq!(published(&reference(&ref_dir, &argv), "reference"), sent);
    let recorded = read(&mine_dir, "out.mock").expect("our record file");
    assert_eq!(
        Some(&recorded),
        read(&ref_dir, "out.mock").as_ref(),
        "record files differ (ours first)"
    );
    assert!(
        recorded.contains(
            "<-RMQ:orders.old : correlation_id=c-1,delivery_mode=1,priority=3\nsecond\n--HEA:x=y"
        ),
        "{recorded}"
    );
    assert!(
        recorded.contains("<-RMQ:binary : delivery_mode=None,priority=None\n0xff0001\n"),
        "{recorded}"
    );
    assert!(
        recorded.ends_with("\n<-RMQ: : delivery_mode=None,priority=1\nno routing key\n--HEA:h=v\n"),
        "{recorded}"
    );

    // Ours publishes the reference's recording again.
    let consumer = Consumer::start(&mine_dir, broker, exchange, sent.len() - 1, 10.0);
    let ref_file = ref_dir.join("out.mock").display().to_string();
    let replay = ours(
        &mine_dir,
        &[
            "--server-only",
            "-m",
            "0",
            "-p",
            &ref_file,
            "-r",
            "replayed.mock",
            "-R",
            "amqp.rc",
        ],
    );
    assert_eq!(
        replay.status,
        Some(0),
        "our replay failed: {}",
        replay.stderr
    );
    // As the reference does, the message without a routing key is not published again to
    // a topic exchange.
    let expected: Vec<_> = sent.iter().filter(|m| m["key"] != "").cloned().collect();
    assert_eq!(expected.len(), sent.len() - 1);
    assert_eq!(
        consumer.messages(),
        expected,
        "the consumer received other messages (left) than first published"
    );
    // As the reference's replay_for_server: publishing records nothing.
    assert_eq!(read(&mine_dir, "replayed.mock"), None);
}

/// The reference's `replay_for_server` (TextTest's way to publish again) reads our recording
/// of messages it can replay (string headers, the default delivery mode and priority, bodies
/// without newlines: its replay writes each LF as CR LF) and the consumer receives them as
/// first published.
#[test]
fn the_references_replay_for_server_publishes_our_recording() {
    let Some(broker) = broker("the amqp interop test") else {
        return;
    };
    if !reference_available("the amqp interop test") {
        return;
    }
    let exchange = "interop-reference";
    let dir = amqp_scratch("replay-ref", broker, exchange);
    let argv = [
        "-m",
        "1",
        "-r",
        "ours.mock",
        "-R",
        "amqp.rc",
        "python3",
        "publisher.py",
        "reference",
    ];
    let sent = published(&ours(&dir, &argv), "ours");
    let consumer = Consumer::start(&dir, broker, exchange, sent.len(), 10.0);
    let replay = run_program(
        &dir,
        "python3",
        &["-c", "import capturemock; capturemock.replay_for_server('amqp.rc', 'ours.mock', 'replayed.mock')"],
        &[],
    );
    assert_eq!(
        replay.status,
        Some(0),
        "replay_for_server failed: {}",
        replay.stderr
    );
    assert_eq!(
        consumer.messages(),
        sent,
        "the consumer received other messages (left) than first published"
    );
}

/// The reference's way to stop its AMQP recorder (`stopServer`, a `terminate` message with the
/// routing key `CaptureMock` published to the exchange) stops ours too, with everything
/// published before it recorded.
#[test]
fn the_references_stop_message_ends_our_recording() {
    let Some(broker) = broker("the amqp interop test") else {
        return;
    };
    if !reference_available("the amqp interop test") {
        return;
    }
    let exchange = "interop-stop";
    let dir = amqp_scratch("stop", broker, exchange);
    let server = ServerOnly::start(&dir, &["-m", "1", "-r", "out.mock", "-R", "amqp.rc"]);
    assert_eq!(server.address, format!("{}/{exchange}", broker.url()));
    let address = server.address.clone();
    let env = [("CAPTUREMOCK_SERVER", address.as_str())];
    let sent = published(
        &run_program(&dir, "python3", &["publisher.py", "reference"], &env),
        "publisher",
    );
    let stop =
        format!("from capturemock.server import stopServer; stopServer('{address}', 'amqp')");
    let stopped = run_program(&dir, "python3", &["-c", &stop], &[]);
    assert_eq!(
        stopped.status,
        Some(0),
        "stopServer failed: {}",
        stopped.stderr
    );
    let (status, stderr) = server.wait();
    assert_eq!(status, Some(0), "{stderr}");
    let recorded = read(&dir, "out.mock").expect("record file");
    assert_eq!(recorded.matches("<-RMQ:").count(), sent.len(), "{recorded}");
}
