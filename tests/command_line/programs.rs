//! Real programs, recorded through our shim and replayed without them.

use super::*;

const GREET: &str = "#!/bin/sh\necho \"hello $1\"\n";
const COUNT: &str = "#!/bin/sh\ni=1; while [ $i -le $1 ]; do echo \"line $i\"; i=$((i+1)); done\n";
const FAIL: &str = "#!/bin/sh\necho \"fail: bad thing with $*\" >&2\nexit 3\n";

/// A shell script calling three commands, one failing with stderr and status 3: the record
/// file is the reference's byte for byte, and the replay, with the commands gone from PATH,
/// prints what the real run printed.
#[test]
fn a_script_of_three_commands_records_like_the_reference_and_replays_without_them() {
    let dir = setup(
        "three-commands",
        &[("greet", GREET), ("count", COUNT), ("fail", FAIL)],
        "",
    );
    write(
        &dir,
        "script.sh",
        "greet world\ncount 3\nfail \"x y\" z\necho \"fail said $?\"\ngreet again\n",
    );
    let path = path_with_tools(&dir);
    let recorded = ours(
        &dir,
        &path,
        &args(&["-m", "1", "-r", "ours.mock"], "script.sh"),
    );
    assert_eq!(recorded.status, Some(0), "stderr: {}", recorded.stderr);
    assert_eq!(
        recorded.stdout,
        "hello world\nline 1\nline 2\nline 3\nfail said 3\nhello again\n"
    );
    assert_eq!(recorded.stderr, "fail: bad thing with x y z\n");
    let theirs = reference(
        &dir,
        &path,
        &args(&["-m", "1", "-r", "ref.mock"], "script.sh"),
    );
    assert_eq!(
        theirs.stdout, recorded.stdout,
        "reference stderr: {}",
        theirs.stderr
    );
    assert_eq!(record(&dir, "ours.mock"), record(&dir, "ref.mock"));
    assert_eq!(
        record(&dir, "ours.mock"),
        "<-CMD:greet world\n->OUT:hello world\n<-CMD:count 3\n->OUT:line 1\nline 2\nline 3\n\
         <-CMD:fail \"x y\" z\n->ERR:fail: bad thing with x y z\n->EXC:3\n<-CMD:greet again\n\
         ->OUT:hello again\n"
    );

    let replayed = ours(
        &dir,
        &path_without_tools(),
        &args(
            &["-m", "0", "-p", "ours.mock", "-r", "replayed.mock"],
            "script.sh",
        ),
    );
    assert_eq!(replayed.status, Some(0), "stderr: {}", replayed.stderr);
    assert_eq!(replayed.stdout, recorded.stdout);
    assert_eq!(replayed.stderr, recorded.stderr);
    // The replay's own record is the same: no drift.
    assert_eq!(record(&dir, "replayed.mock"), record(&dir, "ours.mock"));
}

/// Calls from background jobs are recorded in the order the server accepted them, not the
/// order they finished, as the reference records them. The real `slow` leaves a mark when it
/// starts, which the script waits for, so the background call is accepted first however
/// loaded the machine is.
#[test]
fn concurrent_calls_are_recorded_in_accept_order() {
    let slow = "#!/bin/sh\ntouch \"started.$1\"\nsleep \"$1\"\necho \"slept $1\"\n";
    let dir = setup("concurrent", &[("slow", slow)], "");
    write(
        &dir,
        "record.sh",
        "slow 2 &\nwhile [ ! -e started.2 ]; do sleep 0.05; done\nslow 0\nwait\n",
    );
    let recorded = ours(
        &dir,
        &path_with_tools(&dir),
        &args(&["-m", "1", "-r", "ours.mock"], "record.sh"),
    );
    let stdout = recorded.stdout.as_str();
    assert_eq!(stdout, "slept 0\nslept 2\n", "stderr: {}", recorded.stderr);
    assert_eq!(
        record(&dir, "ours.mock"),
        "<-CMD:slow 2\n->OUT:slept 2\n<-CMD:slow 0\n->OUT:slept 0\n"
    );
    // Replayed, each call gets its own output whatever the order.
    write(
        &dir,
        "replay.sh",
        "slow 2 > out.2 &\nslow 0\nwait\ncat out.2\n",
    );
    let replayed = ours(
        &dir,
        &path_without_tools(),
        &args(&["-m", "0", "-p", "ours.mock"], "replay.sh"),
    );
    let stdout = replayed.stdout.as_str();
    assert_eq!(stdout, "slept 0\nslept 2\n", "stderr: {}", replayed.stderr);
}

