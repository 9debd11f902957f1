//! Python's `difflib.SequenceMatcher(None, a, b).get_matching_blocks()`, exactly, without
//! allocating.
//!
//! CaptureMock picks the best recorded request by comparing word sequences with Python's
//! `SequenceMatcher` (autojunk on, no junk function), so every quirk that changes the chosen
//! blocks has to be reproduced, not just "a longest common subsequence":
//!
//! - When `b` has 200 or more elements, an element occurring more than `len(b) / 100 + 1`
//!   times in `b` is "popular": it is left out of the index, so it can never be found by the
//!   longest-match search itself.
//! - The longest-match search prefers the match that starts earliest in `a`, then earliest in
//!   `b`, as a side effect of its scanning order.
//! - The match found is then extended backwards and forwards over equal elements, popular
//!   ones included (with no junk function the first pair of extension loops accepts any
//!   element), even when the search found nothing: a popular element at the very start of
//!   both ranges becomes a block of its own.
//! - Blocks are found recursively in the ranges left and right of each match, sorted, and
//!   adjacent blocks are merged; a sentinel `(len(a), len(b), 0)` ends the list.
//!
//! Sequence `b` (the live request) is indexed once in a [`BIndex`] and compared against many
//! candidates `a` (the recorded requests) with a reusable [`Scratch`]. All storage is caller
//! provided `u32` slices, sized with [`BIndex::required`], [`Scratch::required`] and
//! [`max_blocks`]; too little storage is reported as a [`CapacityError`], never a panic.

use core::fmt;

/// One matching block: `a[a..a + size] == b[b..b + size]`, like Python's `Match`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Block {
    /// Start in sequence `a`.
    pub a: u32,
    /// Start in sequence `b`.
    pub b: u32,
    /// Number of equal elements; 0 only for the final sentinel block.
    pub size: u32,
}

/// CaptureMock's summary of the matching blocks between a candidate and the request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Score {
    /// Total size of the matching blocks (`commonElementCount`).
    pub common: u32,
    /// Number of blocks including the sentinel, minus one, minus one more when the last real
    /// block runs up to the end of both sequences (`nonMatchingSequenceCount`).
    pub nonmatching_runs: u32,
}

/// Which caller-provided storage was too small.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageKind {
    /// The storage given to [`BIndex::new`].
    Index,
    /// The storage given to [`Scratch::new`], or a request longer than the scratch was made for.
    Scratch,
    /// The output slice given to [`matching_blocks`].
    Blocks,
    /// A sequence longer than `u32` positions can describe (`needed` is its length).
    SequenceLength,
}

/// Caller-provided storage is too small for the sequences at hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CapacityError {
    /// Which storage ran out.
    pub storage: StorageKind,
    /// How many elements (`u32`s, or [`Block`]s for [`StorageKind::Blocks`]) were needed.
    pub needed: usize,
    /// How many were available.
    pub available: usize,
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.storage {
            StorageKind::Index => "difflib index storage",
            StorageKind::Scratch => "difflib scratch storage",
            StorageKind::Blocks => "difflib block output",
            StorageKind::SequenceLength => "difflib sequence length limit",
        };
        write!(
            f,
            "{what} too small: {} needed, {} available",
            self.needed, self.available
        )
    }
}

impl core::error::Error for CapacityError {}

/// Longest sequence accepted: positions and the sentinel must fit in a `u32`.
const MAX_LEN: usize = u32::MAX as usize - 1;

fn check_len(len: usize) -> Result<u32, CapacityError> {
    if len > MAX_LEN {
        return Err(CapacityError {
            storage: StorageKind::SequenceLength,
            needed: len,
            available: MAX_LEN,
        });
    }
    Ok(len as u32)
}

/// Most blocks [`matching_blocks`] can return for sequences of these lengths, sentinel
/// included: every real block holds at least one element of each sequence.
pub const fn max_blocks(len_a: usize, len_b: usize) -> usize {
    let shorter = if len_a < len_b { len_a } else { len_b };
    shorter.saturating_add(1)
}

