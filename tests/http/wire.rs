//! What our HTTP server does better than the reference's on the wire, with strict raw
//! clients: keep-alive and many clients at once, `Content-Length`, bodies byte for byte,
//! repeated headers, HEAD, redirects passed on, the `0x` escape, and an HTTP status with a
//! reason for every failure, after which recording goes on.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::{setup, Upstream};
use crate::server::harness::{binary, read, write};

/// Our binary with `--server-only`, stopped through `/capturemock/shutdownServer`.
struct Served {
    /// `127.0.0.1:PORT`.
    address: String,
    child: Child,
}

impl Served {
    fn start(dir: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(binary())
            .args(["--server-only", "-R", "http.rc"])
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("capturemock");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("address line");
        let address = line
            .trim()
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("CAPTUREMOCK_SERVER is not a base URL: {line:?}"))
            .to_string();
        Served { address, child }
    }

    fn connect(&self) -> Client {
        let stream = TcpStream::connect(&self.address).expect("connect");
        Client {
            reader: BufReader::new(stream.try_clone().expect("clone")),
            stream,
            host: self.address.clone(),
        }
    }

    /// One request on a connection of its own.
    fn send(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        self.connect().send(method, target, headers, body)
    }

    /// Stops the server as the reference's launcher does; returns its stderr.
    fn stop(mut self) -> String {
        let response = self.send("GET", "/capturemock/shutdownServer", &[], b"");
        assert_eq!(response.status, 200);
        let status = self.child.wait().expect("wait");
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr)
            .expect("stderr");
        assert!(status.success(), "server failed: {stderr}");
        stderr
    }
}

/// A strict keep-alive client: every error fails the test.
struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    host: String,
}

/// A response as read from the wire.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Client {
    fn send(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", self.host);
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || matches!(method, "POST" | "PUT") {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        self.stream.write_all(head.as_bytes()).expect("send head");
        self.stream.write_all(body).expect("send body");
        self.read(method == "HEAD")
    }

    fn read(&mut self, head_only: bool) -> Response {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        assert!(line.starts_with("HTTP/1.1 "), "{line:?}");
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("header line");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("header");
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let length: Option<usize> = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.parse().expect("length"));
        // Every response with a body says how long it is (the reference's do not).
        let length = match length {
            Some(_) if head_only => 0,
            Some(length) => length,
            None if head_only || status == 204 => 0,
            None => panic!("no Content-Length in {headers:?}"),
        };
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("body");
        Response {
            status,
            headers,
            body,
        }
    }
}

/// The requests of the wire tests, recorded from the real service.
fn record_wire_session(dir: &Path) -> String {
    let upstream = Upstream::start();
    let served = Served::start(
        dir,
        &["-m", "1", "-r", "wire.mock", "--upstream", &upstream.url],
    );
    let mut client = served.connect();
    let head = client.send("HEAD", "/hello", &[], b"");
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, vec!["12"])
    );
    let redirect = client.send("GET", "/old", &[], b"");
    assert_eq!(
        (redirect.status, redirect.header("location")),
        (302, vec!["/new"]),
        "redirects are passed on"
    );
    let hexlike = client.send("GET", "/hexlike", &[], b"");
    assert_eq!(hexlike.text(), "0xcafe is hex");
    let cookies = client.send("GET", "/cookies", &[], b"");
    assert_eq!(
        cookies.header("set-cookie"),
        ["a=1", "b=2"],
        "the client gets the real cookies"
    );
    let json = client.send("GET", "/json", &[], b"");
    assert_eq!(json.text(), "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n");
    let binary = client.send(
        "POST",
        "/raw-echo",
        &[("Content-Type", "application/octet-stream")],
        b"\x00\xff\n\r",
    );
    assert_eq!(binary.body, b"\x00\xff\n\r");
    let nothing = client.send("GET", "/nothing", &[], b"");
    assert_eq!((nothing.status, nothing.body.len()), (204, 0));
    // A GET with a body: recorded and forwarded (the reference drops it).
    let query = client.send("GET", "/search", &[], b"{\"q\": 1}");
    assert_eq!(query.text(), "hello /search");
    drop(client);
    served.stop();
    read(dir, "wire.mock").expect("record file")
}

