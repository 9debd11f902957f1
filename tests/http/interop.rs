//! The reference and our binary record the same client session into identical files, and
//! each replays the other's file with the service gone.

use super::{bytes, reference_available, setup, Upstream};
use crate::server::harness::{ours_with_env, reference_with_env, Run};

/// Runs one of the two tools (`ours_with_env` or `reference_with_env`).
type Tool = fn(&std::path::Path, &[&str], &[(&str, &str)]) -> Run;

/// Records the session through `tool` into `record`, with the upstream posted to
/// setServerLocation by the session itself.
fn record(tool: Tool, dir: &std::path::Path, upstream: &str, record: &str) -> Run {
    let run = tool(
        dir,
        &["-m", "1", "-r", record, "-R", "http.rc", "sh", "session.sh"],
        &[("UPSTREAM", upstream)],
    );
    assert_eq!(run.status, Some(0), "record run failed: {run:?}");
    run
}

/// Replays `file` through `tool` (no upstream exists: the session posts none), recording to
/// `again`.
fn replay(tool: Tool, dir: &std::path::Path, file: &str, again: &str) -> Run {
    let run = tool(
        dir,
        &["-p", file, "-r", again, "-R", "http.rc", "sh", "session.sh"],
        &[("UPSTREAM", "")],
    );
    assert_eq!(run.status, Some(0), "replay run failed: {run:?}");
    run
}

#[test]
fn both_record_the_same_session_into_identical_files_and_replay_each_others() {
    if !reference_available() {
        return;
    }
    // The session's Set-Cookie values would be recorded as <secret>; the reference writes
    // them in the clear.
    let dir = setup("interop", "redact_secrets = false\n");
    let recorded = {
        let upstream = Upstream::start();
        let theirs = record(reference_with_env, &dir, &upstream.url, "reference.mock");
        let ours = record(ours_with_env, &dir, &upstream.url, "ours.mock");
        assert_eq!(
            ours.stdout, theirs.stdout,
            "the clients saw different responses"
        );
        ours.stdout
    };
    let reference_file = bytes(&dir, "reference.mock");
    assert_eq!(
        String::from_utf8_lossy(&bytes(&dir, "ours.mock")),
        String::from_utf8_lossy(&reference_file),
        "record files differ"
    );
    assert!(reference_file.starts_with(
        b"<-CLI:GET /hello?x=1&y=two%20words\n--HEA:Accept=*/*\n--HEA:X-Trace=t1\n->SRV:200 hello"
    ));

    // The service is gone: each replays the other's file.
    let ours = replay(ours_with_env, &dir, "reference.mock", "ours-again.mock");
    assert_eq!(
        bytes(&dir, "ours-again.mock"),
        reference_file,
        "our replay drifted"
    );
    // Byte for byte, apart from the CRLF the service echoed, which the record holds as LF.
    assert_eq!(ours.stdout, recorded.replacen("line2\r\n", "line2\n", 1));
    let theirs = replay(
        reference_with_env,
        &dir,
        "ours.mock",
        "reference-again.mock",
    );
    assert_eq!(
        bytes(&dir, "reference-again.mock"),
        reference_file,
        "the reference's replay drifted"
    );
    // The reference sends every LF as CRLF.
    assert!(
        theirs.stdout.contains("{\r\n  \"a\": 1,"),
        "{}",
        theirs.stdout
    );
}

/// A client that polls: GET /status twice, POST /work, GET /status three times, printing
/// each response body on a line.
const POLLING: &str = r#"
import sys, urllib.request
base = sys.argv[1]
for method, path in [("GET", "/status"), ("GET", "/status"), ("POST", "/work"), ("GET", "/status"), ("GET", "/status"), ("GET", "/status")]:
    data = b"" if method == "POST" else None
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data, method=method)) as r:
        print(r.read().decode())
"#;

#[test]
fn check_repeated_calls_off_answers_repeats_alike_in_both() {
    if !reference_available() {
        return;
    }
    let dir = setup("repeats", "[GET]\ncheck_repeated_calls = false\n");
    crate::server::harness::write(&dir, "poll.py", POLLING);
    let recorded = "<-CLI:GET /status\n->SRV:200 busy\n<-CLI:GET /status\n->SRV:200 done\n\
                    <-CLI:POST /work \n->SRV:200 started\n<-CLI:GET /status\n->SRV:200 after\n";
    crate::server::harness::write(&dir, "poll.mock", recorded);
    let args = |again: &'static str| -> Vec<&'static str> {
        vec![
            "-p",
            "poll.mock",
            "-r",
            again,
            "-R",
            "http.rc",
            "sh",
            "-c",
            "python3 poll.py \"$CAPTUREMOCK_SERVER\"",
        ]
    };
    let theirs = reference_with_env(&dir, &args("theirs.mock"), &[]);
    let ours = ours_with_env(&dir, &args("ours.mock"), &[]);
    assert_eq!(theirs.status, Some(0), "{theirs:?}");
    assert_eq!(ours.status, Some(0), "{ours:?}");
    assert_eq!(ours.stdout, theirs.stdout);
    // The repeats get the same answer: busy, busy; then after the POST, the next one.
    assert_eq!(
        ours.stdout.lines().collect::<Vec<_>>(),
        ["busy", "busy", "started", "done", "done", "done"]
    );
    assert_eq!(bytes(&dir, "ours.mock"), bytes(&dir, "theirs.mock"));
}