/// A command killed by SIGTERM through its shim: the kill reaches the real process, which
/// dies of it; the record says `->EXC:-15`, and the replay dies of SIGTERM again, at once.
/// The script signals only once the real program has started (it leaves a mark), so the
/// signal always finds the shim waiting for its answer.
#[test]
fn a_killed_command_is_recorded_and_replayed_as_a_death_by_signal() {
    let sleeper = "#!/bin/sh\necho \"sleeping $1\"\ntouch started\nexec sleep \"$1\"\n";
    let dir = setup("killed", &[("sleeper", sleeper)], "");
    write(
        &dir,
        "record.sh",
        "sleeper 30 &\npid=$!\nwhile [ ! -e started ]; do sleep 0.05; done\n\
         kill -TERM $pid\nwait $pid\necho \"status $?\"\n",
    );
    let recorded = ours(
        &dir,
        &path_with_tools(&dir),
        &args(&["-m", "1", "-r", "ours.mock"], "record.sh"),
    );
    let stdout = recorded.stdout.as_str();
    assert_eq!(
        stdout, "sleeping 30\nstatus 143\n",
        "stderr: {}",
        recorded.stderr
    );
    assert_eq!(
        record(&dir, "ours.mock"),
        "<-CMD:sleeper 30\n->OUT:sleeping 30\n->EXC:-15\n"
    );
    // Replayed, the shim dies of the recorded signal without being sent one.
    write(&dir, "replay.sh", "sleeper 30\necho \"status $?\"\n");
    let replayed = ours(
        &dir,
        &path_without_tools(),
        &args(&["-m", "0", "-p", "ours.mock"], "replay.sh"),
    );
    let stdout = replayed.stdout.as_str();
    assert_eq!(
        stdout, "sleeping 30\nstatus 143\n",
        "stderr: {}",
        replayed.stderr
    );
}

