//! The replay table: recorded requests grouped with their responses, looked up exactly or by
//! best match, with the reference's repeat counters.

use super::best_match::{self, LookupScratch};
use super::grouping::Grouping;
use super::hash_slots::{find_readonly, hash_str, HashSlots};
use super::storage::{GroupSlot, PartsRef, RequestSlot, ResponseSlot, Storage, NO_RESPONSE};
use super::{BuildError, IndexRequirements, LookupError, Resource};
use crate::difflib::Score;
use crate::format::Record;
use crate::words::python_strip;

/// Nesting deeper than this (call-backs inside call-backs) is refused.
pub const MAX_NESTING: usize = 32;

/// Identifies one distinct recorded request of a table (its position in file order of
/// first appearance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u32);

/// How a request found its recorded counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// The request is recorded as it is.
    Exact,
    /// The request was not recorded; this is the nearest recorded one of the same type.
    Nearest(Score),
}

/// Why a request has no recorded counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    /// No recorded request of the same type shares a word with it.
    NoCandidate,
    /// Exact matching is on and the request is not recorded as it is.
    ExactMatchingRequired,
    /// The request has no text after its prefix: the reference neither answers nor records it.
    EmptyRequest,
}

/// Options for lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MatchOptions {
    /// `use_exact_matching`: never fall back to best match.
    pub exact_only: bool,
    /// Strip white space around the request before exact lookup. The reference does not,
    /// so a request with trailing white space never matches exactly there, although it was
    /// recorded (stripped) from the same text; off by default for compatibility.
    pub trim_request: bool,
}

/// The recorded answer chosen for one request: what a lookup gives when it does not give
/// [`Unmatched`].
#[derive(Debug, Clone, Copy)]
pub struct Matched<'t, 'a> {
    /// The recorded request that was chosen.
    pub request: RequestId,
    /// Its key (the recorded request text, prefix included).
    pub key: &'a str,
    /// Exact or nearest.
    pub kind: MatchKind,
    responses: Responses<'t, 'a>,
}

impl<'t, 'a> Matched<'t, 'a> {
    /// The response entries to send back, in file order (all types; the caller keeps the
    /// ones its protocol answers with, e.g. `->RET` for custom clients). Replayed responses
    /// carry no timestamp.
    pub fn responses(&self) -> Responses<'t, 'a> {
        self.responses
    }
}

/// The responses of one group, in file order (see [`Matched::responses`]).
#[derive(Debug, Clone, Copy)]
pub struct Responses<'t, 'a> {
    slots: &'t [ResponseSlot<'a>],
    next: u32,
}

impl<'a> Iterator for Responses<'_, 'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let slot = self.slots.get(self.next as usize)?;
        self.next = slot.next;
        // Only unused slots have no entry, and a group links only slots `build` filled:
        // the fallback is never taken.
        Some(Record::new(slot.entry.unwrap_or_default()))
    }
}

impl core::iter::FusedIterator for Responses<'_, '_> {}

/// A table of recorded exchanges, ready to answer requests.
///
/// Built from records in file order (see [`crate::format`] and [`crate::binary`]);
/// `S` holds its arrays (see [`Storage`]).
pub struct ReplayTable<'a, S: Storage<'a>> {
    storage: S,
    requests: u32,
    groups: u32,
    responses: u32,
    options: MatchOptions,
    _text: core::marker::PhantomData<&'a str>,
}

fn to_u32(n: usize, what: Resource) -> Result<u32, BuildError> {
    u32::try_from(n).map_err(|_| BuildError::Capacity(what))
}

/// The key the reference files a request under: the entry stripped, with every
/// server-side `<-SRV` request filed under `<-SRV` (it then replays them in order).
pub fn lookup_key(entry: &str) -> &str {
    let key = python_strip(entry);
    if key.starts_with("<-SRV") {
        "<-SRV"
    } else {
        key
    }
}

