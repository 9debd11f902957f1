//! Answers from a `ReplayTable` built at start-up from the embedded table text.

use capturemock_core::format::{entries, NewlineOptions};
use capturemock_core::replay::{ArrayStorage, LookupScratch, MatchKind, MatchOptions, ReplayTable};

use crate::{emit, TABLE_TEXT};

/// Request and response entries the storage has room for (the table has 32 of each).
const REQUESTS: usize = 32;
const RESPONSES: usize = 32;
/// Most words in a request the firmware sends, and in a recorded request.
const MAX_REQUEST_WORDS: usize = 8;
const MAX_KEY_WORDS: usize = 8;
/// Lookup scratch for a table without word index (0 requests to size for).
const SCRATCH_WORDS: usize = LookupScratch::required(MAX_REQUEST_WORDS, MAX_KEY_WORDS, 0);

type Storage = ArrayStorage<'static, REQUESTS, RESPONSES>;

/// Everything the engine keeps in RAM, in one all-zero static (so it lands in .bss).
pub struct State {
    storage: Storage,
    scratch: [u32; SCRATCH_WORDS],
}

impl State {
    pub const fn new() -> Self {
        State {
            storage: ArrayStorage::new(),
            scratch: [0; SCRATCH_WORDS],
        }
    }
}

pub struct Responder {
    // The table borrows the static storage, so its arrays are never copied.
    table: ReplayTable<'static, &'static mut Storage>,
    scratch: LookupScratch<'static>,
}

/// Error codes written to the sink after `!`.
const PARSE_OR_CAPACITY: u8 = b'b';
const NEEDS_DECODING: u8 = b'd';
const SCRATCH: u8 = b's';

impl Responder {
    pub fn new(state: &'static mut State) -> Result<Self, u8> {
        let State { storage, scratch } = state;
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
        let built = ReplayTable::build(records, storage, MatchOptions::default());
        if needs_decoding {
            return Err(NEEDS_DECODING);
        }
        let table = built.map_err(|_| PARSE_OR_CAPACITY)?;
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
