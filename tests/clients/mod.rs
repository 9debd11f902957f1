//! Our Rust clients and the capture API end to end: the custom-client protocol against the
//! reference's own server (and ours, for comparison), the Rust custom-client example under
//! both command lines, and capture files recorded, replayed and checked for drift on disk.

mod against_servers;
mod capture;
mod example;
mod servers;
