//! Secrets never reach a record file: a session that sends credentials in headers, the query,
//! a form and JSON, and gets a token and a cookie back, is recorded; no file the run wrote
//! holds any of them, and a replay with other credentials still matches exactly.
//!
//! Every secret value here contains `S3CR3T`; `scripts/test-all.sh` also greps every record
//! file the test suite wrote for it.

use super::{setup, Upstream};
use crate::server::harness::{ours_with_env, read, write};

/// Logs in and calls the service with the credentials in `$KEY` and `$PASSWORD`.
const SESSION: &str = r#"
import json, os, sys, urllib.request
base, key, password = os.environ["CAPTUREMOCK_SERVER"], os.environ["KEY"], os.environ["PASSWORD"]
def call(path, data=None, headers={}):
    request = urllib.request.Request(base + path, data=data, headers=headers, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(request) as r:
        return r.read().decode()
token = json.loads(call("/login", json.dumps({"user": "me", "password": password}).encode(),
                        {"Content-Type": "application/json"}))["access_token"]
print(call("/me?api_key=" + key + "&page=2", headers={"Authorization": "Bearer " + token, "X-Api-Key": key,
                                                      "Cookie": "sid=" + key}))
print(call("/form", ("user=me&password=" + password).encode()))
"#;

#[test]
fn no_record_file_holds_a_secret_and_replay_still_matches_exactly() {
    let dir = setup("secrets", "");
    write(&dir, "session.py", SESSION);
    let program = ["python3", "session.py"];
    let upstream = Upstream::start();
    let args: Vec<&str> = [
        "-m",
        "1",
        "-r",
        "secrets.mock",
        "-F",
        "files",
        "-R",
        "http.rc",
        "--upstream",
        &upstream.url,
    ]
    .into_iter()
    .chain(program)
    .collect();
    let recorded = ours_with_env(
        &dir,
        &args,
        &[("KEY", "S3CR3T-key"), ("PASSWORD", "S3CR3T-pw")],
    );
    assert_eq!(recorded.status, Some(0), "{recorded:?}");
    drop(upstream);
    let file = read(&dir, "secrets.mock").expect("record file");
    for line in file.lines() {
        assert!(
            !line.contains("S3CR3T"),
            "a secret reached the record: {line}"
        );
    }
    assert!(
        file.contains("--HEA:Authorization=Bearer <secret>"),
        "{file}"
    );
    assert!(
        file.contains("<-CLI:GET /me?api_key=<secret>&page=2"),
        "{file}"
    );
    assert!(file.contains("\"access_token\": \"<secret>\""), "{file}");
    assert!(file.contains("--HEA:Set-Cookie=<secret>"), "{file}");
    assert!(file.contains("user=me&password=<secret>"), "{file}");

    // Other credentials, no service: every request still has its exact recording, so the
    // replay's record is the recording itself.
    // -v: a near miss would show on stderr.
    let args: Vec<&str> = [
        "-v",
        "-p",
        "secrets.mock",
        "-r",
        "again.mock",
        "-R",
        "http.rc",
    ]
    .into_iter()
    .chain(program)
    .collect();
    let replayed = ours_with_env(
        &dir,
        &args,
        &[("KEY", "S3CR3T-other"), ("PASSWORD", "S3CR3T-other-pw")],
    );
    assert_eq!(replayed.status, Some(0), "{replayed:?}");
    assert!(
        !replayed.stderr.contains("no exact match"),
        "{}",
        replayed.stderr
    );
    assert_eq!(read(&dir, "again.mock").as_deref(), Some(file.as_str()));
}
