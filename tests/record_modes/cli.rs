//! Each record mode through the command line, with the Python custom client of
//! `tests/server/harness.rs`: the client sends `SUT_CUSTOM:request:SUT_SEP:response`, and
//! its own response is what record mode records, the recorded one what replay answers.

use crate::server::harness::*;

/// `SUT_CUSTOM:req:SUT_SEP:resp`.
fn call(request: &str, response: &str) -> String {
    format!("SUT_CUSTOM:{request}:SUT_SEP:{response}")
}

/// Runs our binary with `args` then the client sending `messages`.
fn run(dir: &std::path::Path, args: &[&str], messages: &[String], env: &[(&str, &str)]) -> Run {
    let messages: Vec<&str> = messages.iter().map(String::as_str).collect();
    ours_with_env(dir, &with_client(args, &messages), env)
}

const A1: &str = "<-CAL:a\n->RET:1\n";

#[test]
fn once_records_a_missing_file_then_replays_it() {
    let dir = scratch("modes-once");
    let first = run(
        &dir,
        &["--record-mode", "once", "-p", "x.mock"],
        &[call("a", "1")],
        &[],
    );
    assert_eq!(first.status, Some(0), "{}", first.stderr);
    assert_eq!(first.replies(), ["1"]);
    assert_eq!(read(&dir, "x.mock").as_deref(), Some(A1));
    // Now the file exists: replayed (the recorded 1, not the client's 2), left as it is.
    let second = run(
        &dir,
        &["--record-mode", "once", "-p", "x.mock"],
        &[call("a", "2")],
        &[],
    );
    assert_eq!(second.status, Some(0), "{}", second.stderr);
    assert_eq!(second.replies(), ["1"]);
    assert_eq!(read(&dir, "x.mock").as_deref(), Some(A1));
    // -r alone names the one file too.
    let third = run(
        &dir,
        &["--record-mode", "once", "-r", "x.mock"],
        &[call("a", "3")],
        &[],
    );
    assert_eq!(third.replies(), ["1"], "{}", third.stderr);
    assert_eq!(read(&dir, "x.mock").as_deref(), Some(A1));
}

#[test]
fn new_replays_exact_matches_records_the_rest_and_keeps_both() {
    let dir = scratch("modes-new");
    write(&dir, "x.mock", A1);
    let r = run(
        &dir,
        &["--record-mode", "new", "-p", "x.mock"],
        &[call("a", "9"), call("b", "2")],
        &[],
    );
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert_eq!(r.replies(), ["1", "2"]);
    assert_eq!(
        read(&dir, "x.mock").as_deref(),
        Some("<-CAL:a\n->RET:1\n<-CAL:b\n->RET:2\n")
    );
    // Exchanges this run does not use are not carried over; --pending shows it first.
    let r = run(
        &dir,
        &["--record-mode", "new", "--pending", "-p", "x.mock"],
        &[call("b", "7")],
        &[],
    );
    assert_eq!(r.replies(), ["2"], "{}", r.stderr);
    assert_eq!(
        read(&dir, "x.mock").as_deref(),
        Some("<-CAL:a\n->RET:1\n<-CAL:b\n->RET:2\n")
    );
    assert_eq!(
        read(&dir, "x.mock.new").as_deref(),
        Some("<-CAL:b\n->RET:2\n")
    );
    // A missing file: everything is new.
    let r = run(
        &dir,
        &["--record-mode", "new", "-p", "y.mock"],
        &[call("c", "3")],
        &[],
    );
    assert_eq!(r.replies(), ["3"], "{}", r.stderr);
    assert_eq!(read(&dir, "y.mock").as_deref(), Some("<-CAL:c\n->RET:3\n"));
    // Unlike mode 2 as the reference does it, which answers b from the nearest recording.
    write(&dir, "z.mock", A1);
    let r = run(
        &dir,
        &["-m", "2", "-p", "z.mock", "-r", "z.mock"],
        &[call("a b", "2")],
        &[],
    );
    assert_eq!(r.replies(), ["1"], "{}", r.stderr);
}

