//! Every refusal reaches its client. The clients here are strict, as the reference's own custom
//! client is: send the whole message, shut down the write side, read the reply to the end, and
//! any error on the way (a reset, `EPIPE`, `ENOTCONN`) is a failure. Many clients run at once,
//! because a refusal that races a client still sending is where replies used to be lost.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use tokio::net::TcpStream;
use tokio::sync::watch;

use super::harness::*;

/// What a strict client saw: the reply, or the first error on the way.
type Seen = Result<String, String>;

/// How long a client pauses between sending and shutting down when [`Pace::Sluggish`].
const SLUGGISH_PAUSE: Duration = Duration::from_millis(20);

/// When a client shuts down its write side.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pace {
    /// Right after sending, as the reference's client does.
    Prompt,
    /// After sending, it waits until a reply has arrived, and a little more: the interleaving
    /// a loaded machine produces by chance, made certain. A server that closes without
    /// draining resets the connection meanwhile, and the shutdown fails with `ENOTCONN`.
    Sluggish,
}

/// Sends `message` on a connected stream as a strict client does.
async fn finish_exchange(mut stream: TcpStream, message: &[u8], pace: Pace) -> Seen {
    stream
        .write_all(message)
        .await
        .map_err(|e| format!("send: {e}"))?;
    if pace == Pace::Sluggish {
        stream
            .peek(&mut [0u8; 1])
            .await
            .map_err(|e| format!("peek: {e}"))?;
        tokio::time::sleep(SLUGGISH_PAUSE).await;
    }
    // Not tokio's `shutdown`: it hides `ENOTCONN`, the very error a reset causes here.
    socket2::SockRef::from(&stream)
        .shutdown(std::net::Shutdown::Write)
        .map_err(|e| format!("shutdown: {e}"))?;
    let mut reply = Vec::new();
    stream
        .read_to_end(&mut reply)
        .await
        .map_err(|e| format!("read: {e}"))?;
    String::from_utf8(reply).map_err(|e| format!("reply is not UTF-8: {e}"))
}

/// Connects and makes one strict exchange.
async fn exchange(address: &str, message: &[u8], pace: Pace) -> Seen {
    let stream = TcpStream::connect(address)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    finish_exchange(stream, message, pace).await
}

/// The record file's exchanges (request and response lines), in any order.
fn recorded_exchanges(text: &str) -> BTreeSet<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len() % 2, 0, "{text}");
    lines
        .chunks(2)
        .map(|pair| (pair[0].to_string(), pair[1].to_string()))
        .collect()
}

fn normal_message(i: usize) -> Vec<u8> {
    format!("SUT_CUSTOM:ask({i}):SUT_SEP:answer {i}").into_bytes()
}

fn expected_record(count: usize) -> BTreeSet<(String, String)> {
    (0..count)
        .map(|i| (format!("<-CAL:ask({i})"), format!("->RET:answer {i}")))
        .collect()
}

