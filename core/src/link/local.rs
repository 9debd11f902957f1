//! Replay with no host: the recorded exchanges baked into flash, answered on the device
//! exactly as a capturemock server answers a custom client.

use core::fmt;

use crate::binary::{self, BinaryError};
use crate::format::{self, NewlineOptions, Record};
use crate::replay::{
    BuildError, LookupError, LookupScratch, MatchKind, MatchOptions, ReplayTable, Storage,
};
use crate::words::python_trim_end;

/// The prefix a custom-client request is recorded under.
pub const REQUEST_PREFIX: &str = "<-CAL:";

/// Why a local replay could not be set up or could not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalError {
    /// The records do not make a table (malformed, or the storage is too small).
    Build(BuildError),
    /// An entry of the `.mock` text needs decoding (escapes, CR, `<CR>`/`<LF>` markers),
    /// which needs a copy in RAM: convert the file to its binary form
    /// ([`crate::binary::text_to_binary`]) and use [`LocalReplay::from_binary`].
    NeedsDecoding {
        /// 1-based line of the entry.
        line: u32,
    },
    /// The lookup scratch is too small for this request.
    Lookup(LookupError),
    /// The output buffer cannot hold the request's description or its response.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

impl fmt::Display for LocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalError::Build(e) => e.fmt(f),
            LocalError::NeedsDecoding { line } => write!(
                f,
                "line {line}: the entry needs decoding; use the binary form for a table in flash"
            ),
            LocalError::Lookup(e) => e.fmt(f),
            LocalError::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
        }
    }
}

impl core::error::Error for LocalError {}

impl From<BuildError> for LocalError {
    fn from(e: BuildError) -> Self {
        LocalError::Build(e)
    }
}

impl From<BinaryError> for LocalError {
    fn from(e: BinaryError) -> Self {
        LocalError::Build(BuildError::Binary(e))
    }
}

/// A response found by [`LocalReplay::answer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalAnswer {
    /// Its length in the output buffer.
    pub len: usize,
    /// How the request matched.
    pub kind: MatchKind,
}

/// A replay table over recorded custom-client exchanges in flash (`'a`), answering requests
/// the way a capturemock server answers `SUT_CUSTOM:` replay requests: exact match, else best
/// match (unless exact matching is on), repeats in file order, the `->RET` responses with
/// trailing white space stripped and put back to back.
///
/// It is a thin layer over [`ReplayTable`]: the table's arrays are `S` (e.g. an
/// [`ArrayStorage`](crate::replay::ArrayStorage) in a `static`), its lookups work in the
/// given [`LookupScratch`].
pub struct LocalReplay<'a, 's, S: Storage<'a>> {
    table: ReplayTable<'a, S>,
    scratch: LookupScratch<'s>,
}

impl<'a, 's, S: Storage<'a>> LocalReplay<'a, 's, S> {
    /// From `.mock` text (e.g. `include_str!`). Every entry must read as it is written
    /// ([`LocalError::NeedsDecoding`] otherwise), so nothing is copied out of flash.
    pub fn from_mock(
        text: &'a str,
        storage: S,
        scratch: LookupScratch<'s>,
        options: MatchOptions,
    ) -> Result<Self, LocalError> {
        Ok(LocalReplay {
            table: plain_table(text, storage, options)?,
            scratch,
        })
    }

    /// From the binary form ([`crate::binary`], e.g. `include_bytes!` of a file written by
    /// [`text_to_binary`](crate::binary::text_to_binary)): any text, decoded ahead of time.
    pub fn from_binary(
        bytes: &'a [u8],
        storage: S,
        scratch: LookupScratch<'s>,
        options: MatchOptions,
    ) -> Result<Self, LocalError> {
        let table = ReplayTable::build(binary::records(bytes)?, storage, options)?;
        Ok(LocalReplay { table, scratch })
    }

    /// Answers custom-client `request` (the text after `SUT_CUSTOM:`; recorded as
    /// `<-CAL:request`) into `out`, which also holds the description while it is looked up.
    /// `None` when nothing recorded answers it (a server would answer with nothing, or with
    /// its mismatch message under exact matching).
    pub fn answer(
        &mut self,
        request: &str,
        out: &mut [u8],
    ) -> Result<Option<LocalAnswer>, LocalError> {
        let needed = REQUEST_PREFIX.len() + request.len();
        let desc = out
            .get_mut(..needed)
            .ok_or(LocalError::BufferTooSmall { needed })?;
        let (prefix, text) = desc.split_at_mut(REQUEST_PREFIX.len());
        prefix.copy_from_slice(REQUEST_PREFIX.as_bytes());
        text.copy_from_slice(request.as_bytes());
        // An ASCII prefix and the bytes of a `&str`: always UTF-8, the fallback is never
        // taken.
        let desc = core::str::from_utf8(desc).unwrap_or_default();
        let found = self
            .table
            .find(desc, &mut self.scratch)
            .map_err(LocalError::Lookup)?;
        let Ok((id, kind)) = found else {
            return Ok(None);
        };
        let reply = self.table.take(id, kind);
        let mut len = 0;
        for text in reply.responses().filter_map(ret_text) {
            let end = len + text.len();
            out.get_mut(len..end)
                .ok_or(LocalError::BufferTooSmall { needed: end })?
                .copy_from_slice(text.as_bytes());
            len = end;
        }
        Ok(Some(LocalAnswer { len, kind }))
    }

    /// The table, e.g. for its counters.
    pub fn table(&self) -> &ReplayTable<'a, S> {
        &self.table
    }
}

/// A table over `.mock` text whose every entry reads as it is written
/// ([`LocalError::NeedsDecoding`] otherwise), so that nothing is copied out of flash. Shared
/// with the embedded-hal replay (`crate::hal`), which reads its tables the same way.
pub(crate) fn plain_table<'a, S: Storage<'a>>(
    text: &'a str,
    storage: S,
    options: MatchOptions,
) -> Result<ReplayTable<'a, S>, LocalError> {
    let mut needs_decoding = None;
    let records = format::entries(text).map_while(|entry| match entry {
        Ok(entry) => match entry.plain(NewlineOptions::NONE) {
            Some(record) => Some(Ok(record)),
            None => {
                needs_decoding = Some(entry.line());
                None
            }
        },
        Err(e) => Some(Err(e)),
    });
    let built = ReplayTable::build(records, storage, options);
    if let Some(line) = needs_decoding {
        return Err(LocalError::NeedsDecoding { line });
    }
    Ok(built?)
}

/// The text a custom client gets for a response entry: `->RET` ones only, stripped at the end.
fn ret_text<'a>(record: Record<'a>) -> Option<&'a str> {
    (record.type_id() == "RET").then(|| python_trim_end(record.text()))
}
