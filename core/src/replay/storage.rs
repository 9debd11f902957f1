//! Where a replay table keeps its state: caller-provided slices, fixed arrays, or (in the
//! std crate) vectors. The table never allocates; it is handed a [`Storage`] sized with
//! [`Requirements`], and running out of room is a [`BuildError`](super::BuildError).

use crate::format::Record;

/// One distinct recorded request (a lookup key) and its replay state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSlot<'a> {
    /// The key: the whole entry, prefix included, with white space stripped around it.
    pub(crate) key: &'a str,
    /// Where this request's groups start in the group order.
    pub(crate) first_group: u32,
    /// How many times the request occurs in the file (its number of response groups).
    pub(crate) group_count: u32,
    /// While building: the group that receives the responses that follow.
    pub(crate) last_group: u32,
    /// How many times the request has been chosen (exactly or as a best match).
    pub(crate) times_chosen: u32,
    /// The request's word ids in the word index (indexed tables only).
    pub(crate) words_start: u32,
    /// Number of words of the key.
    pub(crate) words_len: u32,
}

impl RequestSlot<'_> {
    /// An unused slot, for initialising storage.
    pub const EMPTY: RequestSlot<'static> = RequestSlot {
        key: "",
        first_group: 0,
        group_count: 0,
        last_group: 0,
        times_chosen: 0,
        words_start: 0,
        words_len: 0,
    };
}

/// One occurrence of a request in the file, owning the responses that follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupSlot {
    pub(crate) request: u32,
    pub(crate) responses_start: u32,
    pub(crate) responses_len: u32,
}

/// One recorded response entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseSlot<'a> {
    pub(crate) record: Record<'a>,
    pub(crate) group: u32,
    /// Position in the file, so responses can be sorted by group without a stable sort.
    pub(crate) seq: u32,
}

impl ResponseSlot<'_> {
    /// An unused slot, for initialising storage.
    pub const EMPTY: ResponseSlot<'static> = ResponseSlot {
        record: Record {
            entry: "",
            timestamp: None,
        },
        group: 0,
        seq: 0,
    };
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
    /// Word ids of every key, key after key. Length: [`Requirements::words`].
    pub words: &'s mut [u32],
    /// The text of each distinct word. Length: [`Requirements::words`].
    pub word_text: &'s mut [&'a str],
    /// Hash slots of the word dictionary, zeroed. Length: [`Requirements::word_slots`].
    pub word_slots: &'s mut [u32],
    /// Work space while building. Length: [`Requirements::words`].
    pub word_cursor: &'s mut [u32],
    /// Postings of every word, word after word. Length: [`Requirements::words`].
    pub postings: &'s mut [Posting],
    /// Where each word's postings start. Length: [`Requirements::words`] + 1.
    pub posting_start: &'s mut [u32],
}

/// Mutable access to every array of a table, borrowed from a [`Storage`].
pub struct Parts<'s, 'a> {
    /// Distinct requests. Length: [`Requirements::records`].
    pub requests: &'s mut [RequestSlot<'a>],
    /// Occurrences of requests. Length: [`Requirements::records`].
    pub groups: &'s mut [GroupSlot],
    /// Group ids ordered by request, then file order. Length: [`Requirements::records`].
    pub group_order: &'s mut [u32],
    /// Response entries. Length: [`Requirements::records`].
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
    pub(crate) words: &'s [u32],
    pub(crate) word_text: &'s [&'a str],
    pub(crate) word_slots: &'s [u32],
    pub(crate) postings: &'s [Posting],
    pub(crate) posting_start: &'s [u32],
}

impl<'s, 'a> IndexRef<'s, 'a> {
    /// A shared view of the arrays of [`IndexParts`], for [`Storage`] implementations.
    pub fn new(
        words: &'s [u32],
        word_text: &'s [&'a str],
        word_slots: &'s [u32],
        postings: &'s [Posting],
        posting_start: &'s [u32],
    ) -> Self {
        IndexRef {
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
pub trait Storage<'a> {
    /// Mutable access to all arrays at once.
    fn parts(&mut self) -> Parts<'_, 'a>;
    /// Shared access to the arrays lookups read.
    fn parts_ref(&self) -> PartsRef<'_, 'a>;
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
                words: index.words,
                word_text: index.word_text,
                word_slots: index.word_slots,
                postings: index.postings,
                posting_start: index.posting_start,
            }),
        }
    }
}

/// Fixed-size storage for a table of up to `RECORDS` entries, without a word index.
///
/// `KEY_SLOTS` must exceed the number of distinct requests; [`slots_for`] gives a good
/// value. This is the storage for firmware: a replay table baked into flash is read in place,
/// and only these arrays live in RAM.
///
/// [`slots_for`]: super::slots_for
pub struct ArrayStorage<'a, const RECORDS: usize, const KEY_SLOTS: usize> {
    requests: [RequestSlot<'a>; RECORDS],
    groups: [GroupSlot; RECORDS],
    group_order: [u32; RECORDS],
    responses: [ResponseSlot<'a>; RECORDS],
    key_slots: [u32; KEY_SLOTS],
}

impl<const RECORDS: usize, const KEY_SLOTS: usize> ArrayStorage<'_, RECORDS, KEY_SLOTS> {
    /// Empty storage; `const` so it can be placed in a `static`.
    pub const fn new() -> Self {
        ArrayStorage {
            requests: [RequestSlot::EMPTY; RECORDS],
            groups: [GroupSlot {
                request: 0,
                responses_start: 0,
                responses_len: 0,
            }; RECORDS],
            group_order: [0; RECORDS],
            responses: [ResponseSlot::EMPTY; RECORDS],
            key_slots: [0; KEY_SLOTS],
        }
    }
}

impl<const RECORDS: usize, const KEY_SLOTS: usize> Default
    for ArrayStorage<'_, RECORDS, KEY_SLOTS>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, const RECORDS: usize, const KEY_SLOTS: usize> Storage<'a>
    for ArrayStorage<'a, RECORDS, KEY_SLOTS>
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

/// How much storage a table needs for a given set of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Requirements {
    /// Number of records (entries) in the file.
    pub records: usize,
    /// Number of words over all records (an upper bound for the keys' words).
    pub words: usize,
    /// The most words in one record: the per-lookup scratch for candidates needs this many.
    pub max_record_words: usize,
}

impl Requirements {
    /// Counts what `records` need. Stops at the first parse error.
    pub fn measure<'a, E>(
        records: impl IntoIterator<Item = Result<Record<'a>, E>>,
    ) -> Result<Self, E> {
        let mut needs = Requirements::default();
        for record in records {
            needs.add(&record?);
        }
        Ok(needs)
    }

    /// Counts one more record.
    pub fn add(&mut self, record: &Record<'_>) {
        let words = crate::words::words(record.entry).count();
        self.records += 1;
        self.words += words;
        self.max_record_words = self.max_record_words.max(words);
    }

    /// Hash slots for the exact-match map.
    pub fn key_slots(&self) -> usize {
        super::slots_for(self.records)
    }

    /// Hash slots for the word dictionary.
    pub fn word_slots(&self) -> usize {
        super::slots_for(self.words)
    }
}
