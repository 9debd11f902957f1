//! Malformed input: calls that are no XML-RPC, among good calls from many clients at once,
//! and a record entry that is no Python literal in a replay. Each gets a clear fault, the
//! server keeps serving, and every good exchange is recorded.

use super::{read, setup, upstream, RC};
use crate::server::harness::{ours_with_env, write};

#[test]
fn malformed_calls_among_many_clients_get_faults_and_lose_nothing() {
    let dir = setup("bad-calls", RC);
    write(&dir, "bad.py", include_str!("bad.py"));
    let real = upstream(&dir);
    let script = format!(
        "import xmlrpc.client, os\nxmlrpc.client.ServerProxy(os.environ['CAPTUREMOCK_SERVER']).setServerLocation({:?})\nexec(open('bad.py').read())",
        real.url
    );
    write(&dir, "run.py", &script);
    let run = ours_with_env(
        &dir,
        &[
            "-m",
            "1",
            "-r",
            "bad.mock",
            "-R",
            "xmlrpc.rc",
            "python3",
            "run.py",
        ],
        &[],
    );
    assert_eq!(run.status, Some(0), "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    let expected_bad = [
        "0 bad -> 200 FAULT -32700 capturemock",
        "1 bad -> 200 FAULT -32700 capturemock",
        "2 bad -> 200 FAULT -32700 capturemock",
        "3 bad -> 200 FAULT -32600 capturemock",
        "4 bad -> 200 FAULT -32600 capturemock",
        "5 bad -> 200 FAULT -32600 capturemock",
        "6 bad -> 200 FAULT -32700 capturemock",
        "7 bad -> 200 FAULT -32700 capturemock",
    ];
    for (i, bad) in expected_bad.iter().enumerate() {
        assert!(lines.contains(bad), "{bad:?} not in {lines:#?}");
        for j in 0..5 {
            let good = format!("{i} pow({i}, {j}) -> {}", (i as i64).pow(j));
            assert!(lines.contains(&good.as_str()), "{good:?} not in {lines:#?}");
        }
        let binary = format!("{i} binary -> FAULT -32602 capturemock: argument 1 is a binary that is not UTF-8 text (byte 0), which the reference cannot read");
        assert!(
            lines.contains(&binary.as_str()),
            "{binary:?} not in {lines:#?}"
        );
    }
    assert_eq!(lines.len(), 8 * 7);
    // Every good exchange is in the record, its result right after it; nothing else is.
    let record = read(&dir, "bad.mock");
    let entries: Vec<&str> = record.lines().collect();
    assert_eq!(entries.len(), 8 * 5 * 2, "{record}");
    for pair in entries.chunks(2) {
        let (i, j) = pair[0]
            .strip_prefix("<-CLI:pow(")
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|args| args.split_once(", "))
            .unwrap_or_else(|| panic!("{pair:?}"));
        let (i, j): (i64, u32) = (i.parse().unwrap(), j.parse().unwrap());
        assert_eq!(pair[1], format!("->SRV:{}", i.pow(j)));
    }
    assert!(
        run.stderr
            .contains("refused a request that is no XML-RPC call"),
        "{}",
        run.stderr
    );
}

/// Calls one recorded result that cannot be read, then others.
const REPLAY: &str = r#"
import os, urllib.request, xmlrpc.client
proxy = xmlrpc.client.ServerProxy(os.environ["CAPTUREMOCK_SERVER"])
for name, args in [("pow", (2, 3)), ("when", ()), ("pow", (3, 2)), ("unknown", (1,)), ("huge", ()), ("none", ())]:
    try:
        print(name, "->", repr(getattr(proxy, name)(*args)))
    except xmlrpc.client.Fault as f:
        print(name, "FAULT", f.faultCode, f.faultString.splitlines()[0])
for path, data in [("/", None), ("/other", xmlrpc.client.dumps((2, 3), "pow").encode())]:
    try:
        urllib.request.urlopen(os.environ["CAPTUREMOCK_SERVER"] + path, data=data)
    except urllib.error.HTTPError as e:
        print("GET" if data is None else "POST", path, e.code)
"#;

#[test]
fn an_unreadable_recorded_result_is_a_fault_and_the_replay_goes_on() {
    let dir = setup("bad-record", RC);
    write(&dir, "replay.py", REPLAY);
    let recorded = "<-CLI:pow(2, 3)\n->SRV:8\n<-CLI:when()\n->SRV:<DateTime '20200102T03:04:05' at 0x7f1d11e655d0>\n\
                    <-CLI:pow(3, 2)\n->SRV:9\n<-CLI:huge()\n->SRV:1099511627776\n<-CLI:none()\n->SRV:[1, None]\n";
    write(&dir, "recorded.mock", recorded);
    let run = ours_with_env(
        &dir,
        &[
            "-m",
            "0",
            "-p",
            "recorded.mock",
            "-r",
            "again.mock",
            "-R",
            "xmlrpc.rc",
            "python3",
            "replay.py",
        ],
        &[],
    );
    assert_eq!(
        run.stdout,
        "pow -> 8\n\
         when FAULT -32400 capturemock: the recorded result cannot be read: \"<DateTime '20200102T03:04:05' at 0x7f1d11e655d0>\": expected a Python literal at byte 0\n\
         pow -> 9\n\
         unknown FAULT -32400 capturemock: no recorded call answers this one\n\
         huge FAULT 1 <class 'OverflowError'>:int exceeds XML-RPC limits\n\
         none FAULT 1 <class 'TypeError'>:cannot marshal None unless allow_none is enabled\n\
         GET / 501\n\
         POST /other 404\n",
        "{run:?}"
    );
    // The reference stops writing its record at the first failure (spec pitfall 1); here
    // every exchange is there, the unreadable one as recorded.
    let (before, after) = recorded.split_at(recorded.find("<-CLI:huge").expect("huge"));
    assert_eq!(
        read(&dir, "again.mock"),
        format!("{before}<-CLI:unknown(1)\n{after}")
    );
}
