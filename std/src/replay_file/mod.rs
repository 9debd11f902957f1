//! A replay file loaded into memory and ready to answer requests: the std owner of the
//! core engine's [`ReplayTable`], with its text, decode arena, storage and lookup scratch.
//! Loading reads the text twice. The first pass checks every entry, decodes the few that are
//! not plain (a CR, an escaped line, a newline marker to decode) into one arena, and counts
//! what the table needs. The second builds the core's table over records borrowed from the
//! text and the arena, in storage sized exactly, so nothing grows afterwards and almost no
//! entry is copied. `self_cell` ties the borrowing table to the text it borrows from, so the
//! whole is one owned value that can sit behind a mutex shared by threads.

mod storage;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use capturemock_core::format::{entries, Entry, NewlineOptions, ParseError, Record};
use capturemock_core::replay::{
    BuildError, LookupError, LookupScratch, MatchKind, MatchOptions, ReplayTable, RequestId,
    RequestInfo, RequirementsCounter, Unmatched,
};
pub use storage::VecStorage;

/// Why a replay file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayFileError {
    /// The file could not be read.
    #[error("cannot read replay file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file is not UTF-8.
    #[error("{path}:{line}: replay file is not valid UTF-8 (byte {column} of the line)")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based byte position of it within the line.
        column: usize,
    },
    /// The text is not a well-formed record file.
    #[error("{path}:{}: {}", .error.line, ParseErrorText(.error))]
    Parse {
        /// The file (or `<text>` for text given directly).
        path: PathBuf,
        /// What is wrong and where.
        error: ParseError,
    },
    /// The table could not be built (nesting too deep).
    #[error("{path}: {error}")]
    Build {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: BuildError,
    },
}

/// Displays a parse error without its own `line N:` lead, which the file:line form replaces.
struct ParseErrorText<'e>(&'e ParseError);

impl std::fmt::Display for ParseErrorText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let full = self.0.to_string();
        let lead = format!("line {}: ", self.0.line);
        f.write_str(full.strip_prefix(&lead).unwrap_or(&full))
    }
}

/// How a replay file is read and matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplayOptions {
    /// `preserve_cr` / `preserve_lf` of the rc file.
    pub newlines: NewlineOptions,
    /// Exact matching, request trimming.
    pub matching: MatchOptions,
    /// Build the word index that makes best match fast on large files. Decisions are the same
    /// either way; turning it off saves memory (about 40 bytes per recorded word).
    pub word_index: bool,
}

/// The reference's newlines and matching, with the word index: large files answer quickly
/// unless memory is asked to be saved.
impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            newlines: NewlineOptions::default(),
            matching: MatchOptions::default(),
            word_index: true,
        }
    }
}

/// The text of a replay file and the decoded form of the few entries that need decoding.
struct Source {
    /// The file as read.
    text: String,
    /// The decoded forms of the entries that are not plain, one after another in file order,
    /// which is how the second pass finds each one again without an index.
    arena: String,
}

/// The core's table over vector storage, borrowing from a [`Source`].
type Table<'a> = ReplayTable<'a, VecStorage<'a>>;

self_cell::self_cell!(
    struct Loaded {
        owner: Source,
        #[not_covariant]
        dependent: Table,
    }
);

/// One answer from a replay file: the core's [`Matched`](capturemock_core::replay::Matched),
/// owned so that it outlives the next lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The recorded request that answers.
    pub request: RequestId,
    /// Its text (prefix included).
    pub key: String,
    /// Exact or nearest.
    pub kind: MatchKind,
    /// The recorded responses, whole entries (prefix included), in file order.
    pub responses: Vec<String>,
}

/// A loaded replay file. See the [module docs](self).
pub struct ReplayFile {
    /// The text and the table that borrows from it.
    loaded: Loaded,
    path: PathBuf,
    /// The most words a recorded request has, which sizes the lookup scratch.
    max_record_words: usize,
    /// Lookup scratch, grown to the largest lookup so far and reused, so that a lookup
    /// allocates nothing once the file has been in use for a while.
    scratch: Vec<u32>,
}

/// Only the path: the table would print the whole file.
impl std::fmt::Debug for ReplayFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The first invalid UTF-8 byte of `bytes` as (1-based line, 1-based column).
fn utf8_error_position(bytes: &[u8], valid_up_to: usize) -> (usize, usize) {
    let before = &bytes[..valid_up_to];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, valid_up_to - line_start + 1)
}

