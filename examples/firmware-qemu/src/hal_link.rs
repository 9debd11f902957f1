//! Modes `H` and `R`: the lm75 driver's I2C traffic over the link on UART0 to
//! `capturemock bridge --hal` (issue 15, items 2 and 4c).
//!
//! - `H`: the driver on capturemock-core's `I2cReplay` over a `HalLink`: no sensor; the host
//!   answers each transaction from its replay file (`tests/hal_replay/lm75.mock`);
//! - `D`: the replay table is fetched from the host over the link at start-up, into RAM; the
//!   driver then replays from it on its own (as mode `T` does from flash);
//! - `R`: the driver on the simulated LM75B of the host tests (`tests/hal_replay/lm75_sensor.rs`,
//!   compiled in here), wrapped in a `LinkRecorded`: each transaction reaches the sensor and is
//!   sent to the host, which writes the `.mock` file a host recording writes;
//! - `Q`: the same as `R` on QEMU's own TMP105 model (`-device tmp105,address=0x48`, an
//!   LM75-compatible sensor) behind the board's real I2C controller (`stellaris_i2c.rs`): the
//!   answers recorded are the peripheral model's, none is made up by this firmware.
//!
//! The UART carries the link, so the readings go to the semihosting console: one line per
//! reading (milli-degrees Celsius), `nack` for the missing second sensor, `reported N`
//! (transactions the report hook was given), then the link's statistics.

use core::sync::atomic::{AtomicU32, Ordering};

use capturemock_core::hal::{download_table, HalLink, I2cReplay, LinkRecorded, Report};
use cortex_m_semihosting::{hprint, hprintln};

use crate::uart::Uart;

#[path = "../../../tests/hal_replay/lm75_sensor.rs"]
#[allow(dead_code)] // the data sheet test is the host's
mod lm75_sensor;

/// What the simulated sensor converts in turn: the host recording's samples.
const SAMPLES: [f32; 3] = [21.5, 22.0, 22.625];

/// Transactions the report hook was given.
static REPORTED: AtomicU32 = AtomicU32::new(0);

/// The report hook: counts, and names the transaction on the console.
fn report(report: &Report<'_>) {
    REPORTED.fetch_add(1, Ordering::Relaxed);
    hprintln!("report: {}: {}", report.request, report.error);
}

/// Writes the driver's output lines to the console.
fn console(bytes: &[u8]) {
    hprint!("{}", core::str::from_utf8(bytes).unwrap_or("?"));
}

/// Room for the table fetched in mode `D` (`tests/hal_replay/lm75.mock` is 446 bytes).
pub struct Table([u8; 1024]);

impl Table {
    pub const fn new() -> Self {
        Table([0; 1024])
    }
}

/// Mode `D`: fetches the replay table from the host over the link into `table`, then replays
/// the driver from it on its own, as mode `T` does from flash (same output).
pub fn download(
    uart: &mut Uart,
    table: &'static mut Table,
    state: &'static mut crate::thermometer::State,
) -> bool {
    let mut client = crate::bridge::client(uart);
    let text = match download_table(&mut client, &mut table.0) {
        Ok(text) => text,
        Err(e) => {
            hprintln!("download failed: {}", e);
            return false;
        }
    };
    let stats = client.stats();
    let ok = crate::thermometer::replay(&mut console, state, text);
    hprintln!("table: {} bytes, {} frames sent", text.len(), stats.sent);
    ok
}

/// Where the driver's transactions go.
pub enum Device {
    /// Nowhere: the host answers them (mode `H`).
    Replayed,
    /// The simulated LM75B, recorded through the host (mode `R`).
    Simulated,
    /// The board's I2C1 controller and whatever QEMU put on its bus, recorded through the
    /// host (mode `Q`).
    QemuModel,
}

/// Runs the thermostat in mode `H`, `R` or `Q`.
pub fn run(uart: &mut Uart, device: Device) -> bool {
    // The longest request entry is `<-I2C:0x48 write [00] read 2` (28 bytes).
    let mut request = [0u8; 48];
    let mut response = [0u8; 48];
    let link =
        HalLink::new(crate::bridge::client(uart), &mut request, &mut response).with_report(report);
    let ok = match device {
        Device::Replayed => crate::thermometer::thermostat(&mut console, I2cReplay::new(&link)),
        Device::Simulated => {
            let sensor = lm75_sensor::Lm75b::new(0x48, &SAMPLES);
            crate::thermometer::thermostat(&mut console, LinkRecorded::new(&link, "i2c", sensor))
        }
        Device::QemuModel => {
            let bus = crate::stellaris_i2c::StellarisI2c::new();
            crate::thermometer::thermostat(&mut console, LinkRecorded::new(&link, "i2c", bus))
        }
    };
    hprintln!("reported {}", REPORTED.load(Ordering::Relaxed));
    let stats = link.into_client().stats();
    hprintln!(
        "stats: sent={} repeats={} timeouts={}",
        stats.sent,
        stats.repeats,
        stats.timeouts
    );
    ok
}
