//! Sessions and test mocks on real files in temporary directories.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};

// Not a glob: the module's `test` attribute would shadow the built-in one.
use super::{
    capture, capture_text, current, mock_file, test_mode, try_capture, CaptureError, Mode,
    NewRequestPolicy, Session, TestMock,
};
use crate::rc::RcConfig;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Quote {
    bid: f64,
    ask: f64,
    venue: String,
}

fn quote() -> Quote {
    Quote {
        bid: 12.2,
        ask: 12.3,
        venue: "X\n<-CAL:looks like an entry".into(),
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn record_session(record: &Path) -> Session {
    Session::builder(Mode::Record)
        .record_file(record)
        .open()
        .unwrap()
}

fn replay_session(replay: &Path, record: &Path) -> Session {
    Session::builder(Mode::Replay)
        .replay_file(replay)
        .record_file(record)
        .open()
        .unwrap()
}

fn never<T>() -> T {
    panic!("replay must not call the real thing")
}

/// Records a few exchanges into `dir/recorded.mock` and returns its path.
fn recorded(dir: &Path) -> PathBuf {
    let path = dir.join("recorded.mock");
    let s = record_session(&path);
    assert_eq!(s.capture("price(ACME)", || 12.25), 12.25);
    assert_eq!(s.capture("quote(ACME)", quote), quote());
    assert_eq!(
        s.capture_text("motd()", || "hello\n".to_string()),
        "hello\n"
    );
    s.flush();
    path
}

#[test]
fn outside_a_session_capture_is_the_real_call() {
    assert!(current().is_none());
    assert_eq!(capture("anything", || 7), 7);
    assert_eq!(try_capture("anything", || "x".to_string()).unwrap(), "x");
    assert_eq!(capture_text("t", || "y".into()), "y");
}

#[test]
fn the_record_file_is_custom_client_entries_with_pretty_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = recorded(dir.path());
    assert_eq!(
        read(&path),
        "<-CAL:price(ACME)\n->RET:12.25\n\
         <-CAL:quote(ACME)\n->RET:{\n  \"bid\": 12.2,\n  \"ask\": 12.3,\n  \"venue\": \"X\\n<-CAL:looks like an entry\"\n}\n\
         <-CAL:motd()\n->RET:hello\n\\:\n"
    );
}

#[test]
fn replay_returns_the_recorded_values_and_writes_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = recorded(dir.path());
    let again = dir.path().join("again.mock");
    let s = replay_session(&path, &again);
    assert_eq!(s.capture("price(ACME)", never::<f64>), 12.25);
    assert_eq!(s.capture("quote(ACME)", never::<Quote>), quote());
    assert_eq!(s.capture_text("motd()", never), "hello\n");
    s.flush();
    assert_eq!(read(&again), read(&path));
}

#[test]
fn repeats_answer_in_order_then_with_the_first_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.mock");
    let s = record_session(&path);
    for n in 1..=3 {
        s.capture("tick()", || n);
    }
    drop(s);
    let s = replay_session(&path, &dir.path().join("seen.mock"));
    let got: Vec<i32> = (0..5).map(|_| s.capture("tick()", never)).collect();
    assert_eq!(got, [1, 2, 3, 1, 1]);
}

#[test]
fn a_changed_description_replays_the_nearest_recording() {
    let dir = tempfile::tempdir().unwrap();
    let path = recorded(dir.path());
    let seen = dir.path().join("seen.mock");
    let s = replay_session(&path, &seen);
    assert_eq!(s.capture("price(ACME, EUR)", never::<f64>), 12.25);
    s.flush();
    assert_eq!(read(&seen), "<-CAL:price(ACME, EUR)\n->RET:12.25\n");
}

#[test]
fn exact_matching_and_unrelated_descriptions_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = recorded(dir.path());
    let seen = dir.path().join("seen.mock");
    let s = Session::builder(Mode::Replay)
        .replay_file(&path)
        .record_file(&seen)
        .exact_matching(true)
        .open()
        .unwrap();
    let e = s.try_capture("price(ACME, EUR)", never::<f64>).unwrap_err();
    assert!(
        matches!(&e, CaptureError::NotRecorded { reason, .. } if reason.contains("exact")),
        "{e}"
    );
    // A trailing space does not spoil an exact match.
    assert_eq!(s.capture("price(ACME) ", never::<f64>), 12.25);
    let s = replay_session(&path, &dir.path().join("seen2.mock"));
    let e = s.try_capture("weather()", never::<f64>).unwrap_err();
    assert!(e.to_string().contains("shares a word"), "{e}");
    assert!(e.to_string().contains("\"weather()\""), "{e}");
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        s.capture("weather()", never::<f64>)
    }))
    .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with("capturemock: nothing recorded in "),
        "{message}"
    );
}

