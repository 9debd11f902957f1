//! The capture API from outside the crate: `#[capture::test]` with a mock file kept in the
//! repository, record / replay / drift in a temporary directory, and capture files shared
//! with custom clients through the reference's server.

use std::collections::BTreeMap;
use std::path::Path;

use capturemock::capture::{self, CaptureError, Mode, Session, TestMock};

use super::servers::{scratch, Kind, Server, Setup};

/// The real call: an exchange-rate service.
fn fetch_rates(base: &str) -> BTreeMap<String, f64> {
    match base {
        "EUR" => [("USD".to_string(), 1.08), ("GBP".to_string(), 0.85)].into(),
        _ => BTreeMap::new(),
    }
}

/// The code under test.
fn convert(amount: f64, from: &str, to: &str) -> Option<f64> {
    let rates = capture::capture(format!("rates.latest(base={from})"), || fetch_rates(from));
    rates
        .get(to)
        .map(|rate| (amount * rate * 100.0).round() / 100.0)
}

// Replays tests/mocks/clients/capture/converts_with_recorded_rates.mock (recorded when it is
// missing or CAPTUREMOCK_MODE=1), and fails with a diff if the calls drift from it.
#[capture::test(dir = "tests/mocks")]
fn converts_with_recorded_rates() {
    assert_eq!(convert(100.0, "EUR", "USD"), Some(108.0));
    assert_eq!(convert(10.0, "EUR", "GBP"), Some(8.5));
    assert_eq!(convert(10.0, "EUR", "JPY"), None);
}

#[capture::test(dir = "tests/mocks")]
#[tokio::test]
async fn test_async_code_captures_too() {
    let rates: BTreeMap<String, f64> =
        capture::try_capture_async("rates.latest(base=EUR)", async { fetch_rates("EUR") })
            .await
            .unwrap();
    assert_eq!(rates["USD"], 1.08);
}

fn mock(dir: &Path, mode: Mode) -> TestMock {
    TestMock::builder()
        .dir(dir)
        .name("clients::capture::converts")
        .mode(mode)
        .rc_files(Vec::<&Path>::new())
        .start()
}

#[test]
fn record_then_replay_then_drift_on_disk() {
    let dir = scratch("capture-drift");
    let file = dir.join("clients/capture/converts.mock");

    let m = mock(&dir, Mode::Record);
    assert_eq!(convert(100.0, "EUR", "USD"), Some(108.0));
    m.finish().unwrap();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "<-CAL:rates.latest(base=EUR)\n->RET:{\n  \"GBP\": 0.85,\n  \"USD\": 1.08\n}\n"
    );

    let m = mock(&dir, Mode::Replay);
    assert_eq!(convert(100.0, "EUR", "USD"), Some(108.0));
    m.finish().unwrap();

    // The code now asks for another base: nearest match replays EUR, the check catches it.
    let m = mock(&dir, Mode::Replay);
    assert_eq!(convert(100.0, "GBP", "USD"), Some(108.0));
    let e = m.finish().unwrap_err();
    let CaptureError::Drift { diff, actual, .. } = &e else {
        panic!("{e}")
    };
    assert!(
        diff.contains("-<-CAL:rates.latest(base=EUR)\n+<-CAL:rates.latest(base=GBP)\n"),
        "{diff}"
    );
    assert_eq!(actual, &dir.join("clients/capture/converts.mock.tmp"));
    assert!(
        e.to_string()
            .contains("record again (CAPTUREMOCK_RECORD_MODE=all, then `capturemock review`)"),
        "{e}"
    );
}

#[test]
fn capture_files_and_custom_client_files_are_one_format() {
    // Recorded in process, replayed by the reference's server to our client.
    let dir = scratch("capture-shared");
    let recorded = dir.join("captured.mock");
    let session = Session::builder(Mode::Record)
        .record_file(&recorded)
        .open()
        .unwrap();
    session.capture_text("motd()", || "hello\nworld".into());
    session.capture("rates.latest(base=EUR)", || fetch_rates("EUR"));
    drop(session);
    let text = std::fs::read_to_string(&recorded).unwrap();
    let setup = Setup {
        replay: Some(&text),
        ..Setup::mode(Mode::Replay)
    };
    let server = Server::start(Kind::Reference, &dir, &setup);
    let client = server.client(Mode::Replay);
    assert_eq!(client.replay("motd()").unwrap(), "hello\nworld");
    let json = client.replay("rates.latest(base=EUR)").unwrap();
    let rates: BTreeMap<String, f64> = serde_json::from_str(&json).unwrap();
    assert_eq!(rates, fetch_rates("EUR"));
    assert_eq!(
        server.finish(),
        text,
        "the reference replays it without drift"
    );

    // Recorded by the reference's server from our client, replayed in process.
    let dir = scratch("capture-shared-back");
    let server = Server::start(Kind::Reference, &dir, &Setup::mode(Mode::Record));
    server
        .client(Mode::Record)
        .record("motd()", "good morning")
        .unwrap();
    let record = server.record.clone();
    server.finish();
    let session = Session::builder(Mode::Replay)
        .replay_file(&record)
        .open()
        .unwrap();
    assert_eq!(
        session.capture_text("motd()", || unreachable!()),
        "good morning"
    );
}
