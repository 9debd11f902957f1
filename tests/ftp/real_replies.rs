//! What the client sees through our proxy: the real server's replies (recorded, then
//! replayed), not those of a local server over the edit directory as in the reference;
//! `NLST` listings, which the reference cannot forward; uploads refused with a reason.

use super::{ftp_scratch, pyftpdlib_available, RealFtpServer};
use crate::server::harness::{ours, read, write};

/// A strict client: changes into `sub` (only the real server has it), lists it by name,
/// tries an upload, and prints what it saw.
const SESSION: &str = r#"
import ftplib, io, json, os
host, port = os.environ["CAPTUREMOCK_SERVER"].split(":")
seen = []
with ftplib.FTP() as ftp:
    ftp.connect(host, int(port), timeout=10)
    ftp.login("alice", "secret")
    seen.append(ftp.cwd("sub"))
    seen.append(ftp.pwd())
    seen.append(ftp.nlst())
    try:
        ftp.storbinary("STOR up.txt", io.BytesIO(b"data"))
        raise SystemExit("the upload was accepted")
    except ftplib.error_perm as e:
        seen.append(str(e))
    ftp.quit()
print(json.dumps(seen))
"#;

#[test]
fn the_client_sees_the_real_replies_and_nlst_listings_in_record_and_replay() {
    if !pyftpdlib_available() {
        return;
    }
    let dir = ftp_scratch("real-replies");
    std::fs::create_dir(dir.join("real/sub")).expect("sub");
    write(&dir, "real/sub/a.txt", "a");
    write(&dir, "session.py", SESSION);
    let announce = |address: &str| {
        format!(
            "import ftplib, io, os, subprocess, sys\n\
             host, port = os.environ['CAPTUREMOCK_SERVER'].split(':')\n\
             with ftplib.FTP() as ftp:\n    ftp.connect(host, int(port), timeout=10)\n    \
             ftp.login('capturemock', 'capturemock')\n    \
             ftp.storbinary('STOR SUT_SERVER={address}', io.BytesIO(b''))\n\
             sys.exit(subprocess.run([sys.executable, 'session.py']).returncode)\n"
        )
    };
    let server = RealFtpServer::start(&dir);
    write(&dir, "run.py", &announce(&server.address));
    let args = [
        "-m", "1", "-r", "out.mock", "-F", "edits", "-R", "ftp.rc", "python3", "run.py",
    ];
    let recorded_run = ours(&dir, &args);
    drop(server);
    assert_eq!(recorded_run.status, Some(0), "{}", recorded_run.stderr);
    let seen = recorded_run
        .stdout
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        seen,
        r#"["250 \"/sub\" is the current directory.", "/sub", ["a.txt"], "502 capturemock: uploads are not recorded by this FTP proxy (only SUT_SERVER= announcements)"]"#
    );
    let recorded = read(&dir, "out.mock").expect("record file");
    assert!(
        recorded.contains("<-CLI:NLST\n->LST:['a.txt']\n->SRV:226 Transfer complete.\n"),
        "{recorded}"
    );
    assert!(!recorded.contains("STOR"), "{recorded}");

    // Replayed with the real server gone (the announcement names a dead address).
    write(&dir, "run.py", &announce("127.0.0.1:1"));
    let replayed = ours(
        &dir,
        &[
            "-m", "0", "-p", "out.mock", "-f", "edits", "-R", "ftp.rc", "python3", "run.py",
        ],
    );
    assert_eq!(replayed.status, Some(0), "{}", replayed.stderr);
    assert_eq!(replayed.stdout.lines().last().unwrap_or_default(), seen);
}
