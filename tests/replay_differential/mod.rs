//! The replay engine against the reference's own matching code, on seeded random cases.
//!
//! Each case is a replay file and a sequence of requests. `tests/reference/replay_oracle.py`
//! answers them with CaptureMock 2.10's `ReplayInfo` (exact lookup, best match, repeat
//! counters); we answer them with our engine, with and without word index, and every answer
//! must name the same recorded request and the same responses.

mod cases;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use capturemock::replay_file::{ReplayFile, ReplayOptions};
use capturemock_core::replay::{MatchOptions, Unmatched};
use serde_json::{json, Value};

use cases::{Case, CaseStats};

const CASES: usize = 12_000;
const SEED: u64 = 0x00C0_FFEE_2026_1121;

/// One answer in the oracle's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    key: Option<String>,
    responses: Vec<String>,
    mismatch: bool,
    empty: bool,
}

fn oracle(cases: &[Case]) -> Vec<Vec<Answer>> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/replay_oracle.py"
    );
    let mut child = Command::new("python3")
        .arg(script)
        // The reference reads replay files in the locale's encoding; record files are UTF-8.
        .env("PYTHONUTF8", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with capturemock==2.10.0 installed (see .ci/run)");
    let mut stdin = child.stdin.take().unwrap();
    let input: Vec<String> = cases
        .iter()
        .map(|c| json!({"file": c.file, "requests": c.requests, "exact": c.exact}).to_string())
        .collect();
    let writer = std::thread::spawn(move || {
        for line in input {
            writeln!(stdin, "{line}").unwrap();
        }
    });
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut all = Vec::new();
    for line in stdout.lines() {
        let value: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let answers = value["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| Answer {
                key: a["key"].as_str().map(str::to_owned),
                responses: a["responses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_owned())
                    .collect(),
                mismatch: a["mismatch"].as_bool().unwrap(),
                empty: a["empty"].as_bool().unwrap_or(false),
            })
            .collect();
        all.push(answers);
    }
    writer.join().unwrap();
    assert!(child.wait().unwrap().success(), "the oracle failed");
    all
}

fn ours(case: &Case, word_index: bool) -> Vec<Answer> {
    let mut options = ReplayOptions::default();
    options.matching = MatchOptions {
        exact_only: case.exact,
        ..MatchOptions::default()
    };
    options.word_index = word_index;
    let mut file = ReplayFile::from_text(case.file.clone(), "<case>", options).unwrap();
    case.requests
        .iter()
        .map(|desc| match file.lookup(desc).unwrap() {
            Ok(answer) => Answer {
                key: Some(answer.key),
                responses: answer
                    .responses
                    .iter()
                    .map(|r| r.split_once(':').map_or("", |(_, text)| text).to_owned())
                    .collect(),
                mismatch: false,
                empty: false,
            },
            Err(unmatched) => Answer {
                key: None,
                responses: Vec::new(),
                mismatch: unmatched == Unmatched::ExactMatchingRequired,
                empty: unmatched == Unmatched::EmptyRequest,
            },
        })
        .collect()
}

/// The cases are checked in this many shards, each a test of its own (with its own oracle
/// process), so that the test harness spreads them over the machine's cores: one oracle
/// working through all the cases was the suite's longest test by far.
const SHARDS: usize = 4;

#[test]
fn same_choices_as_the_reference_on_seeded_random_cases_shard_0() {
    same_choices_as_the_reference(0);
}

#[test]
fn same_choices_as_the_reference_on_seeded_random_cases_shard_1() {
    same_choices_as_the_reference(1);
}

#[test]
fn same_choices_as_the_reference_on_seeded_random_cases_shard_2() {
    same_choices_as_the_reference(2);
}

#[test]
fn same_choices_as_the_reference_on_seeded_random_cases_shard_3() {
    same_choices_as_the_reference(3);
}

/// Checks shard `shard` of the [`CASES`] cases (every case lands in exactly one shard).
fn same_choices_as_the_reference(shard: usize) {
    let (all, stats) = cases::generate(SEED, CASES);
    stats.assert_mix();
    let cases: Vec<Case> = all
        .into_iter()
        .enumerate()
        .filter(|(n, _)| n % SHARDS == shard)
        .map(|(_, case)| case)
        .collect();
    // Our answers are computed while the reference works on its own.
    let (expected, ours_all) = std::thread::scope(|scope| {
        let ours_all = scope.spawn(|| {
            cases
                .iter()
                .map(|case| [ours(case, true), ours(case, false)])
                .collect::<Vec<_>>()
        });
        (oracle(&cases), ours_all.join().unwrap())
    });
    assert_eq!(
        expected.len(),
        cases.len(),
        "the oracle answered every case"
    );
    let mut lookups = 0;
    for (i, ((case, expected), both)) in cases.iter().zip(&expected).zip(&ours_all).enumerate() {
        let n = i * SHARDS + shard;
        for (got, word_index) in both.iter().zip([true, false]) {
            for (i, (got, want)) in got.iter().zip(expected).enumerate() {
                assert_eq!(
                    got, want,
                    "case {n}, request {i} ({:?}), word index {word_index}\nfile:\n{}",
                    case.requests[i], case.file
                );
            }
            assert_eq!(got.len(), expected.len());
        }
        lookups += expected.len();
    }
    eprintln!(
        "shard {shard} of {SHARDS}: {} cases, {lookups} lookups, all as the reference (all shards: {stats})",
        cases.len()
    );
    let _: &CaseStats = &stats;
}

/// README.md, BENCHMARKS.md and docs/compatibility.md cite how many cases are checked.
#[test]
fn the_documents_cite_the_number_of_cases_checked() {
    let digits = CASES.to_string();
    let mut cited = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            cited.push(',');
        }
        cited.push(d);
    }
    let cited = format!("{cited} seeded random cases");
    for doc in ["README.md", "BENCHMARKS.md", "docs/compatibility.md"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{doc}: {e}"));
        assert!(
            text.contains(&cited),
            "{doc} should say \"{cited}\", the number tests/replay_differential checks"
        );
    }
}
