//! Best match: the recorded request nearest to one that was not recorded, chosen exactly as
//! the reference chooses it, but without comparing against every recorded request when a
//! word index is available.
//!
//! The reference scans the recorded requests of the same type in file order and keeps a
//! candidate when it is strictly better than the best so far: more words in common (sum of
//! difflib's matching blocks); on a tie, fewer non-matching runs; on a tie, more unused
//! response groups. That is a lexicographic maximum with file order breaking the last ties,
//! so candidates may be scored in any order as long as the same maximum comes out.
//!
//! The indexed search scores candidates in descending order of an upper bound of their
//! words in common (the multiset intersection of their words with the request's), and stops
//! when the bound falls below the best score found. A candidate that shares no word is
//! never touched at all: its score would be 0, and a score of 0 never wins.

use super::storage::{IndexRef, RequestSlot};
use super::{hash_slots, LookupError};
use crate::difflib::{self, BIndex, Score};
use crate::words::{same_type, words};

/// Per-lookup working memory, reusable across lookups.
///
/// Sized by [`LookupScratch::required`] for the longest request it will see, the longest
/// recorded request and the number of recorded requests. A lookup whose request is longer
/// than the scratch was made for fails with [`LookupError::ScratchTooSmall`].
pub struct LookupScratch<'s> {
    request_words: &'s mut [u32],
    b_index: &'s mut [u32],
    difflib: &'s mut [u32],
    candidate_words: &'s mut [u32],
    bound: &'s mut [u32],
    touched: &'s mut [u32],
    order: &'s mut [u32],
    buckets: &'s mut [u32],
    max_request_words: usize,
}

/// The lengths of the parts of a [`LookupScratch`].
struct Layout {
    request_words: usize,
    b_index: usize,
    difflib: usize,
    candidate_words: usize,
    per_request: usize,
    buckets: usize,
}

impl Layout {
    const fn new(max_request_words: usize, max_key_words: usize, requests: usize) -> Self {
        Layout {
            request_words: max_request_words,
            b_index: BIndex::required(max_request_words),
            difflib: difflib::Scratch::required(max_key_words, max_request_words),
            candidate_words: max_key_words,
            per_request: requests,
            buckets: max_request_words.saturating_add(2),
        }
    }

    const fn total(&self) -> usize {
        self.request_words
            .saturating_add(self.b_index)
            .saturating_add(self.difflib)
            .saturating_add(self.candidate_words)
            .saturating_add(self.per_request.saturating_mul(3))
            .saturating_add(self.buckets)
    }
}

impl<'s> LookupScratch<'s> {
    /// How many `u32`s [`LookupScratch::new`] needs.
    ///
    /// `requests` is the table's [`request_count`](super::ReplayTable::request_count) for an
    /// indexed table and may be 0 for a table without word index.
    pub const fn required(
        max_request_words: usize,
        max_key_words: usize,
        requests: usize,
    ) -> usize {
        Layout::new(max_request_words, max_key_words, requests).total()
    }

    /// Splits `storage` (at least [`LookupScratch::required`] long) into working memory.
    pub fn new(
        storage: &'s mut [u32],
        max_request_words: usize,
        max_key_words: usize,
        requests: usize,
    ) -> Result<Self, LookupError> {
        let layout = Layout::new(max_request_words, max_key_words, requests);
        if storage.len() < layout.total() {
            return Err(LookupError::ScratchTooSmall);
        }
        let (request_words, rest) = storage.split_at_mut(layout.request_words);
        let (b_index, rest) = rest.split_at_mut(layout.b_index);
        let (difflib, rest) = rest.split_at_mut(layout.difflib);
        let (candidate_words, rest) = rest.split_at_mut(layout.candidate_words);
        let (bound, rest) = rest.split_at_mut(layout.per_request);
        let (touched, rest) = rest.split_at_mut(layout.per_request);
        let (order, rest) = rest.split_at_mut(layout.per_request);
        let (buckets, _) = rest.split_at_mut(layout.buckets);
        // `bound` is zeroed by the indexed search that uses it, not here: most lookups are
        // exact and never touch it, and zeroing one slot per recorded request on every lookup
        // cost more than the exact lookup itself (40 KB for 10,000 requests).
        Ok(LookupScratch {
            request_words,
            b_index,
            difflib,
            candidate_words,
            bound,
            touched,
            order,
            buckets,
            max_request_words,
        })
    }
}

/// The best candidate so far and what it scored.
#[derive(Clone, Copy)]
struct Best {
    request: u32,
    score: Score,
    unused: i64,
}

