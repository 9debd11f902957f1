//! Answers from a `ReplayTable` built at start-up from the embedded table text.

use core::mem::MaybeUninit;

use capturemock_core::format::{entries, NewlineOptions};
use capturemock_core::replay::{ArrayStorage, LookupScratch, MatchKind, MatchOptions, ReplayTable};

use crate::{emit, TABLE_TEXT};

/// Entries the storage has room for (the table has 64).
const RECORDS: usize = 64;
/// Hash slots of the exact-match map: more than the 32 distinct requests.
const KEY_SLOTS: usize = 64;
/// Most words in a request the firmware sends, and in a recorded request.
const MAX_REQUEST_WORDS: usize = 8;
const MAX_KEY_WORDS: usize = 8;
/// Lookup scratch for a table without word index (0 requests to size for).
const SCRATCH_WORDS: usize = LookupScratch::required(MAX_REQUEST_WORDS, MAX_KEY_WORDS, 0);

type Table = ReplayTable<'static, ArrayStorage<'static, RECORDS, KEY_SLOTS>>;

/// Everything the engine keeps in RAM, in one static.
pub struct State {
    // Not `Option<Table>`: `None` is told apart by a non-zero byte, which would move the
    // whole static from .bss to .data (and its initial value into flash).
    table: MaybeUninit<Table>,
    scratch: [u32; SCRATCH_WORDS],
}

impl State {
    pub const fn new() -> Self {
        State {
            table: MaybeUninit::uninit(),
            scratch: [0; SCRATCH_WORDS],
        }
    }
}

pub struct Responder {
    table: &'static mut Table,
    scratch: LookupScratch<'static>,
}

/// Error codes written to the sink after `!`.
const PARSE_OR_CAPACITY: u8 = b'b';
const NEEDS_DECODING: u8 = b'd';
const SCRATCH: u8 = b's';

impl Responder {
    pub fn new(state: &'static mut State) -> Result<Self, u8> {
        let State { table, scratch } = state;
        // Every entry of the table is plain text; one that needs decoding (escapes, CR)
        // would need a decode buffer, which this firmware does not have: refuse it.
        let mut needs_decoding = false;
        let records = entries(TABLE_TEXT).map_while(|entry| match entry {
            Ok(entry) => match entry.plain(NewlineOptions::NONE) {
                Some(record) => Some(Ok(record)),
                None => {
                    needs_decoding = true;
                    None
                }
            },
            Err(error) => Some(Err(error)),
        });
        let built = ReplayTable::build(records, ArrayStorage::new(), MatchOptions::default());
        if needs_decoding {
            return Err(NEEDS_DECODING);
        }
        let table = table.write(built.map_err(|_| PARSE_OR_CAPACITY)?);
        let scratch = LookupScratch::new(scratch, MAX_REQUEST_WORDS, MAX_KEY_WORDS, 0)
            .map_err(|_| SCRATCH)?;
        Ok(Responder { table, scratch })
    }

    /// Writes the kind of match and the recorded responses of `request`.
    pub fn answer(&mut self, request: &str) {
        match self.table.lookup(request, &mut self.scratch) {
            Ok(Ok(reply)) => {
                match reply.kind {
                    MatchKind::Exact => emit(b"="),
                    MatchKind::Nearest(score) => emit(&[b'~', score.common as u8]),
                }
                for response in reply.responses() {
                    emit(response.entry.as_bytes());
                }
            }
            Ok(Err(_unmatched)) => emit(b"?"),
            Err(_) => emit(&[b'!', SCRATCH]),
        }
    }
}
