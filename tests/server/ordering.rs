//! Concurrent clients: answers and record files follow the accept order, whatever the timing.

use super::harness::*;

#[test]
fn concurrent_replay_answers_in_accept_order_every_time() {
    let replay: String = (1..=8)
        .map(|i| format!("<-CAL:next()\n->RET:answer {i}\n"))
        .collect();
    let messages = vec!["SUT_CUSTOM:next()"; 8];
    for attempt in 0..3 {
        let dir = scratch(&format!("ordered-replay-{attempt}"));
        write(&dir, "in.mock", &replay);
        let run = ours(
            &dir,
            &with_concurrent(
                &[
                    "-m",
                    "0",
                    "-p",
                    "in.mock",
                    "-r",
                    "out.mock",
                    "--fail-on-drift",
                ],
                &messages,
            ),
        );
        let expected: Vec<String> = (1..=8).map(|i| format!("answer {i}")).collect();
        assert_eq!(run.replies(), expected, "stderr: {}", run.stderr);
        assert_eq!(run.status, Some(0), "no drift expected: {}", run.stderr);
        assert_eq!(read(&dir, "out.mock").as_deref(), Some(replay.as_str()));
    }
}

#[test]
fn concurrent_recording_follows_accept_order_with_many_clients() {
    let messages: Vec<String> = (1..=40)
        .map(|i| format!("SUT_CUSTOM:req {i}:SUT_SEP:resp {i}"))
        .collect();
    let messages: Vec<&str> = messages.iter().map(String::as_str).collect();
    let dir = scratch("ordered-record");
    let run = ours(
        &dir,
        &with_concurrent(&["-m", "1", "-r", "out.mock"], &messages),
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let expected: String = (1..=40)
        .map(|i| format!("<-CAL:req {i}\n->RET:resp {i}\n"))
        .collect();
    assert_eq!(read(&dir, "out.mock").as_deref(), Some(expected.as_str()));
}
