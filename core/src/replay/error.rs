//! Errors of building and querying a replay table.

use crate::binary::BinaryError;
use crate::format::ParseError;
use core::fmt;

/// Which array of a replay table's storage ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Distinct requests.
    Requests,
    /// Request occurrences (response groups).
    Groups,
    /// Response entries.
    Responses,
    /// Hash slots of the exact-match map.
    KeySlots,
    /// Words of the word index.
    Words,
    /// Hash slots of the word dictionary.
    WordSlots,
}

/// Why a replay table could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildError {
    /// The record text is malformed.
    Parse(ParseError),
    /// The binary form is malformed.
    Binary(BinaryError),
    /// The storage is too small for the records.
    Capacity(Resource),
    /// Call-backs nest deeper than [`MAX_NESTING`](super::MAX_NESTING) levels.
    NestingTooDeep,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Parse(e) => write!(f, "{e}"),
            BuildError::Binary(e) => write!(f, "{e}"),
            BuildError::Capacity(what) => {
                write!(f, "replay table storage too small: out of {}", what.name())
            }
            BuildError::NestingTooDeep => write!(
                f,
                "replay file nests call-backs more than {} levels deep",
                super::MAX_NESTING
            ),
        }
    }
}

impl core::error::Error for BuildError {}

impl From<ParseError> for BuildError {
    fn from(e: ParseError) -> Self {
        BuildError::Parse(e)
    }
}

/// Records that cannot fail (already in memory) need no error variant.
impl From<core::convert::Infallible> for BuildError {
    fn from(never: core::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<BinaryError> for BuildError {
    fn from(e: BinaryError) -> Self {
        BuildError::Binary(e)
    }
}

impl Resource {
    fn name(self) -> &'static str {
        match self {
            Resource::Requests => "request slots",
            Resource::Groups => "group slots",
            Resource::Responses => "response slots",
            Resource::KeySlots => "key hash slots",
            Resource::Words => "word index space",
            Resource::WordSlots => "word hash slots",
        }
    }
}

/// Why a lookup could not be carried out (as opposed to finding no match).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupError {
    /// The [`LookupScratch`](super::LookupScratch) is too small for this request or table.
    ScratchTooSmall,
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::ScratchTooSmall => {
                f.write_str("lookup scratch too small for this request or table")
            }
        }
    }
}

impl core::error::Error for LookupError {}