/// Slots in the hash table of a [`BIndex`] for `len_b` elements: a power of two at least
/// four times the largest possible number of distinct elements. At that load most lookups
/// end at the first slot, which measured twice as fast as a half-full table (the probe loop's
/// exit is then predictable) and faster than binary search from about 16 distinct elements.
const fn table_slots(len_b: usize) -> usize {
    let wanted = len_b.saturating_mul(4);
    match wanted.checked_next_power_of_two() {
        Some(t) if t >= 2 => t,
        Some(_) => 2,
        None => usize::MAX,
    }
}

/// Fibonacci hashing: the top bits of the product spread even consecutive ids evenly.
#[inline]
fn slot_of(word: u32, shift: u32) -> usize {
    (word.wrapping_mul(0x9e37_79b9) >> shift) as usize
}

/// The index of sequence `b` (Python's `b2j`, popular elements marked), built once per
/// request and shared by all comparisons against it.
#[derive(Clone, Copy, Debug)]
pub struct BIndex<'s> {
    b: &'s [u32],
    /// Every position of `b`, grouped by element, ascending within a group.
    positions: &'s [u32],
    /// Open addressing, [`SLOT`] words per slot: an element and where its group lies in
    /// `positions`. A group is never empty, so an end of 0 marks a free slot.
    slots: &'s [u32],
    /// `32 - log2(number of slots)`.
    shift: u32,
    /// A group longer than this is popular; `u32::MAX` when `b` is too short for the rule.
    popular_above: u32,
}

/// Words per hash slot: element, group start, group end.
const SLOT: usize = 3;

impl<'s> BIndex<'s> {
    /// How many `u32`s of storage [`BIndex::new`] needs for a `b` of `len_b` elements
    /// (between `13 * len_b` and `25 * len_b`, at least 6).
    pub const fn required(len_b: usize) -> usize {
        len_b.saturating_add(table_slots(len_b).saturating_mul(SLOT))
    }

