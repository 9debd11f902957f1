//! The backend of a device: a replay table (in flash, or any storage), answered through the
//! core's one lookup, with a hook for what it cannot answer.

use core::cell::RefCell;
use core::fmt::Write;

use super::backend::{Backend, Report, ReportHook, Transaction};
use super::error::HalError;
use super::text::{parse_response, SliceWriter};
use crate::binary;
use crate::link::{plain_table, LocalError};
use crate::replay::{
    LookupError, LookupScratch, MatchKind, MatchOptions, ReplayTable, RequestId, Storage, Unmatched,
};

/// Answers the transactions of every replaying device of a board from one recorded table, in
/// the order the devices ask: exact match, else the nearest recorded transaction of the same
/// bus (unless exact matching is on), and the n-th time a transaction is asked, its n-th
/// recorded answer (repeat counters), so a driver polling a status register sees the recorded
/// sequence of answers.
///
/// Devices borrow it (`I2cReplay::new(&replay)`); it needs no allocator: the table's arrays
/// are `S` (an [`ArrayStorage`](crate::replay::ArrayStorage) in a `static`, say, or a
/// [`FrozenStorage`](crate::replay::FrozenStorage) over a table built at compile time), and
/// each request's text is written into `request_buf`, which must hold the longest request
/// entry (`<-I2C:0x48 write [00] read 2` is 28 bytes).
///
/// `M` is how transactions are found ([`Matching`]): a [`LookupScratch`] for exact match,
/// else best match (the default), or [`ExactOnly`].
pub struct HalReplay<'a, 's, S: Storage<'a>, M: Matching = LookupScratch<'s>> {
    state: RefCell<State<'a, 's, S, M>>,
    report: Option<ReportHook>,
}

/// How a [`HalReplay`] finds the recorded transaction that answers a request.
pub trait Matching {
    /// The recorded request that answers `desc`, as [`ReplayTable::find`] decides.
    fn find<'a, S: Storage<'a>>(
        &mut self,
        table: &ReplayTable<'a, S>,
        desc: &str,
    ) -> Result<Result<(RequestId, MatchKind), Unmatched>, LookupError>;
}

/// Exact match, else best match unless the table's [`MatchOptions::exact_only`] is on: the
/// reference's matching, working in this scratch.
impl Matching for LookupScratch<'_> {
    fn find<'a, S: Storage<'a>>(
        &mut self,
        table: &ReplayTable<'a, S>,
        desc: &str,
    ) -> Result<Result<(RequestId, MatchKind), Unmatched>, LookupError> {
        table.find(desc, self)
    }
}

/// Exact match only, whatever the table's options say: the reference's answers with
/// `use_exact_matching` on ([`ReplayTable::find_exact`]).
///
/// For firmware whose driver asks exactly what was recorded (a replay of its own recording):
/// it needs no [`LookupScratch`], and the best match code stays out of the image, which is
/// most of what lets a 64-transaction I2C replay fit in 8 KiB of flash
/// (`docs/embedded-hal.md`). A transaction that was not recorded as it is gets
/// [`Unmatched::ExactMatchingRequired`], reported like any other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactOnly;

impl Matching for ExactOnly {
    fn find<'a, S: Storage<'a>>(
        &mut self,
        table: &ReplayTable<'a, S>,
        desc: &str,
    ) -> Result<Result<(RequestId, MatchKind), Unmatched>, LookupError> {
        Ok(table.find_exact(desc).map(|id| (id, MatchKind::Exact)))
    }
}

/// What a lookup changes: the table's repeat counters, the matching's scratch, the request
/// text.
struct State<'a, 's, S: Storage<'a>, M> {
    table: ReplayTable<'a, S>,
    matching: M,
    request_buf: &'s mut [u8],
}

