//! The Rust test API, `capturemock::http::for_test()`, with the clients Rust tests use:
//! reqwest (async), ureq (blocking) and hyper's own client. Each records from a real service,
//! then replays with the service gone, and a drifted replay fails.

use std::path::Path;

use capturemock::capture::{CaptureError, Mode};
use capturemock::http::{for_test, HttpTest};

use super::Upstream;
use crate::server::harness::scratch;

/// The test server for `name` in `dir`, in `mode`, recording from `upstream` if given.
fn server(dir: &Path, name: &str, mode: Mode, upstream: Option<&str>) -> HttpTest {
    let mut builder = for_test()
        .dir(dir)
        .name(name)
        .mode(mode)
        .rc_files(Vec::<&str>::new());
    if let Some(upstream) = upstream {
        builder = builder.upstream(upstream);
    }
    builder.start()
}

/// GETs /hello and POSTs JSON with reqwest; returns what came back.
async fn reqwest_session(server: &HttpTest) -> (String, String) {
    let client = reqwest::Client::new();
    let hello = client
        .get(server.url("/hello?from=reqwest"))
        .send()
        .await
        .expect("GET");
    assert_eq!(hello.status(), 200);
    let hello = hello.text().await.expect("body");
    let echoed = client
        .post(server.url("/echo"))
        .header("Content-Type", "application/json")
        .body(r#"{"b": 2, "a": 1}"#)
        .send()
        .await
        .expect("POST")
        .text()
        .await
        .expect("body");
    (hello, echoed)
}

#[tokio::test(flavor = "multi_thread")]
async fn reqwest_records_then_replays_without_the_service() {
    let dir = scratch("http-api-reqwest");
    let upstream = Upstream::start();
    let recording = server(&dir, "api::weather", Mode::Record, Some(&upstream.url));
    let recorded = reqwest_session(&recording).await;
    recording.finish().expect("record");
    drop(upstream);
    let mock = std::fs::read_to_string(dir.join("api/weather.mock")).expect("mock file");
    assert!(
        mock.starts_with("<-CLI:GET /hello?from=reqwest\n"),
        "{mock}"
    );
    assert_eq!(recorded.0, "hello /hello?from=reqwest");

    let replaying = server(&dir, "api::weather", Mode::Replay, None);
    assert_eq!(reqwest_session(&replaying).await, recorded);
    replaying.finish().expect("no drift");
}

#[test]
fn ureq_and_hyper_replay_and_a_drifted_run_fails_with_a_diff() {
    let dir = scratch("http-api-sync");
    let upstream = Upstream::start();
    let recording = server(&dir, "sync_test", Mode::Record, Some(&upstream.url));
    let body = ureq::get(&recording.url("/json"))
        .call()
        .expect("GET")
        .into_body()
        .read_to_string()
        .expect("body");
    assert!(body.contains("\"a\": 1"), "{body}");
    recording.finish().expect("record");
    drop(upstream);

    // ureq, blocking.
    let replaying = server(&dir, "sync_test", Mode::Replay, None);
    let again = ureq::get(&replaying.url("/json"))
        .call()
        .expect("GET")
        .into_body()
        .read_to_string()
        .expect("body");
    assert_eq!(again, body);
    replaying.finish().expect("no drift");

    // hyper's client, on a runtime of its own.
    let replaying = server(&dir, "sync_test", Mode::Replay, None);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let again = runtime.block_on(async {
        use http_body_util::BodyExt;
        let address = replaying
            .base_url()
            .trim_start_matches("http://")
            .to_string();
        let stream = tokio::net::TcpStream::connect(&address)
            .await
            .expect("connect");
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .expect("handshake");
        tokio::spawn(connection);
        let request = hyper::Request::get("/json")
            .header("Host", address)
            .header("accept", "*/*")
            .body(http_body_util::Empty::<hyper::body::Bytes>::new())
            .expect("request");
        let response = sender.send_request(request).await.expect("send");
        String::from_utf8(
            response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes()
                .to_vec(),
        )
        .expect("UTF-8")
    });
    assert_eq!(again, body);
    replaying.finish().expect("no drift");

    // A request the recording does not have: answered 501, and the test's end reports drift.
    let replaying = server(&dir, "sync_test", Mode::Replay, None);
    match ureq::get(&replaying.url("/json?extra=1")).call() {
        Err(ureq::Error::StatusCode(code)) => assert_eq!(code, 200, "nearest answers"),
        Ok(response) => assert_eq!(response.status(), 200),
        Err(e) => panic!("{e}"),
    }
    match replaying.finish() {
        Err(CaptureError::Drift { diff, .. }) => {
            assert!(diff.contains("+<-CLI:GET /json?extra=1"), "{diff}")
        }
        other => panic!("expected drift, got {other:?}"),
    }
}

#[test]
fn record_mode_without_an_upstream_is_refused_at_start() {
    let dir = scratch("http-api-no-upstream");
    let error = for_test()
        .dir(dir.path())
        .name("nothing")
        .rc_files(Vec::<&str>::new())
        .try_start()
        .unwrap_err();
    assert!(matches!(error, CaptureError::NoUpstream { .. }), "{error}");
    assert!(error.to_string().contains(".upstream("), "{error}");
}

#[test]
fn a_client_that_insists_on_https_gets_it() {
    let dir = scratch("http-api-tls");
    std::fs::write(
        dir.join("secure.mock"),
        "<-CLI:GET /status\n--HEA:Accept=*/*\n->SRV:200 all good\n",
    )
    .expect("mock");
    let server = for_test()
        .dir(dir.path())
        .name("secure")
        .rc_files(Vec::<&str>::new())
        .tls()
        .start();
    assert!(
        server.base_url().starts_with("https://127.0.0.1:"),
        "{}",
        server.base_url()
    );
    let pem = server.certificate_pem().expect("a certificate");
    // The tests' reqwest has no TLS stack: curl, trusting only that certificate.
    std::fs::write(dir.join("ca.pem"), pem).expect("ca");
    let output = std::process::Command::new("curl")
        .args(["-sS", "-f", "--cacert"])
        .arg(dir.join("ca.pem"))
        .arg(server.url("/status"))
        .output()
        .expect("curl");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.stdout, b"all good");
    server.finish().expect("no drift");
}