/// A real `git` session (init, add, commit, log, with fixed dates), recorded with the
/// repository's edits (`-F`), then replayed into a fresh directory (`-f`) with no `git`
/// anywhere on PATH.
#[test]
fn a_git_session_replays_without_git() {
    let dir = scratch("git-session");
    write(&dir, "rc", "[command line]\nintercepts = git\n");
    write(
        &dir,
        "git.sh",
        "mkdir -p repo && cd repo || exit 1\n\
         git -c init.defaultBranch=main init -q\n\
         echo hello > a.txt\n\
         git add a.txt\n\
         git commit -q -m 'first commit'\n\
         git log --format='%H %an %ad %s' --date=iso\n\
         git status --short\n\
         git show --stat --format=%s HEAD\n",
    );
    // Only what the script needs besides git: mkdir.
    let no_git = dir.join("no-git");
    std::fs::create_dir_all(&no_git).expect("dir");
    let mkdir = ["/usr/bin/mkdir", "/bin/mkdir"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("mkdir");
    std::os::unix::fs::symlink(mkdir, no_git.join("mkdir")).expect("link mkdir");
    let env = [
        ("GIT_AUTHOR_NAME", "Ada"),
        ("GIT_AUTHOR_EMAIL", "ada@example.com"),
        ("GIT_COMMITTER_NAME", "Ada"),
        ("GIT_COMMITTER_EMAIL", "ada@example.com"),
        ("GIT_AUTHOR_DATE", "2026-01-02T03:04:05+00:00"),
        ("GIT_COMMITTER_DATE", "2026-01-02T03:04:05+00:00"),
        ("GIT_CONFIG_NOSYSTEM", "1"),
    ];
    let run = |path: &str, args: &[&str]| {
        let mut all = env.to_vec();
        all.push(("PATH", path));
        ours_with_env(&dir, args, &all)
    };
    let recorded = run(
        "/usr/bin:/bin",
        &[
            "-m", "1", "-r", "git.mock", "-F", "edits", "-R", "rc", "--", "/bin/sh", "git.sh",
        ],
    );
    assert_eq!(recorded.status, Some(0), "stderr: {}", recorded.stderr);
    assert!(
        recorded
            .stdout
            .contains(" Ada 2026-01-02 03:04:05 +0000 first commit\n"),
        "{}",
        recorded.stdout
    );
    assert!(
        recorded.stdout.contains("a.txt | 1 +"),
        "{}",
        recorded.stdout
    );
    let mock = record(&dir, "git.mock");
    let repo = dir.join("repo").canonicalize().expect("repo");
    assert!(
        mock.starts_with(&format!(
            "<-CMD:cd {}; git -c init.defaultBranch=main init -q\n->FIL:repo\n\
             <-CMD:cd {0}; git add a.txt\n->FIL:repo.edit_2\n",
            repo.display()
        )),
        "{mock}"
    );

    std::fs::remove_dir_all(dir.join("repo")).expect("remove the repository");
    let replayed = run(
        &no_git.to_string_lossy(),
        &[
            "-m", "0", "-p", "git.mock", "-f", "edits", "-R", "rc", "--", "/bin/sh", "git.sh",
        ],
    );
    assert_eq!(replayed.status, Some(0), "stderr: {}", replayed.stderr);
    assert_eq!(replayed.stdout, recorded.stdout);
    assert_eq!(replayed.stderr, recorded.stderr);
    // The repository is back, as git left it, from the recorded edits.
    let head = std::fs::read_to_string(dir.join("repo/.git/HEAD")).expect("restored HEAD");
    assert_eq!(head, "ref: refs/heads/main\n");
}

/// Mode 2 replays the commands the replay file holds and runs and records the others; a
/// command that is not on PATH gets the reference's error, in both the reply and the record.
#[test]
fn mode_2_replays_recorded_commands_and_records_new_ones() {
    let dir = setup("mode-2", &[("greet", GREET), ("count", COUNT)], "");
    write(
        &dir,
        "rc",
        "[command line]\nintercepts = greet, count, nosuchprog\n",
    );
    write(
        &dir,
        "old.mock",
        "<-CMD:greet world\n->OUT:hello from the file\n",
    );
    write(
        &dir,
        "script.sh",
        "greet world\ncount 2\nnosuchprog -a \"x y\"\necho \"status $?\"\n",
    );
    let run = ours(
        &dir,
        &path_with_tools(&dir),
        &args(
            &["-m", "2", "-p", "old.mock", "-r", "new.mock"],
            "script.sh",
        ),
    );
    assert_eq!(
        run.stdout, "hello from the file\nline 1\nline 2\nstatus 1\n",
        "stderr: {}",
        run.stderr
    );
    assert_eq!(
        run.stderr,
        "ERROR: CaptureMock Server could not find command 'nosuchprog' in PATH\n"
    );
    assert_eq!(
        record(&dir, "new.mock"),
        "<-CMD:greet world\n->OUT:hello from the file\n<-CMD:count 2\n->OUT:line 1\nline 2\n\
         <-CMD:nosuchprog -a \"x y\"\n\
         ->ERR:ERROR: CaptureMock Server could not find command 'nosuchprog' in PATH\n->EXC:1\n"
    );
}

/// Under `use_exact_matching`, a call that was not recorded exactly fails with the
/// reference's three lines and status 1; an exact one replays.
#[test]
fn exact_matching_fails_a_call_that_was_not_recorded() {
    let dir = setup(
        "exact",
        &[("greet", GREET)],
        "[general]\nuse_exact_matching = true\n",
    );
    write(&dir, "old.mock", "<-CMD:greet world\n->OUT:hello world\n");
    write(
        &dir,
        "script.sh",
        "greet world\ngreet moon\necho \"status $?\"\n",
    );
    let run = ours(
        &dir,
        &path_without_tools(),
        &args(&["-m", "0", "-p", "old.mock"], "script.sh"),
    );
    assert_eq!(
        run.stdout, "hello world\nstatus 1\n",
        "stderr: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "Replayed calls do not match those recorded.\n\
             Could not find any replay request matching '<-CMD:greet moon'\n\
             Either rerun with capturemock in record mode or update the stored mock file by hand.\n"
        ),
        "{}",
        run.stderr
    );
}

