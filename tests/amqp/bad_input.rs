//! Bad input: messages the reference's recorder dies on are recorded and the run goes on; a
//! malformed replay entry is refused with its place and reason, and nothing is published.

use super::interop::published;
use super::{amqp_scratch, broker, Consumer};
use crate::server::harness::{ours, read, reference, reference_available, write};

/// A message without headers and one with a number and a boolean header come between good
/// ones: ours records all four, in order, and leaves out the last one, marked
/// `originfile=norecord`; the reference (checked live when it is installed) dies at the first
/// of them and loses the rest.
#[test]
fn messages_the_reference_dies_on_are_recorded_and_nothing_is_lost() {
    let Some(broker) = broker("the amqp bad-input test") else {
        return;
    };
    let exchange = "bad-record";
    let dir = amqp_scratch("bad-record", broker, exchange);
    let argv = [
        "-m",
        "1",
        "-r",
        "out.mock",
        "-R",
        "amqp.rc",
        "python3",
        "publisher.py",
        "bad",
    ];
    published(&ours(&dir, &argv), "ours");
    assert_eq!(
        read(&dir, "out.mock").expect("record file"),
        "<-RMQ:a : delivery_mode=None,priority=None\none\n--HEA:s=x\n\
         <-RMQ:b : content_type=text/plain,delivery_mode=None,priority=None\nno headers\n\
         <-RMQ:c : delivery_mode=None,priority=None\nnumber header\n--HEA:n=5\n--HEA:t=True\n\
         <-RMQ:d : delivery_mode=None,priority=None\nfour\n--HEA:s=y\n"
    );
    if reference_available("the amqp bad-input comparison") {
        let ref_dir = amqp_scratch("bad-record-ref", broker, exchange);
        let run = reference(&ref_dir, &argv);
        assert!(
            run.stderr.contains("AttributeError"),
            "the reference no longer dies: {}",
            run.stderr
        );
        assert_eq!(
            read(&ref_dir, "out.mock").as_deref(),
            Some("<-RMQ:a : delivery_mode=None,priority=None\none\n--HEA:s=x\n"),
            "the reference's record file changed"
        );
    }
}

/// A replay file whose third message has a priority that is no number: the run fails with
/// the file, the line and the reason, before the first message is published (a strict
/// consumer receives nothing).
#[test]
fn a_malformed_replay_entry_is_refused_before_anything_is_published() {
    let Some(broker) = broker("the amqp bad-input test") else {
        return;
    };
    let exchange = "bad-replay";
    let dir = amqp_scratch("bad-replay", broker, exchange);
    write(
        &dir,
        "bad.mock",
        "<-RMQ:a : app_id=x\none\n--HEA:h=v\n<-RMQ:b : \ntwo\n<-RMQ:c : priority=high\nthree\n",
    );
    let consumer = Consumer::start(&dir, broker, exchange, 0, 3.0);
    let run = ours(
        &dir,
        &[
            "--server-only",
            "-m",
            "0",
            "-p",
            "bad.mock",
            "-R",
            "amqp.rc",
        ],
    );
    assert_eq!(run.status, Some(2), "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("bad.mock:6: <-RMQ entry cannot be published: priority = high is not a number from 0 to 255 (or None)"),
        "{}",
        run.stderr
    );
    assert!(consumer.messages().is_empty());
}

/// `-m 2` has nothing to combine: refused before the broker is reached.
#[test]
fn mode_2_is_refused() {
    let Some(broker) = broker("the amqp bad-input test") else {
        return;
    };
    let dir = amqp_scratch("mode-2", broker, "mode-2");
    write(&dir, "x.mock", "<-RMQ:a : \none\n");
    let run = ours(
        &dir,
        &["--server-only", "-m", "2", "-p", "x.mock", "-R", "amqp.rc"],
    );
    assert_eq!(run.status, Some(2), "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("-m 2 is not supported"),
        "{}",
        run.stderr
    );
}

/// A broker that cannot be reached fails the run before the program starts, naming the URL
/// (no broker needed: nothing listens on the port).
#[test]
fn an_unreachable_broker_is_said_before_the_program_runs() {
    let dir = crate::scratch::Scratch::new("amqp", "unreachable");
    let port = super::free_port();
    write(
        &dir,
        "amqp.rc",
        &format!("[general]\nserver_protocol = amqp\n[amqp]\nurl = amqp://localhost:{port}/%%2F\nexchange = x\n"),
    );
    let run = ours(
        &dir,
        &["-m", "1", "-r", "out.mock", "-R", "amqp.rc", "touch", "ran"],
    );
    assert_eq!(run.status, Some(2), "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "cannot connect to the AMQP broker at amqp://localhost:{port}/%2F"
        )),
        "{}",
        run.stderr
    );
    assert!(!dir.join("ran").exists(), "the program ran");
}

/// Without `exchange_type` the exchange must exist: one that does not fails the run before
/// the program starts, and leaves no queue behind.
#[test]
fn a_missing_exchange_is_said_before_the_program_runs() {
    let Some(broker) = broker("the amqp bad-input test") else {
        return;
    };
    let dir = amqp_scratch("missing-exchange", broker, "missing-exchange");
    let rc = read(&dir, "amqp.rc")
        .expect("amqp.rc")
        .replace("exchange_type = topic\n", "");
    write(&dir, "amqp.rc", &rc);
    let run = ours(
        &dir,
        &["-m", "1", "-r", "out.mock", "-R", "amqp.rc", "touch", "ran"],
    );
    assert_eq!(run.status, Some(2), "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("the AMQP broker refused to find exchange missing-exchange (set exchange_type to declare it)"),
        "{}",
        run.stderr
    );
    assert!(!dir.join("ran").exists(), "the program ran");
    assert!(!super::queue_exists(
        &dir,
        broker,
        "missing-exchange.capturemock"
    ));
}
