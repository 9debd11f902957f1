//! Malformed messages: each is a clear error in the log, nothing is recorded for it, what
//! came before it is recorded, and the connection is closed.

use super::{tcp_scratch, RealServer};
use crate::server::harness::{ours, read};

#[test]
fn a_malformed_message_is_an_error_and_what_came_before_is_recorded() {
    let dir = tcp_scratch("bad-input");
    let server = RealServer::start(&dir, "simple_server.py");
    for (kind, error) in [
        ("short", "header bytes 52455103000000"),
        ("huge", "over the limit"),
        ("truncated", "message ended early"),
    ] {
        let record = format!("{kind}.mock");
        let run = ours(
            &dir,
            &[
                "--max-message-size",
                "1000000",
                "-m",
                "1",
                "-r",
                &record,
                "-R",
                "simple.rc",
                "python3",
                "bad_client.py",
                &server.address,
                kind,
            ],
        );
        assert!(
            run.stdout.contains("closed"),
            "{kind}: {}\n{}",
            run.stdout,
            run.stderr
        );
        assert!(
            run.stderr
                .contains("tcp_header: closed the connection from")
                && run.stderr.contains(error),
            "{kind}: {}",
            run.stderr
        );
        let recorded = read(&dir, &record).expect("record file");
        assert!(
            recorded.starts_with(
                "<-CLI:REQ {}\n{'request_id': 1, 'name': 'temp', 'mode': 'Auto'}\n->SRV:RSP"
            ),
            "{kind}: {recorded}"
        );
        assert!(
            recorded.ends_with("{'request_id': 1, 'text': 'tick 1'}\n"),
            "{kind}: {recorded}"
        );
        assert_eq!(recorded.matches("<-CLI:").count(), 1, "{kind}: {recorded}");
    }
    server.stop();
}
