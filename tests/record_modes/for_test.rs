//! Each record mode through the test helpers: `capture::for_test()` (and so
//! `#[capture::test]` and captured traits, which run in its session) and `http::for_test()`.
//! The helpers never overwrite a mock file that exists: a different result is left in
//! `X.mock.new`.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use capturemock::capture::{self, CaptureError, RecordMode, TestMock};

use crate::server::harness::scratch;

/// The session of test `suite::test_prices` in `dir`, in `mode`, with no rc file.
fn start(dir: &Path, mode: RecordMode) -> Result<TestMock, CaptureError> {
    TestMock::builder()
        .dir(dir)
        .name("suite::test_prices")
        .record_mode(mode)
        .rc_files(Vec::<&str>::new())
        .try_start()
}

/// Prices `tickers` through captures whose real call counts itself and answers `answer`.
fn prices(
    tickers: &[&str],
    real_calls: &AtomicUsize,
    answer: f64,
) -> Vec<Result<f64, CaptureError>> {
    tickers
        .iter()
        .map(|t| {
            capture::try_capture(format!("price({t})"), || {
                real_calls.fetch_add(1, Ordering::SeqCst);
                answer
            })
        })
        .collect()
}

fn read(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

#[test]
fn once_records_a_missing_mock_then_replays_it() {
    let dir = scratch("for-test-once");
    let mock = dir.join("suite/prices.mock");
    let real = AtomicUsize::new(0);
    let m = start(&dir, RecordMode::Once).unwrap();
    assert_eq!(m.mode().number(), 1);
    assert_eq!(prices(&["A"], &real, 1.5)[0].as_ref().unwrap(), &1.5);
    m.finish().unwrap();
    assert_eq!(read(&mock).as_deref(), Some("<-CAL:price(A)\n->RET:1.5\n"));
    let m = start(&dir, RecordMode::Once).unwrap();
    assert_eq!(m.mode().number(), 0);
    assert_eq!(prices(&["A"], &real, 9.0)[0].as_ref().unwrap(), &1.5);
    m.finish().unwrap();
    assert_eq!(
        real.load(Ordering::SeqCst),
        1,
        "replayed without the real call"
    );
    assert!(read(&dir.join("suite/prices.mock.new")).is_none());
}

#[test]
fn new_replays_exact_matches_records_the_rest_and_proposes_both() {
    let dir = scratch("for-test-new");
    let mock = dir.join("suite/prices.mock");
    std::fs::create_dir_all(mock.parent().unwrap()).unwrap();
    std::fs::write(&mock, "<-CAL:price(AB)\n->RET:1.0\n").unwrap();
    let real = AtomicUsize::new(0);
    let m = start(&dir, RecordMode::New).unwrap();
    // price(A) is near price(AB) but not the same: recorded from the real call.
    let got: Vec<f64> = prices(&["AB", "A"], &real, 2.0)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got, [1.0, 2.0]);
    m.finish().unwrap();
    assert_eq!(real.load(Ordering::SeqCst), 1);
    assert_eq!(
        read(&mock).as_deref(),
        Some("<-CAL:price(AB)\n->RET:1.0\n"),
        "never overwritten"
    );
    assert_eq!(
        read(&dir.join("suite/prices.mock.new")).as_deref(),
        Some("<-CAL:price(AB)\n->RET:1.0\n<-CAL:price(A)\n->RET:2.0\n")
    );
}

#[test]
fn all_calls_everything_and_proposes_only_a_difference() {
    let dir = scratch("for-test-all");
    let mock = dir.join("suite/prices.mock");
    let new = dir.join("suite/prices.mock.new");
    std::fs::create_dir_all(mock.parent().unwrap()).unwrap();
    std::fs::write(&mock, "<-CAL:price(A)\n->RET:1.0\n").unwrap();
    std::fs::write(&new, "stale\n").unwrap();
    let real = AtomicUsize::new(0);
    let m = start(&dir, RecordMode::All).unwrap();
    prices(&["A"], &real, 1.0);
    m.finish().unwrap();
    assert_eq!(real.load(Ordering::SeqCst), 1);
    assert!(
        read(&new).is_none(),
        "the same result: nothing written, the stale proposal gone"
    );
    let m = start(&dir, RecordMode::All).unwrap();
    prices(&["A"], &real, 3.0);
    m.finish().unwrap();
    assert_eq!(read(&mock).as_deref(), Some("<-CAL:price(A)\n->RET:1.0\n"));
    assert_eq!(read(&new).as_deref(), Some("<-CAL:price(A)\n->RET:3.0\n"));
}

#[test]
fn none_replays_exact_matches_and_fails_on_anything_else() {
    let dir = scratch("for-test-none");
    let missing = start(&dir, RecordMode::None).unwrap_err();
    assert!(
        matches!(missing, CaptureError::MissingReplayFile { .. }),
        "{missing}"
    );
    let mock = dir.join("suite/prices.mock");
    std::fs::create_dir_all(mock.parent().unwrap()).unwrap();
    std::fs::write(&mock, "<-CAL:price(AB)\n->RET:1.0\n").unwrap();
    let real = AtomicUsize::new(0);
    let m = start(&dir, RecordMode::None).unwrap();
    let got = prices(&["AB", "A"], &real, 2.0);
    assert_eq!(got[0].as_ref().unwrap(), &1.0);
    let refused = got[1].as_ref().unwrap_err();
    assert!(
        matches!(refused, CaptureError::NotRecorded { .. }),
        "{refused}"
    );
    assert!(m.finish().is_err(), "the run does not match its mock file");
    assert_eq!(real.load(Ordering::SeqCst), 0);
    // An empty mock file would record: forbidden instead.
    std::fs::write(&mock, "").unwrap();
    let m = start(&dir, RecordMode::None).unwrap();
    let refused = prices(&["A"], &real, 2.0).remove(0).unwrap_err();
    assert!(
        matches!(refused, CaptureError::Forbidden { .. }),
        "{refused}"
    );
    assert!(refused.to_string().contains("forbidden"), "{refused}");
    drop(m.finish());
    assert_eq!(real.load(Ordering::SeqCst), 0);
}

