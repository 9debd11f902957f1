//! The reference and our binary record the same client session into identical files, and
//! each replays the other's file with the real server gone.

use super::{read, reference_available, setup, upstream, RC};
use crate::server::harness::{ours_with_env, reference_with_env, Run};

/// Runs one of the two tools (`ours_with_env` or `reference_with_env`).
type Tool = fn(&std::path::Path, &[&str], &[(&str, &str)]) -> Run;

/// Runs `session.py scenario` through `tool` with `args` (mode and files) before it.
fn run(tool: Tool, dir: &std::path::Path, args: &[&str], scenario: &str, upstream: &str) -> Run {
    let mut all = args.to_vec();
    all.extend(["-R", "xmlrpc.rc", "python3", "session.py", scenario]);
    let run = tool(dir, &all, &[("UPSTREAM", upstream)]);
    assert_eq!(run.status, Some(0), "run failed: {run:?}");
    assert!(
        !run.stdout.is_empty(),
        "the session printed nothing: {run:?}"
    );
    run
}

/// Records `scenario` against the real server at `upstream` with both tools, the reference
/// into `reference.mock` and ours into `ours.mock`, and returns what the client saw, which
/// must be the same under both.
fn record_with_both(dir: &std::path::Path, scenario: &str, upstream: &str) -> String {
    let theirs = run(
        reference_with_env,
        dir,
        &["-m", "1", "-r", "reference.mock"],
        scenario,
        upstream,
    );
    let ours = run(
        ours_with_env,
        dir,
        &["-m", "1", "-r", "ours.mock"],
        scenario,
        upstream,
    );
    assert_eq!(
        ours.stdout, theirs.stdout,
        "the client saw different outcomes"
    );
    ours.stdout
}

#[test]
fn both_record_the_same_session_into_identical_files_and_replay_each_others() {
    if !reference_available() {
        return;
    }
    let dir = setup("interop", RC);
    let live = {
        let real = upstream(&dir);
        record_with_both(&dir, "main", &real.url)
    };
    let reference_file = read(&dir, "reference.mock");
    assert_eq!(
        read(&dir, "ours.mock"),
        reference_file,
        "record files differ"
    );
    // The session covers what it means to: a fault, a split string, a wrapped dict.
    for line in [
        "<-CLI:pow(2, 3)\n->SRV:8\n",
        "<-CLI:ident('a)b')\n->SRV:'a,)b'\n",
        "<-CLI:count(datetime.datetime(2020, 1, 2, 3, 4, 5), datetime.datetime(2020, 1, 2, 0, 0), [b'\\x00\\'\"'])\n->SRV:3\n",
        "->SRV:raise xmlrpclib.Fault(7, 'nope')\n",
        "<-CLI:nothing()\n->SRV:None\n",
        "->SRV:('word word",
        "->SRV:{'k000': ['xxxxxxxxxx', 0, 0.0, {'a': '', 'z': True}],\n 'k001'",
    ] {
        assert!(reference_file.contains(line), "{line:?} not in\n{reference_file}");
    }

    // The real server is gone: each replays the other's file and the client sees the same.
    let ours = run(
        ours_with_env,
        &dir,
        &["-m", "0", "-p", "reference.mock", "-r", "ours-again.mock"],
        "main",
        "",
    );
    let theirs = run(
        reference_with_env,
        &dir,
        &["-m", "0", "-p", "ours.mock", "-r", "reference-again.mock"],
        "main",
        "",
    );
    assert_eq!(ours.stdout, live);
    assert_eq!(theirs.stdout, live);
    // Our replay writes faults as recorded; the reference drops their `raise` (pitfall 14).
    assert_eq!(
        read(&dir, "ours-again.mock"),
        reference_file,
        "our replay drifted"
    );
    assert_eq!(
        read(&dir, "reference-again.mock"),
        reference_file.replace("->SRV:raise xmlrpclib.Fault(", "->SRV:xmlrpclib.Fault("),
    );
    // And a file the reference wrote in replay, faults without `raise`, replays as faults.
    let again = run(
        ours_with_env,
        &dir,
        &["-m", "0", "-p", "reference-again.mock", "-r", "third.mock"],
        "main",
        "",
    );
    assert_eq!(again.stdout, live);
}

#[test]
fn without_record_for_client_both_flip_the_directions_alike() {
    if !reference_available() {
        return;
    }
    let dir = setup("flipped", "[general]\nserver_protocol = xmlrpc\n");
    let real = upstream(&dir);
    record_with_both(&dir, "main", &real.url);
    let reference_file = read(&dir, "reference.mock");
    assert!(reference_file
        .starts_with("<-SRV:setServerLocation(<address>)\n->CLI:pow(2, 3)\n<-SRV:8\n"));
    assert_eq!(read(&dir, "ours.mock"), reference_file);
    // Such a file holds its calls as `->CLI:` entries, which a replay reads as responses.
    let replay = run(
        ours_with_env,
        &dir,
        &["-m", "0", "-p", "reference.mock"],
        "main",
        "http://127.0.0.1:9",
    );
    assert!(
        replay
            .stdout
            .starts_with("pow FAULT -32400 'capturemock: no recorded call answers this one"),
        "{replay:?}"
    );
}

