//! Local replay: the table in flash answers with no host, through capturemock-core's
//! `LocalReplay` (the same replay table and matching as the host's server).

use capturemock_core::link::LocalReplay;
use capturemock_core::replay::{ArrayStorage, LookupScratch, MatchKind, MatchOptions};

use crate::uart::Uart;
#[cfg(feature = "local-binary")]
use crate::TABLE_BINARY;
#[cfg(feature = "local-text")]
use crate::TABLE_TEXT;
use crate::{read_line, send_escaped};

/// Room for a 64-entry table: 32 requests and 32 responses (table.mock has 7 and 6).
const REQUESTS: usize = 32;
const RESPONSES: usize = 32;
/// Most words in a request line, and in a recorded request.
const MAX_WORDS: usize = 8;
const SCRATCH_WORDS: usize = LookupScratch::required(MAX_WORDS, MAX_WORDS, 0);

type Storage = ArrayStorage<'static, REQUESTS, RESPONSES>;

/// Which embedded form of the table to read.
pub enum Form {
    /// `table.mock` as text.
    Text,
    /// Its binary form.
    Binary,
}

/// What local replay keeps in RAM: all zero, so it lands in .bss.
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

/// Answers request lines until an empty one; false when the table could not be built.
pub fn run(uart: &mut Uart, form: Form, state: &'static mut State) -> bool {
    let State { storage, scratch } = state;
    let Ok(scratch) = LookupScratch::new(scratch, MAX_WORDS, MAX_WORDS, 0) else {
        uart.send(b"!scratch\n");
        return false;
    };
    let options = MatchOptions::default();
    // A build with one form links only that form's reader.
    let built = match form {
        #[cfg(feature = "local-text")]
        Form::Text => LocalReplay::from_mock(TABLE_TEXT, storage, scratch, options),
        #[cfg(feature = "local-binary")]
        Form::Binary => LocalReplay::from_binary(TABLE_BINARY, storage, scratch, options),
        #[allow(unreachable_patterns)]
        _ => {
            uart.send(b"!form\n");
            return false;
        }
    };
    let Ok(mut table) = built else {
        uart.send(b"!table\n");
        return false;
    };
    uart.send(b"ready\n");
    let mut line = [0u8; 160];
    let mut out = [0u8; 256];
    loop {
        let Some(request) = read_line(uart, &mut line) else {
            uart.send(b"!long\n");
            continue;
        };
        if request.is_empty() {
            return true;
        }
        let Ok(request) = core::str::from_utf8(request) else {
            uart.send(b"!utf8\n");
            continue;
        };
        match table.answer(request, &mut out) {
            Ok(Some(answer)) => {
                uart.send(match answer.kind {
                    MatchKind::Exact => b"=",
                    MatchKind::Nearest(_) => b"~",
                });
                send_escaped(uart, out.get(..answer.len).unwrap_or_default());
            }
            Ok(None) => uart.send(b"?"),
            Err(_) => uart.send(b"!lookup"),
        }
        uart.send(b"\n");
    }
}