    /// Indexes `b`, using `storage` (at least [`BIndex::required`]`(b.len())` long) for the
    /// tables. Costs two hash lookups per element of `b`, and no sort.
    pub fn new(b: &'s [u32], storage: &'s mut [u32]) -> Result<Self, CapacityError> {
        let len_b = check_len(b.len())?;
        let needed = Self::required(b.len());
        if storage.len() < needed {
            return Err(CapacityError {
                storage: StorageKind::Index,
                needed,
                available: storage.len(),
            });
        }
        let (positions, rest) = storage.split_at_mut(b.len());
        let n_slots = table_slots(b.len());
        let slots = &mut rest[..n_slots * SLOT];
        let mask = n_slots - 1;
        let shift = 32u32.saturating_sub(n_slots.trailing_zeros());

        // Python's b2j lists each element's positions, ascending. Here they are grouped in
        // `positions` without a sort (a sort is 4 KB of flash on a Cortex-M): count each
        // element's occurrences in its hash slot, give each group its place (groups in slot
        // order; only their ranges are ever read), then place the positions from the last to
        // the first so that each group ends up ascending.
        slots.fill(0);
        for &word in b {
            // At most a quarter of the table is ever used, so a free slot is always found.
            let mut i = slot_of(word, shift);
            while let Some(slot) = slots.get_mut(i * SLOT..i * SLOT + SLOT) {
                if slot[2] == 0 {
                    slot.copy_from_slice(&[word, 0, 1]);
                    break;
                }
                if slot[0] == word {
                    slot[2] += 1;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        // Both ends at the group's end; placing a position moves the start down by one.
        let mut end = 0u32;
        for slot in slots.chunks_exact_mut(SLOT) {
            if slot[2] != 0 {
                end += slot[2];
                slot[1] = end;
                slot[2] = end;
            }
        }
        for (p, &word) in b.iter().enumerate().rev() {
            let mut i = slot_of(word, shift);
            while let Some(slot) = slots.get_mut(i * SLOT..i * SLOT + SLOT) {
                // Every element of `b` has its slot, found before any free one.
                if slot[2] == 0 {
                    break;
                }
                if slot[0] == word {
                    slot[1] -= 1;
                    if let Some(place) = positions.get_mut(slot[1] as usize) {
                        *place = p as u32;
                    }
                    break;
                }
                i = (i + 1) & mask;
            }
        }

        // difflib: `if self.autojunk and n >= 200: ntest = n // 100 + 1`, popular if `> ntest`.
        let popular_above = if len_b >= 200 {
            len_b / 100 + 1
        } else {
            u32::MAX
        };
        Ok(BIndex {
            b,
            positions,
            slots,
            shift,
            popular_above,
        })
    }

    /// The indexed sequence `b`.
    pub fn b(&self) -> &'s [u32] {
        self.b
    }

    /// Length of `b`.
    pub fn len(&self) -> usize {
        self.b.len()
    }

    /// Whether `b` is empty.
    pub fn is_empty(&self) -> bool {
        self.b.is_empty()
    }

    /// Where the positions of `word` lie in `self.positions` (empty when absent).
    #[inline]
    fn group(&self, word: u32) -> (u32, u32) {
        let n_slots = self.slots.len() / SLOT;
        let mask = n_slots.wrapping_sub(1);
        let mut i = slot_of(word, self.shift);
        // Bounded by the table size so that the loop provably ends.
        for _ in 0..n_slots {
            let Some(&[key, start, end]) = self.slots.get(i * SLOT..i * SLOT + SLOT) else {
                break;
            };
            // One exit test for both "found" and "free slot" (a free slot holds (0, 0), and
            // its key may well equal `word`): which of the two it was is left to the data,
            // which keeps an unpredictable branch out of the common, first-probe case.
            if key == word || end == 0 {
                return (start, end);
            }
            i = (i + 1) & mask;
        }
        (0, 0)
    }

    /// All positions of `word` in `b`, ascending, popular or not.
    pub fn positions(&self, word: u32) -> &'s [u32] {
        let (s, e) = self.group(word);
        // `group` answers a range `new` cut out of `positions`, or (0, 0) for a word `b` does
        // not have: in bounds, so the fallback is never taken.
        self.positions.get(s as usize..e as usize).unwrap_or(&[])
    }

    /// How many times `word` occurs in `b`.
    pub fn count(&self, word: u32) -> u32 {
        let (s, e) = self.group(word);
        e - s
    }

    /// Whether `word` is popular in `b` (left out of the search, though blocks may still be
    /// extended over it).
    pub fn is_popular(&self, word: u32) -> bool {
        self.count(word) > self.popular_above
    }

    /// Python's `b2j.get(word, [])`, as a range of `self.positions`: the positions a match
    /// search may start from.
    #[inline]
    fn b2j(&self, word: u32) -> (u32, u32) {
        let (s, e) = self.group(word);
        if e - s > self.popular_above {
            (s, s)
        } else {
            (s, e)
        }
    }

    /// An upper bound of [`Score::common`] for candidate `a` against `b`, cheap enough to
    /// prune candidates before scoring them: the size of the multiset intersection of `a`
    /// and `b` (each element counted at most as often as it occurs in both). Quadratic in
    /// `a.len()`, so meant for short candidates.
    pub fn common_bound(&self, a: &[u32]) -> u32 {
        let mut bound = 0u32;
        for (i, &w) in a.iter().enumerate() {
            let in_b = self.count(w);
            if in_b == 0 {
                continue;
            }
            let earlier = a.iter().take(i).filter(|&&x| x == w).count();
            if (earlier as u64) < u64::from(in_b) {
                bound += 1;
            }
        }
        bound
    }
}

/// Working storage for comparisons, reusable across candidates and requests.
///
/// It holds Python's `j2len` tables (one `(row stamp, length)` pair per position of `b`, so a
/// new row costs nothing instead of clearing `len(b)` entries), the `b2j` lookups of the
/// current candidate (so each element of `a` is looked up once, not once per searched range)
/// and the stack of ranges still to search.
#[derive(Debug)]
pub struct Scratch<'s> {
    /// `2 * max_len_b` words: stamp at `2 * j`, run length at `2 * j + 1`.
    j2len: &'s mut [u32],
    /// The rest: `2 * len(a)` words of `b2j` ranges, then the stack, four words per frame.
    work: &'s mut [u32],
    /// Last stamp handed out; entries carrying an older stamp are stale.
    stamp: u32,
}