/// 200 clients sending messages over the limit and 200 normal ones, all at once.
async fn oversize_and_normal_clients(dir_name: &str, oversize_len: usize) {
    const EACH: usize = 200;
    let dir = scratch(dir_name);
    let server = ServerOnly::start(
        &dir,
        &["-m", "1", "-r", "out.mock", "--max-message-size", "100"],
    );
    let address = Arc::new(server.address.clone());
    let oversize: Arc<[u8]> = vec![b'x'; oversize_len].into();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..EACH {
        let (to, oversize) = (Arc::clone(&address), Arc::clone(&oversize));
        // A message too large for the socket buffers is still being sent when the refusal
        // comes; a smaller one has been sent, and half of those clients are sluggish.
        let pace = if i % 2 == 0 && oversize.len() < 64 * 1024 {
            Pace::Sluggish
        } else {
            Pace::Prompt
        };
        tasks.spawn(async move { (None, exchange(&to, &oversize, pace).await) });
        let to = Arc::clone(&address);
        tasks.spawn(async move {
            (
                Some(i),
                exchange(&to, &normal_message(i), Pace::Prompt).await,
            )
        });
    }
    let refusal = "CAPTUREMOCK ERROR: message larger than the limit of 100 bytes";
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (normal, seen) = joined.expect("client task");
        let expected = match normal {
            Some(i) => format!("answer {i}"),
            None => refusal.to_string(),
        };
        if seen.as_deref() != Ok(expected.as_str()) {
            failures.push(format!("expected {expected:?}, saw {seen:?}"));
        }
    }
    let (status, stderr) = server.terminate();
    assert!(
        failures.is_empty(),
        "{} of {} clients failed, first: {}",
        failures.len(),
        2 * EACH,
        failures[0]
    );
    assert_eq!(status, Some(0), "{stderr}");
    let recorded = read(&dir, "out.mock").expect("record file");
    assert_eq!(recorded_exchanges(&recorded), expected_record(EACH));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_clients_of_1_kib_read_the_refusal_and_normal_ones_are_recorded() {
    oversize_and_normal_clients("refusals-1k", 1024).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_clients_of_10_mib_read_the_refusal_and_normal_ones_are_recorded() {
    oversize_and_normal_clients("refusals-10m", 10 * 1024 * 1024).await;
}

/// Waits until `done()` holds, failing with `what` after a generous deadline.
async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_for_go(go: &mut watch::Receiver<bool>) {
    go.wait_for(|go| *go)
        .await
        .expect("the test holds the sender");
}

/// 2,000 clients connect at once against the default limit of 512 connections. The server
/// accepts 512 and waits for their messages; it refuses the others at once, before they have
/// sent anything. When every refused client has its reply waiting, all 2,000 send. The
/// refused ones are then sending to a server that has already answered: the case where a
/// close without draining resets the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_clients_at_once_get_their_answer_or_the_refusal() {
    const CLIENTS: usize = 2000;
    const LIMIT: usize = 512;
    let dir = scratch("refusals-2000");
    // The accepted clients stay silent until every refusal has arrived: however long that
    // takes on a loaded machine, they must not time out meanwhile.
    let server = ServerOnly::start(
        &dir,
        &["-m", "1", "-r", "out.mock", "--read-timeout", "600"],
    );
    let address = Arc::new(server.address.clone());
    let connected = Arc::new(AtomicUsize::new(0));
    let answered_early = Arc::new(AtomicUsize::new(0));
    let (go_tx, go_rx) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CLIENTS {
        let (address, connected, answered_early) = (
            Arc::clone(&address),
            Arc::clone(&connected),
            Arc::clone(&answered_early),
        );
        let mut go = go_rx.clone();
        tasks.spawn(async move {
            let stream = TcpStream::connect(address.as_str())
                .await
                .map_err(|e| format!("connect: {e}"))?;
            connected.fetch_add(1, Ordering::SeqCst);
            let mut first = [0u8; 1];
            let pace = tokio::select! {
                peeked = stream.peek(&mut first) => {
                    peeked.map_err(|e| format!("peek: {e}"))?;
                    answered_early.fetch_add(1, Ordering::SeqCst);
                    wait_for_go(&mut go).await;
                    Pace::Sluggish
                }
                () = wait_for_go(&mut go) => Pace::Prompt,
            };
            finish_exchange(stream, &normal_message(i), pace).await
        });
    }
    wait_until("every client has connected", || {
        connected.load(Ordering::SeqCst) == CLIENTS
    })
    .await;
    wait_until("the clients over the limit have their refusal", || {
        answered_early.load(Ordering::SeqCst) >= CLIENTS - LIMIT
    })
    .await;
    go_tx.send(true).expect("clients listening");

    let refusal = format!("CAPTUREMOCK ERROR: too many connections at once (the limit is {LIMIT})");
    let (mut answers, mut refusals, mut failures) = (BTreeSet::new(), 0, Vec::new());
    while let Some(joined) = tasks.join_next().await {
        match joined.expect("client task") {
            Ok(reply) if reply == refusal => refusals += 1,
            Ok(reply) if reply.starts_with("answer ") => {
                answers.insert(reply);
            }
            other => failures.push(format!("{other:?}")),
        }
    }
    let (status, stderr) = server.terminate();
    assert!(
        failures.is_empty(),
        "{} clients failed, first: {}",
        failures.len(),
        failures[0]
    );
    assert_eq!((answers.len(), refusals), (LIMIT, CLIENTS - LIMIT));
    assert_eq!(status, Some(0), "{stderr}");
    let recorded = read(&dir, "out.mock").expect("record file");
    let recorded = recorded_exchanges(&recorded);
    assert_eq!(recorded.len(), LIMIT);
    for (request, response) in &recorded {
        let answer = response.strip_prefix("->RET:").expect("a response");
        assert!(answers.contains(answer), "{request} {response}");
    }
}