#[test]
fn dates_and_binaries_are_recorded_so_that_both_replay_them() {
    if !reference_available() {
        return;
    }
    let dir = setup("values", RC);
    let live = {
        let real = upstream(&dir);
        run(
            ours_with_env,
            &dir,
            &["-m", "1", "-r", "ours.mock"],
            "values",
            &real.url,
        )
        .stdout
    };
    // The reference writes `<DateTime '...' at 0x7f...>`, which nothing can read back.
    assert_eq!(
        read(&dir, "ours.mock"),
        "<-CLI:when()\n->SRV:xmlrpclib.DateTime('20200102T03:04:05')\n\
         <-CLI:blob()\n->SRV:xmlrpclib.Binary(b\"\\x00\\x01hi'\\xff\")\n\
         <-CLI:mixed()\n->SRV:[xmlrpclib.DateTime('20211231T23:59:00'), {'b': xmlrpclib.Binary(b'ok')}]\n\
         <-CLI:ident(2147483647)\n->SRV:2147483647\n"
    );
    assert!(
        live.contains("when -> DateTime('20200102T03:04:05')"),
        "{live}"
    );
    let ours = run(
        ours_with_env,
        &dir,
        &["-m", "0", "-p", "ours.mock", "-r", "again.mock"],
        "values",
        "",
    );
    let theirs = run(
        reference_with_env,
        &dir,
        &["-m", "0", "-p", "ours.mock", "-r", "theirs.mock"],
        "values",
        "",
    );
    assert_eq!(ours.stdout, live);
    assert_eq!(theirs.stdout, live);
    assert_eq!(read(&dir, "again.mock"), read(&dir, "ours.mock"));
}

/// Calls whatever `python3 unanswered.py` is given, printing each outcome's first line.
const UNANSWERED: &str = r#"
import os, xmlrpc.client
proxy = xmlrpc.client.ServerProxy(os.environ["CAPTUREMOCK_SERVER"])
for name, args in [("pow", (2, 4)), ("unknown", (1,)), ("pow", (2, 3))]:
    try:
        print(name, "->", repr(getattr(proxy, name)(*args)))
    except xmlrpc.client.Fault as f:
        print(name, "FAULT", f.faultCode, f.faultString.splitlines()[0])
"#;

#[test]
fn what_nothing_answers_is_recorded_alike_and_answered_with_a_fault_here() {
    if !reference_available() {
        return;
    }
    let dir = setup("unanswered", RC);
    crate::server::harness::write(&dir, "unanswered.py", UNANSWERED);
    crate::server::harness::write(&dir, "one.mock", "<-CLI:pow(2, 3)\n->SRV:8\n");
    for (args, ours_said) in [
        // Replay: `pow(2, 4)` gets the best match, `unknown(1)` shares no word with anything.
        (
            vec!["-m", "0", "-p", "one.mock"],
            "pow -> 8\nunknown FAULT -32400 capturemock: no recorded call answers this one\npow -> 8\n",
        ),
        // Record mode before any setServerLocation.
        (
            vec!["-m", "1"],
            "pow FAULT -32400 capturemock: record mode, but no real server is known: call setServerLocation(url) first\n\
             unknown FAULT -32400 capturemock: record mode, but no real server is known: call setServerLocation(url) first\n\
             pow FAULT -32400 capturemock: record mode, but no real server is known: call setServerLocation(url) first\n",
        ),
    ] {
        let with = |record: &'static str| {
            let mut all = args.clone();
            all.extend(["-r", record, "-R", "xmlrpc.rc", "python3", "unanswered.py"]);
            all
        };
        let theirs = reference_with_env(&dir, &with("theirs.mock"), &[]);
        let ours = ours_with_env(&dir, &with("ours.mock"), &[]);
        // The reference answers an empty string, which a client cannot tell from a result.
        assert!(theirs.stdout.contains("unknown -> ''"), "{theirs:?}");
        assert_eq!(ours.stdout, ours_said, "{ours:?}");
        assert_eq!(read(&dir, "ours.mock"), read(&dir, "theirs.mock"), "{args:?}");
    }
}

#[test]
fn alterations_change_calls_and_results_but_not_faults_in_both() {
    if !reference_available() {
        return;
    }
    let rc = format!("{RC}alterations = upper\n[upper]\nmatch_pattern = no\nreplacement = NO\n");
    let dir = setup("alterations", &rc);
    let live = {
        let real = upstream(&dir);
        record_with_both(&dir, "main", &real.url)
    };
    let reference_file = read(&dir, "reference.mock");
    assert_eq!(read(&dir, "ours.mock"), reference_file);
    // The client got the real result; the record has the altered one, and the fault as is.
    assert!(live.contains("noargs -> 'no args'"), "{live}");
    for line in [
        "<-CLI:NOargs()\n->SRV:'NO args'\n",
        "<-CLI:fail(7, 'NOpe')\n->SRV:raise xmlrpclib.Fault(7, 'nope')\n",
    ] {
        assert!(
            reference_file.contains(line),
            "{line:?} not in\n{reference_file}"
        );
    }
    // Replayed results are sent as recorded, not altered again.
    let ours = run(
        ours_with_env,
        &dir,
        &["-m", "0", "-p", "reference.mock", "-r", "again.mock"],
        "main",
        "",
    );
    assert!(
        ours.stdout.contains("noargs -> 'NO args'"),
        "{}",
        ours.stdout
    );
    assert_eq!(read(&dir, "again.mock"), reference_file);
}
