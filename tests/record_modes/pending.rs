//! `--pending`, `capturemock accept` and `capturemock reject` through the binary, with many
//! files and the error paths.

use crate::server::harness::*;

fn call(request: &str, response: &str) -> String {
    format!("SUT_CUSTOM:{request}:SUT_SEP:{response}")
}

#[test]
fn pending_writes_x_new_only_when_the_recording_differs() {
    let dir = scratch("pending-cli");
    write(&dir, "x.mock", "<-CAL:a\n->RET:1\n");
    let args = ["--record-mode", "all", "--pending", "-p", "x.mock"];
    let same = ours(&dir, &with_client(&args, &[&call("a", "1")]));
    assert_eq!(same.status, Some(0), "{}", same.stderr);
    assert!(
        read(&dir, "x.mock.new").is_none(),
        "nothing written when the same"
    );
    assert_eq!(same.stderr, "", "quiet when nothing is pending");
    let differs = ours(&dir, &with_client(&args, &[&call("a", "2")]));
    assert_eq!(differs.status, Some(0), "{}", differs.stderr);
    assert_eq!(read(&dir, "x.mock").as_deref(), Some("<-CAL:a\n->RET:1\n"));
    assert_eq!(
        read(&dir, "x.mock.new").as_deref(),
        Some("<-CAL:a\n->RET:2\n")
    );
    assert!(
        differs.stderr.contains("it is in x.mock.new"),
        "{}",
        differs.stderr
    );
    // The same as the mock again: the stale proposal goes.
    ours(&dir, &with_client(&args, &[&call("a", "1")]));
    assert!(read(&dir, "x.mock.new").is_none());
    // No mock file yet: the recording becomes it.
    let first = ours(
        &dir,
        &with_client(
            &["-m", "1", "--pending", "-r", "y.mock"],
            &[&call("b", "3")],
        ),
    );
    assert_eq!(first.status, Some(0), "{}", first.stderr);
    assert_eq!(read(&dir, "y.mock").as_deref(), Some("<-CAL:b\n->RET:3\n"));
    assert!(read(&dir, "y.mock.new").is_none());
    // Without --pending, -r replaces the file as the reference does.
    ours(
        &dir,
        &with_client(&["-m", "1", "-r", "y.mock"], &[&call("b", "4")]),
    );
    assert_eq!(read(&dir, "y.mock").as_deref(), Some("<-CAL:b\n->RET:4\n"));
    // Replay with -p X -r X --pending: a drift is proposed, not written over the replay file.
    let drift = ours(
        &dir,
        &with_client(
            &["-m", "0", "--pending", "-p", "y.mock", "-r", "y.mock"],
            &["SUT_CUSTOM:b", "SUT_CUSTOM:b"],
        ),
    );
    assert_eq!(drift.status, Some(0), "{}", drift.stderr);
    assert_eq!(read(&dir, "y.mock").as_deref(), Some("<-CAL:b\n->RET:4\n"));
    assert_eq!(
        read(&dir, "y.mock.new").as_deref(),
        Some("<-CAL:b\n->RET:4\n<-CAL:b\n->RET:4\n")
    );
}

/// Writes `n` mock files with a differing pending file each, in nested directories.
fn many(dir: &std::path::Path, n: usize) {
    for i in 0..n {
        let sub = format!("m{}/d{i}", i % 3);
        std::fs::create_dir_all(dir.join(&sub)).unwrap();
        write(
            dir,
            &format!("{sub}/t{i}.mock"),
            &format!("<-CAL:{i}\n->RET:old\n"),
        );
        write(
            dir,
            &format!("{sub}/t{i}.mock.new"),
            &format!("<-CAL:{i}\n->RET:new\n"),
        );
    }
}

#[test]
fn accept_and_reject_every_pending_file_or_those_named() {
    let dir = scratch("accept-reject");
    many(&dir, 12);
    // target/ and hidden directories are not searched.
    std::fs::create_dir_all(dir.join("target")).unwrap();
    write(&dir, "target/t.mock.new", "x");
    std::fs::create_dir_all(dir.join(".hidden")).unwrap();
    write(&dir, ".hidden/t.mock.new", "x");
    // Named: a pending file, a mock file (meaning its .new), a directory.
    let named = ours(
        &dir,
        &["accept", "m0/d0/t0.mock.new", "m1/d1/t1.mock", "m2"],
    );
    assert_eq!(named.status, Some(0), "{}", named.stderr);
    assert!(
        named.stdout.contains("accepted m0/d0/t0.mock\n"),
        "{}",
        named.stdout
    );
    assert_eq!(named.stdout.lines().count(), 2 + 4, "{}", named.stdout);
    for i in [0, 1, 2, 5, 8, 11] {
        let sub = format!("m{}/d{i}", i % 3);
        assert_eq!(
            read(&dir, &format!("{sub}/t{i}.mock")).unwrap(),
            format!("<-CAL:{i}\n->RET:new\n")
        );
        assert!(read(&dir, &format!("{sub}/t{i}.mock.new")).is_none());
    }
    // The rest, all at once.
    let rest = ours(&dir, &["reject"]);
    assert_eq!(rest.status, Some(0), "{}", rest.stderr);
    assert_eq!(rest.stdout.lines().count(), 6, "{}", rest.stdout);
    for i in [3, 4, 6, 7, 9, 10] {
        let sub = format!("m{}/d{i}", i % 3);
        assert_eq!(
            read(&dir, &format!("{sub}/t{i}.mock")).unwrap(),
            format!("<-CAL:{i}\n->RET:old\n")
        );
        assert!(read(&dir, &format!("{sub}/t{i}.mock.new")).is_none());
    }
    assert!(read(&dir, "target/t.mock.new").is_some());
    assert!(read(&dir, ".hidden/t.mock.new").is_some());
    let nothing = ours(&dir, &["accept"]);
    assert_eq!(
        (nothing.status, nothing.stdout.as_str()),
        (Some(0), "no pending mock files\n")
    );
}

#[test]
fn accept_and_reject_say_what_they_could_not_do_and_do_the_rest() {
    let dir = scratch("accept-errors");
    many(&dir, 2);
    let r = ours(
        &dir,
        &[
            "accept",
            "nothing.mock",
            "m0/d0/t0.mock.new",
            "gone.mock.new",
        ],
    );
    assert_eq!(r.status, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("nothing.mock is not a pending file (X.new) and has none beside it"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("cannot move into place gone.mock.new"),
        "{}",
        r.stderr
    );
    assert_eq!(read(&dir, "m0/d0/t0.mock").unwrap(), "<-CAL:0\n->RET:new\n");
    let r = ours(&dir, &["reject", "gone.mock.new"]);
    assert_eq!(r.status, Some(2));
    assert!(
        r.stderr.contains("cannot remove gone.mock.new"),
        "{}",
        r.stderr
    );
    // The word is a subcommand only first: after --, a program of that name runs.
    let program = ours(&dir, &["--", "accept"]);
    assert_eq!(program.status, Some(127), "{}", program.stderr);
}
