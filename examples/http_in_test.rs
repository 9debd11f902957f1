//! A web API in a test. The code under test calls a weather service over HTTP with ureq; its
//! test points it at `capturemock::http::for_test()`, which records the service's answers the
//! first time (to `examples/mocks/http_in_test/tests/forecast_for_paris.mock`), replays them
//! after that without reaching the service, and fails with a diff when the requests drift.
//!
//! ```text
//! cargo test --example http_in_test                      # replay (the mock file exists)
//! CAPTUREMOCK_RECORD_MODE=all cargo test --example http_in_test   # record it again
//!     (a recording that differs goes to its .mock.new: `capturemock review` shows it)
//! cargo run --example http_in_test                       # the same steps, narrated
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use capturemock::capture::Mode;
use capturemock::http::for_test;

/// The code under test: asks the weather service at `base_url` for a city's forecast.
pub fn forecast(base_url: &str, city: &str) -> String {
    ureq::get(format!("{base_url}/forecast?city={city}"))
        .header("Accept", "application/json")
        .call()
        .expect("the weather service answers")
        .into_body()
        .read_to_string()
        .expect("a text answer")
}

/// The real weather service, in miniature: answers every request with a forecast and counts
/// the requests it got.
fn real_service() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let city = line
                .split("city=")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .unwrap_or("?")
                .to_string();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {}
            let body = format!("{{\"city\": \"{city}\", \"sky\": \"rain\", \"high\": 14}}");
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, asked)
}

/// Record, replay and drift, narrated, in a temporary directory.
fn main() {
    let dir = std::env::temp_dir().join(format!("http-in-test-{}", std::process::id()));
    let (service, asked) = real_service();
    let server = |mode| {
        for_test()
            .dir(&dir)
            .name("demo::forecast")
            .mode(mode)
            .upstream(&service)
            .start()
    };

    println!("record: the real service is asked");
    let s = server(Mode::Record);
    println!("  {}", forecast(s.base_url(), "Paris"));
    let file = s.mock_path().to_path_buf();
    s.finish().expect("recorded");
    println!(
        "  {}:\n{}",
        file.display(),
        std::fs::read_to_string(&file).unwrap()
    );

    println!("replay: the recorded answer, the service is left alone");
    let before = asked.load(Ordering::SeqCst);
    let s = server(Mode::Replay);
    println!("  {}", forecast(s.base_url(), "Paris"));
    s.finish().expect("no drift");
    println!(
        "  the service was asked {} more time(s)",
        asked.load(Ordering::SeqCst) - before
    );

    println!("replay after the code changed: the test would fail with this");
    let s = server(Mode::Replay);
    forecast(s.base_url(), "Lyon");
    println!("{}", s.finish().unwrap_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecast_for_paris() {
        let (service, asked) = real_service();
        let server = for_test()
            .dir("examples/mocks/http_in_test")
            .upstream(service)
            .start();
        assert_eq!(
            forecast(server.base_url(), "Paris"),
            r#"{"city": "Paris", "sky": "rain", "high": 14}"#
        );
        if server.mode() == Mode::Replay {
            assert_eq!(
                asked.load(Ordering::SeqCst),
                0,
                "a replay never reaches the service"
            );
        }
    }
}
