//! The command line's failures (issue 9): a record file that cannot be written, a missing rc
//! file, nowhere to record, a program that is not found, and one line per error with each
//! cause once.

use super::harness::*;

/// `python3 client.py` sending `messages` after `args`, and writing `ran` into the scratch
/// directory first, so that a test can tell whether the program ran at all.
fn marked_client<'a>(args: &[&'a str], messages: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend([
        "sh",
        "-c",
        "touch ran && exec python3 client.py \"$@\"",
        "client",
    ]);
    all.extend(messages);
    all
}

/// Runs `-m 1 -r <record> <program>`, expecting a failure before the program starts.
fn fails_before_the_program(dir: &std::path::Path, record: &str) -> Run {
    let run = ours(
        dir,
        &marked_client(&["-m", "1", "-r", record], &["SUT_CUSTOM:a:SUT_SEP:b"]),
    );
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(
        !dir.join("ran").exists(),
        "the program must not run: {}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    run
}

#[test]
fn a_record_file_in_a_missing_directory_fails_before_the_program_runs() {
    let dir = scratch("record-missing-dir");
    let run = fails_before_the_program(&dir, "no-such-dir/x.mock");
    assert_eq!(
        run.stderr,
        "capturemock: error: cannot record to no-such-dir/x.mock: directory no-such-dir does \
         not exist (create it first)\n"
    );
    // The reference runs the program, fails the request (an empty reply), shows a traceback
    // at exit and exits 0.
    let args = with_client(
        &["-m", "1", "-r", "no-such-dir/x.mock"],
        &["SUT_CUSTOM:a:SUT_SEP:b"],
    );
    let theirs = reference(&dir, &args);
    assert_eq!(theirs.status, Some(0));
    assert_eq!(theirs.replies(), [""]);
    assert!(
        theirs.stderr.contains("FileNotFoundError"),
        "{}",
        theirs.stderr
    );
}

#[test]
fn a_record_file_under_a_regular_file_or_at_a_directory_fails_before_the_program_runs() {
    let dir = scratch("record-not-a-dir");
    write(&dir, "plain", "");
    let run = fails_before_the_program(&dir, "plain/x.mock");
    assert_eq!(
        run.stderr,
        "capturemock: error: cannot record to plain/x.mock: plain is not a directory\n"
    );
    std::fs::create_dir(dir.join("sub")).expect("mkdir");
    let run = fails_before_the_program(&dir, "sub");
    assert_eq!(
        run.stderr,
        "capturemock: error: cannot record to sub: it is a directory\n"
    );
}

/// Whether this process may create a file in `dir` (it runs as the same user as the binary).
fn can_create_in(dir: &std::path::Path) -> bool {
    let probe = dir.join("probe-from-the-test");
    let created = std::fs::File::create(&probe).is_ok();
    let _ = std::fs::remove_file(&probe);
    created
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_fails_before_the_program_runs_when_the_user_cannot_write_there() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("record-read-only");
    let ro = dir.join("ro");
    std::fs::create_dir(&ro).expect("mkdir");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let writable = can_create_in(&ro);
    let args = marked_client(&["-m", "1", "-r", "ro/x.mock"], &["SUT_CUSTOM:a:SUT_SEP:b"]);
    let run = ours(&dir, &args);
    if writable {
        // Running as root (or with CAP_DAC_OVERRIDE): permission bits do not stop this user,
        // so capturemock must not refuse what the system allows; it records.
        assert_eq!(run.status, Some(0), "{}", run.stderr);
        assert_eq!(
            read(&dir, "ro/x.mock").as_deref(),
            Some("<-CAL:a\n->RET:b\n")
        );
        // Where root can become another user, the refusal is checked as that user too.
        // Where root can become another user, the refusal is checked as that user too: a
        // new file cannot be created, and the old one (recorded just now) cannot be removed.
        let new = as_nobody(&dir, &["-m", "1", "-r", "ro/y.mock", "--", "true"]);
        let old = as_nobody(&dir, &["-m", "1", "-r", "ro/x.mock", "--", "true"]);
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).ok();
        if let (Some(new), Some(old)) = (new, old) {
            assert_eq!(new.status, Some(2), "{}", new.stderr);
            assert_eq!(
                new.stderr,
                "capturemock: error: cannot create record file ro/y.mock: Permission denied \
                 (os error 13)\n"
            );
            assert_eq!(old.status, Some(2), "{}", old.stderr);
            assert_eq!(
                old.stderr,
                "capturemock: error: cannot remove old record file ro/x.mock: Permission \
                 denied (os error 13)\n"
            );
        }
    } else {
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).ok();
        assert_eq!(run.status, Some(2), "{}", run.stderr);
        assert!(!dir.join("ran").exists(), "the program must not run");
        assert_eq!(
            run.stderr,
            "capturemock: error: cannot create record file ro/x.mock: Permission denied (os \
             error 13)\n"
        );
    }
}

