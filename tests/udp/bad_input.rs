//! Datagrams that cannot be served: each gets a clear error datagram, and nothing recorded
//! around it is lost, also with many clients at once (the reference stops writing its record
//! file at the first datagram that is not UTF-8).

use super::{udp_scratch, with_udp_client};
use crate::server::harness::{ours, read, reference, reference_available, write};

/// Many clients at once, each sending a request, a datagram that is not UTF-8, and the
/// request again, in replay mode with a record file: every client gets its own answers and
/// the error, and the record file holds every request with its answer.
#[test]
fn bad_datagrams_from_many_clients_are_refused_and_nothing_else_is_lost() {
    const CLIENTS: usize = 16;
    let dir = udp_scratch("bad-many", "");
    let replay: String = (0..CLIENTS)
        .map(|i| format!("<-CLI:ask {i}\n->SRV:answer {i}\n"))
        .collect();
    write(&dir, "in.mock", &replay);
    let script = format!(
        r#"
import os, subprocess, sys
procs = [subprocess.Popen([sys.executable, "udp_client.py", "1:ask %d" % i, "1:hex:ff61736b", "1:ask %d" % i],
                          stdout=subprocess.PIPE, text=True) for i in range({CLIENTS})]
for i, p in enumerate(procs):
    out, _ = p.communicate()
    assert p.returncode == 0, (i, out)
    print(out.strip())
"#
    );
    write(&dir, "many.py", &script);
    let run = ours(
        &dir,
        &[
            "-m", "0", "-p", "in.mock", "-r", "out.mock", "-R", "udp.rc", "python3", "many.py",
        ],
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), CLIENTS, "{}", run.stdout);
    for (i, line) in lines.iter().enumerate() {
        let replies: Vec<Vec<String>> = serde_json::from_str(line).expect("JSON");
        assert_eq!(replies[0], [format!("answer {i}")]);
        assert_eq!(
            replies[1],
            ["CAPTUREMOCK ERROR: request is not valid UTF-8 (invalid byte at offset 0 of the stripped datagram)"]
        );
        assert_eq!(replies[2], [format!("answer {i}")]);
    }
    assert_eq!(
        run.stderr.matches("is not valid UTF-8").count(),
        CLIENTS,
        "each bad datagram is logged: {}",
        run.stderr
    );
    let recorded = read(&dir, "out.mock").expect("record file");
    for i in 0..CLIENTS {
        let exchange = format!("<-CLI:ask {i}\n->SRV:answer {i}\n");
        assert_eq!(recorded.matches(&exchange).count(), 2, "{recorded}");
    }
    assert_eq!(recorded.lines().count(), CLIENTS * 4, "{recorded}");
}

/// The same bad datagram between two good ones under both: the reference answers the later
/// one but never records it; we record it. (Ours is also given an empty and a blank
/// datagram, which are neither answered nor recorded.)
#[test]
fn a_bad_datagram_loses_nothing_where_the_reference_stops_recording() {
    if !reference_available("the classic_udp bad-input comparison") {
        return;
    }
    let replay = "<-CLI:hello\n->SRV:hi\n<-CLI:later\n->SRV:still here\n";
    let (ours_dir, ref_dir) = (udp_scratch("bad-ours", ""), udp_scratch("bad-ref", ""));
    let args = ["-m", "0", "-p", "in.mock", "-r", "out.mock", "-R", "udp.rc"];
    for dir in [&ours_dir, &ref_dir] {
        write(dir, "in.mock", replay);
    }
    // Nor is an empty or blank datagram answered or recorded.
    let mine = ours(
        &ours_dir,
        &with_udp_client(&args, &["1:hello", "1:hex:fe", "0:", "0: \r\n ", "1:later"]),
    );
    assert_eq!(mine.status, Some(0), "{}", mine.stderr);
    assert!(
        mine.stdout
            .contains("CAPTUREMOCK ERROR: request is not valid UTF-8"),
        "{}",
        mine.stdout
    );
    assert_eq!(read(&ours_dir, "out.mock").as_deref(), Some(replay));

    let theirs = reference(
        &ref_dir,
        &with_udp_client(&args, &["1:hello", "0:hex:fe", "1:later"]),
    );
    assert!(theirs.stdout.contains("still here"), "{}", theirs.stderr);
    assert!(
        theirs.stderr.contains("UnicodeDecodeError"),
        "{}",
        theirs.stderr
    );
    assert_eq!(
        read(&ref_dir, "out.mock").as_deref(),
        Some("<-CLI:hello\n->SRV:hi\n"),
        "the reference's record file stops at the bad datagram"
    );
}
