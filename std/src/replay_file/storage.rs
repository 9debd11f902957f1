//! Replay-table storage in vectors, sized once from the file's [`Requirements`].
//! The core engine takes its memory from a [`Storage`] and never allocates; on a device that
//! is a fixed array, here it is vectors allocated once at the exact sizes the loader counted.
//! Nothing is resized afterwards, so the table's slices stay where they are.

use capturemock_core::replay::{
    GroupSlot, IndexParts, IndexRef, IndexRequirements, Parts, PartsRef, Posting, RequestSlot,
    Requirements, ResponseSlot, Storage, WordRange,
};

/// The arrays of a word index.
/// Apart from the table's own arrays because the index is optional (`word_index: false`
/// saves its memory), and because it can only be sized once the table is built and the
/// distinct words are counted.
struct IndexVecs<'a> {
    request_words: Vec<WordRange>,
    words: Vec<u32>,
    word_text: Vec<&'a str>,
    word_slots: Vec<u32>,
    word_cursor: Vec<u32>,
    postings: Vec<Posting>,
    posting_start: Vec<u32>,
}

/// Storage of a replay table in vectors.
/// Each field is one of the arrays the core's [`Parts`] names; their meaning is the core's.
pub struct VecStorage<'a> {
    requests: Vec<RequestSlot<'a>>,
    groups: Vec<GroupSlot>,
    group_order: Vec<u32>,
    responses: Vec<ResponseSlot<'a>>,
    key_slots: Vec<u32>,
    index: Option<IndexVecs<'a>>,
}

impl<'a> VecStorage<'a> {
    /// Storage for a table with these requirements, without word index.
    pub fn new(needs: &Requirements) -> Self {
        VecStorage {
            requests: vec![RequestSlot::EMPTY; needs.requests],
            groups: vec![GroupSlot::default(); needs.requests],
            group_order: vec![0; needs.requests],
            responses: vec![ResponseSlot::EMPTY; needs.responses],
            key_slots: vec![0; needs.key_slots()],
            index: None,
        }
    }

    /// Gives the storage word-index arrays of these sizes (then call
    /// `ReplayTable::build_index`).
    pub fn add_index(&mut self, needs: &IndexRequirements) {
        self.index = Some(IndexVecs {
            request_words: vec![WordRange::default(); needs.requests],
            words: vec![0; needs.words],
            word_text: vec![""; needs.distinct_words],
            word_slots: vec![0; needs.word_slots()],
            word_cursor: vec![0; needs.distinct_words],
            postings: vec![Posting::default(); needs.words],
            posting_start: vec![0; needs.distinct_words + 1],
        });
    }

    /// Whether the storage has room for a word index.
    pub fn has_index(&self) -> bool {
        self.index.is_some()
    }
}

/// The core asks for the arrays as one mutable borrow while building and as shared slices
/// while answering; it gets the same vectors every time, which its `Storage` contract
/// requires, since the vectors are never resized after `new` and `add_index`.
impl<'a> Storage<'a> for VecStorage<'a> {
    fn parts(&mut self) -> Parts<'_, 'a> {
        Parts {
            requests: &mut self.requests,
            groups: &mut self.groups,
            group_order: &mut self.group_order,
            responses: &mut self.responses,
            key_slots: &mut self.key_slots,
            index: self.index.as_mut().map(|index| IndexParts {
                request_words: &mut index.request_words,
                words: &mut index.words,
                word_text: &mut index.word_text,
                word_slots: &mut index.word_slots,
                word_cursor: &mut index.word_cursor,
                postings: &mut index.postings,
                posting_start: &mut index.posting_start,
            }),
        }
    }

    fn parts_ref(&self) -> PartsRef<'_, 'a> {
        PartsRef::new(
            &self.requests,
            &self.groups,
            &self.responses,
            &self.key_slots,
            self.index.as_ref().map(|index| {
                IndexRef::new(
                    &index.request_words,
                    &index.words,
                    &index.word_text,
                    &index.word_slots,
                    &index.postings,
                    &index.posting_start,
                )
            }),
        )
    }
}
