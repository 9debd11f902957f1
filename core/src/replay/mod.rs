//! The replay engine: recorded requests, their response groups, and the reference's choice
//! of which recorded exchange answers an incoming request.
//!
//! ```text
//! records (file order) ──build──▶ ReplayTable ──find(desc)──▶ exact key? ─yes─▶ RequestId
//!                                                               │ no
//!                                                               ▼
//!                                            exact matching on? ─yes─▶ Unmatched
//!                                                               │ no
//!                                                               ▼
//!                                  best match among same-type requests (difflib scoring)
//! take(RequestId) ──▶ next response group of that request (first group once they run out)
//! ```
//!
//! Everything is allocation-free: a table lives in a [`Storage`] sized with
//! [`Requirements`], and lookups work in a [`LookupScratch`]. With a word index
//! ([`IndexParts`]) best match skips every recorded request that cannot win; without one it
//! compares against each request of the right type, like the reference.

mod best_match;
mod error;
mod frozen;
mod grouping;
mod hash_slots;
mod mode;
mod storage;
mod table;
mod word_index;

pub use best_match::LookupScratch;
pub use error::{BuildError, LookupError, Resource};
pub use frozen::{Frozen, FrozenStorage};
pub use grouping::{EntryRole, Grouping};
pub use hash_slots::slots_for;
pub use mode::{Action, InvalidMode, Mode, NewRequestPolicy};
pub use storage::{
    ArrayStorage, GroupSlot, IndexParts, IndexRef, IndexRequirements, Parts, PartsRef, Posting,
    RequestSlot, Requirements, RequirementsCounter, ResponseSlot, Storage, WordRange,
};
pub use table::{
    lookup_key, MatchKind, MatchOptions, Matched, ReplayTable, RequestId, RequestInfo, Responses,
    Unmatched, MAX_NESTING,
};

#[cfg(test)]
mod tests;
