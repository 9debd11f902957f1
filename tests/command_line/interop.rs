//! The reference's Python shim against our server: the same record file as the reference's
//! own run, and replays that print the same.

use std::process::Command;

use super::*;
use crate::server::harness::ServerOnly;

const TOOL: &str = "#!/bin/sh\necho \"out: $*\"\necho \"err: $#\" >&2\nexit ${MYTOOL_EXIT:-0}\n";

/// The reference's shim for `name` in `dir`: a Python script calling its intercept entry
/// point, as the reference's command writes it.
fn python_shim(dir: &Path, name: &str) {
    script(
        dir,
        name,
        &format!(
            "#!{}\nfrom capturemock.capturecommand import interceptCommand\ninterceptCommand()\n",
            python().display()
        ),
    );
}

/// Runs `sh script.sh` in `dir` with `path`, talking to `server`.
fn run_script(dir: &Path, path: &str, server: &ServerOnly) -> std::process::Output {
    Command::new("sh")
        .arg("script.sh")
        .current_dir(dir)
        .env("PATH", path)
        .env("CAPTUREMOCK_SERVER", &server.address)
        .env("HOME", dir)
        .env("PYTHONUTF8", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("sh")
}

#[test]
fn the_references_shim_records_through_our_server_as_through_its_own() {
    let dir = setup(
        "python-shim",
        &[("mytool", TOOL)],
        "environment = MYTOOL_EXIT\n",
    );
    let shims = dir.join("pyshims");
    std::fs::create_dir_all(&shims).expect("shim dir");
    python_shim(&shims, "mytool");
    std::fs::create_dir_all(dir.join("sub")).expect("sub dir");
    write(
        &dir,
        "script.sh",
        "MYTOOL_EXIT=3 mytool 'a b' \"it's\"\necho \"status $?\"\nmytool\n\
         (cd sub && mytool x)\nmytool 'x:SUT_SEP:y'\n",
    );
    // The reference's own run, with its own shims.
    let tools = path_with_tools(&dir);
    let theirs = reference(
        &dir,
        &tools,
        &[
            "-m",
            "1",
            "-r",
            "ref.mock",
            "-R",
            "rc",
            "--",
            "sh",
            "script.sh",
        ],
    );

    let server = ServerOnly::start(&dir, &["-m", "1", "-r", "ours.mock", "-R", "rc"]);
    let path = format!("{}:{tools}", shims.display());
    let ours = run_script(&dir, &path, &server);
    let (status, stderr) = server.terminate();
    assert_eq!(status, Some(0), "server stderr: {stderr}");
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        "out: a b it's\nstatus 3\nout: \nout: x\nout: x:SUT_SEP:y\n"
    );
    // The reference's server breaks on the separator inside an argument: its record stops
    // being comparable there, so compare the part before it.
    let ours_record = record(&dir, "ours.mock");
    let theirs_record = record(&dir, "ref.mock");
    let cut = |text: &str| {
        text.split("<-CMD:mytool x:SUT_SEP:y")
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        cut(&ours_record),
        cut(&theirs_record),
        "reference: {}",
        theirs.stderr
    );
    let sub = dir.join("sub");
    assert_eq!(
        ours_record,
        format!(
            "<-CMD:env 'MYTOOL_EXIT=3' mytool \"a b\" it's\n->OUT:out: a b it's\n->ERR:err: 2\n\
             ->EXC:3\n<-CMD:mytool\n->OUT:out: \n->ERR:err: 0\n<-CMD:cd {}; mytool x\n\
             ->OUT:out: x\n->ERR:err: 1\n<-CMD:mytool x:SUT_SEP:y\n->OUT:out: x:SUT_SEP:y\n\
             ->ERR:err: 1\n",
            sub.canonicalize().expect("sub").display()
        )
    );

    // Replayed through the Python shim, without the tool.
    let server = ServerOnly::start(&dir, &["-m", "0", "-p", "ours.mock", "-R", "rc"]);
    let path = format!("{}:{}", shims.display(), path_without_tools());
    let replayed = run_script(&dir, &path, &server);
    let (status, stderr) = server.terminate();
    assert_eq!(status, Some(0), "server stderr: {stderr}");
    assert_eq!(replayed.stdout, ours.stdout);
    assert_eq!(replayed.stderr, ours.stderr);
}
