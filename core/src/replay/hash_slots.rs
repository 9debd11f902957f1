//! An open-addressing hash set of `u32` ids in caller-provided slots.
//!
//! The replay table needs two exact-lookup maps (request key → request, word → word id) and
//! may not allocate, so both are a slice of slots holding `id + 1` (0 marks a free slot, so
//! callers can hand over zeroed memory). The set stores only ids; the caller keeps the values
//! and answers "is id `n` the thing I am looking for?" through a closure. Probing is linear
//! and bounded by the slice length, so a full table is an error, never an endless loop.

#[cfg(target_pointer_width = "64")]
use core::hash::Hasher;

/// Hashes a string the same way for insertion and lookup.
///
/// FxHash on 64-bit machines (fast on long keys); FNV-1a on smaller ones, where FxHash's
/// 64-bit multiplications are 290 bytes of code on a Cortex-M against a few instructions. The
/// hash decides only where an id sits in the slots, never which request answers, and slots
/// are always filled and probed on the machine that reads them.
pub(crate) fn hash_str(s: &str) -> u64 {
    #[cfg(target_pointer_width = "64")]
    {
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(s.as_bytes());
        hasher.finish()
    }
    #[cfg(not(target_pointer_width = "64"))]
    {
        u64::from(fnv1a(s.as_bytes()))
    }
}

/// 32-bit FNV-1a.
#[cfg_attr(target_pointer_width = "64", allow(dead_code))]
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// A view of the slots of one hash set.
pub(crate) struct HashSlots<'s> {
    slots: &'s mut [u32],
}

/// Every slot is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SlotsFull;

impl<'s> HashSlots<'s> {
    /// Wraps slots; they must be zero (empty) or hold what an earlier `HashSlots` put there.
    pub(crate) fn new(slots: &'s mut [u32]) -> Self {
        HashSlots { slots }
    }

    fn start(&self, hash: u64) -> usize {
        start_slot(self.slots.len(), hash)
    }

    /// The id whose value `is_it` accepts, among those inserted with this hash.
    pub(crate) fn find(&self, hash: u64, is_it: impl FnMut(u32) -> bool) -> Option<u32> {
        find_in(self.slots, self.start(hash), is_it)
    }

    /// Inserts `id`, which the caller has checked is not present yet.
    pub(crate) fn insert(&mut self, hash: u64, id: u32) -> Result<(), SlotsFull> {
        let stored = id.checked_add(1).ok_or(SlotsFull)?;
        let len = self.slots.len();
        let start = self.start(hash);
        for probe in 0..len {
            let i = (start + probe) % len;
            if let Some(slot) = self.slots.get_mut(i) {
                if *slot == 0 {
                    *slot = stored;
                    return Ok(());
                }
            }
        }
        Err(SlotsFull)
    }
}

/// Lookup over slots that are only read (the table's exact-match path holds `&self`).
pub(crate) fn find_in(
    slots: &[u32],
    start: usize,
    mut is_it: impl FnMut(u32) -> bool,
) -> Option<u32> {
    let len = slots.len();
    for probe in 0..len {
        match slots.get((start + probe) % len) {
            Some(0) | None => return None,
            Some(&stored) => {
                if is_it(stored - 1) {
                    return Some(stored - 1);
                }
            }
        }
    }
    None
}

/// Read-only lookup with the same probe sequence as [`HashSlots::find`].
pub(crate) fn find_readonly(
    slots: &[u32],
    hash: u64,
    is_it: impl FnMut(u32) -> bool,
) -> Option<u32> {
    find_in(slots, start_slot(slots.len(), hash), is_it)
}

/// Where the probe sequence for `hash` starts in `len` slots.
fn start_slot(len: usize, hash: u64) -> usize {
    // Multiply-shift spreads FxHash's weak low bits over the whole range.
    let mixed = ((hash >> 32) ^ hash).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 16;
    // The remainder in the machine's word: a 64-bit division is a kilobyte of library code
    // on a 32-bit microcontroller. (There the slot differs from a 64-bit host's, which is
    // harmless: slots are filled and probed on the machine that reads them.)
    (mixed as usize) % len.max(1)
}

/// A good number of slots for `n` ids: room to spare keeps probe sequences short.
pub const fn slots_for(n: usize) -> usize {
    n.saturating_add(n / 2)
        .saturating_add(1)
        .next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    #[test]
    fn finds_what_was_inserted_and_nothing_else() {
        let words = ["a", "b", "c", "dd", "ee", "f"];
        let mut slots = vec![0u32; slots_for(words.len())];
        let mut set = HashSlots::new(&mut slots);
        for (id, w) in words.iter().enumerate() {
            assert_eq!(set.find(hash_str(w), |i| words[i as usize] == *w), None);
            set.insert(hash_str(w), id as u32).unwrap();
        }
        for (id, w) in words.iter().enumerate() {
            assert_eq!(
                set.find(hash_str(w), |i| words[i as usize] == *w),
                Some(id as u32)
            );
            assert_eq!(
                find_readonly(&slots_ref(&set), hash_str(w), |i| words[i as usize] == *w),
                Some(id as u32)
            );
        }
        assert_eq!(
            set.find(hash_str("zz"), |i| words[i as usize] == "zz"),
            None
        );
    }

    fn slots_ref(set: &HashSlots<'_>) -> std::vec::Vec<u32> {
        set.slots.to_vec()
    }

    #[test]
    fn fnv1a_is_the_published_function() {
        // Test vectors of the FNV reference (Fowler, Noll, Vo).
        assert_eq!(fnv1a(b""), 0x811c_9dc5);
        assert_eq!(fnv1a(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn a_full_table_is_an_error_and_lookups_still_end() {
        let mut slots = [0u32; 3];
        let mut set = HashSlots::new(&mut slots);
        for id in 0..3 {
            set.insert(id as u64, id).unwrap();
        }
        assert_eq!(set.insert(7, 3), Err(SlotsFull));
        assert_eq!(set.find(99, |_| false), None);
        let mut none: [u32; 0] = [];
        assert_eq!(HashSlots::new(&mut none).insert(1, 1), Err(SlotsFull));
        assert_eq!(HashSlots::new(&mut none).find(1, |_| true), None);
    }
}
