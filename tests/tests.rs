//! End-to-end tests across crates: real files, real processes, the reference tool.
//! One test binary with a module per area (add `mod area;` lines below).
mod bridge;
mod capture_traits;
mod clients;
mod command_line;
mod completions;
mod fakes;
mod file_edits;
mod ftp;
mod hal_fakes;
mod hal_replay;
mod http;
mod interop;
mod python_literal;
mod qemu;
mod rc_alterations;
mod record_modes;
mod replay_differential;
mod reports;
mod scratch;
mod serial_proxy;
mod server;
mod shim;
mod tcp_header;
mod udp;
mod xmlrpc;
