//! XML-RPC traffic (`server_protocol = xmlrpc`): calls to an XML-RPC server recorded as
//! `<-CLI:method(args)` with the Python `repr` of the arguments, results as
//! `->SRV:<pprint.pformat of the result>` and faults as
//! `->SRV:raise xmlrpclib.Fault(code, 'string')`, as the reference records them
//! (`docs/xmlrpc.md`). Replay reads those texts back as Python literals; nothing is
//! evaluated.
//!
//! - [`value`]: a value, a fault, an outcome.
//! - [`xml`]: calls and responses on the wire (quick-xml).
//! - [`repr`] and [`pformat`]: the record texts, character for character Python's.
//! - [`literal`]: a recorded result read back.
//! - [`kind`]: the kind itself, which asks the engine and calls the real server.

pub mod kind;
pub mod literal;
pub mod pformat;
pub mod repr;
pub mod value;
pub mod xml;

pub use kind::{Answer, XmlRpc, XmlRpcSettings};
pub use value::{Fault, Outcome, Value};
