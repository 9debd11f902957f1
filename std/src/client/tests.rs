//! The clients against a scripted server on loopback: the bytes sent, the replies returned,
//! the errors.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;
use std::time::Duration;

use capturemock_core::replay::Mode;

use super::*;

/// A server that takes `replies.len()` connections, reads each to the end, answers with the
/// next reply and closes; it returns what it received.
fn scripted(replies: Vec<&'static [u8]>) -> (String, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        let mut received = Vec::new();
        for reply in replies {
            let (mut stream, _) = listener.accept().unwrap();
            let mut text = String::new();
            stream.read_to_string(&mut text).unwrap();
            received.push(text);
            stream.write_all(reply).unwrap();
        }
        received
    });
    (address, handle)
}

fn client(address: &str, mode: Mode) -> Client {
    Client::new(ClientConfig::new(address, mode).unwrap())
}

#[test]
fn record_sends_both_parts_and_returns_the_echo() {
    let (address, server) = scripted(vec![b"bar"]);
    let echo = client(&address, Mode::Record)
        .record("foo(1)", "bar  \n")
        .unwrap();
    assert_eq!(echo, "bar");
    assert_eq!(
        server.join().unwrap(),
        ["SUT_CUSTOM:foo(1):SUT_SEP:bar  \n"]
    );
}

#[test]
fn replay_sends_the_request_and_reads_to_the_end() {
    let (address, server) = scripted(vec![b"multi\nline", b""]);
    let c = client(&address, Mode::Replay);
    assert_eq!(c.replay("a\nb").unwrap(), "multi\nline");
    assert_eq!(c.replay("unknown").unwrap(), "");
    assert_eq!(
        server.join().unwrap(),
        ["SUT_CUSTOM:a\nb", "SUT_CUSTOM:unknown"]
    );
}

#[test]
fn call_follows_the_mode() {
    let (address, server) = scripted(vec![b"recorded", b"echo", b"replayed"]);
    let mut real_calls = 0;
    let mut real = || {
        real_calls += 1;
        "real".to_string()
    };
    assert_eq!(
        client(&address, Mode::Replay).call("q", &mut real).unwrap(),
        "recorded"
    );
    assert_eq!(
        client(&address, Mode::Record).call("q", &mut real).unwrap(),
        "echo",
        "record mode returns the echo: what a replay will return"
    );
    assert_eq!(
        client(&address, Mode::ReplayOldRecordNew)
            .call("q", &mut real)
            .unwrap(),
        "replayed",
        "mode 2 returns the server's answer"
    );
    assert_eq!(real_calls, 2);
    assert_eq!(
        server.join().unwrap(),
        [
            "SUT_CUSTOM:q",
            "SUT_CUSTOM:q:SUT_SEP:real",
            "SUT_CUSTOM:q:SUT_SEP:real"
        ]
    );
}

#[test]
fn call_reports_a_mismatch_that_replay_returns_as_text() {
    let reply: &[u8] =
        b"CAPTUREMOCK MISMATCH: Could not find any replay request matching '<-CAL:x'";
    let (address, server) = scripted(vec![reply, reply]);
    let c = client(&address, Mode::Replay);
    assert_eq!(c.replay("x").unwrap().as_bytes(), reply);
    let e = c.call("x", || unreachable!()).unwrap_err();
    assert!(
        matches!(&e, ClientError::Server { request, .. } if request == "x"),
        "{e}"
    );
    assert!(e.to_string().contains("did not replay \"x\""), "{e}");
    server.join().unwrap();
}

#[test]
fn terminate_sends_what_the_reference_sends() {
    let (address, server) = scripted(vec![b""]);
    client(&address, Mode::Replay).terminate_server().unwrap();
    assert_eq!(server.join().unwrap(), ["TERMINATE_SERVER\n"]);
}

#[test]
fn a_server_that_is_not_there_is_a_connect_error() {
    let address = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let e = client(&address, Mode::Replay).replay("x").unwrap_err();
    assert!(matches!(e, ClientError::Connect { .. }), "{e}");
    assert!(e.to_string().contains(&address), "{e}");
}

#[test]
fn a_silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let config = ClientConfig::new(&address, Mode::Replay)
        .unwrap()
        .with_timeouts(Timeouts {
            connect: Some(Duration::from_secs(5)),
            io: Some(Duration::from_millis(200)),
        });
    let e = Client::new(config).replay("x").unwrap_err();
    assert!(
        matches!(e, ClientError::Timeout { what: "answer", .. }),
        "{e}"
    );
    assert!(e.to_string().contains("did not answer within 200ms"), "{e}");
    drop(listener);
}

#[test]
fn a_reply_that_is_not_utf8_is_an_error() {
    let (address, server) = scripted(vec![b"\xff\xfe"]);
    let e = client(&address, Mode::Replay).replay("x").unwrap_err();
    assert!(matches!(e, ClientError::ReplyNotUtf8 { .. }), "{e}");
    server.join().unwrap();
}

#[test]
fn nothing_is_sent_for_a_request_the_server_would_mangle() {
    // No server: refusing must happen before connecting.
    let c = client("127.0.0.1:9", Mode::Record);
    assert!(matches!(c.replay(""), Err(ClientError::EmptyRequest)));
    assert!(matches!(
        c.call("a:SUT_SEP:b", String::new),
        Err(ClientError::ContainsSeparator { what: "request" })
    ));
}

#[test]
fn the_async_client_speaks_the_same_protocol() {
    let (address, server) = scripted(vec![b"echo", b"recorded", b"", b"replayed"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let record = AsyncClient::new(ClientConfig::new(&address, Mode::Record).unwrap());
        assert_eq!(record.record("r", "v").await.unwrap(), "echo");
        let replay = AsyncClient::new(ClientConfig::new(&address, Mode::Replay).unwrap());
        assert_eq!(
            replay
                .call("q", || async {
                    unreachable!("replay never calls the real thing")
                })
                .await
                .unwrap(),
            "recorded"
        );
        replay.terminate_server().await.unwrap();
        let both = AsyncClient::new(ClientConfig::new(&address, Mode::ReplayOldRecordNew).unwrap());
        assert_eq!(
            both.call("q", || async { "real".to_string() })
                .await
                .unwrap(),
            "replayed"
        );
    });
    assert_eq!(
        server.join().unwrap(),
        [
            "SUT_CUSTOM:r:SUT_SEP:v",
            "SUT_CUSTOM:q",
            "TERMINATE_SERVER\n",
            "SUT_CUSTOM:q:SUT_SEP:real"
        ]
    );
}

#[test]
fn the_async_client_times_out_too() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let config = ClientConfig::new(&address, Mode::Replay)
        .unwrap()
        .with_timeouts(Timeouts {
            connect: None,
            io: Some(Duration::from_millis(150)),
        });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let e = runtime
        .block_on(AsyncClient::new(config).replay("x"))
        .unwrap_err();
    assert!(
        matches!(e, ClientError::Timeout { what: "answer", .. }),
        "{e}"
    );
    drop(listener);
}

#[test]
fn both_faces_name_a_missing_server_alike() {
    let address = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let config = ClientConfig::new(&address, Mode::Replay).unwrap();
    let blocking = Client::new(config.clone()).replay("x").unwrap_err();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let awaited = runtime
        .block_on(AsyncClient::new(config).replay("x"))
        .unwrap_err();
    assert!(
        matches!(blocking, ClientError::Connect { .. }),
        "{blocking}"
    );
    assert!(matches!(awaited, ClientError::Connect { .. }), "{awaited}");
    assert_eq!(blocking.to_string(), awaited.to_string());
}