/// A real exit status of 129 to 160, and a death by a signal that did not come through the
/// shim, make the reference's shim wait for a signal forever. Ours exits with the status, or
/// dies of the same signal, when recording and when replaying.
#[test]
fn statuses_above_128_and_deaths_by_signal_never_hang() {
    let exits = "#!/bin/sh\necho \"exiting $1\"\nexit \"$1\"\n";
    // SIGUSR1: a death by signal that leaves no core file.
    let dies = "#!/bin/sh\necho dying\nkill -USR1 $$\n";
    let dir = setup("no-hang", &[("exits", exits), ("dies", dies)], "");
    write(
        &dir,
        "script.sh",
        "exits 130\necho \"status $?\"\nexits 160\necho \"status $?\"\ndies\necho \"status $?\"\n",
    );
    let expected = "exiting 130\nstatus 130\nexiting 160\nstatus 160\ndying\nstatus 138\n";
    let recorded = ours(
        &dir,
        &path_with_tools(&dir),
        &args(&["-m", "1", "-r", "ours.mock"], "script.sh"),
    );
    assert_eq!(recorded.stdout, expected, "stderr: {}", recorded.stderr);
    assert_eq!(
        record(&dir, "ours.mock"),
        "<-CMD:exits 130\n->OUT:exiting 130\n->EXC:130\n<-CMD:exits 160\n->OUT:exiting 160\n\
         ->EXC:160\n<-CMD:dies\n->OUT:dying\n->EXC:-10\n"
    );
    let replayed = ours(
        &dir,
        &path_without_tools(),
        &args(&["-m", "0", "-p", "ours.mock"], "script.sh"),
    );
    assert_eq!(replayed.stdout, expected, "stderr: {}", replayed.stderr);
}

/// The real program reads the shim's stdin (the reference gives it the server's): all of a
/// pipe, or only what it consumes, leaving the rest to whoever reads next.
#[test]
fn the_real_program_reads_the_shims_stdin() {
    let upper = "#!/bin/sh\ntr a-z A-Z\n";
    let first_line = "#!/bin/sh\nread line\necho \"got $line\"\n";
    let dir = setup("stdin", &[("upper", upper), ("firstline", first_line)], "");
    write(
        &dir,
        "script.sh",
        "echo 'from the pipe' | upper\nprintf 'a\\nb\\n' | { firstline; cat; }\n",
    );
    let recorded = ours(
        &dir,
        &path_with_tools(&dir),
        &args(&["-m", "1", "-r", "ours.mock"], "script.sh"),
    );
    assert_eq!(
        recorded.stdout, "FROM THE PIPE\ngot a\nb\n",
        "stderr: {}",
        recorded.stderr
    );
    assert_eq!(
        record(&dir, "ours.mock"),
        "<-CMD:upper\n->OUT:FROM THE PIPE\n<-CMD:firstline\n->OUT:got a\n"
    );
}

