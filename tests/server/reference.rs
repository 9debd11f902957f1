//! The same clients under our binary and under the reference: identical replies, and record
//! files identical byte for byte wherever we intend them to be.

use super::harness::*;

/// Runs `args` + the client with `messages` under both, in fresh directories holding `files`;
/// asserts identical replies and identical contents of `compare` (missing counts too).
fn same_as_reference(
    name: &str,
    files: &[(&str, &str)],
    args: &[&str],
    messages: &[&str],
    compare: &[&str],
) -> Vec<String> {
    let ours_dir = scratch(&format!("{name}-ours"));
    let ref_dir = scratch(&format!("{name}-ref"));
    for (file, text) in files {
        write(&ours_dir, file, text);
        write(&ref_dir, file, text);
    }
    let argv = with_client(args, messages);
    let mine = ours(&ours_dir, &argv);
    let theirs = reference(&ref_dir, &argv);
    assert_eq!(mine.status, Some(0), "ours: {}", mine.stderr);
    assert_eq!(
        mine.replies(),
        theirs.replies(),
        "replies differ\nours stderr: {}\nreference stderr: {}",
        mine.stderr,
        theirs.stderr
    );
    for file in compare {
        assert_eq!(
            read(&ours_dir, file),
            read(&ref_dir, file),
            "{file} differs (ours first)"
        );
    }
    mine.replies()
}

#[test]
fn custom_client_recording_is_byte_identical() {
    let replies = same_as_reference(
        "custom-record",
        &[],
        &["-m", "1", "-r", "out.mock"],
        &[
            "SUT_CUSTOM:getPrice(ACME):SUT_SEP:12.25  \n \n",
            "SUT_CUSTOM:multi\nline request:SUT_SEP:a:SUT_SEP:dropped",
            "SUT_CUSTOM:",
            "SUT_CUSTOM:no response",
            "SUT_CUSTOM:empty response:SUT_SEP:",
            "SUT_CUSTOM:blank response:SUT_SEP:   ",
            "SUT_CUSTOM:ends in newline:SUT_SEP:line one\nline two\n",
            "SUT_CUSTOM:two newlines:SUT_SEP:x\n\n",
            "classic client text",
            "SUT_CUSTOM:unicode ✓ €:SUT_SEP:ünïcödé",
        ],
        &["out.mock"],
    );
    assert_eq!(replies[0], "12.25");
}

#[test]
fn custom_client_replay_is_byte_identical() {
    let replay = "<-CAL:getPrice(ACME)\n->RET:12.25\n<-CAL:getPrice(ACME)\n->RET:13.50\n\
                  <-CAL:two()\n->RET:first  \n->RET:second\n<-CLI:hello\n->SRV:classic reply  \n\
                  <-CAL:getName(1)\n->RET:one\n<-CAL:getName(22)\n->RET:twenty-two\n";
    let replies = same_as_reference(
        "custom-replay",
        &[("in.mock", replay)],
        &["-m", "0", "-p", "in.mock", "-r", "out.mock"],
        &[
            "SUT_CUSTOM:getPrice(ACME)",
            "SUT_CUSTOM:getPrice(ACME):SUT_SEP:ignored in replay",
            "SUT_CUSTOM:getPrice(ACME)",
            "SUT_CUSTOM:two()",
            "SUT_CUSTOM:getName(23)",
            "SUT_CUSTOM:nothing in common",
            "hello",
            "SUT_CUSTOM:",
        ],
        &["out.mock"],
    );
    assert_eq!(replies[..4], ["12.25", "13.50", "12.25", "firstsecond"]);
}

#[test]
fn alterations_apply_like_the_reference() {
    let rc = "[general]\nalterations = dates,ids\n\n[dates]\nmatch_pattern = \\d{4}-\\d\\d-\\d\\d\nreplacement = <date>\n\n\
              [ids]\nmatch_pattern = id=(\\w+)\nreplacement = id=<\\1>\n";
    same_as_reference(
        "alter-record",
        &[("alter.rc", rc)],
        &["-m", "1", "-r", "out.mock", "-R", "alter.rc"],
        &[
            "SUT_CUSTOM:on 2024-01-02 id=abc:SUT_SEP:done 2025-03-04 id=x",
            "classic 1999-12-31",
        ],
        &["out.mock"],
    );
    same_as_reference(
        "alter-replay",
        &[("alter.rc", rc), ("in.mock", "<-CAL:on <date> id=<abc>\n->RET:at 2020-01-01\n<-CLI:x <date>\n->SRV:srv 2021-02-02\n")],
        &["-m", "0", "-p", "in.mock", "-r", "out.mock", "-R", "alter.rc"],
        &["SUT_CUSTOM:on 2030-05-06 id=abc", "x 2000-01-01"],
        &["out.mock"],
    );
}

