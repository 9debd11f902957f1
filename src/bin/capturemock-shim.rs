//! `capturemock-shim`: what an intercepted command runs. `capturemock` links each name in
//! `[command line] intercepts` to this file, in a directory it puts first on the program's
//! `PATH`; see [`capturemock::shim`]. It is a binary of its own, not `capturemock` under
//! another name, because it starts faster (BENCHMARKS.md, "Command-line shim").

use std::process::ExitCode;

fn main() -> ExitCode {
    capturemock::shim::run(std::env::args_os().collect())
}
