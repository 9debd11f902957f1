//! Bad command lines from many FTP sessions at once: each is answered `500` with the reason,
//! is not recorded, and loses nothing recorded around it.

use super::{ftp_scratch, pyftpdlib_available, RealFtpServer};
use crate::server::harness::{ours, read};

/// Sessions at once.
const SESSIONS: usize = 16;

#[test]
fn bad_command_lines_get_a_500_and_lose_nothing_recorded() {
    if !pyftpdlib_available() {
        return;
    }
    let dir = ftp_scratch("bad-input");
    let server = RealFtpServer::start(&dir);
    let announce = format!("SUT_SERVER={}", server.address);
    // The announcement first, by the strict client's own means, then the raw sessions.
    let script = format!(
        "import ftplib, io, os, subprocess, sys\n\
         host, port = os.environ['CAPTUREMOCK_SERVER'].split(':')\n\
         with ftplib.FTP() as ftp:\n    ftp.connect(host, int(port), timeout=10)\n    \
         ftp.login('capturemock', 'capturemock')\n    ftp.storbinary('STOR {announce}', io.BytesIO(b''))\n\
         sys.exit(subprocess.run([sys.executable, 'bad_client.py', '{SESSIONS}']).returncode)\n"
    );
    crate::server::harness::write(&dir, "announce_then_bad.py", &script);
    let run = ours(
        &dir,
        &[
            "-m",
            "1",
            "-r",
            "out.mock",
            "-R",
            "ftp.rc",
            "python3",
            "announce_then_bad.py",
        ],
    );
    assert_eq!(
        run.status,
        Some(0),
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains(&format!("ok {SESSIONS}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("not valid UTF-8"),
        "the refusals are logged: {}",
        run.stderr
    );
    drop(server);
    let recorded = read(&dir, "out.mock").expect("record file");
    for (entry, count) in [
        (
            "<-CLI:USER alice\n->SRV:331 Username ok, send password.\n",
            SESSIONS,
        ),
        ("<-CLI:PASS secret\n->SRV:230 Login successful.\n", SESSIONS),
        (
            "<-CLI:NOOP\n->SRV:200 I successfully did nothing'.\n",
            SESSIONS,
        ),
        ("<-CLI:QUIT\n->SRV:221 Goodbye.\n", SESSIONS),
    ] {
        assert_eq!(
            recorded.matches(entry).count(),
            count,
            "{entry:?} in\n{recorded}"
        );
    }
    assert_eq!(
        recorded.lines().count(),
        SESSIONS * 8,
        "only whole exchanges:\n{recorded}"
    );
    assert!(
        !recorded.contains("N@OP") && !recorded.contains('\u{fffd}'),
        "{recorded}"
    );
}
