//! Tests that compare with Python or with the reference run one `python3` process per batch of
//! cases: this starts it, feeds it the input and returns what it printed.

use std::io::Write;
use std::process::{Command, Stdio};
use std::string::String;

/// Runs `script` (`python3 -c`) with `input` on its stdin and returns its stdout.
///
/// Without `python3` the comparison is skipped with a notice (`None`), unless
/// `CAPTUREMOCK_REQUIRE_REFERENCE` is set, as CI sets it: then a missing interpreter fails the
/// test instead of letting it pass without comparing anything.
pub(crate) fn run(script: &str, input: String) -> Option<String> {
    let child = Command::new("python3")
        .args(["-c", script])
        .env("PYTHONUTF8", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CAPTUREMOCK_REQUIRE_REFERENCE").is_none(),
                "CAPTUREMOCK_REQUIRE_REFERENCE is set but python3 is not installed"
            );
            std::eprintln!("note: python3 not found; comparison with Python skipped");
            return None;
        }
        Err(e) => panic!("cannot start python3: {e}"),
    };
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("python3 output");
    writer
        .join()
        .expect("writer thread")
        .expect("write to python3");
    assert!(output.status.success(), "the python3 script failed");
    Some(String::from_utf8(output.stdout).expect("utf-8 from python3"))
}
