//! The backend of a device: a replay table (in flash, or any storage), answered through the
//! core's one lookup, with a hook for what it cannot answer.

use core::cell::RefCell;
use core::fmt::Write;

use super::backend::{Backend, Report, ReportHook, Transaction};
use super::error::HalError;
use super::text::{parse_response, SliceWriter};
use crate::binary;
use crate::link::{plain_table, LocalError};
use crate::replay::{LookupScratch, MatchOptions, ReplayTable, Storage};

/// Answers the transactions of every replaying device of a board from one recorded table, in
/// the order the devices ask: exact match, else the nearest recorded transaction of the same
/// bus (unless exact matching is on), and the n-th time a transaction is asked, its n-th
/// recorded answer (repeat counters), so a driver polling a status register sees the recorded
/// sequence of answers.
///
/// Devices borrow it (`I2cReplay::new(&replay)`); it needs no allocator: the table's arrays
/// are `S` (an [`ArrayStorage`](crate::replay::ArrayStorage) in a `static`, say), lookups
/// work in the [`LookupScratch`], and each request's text is written into `request_buf`,
/// which must hold the longest request entry (`<-I2C:0x48 write [00] read 2` is 28 bytes).
pub struct HalReplay<'a, 's, S: Storage<'a>> {
    state: RefCell<State<'a, 's, S>>,
    report: Option<ReportHook>,
}

/// What a lookup changes: the table's repeat counters, the scratch, the request text.
struct State<'a, 's, S: Storage<'a>> {
    table: ReplayTable<'a, S>,
    scratch: LookupScratch<'s>,
    request_buf: &'s mut [u8],
}

impl<'a, 's, S: Storage<'a>> HalReplay<'a, 's, S> {
    /// Over a table already built (from text, the binary form or a link's download).
    pub fn new(
        table: ReplayTable<'a, S>,
        scratch: LookupScratch<'s>,
        request_buf: &'s mut [u8],
    ) -> Self {
        HalReplay {
            state: RefCell::new(State {
                table,
                scratch,
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
        scratch: LookupScratch<'s>,
        request_buf: &'s mut [u8],
        options: MatchOptions,
    ) -> Result<Self, LocalError> {
        let table = plain_table(text, storage, options)?;
        Ok(Self::new(table, scratch, request_buf))
    }

    /// From the postcard form ([`crate::binary`], `include_bytes!` of a file written by
    /// `capturemock convert` or [`binary::text_to_binary`]).
    pub fn from_binary(
        bytes: &'a [u8],
        storage: S,
        scratch: LookupScratch<'s>,
        request_buf: &'s mut [u8],
        options: MatchOptions,
    ) -> Result<Self, LocalError> {
        let table = ReplayTable::build(binary::records(bytes)?, storage, options)?;
        Ok(Self::new(table, scratch, request_buf))
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

impl<'a, S: Storage<'a>> Backend for HalReplay<'a, '_, S> {
    fn exchange(&self, transaction: &mut dyn Transaction) -> Result<(), HalError> {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return Err(HalError::Busy);
        };
        let State {
            table,
            scratch,
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
        let outcome = answer(table, scratch, desc, transaction);
        if let Err(error) = outcome {
            if !matches!(error, HalError::Device(_)) {
                self.report(desc, error);
            }
        }
        outcome
    }
}

impl<'a, S: Storage<'a>> HalReplay<'a, '_, S> {
    fn report(&self, request: &str, error: HalError) {
        if let Some(hook) = self.report {
            hook(&Report { request, error });
        }
    }
}

/// Looks `desc` up, takes its next recorded answer and hands the first response of the
/// transaction's bus to it.
fn answer<'a, S: Storage<'a>>(
    table: &mut ReplayTable<'a, S>,
    scratch: &mut LookupScratch<'_>,
    desc: &str,
    transaction: &mut dyn Transaction,
) -> Result<(), HalError> {
    let (id, kind) = table.find(desc, scratch)?.map_err(HalError::Unmatched)?;
    let type_id = transaction.kind().type_id();
    let response = table
        .take(id, kind)
        .responses()
        .find(|r| r.type_id() == type_id)
        .ok_or(HalError::NoResponse)?;
    transaction.answer(parse_response(response.text())?)
}