/// A command that edits a directory tree (creates, changes, deletes, makes a link), recorded
/// with `-F`, then replayed with `-f` into the tree as it was before: the same tree results,
/// without the command.
#[test]
fn a_commands_edits_to_a_tree_are_replayed_into_a_fresh_tree() {
    let edit_tree = "#!/bin/sh\ncd \"$1\" || exit 1\necho new > created.txt\n\
                     echo changed >> kept.txt\nrm gone.txt\nmkdir -p sub/deeper\n\
                     echo deep > sub/deeper/file\nln -s created.txt link\necho \"edited $1\"\n";
    let dir = setup("edit-tree", &[("edit_tree", edit_tree)], "");
    let fresh_tree = || {
        let tree = dir.join("tree");
        let _ = std::fs::remove_dir_all(&tree);
        std::fs::create_dir_all(&tree).expect("tree");
        std::fs::write(tree.join("kept.txt"), "kept\n").expect("kept");
        std::fs::write(tree.join("gone.txt"), "gone\n").expect("gone");
    };
    // Every path under the tree with what it holds, sorted.
    let listing = || {
        let mut all = Vec::new();
        let mut dirs = vec![dir.join("tree")];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).expect("read tree") {
                let path = entry.expect("entry").path();
                let name = path
                    .strip_prefix(&dir)
                    .expect("inside")
                    .display()
                    .to_string();
                let meta = std::fs::symlink_metadata(&path).expect("metadata");
                if meta.file_type().is_symlink() {
                    let target = std::fs::read_link(&path).expect("link");
                    all.push(format!("{name} -> {}", target.display()));
                } else if meta.is_dir() {
                    all.push(format!("{name}/"));
                    dirs.push(path);
                } else {
                    let text = std::fs::read_to_string(&path).expect("file");
                    all.push(format!("{name}: {text:?}"));
                }
            }
        }
        all.sort();
        all
    };
    write(&dir, "script.sh", "edit_tree tree\n");
    fresh_tree();
    let recorded = ours(
        &dir,
        &path_with_tools(&dir),
        &args(&["-m", "1", "-r", "ours.mock", "-F", "edits"], "script.sh"),
    );
    assert_eq!(
        recorded.stdout, "edited tree\n",
        "stderr: {}",
        recorded.stderr
    );
    assert_eq!(
        record(&dir, "ours.mock"),
        "<-CMD:edit_tree tree\n->FIL:tree\n->OUT:edited tree\n"
    );
    let edited = listing();
    assert_eq!(
        edited,
        [
            "tree/created.txt: \"new\\n\"",
            "tree/kept.txt: \"kept\\nchanged\\n\"",
            "tree/link -> created.txt",
            "tree/sub/",
            "tree/sub/deeper/",
            "tree/sub/deeper/file: \"deep\\n\"",
        ]
    );

    fresh_tree();
    let replayed = ours(
        &dir,
        &path_without_tools(),
        &args(&["-m", "0", "-p", "ours.mock", "-f", "edits"], "script.sh"),
    );
    assert_eq!(
        replayed.stdout, "edited tree\n",
        "stderr: {}",
        replayed.stderr
    );
    assert_eq!(replayed.stderr, "");
    assert_eq!(listing(), edited);
}