#[test]
fn all_records_everything_again() {
    let dir = scratch("modes-all");
    write(&dir, "x.mock", A1);
    let r = run(
        &dir,
        &["--record-mode", "all", "-p", "x.mock"],
        &[call("a", "5")],
        &[],
    );
    assert_eq!(r.status, Some(0), "{}", r.stderr);
    assert_eq!(r.replies(), ["5"]);
    assert_eq!(read(&dir, "x.mock").as_deref(), Some("<-CAL:a\n->RET:5\n"));
}

#[test]
fn none_replays_exact_matches_and_fails_on_anything_else() {
    let dir = scratch("modes-none");
    write(&dir, "x.mock", "<-CAL:price(ACME)\n->RET:1\n");
    let ok = run(
        &dir,
        &["--record-mode", "none", "-p", "x.mock"],
        &["SUT_CUSTOM:price(ACME)".to_string()],
        &[],
    );
    assert_eq!(ok.status, Some(0), "{}", ok.stderr);
    assert_eq!(ok.replies(), ["1"]);
    // A near match would be answered from the nearest recording in mode 0; here it fails.
    let near = run(
        &dir,
        &["--record-mode", "none", "-p", "x.mock"],
        &["SUT_CUSTOM:price(ACME2)".to_string()],
        &[],
    );
    assert_eq!(near.status, Some(1), "{}", near.stderr);
    assert!(
        near.replies()[0].starts_with("CAPTUREMOCK MISMATCH"),
        "{:?}",
        near.replies()
    );
    assert!(
        near.stderr
            .contains("capturemock: error: 1 request(s) had no exact match"),
        "{}",
        near.stderr
    );
    assert_eq!(
        read(&dir, "x.mock").as_deref(),
        Some("<-CAL:price(ACME)\n->RET:1\n")
    );
    let mode0 = run(
        &dir,
        &["-m", "0", "-p", "x.mock"],
        &["SUT_CUSTOM:price(ACME2)".to_string()],
        &[],
    );
    assert_eq!(
        (mode0.status, mode0.replies()),
        (Some(0), vec!["1".to_string()])
    );
    // The program's own failure comes first.
    let failing = ours(
        &dir,
        &[
            "--record-mode",
            "none",
            "-p",
            "x.mock",
            "sh",
            "-c",
            "python3 client.py SUT_CUSTOM:zz; exit 5",
        ],
    );
    assert_eq!(failing.status, Some(5), "{}", failing.stderr);
    // A missing file is an error before the program runs; an empty one records nothing.
    let missing = ours(
        &dir,
        &[
            "--record-mode",
            "none",
            "-p",
            "no.mock",
            "sh",
            "-c",
            "echo ran",
        ],
    );
    assert_eq!(missing.status, Some(2));
    assert!(!missing.stdout.contains("ran"));
    write(&dir, "empty.mock", "");
    let empty = run(
        &dir,
        &["--record-mode", "none", "-p", "empty.mock"],
        &[call("a", "1")],
        &[],
    );
    assert_eq!(empty.status, Some(1), "{}", empty.stderr);
    assert!(empty.stderr.contains("forbidden"), "{}", empty.stderr);
    assert_eq!(read(&dir, "empty.mock").as_deref(), Some(""));
}

