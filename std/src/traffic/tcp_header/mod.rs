//! Length-prefixed binary TCP (`server_protocol = tcp_header`), the reference's binary TCP
//! traffic: messages laid out by rc sections, recorded as readable texts and replayed as
//! bytes. The [layout language](mod@format), the [sections](layout), [whole messages](message)
//! and the [Python values](value) of the record texts; the server is
//! [`crate::server::tcp_header`].

pub mod format;
pub mod layout;
pub mod message;
pub mod value;
