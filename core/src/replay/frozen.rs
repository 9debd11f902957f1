//! A replay table built ahead of time and kept in flash: a build script builds the table on
//! the host with the one engine and writes its arrays out as Rust source
//! ([`ReplayTable::write_frozen`]); the firmware includes that source as a [`Frozen`] constant
//! and answers from it ([`ReplayTable::from_frozen`]).
//!
//! Only what a lookup changes lives in RAM: the request slots (their repeat counters) and the
//! exact-match hash slots, which are hashed on the target because the hash of a string
//! differs between a 64-bit host and a 32-bit target. The groups, their order and the
//! responses stay in flash, and the firmware carries no parser and no table building
//! (`docs/embedded-hal.md` has what this saves).

use core::fmt;

use super::hash_slots::{hash_str, HashSlots};
use super::storage::{GroupSlot, Parts, PartsRef, RequestSlot, ResponseSlot, Storage};
use super::{BuildError, MatchOptions, ReplayTable, Resource};

/// The arrays of a built replay table, as [`ReplayTable::write_frozen`] writes them: a
/// constant in flash. Its `requests` are the pristine request slots (never chosen); the
/// firmware copies them to RAM, where their repeat counters change.
///
/// A `Frozen` that `write_frozen` did not write may give wrong answers, never a panic: the
/// table reads every array by checked access.
#[derive(Debug, Clone, Copy)]
pub struct Frozen<'a> {
    /// The distinct requests, in file order of first appearance.
    pub requests: &'a [RequestSlot<'a>],
    /// The request occurrences, in file order.
    pub groups: &'a [GroupSlot],
    /// Group ids ordered by request, then file order.
    pub group_order: &'a [u32],
    /// The response entries, in file order, each linked to the next of its group.
    pub responses: &'a [ResponseSlot<'a>],
}

impl Frozen<'_> {
    /// Request slots the RAM copy needs (the length of [`FrozenStorage::new`]'s `requests`).
    pub const fn request_slots(&self) -> usize {
        self.requests.len()
    }

    /// Hash slots the exact-match map needs (the length of [`FrozenStorage::new`]'s
    /// `key_slots`).
    pub const fn key_slots(&self) -> usize {
        super::slots_for(self.requests.len())
    }
}

/// A [`Storage`] over a [`Frozen`] table in flash, with the request slots and the exact-match
/// hash slots in RAM.
///
/// It holds a table already built: building another table over it fails with
/// [`BuildError::Capacity`], since it hands [`ReplayTable::build`] no group, response or
/// hash slots to fill.
pub struct FrozenStorage<'a, 's> {
    requests: &'s mut [RequestSlot<'a>],
    key_slots: &'s mut [u32],
    groups: &'a [GroupSlot],
    group_order: &'a [u32],
    responses: &'a [ResponseSlot<'a>],
}

impl<'a, 's> FrozenStorage<'a, 's> {
    /// Copies `frozen`'s request slots into `requests` (at least
    /// [`Frozen::request_slots`] long) and hashes their keys into `key_slots`: zeroed, as a
    /// `static`'s are (like [`Parts::key_slots`]), and at least as many as there are
    /// requests ([`Frozen::key_slots`] keeps probes short).
    pub fn new(
        frozen: &Frozen<'a>,
        requests: &'s mut [RequestSlot<'a>],
        key_slots: &'s mut [u32],
    ) -> Result<Self, BuildError> {
        let requests = requests
            .get_mut(..frozen.requests.len())
            .ok_or(BuildError::Capacity(Resource::Requests))?;
        let mut slots = HashSlots::new(key_slots);
        for (id, (slot, pristine)) in requests.iter_mut().zip(frozen.requests).enumerate() {
            *slot = *pristine;
            slots
                .insert(hash_str(slot.key()), id as u32)
                .map_err(|_| BuildError::Capacity(Resource::KeySlots))?;
        }
        Ok(FrozenStorage {
            requests,
            key_slots,
            groups: frozen.groups,
            group_order: frozen.group_order,
            responses: frozen.responses,
        })
    }
}