#[test]
fn a_replayed_text_of_the_wrong_type_is_a_decode_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = recorded(dir.path());
    let s = replay_session(&path, &dir.path().join("seen.mock"));
    let e = s.try_capture("quote(ACME)", never::<u32>).unwrap_err();
    assert!(matches!(e, CaptureError::Decode { .. }), "{e}");
    assert!(e.to_string().contains("\"bid\": 12.2"), "{e}");
}

#[test]
fn results_that_cannot_be_replayed_are_refused_when_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.mock");
    let s = record_session(&path);
    let e = s.try_capture("nan()", || f64::NAN).unwrap_err();
    assert!(matches!(e, CaptureError::NotReplayable { .. }), "{e}");
    assert!(e.to_string().contains("recorded as null"), "{e}");
    let mut map = HashMap::new();
    map.insert((1u8, 2u8), 3u8);
    let e = s.try_capture("map()", || map).unwrap_err();
    assert!(matches!(e, CaptureError::Encode { .. }), "{e}");
    s.capture("after()", || 1);
    s.flush();
    // Nothing is lost: the request of a result that could not be written is still there.
    assert_eq!(
        read(&path),
        "<-CAL:nan()\n->RET:null\n<-CAL:map()\n<-CAL:after()\n->RET:1\n"
    );
}

#[test]
fn empty_descriptions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = record_session(&dir.path().join("r.mock"));
    assert!(matches!(
        s.try_capture("", || 1),
        Err(CaptureError::EmptyDescription)
    ));
}

#[test]
fn replay_needs_its_file_and_must_not_record_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.mock");
    let e = Session::builder(Mode::Replay)
        .replay_file(&missing)
        .open()
        .unwrap_err();
    assert!(matches!(e, CaptureError::MissingReplayFile { .. }), "{e}");
    assert!(e.to_string().contains("record it first"), "{e}");
    let path = recorded(dir.path());
    let e = Session::builder(Mode::Replay)
        .replay_file(&path)
        .record_file(dir.path().join(".").join("recorded.mock"))
        .open()
        .unwrap_err();
    assert!(matches!(e, CaptureError::RecordOverReplay { .. }), "{e}");
    assert!(path.exists());
}

#[test]
fn mode_two_replays_like_the_reference_or_records_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let path = recorded(dir.path());
    // The reference: a file with anything in it answers everything.
    let s = Session::builder(Mode::ReplayOldRecordNew)
        .replay_file(&path)
        .open()
        .unwrap();
    assert_eq!(s.capture("price(ACME, EUR)", never::<f64>), 12.25);
    // A missing file records.
    let s = Session::builder(Mode::ReplayOldRecordNew)
        .replay_file(dir.path().join("missing.mock"))
        .open()
        .unwrap();
    assert_eq!(s.capture("price(ACME)", || 1.5), 1.5);
    // The option: record what has no exact match.
    let seen = dir.path().join("seen.mock");
    let s = Session::builder(Mode::ReplayOldRecordNew)
        .replay_file(&path)
        .record_file(&seen)
        .new_requests(NewRequestPolicy::RecordUnmatched)
        .open()
        .unwrap();
    assert_eq!(s.capture("price(ACME)", never::<f64>), 12.25);
    assert_eq!(s.capture("price(ACME, EUR)", || 11.0), 11.0);
    s.flush();
    assert_eq!(
        read(&seen),
        "<-CAL:price(ACME)\n->RET:12.25\n<-CAL:price(ACME, EUR)\n->RET:11.0\n"
    );
}

#[test]
fn a_capture_inside_a_real_call_is_part_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.mock");
    let s = record_session(&path);
    let _entered = s.enter();
    let total = capture("total()", || {
        capture("part()", || 2) + capture("part()", || 3)
    });
    assert_eq!(total, 5);
    s.flush();
    assert_eq!(read(&path), "<-CAL:total()\n->RET:5\n");
}

#[test]
fn exchanges_are_written_in_the_order_they_began() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.mock");
    let s = record_session(&path);
    let (started_tx, started_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let slow = {
        let s = s.clone();
        std::thread::spawn(move || {
            let _entered = s.enter();
            capture("slow()", || {
                started_tx.send(()).unwrap();
                go_rx.recv().unwrap();
                1
            })
        })
    };
    started_rx.recv().unwrap();
    s.capture("fast()", || 2);
    // The fast exchange waits in memory for the slow one, which began first.
    assert_eq!(read(&path), "");
    go_tx.send(()).unwrap();
    assert_eq!(slow.join().unwrap(), 1);
    assert_eq!(
        read(&path),
        "<-CAL:slow()\n->RET:1\n<-CAL:fast()\n->RET:2\n"
    );
}