/// A trait captured with `#[capture]`, in a for_test session.
#[capturemock::capture]
trait Quotes {
    fn quote(&self, ticker: &str) -> u32;
}

struct RealQuotes(Arc<AtomicUsize>, u32);

impl Quotes for RealQuotes {
    fn quote(&self, _ticker: &str) -> u32 {
        self.0.fetch_add(1, Ordering::SeqCst);
        self.1
    }
}

#[test]
fn a_captured_trait_never_overwrites_its_mock_either() {
    let dir = scratch("for-test-trait");
    let calls = Arc::new(AtomicUsize::new(0));
    let run = |mode, answer| {
        let m = start(&dir, mode).unwrap();
        let quotes = CapturedQuotes::new(RealQuotes(calls.clone(), answer));
        let got = quotes.quote("ACME");
        m.finish().unwrap();
        got
    };
    assert_eq!(run(RecordMode::Once, 7), 7);
    let mock = read(&dir.join("suite/prices.mock")).unwrap();
    assert!(mock.contains(".quote(\"ACME\")"), "{mock}");
    assert_eq!(run(RecordMode::Once, 8), 7);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(run(RecordMode::All, 8), 8);
    assert_eq!(read(&dir.join("suite/prices.mock")).unwrap(), mock);
    let proposed = read(&dir.join("suite/prices.mock.new")).unwrap();
    assert!(proposed.contains("->RET:8"), "{proposed}");
}

#[capture::test(dir = "tests/record_modes/mocks", record_mode = "none")]
fn capture_test_takes_a_record_mode() {
    // The mock file is checked in: record mode none replays it, never calling the real thing.
    let got: u32 = capture::capture("answer()", || panic!("the real thing was called"));
    assert_eq!(got, 42);
}

/// A local HTTP service that answers `200 hi <path>` and counts the requests it gets.
struct Counting {
    url: String,
    hits: Arc<AtomicUsize>,
}

impl Counting {
    fn start() -> Self {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let text = String::from_utf8_lossy(&request);
                let path = text.split(' ').nth(1).unwrap_or("?").to_string();
                let body = format!("hi {path}");
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Counting { url, hits }
    }
}

/// GET `path` from the test server: its status and body, whatever the status.
fn get(server: &capturemock::http::HttpTest, path: &str) -> (u16, String) {
    let response = ureq::get(&server.url(path))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .expect("GET");
    let status = response.status().as_u16();
    (
        status,
        response.into_body().read_to_string().unwrap_or_default(),
    )
}

#[test]
fn http_for_test_in_each_record_mode() {
    let dir = scratch("for-test-http");
    let service = Counting::start();
    let server = |mode| {
        capturemock::http::for_test()
            .dir(dir.path())
            .name("api::test_hello")
            .record_mode(mode)
            .rc_files(Vec::<&str>::new())
            .upstream(&service.url)
            .start()
    };
    let hits = || service.hits.load(Ordering::SeqCst);
    let mock = dir.join("api/hello.mock");
    let new = dir.join("api/hello.mock.new");
    // once: recorded, then replayed.
    let s = server(RecordMode::Once);
    assert_eq!(get(&s, "/a"), (200, "hi /a".to_string()));
    s.finish().unwrap();
    assert_eq!(hits(), 1);
    let recorded = read(&mock).unwrap();
    let s = server(RecordMode::Once);
    assert_eq!(get(&s, "/a"), (200, "hi /a".to_string()));
    s.finish().unwrap();
    assert_eq!(hits(), 1);
    // new: /a replayed, /b forwarded and proposed beside the mock.
    let s = server(RecordMode::New);
    assert_eq!(get(&s, "/a").0, 200);
    assert_eq!(get(&s, "/b"), (200, "hi /b".to_string()));
    s.finish().unwrap();
    assert_eq!(hits(), 2);
    assert_eq!(read(&mock).unwrap(), recorded);
    let proposed = read(&new).unwrap();
    assert!(
        proposed.contains("GET /a") && proposed.contains("GET /b"),
        "{proposed}"
    );
    // all: forwarded again; the same as the mock, so the proposal goes.
    let s = server(RecordMode::All);
    assert_eq!(get(&s, "/a").0, 200);
    s.finish().unwrap();
    assert_eq!(hits(), 3);
    assert!(read(&new).is_none());
    // none: /a replayed, /b refused without reaching the service, and the test fails.
    let s = server(RecordMode::None);
    assert_eq!(get(&s, "/a").0, 200);
    assert_eq!(get(&s, "/b").0, 501);
    assert!(s.finish().is_err());
    assert_eq!(hits(), 3, "the service was never reached");
    assert_eq!(read(&mock).unwrap(), recorded);
}
