//! `capturemock review` in a real terminal: the binary runs on a pseudo-terminal whose other
//! side this test reads and types into, as a person would (the terminal's line discipline,
//! echo and end-of-file included).

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::server::harness::{binary, read, scratch, write};

/// A `capturemock review` running on a pseudo-terminal.
struct Terminal {
    child: Child,
    /// Everything the program wrote (and the terminal echoed), `\r` removed.
    screen: Arc<Mutex<String>>,
    /// How far [`expect`](Self::expect) has read.
    cursor: usize,
    keyboard: File,
}

impl Terminal {
    fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Terminal {
        let pty = nix::pty::openpty(None, None).expect("openpty");
        let slave = pty.slave;
        let mut command = Command::new(binary());
        command
            .arg("review")
            .args(args)
            .current_dir(dir)
            .env_remove("NO_COLOR")
            .envs(env.iter().copied())
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        let child = command.spawn().expect("capturemock review");
        // The parent's copies of the terminal's program side go with `command`, so that reading
        // ends once the program has exited.
        drop(command);
        let mut screen_side = File::from(pty.master.try_clone().unwrap());
        let screen = Arc::new(Mutex::new(String::new()));
        let shown = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = screen_side.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).replace('\r', "");
                shown.lock().unwrap().push_str(&text);
            }
        });
        Terminal {
            child,
            screen,
            cursor: 0,
            keyboard: File::from(pty.master),
        }
    }

    /// Waits until `text` appears after what was read so far; returns what came before it.
    fn expect(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            {
                let screen = self.screen.lock().unwrap();
                if let Some(at) = screen[self.cursor..].find(text) {
                    let before = screen[self.cursor..self.cursor + at].to_string();
                    self.cursor += at + text.len();
                    return before;
                }
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} never appeared; the screen:\n{}",
                self.screen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `keys`.
    fn type_keys(&mut self, keys: &str) {
        self.keyboard.write_all(keys.as_bytes()).unwrap();
    }

    /// Waits for the program to end; its exit status and the whole screen.
    fn wait(mut self) -> (Option<i32>, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("review did not end:\n{}", self.screen.lock().unwrap());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // What it wrote last may still be on its way through the terminal.
        std::thread::sleep(Duration::from_millis(200));
        let screen = self.screen.lock().unwrap().clone();
        (status.code(), screen)
    }
}

const PROMPT: &str = "accept, reject, skip or quit? [a/r/s/q] ";

/// `n` mock files `t0.mock`... with a differing `t0.mock.new`... each; with `new_mock`, one more
/// pending file `fresh.mock.new` whose mock file does not exist yet.
fn pending_files(dir: &Path, n: usize, new_mock: bool) {
    for i in 0..n {
        write(
            dir,
            &format!("t{i}.mock"),
            &format!("<-CAL:{i}\n->RET:old\n"),
        );
        write(
            dir,
            &format!("t{i}.mock.new"),
            &format!("<-CAL:{i}\n->RET:new\n"),
        );
    }
    if new_mock {
        write(dir, "fresh.mock.new", "<-CAL:fresh\n->RET:1\n");
    }
}

#[test]
fn review_shows_coloured_diffs_and_takes_each_answer() {
    let dir = scratch("review-answers");
    pending_files(&dir, 3, true);
    let mut t = Terminal::start(&dir, &[], &[]);
    // Sorted: fresh first, then t0, t1, t2.
    let first = t.expect(PROMPT);
    assert!(first.contains("[1/4] fresh.mock (new)"), "{first}");
    assert!(
        first.contains("\x1b[32m+<-CAL:fresh\x1b[0m"),
        "green additions: {first:?}"
    );
    t.type_keys("maybe\n");
    let refused = t.expect(PROMPT);
    assert!(refused.contains("\"maybe\" is not an answer"), "{refused}");
    t.type_keys("a\n");
    let second = t.expect(PROMPT);
    assert!(second.contains("accepted fresh.mock"), "{second}");
    assert!(second.contains("[2/4] t0.mock\n"), "{second}");
    assert!(second.contains("\x1b[1m--- t0.mock\x1b[0m"), "{second:?}");
    assert!(
        second.contains("\x1b[31m-->RET:old\x1b[0m"),
        "red removals: {second:?}"
    );
    assert!(second.contains("\x1b[36m@@"), "cyan hunks: {second:?}");
    t.type_keys("r\n");
    t.expect(PROMPT);
    t.type_keys("s\n");
    t.expect(PROMPT);
    t.type_keys("accept\n");
    let (status, screen) = t.wait();
    assert_eq!(status, Some(0), "{screen}");
    assert!(
        screen.contains("2 accepted, 1 rejected, 1 still pending"),
        "{screen}"
    );
    assert_eq!(
        read(&dir, "fresh.mock").as_deref(),
        Some("<-CAL:fresh\n->RET:1\n")
    );
    assert_eq!(
        read(&dir, "t0.mock").as_deref(),
        Some("<-CAL:0\n->RET:old\n")
    );
    assert!(read(&dir, "t0.mock.new").is_none(), "rejected");
    assert!(read(&dir, "t1.mock.new").is_some(), "skipped");
    assert_eq!(
        read(&dir, "t2.mock").as_deref(),
        Some("<-CAL:2\n->RET:new\n")
    );
}