impl<'a, S: Storage<'a>> ReplayTable<'a, S> {
    /// Builds a table from records in file order.
    ///
    /// Grouping follows the reference: an entry from the system under test (`<-`) is a
    /// request; the entries after it (`->`) are its responses, until the next request.
    /// Call-backs (longer arrows such as `--->PYT`, see [`Record::indent_level`]) nest as the
    /// reference nests them.
    ///
    /// Records come from [`crate::format::entries`] (text) or [`crate::binary::records`]
    /// (postcard); their errors become [`BuildError::Parse`] or [`BuildError::Binary`].
    pub fn build<E: Into<BuildError>>(
        records: impl IntoIterator<Item = Result<Record<'a>, E>>,
        mut storage: S,
        options: MatchOptions,
    ) -> Result<Self, BuildError> {
        let (requests, groups, responses) = {
            let parts = storage.parts();
            let mut key_slots = HashSlots::new(parts.key_slots);
            let mut grouping = Grouping::default();
            let (mut n_requests, mut n_groups, mut n_responses) = (0usize, 0usize, 0usize);

            for record in records {
                let record = record.map_err(Into::into)?;
                let role = grouping.classify(&record);
                if let Some(request) = role.response_of {
                    // The reference adds to the handler's newest group, which is not always
                    // the occurrence that opened this level.
                    let group = parts
                        .requests
                        .get(request as usize)
                        .map_or(0, |r| r.first_group);
                    append_response(
                        parts.groups,
                        parts.responses,
                        group,
                        n_responses,
                        record.entry,
                    )?;
                    n_responses += 1;
                }
                if !role.opens_request {
                    continue;
                }
                let key = lookup_key(record.entry);
                let hash = hash_str(key);
                let group = to_u32(n_groups, Resource::Groups)?;
                let existing = key_slots.find(hash, |id| {
                    parts
                        .requests
                        .get(id as usize)
                        .is_some_and(|r| r.key() == key)
                });
                let request = match existing {
                    Some(id) => id,
                    None => {
                        let id = to_u32(n_requests, Resource::Requests)?;
                        let slot = parts
                            .requests
                            .get_mut(n_requests)
                            .ok_or(BuildError::Capacity(Resource::Requests))?;
                        *slot = RequestSlot {
                            key: Some(key),
                            ..RequestSlot::EMPTY
                        };
                        key_slots
                            .insert(hash, id)
                            .map_err(|_| BuildError::Capacity(Resource::KeySlots))?;
                        n_requests += 1;
                        id
                    }
                };
                let slot = parts
                    .groups
                    .get_mut(n_groups)
                    .ok_or(BuildError::Capacity(Resource::Groups))?;
                *slot = GroupSlot {
                    request,
                    first_response: NO_RESPONSE,
                    last_response: NO_RESPONSE,
                };
                n_groups += 1;
                if let Some(r) = parts.requests.get_mut(request as usize) {
                    r.first_group = group; // the newest group, until arrange_groups
                    r.group_count += 1;
                }
                grouping.open(request)?;
            }

            // Both counts went up only after their slot was there: never the fallbacks.
            let requests = parts.requests.get_mut(..n_requests).unwrap_or_default();
            let groups = parts.groups.get_mut(..n_groups).unwrap_or_default();
            let group_order = parts
                .group_order
                .get_mut(..n_groups)
                .ok_or(BuildError::Capacity(Resource::Groups))?;
            arrange_groups(requests, groups, group_order);
            if let Some(index) = parts.index {
                super::word_index::build(requests, index)?;
            }
            (n_requests as u32, n_groups as u32, n_responses as u32)
        };
        Ok(ReplayTable {
            storage,
            requests,
            groups,
            responses,
            options,
            _text: core::marker::PhantomData,
        })
    }

    /// A table over storage whose arrays already hold a built table with these counts (see
    /// [`FrozenStorage`](super::FrozenStorage)).
    pub(super) fn from_built(
        storage: S,
        requests: u32,
        groups: u32,
        responses: u32,
        options: MatchOptions,
    ) -> Self {
        ReplayTable {
            storage,
            requests,
            groups,
            responses,
            options,
            _text: core::marker::PhantomData,
        }
    }

    /// Whether the table has any recorded request. An empty replay file means record mode.
    pub fn is_empty(&self) -> bool {
        self.requests == 0
    }

    /// Number of distinct recorded requests.
    pub fn request_count(&self) -> usize {
        self.requests as usize
    }

    /// Number of request occurrences (response groups) in the file.
    pub fn group_count(&self) -> usize {
        self.groups as usize
    }

    /// Number of response entries in the file.
    pub fn response_count(&self) -> usize {
        self.responses as usize
    }

    /// The lookup options the table was built with.
    pub fn options(&self) -> MatchOptions {
        self.options
    }

    /// The recorded requests in file order of first appearance, with their usage so far.
    pub fn requests(&self) -> impl Iterator<Item = RequestInfo<'a>> + '_ {
        let parts = self.storage.parts_ref();
        parts
            .requests
            .iter()
            .take(self.requests as usize)
            .enumerate()
            .map(|(i, r)| RequestInfo {
                id: RequestId(i as u32),
                key: r.key(),
                occurrences: r.group_count,
                times_chosen: r.times_chosen,
            })
    }

    /// One recorded request and its usage so far, found by id in constant time (for
    /// diagnostics, which name the nearest request of every near miss).
    pub fn request(&self, id: RequestId) -> Option<RequestInfo<'a>> {
        let parts = self.storage.parts_ref();
        let index = id.0 as usize;
        if index >= self.requests as usize {
            return None;
        }
        parts.requests.get(index).map(|r| RequestInfo {
            id,
            key: r.key(),
            occurrences: r.group_count,
            times_chosen: r.times_chosen,
        })
    }

    /// The recorded request that would answer `desc`, without using it up.
    ///
    /// `desc` is the request's description as the reference forms it: direction, type id,
    /// `:` and text, e.g. `<-CAL:get(42)`.
    pub fn find(
        &self,
        desc: &str,
        scratch: &mut LookupScratch<'_>,
    ) -> Result<Result<(RequestId, MatchKind), Unmatched>, LookupError> {
        let key = match self.find_exact(desc) {
            Ok(id) => return Ok(Ok((id, MatchKind::Exact))),
            Err(Unmatched::ExactMatchingRequired) if !self.options.exact_only => {
                self.lookup_key_of(desc)
            }
            Err(unmatched) => return Ok(Err(unmatched)),
        };
        let parts = self.storage.parts_ref();
        let requests = self.filled_requests(&parts);
        let nearest = match &parts.index {
            Some(index) => best_match::nearest_indexed(index, requests, key, scratch)?,
            None => best_match::nearest_by_scan(requests, key, scratch)?,
        };
        Ok(nearest
            .map(|(id, score)| (RequestId(id), MatchKind::Nearest(score)))
            .ok_or(Unmatched::NoCandidate))
    }

    /// The recorded request that is exactly `desc`, as [`find`](Self::find) finds it, but
    /// never a best match, whatever the options say: what `find` answers with exact matching
    /// on ([`Unmatched::ExactMatchingRequired`] when `desc` was not recorded as it is).
    ///
    /// It needs no [`LookupScratch`], and a firmware that calls only this leaves the best
    /// match code out of its image (see `hal::ExactOnly`).
    pub fn find_exact(&self, desc: &str) -> Result<RequestId, Unmatched> {
        if desc.split_once(':').is_none_or(|(_, text)| text.is_empty()) {
            return Err(Unmatched::EmptyRequest);
        }
        let key = self.lookup_key_of(desc);
        let parts = self.storage.parts_ref();
        let requests = self.filled_requests(&parts);
        find_readonly(parts.key_slots, hash_str(key), |id| {
            requests.get(id as usize).is_some_and(|r| r.key() == key)
        })
        .map(RequestId)
        .ok_or(Unmatched::ExactMatchingRequired)
    }

    /// The key a request is looked up under: its description, stripped if the options say
    /// so, and `<-SRV` for every server-side request.
    fn lookup_key_of<'d>(&self, desc: &'d str) -> &'d str {
        let desc = if self.options.trim_request {
            python_strip(desc)
        } else {
            desc
        };
        if desc.starts_with("<-SRV") {
            "<-SRV"
        } else {
            desc
        }
    }

    /// The request slots `build` filled.
    fn filled_requests<'p>(&self, parts: &PartsRef<'p, 'a>) -> &'p [RequestSlot<'a>] {
        // `build` filled this many slots of these arrays (see `Storage`): the fallback is
        // never taken.
        parts
            .requests
            .get(..self.requests as usize)
            .unwrap_or_default()
    }

    /// Takes the next response group of a chosen request and counts the choice.
    ///
    /// The n-th choice of a request answers with its n-th group; once the groups run out it
    /// answers with the first group again, forever (the reference's rule).
    pub fn take(&mut self, request: RequestId, kind: MatchKind) -> Matched<'_, 'a> {
        self.choose(request, kind, true)
    }

    /// The response group a chosen request answered with last time, again, without counting
    /// the choice (the first group if it was never chosen).
    ///
    /// This is the reference's answer to a repeated request that cannot have changed
    /// anything (an HTTP `GET` with `check_repeated_calls` off): the same response as before,
    /// so that polling does not use up the recorded answers.
    pub fn take_again(&mut self, request: RequestId, kind: MatchKind) -> Matched<'_, 'a> {
        self.choose(request, kind, false)
    }

    /// A response group of `request`: the next one (counting the choice) when `advance`,
    /// else the last one given.
    fn choose(&mut self, request: RequestId, kind: MatchKind, advance: bool) -> Matched<'_, 'a> {
        let group = {
            let (requests, group_order) = self.storage.choice_parts();
            match requests.get_mut(request.0 as usize) {
                Some(r) => {
                    let index = if advance {
                        r.times_chosen
                    } else {
                        r.times_chosen.saturating_sub(1)
                    };
                    let nth = if index < r.group_count { index } else { 0 };
                    if advance {
                        r.times_chosen = r.times_chosen.saturating_add(1);
                    }
                    group_order.get((r.first_group + nth) as usize).copied()
                }
                None => None,
            }
        };
        let parts = self.storage.parts_ref();
        let key = parts
            .requests
            .get(request.0 as usize)
            .map_or("", |r| r.key());
        let first = group
            .and_then(|g| parts.groups.get(g as usize))
            .map_or(NO_RESPONSE, |g| g.first_response);
        let responses = Responses {
            slots: parts.responses,
            next: first,
        };
        Matched {
            request,
            key,
            kind,
            responses,
        }
    }

    /// Finds the recorded counterpart of `desc` and takes its next response group.
    pub fn lookup(
        &mut self,
        desc: &str,
        scratch: &mut LookupScratch<'_>,
    ) -> Result<Result<Matched<'_, 'a>, Unmatched>, LookupError> {
        Ok(match self.find(desc, scratch)? {
            Ok((id, kind)) => Ok(self.take(id, kind)),
            Err(unmatched) => Err(unmatched),
        })
    }

    /// What a word index for this table needs, counting every word as distinct (an upper
    /// bound: a caller with a hash set can count distinct words exactly and save memory).
    pub fn index_requirements(&self) -> IndexRequirements {
        let parts = self.storage.parts_ref();
        // `build` filled this many slots of these arrays (see `Storage`): the fallback is
        // never taken.
        let requests = parts
            .requests
            .get(..self.requests as usize)
            .unwrap_or_default();
        let words = requests
            .iter()
            .map(|r| crate::words::words(r.key()).count())
            .sum();
        IndexRequirements {
            requests: requests.len(),
            words,
            distinct_words: words,
        }
    }

    /// Builds the word index into the storage's index arrays, for storage that gained them
    /// after the table was built (sized with [`index_requirements`](Self::index_requirements)).
    /// Without index arrays this does nothing.
    pub fn build_index(&mut self) -> Result<(), BuildError> {
        let parts = self.storage.parts();
        // `build` filled this many slots of these arrays (see `Storage`): the fallback is
        // never taken.
        let requests = parts
            .requests
            .get(..self.requests as usize)
            .unwrap_or_default();
        match parts.index {
            Some(index) => super::word_index::build(requests, index),
            None => Ok(()),
        }
    }

    /// The storage, e.g. to give it index arrays before [`build_index`](Self::build_index).
    /// Changing the contents of its arrays breaks the table.
    pub fn storage_mut(&mut self) -> &mut S {
        &mut self.storage
    }

    /// Whether best match uses a word index (see [`IndexParts`](super::IndexParts)).
    pub fn has_index(&self) -> bool {
        self.storage.parts_ref().has_index()
    }

    /// The storage, for reuse once the table is no longer needed.
    pub fn into_storage(self) -> S {
        self.storage
    }
}