#[test]
fn recorded_responses_replay_with_their_status_headers_and_exact_bytes() {
    let dir = setup("wire", "");
    let recorded = record_wire_session(&dir);
    assert!(recorded.contains("<-CLI:HEAD /hello\n"), "{recorded}");
    assert!(
        recorded.contains(
            "->SRV:302 moved\n--HEA:Content-Type=text/plain; charset=utf-8\n--HEA:Location=/new\n"
        ),
        "{recorded}"
    );
    assert!(
        recorded.contains("->SRV:200 \\0xcafe is hex\n"),
        "the 0x escape: {recorded}"
    );
    assert!(recorded.contains("->SRV:204 \n"), "{recorded}");
    assert!(
        recorded.contains("<-CLI:GET /search {\"q\": 1}\n"),
        "{recorded}"
    );

    // The service is gone; one keep-alive connection replays everything.
    let served = Served::start(&dir, &["-p", "wire.mock", "-r", "again.mock"]);
    let mut client = served.connect();
    let head = client.send("HEAD", "/hello", &[], b"");
    assert_eq!(head.status, 200);
    let redirect = client.send("GET", "/old", &[], b"");
    assert_eq!(
        (
            redirect.status,
            redirect.header("location"),
            redirect.text()
        ),
        (302, vec!["/new"], "moved".into())
    );
    assert_eq!(
        client.send("GET", "/hexlike", &[], b"").text(),
        "0xcafe is hex"
    );
    let cookies = client.send("GET", "/cookies", &[], b"");
    assert_eq!(
        cookies.header("x-tag"),
        ["one", "two"],
        "repeated headers are kept"
    );
    assert_eq!(
        cookies.header("set-cookie"),
        ["<secret>", "<secret>"],
        "cookies are never recorded"
    );
    assert_eq!(cookies.header("access-control-allow-origin"), ["*"]);
    let json = client.send("GET", "/json", &[], b"");
    assert_eq!(
        json.body, b"{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n",
        "no LF becomes CRLF"
    );
    assert_eq!(json.header("content-length"), ["28"]);
    assert_eq!(
        client
            .send(
                "POST",
                "/raw-echo",
                &[("Content-Type", "application/octet-stream")],
                b"\x00\xff\n\r"
            )
            .body,
        b"\x00\xff\n\r"
    );
    assert_eq!(client.send("GET", "/nothing", &[], b"").status, 204);
    assert_eq!(
        client.send("GET", "/search", &[], b"{\"q\": 1}").text(),
        "hello /search"
    );
    drop(client);
    served.stop();
    assert_eq!(
        read(&dir, "again.mock").as_deref(),
        Some(recorded.as_str()),
        "the replay drifted"
    );
}

#[test]
fn many_keep_alive_clients_are_served_at_once_and_an_idle_one_stalls_nobody() {
    let dir = setup("keep-alive", "");
    let mut file = String::new();
    for i in 0..20 {
        file.push_str(&format!(
            "<-CLI:GET /item/{i}\n->SRV:200 item {i}\n--HEA:Content-Type=text/plain\n"
        ));
    }
    write(&dir, "items.mock", &file);
    let served = Served::start(&dir, &["-p", "items.mock"]);
    // Connected, never sends: the reference's single thread would wait for it.
    let idle = TcpStream::connect(&served.address).expect("idle client");
    std::thread::scope(|scope| {
        for _ in 0..32 {
            scope.spawn(|| {
                let mut client = served.connect();
                for round in 0..5 {
                    for i in 0..20 {
                        let response = client.send("GET", &format!("/item/{i}"), &[], b"");
                        assert_eq!(response.status, 200, "round {round}");
                        assert_eq!(response.text(), format!("item {i}"));
                    }
                }
            });
        }
    });
    drop(idle);
    served.stop();
}

