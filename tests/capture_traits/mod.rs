//! `#[capture]` end to end: traits, impl blocks and functions recorded to a file and replayed
//! from it with the real implementation absent, and the signatures it refuses (trybuild).

mod forms;
mod refused;
mod shop;

use capturemock::capture::{Mode, Session};

/// Runs `run` in a record session and then in a replay session of what it recorded (with
/// the record file of the replay, for the drift check), and returns the recorded text and
/// both results. `run` is told whether the real thing may be called.
fn record_then_replay<R: PartialEq + std::fmt::Debug>(run: impl Fn(bool) -> R) -> (String, R) {
    let dir = tempfile::tempdir().unwrap();
    let (file, again) = (dir.path().join("calls.mock"), dir.path().join("again.mock"));
    let recorded = {
        let session = Session::builder(Mode::Record)
            .record_file(&file)
            .open()
            .unwrap();
        let _in = session.enter();
        run(true)
    };
    let text = std::fs::read_to_string(&file).unwrap();
    let replayed = {
        let session = Session::builder(Mode::Replay)
            .replay_file(&file)
            .record_file(&again)
            .open()
            .unwrap();
        let _in = session.enter();
        run(false)
    };
    assert_eq!(
        replayed, recorded,
        "replay returned what the real thing did"
    );
    assert_eq!(
        std::fs::read_to_string(&again).unwrap(),
        text,
        "replay made the same calls"
    );
    (text, recorded)
}
