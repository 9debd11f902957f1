//! Our binary and the reference on the same UDP sessions: the same record file for the same
//! session, each replaying the other's file with the same replies, and the same replies and
//! record files from a hand-written replay file.

use super::{udp_scratch, with_udp_client, RealUdpServer};
use crate::server::harness::{ours, read, reference, reference_available, write, Run};

/// Runs `messages` under our binary and the reference with `args`, in `dirs` (ours, the
/// reference's); asserts both succeed with the same replies and returns them.
fn both(
    dirs: (&std::path::Path, &std::path::Path),
    args: &[&str],
    messages: &[&str],
) -> Vec<Vec<String>> {
    let argv = with_udp_client(args, messages);
    let mine = ours(dirs.0, &argv);
    let theirs = reference(dirs.1, &argv);
    let replies = |run: &Run, who: &str| -> Vec<Vec<String>> {
        let line = run.stdout.lines().last().unwrap_or_else(|| {
            panic!(
                "{who}: no replies\nstdout: {}\nstderr: {}",
                run.stdout, run.stderr
            )
        });
        serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{who}: {e}: {line}\nstderr: {}", run.stderr))
    };
    assert_eq!(mine.status, Some(0), "ours: {}", mine.stderr);
    let (mine, theirs) = (replies(&mine, "ours"), replies(&theirs, "reference"));
    assert_eq!(mine, theirs, "replies differ (ours first)");
    mine
}

/// One session, recorded by both against the same real server with `record_for_client`:
/// the record files are identical byte for byte. Then each replays the other's file with the
/// same replies, and writes the file it replayed again.
#[test]
fn the_same_client_session_records_byte_identically_and_each_replays_the_others_file() {
    session("client", "record_for_client = true\n");
}

/// The same with the directions flipped by the announcement (a server under test's
/// session, `->CLI` / `<-SRV`): identical record files.
#[test]
fn the_same_flipped_session_records_byte_identically() {
    session("flipped", "");
}

/// Records the session with `rc` under both, and for a client session replays each file
/// under the other.
fn session(name: &str, rc: &str) {
    if !reference_available("the classic_udp interop tests") {
        return;
    }
    let (ours_dir, ref_dir) = (
        udp_scratch(&format!("session-{name}-ours"), rc),
        udp_scratch(&format!("session-{name}-ref"), rc),
    );
    let server = RealUdpServer::start(&ours_dir);
    let announce = format!("0:SUT_SERVER:at {}", server.address);
    let replies = both(
        (&ours_dir, &ref_dir),
        &["-m", "1", "-r", "out.mock", "-R", "udp.rc"],
        &[
            &announce,
            "1:hello",
            "1:  padded twice \n",
            "1:SUT_CUSTOM:getX(1):SUT_SEP:  x1  ",
            "1:multi\nline",
            "0:TERMINATE_SERVER",
            "0:after the end",
        ],
    );
    assert_eq!(
        replies,
        [
            vec![],
            vec!["reply to hello\n"],
            vec!["reply to padded twice\nand more"],
            vec!["  x1"],
            vec!["reply to multi\nline\n"],
            vec![],
            vec![],
        ]
    );
    let recorded = read(&ours_dir, "out.mock").expect("our record file");
    assert_eq!(
        Some(&recorded),
        read(&ref_dir, "out.mock").as_ref(),
        "{name}: record files differ (ours first)"
    );
    let (cli, srv) = if rc.is_empty() {
        ("->CLI", "<-SRV")
    } else {
        ("<-CLI", "->SRV")
    };
    assert!(
        recorded.contains(&format!(
            "{cli}:padded twice\n{srv}:reply to padded twice\nand more\n"
        )),
        "{recorded}"
    );
    if !rc.is_empty() {
        // Each replays the other's recording of the session.
        write(&ours_dir, "in.mock", &read(&ref_dir, "out.mock").unwrap());
        write(&ref_dir, "in.mock", &recorded);
        let replayed = both(
            (&ours_dir, &ref_dir),
            &[
                "-m",
                "0",
                "-p",
                "in.mock",
                "-r",
                "again.mock",
                "-R",
                "udp.rc",
            ],
            &[
                "1:hello",
                "1:padded twice",
                "1:SUT_CUSTOM:getX(1)",
                "1:multi\nline",
            ],
        );
        assert_eq!(
            replayed,
            [
                vec!["reply to hello"],
                vec!["reply to padded twice\nand more"],
                vec!["  x1"],
                vec!["reply to multi\nline"],
            ]
        );
        assert_eq!(read(&ours_dir, "again.mock").as_ref(), Some(&recorded));
        assert_eq!(read(&ref_dir, "again.mock").as_ref(), Some(&recorded));
    }
}

/// A hand-written file under both: a response per datagram (empty ones too), trailing
/// spaces kept, requests stripped, repeats, best match, no match, custom responses.
#[test]
fn a_replay_file_replays_datagram_for_datagram_like_the_reference() {
    if !reference_available("the classic_udp interop tests") {
        return;
    }
    let replay =
        "<-CLI:hello\n->SRV:first\n->SRV:second  \n\n<-CLI:multi\n->SRV:line one\nline two\n\
                  <-CLI:nothing back\n<-CLI:hello\n->SRV:again\n<-CLI:empty\n->SRV:\n\
                  <-CAL:c\n->RET:   \n->RET:x\n";
    let (ours_dir, ref_dir) = (
        udp_scratch("replay-ours", ""),
        udp_scratch("replay-ref", ""),
    );
    for dir in [&ours_dir, &ref_dir] {
        write(dir, "in.mock", replay);
    }
    let replies = both(
        (&ours_dir, &ref_dir),
        &["-m", "0", "-p", "in.mock", "-r", "out.mock", "-R", "udp.rc"],
        &[
            "2:hello",
            "1:\t multi \r\n",
            "0:nothing back",
            "1:hello",
            "2:hello",
            "1:empty",
            "2:SUT_CUSTOM:c",
            "0:nothing  back",
            "0:zzz",
        ],
    );
    assert_eq!(
        replies,
        [
            vec!["first", "second  "],
            vec!["line one\nline two"],
            vec![],
            vec!["again"],
            vec!["first", "second  "],
            vec![""],
            vec!["", "x"],
            vec![],
            vec![],
        ]
    );
    assert_eq!(
        read(&ours_dir, "out.mock"),
        read(&ref_dir, "out.mock"),
        "record files differ (ours first)"
    );
}
