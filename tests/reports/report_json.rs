//! `--report FILE`: the whole run as JSON (docs/reports.md), through the command line.

use serde_json::{json, Value};

use crate::server::harness::*;

/// The SHA-256 of a file, by Python's hashlib: an implementation that is not ours.
fn sha256_by_python(path: &std::path::Path) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())",
        ])
        .arg(path)
        .output()
        .expect("python3");
    String::from_utf8(out.stdout)
        .expect("hex")
        .trim()
        .to_string()
}

#[test]
fn a_replay_report_has_exchanges_matches_near_misses_unused_entries_and_drift() {
    let dir = scratch("report-replay");
    let replay = "<-CAL:get(1)\n->RET:one\n<-CAL:get(1)\n->RET:uno\n<-CAL:gone()\n->RET:x\n";
    write(&dir, "in.mock", replay);
    let run = ours(
        &dir,
        &with_client(
            &["-p", "in.mock", "-r", "out.mock", "--report", "run.json"],
            &[
                "SUT_CUSTOM:get(1)",
                "SUT_CUSTOM:get(2)",
                "SUT_CUSTOM:get(1)",
            ],
        ),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "", "a report is not chatter on stderr");
    // The third request gets the first answer again: both occurrences were used.
    assert_eq!(run.replies(), ["one", "uno", "one"]);
    let report = super::report(&dir, "run.json");
    assert_eq!(report["version"], 1);
    assert_eq!(report["mode"], 0);
    assert_eq!(report["program_status"], 0);
    assert_eq!(
        report["replay_file"],
        json!({
            "path": "in.mock",
            "bytes": replay.len(),
            "sha256": sha256_by_python(&dir.join("in.mock")),
            "preserve_cr": false,
            "preserve_lf": false,
        })
    );
    assert_eq!(report["record_file"], "out.mock");
    assert_eq!(
        report["exchanges"],
        json!({"served": 3, "recorded": 3, "refused": 0, "record_failures": 0})
    );
    assert_eq!(
        report["requests"],
        json!([
            {"id": 0, "request": "<-CAL:get(1)", "occurrences": 2, "used": 3},
            {"id": 1, "request": "<-CAL:gone()", "occurrences": 1, "used": 0},
        ])
    );
    assert_eq!(
        report["matches"],
        json!([
            {"exchange": 1, "request": 0, "exact": true},
            {"exchange": 2, "request": 0, "exact": false},
            {"exchange": 3, "request": 0, "exact": true},
        ])
    );
    assert_eq!(
        report["inexact"],
        json!([{
            "exchange": 2,
            "request": "<-CAL:get(2)",
            "nearest": "<-CAL:get(1)",
            "outcome": "nearest",
            "word_diff": "<-CAL:get [-1-] {+2+}",
        }])
    );
    assert_eq!(
        report["unused"],
        json!([{"id": 1, "request": "<-CAL:gone()", "occurrences": 1, "used": 0}])
    );
    let drift = report["drift"].as_str().expect("drift");
    assert!(drift.starts_with("--- in.mock\n+++ out.mock\n"), "{drift}");
    assert!(drift.contains("-<-CAL:gone()\n"), "{drift}");
}

#[test]
fn a_record_run_reports_what_it_recorded_and_no_replay_file() {
    let dir = scratch("report-record");
    let run = ours(
        &dir,
        &with_client(
            &["-m", "1", "-r", "out.mock", "--report", "run.json"],
            &["SUT_CUSTOM:a:SUT_SEP:b", "SUT_CUSTOM:c:SUT_SEP:d"],
        ),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let report = super::report(&dir, "run.json");
    assert_eq!(report["mode"], 1);
    assert_eq!(report["replay_file"], Value::Null);
    assert_eq!(report["exchanges"]["recorded"], 2);
    assert_eq!(report["requests"], json!([]));
    assert_eq!(report["matches"], json!([]));
    assert_eq!(report["drift"], Value::Null);
}

#[test]
fn the_report_keeps_the_programs_exit_status() {
    let dir = scratch("report-status");
    write(&dir, "in.mock", "<-CAL:a\n->RET:b\n");
    let run = ours(
        &dir,
        &[
            "-p", "in.mock", "--report", "run.json", "sh", "-c", "exit 5",
        ],
    );
    assert_eq!(run.status, Some(5), "{}", run.stderr);
    let report = super::report(&dir, "run.json");
    assert_eq!(report["program_status"], 5);
    assert_eq!(report["unused"][0]["request"], "<-CAL:a");
}

#[test]
fn many_clients_at_once_are_each_in_the_report_once() {
    let dir = scratch("report-many");
    const CLIENTS: usize = 40;
    let replay: String = (0..CLIENTS)
        .map(|n| format!("<-CAL:item {n}\n->RET:value {n}\n"))
        .collect();
    write(&dir, "in.mock", &replay);
    // Every client connects first, then all send from threads in reverse order.
    let messages: Vec<String> = (0..CLIENTS)
        .map(|n| {
            if n % 10 == 9 {
                format!("SUT_CUSTOM:item {n} changed")
            } else {
                format!("SUT_CUSTOM:item {n}")
            }
        })
        .collect();
    let messages: Vec<&str> = messages.iter().map(String::as_str).collect();
    let run = ours(
        &dir,
        &with_concurrent(
            &["-p", "in.mock", "-r", "out.mock", "--report", "run.json"],
            &messages,
        ),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let replies = run.replies();
    assert_eq!(replies.len(), CLIENTS);
    let report = super::report(&dir, "run.json");
    assert_eq!(report["exchanges"]["served"], CLIENTS);
    let matches = report["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), CLIENTS);
    let mut numbers: Vec<u64> = matches
        .iter()
        .map(|m| m["exchange"].as_u64().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=CLIENTS as u64).collect::<Vec<_>>());
    // Numbered in accept order: client n connected n-th and asked for item n (or its
    // changed form, answered from item n), recorded request n.
    for m in matches {
        assert_eq!(
            m["request"].as_u64().unwrap() + 1,
            m["exchange"].as_u64().unwrap(),
            "{m}"
        );
    }
    let exact = matches.iter().filter(|m| m["exact"] == true).count();
    assert_eq!(exact, CLIENTS - CLIENTS / 10);
    let inexact = report["inexact"].as_array().expect("inexact");
    assert_eq!(inexact.len(), CLIENTS / 10);
    for miss in inexact {
        let request = miss["request"].as_str().unwrap();
        let nearest = miss["nearest"].as_str().unwrap();
        assert_eq!(
            format!("{nearest} changed"),
            request,
            "each changed request is answered from its own recording"
        );
    }
    // Every recorded request was used exactly once: nothing unused.
    assert_eq!(report["unused"], json!([]));
    for request in report["requests"].as_array().unwrap() {
        assert_eq!(request["used"], 1, "{request}");
    }
}