#[test]
fn every_failure_is_an_http_status_with_its_reason_and_recording_goes_on() {
    let dir = setup("failures", "");
    write(
        &dir,
        "one.mock",
        "<-CLI:GET /users/7?full=1\n->SRV:200 seven\n<-CLI:GET /broken\n->SRV:OK twice\n",
    );
    let served = Served::start(
        &dir,
        &[
            "-p",
            "one.mock",
            "-r",
            "replayed.mock",
            "--max-message-size",
            "1000",
        ],
    );
    // A recorded response that is no response: 500, with the reason.
    let broken = served.send("GET", "/broken", &[], b"");
    assert_eq!(broken.status, 500);
    assert!(
        broken.text().contains("does not start with a status code"),
        "{}",
        broken.text()
    );
    // A body over the limit: 413, read by every one of many strict clients at once, each still
    // sending (the rest of the body is drained before the connection closes).
    std::thread::scope(|scope| {
        for _ in 0..16 {
            scope.spawn(|| {
                let large = served.send("POST", "/users", &[], &[b'x'; 256 * 1024]);
                assert_eq!(large.status, 413);
                assert!(
                    large.text().contains("larger than 1000 bytes"),
                    "{}",
                    large.text()
                );
            });
        }
    });
    // No word in common: nothing answers, and the body says what was nearest.
    let unmatched = served.send("DELETE", "/zzz", &[], b"");
    assert_eq!(unmatched.status, 501);
    assert!(
        unmatched.text().contains("no recorded request answers"),
        "{}",
        unmatched.text()
    );
    // Malformed HTTP.
    let mut raw = TcpStream::connect(&served.address).expect("connect");
    raw.write_all(b"THIS IS NOT HTTP\r\n\r\n").expect("send");
    let mut reply = String::new();
    raw.read_to_string(&mut reply).expect("read");
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply:?}");
    served.stop();

    // Record mode with no upstream known, then with one that is gone: 502 with the reason,
    // and the exchanges after them are still recorded.
    let served = Served::start(&dir, &["-m", "1", "-r", "failures.mock"]);
    let no_upstream = served.send("GET", "/a", &[], b"");
    assert_eq!(no_upstream.status, 502);
    assert!(
        no_upstream.text().contains("setServerLocation"),
        "{}",
        no_upstream.text()
    );
    assert_eq!(
        served
            .send(
                "POST",
                "/capturemock/setServerLocation",
                &[],
                b"http://127.0.0.1:9"
            )
            .status,
        200
    );
    let gone = served.send("GET", "/b", &[], b"");
    assert_eq!(gone.status, 502);
    assert!(
        gone.text().contains("cannot connect to 127.0.0.1:9"),
        "{}",
        gone.text()
    );
    let upstream = Upstream::start();
    assert_eq!(
        served
            .send(
                "POST",
                "/capturemock/setServerLocation",
                &[],
                upstream.url.as_bytes()
            )
            .status,
        200
    );
    assert_eq!(served.send("GET", "/c", &[], b"").text(), "hello /c");
    let stderr = served.stop();
    assert!(
        stderr.contains("failed to forward HTTP traffic"),
        "{stderr}"
    );
    let recorded = read(&dir, "failures.mock").expect("record file");
    assert!(
        recorded.starts_with("<-CLI:GET /a\n<-CLI:GET /b\n<-CLI:GET /c\n->SRV:200 hello /c\n"),
        "{recorded}"
    );
}

#[test]
fn json_bodies_and_queries_match_whatever_their_order_unless_switched_off() {
    for (canonical, exact) in [("", true), ("canonical_matching = false\n", false)] {
        let dir = setup("canonical", canonical);
        write(
            &dir,
            "api.mock",
            "<-CLI:POST /search?page=2&q=rust {\"filters\": {\"lang\": \"en\", \"year\": 2026}, \"limit\": 10}\n\
             --HEA:Content-Type=application/json\n->SRV:200 found\n",
        );
        let served = Served::start(&dir, &["-v", "-p", "api.mock", "-r", "again.mock"]);
        let response = served.send(
            "POST",
            "/search?q=rust&page=2",
            &[("Content-Type", "application/json")],
            b"{\"limit\":10,\"filters\":{\"year\":2026,\"lang\":\"en\"}}",
        );
        assert_eq!(response.text(), "found");
        let stderr = served.stop();
        assert_eq!(!stderr.contains("no exact match"), exact, "{stderr}");
        let again = read(&dir, "again.mock").expect("record file");
        assert_eq!(again == read(&dir, "api.mock").unwrap(), exact, "{again}");
    }
}
