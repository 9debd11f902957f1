//! XML-RPC traffic end to end (`server_protocol = xmlrpc`): a real XML-RPC server and a real
//! client (Python's `xmlrpc.server` and `xmlrpc.client`), our binary and the reference's,
//! recording and replaying the same sessions; the record texts against Python's own `repr`
//! and `pprint.pformat`; malformed calls among many clients.

use std::path::Path;

use crate::http::Upstream;
use crate::scratch::Scratch;
use crate::server::harness::write;

mod bad_input;
mod interop;
mod texts;

/// The rc file of most tests: the system under test is the XML-RPC client.
const RC: &str = "[general]\nserver_protocol = xmlrpc\nrecord_for_client = true\n";

/// A scratch directory (removed when the test passes) with `xmlrpc.rc` (`rc`), the real
/// server and the client session.
fn setup(test: &str, rc: &str) -> Scratch {
    let dir = Scratch::new("xmlrpc", test);
    write(&dir, "xmlrpc.rc", rc);
    write(&dir, "upstream.py", include_str!("upstream.py"));
    write(&dir, "session.py", include_str!("session.py"));
    dir
}

/// The real XML-RPC server, in `dir`.
fn upstream(dir: &Path) -> Upstream {
    Upstream::start_with(dir, &["upstream.py"])
}

/// A file of `dir` as text.
fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Whether the reference can run (see the harness).
fn reference_available() -> bool {
    crate::server::harness::reference_available("XML-RPC interop")
}
