//! Datagrams are served concurrently and recorded in arrival order.

use super::{udp_scratch, RealUdpServer};
use crate::server::harness::{ours, read, write};

/// One client's message waits a second for the real server; another client's message, sent
/// after it, is answered meanwhile. The record file still has them in arrival order.
#[test]
fn a_slow_real_server_holds_up_no_other_client_and_order_is_kept() {
    let dir = udp_scratch("order", "record_for_client = true\n");
    let server = RealUdpServer::start(&dir);
    let script = format!(
        r#"
import subprocess, sys, time
def client(*args):
    return subprocess.Popen([sys.executable, "udp_client.py", *args], stdout=subprocess.PIPE, text=True)
assert client("0:SUT_SERVER:at {0}").wait() == 0
started = time.monotonic()
slow = client("1:slow one")
time.sleep(0.2)
fast = client("1:fast one")
fast_out, _ = fast.communicate()
fast_done = time.monotonic() - started
slow_out, _ = slow.communicate()
assert fast.returncode == 0 and slow.returncode == 0
print(fast_out.strip(), slow_out.strip(), "fast answered after %.2f s" % fast_done)
assert fast_done < 0.9, fast_done
"#,
        server.address
    );
    write(&dir, "order.py", &script);
    let run = ours(
        &dir,
        &[
            "-m", "1", "-r", "out.mock", "-R", "udp.rc", "python3", "order.py",
        ],
    );
    assert_eq!(run.status, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains(r#"[["reply to fast one\n"]] [["reply to slow one\n"]]"#),
        "{}",
        run.stdout
    );
    assert_eq!(
        read(&dir, "out.mock").as_deref(),
        Some("<-CLI:slow one\n->SRV:reply to slow one\n<-CLI:fast one\n->SRV:reply to fast one\n")
    );
}