/// Output that is not UTF-8 is recorded with our escape under types of its own, and replayed
/// byte for byte; the recording goes on after it (the reference's request fails there, and its
/// record file stops).
#[test]
fn output_that_is_not_utf8_is_recorded_and_replayed_byte_for_byte() {
    let latin1 = "#!/bin/sh\nprintf 'caf\\351 \\377 C:\\\\x41\\n'\nprintf 'bad \\200\\n' >&2\n";
    let dir = setup("not-utf8", &[("latin1", latin1), ("greet", GREET)], "");
    write(&dir, "script.sh", "latin1\ngreet after\n");
    let run = |path: &str, options: &[&str]| {
        std::process::Command::new(crate::server::harness::binary())
            .args(args(options, "script.sh"))
            .current_dir(&dir)
            .env("PATH", path)
            .env("HOME", dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run capturemock")
    };
    let recorded = run(&path_with_tools(&dir), &["-m", "1", "-r", "ours.mock"]);
    assert_eq!(recorded.stdout, b"caf\xe9 \xff C:\\x41\nhello after\n");
    assert_eq!(recorded.stderr, b"bad \x80\n");
    assert_eq!(
        record(&dir, "ours.mock"),
        "<-CMD:latin1\n->OUB:caf\\xe9 \\xff C:\\\\x41\n->ERB:bad \\x80\n\
         <-CMD:greet after\n->OUT:hello after\n"
    );
    let replayed = run(&path_without_tools(), &["-m", "0", "-p", "ours.mock"]);
    assert_eq!(replayed.stdout, recorded.stdout);
    assert_eq!(replayed.stderr, recorded.stderr);
}

/// An absolute path in `intercepts` is skipped with the reference's warning, word for word;
/// the other names are intercepted.
#[test]
fn an_absolute_intercept_is_skipped_with_the_references_warning() {
    let dir = setup("absolute", &[("greet", GREET)], "");
    write(
        &dir,
        "rc",
        "[command line]\nintercepts = /usr/bin/date, greet\n",
    );
    write(&dir, "script.sh", "greet world\n");
    let run = ours(
        &dir,
        &path_with_tools(&dir),
        &args(&["-m", "1", "-r", "ours.mock"], "script.sh"),
    );
    assert_eq!(run.stdout, "hello world\n");
    assert_eq!(
        run.stderr,
        "WARNING: Ignoring requested intercept of command '/usr/bin/date'.\n\
         CaptureMock intercepts commands via PATH and cannot do anything with absolute paths.\n"
    );
    assert_eq!(
        record(&dir, "ours.mock"),
        "<-CMD:greet world\n->OUT:hello world\n"
    );
}

/// A command marked `asynchronous` edits files after it has returned (a job it started): the
/// edit is found before the next call and recorded after the command's own output, as the
/// reference records it, and a replay restores it.
#[test]
fn asynchronous_edits_are_recorded_before_the_next_call_and_replayed() {
    let start_job = "#!/bin/sh\n(sleep 0.3; echo done > \"$1/result\") > /dev/null 2>&1 &\n\
                     echo started\n";
    let dir = setup(
        "asynchronous",
        &[("startjob", start_job), ("greet", GREET)],
        "[startjob]\nasynchronous = true\n",
    );
    write(
        &dir,
        "script.sh",
        "startjob out\nwhile [ ! -e out/result ]; do sleep 0.05; done\ngreet x\ncat out/result\n",
    );
    std::fs::create_dir_all(dir.join("out")).expect("out");
    let recorded = ours(
        &dir,
        &path_with_tools(&dir),
        &args(&["-m", "1", "-r", "ours.mock", "-F", "edits"], "script.sh"),
    );
    assert_eq!(
        recorded.stdout, "started\nhello x\ndone\n",
        "stderr: {}",
        recorded.stderr
    );
    assert_eq!(
        record(&dir, "ours.mock"),
        "<-CMD:startjob out\n->OUT:started\n->FIL:out\n<-CMD:greet x\n->OUT:hello x\n"
    );
    std::fs::remove_dir_all(dir.join("out")).expect("remove out");
    std::fs::create_dir_all(dir.join("out")).expect("out");
    let replayed = ours(
        &dir,
        &path_without_tools(),
        &args(&["-m", "0", "-p", "ours.mock", "-f", "edits"], "script.sh"),
    );
    assert_eq!(
        replayed.stdout, recorded.stdout,
        "stderr: {}",
        replayed.stderr
    );
    assert_eq!(replayed.stderr, "");
}
