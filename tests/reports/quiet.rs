//! A replay adds nothing to stderr unless asked, as the reference: harnesses such as TextTest
//! compare a program's stderr. Asked (`--summary`, `-v`, `CAPTUREMOCK_SUMMARY`), the summary
//! and the drift go there, at most 20 lines of each kind.

use crate::server::harness::*;

/// A replay file with one request the run asks differently (a near miss, hence drift) and
/// one it never asks (unused).
const REPLAY: &str = "<-CAL:get(1)\n->RET:one\n<-CAL:gone()\n->RET:x\n";
const ASKED: [&str; 1] = ["SUT_CUSTOM:get(2)"];

#[test]
fn a_replay_with_near_misses_unused_exchanges_and_drift_adds_nothing_to_stderr() {
    let (mine_dir, ref_dir) = (scratch("quiet-ours"), scratch("quiet-ref"));
    write(&mine_dir, "in.mock", REPLAY);
    write(&ref_dir, "in.mock", REPLAY);
    let args = ["-m", "0", "-p", "in.mock", "-r", "out.mock"];
    let mine = ours(&mine_dir, &with_client(&args, &ASKED));
    let theirs = reference(&ref_dir, &with_client(&args, &ASKED));
    assert_eq!(mine.status, Some(0), "{}", mine.stderr);
    assert_eq!(mine.replies(), ["one"]);
    assert_eq!(mine.replies(), theirs.replies());
    assert_eq!(theirs.stderr, "", "the reference says nothing");
    assert_eq!(mine.stderr, "", "nor do we");
    // The run did drift: the record file says so.
    assert_eq!(
        read(&mine_dir, "out.mock").as_deref(),
        Some("<-CAL:get(2)\n->RET:one\n")
    );
    // A variable set to 0 or empty does not ask.
    for value in ["0", ""] {
        let run = ours_with_env(
            &mine_dir,
            &with_client(&args, &ASKED),
            &[("CAPTUREMOCK_SUMMARY", value)],
        );
        assert_eq!(run.stderr, "", "CAPTUREMOCK_SUMMARY={value:?}");
    }
}