#[test]
fn a_real_call_that_panics_holds_nothing_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.mock");
    let s = record_session(&path);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        s.capture("boom()", || -> u8 { panic!("real failure") })
    }));
    assert!(panicked.is_err());
    s.capture("after()", || 1);
    assert_eq!(read(&path), "<-CAL:after()\n->RET:1\n");
    assert!(!crate::capture::current::in_real_call());
}

#[test]
fn rc_alterations_apply_to_descriptions_and_results() {
    let dir = tempfile::tempdir().unwrap();
    let rc = RcConfig::from_str_named(
        "[general]\nalterations = pid\n[pid]\nmatch_pattern = pid=\\d+\nreplacement = pid=<PID>\n",
        "test.rc",
    )
    .unwrap();
    let path = dir.path().join("r.mock");
    let s = Session::builder(Mode::Record)
        .record_file(&path)
        .rc(&rc)
        .unwrap()
        .open()
        .unwrap();
    assert_eq!(
        s.capture_text("kill(pid=123)", || "killed pid=123".into()),
        "killed pid=123",
        "the real result is returned as it is"
    );
    s.flush();
    assert_eq!(
        read(&path),
        "<-CAL:kill(pid=<PID>)\n->RET:killed pid=<PID>\n"
    );
    let s = Session::builder(Mode::Replay)
        .replay_file(&path)
        .rc(&rc)
        .unwrap()
        .exact_matching(true)
        .open()
        .unwrap();
    assert_eq!(s.capture_text("kill(pid=456)", never), "killed pid=<PID>");
}

#[test]
fn async_captures_await_the_real_thing_only_when_recording() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.mock");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let s = record_session(&path);
        let v = s
            .try_capture_async("fetch()", async { vec![1, 2] })
            .await
            .unwrap();
        assert_eq!(v, [1, 2]);
        drop(s);
        let s = replay_session(&path, &dir.path().join("seen.mock"));
        let v: Vec<u8> = s
            .try_capture_async("fetch()", async { never() })
            .await
            .unwrap();
        assert_eq!(v, [1, 2]);
    });
}

#[test]
fn entered_sessions_nest() {
    let dir = tempfile::tempdir().unwrap();
    let a = record_session(&dir.path().join("a.mock"));
    let b = record_session(&dir.path().join("b.mock"));
    let ga = a.enter();
    {
        let _gb = b.enter();
        assert!(current().unwrap().same_as(&b));
    }
    assert!(current().unwrap().same_as(&a));
    drop(ga);
    assert!(current().is_none());
}

// --- the test helper ---

#[test]
fn mock_files_follow_the_test_path() {
    let dir = Path::new("m");
    assert_eq!(
        mock_file(dir, "a::b::test_prices"),
        Path::new("m/a/b/prices.mock")
    );
    assert_eq!(mock_file(dir, "prices"), Path::new("m/prices.mock"));
    assert_eq!(
        mock_file(dir, "x::test_my_test_case"),
        Path::new("m/x/my_case.mock")
    );
    assert_eq!(mock_file(dir, "test_"), Path::new("m/test_.mock"));
}

#[test]
fn the_mode_comes_from_the_environment_or_the_file() {
    assert_eq!(test_mode(None, true).unwrap(), Mode::Replay);
    assert_eq!(test_mode(None, false).unwrap(), Mode::Record);
    assert_eq!(test_mode(Some("1"), true).unwrap(), Mode::Record);
    assert_eq!(test_mode(Some("0"), false).unwrap(), Mode::Replay);
    assert_eq!(
        test_mode(Some("2"), true).unwrap(),
        Mode::ReplayOldRecordNew
    );
    let e = test_mode(Some("yes"), true).unwrap_err();
    assert!(e.to_string().starts_with("CAPTUREMOCK_MODE=\"yes\""), "{e}");
}

fn test_mock(dir: &Path, mode: Mode) -> TestMock {
    TestMock::builder()
        .dir(dir)
        .name("suite::test_prices")
        .mode(mode)
        .rc_files(Vec::<PathBuf>::new())
        .start()
}

fn code_under_test(tickers: &[&str]) -> f64 {
    tickers
        .iter()
        .map(|t| capture(format!("price({t})"), || t.len() as f64))
        .sum()
}