/// A frame of the search stack.
#[derive(Clone, Copy)]
enum Frame {
    /// Search `a[alo..ahi]` against `b[blo..bhi]`.
    Range {
        alo: u32,
        ahi: u32,
        blo: u32,
        bhi: u32,
    },
    /// Emit a block: everything left of it has been emitted already.
    Emit(Block),
}

/// Tag in the fourth word of a stacked [`Frame::Emit`]; a range's `bhi` never reaches it.
const EMIT_TAG: u32 = u32::MAX;

/// Words of `Scratch::work` one comparison needs.
const fn work_len(len_a: usize, len_b: usize) -> usize {
    len_a
        .saturating_mul(2)
        .saturating_add(max_blocks(len_a, len_b).saturating_mul(4))
}

impl<'s> Scratch<'s> {
    /// How many `u32`s of storage [`Scratch::new`] needs for candidates of up to `max_len_a`
    /// elements against requests of up to `max_len_b` elements (about
    /// `2 * max_len_b + 6 * max_len_a`).
    pub const fn required(max_len_a: usize, max_len_b: usize) -> usize {
        max_len_b
            .saturating_mul(2)
            .saturating_add(work_len(max_len_a, max_len_b))
    }

    /// Prepares scratch storage for requests of up to `max_len_b` elements; what is left of
    /// `storage` after the `j2len` tables bounds the candidates (see [`Scratch::required`]).
    /// Costs one pass over `2 * max_len_b` words.
    pub fn new(storage: &'s mut [u32], max_len_b: usize) -> Result<Self, CapacityError> {
        check_len(max_len_b)?;
        let needed = Self::required(0, max_len_b);
        if storage.len() < needed {
            return Err(CapacityError {
                storage: StorageKind::Scratch,
                needed,
                available: storage.len(),
            });
        }
        let (j2len, work) = storage.split_at_mut(max_len_b * 2);
        j2len.fill(0);
        Ok(Scratch {
            j2len,
            work,
            stamp: 0,
        })
    }

    fn check(&self, len_a: usize, len_b: usize) -> Result<(), CapacityError> {
        if self.j2len.len() < len_b.saturating_mul(2) || self.work.len() < work_len(len_a, len_b) {
            // The split between tables and the rest is fixed at construction, so report the
            // whole requirement against the whole storage.
            return Err(CapacityError {
                storage: StorageKind::Scratch,
                needed: Self::required(len_a, len_b.max(self.j2len.len() / 2)),
                available: self.j2len.len() + self.work.len(),
            });
        }
        Ok(())
    }

    /// Calls `emit` with each matching block, sorted and merged like
    /// `get_matching_blocks()`, sentinel excluded.
    fn for_each_block(
        &mut self,
        a: &[u32],
        index: &BIndex<'_>,
        mut emit: impl FnMut(Block),
    ) -> Result<(), CapacityError> {
        let len_a = check_len(a.len())?;
        let len_b = check_len(index.len())?;
        self.check(a.len(), index.len())?;
        let (rows, stack) = self.work.split_at_mut(a.len() * 2);
        for (row, &word) in rows.chunks_exact_mut(2).zip(a) {
            let (s, e) = index.b2j(word);
            row.copy_from_slice(&[s, e]);
        }
        let mut search = Search {
            a,
            index,
            rows,
            j2len: self.j2len,
            stamp: &mut self.stamp,
        };
        let mut stack = Stack {
            words: stack,
            depth: 0,
        };

        // difflib pops ranges off a LIFO queue and sorts the blocks at the end; the set of
        // blocks does not depend on the order ranges are searched, so searching them in
        // order (left range, block, right range) yields the blocks already sorted and they
        // can be merged as they come. Stacked frames cover disjoint, non-empty parts of both
        // sequences, hence at most min(len_a, len_b) of them (plus the first range).
        stack.push(Frame::Range {
            alo: 0,
            ahi: len_a,
            blo: 0,
            bhi: len_b,
        });
        let mut pending = Block::default();
        while let Some(frame) = stack.pop() {
            match frame {
                Frame::Range { alo, ahi, blo, bhi } => {
                    let m = search.find_longest_match(alo, ahi, blo, bhi);
                    if m.size == 0 {
                        continue;
                    }
                    let (end_a, end_b) = (m.a + m.size, m.b + m.size);
                    if end_a < ahi && end_b < bhi {
                        stack.push(Frame::Range {
                            alo: end_a,
                            ahi,
                            blo: end_b,
                            bhi,
                        });
                    }
                    stack.push(Frame::Emit(m));
                    if alo < m.a && blo < m.b {
                        stack.push(Frame::Range {
                            alo,
                            ahi: m.a,
                            blo,
                            bhi: m.b,
                        });
                    }
                }
                Frame::Emit(m) => {
                    // Without junk, maximal extension means blocks never touch, but difflib
                    // merges touching blocks and so does this, to stay exact regardless.
                    if pending.a + pending.size == m.a && pending.b + pending.size == m.b {
                        pending.size += m.size;
                    } else {
                        if pending.size > 0 {
                            emit(pending);
                        }
                        pending = m;
                    }
                }
            }
        }
        if pending.size > 0 {
            emit(pending);
        }
        Ok(())
    }
}

