//! `capturemock stats X.mock...`: a short overview of record files, for deciding what to
//! look at: exchanges by kind, requests recorded more than once, size.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use capturemock_core::format::NewlineOptions;

use super::mock_exchanges::{FileExchange, MockExchanges};
use crate::replay_file::{ReplayFile, ReplayFileError, ReplayOptions};

/// How many of the most repeated requests are listed.
const TOP_REPEATED: usize = 5;

/// A short overview of record files.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "capturemock stats",
    bin_name = "capturemock stats",
    about = "A short overview of record files: exchanges by kind, repeated requests, size."
)]
pub struct StatsCli {
    /// The record files.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// What kind of traffic an exchange is, as the record format tells it: by its request's type
/// id, and for `CLI` requests whether the text is an HTTP request line.
pub(crate) fn kind_of(exchange: &FileExchange, request_text: &str) -> &'static str {
    match exchange.type_id.as_str() {
        "CAL" => "custom client (CAL)",
        "CMD" => "command line (CMD)",
        "PYT" => "Python attribute (PYT)",
        "SRV" => "server under test (SRV)",
        "CLI" if is_http_request_line(request_text) => "HTTP (CLI)",
        "CLI" => "client-server (CLI)",
        _ => "other",
    }
}

/// Whether `text` starts like an HTTP request line as the HTTP kind records it
/// (`GET /path`): an upper-case method, a space, then `/` or `http`.
fn is_http_request_line(text: &str) -> bool {
    let Some((method, rest)) = text.split_once(' ') else {
        return false;
    };
    !method.is_empty()
        && method.bytes().all(|b| b.is_ascii_uppercase())
        && (rest.starts_with('/') || rest.starts_with("http"))
}

/// The overview of one file, as text.
pub(crate) fn overview(path: &Path) -> Result<String, ReplayFileError> {
    // Loaded as a replay would load it, for the same errors (missing, not UTF-8, file:line).
    drop(ReplayFile::load(
        path,
        ReplayOptions {
            word_index: false,
            ..ReplayOptions::default()
        },
    )?);
    let text = std::fs::read_to_string(path).map_err(|source| ReplayFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let cut = MockExchanges::cut(&text, NewlineOptions::default()).map_err(|error| {
        ReplayFileError::Parse {
            path: path.to_path_buf(),
            error,
        }
    })?;
    let entries: usize = cut.exchanges.iter().map(|e| e.entries).sum();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} exchange(s), {} entries, {} lines, {} bytes",
        path.display(),
        cut.exchanges.len(),
        entries,
        text.lines().count(),
        text.len()
    );
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for exchange in &cut.exchanges {
        let request = exchange.requests.first().map_or("", |r| r.key.as_str());
        let after_prefix = request.split_once(':').map_or("", |(_, t)| t);
        let kind = kind_of(exchange, after_prefix);
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((kind, 1)),
        }
    }
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    if !kinds.is_empty() {
        let _ = writeln!(out, "  by kind:");
        for (kind, n) in &kinds {
            let _ = writeln!(out, "    {n:>8}  {kind}");
        }
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for exchange in &cut.exchanges {
        if let Some(request) = exchange.requests.first() {
            *counts.entry(request.key.as_str()).or_default() += 1;
        }
    }
    let mut repeated: Vec<(&str, usize)> = counts.into_iter().filter(|(_, n)| *n > 1).collect();
    repeated.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let repeats: usize = repeated.iter().map(|(_, n)| n).sum();
    let _ = writeln!(
        out,
        "  repeated requests: {} recorded more than once ({} exchanges)",
        repeated.len(),
        repeats
    );
    for (key, n) in repeated.iter().take(TOP_REPEATED) {
        let _ = writeln!(out, "    {n:>8}x {}", one_line(key, 100));
    }
    if repeated.len() > TOP_REPEATED {
        let _ = writeln!(
            out,
            "    \u{2026} and {} more",
            repeated.len() - TOP_REPEATED
        );
    }
    if let Some(largest) = cut.exchanges.iter().max_by_key(|e| e.bytes.len()) {
        let _ = writeln!(
            out,
            "  largest exchange: {} bytes, line {}",
            largest.bytes.len(),
            largest.line
        );
    }
    Ok(out)
}

/// `text` on one line (line breaks shown as `\n`), cut at `max` characters with `…`.
fn one_line(text: &str, max: usize) -> String {
    let flat = text.replace('\r', "\\r").replace('\n', "\\n");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max).collect();
    cut.push('\u{2026}');
    cut
}

/// Runs `capturemock stats`: the overview of each file on stdout.
pub fn run(cli: &StatsCli) -> Result<u8, super::CliError> {
    let mut all = String::new();
    for file in &cli.files {
        all.push_str(&overview(file)?);
    }
    super::print_line(all.trim_end());
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_request_lines_are_told_from_other_client_messages() {
        assert!(is_http_request_line("GET /x"));
        assert!(is_http_request_line("POST http://h/x body"));
        assert!(!is_http_request_line("hello world"));
        assert!(!is_http_request_line("Get /x"));
        assert!(!is_http_request_line("GET"));
    }

    #[test]
    fn long_requests_are_cut_on_one_line() {
        assert_eq!(one_line("a\nb", 10), "a\\nb");
        assert_eq!(one_line("abcdef", 3), "abc\u{2026}");
    }
}