#[test]
fn the_flag_wins_over_the_environment_which_wins_over_the_rc_file() {
    let dir = scratch("modes-precedence");
    write(&dir, "none.rc", "[general]\nrecord_mode = none\n");
    write(&dir, "bad.rc", "[general]\nrecord_mode = sometimes\n");
    let args = |extra: &[&'static str]| {
        let mut a = vec!["-R", "none.rc", "-p", "x.mock"];
        a.extend(extra);
        a
    };
    // rc alone: none, so a missing file is an error.
    assert_eq!(
        run(&dir, &args(&[]), &[call("a", "1")], &[]).status,
        Some(2)
    );
    // The environment over the rc file: once records the missing file.
    let env = run(
        &dir,
        &args(&[]),
        &[call("a", "1")],
        &[("CAPTUREMOCK_RECORD_MODE", "once")],
    );
    assert_eq!(env.status, Some(0), "{}", env.stderr);
    assert_eq!(read(&dir, "x.mock").as_deref(), Some(A1));
    // The flag over the environment: all re-records.
    let flag = run(
        &dir,
        &args(&["--record-mode", "all"]),
        &[call("a", "2")],
        &[("CAPTUREMOCK_RECORD_MODE", "none")],
    );
    assert_eq!(flag.replies(), ["2"], "{}", flag.stderr);
    // -m counts as the flag: mode 0 replays, whatever the environment says.
    let numbered = run(
        &dir,
        &args(&["-m", "0"]),
        &[call("a", "3")],
        &[("CAPTUREMOCK_RECORD_MODE", "all")],
    );
    assert_eq!(numbered.replies(), ["2"], "{}", numbered.stderr);
    // Both on the command line is a usage error; bad names are clear errors.
    let both = ours(
        &dir,
        &["-m", "1", "--record-mode", "all", "-p", "x.mock", "true"],
    );
    assert_eq!(both.status, Some(2), "{}", both.stderr);
    let bad_env = ours_with_env(
        &dir,
        &["-p", "x.mock", "true"],
        &[("CAPTUREMOCK_RECORD_MODE", "often")],
    );
    assert_eq!(bad_env.status, Some(2));
    assert!(
        bad_env.stderr.contains(
            "CAPTUREMOCK_RECORD_MODE: record mode must be none, once, new or all, not \"often\""
        ),
        "{}",
        bad_env.stderr
    );
    let bad_rc = ours(&dir, &["-R", "bad.rc", "-p", "x.mock", "true"]);
    assert_eq!(bad_rc.status, Some(2));
    assert!(
        bad_rc
            .stderr
            .contains("bad.rc:2: [general] record_mode = \"sometimes\" is not a record mode"),
        "{}",
        bad_rc.stderr
    );
    // The program is told the number, as before.
    let told = ours(
        &dir,
        &[
            "--record-mode",
            "new",
            "-p",
            "x.mock",
            "sh",
            "-c",
            "echo $CAPTUREMOCK_MODE",
        ],
    );
    assert_eq!(told.stdout.trim(), "2");
}

#[test]
fn forbid_real_refuses_recording_before_the_program_runs() {
    let dir = scratch("forbid-record");
    for (args, env) in [
        (vec!["--forbid-real", "-m", "1", "-r", "x.mock"], vec![]),
        (
            vec!["-m", "1", "-r", "x.mock"],
            vec![("CAPTUREMOCK_FORBID_REAL", "1")],
        ),
        (
            vec!["--forbid-real", "--record-mode", "once", "-p", "x.mock"],
            vec![],
        ),
        (vec!["--forbid-real", "-m", "0"], vec![]),
    ] {
        let mut all = args.clone();
        all.extend(["sh", "-c", "echo ran"]);
        let r = ours_with_env(&dir, &all, &env);
        assert_eq!(r.status, Some(2), "{args:?}: {}", r.stderr);
        assert!(!r.stdout.contains("ran"), "{args:?}");
        assert!(
            r.stderr
                .contains("would reach the real thing, which is forbidden"),
            "{}",
            r.stderr
        );
    }
    assert!(read(&dir, "x.mock").is_none());
    // CAPTUREMOCK_FORBID_REAL=0 forbids nothing.
    let r = ours_with_env(
        &dir,
        &["-m", "1", "-r", "x.mock", "true"],
        &[("CAPTUREMOCK_FORBID_REAL", "0")],
    );
    assert_eq!(r.status, Some(0), "{}", r.stderr);
}

#[test]
fn forbid_real_refuses_each_new_request_and_tells_the_program() {
    let dir = scratch("forbid-requests");
    write(&dir, "x.mock", A1);
    let r = run(
        &dir,
        &[
            "--forbid-real",
            "-m",
            "2",
            "--record-unmatched",
            "-p",
            "x.mock",
            "-r",
            "out.mock",
        ],
        &[call("a", "7"), call("b", "2")],
        &[],
    );
    assert_eq!(r.status, Some(1), "{}", r.stderr);
    assert_eq!(r.replies()[0], "1");
    assert!(
        r.replies()[1].starts_with("CAPTUREMOCK MISMATCH"),
        "{:?}",
        r.replies()
    );
    assert!(
        r.stderr
            .contains("capturemock: error: 1 request(s) would have reached the real thing"),
        "{}",
        r.stderr
    );
    let told = ours(
        &dir,
        &[
            "--forbid-real",
            "-p",
            "x.mock",
            "sh",
            "-c",
            "echo $CAPTUREMOCK_FORBID_REAL",
        ],
    );
    assert_eq!(told.stdout.trim(), "1", "{}", told.stderr);
}

