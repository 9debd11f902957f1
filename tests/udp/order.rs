//! Datagrams are served concurrently and recorded in arrival order.

use super::{udp_scratch, RealUdpServer};
use crate::server::harness::{ours, read, write};

/// One client's message is held by the real server until the test lets it go; another
/// client's message, sent after it arrived, is answered meanwhile. The record file still has
/// them in arrival order. No timing is assumed: the slow reply waits for the fast one.
#[test]
fn a_slow_real_server_holds_up_no_other_client_and_order_is_kept() {
    let dir = udp_scratch("order", "record_for_client = true\n");
    let server = RealUdpServer::start(&dir);
    let script = format!(
        r#"
import os, subprocess, sys, time
def client(*args, timeout="5"):
    env = dict(os.environ, CLIENT_TIMEOUT=timeout)
    return subprocess.Popen([sys.executable, "udp_client.py", *args], stdout=subprocess.PIPE, text=True, env=env)
def wait_for(name):
    deadline = time.monotonic() + 60
    while not os.path.exists(name):
        assert time.monotonic() < deadline, name + " never appeared"
        time.sleep(0.01)
assert client("0:SUT_SERVER:at {0}").wait() == 0
slow = client("1:slow one", timeout="120")
wait_for("slow-arrived")
fast = client("1:fast one")
fast_out, _ = fast.communicate()
slow_still_waiting = slow.poll() is None
open("release", "w").close()
slow_out, _ = slow.communicate()
assert fast.returncode == 0 and slow.returncode == 0
print(fast_out.strip(), slow_out.strip())
assert slow_still_waiting, "the slow reply came before the fast one"
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