/// The search stack, four words per [`Frame`].
struct Stack<'w> {
    words: &'w mut [u32],
    depth: usize,
}

impl Stack<'_> {
    fn push(&mut self, frame: Frame) {
        let words = match frame {
            Frame::Range { alo, ahi, blo, bhi } => [alo, ahi, blo, bhi],
            Frame::Emit(Block { a, b, size }) => [a, b, size, EMIT_TAG],
        };
        // `Scratch::check` sized the stack for every frame the search can hold at once.
        if let Some(slot) = self.words.get_mut(self.depth * 4..self.depth * 4 + 4) {
            slot.copy_from_slice(&words);
            self.depth += 1;
        }
    }

    fn pop(&mut self) -> Option<Frame> {
        self.depth = self.depth.checked_sub(1)?;
        match *self.words.get(self.depth * 4..self.depth * 4 + 4)? {
            [a, b, size, EMIT_TAG] => Some(Frame::Emit(Block { a, b, size })),
            [alo, ahi, blo, bhi] => Some(Frame::Range { alo, ahi, blo, bhi }),
            _ => None,
        }
    }
}

/// One comparison's view of the scratch storage.
struct Search<'x> {
    a: &'x [u32],
    index: &'x BIndex<'x>,
    /// `b2j` of `a[i]` as a range of `index.positions`, at `2 * i`.
    rows: &'x [u32],
    j2len: &'x mut [u32],
    stamp: &'x mut u32,
}