#[test]
fn the_summary_and_the_drift_go_to_stderr_when_asked() {
    let dir = scratch("quiet-asked");
    write(&dir, "in.mock", REPLAY);
    let args = ["-p", "in.mock", "-r", "out.mock"];
    let summary: Vec<&str> = std::iter::once("--summary").chain(args).collect();
    let by_option = ours(&dir, &with_client(&summary, &ASKED));
    let by_variable = ours_with_env(
        &dir,
        &with_client(&args, &ASKED),
        &[("CAPTUREMOCK_SUMMARY", "1")],
    );
    for run in [&by_option, &by_variable] {
        assert_eq!(run.status, Some(0), "{}", run.stderr);
        assert_eq!(
            run.stderr,
            "capturemock: replay summary:\n\
             1 request(s) had no exact match in the replay file:\n\
             \x20 #1 \"<-CAL:get(2)\": answered from \"<-CAL:get(1)\"\n\
             1 recorded request(s) were not used up:\n\
             \x20 \"<-CAL:gone()\": never used\n\
             capturemock: the record file differs from the replay file (drift):\n\
             --- in.mock\n\
             +++ out.mock\n\
             @@ -1,4 +1,2 @@\n\
             -<-CAL:get(1)\n\
             +<-CAL:get(2)\n\
             \x20->RET:one\n\
             -<-CAL:gone()\n\
             -->RET:x\n"
        );
    }
    // -v adds each near miss as it happens, with its word diff.
    let verbose: Vec<&str> = std::iter::once("-v").chain(args).collect();
    let run = ours(&dir, &with_client(&verbose, &ASKED));
    assert!(
        run.stderr.contains("word diff: <-CAL:get [-1-] {+2+}"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("capturemock: replay summary:\n"),
        "{}",
        run.stderr
    );
    assert!(
        !by_option.stderr.contains("word diff"),
        "{}",
        by_option.stderr
    );
    // A log filter given wins over -v's `info`; the summary stays.
    let run = ours_with_env(
        &dir,
        &with_client(&verbose, &ASKED),
        &[("CAPTUREMOCK_LOG", "warn")],
    );
    assert!(!run.stderr.contains("word diff"), "{}", run.stderr);
    assert!(
        run.stderr.starts_with("capturemock: replay summary:\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_drift_that_fails_the_run_is_said_without_the_summary() {
    let dir = scratch("quiet-fail-on-drift");
    write(&dir, "in.mock", REPLAY);
    let args = ["-p", "in.mock", "-r", "out.mock", "--fail-on-drift"];
    let run = ours(&dir, &with_client(&args, &ASKED));
    assert_eq!(run.status, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "capturemock: the record file differs from the replay file (drift):\n--- in.mock\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("summary"), "{}", run.stderr);
}

#[test]
fn errors_stay_on_stderr_when_quiet() {
    let dir = scratch("quiet-errors");
    write(&dir, "in.mock", REPLAY);
    let run = ours(
        &dir,
        &with_client(
            &["-p", "in.mock", "--report", "no/such/dir/run.json"],
            &ASKED,
        ),
    );
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "the program must not run: {}",
        run.stdout
    );
    assert!(
        run.stderr
            .starts_with("capturemock: error: cannot write the run report no/such/dir/run.json: "),
        "{}",
        run.stderr
    );
}

#[test]
fn a_long_summary_shows_twenty_lines_of_each_kind_and_counts_the_rest() {
    let dir = scratch("quiet-long");
    let replay: String = (0..30)
        .map(|n| format!("<-CAL:recorded {n}\n->RET:r{n}\n"))
        .collect();
    write(&dir, "in.mock", &replay);
    let asked: Vec<String> = (0..25)
        .map(|n| format!("SUT_CUSTOM:asked {}", 100 + n))
        .collect();
    let asked: Vec<&str> = asked.iter().map(String::as_str).collect();
    let run = ours(
        &dir,
        &with_client(&["--summary", "-p", "in.mock", "-r", "out.mock"], &asked),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let near = lines
        .iter()
        .position(|l| *l == "25 request(s) had no exact match in the replay file:")
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(lines[near + 1..=near + 20]
        .iter()
        .all(|l| l.starts_with("  #")));
    assert_eq!(
        lines[near + 21],
        "  \u{2026} and 5 more (see --report FILE)"
    );
    let unused_at = lines
        .iter()
        .position(|l| l.ends_with("recorded request(s) were not used up:"))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    // The run used some of the 30 (each near miss takes its nearest); the rest are listed,
    // 20 at most.
    let unused: usize = lines[unused_at].split(' ').next().unwrap().parse().unwrap();
    assert!(unused > 20, "{}", run.stderr);
    assert!(lines[unused_at + 1..=unused_at + 20]
        .iter()
        .all(|l| l.ends_with(": never used")));
    assert_eq!(
        lines[unused_at + 21],
        format!("  \u{2026} and {} more (see --report FILE)", unused - 20)
    );
    // The drift diff is cut too.
    let drift_at = lines
        .iter()
        .position(|l| l.ends_with("(drift):"))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert_eq!(lines.len(), drift_at + 1 + 20 + 1, "{}", run.stderr);
    assert!(
        lines[drift_at + 21].starts_with("\u{2026} and ")
            && lines[drift_at + 21].ends_with(" more lines (see --report FILE)"),
        "{}",
        run.stderr
    );

    // With a report, the count points at it, and the report has everything.
    let run = ours(
        &dir,
        &with_client(
            &[
                "--summary",
                "-p",
                "in.mock",
                "-r",
                "out.mock",
                "--report",
                "run.json",
            ],
            &asked,
        ),
    );
    assert!(
        run.stderr
            .contains("  \u{2026} and 5 more (see run.json)\n"),
        "{}",
        run.stderr
    );
    let report = super::report(&dir, "run.json");
    assert_eq!(report["inexact"].as_array().unwrap().len(), 25);
    assert_eq!(report["unused"].as_array().unwrap().len(), unused);
}