#[test]
fn preserved_line_breaks_are_written_like_the_reference() {
    same_as_reference(
        "preserve",
        &[(
            "p.rc",
            "[general]\npreserve_cr = true\npreserve_lf = true\n",
        )],
        &["-m", "1", "-r", "out.mock", "-R", "p.rc"],
        &["SUT_CUSTOM:a\r\nb:SUT_SEP:c\nd\r\n", "classic\r\ntext\n"],
        &["out.mock"],
    );
}

#[test]
fn concurrent_clients_are_recorded_in_accept_order_by_both() {
    let messages: Vec<String> = (1..=8)
        .map(|i| format!("SUT_CUSTOM:call({i}):SUT_SEP:result {i}"))
        .collect();
    let messages: Vec<&str> = messages.iter().map(String::as_str).collect();
    let ours_dir = scratch("concurrent-ours");
    let ref_dir = scratch("concurrent-ref");
    let argv = with_concurrent(&["-m", "1", "-r", "out.mock"], &messages);
    let mine = ours(&ours_dir, &argv);
    let theirs = reference(&ref_dir, &argv);
    assert_eq!(mine.replies(), theirs.replies());
    let expected: String = (1..=8)
        .map(|i| format!("<-CAL:call({i})\n->RET:result {i}\n"))
        .collect();
    assert_eq!(
        read(&ours_dir, "out.mock").as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(
        read(&ref_dir, "out.mock").as_deref(),
        Some(expected.as_str())
    );
}

#[test]
fn classic_traffic_through_an_announced_server_is_byte_identical() {
    for (name, rc) in [
        ("proxy-flip", ""),
        ("proxy-client", "[general]\nrecord_for_client = true\n"),
    ] {
        let server = RealServer::start();
        let announce = format!("SUT_SERVER:listening at {}", server.address);
        same_as_reference(
            name,
            &[("p.rc", rc)],
            &["-m", "1", "-r", "out.mock", "-R", "p.rc"],
            &[&announce, "hello", "again\nwith lines"],
            &["out.mock"],
        );
        server.stop();
    }
}

#[test]
fn a_server_under_test_is_played_its_client_session_like_the_reference() {
    let server = RealServer::start();
    let replay = format!(
        "<-SRV:listening at {0}\n->CLI:hello\n<-SRV:reply to hello\n->CLI:again\n<-SRV:reply to again\n",
        server.address
    );
    let announce = format!("SUT_SERVER:listening at {}", server.address);
    same_as_reference(
        "played-client",
        &[("in.mock", &replay)],
        &["-m", "0", "-p", "in.mock", "-r", "out.mock"],
        &[&announce],
        &["out.mock"],
    );
    server.stop();
}

#[test]
fn timestamps_are_written_where_the_reference_writes_them() {
    let (ours_dir, ref_dir) = (scratch("timestamps-ours"), scratch("timestamps-ref"));
    let rc = "[general]\nrecord_timestamps = true\n";
    let args = ["-m", "1", "-r", "out.mock", "-R", "ts.rc"];
    let messages = [
        "SUT_CUSTOM:a:SUT_SEP:b",
        "classic\ntext",
        "SUT_CUSTOM:c:SUT_SEP:d\n",
    ];
    for dir in [&ours_dir, &ref_dir] {
        write(dir, "ts.rc", rc);
    }
    let mine = ours(&ours_dir, &with_client(&args, &messages));
    let theirs = reference(&ref_dir, &with_client(&args, &messages));
    assert_eq!(mine.replies(), theirs.replies());
    let mask = |text: Option<String>| -> String {
        text.expect("record file")
            .lines()
            .map(|l| {
                if l.starts_with("--TIM:") {
                    "--TIM:<time>"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mine_text = mask(read(&ours_dir, "out.mock"));
    assert_eq!(mine_text, mask(read(&ref_dir, "out.mock")));
    assert_eq!(mine_text.matches("--TIM:").count(), 1, "{mine_text}");
}

#[test]
fn mode_two_answers_from_the_replay_file_like_the_reference() {
    same_as_reference(
        "mode-two",
        &[("in.mock", "<-CAL:old(1)\n->RET:recorded\n")],
        &["-m", "2", "-p", "in.mock", "-r", "out.mock"],
        &[
            "SUT_CUSTOM:old(1):SUT_SEP:live",
            "SUT_CUSTOM:old(2):SUT_SEP:live",
        ],
        &["out.mock"],
    );
}

#[test]
fn an_empty_replay_file_means_recording_like_the_reference() {
    same_as_reference(
        "empty-replay",
        &[("in.mock", "")],
        &["-m", "0", "-p", "in.mock", "-r", "out.mock"],
        &["SUT_CUSTOM:a:SUT_SEP:b"],
        &["out.mock"],
    );
}