impl Search<'_> {
    /// A stamp no `j2len` entry carries yet.
    fn fresh_stamp(&mut self) -> u32 {
        if *self.stamp == u32::MAX {
            // Billions of rows later: start over rather than confuse old entries with new.
            self.j2len.fill(0);
            *self.stamp = 0;
        }
        *self.stamp += 1;
        *self.stamp
    }

    /// Python's `find_longest_match(alo, ahi, blo, bhi)` with no junk function.
    fn find_longest_match(&mut self, alo: u32, ahi: u32, blo: u32, bhi: u32) -> Block {
        let (a, b, positions) = (self.a, self.index.b, self.index.positions);
        let len_b = b.len() as u32;
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0u32);
        let mut previous = self.fresh_stamp();
        // `rows` holds two entries per element of `a` and `alo <= ahi <= a.len()`, and each
        // row is a range `group` answered: the fallbacks of these slices are never taken.
        let rows = self
            .rows
            .get(alo as usize * 2..ahi as usize * 2)
            .unwrap_or(&[]);
        for (i, row) in (alo..ahi).zip(rows.chunks_exact(2)) {
            let current = self.fresh_stamp();
            let all = match *row {
                [s, e] => positions.get(s as usize..e as usize).unwrap_or(&[]),
                _ => &[],
            };
            let from = if blo == 0 {
                0
            } else {
                all.partition_point(|&j| j < blo)
            };
            let to = if bhi == len_b {
                all.len()
            } else {
                all.partition_point(|&j| j < bhi)
            };
            // Walking j downwards lets one table serve as both the previous row (read at
            // j - 1) and the current one (written at j). Python walks upwards and keeps the
            // first j that beats the best so far, i.e. the smallest j of the row's longest
            // run; `>=` while walking down picks the same one.
            let (mut row_k, mut row_j) = (0u32, 0u32);
            // `from <= to <= all.len()` (partition points, `blo <= bhi`): never the fallback.
            for &j in all.get(from..to).unwrap_or(&[]).iter().rev() {
                let j = j as usize;
                let k = match j
                    .checked_sub(1)
                    .and_then(|p| self.j2len.get(p * 2..p * 2 + 2))
                {
                    Some(&[stamp, len]) if stamp == previous => len + 1,
                    _ => 1,
                };
                if let Some(entry) = self.j2len.get_mut(j * 2..j * 2 + 2) {
                    entry.copy_from_slice(&[current, k]);
                }
                if k >= row_k {
                    (row_k, row_j) = (k, j as u32);
                }
            }
            if row_k > bestsize {
                (besti, bestj, bestsize) = (i + 1 - row_k, row_j + 1 - row_k, row_k);
            }
            previous = current;
        }
        let same = |i: u32, j: u32| match (a.get(i as usize), b.get(j as usize)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        };
        // With no junk function nothing is junk, so these loops extend over popular elements
        // too; the junk-only pair of loops that follows in difflib never runs.
        while besti > alo && bestj > blo && same(besti - 1, bestj - 1) {
            (besti, bestj, bestsize) = (besti - 1, bestj - 1, bestsize + 1);
        }
        while besti + bestsize < ahi
            && bestj + bestsize < bhi
            && same(besti + bestsize, bestj + bestsize)
        {
            bestsize += 1;
        }
        Block {
            a: besti,
            b: bestj,
            size: bestsize,
        }
    }
}

/// Python's `SequenceMatcher(None, a, b).get_matching_blocks()`, written into `out`
/// (at least [`max_blocks`]`(a.len(), b.len())` long), sentinel `(len(a), len(b), 0)` included.
///
/// `scratch` must have been made for requests at least as long as `b` and candidates at least
/// as long as `a` (see [`Scratch::required`]).
pub fn matching_blocks<'o>(
    a: &[u32],
    b: &BIndex<'_>,
    scratch: &mut Scratch<'_>,
    out: &'o mut [Block],
) -> Result<&'o [Block], CapacityError> {
    let needed = max_blocks(a.len(), b.len());
    if out.len() < needed {
        return Err(CapacityError {
            storage: StorageKind::Blocks,
            needed,
            available: out.len(),
        });
    }
    let mut n = 0usize;
    scratch.for_each_block(a, b, |block| {
        if let Some(slot) = out.get_mut(n) {
            *slot = block;
            n += 1;
        }
    })?;
    let sentinel = Block {
        a: check_len(a.len())?,
        b: check_len(b.len())?,
        size: 0,
    };
    let available = out.len();
    let blocks = out.get_mut(..=n).ok_or(CapacityError {
        storage: StorageKind::Blocks,
        needed: n + 1,
        available,
    })?;
    if let Some(slot) = blocks.last_mut() {
        *slot = sentinel;
    }
    Ok(blocks)
}

/// CaptureMock's [`Score`] of candidate `a` against request `b`: what
/// `commonElementCount` and `nonMatchingSequenceCount` compute from
/// [`matching_blocks`], without storing the blocks.
pub fn score(a: &[u32], b: &BIndex<'_>, scratch: &mut Scratch<'_>) -> Result<Score, CapacityError> {
    let (len_a, len_b) = (check_len(a.len())?, check_len(b.len())?);
    let mut common = 0u32;
    let mut blocks = 0u32;
    let mut last = Block::default();
    scratch.for_each_block(a, b, |block| {
        common += block.size;
        blocks += 1;
        last = block;
    })?;
    let reaches_end = blocks > 0 && last.a + last.size == len_a && last.b + last.size == len_b;
    Ok(Score {
        common,
        nonmatching_runs: blocks - u32::from(reaches_end),
    })
}

#[cfg(test)]
mod tests;
