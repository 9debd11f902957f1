//! Where a replay table keeps its state: caller-provided slices, fixed arrays, or (in the
//! std crate) vectors. The table never allocates; it is handed a [`Storage`] sized with
//! [`Requirements`], and running out of room is a [`BuildError`](super::BuildError).

use super::grouping::Grouping;
use super::{lookup_key, BuildError};
use crate::format::Record;

/// Marks the end of a group's list of responses.
pub(crate) const NO_RESPONSE: u32 = u32::MAX;

/// One distinct recorded request (a lookup key) and its replay state.
///
/// Every field of an unused slot is zero (`None` for the key), so fixed storage in a `static`
/// lands in `.bss` rather than flash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSlot<'a> {
    /// The key: the whole entry, prefix included, with white space stripped around it.
    pub(crate) key: Option<&'a str>,
    /// Where this request's groups start in the group order (while building: its newest group).
    pub(crate) first_group: u32,
    /// How many times the request occurs in the file (its number of response groups).
    pub(crate) group_count: u32,
    /// How many times the request has been chosen (exactly or as a best match).
    pub(crate) times_chosen: u32,
}

impl RequestSlot<'_> {
    /// An unused slot, for initialising storage.
    pub const EMPTY: RequestSlot<'static> = RequestSlot {
        key: None,
        first_group: 0,
        group_count: 0,
        times_chosen: 0,
    };
}

impl<'a> RequestSlot<'a> {
    /// A filled slot, never chosen yet: what [`ReplayTable::write_frozen`] writes.
    ///
    /// [`ReplayTable::write_frozen`]: super::ReplayTable::write_frozen
    pub const fn frozen(key: &'a str, first_group: u32, group_count: u32) -> Self {
        RequestSlot {
            key: Some(key),
            first_group,
            group_count,
            times_chosen: 0,
        }
    }

    /// The key of a slot the table filled. Only unused slots have none, and the table reads
    /// only the slots it filled: the fallback is never taken.
    pub(crate) fn key(&self) -> &'a str {
        self.key.unwrap_or_default()
    }
}

/// One occurrence of a request in the file, owning the responses that follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupSlot {
    pub(crate) request: u32,
    /// First response of the group, [`NO_RESPONSE`] when it has none.
    pub(crate) first_response: u32,
    /// Last response of the group, while building.
    pub(crate) last_response: u32,
}

impl GroupSlot {
    /// A filled slot: what [`ReplayTable::write_frozen`] writes.
    ///
    /// [`ReplayTable::write_frozen`]: super::ReplayTable::write_frozen
    pub const fn frozen(request: u32, first_response: u32, last_response: u32) -> Self {
        GroupSlot {
            request,
            first_response,
            last_response,
        }
    }

    /// An unused slot, for initialising storage in a `static` (e.g. [`Parts`] arrays sized
    /// exactly for one table).
    pub const EMPTY: GroupSlot = GroupSlot {
        request: 0,
        first_response: 0,
        last_response: 0,
    };
}

/// One recorded response entry, linked to the next response of its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseSlot<'a> {
    pub(crate) entry: Option<&'a str>,
    pub(crate) next: u32,
}

impl ResponseSlot<'_> {
    /// An unused slot, for initialising storage.
    pub const EMPTY: ResponseSlot<'static> = ResponseSlot {
        entry: None,
        next: 0,
    };
}

impl<'a> ResponseSlot<'a> {
    /// A filled slot: what [`ReplayTable::write_frozen`] writes.
    ///
    /// [`ReplayTable::write_frozen`]: super::ReplayTable::write_frozen
    pub const fn frozen(entry: &'a str, next: u32) -> Self {
        ResponseSlot {
            entry: Some(entry),
            next,
        }
    }
}

/// Where one request's words lie in [`IndexParts::words`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WordRange {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

/// The requests of the table that contain one word, with how often the word occurs there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Posting {
    pub(crate) request: u32,
    pub(crate) count: u32,
}

/// Storage of the word index, which makes best match on large tables fast.
///
/// Without it, best match compares the request with every recorded request of its type, as
/// the reference does; that is the right trade on a microcontroller with a few dozen entries.
pub struct IndexParts<'s, 'a> {
    /// Where each request's words are. Length: [`IndexRequirements::requests`].
    pub request_words: &'s mut [WordRange],
    /// Word ids of every key, key after key. Length: [`IndexRequirements::words`].
    pub words: &'s mut [u32],
    /// The text of each distinct word. Length: [`IndexRequirements::distinct_words`].
    pub word_text: &'s mut [&'a str],
    /// Hash slots of the word dictionary. Length: [`IndexRequirements::word_slots`].
    pub word_slots: &'s mut [u32],
    /// Work space while building. Length: [`IndexRequirements::distinct_words`].
    pub word_cursor: &'s mut [u32],
    /// Postings of every word, word after word. Length: [`IndexRequirements::words`].
    pub postings: &'s mut [Posting],
    /// Where each word's postings start. Length: [`IndexRequirements::distinct_words`] + 1.
    pub posting_start: &'s mut [u32],
}

