//! Errors and warnings of rc-file loading and lookup.

use std::path::PathBuf;

/// Where an rc value (or a line) came from: file name and 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The rc file as given (or a label: the name given for text parsed in memory,
    /// `<set at run time>` for a value the program set, `[section]` when not known).
    pub source: std::sync::Arc<str>,
    /// 1-based line number in `source`; 0 when the value did not come from a line of a file.
    pub line: usize,
}

/// `file:line`, the form compilers use, which editors and terminals can jump to.
impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

/// Something about the rc files that does not stop the run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RcWarning {
    /// A file named on the command line does not exist; the reference warns and ignores it too.
    #[error("RC file at {} does not exist, ignoring.", .0.display())]
    MissingFile(PathBuf),
    /// A UTF-8 byte-order mark was skipped (the reference rejects such a file).
    #[error("{}: skipped the UTF-8 byte-order mark at the start of the file", .0.display())]
    ByteOrderMark(PathBuf),
}

/// Why an rc file could not be loaded or a value could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RcError {
    /// The file exists but could not be read.
    #[error("cannot read rc file {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not UTF-8.
    #[error("{}:{line}: rc file is not valid UTF-8", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line holding the first invalid byte.
        line: usize,
    },
    /// A key/value line came before any `[section]` header.
    #[error("{at}: key/value line before any [section] header: {text:?}")]
    MissingSectionHeader {
        /// Where.
        at: Origin,
        /// The offending line.
        text: String,
    },
    /// Lines that are neither a section header, a `key = value` pair, a comment nor a
    /// continuation. All of them are listed.
    #[error("{source_name}: lines that are not `[section]`, `key = value`, a comment or an indented continuation: {}",
        .lines.iter().map(|(n, t)| format!("line {n}: {t:?}")).collect::<Vec<_>>().join(", "))]
    Parse {
        /// The file.
        source_name: std::sync::Arc<str>,
        /// `(line number, line text)` of each bad line.
        lines: Vec<(usize, String)>,
    },
    /// A `%` in a value that is neither `%%` nor `%(name)s`.
    #[error("{at}: bad interpolation in [{section}] {key}: {detail} (write a literal % as %%)")]
    InterpolationSyntax {
        /// Where the value was defined.
        at: Origin,
        /// Section asked for.
        section: String,
        /// Key asked for.
        key: String,
        /// What is wrong.
        detail: String,
    },
    /// `%(name)s` names a key that exists neither in the section nor in `[DEFAULT]`.
    #[error("{at}: [{section}] {key} refers to %({missing})s, which is not set in [{section}] or [DEFAULT]")]
    InterpolationMissing {
        /// Where the value was defined.
        at: Origin,
        /// Section asked for.
        section: String,
        /// Key asked for.
        key: String,
        /// The key that is missing.
        missing: String,
    },
    /// `%(name)s` references nest deeper than ConfigParser's limit of 10 (usually a cycle).
    #[error("{at}: [{section}] {key}: %(...)s references nest deeper than 10 levels (a cycle?)")]
    InterpolationDepth {
        /// Where the value was defined.
        at: Origin,
        /// Section asked for.
        section: String,
        /// Key asked for.
        key: String,
    },
    /// Expanding the value takes more than 10,000 `%(name)s` references or grows it past
    /// 1 MiB (keys that each refer several times to the next multiply: ConfigParser would
    /// run out of time or memory).
    #[error("{at}: [{section}] {key}: %(...)s references expand to too much (over {} references or {} bytes)",
        super::interpolate::MAX_REFERENCES, super::interpolate::MAX_LEN)]
    InterpolationTooLarge {
        /// Where the value was defined.
        at: Origin,
        /// Section asked for.
        section: String,
        /// Key asked for.
        key: String,
    },
    /// A boolean option has a value other than yes/no, true/false, on/off, 1/0.
    #[error("{at}: [{section}] {key} = {value:?} is not a boolean (use yes/no, true/false, on/off or 1/0)")]
    NotABoolean {
        /// Where the value was defined.
        at: Origin,
        /// Section.
        section: String,
        /// Key.
        key: String,
        /// The value found (after interpolation).
        value: String,
    },
    /// A numeric option has a value that is not a number.
    #[error("{at}: [{section}] {key} = {value:?} is not a number")]
    NotANumber {
        /// Where the value was defined.
        at: Origin,
        /// Section.
        section: String,
        /// Key.
        key: String,
        /// The value found (after interpolation).
        value: String,
    },
    /// `record_mode` is not one of the record modes.
    #[error("{at}: [{section}] record_mode = {value:?} is not a record mode (use none, once, new or all)")]
    NotARecordMode {
        /// Where the value was defined.
        at: Origin,
        /// Section.
        section: String,
        /// The value found (after interpolation).
        value: String,
    },
    /// [`RcConfig::set`](super::RcConfig::set) on a section that does not exist.
    #[error("no section [{0}]")]
    NoSection(String),
}
