//! The bus from capturemock-core: `I2cReplay` answering from the 64-transaction `i2c.mock`,
//! built into a replay table on the host and written out as Rust source
//! (`ReplayTable::write_frozen`; `i2c_table.rs`, which `tests/hal_replay/footprint.rs` checks
//! is `i2c.mock` written out), so that the table stays in flash and the firmware carries no
//! parser. Exact matching only (`ExactOnly`): the driver asks exactly what was recorded, so
//! best match is left out. RAM holds only the request slots (repeat counters), the hash slots
//! and the request text, in one all-zero static (so they land in .bss).

use capturemock_core::hal::{ExactOnly, HalError, HalReplay, I2cReplay, Report};
use capturemock_core::replay::{Frozen, FrozenStorage, MatchOptions, ReplayTable, RequestSlot};
use embedded_hal::i2c::{ErrorType, I2c, Operation};

use crate::emit;

/// `i2c.mock` as a built table.
const TABLE: Frozen<'static> = include!("i2c_table.rs");
const REQUESTS: usize = TABLE.request_slots();
const KEY_SLOTS: usize = TABLE.key_slots();
/// Longest request entry, `<-I2C:0x48 write [03 50 00]`, with room to spare.
const REQUEST_BYTES: usize = 40;

/// Everything the replay keeps in RAM.
pub struct State {
    requests: [RequestSlot<'static>; REQUESTS],
    key_slots: [u32; KEY_SLOTS],
    request: [u8; REQUEST_BYTES],
}

impl State {
    pub const fn new() -> Self {
        State {
            requests: [RequestSlot::EMPTY; REQUESTS],
            key_slots: [0; KEY_SLOTS],
            request: [0; REQUEST_BYTES],
        }
    }
}

type Replay = HalReplay<'static, 'static, FrozenStorage<'static, 'static>, ExactOnly>;

/// The replay, answering as the bus.
pub struct Bus {
    replay: Replay,
}

/// What a replay cannot answer is written to the sink as `?`.
fn report(_: &Report<'_>) {
    emit(b"?");
}

/// Sets the table up over the state; `Err` with a code for the sink when it cannot.
pub fn open(state: &'static mut State) -> Result<Bus, u8> {
    let State {
        requests,
        key_slots,
        request,
    } = state;
    let options = MatchOptions {
        exact_only: true,
        ..MatchOptions::default()
    };
    let table = ReplayTable::from_frozen(&TABLE, requests, key_slots, options).map_err(|_| b'b')?;
    Ok(Bus {
        replay: HalReplay::new(table, ExactOnly, request).with_report(report),
    })
}

impl ErrorType for Bus {
    type Error = HalError;
}

impl I2c for Bus {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), HalError> {
        I2cReplay::new(&self.replay).transaction(address, operations)
    }
}