/// Mutable access to every array of a table, borrowed from a [`Storage`].
pub struct Parts<'s, 'a> {
    /// Distinct requests. Length: [`Requirements::requests`].
    pub requests: &'s mut [RequestSlot<'a>],
    /// Occurrences of requests. Length: [`Requirements::requests`].
    pub groups: &'s mut [GroupSlot],
    /// Group ids ordered by request, then file order. Length: [`Requirements::requests`].
    pub group_order: &'s mut [u32],
    /// Response entries. Length: [`Requirements::responses`].
    pub responses: &'s mut [ResponseSlot<'a>],
    /// Hash slots of the exact-match map, zeroed. Length: [`Requirements::key_slots`].
    pub key_slots: &'s mut [u32],
    /// The word index, when best match should be indexed.
    pub index: Option<IndexParts<'s, 'a>>,
}

/// Shared access to the arrays of a table.
pub struct PartsRef<'s, 'a> {
    pub(crate) requests: &'s [RequestSlot<'a>],
    pub(crate) groups: &'s [GroupSlot],
    pub(crate) responses: &'s [ResponseSlot<'a>],
    pub(crate) key_slots: &'s [u32],
    pub(crate) index: Option<IndexRef<'s, 'a>>,
}

/// Shared access to the word index.
pub struct IndexRef<'s, 'a> {
    pub(crate) request_words: &'s [WordRange],
    pub(crate) words: &'s [u32],
    pub(crate) word_text: &'s [&'a str],
    pub(crate) word_slots: &'s [u32],
    pub(crate) postings: &'s [Posting],
    pub(crate) posting_start: &'s [u32],
}

impl<'s, 'a> IndexRef<'s, 'a> {
    /// A shared view of the arrays of [`IndexParts`], for [`Storage`] implementations.
    pub fn new(
        request_words: &'s [WordRange],
        words: &'s [u32],
        word_text: &'s [&'a str],
        word_slots: &'s [u32],
        postings: &'s [Posting],
        posting_start: &'s [u32],
    ) -> Self {
        IndexRef {
            request_words,
            words,
            word_text,
            word_slots,
            postings,
            posting_start,
        }
    }
}

impl<'s, 'a> PartsRef<'s, 'a> {
    /// A shared view of the arrays of [`Parts`], for [`Storage`] implementations.
    pub fn new(
        requests: &'s [RequestSlot<'a>],
        groups: &'s [GroupSlot],
        responses: &'s [ResponseSlot<'a>],
        key_slots: &'s [u32],
        index: Option<IndexRef<'s, 'a>>,
    ) -> Self {
        PartsRef {
            requests,
            groups,
            responses,
            key_slots,
            index,
        }
    }

    /// Whether the storage has a word index.
    pub fn has_index(&self) -> bool {
        self.index.is_some()
    }
}

/// Something that holds the arrays of a replay table.
///
/// Implemented by [`Parts`] (slices the caller owns), by [`ArrayStorage`] (fixed arrays,
/// for firmware) and by the std crate's vector storage.
///
/// Every call must hand out the same arrays: a table keeps only counts of and indices into
/// what it filled. (A storage that broke this would not make the table panic, but its
/// lookups would go wrong.)
pub trait Storage<'a> {
    /// Mutable access to all arrays at once.
    fn parts(&mut self) -> Parts<'_, 'a>;
    /// Shared access to the arrays lookups read.
    fn parts_ref(&self) -> PartsRef<'_, 'a>;
    /// What taking a response changes and reads: the requests (their repeat counters) and
    /// the group order. Storage whose other arrays are read-only
    /// ([`FrozenStorage`](super::FrozenStorage), in flash) hands out only these.
    fn choice_parts(&mut self) -> (&mut [RequestSlot<'a>], &[u32]) {
        let parts = self.parts();
        (parts.requests, parts.group_order)
    }
}

impl<'a> Storage<'a> for Parts<'_, 'a> {
    fn parts(&mut self) -> Parts<'_, 'a> {
        Parts {
            requests: self.requests,
            groups: self.groups,
            group_order: self.group_order,
            responses: self.responses,
            key_slots: self.key_slots,
            index: self.index.as_mut().map(|index| IndexParts {
                request_words: index.request_words,
                words: index.words,
                word_text: index.word_text,
                word_slots: index.word_slots,
                word_cursor: index.word_cursor,
                postings: index.postings,
                posting_start: index.posting_start,
            }),
        }
    }

    fn parts_ref(&self) -> PartsRef<'_, 'a> {
        PartsRef {
            requests: self.requests,
            groups: self.groups,
            responses: self.responses,
            key_slots: self.key_slots,
            index: self.index.as_ref().map(|index| IndexRef {
                request_words: index.request_words,
                words: index.words,
                word_text: index.word_text,
                word_slots: index.word_slots,
                postings: index.postings,
                posting_start: index.posting_start,
            }),
        }
    }
}