impl<'a, 's, S: Storage<'a>, M: Matching> HalReplay<'a, 's, S, M> {
    /// Over a table already built (from text, the binary form, a link's download, or a
    /// [`Frozen`](crate::replay::Frozen) table in flash).
    pub fn new(table: ReplayTable<'a, S>, matching: M, request_buf: &'s mut [u8]) -> Self {
        HalReplay {
            state: RefCell::new(State {
                table,
                matching,
                request_buf,
            }),
            report: None,
        }
    }

    /// From `.mock` text in flash (`include_str!`). Every entry must read as it is written,
    /// which bus transactions always do ([`LocalError::NeedsDecoding`] otherwise).
    pub fn from_mock(
        text: &'a str,
        storage: S,
        matching: M,
        request_buf: &'s mut [u8],
        options: MatchOptions,
    ) -> Result<Self, LocalError> {
        let table = plain_table(text, storage, options)?;
        Ok(Self::new(table, matching, request_buf))
    }

    /// From the postcard form ([`crate::binary`], `include_bytes!` of a file written by
    /// `capturemock convert` or [`binary::text_to_binary`]).
    pub fn from_binary(
        bytes: &'a [u8],
        storage: S,
        matching: M,
        request_buf: &'s mut [u8],
        options: MatchOptions,
    ) -> Result<Self, LocalError> {
        let table = ReplayTable::build(binary::records(bytes)?, storage, options)?;
        Ok(Self::new(table, matching, request_buf))
    }

    /// Calls `hook` with every transaction the replay cannot answer.
    pub fn with_report(mut self, hook: ReportHook) -> Self {
        self.report = Some(hook);
        self
    }

    /// Runs `f` on the table, e.g. to read its repeat counters after a test
    /// ([`ReplayTable::requests`]). `None` while a transaction is being answered.
    pub fn with_table<R>(&self, f: impl FnOnce(&ReplayTable<'a, S>) -> R) -> Option<R> {
        self.state.try_borrow().ok().map(|state| f(&state.table))
    }

    /// The table back, once the devices are done.
    pub fn into_table(self) -> ReplayTable<'a, S> {
        self.state.into_inner().table
    }
}

impl<'a, S: Storage<'a>, M: Matching> Backend for HalReplay<'a, '_, S, M> {
    fn exchange(&self, transaction: &mut dyn Transaction) -> Result<(), HalError> {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return Err(HalError::Busy);
        };
        let State {
            table,
            matching,
            request_buf,
        } = &mut *state;
        let kind = transaction.kind();
        let mut w = SliceWriter::new(request_buf);
        // A SliceWriter never fails; what does not fit is counted.
        let _ = w.write_str(kind.request_prefix());
        let _ = w.write_char(':');
        let _ = transaction.write_request(&mut w);
        let Some(desc) = w.text() else {
            let error = HalError::RequestTooLong { needed: w.needed() };
            self.report(kind.request_prefix(), error);
            return Err(error);
        };
        let outcome = answer(table, matching, desc, transaction);
        if let Err(error) = outcome {
            if !matches!(error, HalError::Device(_)) {
                self.report(desc, error);
            }
        }
        outcome
    }
}

impl<'a, S: Storage<'a>, M: Matching> HalReplay<'a, '_, S, M> {
    fn report(&self, request: &str, error: HalError) {
        if let Some(hook) = self.report {
            hook(&Report { request, error });
        }
    }
}

/// Looks `desc` up, takes its next recorded answer and hands the first response of the
/// transaction's bus to it.
fn answer<'a, S: Storage<'a>, M: Matching>(
    table: &mut ReplayTable<'a, S>,
    matching: &mut M,
    desc: &str,
    transaction: &mut dyn Transaction,
) -> Result<(), HalError> {
    let (id, kind) = matching.find(table, desc)?.map_err(HalError::Unmatched)?;
    let type_id = transaction.kind().type_id();
    let response = table
        .take(id, kind)
        .responses()
        .find(|r| r.type_id() == type_id)
        .ok_or(HalError::NoResponse)?;
    transaction.answer(parse_response(response.text())?)
}