impl Best {
    /// The reference's `isBetterMatch`, with file order settling what it leaves tied.
    fn is_beaten_by(&self, other: &Best) -> bool {
        let (s, o) = (&self.score, &other.score);
        (
            o.common,
            core::cmp::Reverse(o.nonmatching_runs),
            other.unused,
            core::cmp::Reverse(other.request),
        ) > (
            s.common,
            core::cmp::Reverse(s.nonmatching_runs),
            self.unused,
            core::cmp::Reverse(self.request),
        )
    }
}

fn unused_groups(request: &RequestSlot<'_>) -> i64 {
    i64::from(request.group_count) - i64::from(request.times_chosen)
}

/// Words of the request that are not in the dictionary get ids no recorded word has:
/// they can never match, but they still count in the request's length.
fn unknown_word_id(position: usize) -> u32 {
    u32::MAX - position as u32
}

/// Scores `request` as a candidate and keeps it if it is better than `best`.
fn consider(
    best: &mut Option<Best>,
    r: u32,
    request: &RequestSlot<'_>,
    candidate: &[u32],
    b: &BIndex<'_>,
    scratch: &mut difflib::Scratch<'_>,
) -> Result<(), LookupError> {
    let score = difflib::score(candidate, b, scratch).map_err(|_| LookupError::ScratchTooSmall)?;
    if score.common == 0 {
        return Ok(());
    }
    let contender = Best {
        request: r,
        score,
        unused: unused_groups(request),
    };
    if best.as_ref().is_none_or(|b| b.is_beaten_by(&contender)) {
        *best = Some(contender);
    }
    Ok(())
}

