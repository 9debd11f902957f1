//! The end of a run: quiet by default as the reference, the summary and drift when asked,
//! the JSON run report, and the `prune` and `stats` subcommands that read reports and
//! record files. Real processes, real files, the reference beside ours where it has an
//! equivalent.

mod prune;
mod quiet;
mod report_json;
mod stats;

use std::path::Path;

/// The report at `name` in `dir`, as JSON.
pub(crate) fn report(dir: &Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(name)).expect("report written");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}
