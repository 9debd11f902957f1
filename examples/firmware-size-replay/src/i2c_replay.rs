//! The bus from capturemock-core: `I2cReplay` answering from the 64-transaction `i2c.mock` in
//! flash, through a `HalReplay` whose arrays are sized for that table and live in one
//! all-zero static (so they land in .bss).

use capturemock_core::hal::{HalError, HalReplay, I2cReplay, Report};
use embedded_hal::i2c::{ErrorType, I2c, Operation};
use capturemock_core::replay::{
    GroupSlot, LookupScratch, MatchOptions, Parts, PartsRef, RequestSlot, ResponseSlot, Storage,
};

use crate::emit;

static TABLE: &str = include_str!("../i2c.mock");

/// Distinct recorded transactions, transactions, and responses (one each) of `i2c.mock`.
const DISTINCT: usize = 9;
const TRANSACTIONS: usize = 64;
/// Hash slots for the distinct requests (`slots_for(9)`).
const KEY_SLOTS: usize = 16;
/// Most words in a request (`0x48 write [03 50 00]`) and in a recorded one.
const WORDS: usize = 6;
const SCRATCH: usize = LookupScratch::required(WORDS, WORDS, 0);
/// Longest request entry, `<-I2C:0x48 write [03 50 00]`, with room to spare.
const REQUEST_BYTES: usize = 40;

/// The table's arrays, sized for `i2c.mock`, all zero (so they land in .bss). Its own
/// [`Storage`] rather than [`Parts`], so that the compiler sees it has no word index and
/// leaves the indexed search out.
pub struct Arrays {
    requests: [RequestSlot<'static>; DISTINCT],
    groups: [GroupSlot; TRANSACTIONS],
    group_order: [u32; TRANSACTIONS],
    responses: [ResponseSlot<'static>; TRANSACTIONS],
    key_slots: [u32; KEY_SLOTS],
}

impl Storage<'static> for Arrays {
    fn parts(&mut self) -> Parts<'_, 'static> {
        Parts {
            requests: &mut self.requests,
            groups: &mut self.groups,
            group_order: &mut self.group_order,
            responses: &mut self.responses,
            key_slots: &mut self.key_slots,
            index: None,
        }
    }

    fn parts_ref(&self) -> PartsRef<'_, 'static> {
        PartsRef::new(
            &self.requests,
            &self.groups,
            &self.responses,
            &self.key_slots,
            None,
        )
    }
}

/// Everything the replay keeps in RAM.
pub struct State {
    arrays: Arrays,
    scratch: [u32; SCRATCH],
    request: [u8; REQUEST_BYTES],
}

impl State {
    pub const fn new() -> Self {
        State {
            arrays: Arrays {
                requests: [RequestSlot::EMPTY; DISTINCT],
                groups: [GroupSlot::EMPTY; TRANSACTIONS],
                group_order: [0; TRANSACTIONS],
                responses: [ResponseSlot::EMPTY; TRANSACTIONS],
                key_slots: [0; KEY_SLOTS],
            },
            scratch: [0; SCRATCH],
            request: [0; REQUEST_BYTES],
        }
    }
}

type Replay = HalReplay<'static, 'static, &'static mut Arrays>;

/// The replay, answering as the bus.
pub struct Bus {
    replay: Replay,
}

/// What a replay cannot answer is written to the sink as `?`.
fn report(_: &Report<'_>) {
    emit(b"?");
}

/// Builds the table over the state; `Err` with a code for the sink when it cannot.
pub fn open(state: &'static mut State) -> Result<Bus, u8> {
    let State {
        arrays,
        scratch,
        request,
    } = state;
    let scratch = LookupScratch::new(scratch, WORDS, WORDS, 0).map_err(|_| b's')?;
    let replay = HalReplay::from_mock(TABLE, arrays, scratch, request, MatchOptions::default())
        .map_err(|_| b'b')?;
    Ok(Bus {
        replay: replay.with_report(report),
    })
}

impl ErrorType for Bus {
    type Error = HalError;
}

impl I2c for Bus {
    fn transaction(&mut self, address: u8, operations: &mut [Operation<'_>]) -> Result<(), HalError> {
        I2cReplay::new(&self.replay).transaction(address, operations)
    }
}