/// Best match using the word index.
pub(crate) fn nearest_indexed(
    index: &IndexRef<'_, '_>,
    requests: &[RequestSlot<'_>],
    desc: &str,
    scratch: &mut LookupScratch<'_>,
) -> Result<Option<(u32, Score)>, LookupError> {
    let LookupScratch {
        request_words,
        b_index,
        difflib: difflib_storage,
        bound,
        touched,
        order,
        buckets,
        max_request_words,
        ..
    } = scratch;
    let Some(bound) = bound.get_mut(..requests.len()) else {
        return Err(LookupError::ScratchTooSmall);
    };
    bound.fill(0);

    // The request's words as dictionary ids.
    let mut n = 0usize;
    for word in words(desc) {
        let slot = request_words
            .get_mut(n)
            .ok_or(LookupError::ScratchTooSmall)?;
        // A word the dictionary does not have gets an id of its own that no recorded word has.
        *slot = hash_slots::find_readonly(index.word_slots, hash_slots::hash_str(word), |id| {
            index.word_text.get(id as usize) == Some(&word)
        })
        .unwrap_or(unknown_word_id(n));
        n += 1;
    }
    // `n` slots were written just above: the fallback is never taken.
    let b_words = request_words.get(..n).unwrap_or_default();
    let b = BIndex::new(b_words, b_index).map_err(|_| LookupError::ScratchTooSmall)?;
    let mut diff_scratch = difflib::Scratch::new(difflib_storage, *max_request_words)
        .map_err(|_| LookupError::ScratchTooSmall)?;

    // Upper bounds of the words in common, for every request sharing a word.
    let mut n_touched = 0usize;
    let mut max_bound = 0u32;
    for (j, &word) in b_words.iter().enumerate() {
        let positions = b.positions(word);
        if positions.first() != Some(&(j as u32)) {
            continue; // not the word's first occurrence, or unknown
        }
        let in_b = positions.len() as u32;
        // An unknown word's id (`unknown_word_id`) is past the dictionary's arrays: it has
        // no postings, `start == end == 0`. A known word's postings are in bounds.
        let start = index.posting_start.get(word as usize).copied().unwrap_or(0) as usize;
        let end = index
            .posting_start
            .get(word as usize + 1)
            .copied()
            .unwrap_or(0) as usize;
        for posting in index.postings.get(start..end).unwrap_or_default() {
            let Some(slot) = bound.get_mut(posting.request as usize) else {
                continue;
            };
            if *slot == 0 {
                if let Some(t) = touched.get_mut(n_touched) {
                    *t = posting.request;
                    n_touched += 1;
                }
            }
            *slot += posting.count.min(in_b);
            max_bound = max_bound.max(*slot);
        }
    }
    // `touched`, `order` and `bound` have one slot per request (`LookupScratch::new`),
    // `n_touched` counts slots written, each touched `r` has its slot in `bound`, and
    // `buckets` is read below its length: the fallbacks below are never taken.
    let touched = touched.get(..n_touched).unwrap_or_default();

    // Counting sort of the touched requests by descending bound.
    let levels = max_bound as usize + 1;
    let buckets = buckets
        .get_mut(..levels + 1)
        .ok_or(LookupError::ScratchTooSmall)?;
    buckets.fill(0);
    for &r in touched {
        let level = max_bound - bound.get(r as usize).copied().unwrap_or(0);
        if let Some(count) = buckets.get_mut(level as usize + 1) {
            *count += 1;
        }
    }
    for i in 1..buckets.len() {
        let previous = buckets.get(i - 1).copied().unwrap_or(0);
        if let Some(b) = buckets.get_mut(i) {
            *b += previous;
        }
    }
    for &r in touched {
        let level = max_bound - bound.get(r as usize).copied().unwrap_or(0);
        if let Some(cursor) = buckets.get_mut(level as usize) {
            if let Some(slot) = order.get_mut(*cursor as usize) {
                *slot = r;
            }
            *cursor += 1;
        }
    }

    // Score in that order until no remaining candidate can reach the best.
    let mut best: Option<Best> = None;
    let mut result = Ok(());
    for &r in order.get(..n_touched).unwrap_or_default() {
        let candidate_bound = bound.get(r as usize).copied().unwrap_or(0);
        let Some(request) = requests.get(r as usize) else {
            continue;
        };
        if let Some(best) = &best {
            if candidate_bound < best.score.common {
                break;
            }
            // With the bound equal to the best's words in common, a perfect run count can
            // only be matched, so the candidate must win on unused groups or file order.
            if candidate_bound == best.score.common && best.score.nonmatching_runs == 0 {
                let unused = unused_groups(request);
                if unused < best.unused || (unused == best.unused && r > best.request) {
                    continue;
                }
            }
        }
        if !same_type(desc, request.key()) {
            continue;
        }
        // The index was built for every request of the table: never the fallbacks.
        let range = index
            .request_words
            .get(r as usize)
            .copied()
            .unwrap_or_default();
        let candidate = index
            .words
            .get(range.start as usize..(range.start + range.len) as usize)
            .unwrap_or_default();
        if let Err(e) = consider(&mut best, r, request, candidate, &b, &mut diff_scratch) {
            result = Err(e);
            break;
        }
    }

    result?;
    Ok(best.map(|b| (b.request, b.score)))
}

/// Best match by comparing with every recorded request of the same type, as the reference
/// does. Needs no index, so it suits small tables on a microcontroller.
pub(crate) fn nearest_by_scan(
    requests: &[RequestSlot<'_>],
    desc: &str,
    scratch: &mut LookupScratch<'_>,
) -> Result<Option<(u32, Score)>, LookupError> {
    let LookupScratch {
        request_words,
        b_index,
        difflib: difflib_storage,
        candidate_words,
        max_request_words,
        ..
    } = scratch;

    // Ids local to this lookup: a request word's id is the position of its first occurrence.
    let mut n = 0usize;
    for (j, word) in words(desc).enumerate() {
        // A word seen for the first time is its own first occurrence.
        let first = words(desc).take(j).position(|w| w == word).unwrap_or(j);
        *request_words
            .get_mut(j)
            .ok_or(LookupError::ScratchTooSmall)? = first as u32;
        n = j + 1;
    }
    // `n` slots were written just above: the fallback is never taken.
    let b_words = request_words.get(..n).unwrap_or_default();
    let b = BIndex::new(b_words, b_index).map_err(|_| LookupError::ScratchTooSmall)?;
    let mut diff_scratch = difflib::Scratch::new(difflib_storage, *max_request_words)
        .map_err(|_| LookupError::ScratchTooSmall)?;

    let mut best: Option<Best> = None;
    for (r, request) in requests.iter().enumerate() {
        if !same_type(desc, request.key()) {
            continue;
        }
        let mut len = 0usize;
        let mut shares_a_word = false;
        for (i, word) in words(request.key()).enumerate() {
            let id = match words(desc).position(|w| w == word) {
                Some(first) => {
                    shares_a_word = true;
                    first as u32
                }
                None => unknown_word_id(n + i),
            };
            *candidate_words
                .get_mut(i)
                .ok_or(LookupError::ScratchTooSmall)? = id;
            len = i + 1;
        }
        if shares_a_word {
            // `len` slots were written just above: the fallback is never taken.
            let candidate = candidate_words.get(..len).unwrap_or_default();
            consider(
                &mut best,
                r as u32,
                request,
                candidate,
                &b,
                &mut diff_scratch,
            )?;
        }
    }
    Ok(best.map(|b| (b.request, b.score)))
}