/// What a table knows about one recorded request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestInfo<'a> {
    /// Its id.
    pub id: RequestId,
    /// Its key (the recorded request text, prefix included).
    pub key: &'a str,
    /// How many times it occurs in the file.
    pub occurrences: u32,
    /// How many times it has been chosen so far.
    pub times_chosen: u32,
}

/// Appends response `index` (its entry text) to the end of `group`'s list.
///
/// Responses are kept in file order with a link to the next response of the same group,
/// rather than sorted by group: nested call-backs interleave groups, and a linked list needs
/// neither a sort (4 KB of flash on a Cortex-M) nor a second array.
fn append_response<'a>(
    groups: &mut [GroupSlot],
    responses: &mut [ResponseSlot<'a>],
    group: u32,
    index: usize,
    entry: &'a str,
) -> Result<(), BuildError> {
    let id = to_u32(index, Resource::Responses)?;
    let slot = responses
        .get_mut(index)
        .ok_or(BuildError::Capacity(Resource::Responses))?;
    *slot = ResponseSlot {
        entry: Some(entry),
        next: NO_RESPONSE,
    };
    let Some(group) = groups.get_mut(group as usize) else {
        return Ok(());
    };
    match responses.get_mut(group.last_response as usize) {
        Some(last) => last.next = id,
        None => group.first_response = id,
    }
    group.last_response = id;
    Ok(())
}

/// Lists each request's groups together, in file order, and tells each request where.
fn arrange_groups(requests: &mut [RequestSlot<'_>], groups: &[GroupSlot], group_order: &mut [u32]) {
    // Counting sort: groups are already in file order, so placing them request by request
    // keeps that order within each request. `times_chosen` (0 until replay starts) serves as
    // the fill cursor.
    let mut next = 0u32;
    for r in requests.iter_mut() {
        r.first_group = next;
        next += r.group_count;
    }
    for (g, group) in groups.iter().enumerate() {
        if let Some(r) = requests.get_mut(group.request as usize) {
            if let Some(slot) = group_order.get_mut((r.first_group + r.times_chosen) as usize) {
                *slot = g as u32;
            }
            r.times_chosen += 1;
        }
    }
    for r in requests.iter_mut() {
        r.times_chosen = 0;
    }
}
