//! A real OPC UA session: asyncua's client reads a Double from asyncua's server through
//! our binary, which records it; then the session replays with the server gone. The
//! reference records the same session alike, and each tool replays the other's file.

use super::{asyncua_available, tcp_scratch, RealServer};
use crate::server::harness::{ours, read, reference, reference_available, write, Run};

/// What the client prints when the session worked.
const READ_OK: &str = "temperature 21.5";

fn record_args(server: &str) -> Vec<&str> {
    vec![
        "-m",
        "1",
        "-r",
        "out.mock",
        "-R",
        "opcua.rc",
        "python3",
        "opcua_client.py",
        server,
    ]
}

const REPLAY: [&str; 10] = [
    "-m",
    "0",
    "-p",
    "in.mock",
    "-r",
    "again.mock",
    "-R",
    "opcua.rc",
    "python3",
    "opcua_client.py",
];

fn assert_read(run: &Run, who: &str) {
    assert!(
        run.stdout.contains(READ_OK),
        "{who}: the client did not read the value\nstdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
}

/// The record text with what differs from session to session blanked: the client's and
/// server's timestamps, nonces and certificates (long numbers and hex), and our port in the
/// endpoint URL.
fn masked(record: &str) -> String {
    let text = record.replace("127.0.0.1:", "PORT");
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.bytes().all(|b| b.is_ascii_digit());
        if run.len() >= 16 || (digits && run.len() >= 5) {
            out.push('N');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || ('a'..='f').contains(&c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// [`masked`], with the secure channel's and the session token's numbers blanked too: the
/// server numbers its channels and sessions, so a second session has the next ones.
fn masked_channel(record: &str) -> String {
    let mut text = masked(record);
    for key in ["'secure_channel_id': ", "'channel_id': ", "'token': "] {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find(key) {
            out.push_str(&rest[..i + key.len()]);
            rest = rest[i + key.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
            out.push('C');
        }
        out.push_str(rest);
        text = out;
    }
    text
}

/// One server, one session each: ours records it readably and replays it with the server
/// gone; the reference records the same session alike (the files are the same but for what
/// differs from session to session: timestamps, nonces, ports, channel and session numbers);
/// and each tool's replay of the other's file gives the client its value. One test, so that
/// the slow OPC UA server starts once.
#[test]
fn an_asyncua_session_records_and_replays_with_the_server_gone_under_both_tools() {
    if !asyncua_available() {
        return;
    }
    let with_reference = reference_available("the tcp_header OPC UA interop test");
    let (ours_dir, ref_dir) = (tcp_scratch("opcua-ours"), tcp_scratch("opcua-ref"));
    let server = RealServer::start(&ours_dir, "opcua_server.py");
    let run = ours(&ours_dir, &record_args(&server.address));
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_read(&run, "ours recording");
    let theirs = with_reference.then(|| {
        let run = reference(&ref_dir, &record_args(&server.address));
        assert_read(&run, "the reference recording");
        read(&ref_dir, "out.mock").expect("the reference's record file")
    });
    server.stop();
    let recorded = read(&ours_dir, "out.mock").expect("record file");
    for entry in [
        "<-CLI:HEL {}\n{'protocol_version': 0,",
        "->SRV:ACK {}\n{'protocol_version': 0,",
        "'request_type': 'Issue',\n 'security_mode': 'None',",
        "'subtype': 461}",
        "'subtype': 467}",
        "'nodes_to_read': [{'node_encoding': 3, 'node_namespace': 2, 'node_id': 'temperature', 'attribute_id': 13, 'encoding_namespace': 0}]}",
        "'variant_type': 11,\n 'value': 21.5,",
        "'subtype': 473}",
        "<-CLI:CLO {",
    ] {
        assert!(recorded.contains(entry), "{entry:?} not in\n{recorded}");
    }
    assert_eq!(recorded.matches("<-CLI:").count(), 7, "{recorded}");
    assert_eq!(recorded.matches("->SRV:").count(), 6, "{recorded}");

    // Ours replays its own file, the server gone, and records the same session again.
    write(&ours_dir, "in.mock", &recorded);
    let run = ours(&ours_dir, &REPLAY);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_read(&run, "ours replaying");
    let again = read(&ours_dir, "again.mock").expect("replay's record file");
    assert_eq!(masked(&again), masked(&recorded));

    let Some(theirs) = theirs else {
        return;
    };
    assert_eq!(
        masked_channel(&recorded),
        masked_channel(&theirs),
        "record files differ (ours first)"
    );
    write(&ours_dir, "in.mock", &theirs);
    write(&ref_dir, "in.mock", &recorded);
    let run = ours(&ours_dir, &REPLAY);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_read(&run, "ours replaying the reference's file");
    assert_read(
        &reference(&ref_dir, &REPLAY),
        "the reference replaying our file",
    );
}