#[test]
fn no_color_and_quitting_and_end_of_input() {
    let dir = scratch("review-no-color");
    pending_files(&dir, 12, false);
    let mut t = Terminal::start(&dir, &[], &[("NO_COLOR", "1")]);
    let first = t.expect(PROMPT);
    assert!(first.contains("[1/12] t0.mock"), "{first}");
    assert!(
        !first.contains('\x1b'),
        "no colour with NO_COLOR: {first:?}"
    );
    assert!(first.contains("-->RET:old\n+->RET:new\n"), "{first}");
    t.type_keys("a\n");
    t.expect(PROMPT);
    t.type_keys("q\n");
    let (status, screen) = t.wait();
    assert_eq!(status, Some(0), "{screen}");
    assert!(
        screen.contains("1 accepted, 0 rejected, 11 still pending"),
        "{screen}"
    );
    assert_eq!(
        read(&dir, "t0.mock").as_deref(),
        Some("<-CAL:0\n->RET:new\n")
    );
    assert!(read(&dir, "t1.mock.new").is_some() && read(&dir, "t11.mock.new").is_some());
    // Ctrl-D, the terminal's end of input, quits as well.
    let mut t = Terminal::start(&dir, &["t5.mock", "t6.mock.new"], &[]);
    t.expect(PROMPT);
    t.type_keys("\x04");
    let (status, screen) = t.wait();
    assert_eq!(status, Some(0), "{screen}");
    assert!(
        screen.contains("0 accepted, 0 rejected, 2 still pending"),
        "{screen}"
    );
    // Not on a terminal: no colour, and answers from the pipe.
    let piped = Command::new(binary())
        .args(["review", "t7.mock"])
        .current_dir(&dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::from(File::open(write_answers(&dir, "r\n")).unwrap()))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&piped.stdout);
    assert_eq!(piped.status.code(), Some(0), "{out}");
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(out.contains("rejected t7.mock.new"), "{out}");
    assert!(read(&dir, "t7.mock.new").is_none());
}

/// A file of answers, for a review whose stdin is not a terminal.
fn write_answers(dir: &Path, answers: &str) -> std::path::PathBuf {
    let path = dir.join("answers.txt");
    std::fs::write(&path, answers).unwrap();
    path
}

#[test]
fn files_that_cannot_be_read_or_vanish_are_reported_and_the_rest_reviewed() {
    let dir = scratch("review-errors");
    pending_files(&dir, 3, false);
    // A pending file that cannot be read: a link to itself.
    std::os::unix::fs::symlink("odd.mock.new", dir.join("odd.mock.new")).unwrap();
    let mut t = Terminal::start(
        &dir,
        &[
            "odd.mock.new",
            "t0.mock",
            "t1.mock",
            "t2.mock",
            "nothing.mock",
        ],
        &[],
    );
    let first = t.expect(PROMPT);
    assert!(
        first.contains("[2/4] t0.mock"),
        "the unreadable one is passed: {first}"
    );
    // While t0 is shown: t1's proposal vanishes, and so does t0's own.
    std::fs::remove_file(dir.join("t1.mock.new")).unwrap();
    std::fs::remove_file(dir.join("t0.mock.new")).unwrap();
    t.type_keys("a\n");
    let third = t.expect(PROMPT);
    assert!(third.contains("[4/4] t2.mock"), "{third}");
    t.type_keys("a\n");
    let (status, screen) = t.wait();
    assert_eq!(status, Some(2), "{screen}");
    assert!(
        screen.contains("1 accepted, 0 rejected, 0 still pending"),
        "{screen}"
    );
    for said in [
        "capturemock: error: nothing.mock is not a pending file (X.new) and has none beside it",
        "capturemock: error: cannot read odd.mock.new",
        "capturemock: error: cannot move into place t0.mock.new",
        "capturemock: error: cannot read t1.mock.new",
    ] {
        assert!(screen.contains(said), "{said:?} not in:\n{screen}");
    }
    assert_eq!(
        read(&dir, "t0.mock").as_deref(),
        Some("<-CAL:0\n->RET:old\n")
    );
    assert_eq!(
        read(&dir, "t2.mock").as_deref(),
        Some("<-CAL:2\n->RET:new\n")
    );
}