#[test]
fn a_test_records_then_replays_then_reports_drift() {
    let dir = tempfile::tempdir().unwrap();
    let mock = dir.path().join("suite/prices.mock");
    let drifted = dir.path().join("suite/prices.mock.tmp");

    let m = test_mock(dir.path(), Mode::Record);
    assert_eq!(m.mock_path(), mock);
    assert_eq!(code_under_test(&["A", "BB"]), 3.0);
    m.finish().unwrap();
    let recorded = read(&mock);
    assert_eq!(
        recorded,
        "<-CAL:price(A)\n->RET:1.0\n<-CAL:price(BB)\n->RET:2.0\n"
    );

    let m = test_mock(dir.path(), Mode::Replay);
    assert_eq!(code_under_test(&["A", "BB"]), 3.0);
    m.finish().unwrap();
    assert_eq!(read(&mock), recorded);

    // One call fewer is drift too (the reference lets an empty run pass).
    let m = test_mock(dir.path(), Mode::Replay);
    assert_eq!(code_under_test(&["A"]), 1.0);
    let e = m.finish().unwrap_err();
    let CaptureError::Drift { diff, actual, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(actual, &drifted);
    assert!(diff.contains("-<-CAL:price(BB)\n-->RET:2.0\n"), "{diff}");
    assert!(diff.contains("+++ this run"), "{diff}");
    assert_eq!(read(&drifted), "<-CAL:price(A)\n->RET:1.0\n");
    assert_eq!(read(&mock), recorded, "the mock file is left alone");

    // Dropped rather than finished: the drift is a panic, which fails the test.
    let panic = std::panic::catch_unwind(|| {
        let _m = test_mock(dir.path(), Mode::Replay);
        code_under_test(&["BB", "A"]);
    })
    .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with("capturemock: the exchanges of this test differ"),
        "{message}"
    );
    assert!(
        message.contains("+<-CAL:price(BB)\n+->RET:2.0\n <-CAL:price(A)"),
        "{message}"
    );

    // A clean run removes the drift file of an earlier one.
    let m = test_mock(dir.path(), Mode::Replay);
    code_under_test(&["A", "BB"]);
    m.finish().unwrap();
    assert!(!drifted.exists());
}

#[test]
fn a_failing_test_changes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = test_mock(dir.path(), Mode::Record);
    code_under_test(&["A"]);
    m.finish().unwrap();
    let before = read(&dir.path().join("suite/prices.mock"));
    let result = std::panic::catch_unwind(|| {
        let _m = test_mock(dir.path(), Mode::Record);
        code_under_test(&["CCC"]);
        panic!("the test fails");
    });
    assert!(result.is_err());
    assert_eq!(read(&dir.path().join("suite/prices.mock")), before);
}

#[test]
fn recording_nothing_proposes_an_empty_mock_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let m = test_mock(dir.path(), Mode::Record);
    code_under_test(&["A"]);
    m.finish().unwrap();
    let mock = dir.path().join("suite/prices.mock");
    let old = read(&mock);
    assert!(!old.is_empty());
    test_mock(dir.path(), Mode::Record).finish().unwrap();
    assert_eq!(read(&mock), old, "never overwritten");
    assert_eq!(read(&dir.path().join("suite/prices.mock.new")), "");
    // A missing mock that records nothing stays missing.
    let other = TestMock::builder()
        .dir(dir.path())
        .name("suite::test_quiet")
        .mode(Mode::Record)
        .rc_files(Vec::<PathBuf>::new())
        .start();
    other.finish().unwrap();
    assert!(!dir.path().join("suite/quiet.mock").exists());
}

#[test]
fn mode_two_proposes_what_it_saw_beside_the_mock_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = test_mock(dir.path(), Mode::ReplayOldRecordNew);
    code_under_test(&["A"]);
    m.finish().unwrap();
    let m = TestMock::builder()
        .dir(dir.path())
        .name("suite::test_prices")
        .mode(Mode::ReplayOldRecordNew)
        .new_requests(NewRequestPolicy::RecordUnmatched)
        .rc_files(Vec::<PathBuf>::new())
        .start();
    code_under_test(&["A", "BB"]);
    m.finish().unwrap();
    assert_eq!(
        read(&dir.path().join("suite/prices.mock")),
        "<-CAL:price(A)\n->RET:1.0\n"
    );
    assert_eq!(
        read(&dir.path().join("suite/prices.mock.new")),
        "<-CAL:price(A)\n->RET:1.0\n<-CAL:price(BB)\n->RET:2.0\n"
    );
}

