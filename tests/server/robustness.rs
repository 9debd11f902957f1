//! Failures stay with their own exchange: nothing completed is lost, limits give clear errors.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::harness::*;

#[test]
fn a_mismatch_does_not_stop_later_exchanges_being_recorded() {
    let replay = "<-CAL:known()\n->RET:yes\n";
    let rc = "[general]\nuse_exact_matching = true\n";
    let args = [
        "-m", "0", "-p", "in.mock", "-r", "out.mock", "-R", "exact.rc",
    ];
    let messages = [
        "SUT_CUSTOM:known()",
        "SUT_CUSTOM:known(2)",
        "SUT_CUSTOM:known()",
    ];
    let (ours_dir, ref_dir) = (scratch("mismatch-ours"), scratch("mismatch-ref"));
    for dir in [&ours_dir, &ref_dir] {
        write(dir, "in.mock", replay);
        write(dir, "exact.rc", rc);
    }
    // -v: each near miss on stderr as it happens (the reference has no -v).
    let verbose: Vec<&str> = std::iter::once("-v").chain(args).collect();
    let mine = ours(&ours_dir, &with_client(&verbose, &messages));
    let theirs = reference(&ref_dir, &with_client(&args, &messages));
    let mismatch =
        "CAPTUREMOCK MISMATCH: Could not find any replay request matching '<-CAL:known(2)'";
    assert_eq!(mine.replies(), ["yes", mismatch, "yes"]);
    assert_eq!(mine.replies(), theirs.replies());
    // The reference stops writing after the mismatch; we record it and everything after.
    assert_eq!(
        read(&ref_dir, "out.mock").as_deref(),
        Some("<-CAL:known()\n->RET:yes\n")
    );
    assert_eq!(
        read(&ours_dir, "out.mock").as_deref(),
        Some("<-CAL:known()\n->RET:yes\n<-CAL:known(2)\n<-CAL:known()\n->RET:yes\n")
    );
    assert!(
        mine.stderr
            .contains("no exact match for request \"<-CAL:known(2)\""),
        "{}",
        mine.stderr
    );
    assert!(
        mine.stderr.contains("word diff: <-CAL:known {+2+}"),
        "{}",
        mine.stderr
    );
}

#[test]
fn exact_matching_ignores_trailing_white_space_of_a_request() {
    let dir = scratch("exact-trim");
    write(&dir, "in.mock", "<-CAL:known()\n->RET:yes\n");
    write(&dir, "exact.rc", "[general]\nuse_exact_matching = true\n");
    let run = ours(
        &dir,
        &with_client(
            &["-p", "in.mock", "-R", "exact.rc"],
            &["SUT_CUSTOM:known()  \n"],
        ),
    );
    assert_eq!(run.replies(), ["yes"], "{}", run.stderr);
}

#[test]
fn a_request_that_is_not_utf8_is_refused_alone() {
    let dir = scratch("not-utf8");
    // "SUT_CUSTOM:" then an invalid byte.
    let bad = format!(
        "hex:{}ff",
        "SUT_CUSTOM:"
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let run = ours(
        &dir,
        &with_client(
            &["-m", "1", "-r", "out.mock"],
            &["SUT_CUSTOM:a:SUT_SEP:1", &bad, "SUT_CUSTOM:b:SUT_SEP:2"],
        ),
    );
    let replies = run.replies();
    assert_eq!(replies[0], "1");
    assert!(
        replies[1].starts_with("CAPTUREMOCK ERROR: request is not valid UTF-8"),
        "{replies:?}"
    );
    assert_eq!(replies[2], "2");
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CAL:a\n->RET:1\n<-CAL:b\n->RET:2\n")
    );
}