impl ReplayFile {
    /// Reads and loads a replay file.
    /// Errors name the file and, for text that is not UTF-8 or not a record file, the line.
    pub fn load(path: impl AsRef<Path>, options: ReplayOptions) -> Result<Self, ReplayFileError> {
        let path = path.as_ref().to_path_buf();
        let bytes = std::fs::read(&path).map_err(|source| ReplayFileError::Read {
            path: path.clone(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let (line, column) = utf8_error_position(e.as_bytes(), e.utf8_error().valid_up_to());
            ReplayFileError::NotUtf8 {
                path: path.clone(),
                line,
                column,
            }
        })?;
        Self::from_text(text, path, options)
    }

    /// Loads replay text that is already in memory; `path` names it in error messages.
    pub fn from_text(
        text: String,
        path: impl Into<PathBuf>,
        options: ReplayOptions,
    ) -> Result<Self, ReplayFileError> {
        let path = path.into();
        let parse_error = |error| ReplayFileError::Parse {
            path: path.clone(),
            error,
        };
        // Pass 1: check the text, decode the rare entries that need it, size the storage.
        let mut arena = String::new();
        let mut needs = RequirementsCounter::default();
        for entry in entries(&text) {
            let entry = entry.map_err(parse_error)?;
            let record = match entry.plain(options.newlines) {
                Some(record) => record,
                None => {
                    let start = arena.len();
                    decode_into(&entry, options.newlines, &mut arena);
                    Record {
                        entry: &arena[start..],
                        timestamp: entry.raw_timestamp(),
                    }
                }
            };
            needs.add(&record).map_err(|error| ReplayFileError::Build {
                path: path.clone(),
                error,
            })?;
        }
        let needs = needs.finish();
        let source = Source { text, arena };
        // Pass 2: build the table over borrowed records, then its word index, sized exactly.
        let loaded = Loaded::try_new(source, |source| {
            let mut table = Table::build(
                records(source, options.newlines),
                VecStorage::new(&needs),
                options.matching,
            )?;
            if options.word_index {
                let mut index = table.index_requirements();
                let mut distinct = HashSet::with_capacity(index.words / 4);
                for request in table.requests() {
                    distinct.extend(capturemock_core::words::words(request.key));
                }
                index.distinct_words = distinct.len();
                table.storage_mut().add_index(&index);
                table.build_index()?;
            }
            Ok(table)
        })
        .map_err(|error| match error {
            BuildError::Parse(error) => parse_error(error),
            error => ReplayFileError::Build {
                path: path.clone(),
                error,
            },
        })?;
        Ok(ReplayFile {
            loaded,
            path,
            max_record_words: needs.max_request_words,
            scratch: Vec::new(),
        })
    }

    /// The file this was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file has no recorded request (which means record mode, as in the reference).
    pub fn is_empty(&self) -> bool {
        self.loaded.with_dependent(|_, table| table.is_empty())
    }

    /// The recorded requests in file order, with how often each occurs and has been chosen.
    pub fn requests(&self) -> Vec<OwnedRequestInfo> {
        self.loaded
            .with_dependent(|_, table| table.requests().map(OwnedRequestInfo::from).collect())
    }

    /// The recorded request that would answer `desc`, without using it up (the core's
    /// [`ReplayTable::find`]). A server uses it to decide what to do before committing to an
    /// answer (exact-only policies, mode 2 recording what does not match).
    pub fn find(
        &mut self,
        desc: &str,
    ) -> Result<Result<(RequestId, MatchKind), Unmatched>, LookupError> {
        // An exact match needs no scratch space: most lookups end here, before the words of
        // the request are counted.
        if let Ok(id) = self
            .loaded
            .with_dependent(|_, table| table.find_exact(desc))
        {
            return Ok(Ok((id, MatchKind::Exact)));
        }
        let request_words = capturemock_core::words::words(desc).count();
        let max_record_words = self.max_record_words;
        let scratch = &mut self.scratch;
        self.loaded.with_dependent(|_, table| {
            let requests = if table.has_index() {
                table.request_count()
            } else {
                0
            };
            let needed = LookupScratch::required(request_words, max_record_words, requests);
            if scratch.len() < needed {
                scratch.resize(needed, 0);
            }
            let mut work = LookupScratch::new(scratch, request_words, max_record_words, requests)?;
            table.find(desc, &mut work)
        })
    }

    /// The key of a recorded request (its text, prefix included), for diagnostics.
    pub fn request_key(&self, request: RequestId) -> Option<String> {
        self.loaded
            .with_dependent(|_, table| table.request(request).map(|info| info.key.to_owned()))
    }

    /// Takes the next response group of a request chosen by [`find`](Self::find) and
    /// counts the choice (the core's [`ReplayTable::take`]).
    pub fn take(&mut self, request: RequestId, kind: MatchKind) -> Answer {
        self.loaded.with_dependent_mut(|_, table| {
            let reply = table.take(request, kind);
            Answer {
                request: reply.request,
                key: reply.key.to_owned(),
                kind: reply.kind,
                responses: reply.responses().map(|r| r.entry.to_owned()).collect(),
            }
        })
    }

    /// [`take`](Self::take) for the exchange engine: the responses only, each split into
    /// its type and text once, here, so that nobody parses them again; the key is not copied.
    pub fn take_responses(&mut self, request: RequestId, kind: MatchKind) -> Vec<RecordedResponse> {
        self.loaded.with_dependent_mut(|_, table| {
            let reply = table.take(request, kind);
            reply
                .responses()
                .map(|r| RecordedResponse::new(r.entry))
                .collect()
        })
    }

    /// [`take_responses`](Self::take_responses) without counting the choice: the group the
    /// request answered with last time (the core's [`ReplayTable::take_again`]).
    pub fn take_responses_again(
        &mut self,
        request: RequestId,
        kind: MatchKind,
    ) -> Vec<RecordedResponse> {
        self.loaded.with_dependent_mut(|_, table| {
            table
                .take_again(request, kind)
                .responses()
                .map(|r| RecordedResponse::new(r.entry))
                .collect()
        })
    }

    /// Answers one request (its description, e.g. `<-CAL:get(42)`), advancing the repeat
    /// counter of the recorded request chosen: [`find`](Self::find), then [`take`](Self::take).
    pub fn lookup(&mut self, desc: &str) -> Result<Result<Answer, Unmatched>, LookupError> {
        Ok(self
            .find(desc)?
            .map(|(request, kind)| self.take(request, kind)))
    }
}

/// Decodes an entry that is not plain onto the end of `arena`.
fn decode_into(entry: &Entry<'_>, opts: NewlineOptions, arena: &mut String) {
    let mut buf = vec![0u8; entry.decoded_len(opts)];
    if let Ok(record) = entry.decode(opts, &mut buf) {
        arena.push_str(record.entry);
    }
}

/// The records of a source in file order: plain entries borrow the text, the others borrow
/// their decoded form from the arena, which pass 1 filled in the same order.
fn records(
    source: &Source,
    opts: NewlineOptions,
) -> impl Iterator<Item = Result<Record<'_>, ParseError>> {
    let mut arena = source.arena.as_str();
    entries(&source.text).map(move |entry| {
        let entry = entry?;
        Ok(entry.plain(opts).unwrap_or_else(|| {
            let len = entry.decoded_len(opts).min(arena.len());
            let (decoded, rest) = arena.split_at(len);
            arena = rest;
            Record {
                entry: decoded,
                timestamp: entry.raw_timestamp(),
            }
        }))
    })
}

