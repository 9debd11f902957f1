//! Our binary and the reference on the same FTP session: identical record files and
//! downloads, and each replaying the other's recording with the real server gone.

use super::{ftp_scratch, pyftpdlib_available, RealFtpServer, LONG_NAME};
use crate::server::harness::{ours, read, reference, reference_available, write, Run};

/// What the client saw (its last line, JSON), after asserting it succeeded.
fn seen(run: &Run, who: &str) -> serde_json::Value {
    assert_eq!(
        run.status,
        Some(0),
        "{who}: the client failed\nstdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    let line = run.stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{who}: {e}: {line}\n{}", run.stderr))
}

/// One session recorded by both against one real server: the same record file byte for
/// byte, the same download kept under `-F`, the same answers to the client. Then, with the
/// real server stopped, each replays the other's recording (ours even though the client
/// still announces the dead server; the reference would connect to it and fail, so its
/// client does not announce), gives the same answers, and records the file again unchanged.
#[test]
fn the_same_session_records_byte_identically_and_each_replays_the_others_file() {
    if !pyftpdlib_available() || !reference_available("the ftp interop test") {
        return;
    }
    let (mine_dir, ref_dir) = (ftp_scratch("interop-ours"), ftp_scratch("interop-ref"));
    let server = RealFtpServer::start(&mine_dir);
    let argv = [
        "-m",
        "1",
        "-r",
        "out.mock",
        "-F",
        "edits",
        "-R",
        "ftp.rc",
        "python3",
        "client.py",
        "--announce",
        &server.address,
    ];
    let mine = seen(&ours(&mine_dir, &argv), "ours");
    let theirs = seen(&reference(&ref_dir, &argv), "reference");
    assert_eq!(
        mine, theirs,
        "the client saw different answers (ours first)"
    );
    drop(server);

    let recorded = read(&mine_dir, "out.mock").expect("our record file");
    assert_eq!(
        Some(&recorded),
        read(&ref_dir, "out.mock").as_ref(),
        "record files differ (ours first)"
    );
    for entry in [
        "<-CLI:USER alice\n->SRV:331 Username ok, send password.\n",
        "<-CLI:FEAT\n->SRV:211-Features supported:\n",
        "<-CLI:LIST\n->LST:['-rw-r--r--",
        "hello.txt',\n \"-rw-r--r--",
        "<-CLI:RETR hello.txt\n->FIL:hello.txt\n->SRV:226 Transfer complete.\n",
        "<-CLI:RETR missing.txt\n->SRV:550 No such file or directory.\n",
        "<-CLI:QUIT\n->SRV:221 Goodbye.\n",
    ] {
        assert!(recorded.contains(entry), "{entry:?} not in\n{recorded}");
    }
    // The long name's listing line, cut after white space as pformat cuts it.
    let cut = format!(" '\n '{LONG_NAME}'");
    assert!(recorded.contains(&cut), "{cut:?} not in\n{recorded}");
    assert!(!recorded.contains("capturemock"), "{recorded}");
    for dir in [&mine_dir, &ref_dir] {
        assert_eq!(
            read(dir, "edits/hello.txt").as_deref(),
            Some("hello world\n")
        );
    }

    // Each replays the other's recording; the real server is gone.
    write(&mine_dir, "in.mock", &read(&ref_dir, "out.mock").unwrap());
    write(&ref_dir, "in.mock", &recorded);
    std::fs::remove_file(ref_dir.join("edits/hello.txt")).expect("remove");
    std::fs::copy(
        mine_dir.join("edits/hello.txt"),
        ref_dir.join("edits/hello.txt"),
    )
    .expect("copy");
    let replay = [
        "-m",
        "0",
        "-p",
        "in.mock",
        "-f",
        "edits",
        "-r",
        "again.mock",
        "-R",
        "ftp.rc",
    ];
    let dead = "127.0.0.1:1";
    let mut mine_argv = replay.to_vec();
    mine_argv.extend(["python3", "client.py", "--announce", dead]);
    let mut ref_argv = replay.to_vec();
    ref_argv.extend(["python3", "client.py"]);
    assert_eq!(seen(&ours(&mine_dir, &mine_argv), "ours replaying"), mine);
    assert_eq!(
        seen(&reference(&ref_dir, &ref_argv), "reference replaying"),
        mine
    );
    for dir in [&mine_dir, &ref_dir] {
        assert_eq!(
            read(dir, "again.mock").as_ref(),
            Some(&recorded),
            "{}",
            dir.display()
        );
    }
}