/// Clients that wait past the read timeout, then send: each reads the timeout refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_send_after_the_read_timeout_read_the_refusal() {
    const CLIENTS: usize = 50;
    let dir = scratch("refusals-timeout");
    let server = ServerOnly::start(
        &dir,
        &["-m", "1", "-r", "out.mock", "--read-timeout", "0.3"],
    );
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CLIENTS {
        let address = server.address.clone();
        tasks.spawn(async move {
            let stream = TcpStream::connect(&address)
                .await
                .map_err(|e| format!("connect: {e}"))?;
            // Sent only once the refusal is there to read.
            stream
                .peek(&mut [0u8; 1])
                .await
                .map_err(|e| format!("peek: {e}"))?;
            finish_exchange(stream, &normal_message(i), Pace::Sluggish).await
        });
    }
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let seen = joined.expect("client task");
        let refused = seen
            .as_deref()
            .is_ok_and(|r| r.starts_with("CAPTUREMOCK ERROR: nothing received for 300ms"));
        if !refused {
            failures.push(format!("{seen:?}"));
        }
    }
    let (status, stderr) = server.terminate();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(read(&dir, "out.mock"), None, "nothing to record");
}

/// Requests that are not UTF-8, sent by many clients at once next to normal ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_sending_invalid_utf8_read_the_refusal() {
    const EACH: usize = 100;
    let dir = scratch("refusals-utf8");
    let server = ServerOnly::start(&dir, &["-m", "1", "-r", "out.mock"]);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..EACH {
        let address = server.address.clone();
        tasks.spawn(async move {
            let mut bad = b"SUT_CUSTOM:".to_vec();
            bad.extend_from_slice(&[0xff; 4096]);
            // Read to its end before it is refused: nothing to drain, but many at once.
            (None, exchange(&address, &bad, Pace::Prompt).await)
        });
        let address = server.address.clone();
        tasks.spawn(async move {
            (
                Some(i),
                exchange(&address, &normal_message(i), Pace::Prompt).await,
            )
        });
    }
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (normal, seen) = joined.expect("client task");
        let ok = match normal {
            Some(i) => seen.as_deref() == Ok(format!("answer {i}").as_str()),
            None => seen.as_deref().is_ok_and(|r| {
                r == "CAPTUREMOCK ERROR: request is not valid UTF-8 (invalid byte at offset 11)"
            }),
        };
        if !ok {
            failures.push(format!("{normal:?}: {seen:?}"));
        }
    }
    let (status, stderr) = server.terminate();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(status, Some(0), "{stderr}");
    let recorded = read(&dir, "out.mock").expect("record file");
    assert_eq!(recorded_exchanges(&recorded), expected_record(EACH));
}

/// Connections that come while the server stops are refused with a reason, not reset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_come_while_the_server_stops_read_why() {
    const LATE: usize = 50;
    let dir = scratch("refusals-stopping");
    let server = ServerOnly::start(&dir, &["-m", "1", "-r", "out.mock", "--order-wait", "0.2"]);
    let address = server.address.clone();
    // Accepted before the stop and silent: the server waits for it before it exits.
    let held = TcpStream::connect(&address).await.expect("connect");
    let stopping = "CAPTUREMOCK ERROR: the capturemock server is shutting down";
    let server = tokio::task::spawn_blocking(move || {
        server.tell_to_stop();
        server
    })
    .await
    .expect("stop");
    // Until the accept loop has seen the stop, a new connection may still be served.
    let mut probe = 0;
    loop {
        let seen = exchange(&address, &normal_message(1000 + probe), Pace::Prompt).await;
        match seen.as_deref() {
            Ok(reply) if reply.starts_with(stopping) => break,
            Ok(reply) if reply == format!("answer {}", 1000 + probe) => probe += 1,
            other => panic!("probe {probe}: {other:?}"),
        }
        assert!(probe < 1000, "the server never started stopping");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..LATE {
        let address = address.clone();
        let pace = if i % 2 == 0 {
            Pace::Sluggish
        } else {
            Pace::Prompt
        };
        tasks.spawn(async move { exchange(&address, &normal_message(i), pace).await });
    }
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let seen = joined.expect("client task");
        if !seen.as_deref().is_ok_and(|r| r.starts_with(stopping)) {
            failures.push(format!("{seen:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
    // The held connection is still served.
    assert_eq!(
        finish_exchange(held, &normal_message(7), Pace::Prompt)
            .await
            .as_deref(),
        Ok("answer 7")
    );
    let (status, stderr) = tokio::task::spawn_blocking(move || server.wait())
        .await
        .expect("wait");
    assert_eq!(status, Some(0), "{stderr}");
    assert!(
        stderr.contains("connection(s) that came while the server was stopping"),
        "{stderr}"
    );
}