#[test]
fn the_test_name_comes_from_the_harness_thread() {
    let dir = tempfile::tempdir().unwrap();
    let m = TestMock::builder()
        .dir(dir.path())
        .mode(Mode::Record)
        .rc_files(Vec::<PathBuf>::new())
        .start();
    assert_eq!(
        m.mock_path(),
        dir.path()
            .join("capture/tests/the_name_comes_from_the_harness_thread.mock")
    );
    drop(m);
    let e = std::thread::Builder::new()
        .spawn(|| {
            TestMock::builder()
                .mode(Mode::Record)
                .try_start()
                .unwrap_err()
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(
        matches!(e, CaptureError::NoTestName { thread: None }),
        "{e}"
    );
    assert!(e.to_string().contains(".name(...)"), "{e}");
}

#[test]
fn replay_mode_without_a_mock_file_says_how_to_record_it() {
    let dir = tempfile::tempdir().unwrap();
    let e = TestMock::builder()
        .dir(dir.path())
        .name("t")
        .mode(Mode::Replay)
        .try_start()
        .unwrap_err();
    assert!(matches!(e, CaptureError::MissingReplayFile { .. }), "{e}");
}

#[test]
fn threads_of_a_test_capture_into_its_session() {
    let dir = tempfile::tempdir().unwrap();
    let m = test_mock(dir.path(), Mode::Record);
    let session = m.session().clone();
    std::thread::spawn(move || {
        let _entered = session.enter();
        code_under_test(&["A"]);
    })
    .join()
    .unwrap();
    m.finish().unwrap();
    assert_eq!(
        read(&dir.path().join("suite/prices.mock")),
        "<-CAL:price(A)\n->RET:1.0\n"
    );
}

#[test]
fn the_test_mode_is_given_then_named_then_numbered_then_rc_then_once() {
    use crate::capture::{choose_mode, ModeChoice, RecordMode};
    let number = |given, named_env, mode_env, rc, exists| {
        let plan = choose_mode(given, named_env, mode_env, rc, exists).unwrap();
        (plan.mode.number(), plan.strict, plan.new_requests)
    };
    let reference = NewRequestPolicy::Reference;
    let unmatched = NewRequestPolicy::RecordUnmatched;
    // Given by the builder: first, whatever the environment and rc say.
    let given = Some(ModeChoice::Named(RecordMode::None));
    assert_eq!(
        number(given, Some("all"), Some("1"), Some(RecordMode::All), true),
        (0, true, reference)
    );
    let numbered = Some(ModeChoice::Numbered(Mode::ReplayOldRecordNew));
    assert_eq!(
        number(numbered, Some("all"), None, None, true),
        (2, false, reference)
    );
    // CAPTUREMOCK_RECORD_MODE over CAPTUREMOCK_MODE over the rc file.
    assert_eq!(
        number(None, Some("new"), Some("0"), Some(RecordMode::All), true),
        (2, false, unmatched)
    );
    assert_eq!(
        number(None, Some(" "), Some("0"), Some(RecordMode::All), true),
        (0, false, reference),
        "an empty name is unset"
    );
    assert_eq!(
        number(None, None, None, Some(RecordMode::All), true),
        (1, false, reference)
    );
    // Then once.
    assert_eq!(number(None, None, None, None, true), (0, false, reference));
    assert_eq!(number(None, None, None, None, false), (1, false, reference));
    // Bad values are errors naming the value.
    let bad = choose_mode(None, Some("often"), None, None, true).unwrap_err();
    assert!(bad.to_string().contains("not \"often\""), "{bad}");
    assert!(matches!(
        choose_mode(None, None, Some("7"), None, true),
        Err(CaptureError::BadMode { .. })
    ));
}

#[test]
fn forbidding_the_real_thing_refuses_record_sessions_and_unrecorded_captures() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("r.mock");
    let refused = Session::builder(Mode::Record)
        .record_file(&record)
        .forbid_real(true)
        .open()
        .unwrap_err();
    assert!(
        matches!(refused, CaptureError::Forbidden { .. }),
        "{refused}"
    );
    let replay = dir.path().join("p.mock");
    std::fs::write(&replay, "<-CAL:price(A)\n->RET:1.0\n").unwrap();
    let session = Session::builder(Mode::ReplayOldRecordNew)
        .replay_file(&replay)
        .new_requests(NewRequestPolicy::RecordUnmatched)
        .forbid_real(true)
        .open()
        .unwrap();
    assert_eq!(session.try_capture("price(A)", || 9.0).unwrap(), 1.0);
    let called = std::cell::Cell::new(false);
    let e = session
        .try_capture("price(B)", || {
            called.set(true);
            2.0
        })
        .unwrap_err();
    assert!(matches!(e, CaptureError::Forbidden { .. }), "{e}");
    assert!(!called.get(), "the real thing was called");
}