/// Uploads a file in a multipart form with a fixed boundary, then downloads an attachment;
/// prints what the service said and the bytes downloaded.
const FILES: &str = r#"
import sys, urllib.request
base = sys.argv[1]
body = (b"--b0undary\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
        b"--b0undary\r\nContent-Disposition: form-data; name=\"up\"; filename=\"data.bin\"\r\n"
        b"Content-Type: application/octet-stream\r\n\r\n\x00\x01\x02\r\nmore\r\n--b0undary--\r\n")
request = urllib.request.Request(base + "/upload", data=body, method="POST",
                                 headers={"Content-Type": "multipart/form-data; boundary=b0undary"})
with urllib.request.urlopen(request) as r:
    print(r.read().decode())
with urllib.request.urlopen(base + "/download") as r:
    print(r.read())
"#;

#[test]
fn uploaded_and_downloaded_files_go_through_the_edit_directories_alike() {
    if !reference_available() {
        return;
    }
    let dir = setup("files", "");
    crate::server::harness::write(&dir, "files.py", FILES);
    let program = ["sh", "-c", "python3 files.py \"$CAPTUREMOCK_SERVER\""];
    let run = |tool: Tool, args: &[&str]| {
        let all: Vec<&str> = args
            .iter()
            .chain(&["-R", "http.rc"])
            .chain(&program)
            .copied()
            .collect();
        let run = tool(&dir, &all, &[]);
        assert_eq!(run.status, Some(0), "{run:?}");
        run
    };
    let upstream = Upstream::start();
    // The reference has no --upstream: the location is posted to setServerLocation.
    crate::server::harness::write(
        &dir,
        "files.sh",
        &format!("set -e\npython3 -c \"import urllib.request,os; urllib.request.urlopen(urllib.request.Request(os.environ['CAPTUREMOCK_SERVER'] + '/capturemock/setServerLocation', data=b'{}', method='POST')).read()\"\npython3 files.py \"$CAPTUREMOCK_SERVER\"\n", upstream.url),
    );
    let record = |tool: Tool, file: &str, edits: &str| {
        let run = tool(
            &dir,
            &[
                "-m", "1", "-r", file, "-F", edits, "-R", "http.rc", "sh", "files.sh",
            ],
            &[],
        );
        assert_eq!(run.status, Some(0), "{run:?}");
        run
    };
    let theirs = record(reference_with_env, "theirs.mock", "theirs-files");
    let ours = record(ours_with_env, "ours.mock", "ours-files");
    drop(upstream);
    assert_eq!(ours.stdout, theirs.stdout);
    assert_eq!(
        String::from_utf8_lossy(&bytes(&dir, "ours.mock")),
        String::from_utf8_lossy(&bytes(&dir, "theirs.mock"))
    );
    for name in ["data.bin", "report.csv"] {
        assert_eq!(
            bytes(&dir, &format!("ours-files/{name}")),
            bytes(&dir, &format!("theirs-files/{name}")),
            "{name}"
        );
    }
    let recorded = String::from_utf8(bytes(&dir, "ours.mock")).unwrap();
    assert!(
        recorded.contains("<File Contents for data.bin>")
            && recorded.contains("->SRV:200 <File Contents for report.csv>"),
        "{recorded}"
    );

    // Each replays the other's record and files, with the service gone.
    let ours_again = run(
        ours_with_env,
        &[
            "-p",
            "theirs.mock",
            "-f",
            "theirs-files",
            "-r",
            "ours-again.mock",
        ],
    );
    assert_eq!(ours_again.stdout, ours.stdout);
    assert_eq!(bytes(&dir, "ours-again.mock"), bytes(&dir, "theirs.mock"));
    // The reference needs -F in replay too: it stores the upload again, and crashes without.
    let theirs_again = run(
        reference_with_env,
        &[
            "-p",
            "ours.mock",
            "-f",
            "ours-files",
            "-F",
            "again-files",
            "-r",
            "theirs-again.mock",
        ],
    );
    assert_eq!(theirs_again.stdout, ours.stdout);
    assert_eq!(bytes(&dir, "theirs-again.mock"), bytes(&dir, "theirs.mock"));
}
