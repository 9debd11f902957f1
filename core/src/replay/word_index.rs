//! The word index of a replay table: every distinct word of the recorded requests gets an
//! id, each request's words are stored as ids, and each word lists the requests that contain
//! it (postings).
//!
//! Best match only ever chooses a request that shares a word with the incoming one, and the
//! number of words it can have in common is bounded by the shared words' counts, so the index
//! lets a lookup skip almost every recorded request without changing which one wins.

use super::hash_slots::{hash_str, HashSlots};
use super::storage::{IndexParts, Posting, RequestSlot, WordRange};
use super::{BuildError, Resource};
use crate::words::words;

/// Fills the index from the requests' keys.
pub(crate) fn build<'a>(
    requests: &[RequestSlot<'a>],
    index: IndexParts<'_, 'a>,
) -> Result<(), BuildError> {
    let IndexParts {
        request_words,
        words: word_ids,
        word_text,
        word_slots,
        word_cursor,
        postings,
        posting_start,
    } = index;
    // Building again (after the storage gained an index) starts from a clean dictionary.
    word_slots.fill(0);
    if let Some(first) = posting_start.first_mut() {
        *first = 0;
    }
    let mut dictionary = HashSlots::new(word_slots);
    let mut n_words = 0usize;
    let mut n_distinct = 0usize;

    // Pass 1: intern every word; count, per word, the requests that contain it.
    for (r, request) in requests.iter().enumerate() {
        let start = n_words as u32;
        for word in words(request.key()) {
            let hash = hash_str(word);
            let id = match dictionary.find(hash, |id| word_text.get(id as usize) == Some(&word)) {
                Some(id) => id,
                None => {
                    let id = n_distinct as u32;
                    *word_text
                        .get_mut(n_distinct)
                        .ok_or(BuildError::Capacity(Resource::Words))? = word;
                    *word_cursor
                        .get_mut(n_distinct)
                        .ok_or(BuildError::Capacity(Resource::Words))? = 0;
                    *posting_start
                        .get_mut(n_distinct + 1)
                        .ok_or(BuildError::Capacity(Resource::Words))? = 0;
                    dictionary
                        .insert(hash, id)
                        .map_err(|_| BuildError::Capacity(Resource::WordSlots))?;
                    n_distinct += 1;
                    id
                }
            };
            *word_ids
                .get_mut(n_words)
                .ok_or(BuildError::Capacity(Resource::Words))? = id;
            n_words += 1;
            // word_cursor holds "last request seen + 1" during this pass.
            let seen = word_cursor
                .get_mut(id as usize)
                .ok_or(BuildError::Capacity(Resource::Words))?;
            if *seen != r as u32 + 1 {
                *seen = r as u32 + 1;
                if let Some(count) = posting_start.get_mut(id as usize + 1) {
                    *count += 1;
                }
            }
        }
        *request_words
            .get_mut(r)
            .ok_or(BuildError::Capacity(Resource::Requests))? = WordRange {
            start,
            len: n_words as u32 - start,
        };
    }

    // Prefix sums turn counts into start positions.
    if let Some(first) = posting_start.get_mut(0) {
        *first = 0;
    }
    // Pass 1 made sure `posting_start` has `n_distinct + 1` entries, and the words of each
    // request are where pass 1 wrote them: the fallbacks below are never taken.
    for i in 1..=n_distinct {
        let previous = posting_start.get(i - 1).copied().unwrap_or(0);
        if let Some(start) = posting_start.get_mut(i) {
            *start += previous;
        }
    }
    let total = posting_start.get(n_distinct).copied().unwrap_or(0) as usize;
    if total > postings.len() {
        return Err(BuildError::Capacity(Resource::Words));
    }
    for cursor in word_cursor.iter_mut().take(n_distinct) {
        *cursor = 0;
    }

    // Pass 2: fill postings in request order, merging repeats of a word within a request.
    for (r, range) in request_words.iter().take(requests.len()).enumerate() {
        let ids = word_ids
            .get(range.start as usize..(range.start + range.len) as usize)
            .unwrap_or_default();
        for &id in ids {
            let start = posting_start.get(id as usize).copied().unwrap_or(0) as usize;
            let Some(cursor) = word_cursor.get_mut(id as usize) else {
                continue;
            };
            let filled = *cursor as usize;
            if filled > 0 {
                if let Some(last) = postings.get_mut(start + filled - 1) {
                    if last.request == r as u32 {
                        last.count += 1;
                        continue;
                    }
                }
            }
            if let Some(slot) = postings.get_mut(start + filled) {
                *slot = Posting {
                    request: r as u32,
                    count: 1,
                };
                *cursor += 1;
            }
        }
    }
    Ok(())
}