#[test]
fn a_message_over_the_size_limit_is_refused_alone() {
    let dir = scratch("too-large");
    let big = format!("SUT_CUSTOM:{}", "x".repeat(200));
    let run = ours(
        &dir,
        &with_client(
            &["-m", "1", "-r", "out.mock", "--max-message-size", "100"],
            &[&big, "SUT_CUSTOM:b:SUT_SEP:2"],
        ),
    );
    let replies = run.replies();
    assert_eq!(
        replies[0],
        "CAPTUREMOCK ERROR: message larger than the limit of 100 bytes"
    );
    assert_eq!(replies[1], "2");
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CAL:b\n->RET:2\n")
    );
    assert!(
        run.stderr.contains("message larger than the limit"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_client_that_never_finishes_sending_times_out_alone() {
    let dir = scratch("timeout");
    let started = Instant::now();
    let run = ours(
        &dir,
        &with_client(
            &["-m", "1", "-r", "out.mock", "--read-timeout", "0.5"],
            &["noshut:SUT_CUSTOM:a:SUT_SEP:1", "SUT_CUSTOM:b:SUT_SEP:2"],
        ),
    );
    let replies = run.replies();
    assert!(
        replies[0].starts_with("CAPTUREMOCK ERROR: nothing received for 500ms"),
        "{replies:?}"
    );
    assert_eq!(replies[1], "2");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CAL:b\n->RET:2\n")
    );
}

#[test]
fn server_only_prints_its_address_and_stops_on_terminate_server() {
    let dir = scratch("server-only");
    let server = ServerOnly::start(&dir, &["-m", "1", "-r", "out.mock"]);
    assert!(
        server.address.starts_with("127.0.0.1:"),
        "{}",
        server.address
    );
    assert_eq!(server.send("SUT_CUSTOM:a:SUT_SEP:1  "), "1");
    let (status, stderr) = server.terminate();
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CAL:a\n->RET:1  \n")
    );
}

#[test]
fn connections_over_the_limit_are_refused_with_an_error() {
    let dir = scratch("max-connections");
    let server = ServerOnly::start(
        &dir,
        &["-m", "1", "-r", "out.mock", "--max-connections", "1"],
    );
    let mut held = TcpStream::connect(&server.address).expect("connect");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        server.send("SUT_CUSTOM:b:SUT_SEP:2"),
        "CAPTUREMOCK ERROR: too many connections at once (the limit is 1)"
    );
    held.write_all(b"SUT_CUSTOM:a:SUT_SEP:1").expect("send");
    held.shutdown(std::net::Shutdown::Write).expect("shutdown");
    let mut reply = String::new();
    held.read_to_string(&mut reply).expect("reply");
    assert_eq!(reply, "1");
    // Let the held connection's slot be freed, or TERMINATE_SERVER would be refused too.
    std::thread::sleep(Duration::from_millis(300));
    let (status, stderr) = server.terminate();
    assert_eq!(status, Some(0));
    assert!(stderr.contains("refused a connection"), "{stderr}");
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CAL:a\n->RET:1\n")
    );
}

#[test]
fn a_silent_early_client_is_given_up_on_and_recorded_late() {
    let dir = scratch("given-up");
    let server = ServerOnly::start(&dir, &["-m", "1", "-r", "out.mock", "--order-wait", "0.3"]);
    let mut slow = TcpStream::connect(&server.address).expect("connect");
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    assert_eq!(server.send("SUT_CUSTOM:b:SUT_SEP:2"), "2");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "waited for the earlier client"
    );
    assert_eq!(server.send("SUT_CUSTOM:c:SUT_SEP:3"), "3");
    slow.write_all(b"SUT_CUSTOM:a:SUT_SEP:1").expect("send");
    slow.shutdown(std::net::Shutdown::Write).expect("shutdown");
    let mut reply = String::new();
    slow.read_to_string(&mut reply).expect("reply");
    assert_eq!(reply, "1");
    let (status, stderr) = server.terminate();
    assert_eq!(status, Some(0));
    assert!(
        stderr.contains("later exchanges no longer wait for them"),
        "{stderr}"
    );
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CAL:b\n->RET:2\n<-CAL:c\n->RET:3\n<-CAL:a\n->RET:1\n")
    );
}