impl<'a> Storage<'a> for FrozenStorage<'a, '_> {
    /// Only the request slots: the other arrays are in flash (see the type's doc).
    fn parts(&mut self) -> Parts<'_, 'a> {
        Parts {
            requests: self.requests,
            groups: &mut [],
            group_order: &mut [],
            responses: &mut [],
            key_slots: &mut [],
            index: None,
        }
    }

    fn parts_ref(&self) -> PartsRef<'_, 'a> {
        PartsRef::new(
            self.requests,
            self.groups,
            self.responses,
            self.key_slots,
            None,
        )
    }

    fn choice_parts(&mut self) -> (&mut [RequestSlot<'a>], &[u32]) {
        (self.requests, self.group_order)
    }
}

impl<'a, 's> ReplayTable<'a, FrozenStorage<'a, 's>> {
    /// The table `frozen` was written from, answering as it would (same choices, same repeat
    /// counters from zero), with its request slots and hash slots in the caller's RAM (see
    /// [`FrozenStorage::new`]).
    pub fn from_frozen(
        frozen: &Frozen<'a>,
        requests: &'s mut [RequestSlot<'a>],
        key_slots: &'s mut [u32],
        options: MatchOptions,
    ) -> Result<Self, BuildError> {
        let count = |n: usize, what| u32::try_from(n).map_err(|_| BuildError::Capacity(what));
        let n_requests = count(frozen.requests.len(), Resource::Requests)?;
        let n_groups = count(frozen.group_order.len(), Resource::Groups)?;
        let n_responses = count(frozen.responses.len(), Resource::Responses)?;
        let storage = FrozenStorage::new(frozen, requests, key_slots)?;
        Ok(Self::from_built(
            storage,
            n_requests,
            n_groups,
            n_responses,
            options,
        ))
    }
}

impl<'a, S: Storage<'a>> ReplayTable<'a, S> {
    /// Writes the table's arrays as a Rust expression of type [`Frozen`]`<'static>`, for a
    /// build script: the firmware then includes it
    /// (`const TABLE: Frozen<'static> = include!(concat!(env!("OUT_DIR"), "/table.rs"));`)
    /// and answers from [`ReplayTable::from_frozen`] without parsing or building anything.
    ///
    /// The repeat counters are written as they were at build (zero), whatever lookups have
    /// happened since. It takes `&mut self` only to reach the group order (see
    /// [`Storage::choice_parts`]); it changes nothing.
    pub fn write_frozen(&mut self, w: &mut dyn fmt::Write) -> fmt::Result {
        let (n_requests, n_groups, n_responses) = (
            self.request_count(),
            self.group_count(),
            self.response_count(),
        );
        const PATH: &str = "capturemock_core::replay";
        writeln!(
            w,
            "// Written by capturemock-core's ReplayTable::write_frozen: {n_requests} distinct \
             requests, {n_groups} request entries, {n_responses} response entries."
        )?;
        writeln!(w, "{PATH}::Frozen {{")?;
        {
            let storage = self.storage_mut();
            let parts = storage.parts_ref();
            writeln!(w, "    requests: &[")?;
            for r in parts.requests.iter().take(n_requests) {
                writeln!(
                    w,
                    "        {PATH}::RequestSlot::frozen({:?}, {}, {}),",
                    r.key(),
                    r.first_group,
                    r.group_count
                )?;
            }
            writeln!(w, "    ],\n    groups: &[")?;
            for g in parts.groups.iter().take(n_groups) {
                writeln!(
                    w,
                    "        {PATH}::GroupSlot::frozen({}, {}, {}),",
                    g.request, g.first_response, g.last_response
                )?;
            }
            writeln!(w, "    ],\n    responses: &[")?;
            for r in parts.responses.iter().take(n_responses) {
                writeln!(
                    w,
                    "        {PATH}::ResponseSlot::frozen({:?}, {}),",
                    r.entry.unwrap_or_default(),
                    r.next
                )?;
            }
        }
        write!(w, "    ],\n    group_order: &[")?;
        let (_, group_order) = self.storage_mut().choice_parts();
        for (i, g) in group_order.iter().take(n_groups).enumerate() {
            let sep = if i % 16 == 0 { "\n        " } else { " " };
            write!(w, "{sep}{g},")?;
        }
        writeln!(w, "\n    ],\n}}")
    }
}
