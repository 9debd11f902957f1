//! `capturemock prune X.mock --usage REPORT...`: remove what no replay run used, keep the
//! rest byte for byte, refuse reports that do not describe the file as it is.

use crate::server::harness::*;

/// Timestamps, a multi-line response, a request recorded three times, an escaped line: what
/// pruning must keep exactly as written.
const RECORDED: &str = "<-CAL:login(alice)\n--TIM:2026-01-01T00:00:00\n->RET:ok\n\
<-CAL:list()\n->RET:[\n  1,\n  2\n]\n\
<-CAL:tick()\n->RET:1\n\
<-CAL:tick()\n->RET:2\n\
<-CAL:tick()\n->RET:3\n\
<-CAL:report(bob)\n->RET:line one\n\\:->RET:looks like an entry\n\
<-CAL:logout()\n->RET:bye\n";

/// Replays `messages` from `in.mock` with a report written to `report`.
fn replay_with_report(dir: &std::path::Path, report: &str, messages: &[&str]) -> Run {
    let run = ours(
        dir,
        &with_client(&["-p", "in.mock", "--report", report], messages),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    run
}

#[test]
fn prune_removes_what_no_run_used_and_the_runs_replay_the_same_afterwards() {
    let dir = scratch("prune-used");
    write(&dir, "in.mock", RECORDED);
    let first = [
        "SUT_CUSTOM:login(alice)",
        "SUT_CUSTOM:tick()",
        "SUT_CUSTOM:tick()",
    ];
    let second = ["SUT_CUSTOM:list()", "SUT_CUSTOM:report(bob)"];
    let first_replies = replay_with_report(&dir, "one.json", &first).replies();
    let second_replies = replay_with_report(&dir, "two.json", &second).replies();

    // A dry run says the same and changes nothing.
    let dry = ours(
        &dir,
        &[
            "prune",
            "in.mock",
            "--usage",
            "one.json",
            "two.json",
            "--dry-run",
        ],
    );
    assert_eq!(dry.status, Some(0), "{}", dry.stderr);
    assert_eq!(
        dry.stdout,
        "in.mock: would remove 2 of 7 exchange(s) that no run used; 5 kept\n"
    );
    assert_eq!(read(&dir, "in.mock").as_deref(), Some(RECORDED));

    let run = ours(
        &dir,
        &["prune", "in.mock", "--usage", "one.json", "two.json"],
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(
        run.stdout,
        "in.mock: removed 2 of 7 exchange(s) that no run used; 5 kept\n"
    );
    // The third tick and the logout go; everything else is as it was written.
    assert_eq!(
        read(&dir, "in.mock").as_deref(),
        Some(
            "<-CAL:login(alice)\n--TIM:2026-01-01T00:00:00\n->RET:ok\n\
             <-CAL:list()\n->RET:[\n  1,\n  2\n]\n\
             <-CAL:tick()\n->RET:1\n\
             <-CAL:tick()\n->RET:2\n\
             <-CAL:report(bob)\n->RET:line one\n\\:->RET:looks like an entry\n"
        )
    );
    // Both runs replay as before from the pruned file, with nothing left unused.
    let again = ours(&dir, &with_client(&["--summary", "-p", "in.mock"], &first));
    assert_eq!(again.replies(), first_replies);
    assert_eq!(again.replies(), ["ok", "1", "2"]);
    let again = ours(&dir, &with_client(&["-p", "in.mock"], &second));
    assert_eq!(again.replies(), second_replies);
    assert_eq!(
        second_replies,
        ["[\n  1,\n  2\n]", "line one\n->RET:looks like an entry"]
    );
    // Pruning again by those (now stale) reports is refused.
    let stale = ours(&dir, &["prune", "in.mock", "--usage", "one.json"]);
    assert_eq!(stale.status, Some(2));
    assert!(
        stale
            .stderr
            .contains("in.mock changed since one.json was written"),
        "{}",
        stale.stderr
    );
}

#[test]
fn one_report_alone_keeps_only_what_its_run_used() {
    let dir = scratch("prune-one");
    write(&dir, "in.mock", RECORDED);
    replay_with_report(&dir, "one.json", &["SUT_CUSTOM:tick()"]);
    let run = ours(&dir, &["prune", "in.mock", "--usage", "one.json"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "in.mock: removed 6 of 7 exchange(s) that no run used; 1 kept\n"
    );
    assert_eq!(
        read(&dir, "in.mock").as_deref(),
        Some("<-CAL:tick()\n->RET:1\n")
    );
}

#[test]
fn a_report_belongs_to_the_content_so_a_copy_elsewhere_prunes_by_it() {
    let dir = scratch("prune-copy");
    write(&dir, "in.mock", RECORDED);
    replay_with_report(&dir, "one.json", &["SUT_CUSTOM:login(alice)"]);
    std::fs::create_dir_all(dir.join("checkout")).unwrap();
    write(&dir, "checkout/in.mock", RECORDED);
    let run = ours(&dir, &["prune", "checkout/in.mock", "--usage", "one.json"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(
        read(&dir, "checkout/in.mock").as_deref(),
        Some("<-CAL:login(alice)\n--TIM:2026-01-01T00:00:00\n->RET:ok\n")
    );
    assert_eq!(read(&dir, "in.mock").as_deref(), Some(RECORDED));
}

#[test]
fn a_file_nothing_used_is_left_empty_and_says_so() {
    let dir = scratch("prune-all");
    write(&dir, "in.mock", RECORDED);
    let run = ours(&dir, &["-p", "in.mock", "--report", "none.json", "true"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let run = ours(&dir, &["prune", "in.mock", "--usage", "none.json"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "in.mock: removed 7 of 7 exchange(s) that no run used; 0 kept\n\
         note: no exchange is left; an empty replay file means record mode (-m 0 records)\n"
    );
    assert_eq!(read(&dir, "in.mock").as_deref(), Some(""));
}

#[test]
fn reports_made_with_different_newline_settings_are_refused_together() {
    let dir = scratch("prune-newlines");
    write(&dir, "in.mock", RECORDED);
    write(&dir, "cr.rc", "[general]\npreserve_cr = true\n");
    replay_with_report(&dir, "plain.json", &["SUT_CUSTOM:tick()"]);
    let run = ours(
        &dir,
        &with_client(
            &["-p", "in.mock", "-R", "cr.rc", "--report", "cr.json"],
            &["SUT_CUSTOM:tick()"],
        ),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(
        super::report(&dir, "cr.json")["replay_file"]["preserve_cr"],
        true
    );
    let run = ours(
        &dir,
        &["prune", "in.mock", "--usage", "plain.json", "cr.json"],
    );
    assert_eq!(run.status, Some(2));
    assert_eq!(
        run.stderr,
        "capturemock: error: plain.json and cr.json were made with different \
         preserve_cr/preserve_lf settings\n"
    );
    // Each alone is fine.
    let run = ours(
        &dir,
        &["prune", "in.mock", "--usage", "cr.json", "--dry-run"],
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
}

#[test]
fn prune_refuses_reports_that_do_not_describe_the_file() {
    let dir = scratch("prune-refused");
    write(&dir, "in.mock", RECORDED);
    write(&dir, "other.mock", "<-CAL:x\n->RET:y\n");
    replay_with_report(&dir, "in.json", &["SUT_CUSTOM:tick()"]);
    let other = ours(
        &dir,
        &with_client(
            &["-p", "other.mock", "--report", "other.json"],
            &["SUT_CUSTOM:x"],
        ),
    );
    assert_eq!(other.status, Some(0), "{}", other.stderr);
    ours(
        &dir,
        &with_client(
            &["-m", "1", "-r", "rec.mock", "--report", "record.json"],
            &["SUT_CUSTOM:a:SUT_SEP:b"],
        ),
    );
    write(&dir, "garbage.json", "{\"not\": \"a report\"}");
    write(&dir, "future.json", "{\"version\": 2}");

    let refusals: [(&[&str], &str); 7] = [
        (
            &["prune", "in.mock", "--usage", "other.json"],
            "capturemock: error: other.json is a report of other.mock, not of in.mock\n",
        ),
        (
            &["prune", "in.mock", "--usage", "in.json", "record.json"],
            "capturemock: error: record.json is the report of a run without a replay file: it says nothing about in.mock\n",
        ),
        (
            &["prune", "missing.mock", "--usage", "in.json"],
            "capturemock: error: cannot read replay file missing.mock: ",
        ),
        (
            &["prune", "in.mock", "--usage", "missing.json"],
            "capturemock: error: cannot read missing.json: ",
        ),
        (
            &["prune", "in.mock", "--usage", "garbage.json"],
            "capturemock: error: garbage.json is not a capturemock run report: ",
        ),
        (
            &["prune", "in.mock", "--usage", "future.json"],
            "capturemock: error: future.json is a run report of version 2; this capturemock reads version 1\n",
        ),
        (
            &["prune", "in.mock"],
            "error: the following required arguments were not provided:",
        ),
    ];
    for (args, said) in refusals {
        let run = ours(&dir, args);
        assert_ne!(run.status, Some(0), "{args:?}");
        assert!(run.stderr.starts_with(said), "{args:?}: {}", run.stderr);
        assert_eq!(read(&dir, "in.mock").as_deref(), Some(RECORDED), "{args:?}");
    }

    // The file changed since the report: stale.
    write(
        &dir,
        "in.mock",
        &format!("{RECORDED}<-CAL:new()\n->RET:n\n"),
    );
    let run = ours(&dir, &["prune", "in.mock", "--usage", "in.json"]);
    assert_eq!(run.status, Some(2));
    assert_eq!(
        run.stderr,
        "capturemock: error: in.mock changed since in.json was written (its SHA-256 differs): \
         replay again with --report for a fresh one\n"
    );
}

#[test]
fn prune_and_stats_have_help_and_are_subcommands_only_first() {
    let dir = scratch("prune-help");
    for sub in ["prune", "stats"] {
        let run = ours(&dir, &["help", sub]);
        assert_eq!(run.status, Some(0), "{}", run.stderr);
        assert!(
            run.stdout.contains(&format!("capturemock {sub}")),
            "{}",
            run.stdout
        );
    }
    let help = ours(&dir, &["--help"]);
    assert!(
        help.stdout
            .contains("capturemock prune FILE --usage REPORT"),
        "{}",
        help.stdout
    );
    assert!(help.stdout.contains("--summary"), "{}", help.stdout);
    assert!(help.stdout.contains("-v, --verbose"), "{}", help.stdout);
    assert!(help.stdout.contains("--report <FILE>"), "{}", help.stdout);
    // Not first: a program of that name.
    let run = ours(&dir, &["-m", "1", "--", "prune", "x"]);
    assert_eq!(run.status, Some(127), "{}", run.stderr);
}
