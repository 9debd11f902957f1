//! The command line: environment, exit status, errors, drift, diagnostics, help.

use super::harness::*;

#[test]
fn the_program_gets_server_and_mode_and_its_exit_status_is_passed_on() {
    let dir = scratch("env-status");
    let run = ours(
        &dir,
        &[
            "-m",
            "1",
            "sh",
            "-c",
            "echo \"$CAPTUREMOCK_SERVER $CAPTUREMOCK_MODE\"; exit 7",
        ],
    );
    assert_eq!(run.status, Some(7), "{}", run.stderr);
    let (address, mode) = run.stdout.trim().split_once(' ').expect("two words");
    assert!(address.starts_with("127.0.0.1:"), "{address}");
    assert_eq!(mode, "1");
    // The reference always exits 0.
    let theirs = reference(&dir, &["-m", "1", "sh", "-c", "exit 7"]);
    assert_eq!(theirs.status, Some(0));
}

#[test]
fn mode_zero_without_a_replay_file_records_like_the_reference() {
    let dir = scratch("mode0-records");
    let argv = ["sh", "-c", "echo $CAPTUREMOCK_MODE"];
    assert_eq!(ours(&dir, &argv).stdout.trim(), "1");
    assert_eq!(reference(&dir, &argv).stdout.trim(), "1");
}

#[test]
fn a_killed_program_exits_128_plus_the_signal_and_a_missing_one_127() {
    let dir = scratch("signal-status");
    assert_eq!(ours(&dir, &["sh", "-c", "kill -TERM $$"]).status, Some(143));
    let run = ours(&dir, &["no-such-program-capturemock-test"]);
    assert_eq!(run.status, Some(127));
    assert_eq!(
        run.stderr,
        "capturemock: no program 'no-such-program-capturemock-test' found\n"
    );
}

#[test]
fn a_missing_replay_file_is_a_clear_error() {
    let dir = scratch("missing-replay");
    let run = ours(
        &dir,
        &["-m", "0", "-p", "missing.mock", "sh", "-c", "echo ran"],
    );
    assert_eq!(run.status, Some(2));
    assert!(
        !run.stdout.contains("ran"),
        "the program must not run unmocked"
    );
    assert!(
        run.stderr
            .contains("replay file missing.mock does not exist"),
        "{}",
        run.stderr
    );
    // Mode 2 records everything instead (the reference's server crashes).
    let run = ours(
        &dir,
        &with_client(
            &["-m", "2", "-p", "missing.mock", "-r", "out.mock"],
            &["SUT_CUSTOM:a:SUT_SEP:b"],
        ),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CAL:a\n->RET:b\n")
    );
}

#[test]
fn unreadable_inputs_are_clear_errors_with_file_and_line() {
    let dir = scratch("bad-inputs");
    std::fs::write(dir.join("bad.mock"), b"<-CAL:a\n->RET:ok\n<-CAL:\xff\n").expect("write");
    let run = ours(&dir, &["-p", "bad.mock", "true"]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr
            .contains("bad.mock:3: replay file is not valid UTF-8"),
        "{}",
        run.stderr
    );

    std::fs::write(
        dir.join("bad.rc"),
        b"[general]\nuse_exact_matching = \xfe\n",
    )
    .expect("write");
    let run = ours(&dir, &["-R", "bad.rc", "true"]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr.contains("bad.rc:2: rc file is not valid UTF-8"),
        "{}",
        run.stderr
    );

    write(
        &dir,
        "notbool.rc",
        "[general]\nuse_exact_matching = perhaps\n",
    );
    let run = ours(&dir, &["-R", "notbool.rc", "true"]);
    assert_eq!(run.status, Some(2));
    assert!(run.stderr.contains("notbool.rc:2"), "{}", run.stderr);
}

#[test]
fn drift_is_shown_as_a_unified_diff_and_can_fail_the_run() {
    let dir = scratch("drift");
    write(
        &dir,
        "in.mock",
        "<-CAL:get(1)\n->RET:one\n<-CAL:gone()\n->RET:x\n",
    );
    // -v: the summary, the drift and each near miss on stderr (a replay is quiet without it,
    // tests/reports/quiet.rs).
    let args = ["-v", "-p", "in.mock", "-r", "out.mock"];
    let run = ours(&dir, &with_client(&args, &["SUT_CUSTOM:get(2)"]));
    assert_eq!(
        run.status,
        Some(0),
        "drift alone does not fail: {}",
        run.stderr
    );
    assert_eq!(run.replies(), ["one"]);
    assert!(
        run.stderr.contains("differs from the replay file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--- in.mock\n+++ out.mock\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("-<-CAL:get(1)\n+<-CAL:get(2)\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("-<-CAL:gone()\n"), "{}", run.stderr);
    // Near misses and the unused exchange are summarised.
    assert!(
        run.stderr.contains("word diff: <-CAL:get [-1-] {+2+}"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("\"<-CAL:gone()\": never used"),
        "{}",
        run.stderr
    );

    let mut strict = args.to_vec();
    strict.push("--fail-on-drift");
    let run = ours(&dir, &with_client(&strict, &["SUT_CUSTOM:get(2)"]));
    assert_eq!(run.status, Some(1), "{}", run.stderr);
    let run = ours(
        &dir,
        &with_client(&strict, &["SUT_CUSTOM:get(1)", "SUT_CUSTOM:gone()"]),
    );
    assert_eq!(run.status, Some(0), "no drift: {}", run.stderr);
    assert!(!run.stderr.contains("differs"), "{}", run.stderr);
}

#[test]
fn help_explains_with_examples() {
    let dir = scratch("help");
    let run = ours(&dir, &["--help"]);
    assert_eq!(run.status, Some(0));
    for needle in [
        "-m, --mode",
        "-p, --replay",
        "-r, --record",
        "-R, --rcfiles",
        "-P, --port",
        "-f, --replay-file-edits",
        "-F, --record-file-edits",
        "--server-only",
        "--fail-on-drift",
        "Examples:",
        "[command line] intercepts",
        "CAPTUREMOCK_SERVER",
    ] {
        assert!(
            run.stdout.contains(needle),
            "{needle} missing from help:\n{}",
            run.stdout
        );
    }
}

#[test]
fn replaying_and_recording_the_same_file_works() {
    let dir = scratch("same-file");
    write(&dir, "x.mock", "<-CAL:a\n->RET:b\n");
    let run = ours(
        &dir,
        &with_client(
            &["-p", "x.mock", "-r", "x.mock", "--fail-on-drift"],
            &["SUT_CUSTOM:a"],
        ),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.replies(), ["b"]);
    assert_eq!(read(&dir, "x.mock").as_deref(), Some("<-CAL:a\n->RET:b\n"));
}