/// One recorded response, owned, with its type id and text found once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedResponse {
    /// The whole entry, prefix included: the text is a slice of it, so taking the response
    /// costs one allocation, and [`into_text`](Self::into_text) none.
    entry: String,
    /// `entry[type_start..prefix_end]` is the type id (the last three characters of the
    /// prefix), `entry[text_start..]` the text.
    type_start: usize,
    prefix_end: usize,
    text_start: usize,
}

impl RecordedResponse {
    /// A response from its whole entry text (prefix included), e.g. `->RET:12`.
    pub fn new(entry: &str) -> Self {
        let record = Record::new(entry);
        let prefix_end = record.prefix().len();
        RecordedResponse {
            entry: entry.to_owned(),
            type_start: prefix_end - record.type_id().len(),
            prefix_end,
            text_start: entry.len() - record.text().len(),
        }
    }

    /// The traffic type id, e.g. `RET`, `SRV`, `CLI` (see [`Record::type_id`]).
    pub fn type_id(&self) -> &str {
        &self.entry[self.type_start..self.prefix_end]
    }

    /// The text after the prefix.
    pub fn text(&self) -> &str {
        &self.entry[self.text_start..]
    }

    /// The whole entry, prefix included.
    pub fn entry(&self) -> &str {
        &self.entry
    }

    /// The text after the prefix, owned, without copying it into a new allocation.
    pub fn into_text(mut self) -> String {
        self.entry.drain(..self.text_start);
        self.entry
    }
}

/// [`RequestInfo`] with an owned key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRequestInfo {
    /// Its id.
    pub id: RequestId,
    /// The recorded request text.
    pub key: String,
    /// How many times it occurs in the file.
    pub occurrences: u32,
    /// How many times it has been chosen so far.
    pub times_chosen: u32,
}

impl From<RequestInfo<'_>> for OwnedRequestInfo {
    fn from(info: RequestInfo<'_>) -> Self {
        OwnedRequestInfo {
            id: info.id,
            key: info.key.to_owned(),
            occurrences: info.occurrences,
            times_chosen: info.times_chosen,
        }
    }
}