/// Fixed-size storage for a table of up to `REQUESTS` request entries (`<-` lines,
/// repeats included) and `RESPONSES` response entries, without a word index.
///
/// This is the storage for firmware: a replay table baked into flash is read in place and
/// only these arrays live in RAM. [`ArrayStorage::new`] is `const` and all zero, so a
/// `static` of it goes to `.bss`; build the table over `&mut` of that static (see
/// [`Storage`] for `&mut S`) so the arrays are never copied.
pub struct ArrayStorage<'a, const REQUESTS: usize, const RESPONSES: usize> {
    requests: [RequestSlot<'a>; REQUESTS],
    groups: [GroupSlot; REQUESTS],
    group_order: [u32; REQUESTS],
    responses: [ResponseSlot<'a>; RESPONSES],
    /// As many slots as requests: probing is bounded, so a full table still works, and a
    /// microcontroller's table is small enough for the longer probes not to matter.
    key_slots: [u32; REQUESTS],
}

impl<const REQUESTS: usize, const RESPONSES: usize> ArrayStorage<'_, REQUESTS, RESPONSES> {
    /// Empty storage; `const` so it can be placed in a `static`.
    pub const fn new() -> Self {
        ArrayStorage {
            requests: [RequestSlot::EMPTY; REQUESTS],
            groups: [GroupSlot {
                request: 0,
                first_response: 0,
                last_response: 0,
            }; REQUESTS],
            group_order: [0; REQUESTS],
            responses: [ResponseSlot::EMPTY; RESPONSES],
            key_slots: [0; REQUESTS],
        }
    }
}

impl<const REQUESTS: usize, const RESPONSES: usize> Default
    for ArrayStorage<'_, REQUESTS, RESPONSES>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, const REQUESTS: usize, const RESPONSES: usize> Storage<'a>
    for ArrayStorage<'a, REQUESTS, RESPONSES>
{
    fn parts(&mut self) -> Parts<'_, 'a> {
        Parts {
            requests: &mut self.requests,
            groups: &mut self.groups,
            group_order: &mut self.group_order,
            responses: &mut self.responses,
            key_slots: &mut self.key_slots,
            index: None,
        }
    }

    fn parts_ref(&self) -> PartsRef<'_, 'a> {
        PartsRef {
            requests: &self.requests,
            groups: &self.groups,
            responses: &self.responses,
            key_slots: &self.key_slots,
            index: None,
        }
    }
}

/// Storage borrowed for the life of a table, e.g. from a `static`, so it is never moved.
impl<'a, S: Storage<'a>> Storage<'a> for &mut S {
    fn parts(&mut self) -> Parts<'_, 'a> {
        (**self).parts()
    }

    fn parts_ref(&self) -> PartsRef<'_, 'a> {
        (**self).parts_ref()
    }

    fn choice_parts(&mut self) -> (&mut [RequestSlot<'a>], &[u32]) {
        (**self).choice_parts()
    }
}

/// How much storage a table needs for a given set of records (without word index; see
/// [`IndexRequirements`] for that).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Requirements {
    /// Request occurrences: the length of the request, group and group-order arrays.
    pub requests: usize,
    /// Response entries: the length of the response array.
    pub responses: usize,
    /// The most words in one request: lookups need scratch for candidates this long.
    pub max_request_words: usize,
}

impl Requirements {
    /// Counts what `records` need, by the same grouping the table uses. Stops at the first
    /// error.
    pub fn measure<'a, E: Into<BuildError>>(
        records: impl IntoIterator<Item = Result<Record<'a>, E>>,
    ) -> Result<Self, BuildError> {
        let mut counter = RequirementsCounter::default();
        for record in records {
            counter.add(&record.map_err(Into::into)?)?;
        }
        Ok(counter.finish())
    }

    /// Hash slots for the exact-match map.
    pub fn key_slots(&self) -> usize {
        super::slots_for(self.requests)
    }
}

/// Counts [`Requirements`] one record at a time, for callers that see each record once.
#[derive(Default)]
pub struct RequirementsCounter {
    grouping: Grouping,
    needs: Requirements,
}

impl RequirementsCounter {
    /// Counts the next record in file order.
    pub fn add(&mut self, record: &Record<'_>) -> Result<(), BuildError> {
        let role = self.grouping.classify(record);
        if role.response_of.is_some() {
            self.needs.responses += 1;
        }
        if role.opens_request {
            self.needs.requests += 1;
            let words = crate::words::words(lookup_key(record.entry)).count();
            self.needs.max_request_words = self.needs.max_request_words.max(words);
            self.grouping.open(0)?;
        }
        Ok(())
    }

    /// What the records counted so far need.
    pub fn finish(self) -> Requirements {
        self.needs
    }
}

/// How much storage a word index needs (see [`IndexParts`] for which array needs what).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IndexRequirements {
    /// Distinct requests of the table.
    pub requests: usize,
    /// Words over all distinct requests.
    pub words: usize,
    /// Distinct words over all requests (at most `words`; a caller that can count them
    /// exactly saves memory, one that cannot may pass `words`).
    pub distinct_words: usize,
}

impl IndexRequirements {
    /// Hash slots for the word dictionary.
    pub fn word_slots(&self) -> usize {
        super::slots_for(self.distinct_words)
    }
}
