//! The server through its library API, with real sockets.

use std::sync::Arc;

use capturemock_core::replay::{Mode, NewRequestPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;
use crate::exchange::{FixedClock, NearMissKind};
use crate::replay_file::ReplayFile;

async fn exchange(address: &str, message: &str) -> String {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream.write_all(message.as_bytes()).await.expect("send");
    stream.shutdown().await.expect("shutdown");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.expect("reply");
    reply
}

/// `name` in a directory of its own, removed with the returned guard.
fn temp(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    (dir, path)
}

fn with_replay(mode: Mode, text: &str) -> ServerConfig {
    let mut config = ServerConfig {
        mode,
        ..ServerConfig::default()
    };
    let file = ReplayFile::from_text(text.to_string(), "test.mock", config.replay_options())
        .expect("replay text");
    config.replay = Some(Arc::new(std::sync::Mutex::new(file)));
    config
}

#[tokio::test]
async fn record_then_replay_through_the_api() {
    let (_dir, record) = temp("api-record.mock");
    let config = ServerConfig {
        mode: Mode::Record,
        record: Some(record.clone()),
        record_timestamps: true,
        clock: Arc::new(FixedClock("2024-01-02T03:04:05".into())),
        ..ServerConfig::default()
    };
    let server = start(config, 0).await.expect("start");
    let address = server.address().to_string();
    assert_eq!(
        exchange(&address, "SUT_CUSTOM:get(1):SUT_SEP:one \n").await,
        "one"
    );
    assert_eq!(exchange(&address, "classic").await, "");
    let report = server.stop().await.expect("stop");
    assert_eq!(report.exchanges, 2);
    assert_eq!(report.recorded_exchanges, 2);
    let text = std::fs::read_to_string(&record).expect("record file");
    // Only classic client traffic is timestamped, as in the reference.
    assert_eq!(
        text,
        "<-CAL:get(1)\n->RET:one \n<-CLI:classic\n--TIM:2024-01-02T03:04:05\n"
    );

    let server = start(with_replay(Mode::Replay, &text), 0)
        .await
        .expect("start");
    let address = server.address().to_string();
    assert_eq!(exchange(&address, "SUT_CUSTOM:get(1)").await, "one");
    assert_eq!(exchange(&address, "SUT_CUSTOM:get(2)").await, "one");
    let report = server.stop().await.expect("stop");
    assert_eq!(report.summary.near_misses.len(), 1);
    assert_eq!(
        report.summary.near_misses[0].nearest.as_deref(),
        Some("<-CAL:get(1)")
    );
    // The classic request was never used.
    assert_eq!(report.summary.unused.len(), 1);
    assert_eq!(report.summary.unused[0].key, "<-CLI:classic");
}

#[tokio::test]
async fn replay_decisions_are_kept_only_when_asked() {
    let text = "<-CAL:a\n->RET:1\n<-CAL:b\n->RET:2\n";
    for keep in [false, true] {
        let config = ServerConfig {
            keep_matches: keep,
            ..with_replay(Mode::Replay, text)
        };
        let server = start(config, 0).await.expect("start");
        let address = server.address().to_string();
        assert_eq!(exchange(&address, "SUT_CUSTOM:b").await, "2");
        assert_eq!(exchange(&address, "SUT_CUSTOM:a x").await, "1");
        let report = server.stop().await.expect("stop");
        if keep {
            let matches: Vec<(u64, u32, bool)> = report
                .matches
                .iter()
                .map(|m| (m.exchange, m.request.0, m.exact))
                .collect();
            assert_eq!(matches, [(1, 1, true), (2, 0, false)]);
            let used: Vec<(&str, u32)> = report
                .requests
                .iter()
                .map(|r| (r.key.as_str(), r.times_chosen))
                .collect();
            assert_eq!(used, [("<-CAL:a", 1), ("<-CAL:b", 1)]);
        } else {
            assert!(report.matches.is_empty() && report.requests.is_empty());
        }
        assert!(report.summary.unused.is_empty());
    }
}

#[tokio::test]
async fn terminate_server_stops_the_run() {
    let server = start(ServerConfig::default(), 0).await.expect("start");
    let address = server.address().to_string();
    assert_eq!(exchange(&address, "TERMINATE_SERVER\n").await, "");
    let report = server.wait().await.expect("wait");
    assert!(report.terminated_by_client);
}

#[tokio::test]
async fn mode_two_replays_like_the_reference_or_records_what_is_new() {
    let replay = "<-CAL:old()\n->RET:recorded\n";
    let server = start(with_replay(Mode::ReplayOldRecordNew, replay), 0)
        .await
        .expect("start");
    let address = server.address().to_string();
    // The reference best-matches instead of recording.
    assert_eq!(
        exchange(&address, "SUT_CUSTOM:old(new):SUT_SEP:fresh").await,
        "recorded"
    );
    server.stop().await.expect("stop");

    let mut config = with_replay(Mode::ReplayOldRecordNew, replay);
    config.new_requests = NewRequestPolicy::RecordUnmatched;
    let server = start(config, 0).await.expect("start");
    let address = server.address().to_string();
    assert_eq!(
        exchange(&address, "SUT_CUSTOM:old():SUT_SEP:ignored").await,
        "recorded"
    );
    assert_eq!(
        exchange(&address, "SUT_CUSTOM:old(new):SUT_SEP:fresh").await,
        "fresh"
    );
    let report = server.stop().await.expect("stop");
    assert_eq!(report.summary.near_misses[0].kind, NearMissKind::Recorded);
}

#[test]
fn background_server_for_blocking_code() {
    use std::io::{Read, Write};
    let server = BackgroundServer::start(ServerConfig::default(), 0).expect("start");
    let mut stream = std::net::TcpStream::connect(server.address()).expect("connect");
    stream.write_all(b"SUT_CUSTOM:x:SUT_SEP:y").expect("send");
    stream
        .shutdown(std::net::Shutdown::Write)
        .expect("shutdown");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("reply");
    assert_eq!(reply, "y");
    let report = server.stop().expect("stop");
    assert_eq!(report.exchanges, 1);
}

#[tokio::test]
async fn mismatch_replies_quote_the_request_as_the_reference_does() {
    let mut config = with_replay(Mode::Replay, "<-CAL:a\n->RET:b\n<-SRV:x\n->CLI:y\n");
    config.exact_matching = true;
    let server = start(config, 0).await.expect("start");
    let address = server.address().to_string();
    assert_eq!(
        exchange(&address, "SUT_CUSTOM:c \n").await,
        "CAPTUREMOCK MISMATCH: Could not find any replay request matching '<-CAL:c \n'"
    );
    server.stop().await.expect("stop");
}