/// Our binary run as user and group 65534 (nobody) through `setpriv`, when this process may
/// and can do that (`None` otherwise).
#[cfg(unix)]
fn as_nobody(dir: &std::path::Path, args: &[&str]) -> Option<Run> {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if !root {
        return None;
    }
    let output = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(binary())
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("CAPTUREMOCK_LOG")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if stderr.starts_with("setpriv:") {
        // Not allowed here (a container without the capability, a binary nobody can reach).
        return None;
    }
    Some(Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    })
}

/// A directory nobody may create files in, root included, where the system has one: sysfs.
#[cfg(target_os = "linux")]
#[test]
fn a_directory_no_user_may_write_to_fails_before_the_program_runs() {
    let sys = std::path::Path::new("/sys");
    let dir = scratch("record-sysfs");
    if !sys.is_dir() {
        // Then the path is in a missing directory, which fails the same way.
        let run = fails_before_the_program(&dir, "/sys/capturemock-test.mock");
        assert!(run.stderr.contains("does not exist"), "{}", run.stderr);
        return;
    }
    assert!(
        !can_create_in(sys),
        "this system lets this user create files in /sys"
    );
    let run = fails_before_the_program(&dir, "/sys/capturemock-test.mock");
    assert!(
        run.stderr.starts_with(
            "capturemock: error: cannot create record file /sys/capturemock-test.mock: "
        ),
        "{}",
        run.stderr
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_record_file_that_fails_during_the_run_is_reported_at_the_end_with_what_was_lost() {
    let full = std::path::Path::new("/dev/full");
    assert!(full.exists(), "/dev/full is missing");
    let dir = scratch("record-dev-full");
    let messages = ["SUT_CUSTOM:a:SUT_SEP:1", "SUT_CUSTOM:b:SUT_SEP:2"];
    let run = ours(
        &dir,
        &with_client(&["-m", "1", "-r", "/dev/full"], &messages),
    );
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    // The program ran and was answered.
    assert_eq!(run.replies(), ["1", "2"]);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        "capturemock: error: 2 exchange(s) could not be written to the record file /dev/full, \
         which is incomplete: No space left on device (os error 28)",
        "{}",
        run.stderr
    );
    // The device is written to, never removed like an old record file.
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::metadata(full).expect("/dev/full").file_type();
    assert!(kind.is_char_device());
    // The reference: an empty reply, a traceback at exit, status 0.
    let theirs = reference(
        &dir,
        &with_client(&["-m", "1", "-r", "/dev/full"], &messages[..1]),
    );
    assert_eq!(theirs.status, Some(0));
    assert_eq!(theirs.replies(), [""]);
    assert!(
        theirs.stderr.contains("No space left on device"),
        "{}",
        theirs.stderr
    );

    // A failing program's status still wins; the loss is still said.
    let mut args = vec!["-m", "1", "-r", "/dev/full", "sh", "-c"];
    args.push("python3 client.py SUT_CUSTOM:a:SUT_SEP:1; exit 3");
    let run = ours(&dir, &args);
    assert_eq!(run.status, Some(3), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("1 exchange(s) could not be written to the record file /dev/full"),
        "{}",
        run.stderr
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_exchange_cut_short_by_a_write_error_is_taken_out_of_the_record_file() {
    let dir = scratch("record-cut-short");
    // A file-size limit of one block (512 or 1,024 bytes, as the shell counts them), with the
    // signal that would kill the writer ignored, so that writing past it fails with EFBIG:
    // the first exchange fits, the second is cut off part-way, and once that part is taken
    // out again the third fits too.
    let long = "x".repeat(4000);
    let second = format!("SUT_CUSTOM:b:SUT_SEP:{long}");
    let messages = [
        "SUT_CUSTOM:a:SUT_SEP:1",
        second.as_str(),
        "SUT_CUSTOM:c:SUT_SEP:3",
    ];
    let mut args = vec![
        "-c",
        "trap '' XFSZ; ulimit -f 1 && exec \"$@\"",
        "sh",
        binary().to_str().expect("a UTF-8 path"),
    ];
    args.extend(with_client(&["-m", "1", "-r", "out.mock"], &messages));
    let run = run_program(&dir, "sh", &args, &[]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert_eq!(run.replies(), ["1", long.as_str(), "3"]);
    assert!(
        run.stderr.contains(
            "1 exchange(s) could not be written to the record file out.mock, which is \
             incomplete: File too large (os error 27)"
        ),
        "{}",
        run.stderr
    );
    // What is there is whole: no part of the second exchange runs into the third.
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CAL:a\n->RET:1\n<-CAL:c\n->RET:3\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_rc_file_gives_the_references_warning_and_the_run_goes_on() {
    let dir = scratch("missing-rc");
    let args = with_client(
        &["-m", "1", "-r", "out.mock", "-R", "nope.rc"],
        &["SUT_CUSTOM:a:SUT_SEP:b"],
    );
    let run = ours(&dir, &args);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.replies(), ["b"]);
    assert_eq!(
        run.stderr,
        "WARNING: RC file at nope.rc does not exist, ignoring.\n"
    );
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CAL:a\n->RET:b\n")
    );
    // The reference writes the same line first (and once more after the run, relayed from
    // its server process under "Error from CaptureMock Server :").
    let theirs = reference(&dir, &args);
    assert_eq!(theirs.status, Some(0), "{}", theirs.stderr);
    assert_eq!(
        theirs.stderr.lines().next(),
        Some("WARNING: RC file at nope.rc does not exist, ignoring."),
        "{}",
        theirs.stderr
    );
}

#[test]
fn recording_with_nowhere_to_record_says_so_and_still_runs() {
    let dir = scratch("nowhere-to-record");
    let run = ours(&dir, &["sh", "-c", "echo ran"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "ran\n");
    assert_eq!(
        run.stderr.trim(),
        "WARN neither a replay file (-p) nor a record file (-r) given: recording, but nothing \
         will be written"
    );
    // The reference says nothing.
    let theirs = reference(&dir, &["sh", "-c", "echo ran"]);
    assert_eq!(theirs.stdout, "ran\n");
    assert_eq!(theirs.stderr, "");
    let run = ours(&dir, &["-m", "1", "-p", "x.mock", "sh", "-c", "echo ran"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "ran\n");
    assert_eq!(
        run.stderr.trim(),
        "WARN record mode without a record file (-r): nothing will be written"
    );
    // Replaying with no record file is normal: nothing is said.
    write(&dir, "in.mock", "<-CAL:a\n->RET:b\n");
    let run = ours(&dir, &with_client(&["-p", "in.mock"], &["SUT_CUSTOM:a"]));
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "");
}

#[test]
fn a_first_argument_that_is_no_program_gets_one_line_and_127() {
    let dir = scratch("no-program");
    let run = ours(&dir, &["brdge", "--serial", "/dev/x"]);
    assert_eq!(run.status, Some(127));
    assert_eq!(
        run.stderr,
        "capturemock: no program 'brdge' found (did you mean 'capturemock bridge'?)\n"
    );
    assert_eq!(run.stdout, "");
    // The reference tries to run it: a Python traceback.
    let theirs = reference(&dir, &["brdge"]);
    assert!(
        theirs.stderr.contains("FileNotFoundError"),
        "{}",
        theirs.stderr
    );
    let run = ours(&dir, &["serial-prxy"]);
    assert_eq!(
        run.stderr,
        "capturemock: no program 'serial-prxy' found (did you mean 'capturemock serial-proxy'?)\n"
    );
    let run = ours(&dir, &["hlep"]);
    assert_eq!(
        run.stderr,
        "capturemock: no program 'hlep' found (did you mean 'capturemock help'?)\n"
    );
    let run = ours(&dir, &["xyzzy-capturemock-test"]);
    assert_eq!(run.status, Some(127));
    assert_eq!(
        run.stderr,
        "capturemock: no program 'xyzzy-capturemock-test' found\n"
    );
    // A path to a file that does not exist; after options there is no subcommand to suggest.
    let run = ours(&dir, &["-m", "1", "./brdge"]);
    assert_eq!(run.status, Some(127));
    assert_eq!(run.stderr, "capturemock: no program './brdge' found\n");
    // A path to a file that exists runs.
    write(&dir, "script.sh", "#!/bin/sh\necho script ran\n");
    let run = ours(&dir, &["-m", "1", "-r", "x.mock", "sh", "./script.sh"]);
    assert_eq!(run.stdout, "script ran\n", "{}", run.stderr);
}

#[test]
fn a_program_after_double_dash_is_run_as_given() {
    let dir = scratch("double-dash");
    let run = ours(&dir, &["-r", "x.mock", "--", "brdge"]);
    assert_eq!(run.status, Some(127));
    assert!(
        run.stderr.contains("cannot run brdge: "),
        "the system was asked to run it: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
    let run = ours(&dir, &["-r", "x.mock", "--", "sh", "-c", "echo ran"]);
    assert_eq!(run.stdout, "ran\n");
}

#[test]
fn help_as_a_subcommand_shows_the_help() {
    let dir = scratch("help-subcommand");
    let flag = ours(&dir, &["--help"]);
    let sub = ours(&dir, &["help"]);
    assert_eq!(sub.status, Some(0));
    assert_eq!(sub.stdout, flag.stdout);
    assert!(sub.stdout.contains("Exit status:"), "{}", sub.stdout);
    let flag = ours(&dir, &["bridge", "--help"]);
    let sub = ours(&dir, &["help", "bridge"]);
    assert_eq!(sub.status, Some(0));
    assert_eq!(sub.stdout, flag.stdout);
    let flag = ours(&dir, &["serial-proxy", "--help"]);
    let sub = ours(&dir, &["help", "serial-proxy"]);
    assert_eq!(sub.stdout, flag.stdout);
    let run = ours(&dir, &["help", "nope"]);
    assert_eq!(run.status, Some(2));
    assert!(run.stderr.contains("no help for 'nope'"), "{}", run.stderr);
}

#[test]
fn errors_show_each_cause_once() {
    let dir = scratch("error-chain");
    std::fs::create_dir(dir.join("dir.mock")).expect("mkdir");
    let run = ours(&dir, &["-p", "dir.mock", "true"]);
    assert_eq!(run.status, Some(2));
    assert_eq!(
        run.stderr,
        "capturemock: error: cannot read replay file dir.mock: Is a directory (os error 21)\n"
    );
    write(
        &dir,
        "bad.rc",
        "[general]\nalterations = a\n[a]\nmatch_pattern = (\nreplacement = x\n",
    );
    let run = ours(&dir, &["-R", "bad.rc", "-r", "x.mock", "true"]);
    assert_eq!(run.status, Some(2));
    assert_eq!(
        run.stderr,
        "capturemock: error: bad.rc:4: alteration [a]: match_pattern \"(\" is not usable: \
         missing ), unterminated subpattern at position 0\n"
    );
}
