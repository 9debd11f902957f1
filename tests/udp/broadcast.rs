//! `broadcast = true`, in a network namespace the test makes (`unshare -n`), where
//! 255.255.255.255 is routed to the namespace's own loopback: nothing leaves the machine.
//! Outside such a namespace a broadcast would reach the real network, so these tests never
//! broadcast without one. (The forwarding itself is also tested without a namespace, on the
//! loopback network's broadcast address: `traffic/classic/datagram.rs`.)

use std::process::{Command, Stdio};

use super::udp_scratch;
use crate::server::harness::{binary, read, reference_available};

/// Whether the test may make a network namespace. Under CI it must.
fn namespaces_available() -> bool {
    let ok = Command::new("unshare")
        .args(["-n", "ip", "link", "set", "lo", "up"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs `unshare -n` and `ip` (root, iproute2) for the broadcast tests"
        );
        eprintln!(
            "note: cannot make a network namespace (unshare -n, ip); broadcast tests skipped"
        );
    }
    ok
}

/// In a namespace: two real servers on port 47000 (beta answering 50 ms after alpha); we
/// record a session, including a datagram from another address, which is not served; the
/// reference replays our file; and the reference records the same session.
const SESSION: &str = r#"
set -u
ip link set lo up
ip route add broadcast 255.255.255.255 dev lo table local
python3 broadcast_server.py 47000 alpha 0 > alpha.ready &
python3 broadcast_server.py 47000 beta 0.05 > beta.ready &
until [ -s alpha.ready ] && [ -s beta.ready ]; do sleep 0.02; done
REF="import sys, capturemock; sys.exit(capturemock.commandline())"
"$CAPTUREMOCK_BIN" -m 1 -r ours.mock -R udp.rc sh -c \
  'python3 udp_client.py "0:SUT_SERVER:at 127.0.0.1:47000" 2:hello "2:  again " > ours.out &&
   CLIENT_BIND=127.0.0.2 python3 udp_client.py 0:stranger > stranger.out' 2> ours.err
echo "ours $?" > status
python3 -c "$REF" -m 0 -p ours.mock -r replayed.mock -R udp.rc \
  python3 udp_client.py 2:hello 2:again > replayed.out 2> replayed.err
echo "replayed $?" >> status
python3 -c "$REF" -m 1 -r ref.mock -R udp.rc \
  python3 udp_client.py "0:SUT_SERVER:at 127.0.0.1:47000" 0:hello > ref.out 2> ref.err
echo "reference $?" >> status
python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1); s.sendto(b"quit", ("255.255.255.255", 47000))'
wait
"#;

#[test]
fn broadcast_records_every_reply_and_the_reference_replays_them() {
    if !namespaces_available() || !reference_available("the classic_udp broadcast test") {
        return;
    }
    let dir = udp_scratch(
        "broadcast",
        "record_for_client = true\nbroadcast = true\nconnection_timeout = 0.3\n",
    );
    let status = Command::new("unshare")
        .args(["-n", "sh", "-c", SESSION])
        .current_dir(&dir)
        .env("CAPTUREMOCK_BIN", binary())
        .env("HOME", dir.path())
        .env_remove("CAPTUREMOCK_SERVER")
        .env_remove("CAPTUREMOCK_MODE")
        .stdin(Stdio::null())
        .status()
        .expect("unshare");
    let file = |name: &str| read(&dir, name).unwrap_or_default();
    let report = || {
        format!(
            "status: {}\nours.err: {}\nreplayed.err: {}\nref.err: {}",
            file("status"),
            file("ours.err"),
            file("replayed.err"),
            file("ref.err")
        )
    };
    assert!(status.success(), "{}", report());
    assert_eq!(
        file("status"),
        "ours 0\nreplayed 0\nreference 0\n",
        "{}",
        report()
    );

    // Ours: both replies to each message, one datagram and one entry each, in arrival
    // order; the stranger's datagram was neither served nor recorded.
    assert_eq!(
        file("ours.out").trim(),
        r#"[[], ["alpha heard hello", "beta heard hello"], ["alpha heard again", "beta heard again"]]"#
    );
    assert_eq!(file("stranger.out").trim(), "[[]]");
    let recorded = "<-CLI:hello\n->SRV:alpha heard hello\n->SRV:beta heard hello\n\
                    <-CLI:again\n->SRV:alpha heard again\n->SRV:beta heard again\n";
    assert_eq!(file("ours.mock"), recorded, "{}", report());

    // The reference replays our file reply for reply, and writes it again.
    assert_eq!(
        file("replayed.out").trim(),
        r#"[["alpha heard hello", "beta heard hello"], ["alpha heard again", "beta heard again"]]"#
    );
    assert_eq!(file("replayed.mock"), recorded);

    // The reference's own broadcast recording gets no reply at all: it shuts down the
    // write side of its unconnected sending socket, which fails (ENOTCONN), and records the
    // request alone.
    assert_eq!(file("ref.mock"), "<-CLI:hello\n", "{}", report());
    assert!(
        file("ref.err").contains("reset the connection"),
        "{}",
        report()
    );
}
