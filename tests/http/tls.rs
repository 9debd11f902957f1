//! HTTPS both ways: an upstream that only speaks TLS (Python's http.server with a certificate
//! made by rcgen) recorded through the proxy, and the proxy serving TLS itself to curl.

use super::{setup, Upstream};
use crate::server::harness::{ours_with_env, read, write};

/// The upstream service of `upstream.py`, behind TLS with `cert.pem` / `key.pem` of `dir`.
const TLS_UPSTREAM: &str = r#"
import ssl, sys, runpy
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
import http.server
original = http.server.HTTPServer.server_bind
def server_bind(self):
    original(self)
    self.socket = context.wrap_socket(self.socket, server_side=True)
http.server.HTTPServer.server_bind = server_bind
sys.argv = ["upstream.py"]
exec(compile(open("upstream.py").read(), "upstream.py", "exec"))
"#;

/// A self-signed certificate for 127.0.0.1 and localhost, as `cert.pem` and `key.pem`.
fn certificate(dir: &std::path::Path) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("certificate");
    write(dir, "cert.pem", &certified.cert.pem());
    write(dir, "key.pem", &certified.key_pair.serialize_pem());
}

#[test]
fn an_https_upstream_is_recorded_and_replayed_without_it() {
    let dir = setup("tls-upstream", "");
    certificate(&dir);
    write(&dir, "upstream.py", include_str!("upstream.py"));
    write(&dir, "tls_upstream.py", TLS_UPSTREAM);
    let upstream = Upstream::start_with(&dir, &["tls_upstream.py", "cert.pem", "key.pem"]);
    let url = upstream.url.replace("http://", "https://");
    let session = "curl -sS -f \"$CAPTUREMOCK_SERVER/json\"; curl -sS -f \"$CAPTUREMOCK_SERVER/hello?secure=1\"";
    let recorded = ours_with_env(
        &dir,
        &[
            "-m",
            "1",
            "-r",
            "tls.mock",
            "-R",
            "http.rc",
            "--upstream",
            &url,
            "--upstream-ca",
            "cert.pem",
            "sh",
            "-c",
            session,
        ],
        &[],
    );
    assert_eq!(recorded.status, Some(0), "{recorded:?}");
    assert!(
        recorded.stdout.contains("hello /hello?secure=1"),
        "{recorded:?}"
    );
    drop(upstream);
    let file = read(&dir, "tls.mock").expect("record file");
    assert!(file.contains("<-CLI:GET /hello?secure=1\n"), "{file}");

    // Without the CA, the upstream's certificate is refused, with the reason.
    let upstream = Upstream::start_with(&dir, &["tls_upstream.py", "cert.pem", "key.pem"]);
    let untrusted = ours_with_env(
        &dir,
        &[
            "-m",
            "1",
            "-r",
            "untrusted.mock",
            "-R",
            "http.rc",
            "--upstream",
            &upstream.url.replace("http://", "https://"),
            "sh",
            "-c",
            "curl -sS \"$CAPTUREMOCK_SERVER/json\"",
        ],
        &[],
    );
    assert!(
        untrusted
            .stdout
            .contains("TLS handshake with 127.0.0.1 failed"),
        "{untrusted:?}"
    );
    drop(upstream);

    let replayed = ours_with_env(
        &dir,
        &[
            "-p",
            "tls.mock",
            "-r",
            "again.mock",
            "-R",
            "http.rc",
            "sh",
            "-c",
            session,
        ],
        &[],
    );
    assert_eq!(replayed.status, Some(0), "{replayed:?}");
    assert_eq!(replayed.stdout, recorded.stdout);
    assert_eq!(read(&dir, "again.mock").as_deref(), Some(file.as_str()));
}

#[test]
fn the_proxy_serves_https_with_a_certificate_the_program_is_told_to_trust() {
    let dir = setup("tls-serving", "");
    write(
        &dir,
        "api.mock",
        "<-CLI:GET /status\n--HEA:Accept=*/*\n->SRV:200 all good\n",
    );
    let session = "case \"$CAPTUREMOCK_SERVER\" in https://*) ;; *) exit 3;; esac; \
                   echo \"$CAPTUREMOCK_SERVER_CA\" > ca-path; \
                   curl -sS -f --cacert \"$CAPTUREMOCK_SERVER_CA\" \"$CAPTUREMOCK_SERVER/status\"";
    let run = ours_with_env(
        &dir,
        &[
            "-p",
            "api.mock",
            "-r",
            "again.mock",
            "-R",
            "http.rc",
            "--tls",
            "sh",
            "-c",
            session,
        ],
        &[],
    );
    assert_eq!(run.status, Some(0), "{run:?}");
    assert_eq!(run.stdout, "all good");
    assert_eq!(read(&dir, "again.mock"), read(&dir, "api.mock"));
    // The certificate is good only while that server ran: it is not left behind.
    let ca = read(&dir, "ca-path").expect("the program saw CAPTUREMOCK_SERVER_CA");
    let ca = std::path::Path::new(ca.trim_end());
    assert!(ca.is_absolute(), "{ca:?}");
    assert!(!ca.exists(), "{} left behind", ca.display());
}
