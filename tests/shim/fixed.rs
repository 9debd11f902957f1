//! Our shim against a server in the test: the request's bytes, and what each reply makes of
//! the shim.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use capturemock::python_literal::{parse_str_dict, parse_str_list};

use super::*;

const LIMIT: Duration = Duration::from_secs(20);

/// A server for one exchange: returns its address and a handle that gives the request.
fn serve_once(reply: &'static [u8]) -> (String, JoinHandle<Vec<u8>>) {
    let (listener, address) = listen();
    let handle = std::thread::spawn(move || {
        let (mut stream, request) = accept_request(&listener);
        stream.write_all(reply).expect("write the reply");
        request
    });
    (address, handle)
}

/// Runs `mytool args` by name through `dir/shims` against `address`, with a small fixed
/// environment plus `extra`, in `dir`.
fn run_mytool(
    dir: &Path,
    address: &str,
    args: &[&OsStr],
    extra: &[(&str, &OsStr)],
) -> (u32, Output) {
    let shims = our_shims(dir, &["mytool"]);
    let path = format!("{}:/usr/bin:/bin", shims.display());
    let mut env: Vec<(&str, &OsStr)> = vec![
        ("PATH", OsStr::new(&path)),
        ("CAPTUREMOCK_SERVER", OsStr::new(address)),
    ];
    env.extend_from_slice(extra);
    let child = spawn("mytool", args, &env, dir);
    let pid = child.id();
    (pid, finish(child, LIMIT))
}

/// The four parts of a request, read with our own literal parser.
struct Request {
    argv: Vec<Vec<u8>>,
    env: Vec<(Vec<u8>, Vec<u8>)>,
    cwd: String,
    pid: u32,
}

fn parse_request(bytes: &[u8]) -> Request {
    let text = std::str::from_utf8(bytes).expect("the request is UTF-8");
    let body = text
        .strip_prefix("SUT_COMMAND_LINE:")
        .unwrap_or_else(|| panic!("not a command line: {text}"));
    let parts: Vec<&str> = body.split(":SUT_SEP:").collect();
    assert_eq!(parts.len(), 4, "{text}");
    assert!(!text.ends_with('\n'), "no newline at the end");
    Request {
        argv: parse_str_list(parts[0]).unwrap_or_else(|e| panic!("{e}: {}", parts[0])),
        env: parse_str_dict(parts[1]).unwrap_or_else(|e| panic!("{e}: {}", parts[1])),
        cwd: parts[2].to_string(),
        pid: parts[3].parse().expect("pid"),
    }
}

#[test]
fn request_carries_argv_environment_physical_cwd_and_pid() {
    let dir = scratch("request");
    // The working directory is reached through a symbolic link: the shim sends the
    // physical one, as getcwd() gives it.
    let real = dir.join("real-cwd");
    std::fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink(&real, dir.join("linked-cwd")).unwrap();
    let (address, server) = serve_once(b"out\n|TT_CMD_SEP|err\n|TT_CMD_SEP|3");

    let not_utf8 = OsString::from_vec(b"caf\xe9 \xff".to_vec());
    let args: Vec<&OsStr> = vec![
        OsStr::new("a b"),
        OsStr::new("it's \"q\""),
        OsStr::new(""),
        OsStr::new("back\\slash\nnewline\ttab"),
        OsStr::new("é😀"),
        &not_utf8,
        OsStr::new("x:SUT_SEP:y"),
    ];
    let shims = dir.join("shims");
    let path = format!("{s}:/usr/bin:{s}/:/bin:{s}/.", s = shims.display());
    let env: Vec<(&str, &OsStr)> = vec![
        ("PATH", OsStr::new(&path)),
        ("CAPTUREMOCK_SERVER", OsStr::new(&address)),
        ("QUOTED", OsStr::new("it's")),
        ("RAW", &not_utf8),
    ];
    let shims = our_shims(&dir, &["mytool"]);
    let child = spawn("mytool", &args, &env, &dir.join("linked-cwd"));
    let pid = child.id();
    let output = finish(child, LIMIT);
    let request = parse_request(&server.join().unwrap());

    assert_eq!(output.stdout, b"out\n", "{}", describe(&output));
    assert_eq!(output.stderr, b"err\n", "{}", describe(&output));
    assert_eq!(output.status.code(), Some(3), "{}", describe(&output));

    let shim_path = shims.join("mytool");
    let mut argv: Vec<&[u8]> = vec![shim_path.as_os_str().as_bytes()];
    argv.extend(args.iter().map(|a| a.as_bytes()));
    assert_eq!(request.argv, argv);
    // Command sorts the environment it was given; the shim keeps environ's order.
    let expected: Vec<(&[u8], &[u8])> = vec![
        (b"CAPTUREMOCK_SERVER", address.as_bytes()),
        (b"PATH", b"/usr/bin:/bin"),
        (b"QUOTED", b"it's"),
        (b"RAW", not_utf8.as_bytes()),
    ];
    let sent: Vec<(&[u8], &[u8])> = request
        .env
        .iter()
        .map(|(n, v)| (n.as_slice(), v.as_slice()))
        .collect();
    assert_eq!(sent, expected);
    assert_eq!(Path::new(&request.cwd), real.canonicalize().unwrap());
    assert_eq!(request.pid, pid);
}