#[test]
fn forbid_real_never_runs_a_real_program_through_a_shim() {
    let dir = scratch("forbid-shim");
    write(
        &dir,
        "tools.rc",
        "[command line]\nintercepts = mytool, othertool\n",
    );
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let tool = bin.join("mytool");
    std::fs::write(&tool, "#!/bin/sh\ntouch \"$MARKER\"\necho real\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    write(&dir, "x.mock", "<-CMD:othertool\n->OUT:recorded\n");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let marker = dir.join("marker");
    let env = [
        ("PATH", path.as_str()),
        ("MARKER", marker.to_str().unwrap()),
    ];
    // Without the guard, mode 2 runs the real mytool (it is not in the file).
    let real = ours_with_env(
        &dir,
        &[
            "-m", "2", "-R", "tools.rc", "-p", "x.mock", "--", "sh", "-c", "mytool",
        ],
        &env,
    );
    assert!(real.stdout.contains("real"), "{}", real.stderr);
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();
    let guarded = ours_with_env(
        &dir,
        &[
            "--forbid-real",
            "-m",
            "2",
            "-R",
            "tools.rc",
            "-p",
            "x.mock",
            "--",
            "sh",
            "-c",
            "mytool; othertool",
        ],
        &env,
    );
    assert!(!marker.exists(), "the real program ran: {}", guarded.stderr);
    assert!(!guarded.stdout.contains("real"));
    assert!(guarded.stdout.contains("recorded"), "{}", guarded.stdout);
    assert_eq!(guarded.status, Some(1), "{}", guarded.stderr);
}

#[test]
fn forbid_real_refuses_a_real_device_before_opening_anything() {
    let dir = scratch("forbid-devices");
    let forbid = [("CAPTUREMOCK_FORBID_REAL", "1")];
    // No such lines: had they been opened, the error would name them instead.
    for args in [
        &[
            "serial-proxy",
            "--device",
            "/dev/no-such-line",
            "--peripheral",
            "/dev/no-such-peripheral",
            "-m",
            "1",
            "-r",
            "x.mock",
        ][..],
        &[
            "serial-proxy",
            "--device",
            "/dev/no-such-line",
            "-m",
            "2",
            "-p",
            "x.mock",
        ][..],
        &[
            "bridge",
            "--serial",
            "/dev/no-such-line",
            "-m",
            "1",
            "-r",
            "x.mock",
        ][..],
        &[
            "bridge",
            "--serial",
            "/dev/no-such-line",
            "-m",
            "2",
            "-p",
            "x.mock",
        ][..],
        // Bus transactions without a replay file are recorded from the device's real bus.
        &[
            "bridge",
            "--serial",
            "/dev/no-such-line",
            "--hal",
            "-r",
            "x.mock",
        ][..],
    ] {
        // The variable, and the subcommand's flag instead of it.
        let mut flagged = args.to_vec();
        flagged.insert(1, "--forbid-real");
        for r in [ours_with_env(&dir, args, &forbid), ours(&dir, &flagged)] {
            assert_eq!(r.status, Some(2), "{args:?}: {}", r.stderr);
            assert!(
                r.stderr.contains("which is forbidden"),
                "{args:?}: {}",
                r.stderr
            );
            assert!(
                !r.stderr.contains("no-such-line"),
                "{args:?}: opened: {}",
                r.stderr
            );
        }
    }
    // Replaying as the peripheral is allowed: the error is then about the line.
    let r = ours_with_env(
        &dir,
        &[
            "serial-proxy",
            "--device",
            "/dev/no-such-line",
            "-p",
            "x.mock",
        ],
        &forbid,
    );
    assert!(!r.stderr.contains("forbidden"), "{}", r.stderr);
}