#[test]
fn shim_run_by_its_path_sends_that_path() {
    let dir = scratch("by-path");
    let shims = our_shims(&dir, &["mytool"]);
    let (address, server) = serve_once(b"|TT_CMD_SEP||TT_CMD_SEP|0");
    let path = format!("/bin:{}", shims.display());
    let child = spawn(
        shims.join("mytool"),
        &[],
        &[
            ("PATH", OsStr::new(&path)),
            ("CAPTUREMOCK_SERVER", OsStr::new(&address)),
        ],
        &dir,
    );
    let output = finish(child, LIMIT);
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!((output.stdout.len(), output.stderr.len()), (0, 0));
    let request = parse_request(&server.join().unwrap());
    assert_eq!(request.argv, [shims.join("mytool").as_os_str().as_bytes()]);
    let sent_path = request.env.iter().find(|(n, _)| n == b"PATH");
    assert_eq!(sent_path.map(|(_, v)| v.as_slice()), Some(&b"/bin"[..]));
}

#[test]
fn status_130_is_a_plain_exit_status() {
    let dir = scratch("status-130");
    let (address, server) = serve_once(b"^C\n|TT_CMD_SEP||TT_CMD_SEP|130");
    let (_, output) = run_mytool(&dir, &address, &[], &[]);
    server.join().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", describe(&output));
    assert_eq!(output.stdout, b"^C\n");
}

#[test]
fn negative_status_is_a_real_death_by_that_signal() {
    let dir = scratch("minus-15");
    let (address, server) = serve_once(b"sleeping 100\n|TT_CMD_SEP|bye\n|TT_CMD_SEP|-15");
    let (_, output) = run_mytool(&dir, &address, &[OsStr::new("100")], &[]);
    server.join().unwrap();
    assert!(killed_by(output.status, 15), "{}", describe(&output));
    assert_eq!(output.stdout, b"sleeping 100\n");
    assert_eq!(output.stderr, b"bye\n");
}

#[test]
fn reply_not_in_three_parts_is_shown_and_exits_0() {
    for (reply, shown) in [
        (&b"garbage"[..], "garbage"),
        (b"", ""),
        (b"a|TT_CMD_SEP|b", "a|TT_CMD_SEP|b"),
    ] {
        let dir = scratch("unexpected");
        let reply: &'static [u8] = Box::leak(reply.to_vec().into_boxed_slice());
        let (address, server) = serve_once(reply);
        let (_, output) = run_mytool(&dir, &address, &[], &[]);
        server.join().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
        assert_eq!(output.stdout, b"");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("Received unexpected communication from MIM server:\n '{shown}'\n\n")
        );
    }
}

#[test]
fn mismatch_reply_of_the_reference_server_is_three_lines_and_exit_1() {
    let dir = scratch("mismatch");
    let (address, server) = serve_once(
        b"CAPTUREMOCK MISMATCH: Could not find any replay request matching '<-CMD:mytool x y'",
    );
    let (_, output) = run_mytool(&dir, &address, &[], &[]);
    server.join().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "Replayed calls do not match those recorded.\n\
         Could not find any replay request matching '<-CMD:mytool x y'\n\
         Either rerun with capturemock in record mode or update the stored mock file by hand.\n"
    );
}

#[test]
fn no_server_is_one_line_and_exit_1() {
    let dir = scratch("no-server");
    // A port that was just free: nothing listens there now.
    let refused = listen().1;
    let cases: [(Option<&str>, String); 4] = [
        (
            Some(&refused),
            format!(
                "capturemock shim 'mytool': cannot reach the capturemock server at {refused}: "
            ),
        ),
        (
            None,
            "capturemock shim 'mytool': CAPTUREMOCK_SERVER is not set".to_string(),
        ),
        (
            Some(""),
            "capturemock shim 'mytool': CAPTUREMOCK_SERVER=\"\" is not host:port".to_string(),
        ),
        (
            Some("localhost"),
            "capturemock shim 'mytool': CAPTUREMOCK_SERVER=\"localhost\" is not host:port"
                .to_string(),
        ),
    ];
    let shims = our_shims(&dir, &["mytool"]);
    let path = format!("{}:/bin", shims.display());
    for (server, start) in cases {
        let mut env = vec![("PATH", OsStr::new(&path))];
        if let Some(server) = server {
            env.push(("CAPTUREMOCK_SERVER", OsStr::new(server)));
        }
        let output = finish(spawn("mytool", &[], &env, &dir), LIMIT);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
        assert!(
            stderr.starts_with(&start),
            "{stderr:?} should start {start:?}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
        assert!(stderr.ends_with('\n'));
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn sigterm_while_waiting_is_passed_on_and_the_real_status_comes_back() {
    let dir = scratch("kill");
    let (listener, address) = listen();
    let (arrived, request_arrived) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || {
        let (mut first, request) = accept_request(&listener);
        let pid = parse_request(&request).pid;
        // The test kills the shim once it knows the request has arrived.
        arrived.send(()).unwrap();
        let (_, kill) = accept_request(&listener);
        first.write_all(b"|TT_CMD_SEP||TT_CMD_SEP|-15").unwrap();
        (pid, kill)
    });
    let shims = our_shims(&dir, &["mytool"]);
    let path = format!("{}:/bin", shims.display());
    let child = spawn(
        "mytool",
        &[OsStr::new("100")],
        &[
            ("PATH", OsStr::new(&path)),
            ("CAPTUREMOCK_SERVER", OsStr::new(&address)),
        ],
        &dir,
    );
    // Once the request is out (the shim then waits for its reply), SIGTERM the shim.
    request_arrived
        .recv_timeout(LIMIT)
        .expect("the request arrives");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let pid = child.id();
    let output = finish(child, LIMIT);
    let (request_pid, kill) = server.join().unwrap();
    assert_eq!(request_pid, pid);
    assert_eq!(
        String::from_utf8(kill).unwrap(),
        format!("SUT_COMMAND_KILL:15:SUT_SEP:{pid}")
    );
    assert!(killed_by(output.status, 15), "{}", describe(&output));
}
