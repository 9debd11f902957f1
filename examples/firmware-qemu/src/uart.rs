//! UART0 of the lm3s6965 (an ARM PL011) as an `embedded_io` transport, with read timeouts
//! measured by SysTick.

use core::ptr::{read_volatile, write_volatile};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;

const BASE: usize = 0x4000_C000;
const DR: *mut u32 = BASE as *mut u32;
const FR: *const u32 = (BASE + 0x018) as *const u32;
const LCR_H: *mut u32 = (BASE + 0x02C) as *mut u32;
const CR: *mut u32 = (BASE + 0x030) as *mut u32;

const FR_RXFE: u32 = 1 << 4;
const FR_TXFF: u32 = 1 << 5;
/// 8 data bits, FIFOs off. Turning the FIFOs on empties them, and under QEMU the host's first
/// byte may already be waiting when the firmware starts: they go on only once the host waits
/// for the firmware ([`Uart::enable_fifos`]). QEMU holds back further bytes while the one-byte
/// holding register is full, so nothing is lost without them, only time.
const LCR_H_8N1: u32 = 0b11 << 5;
const LCR_H_FEN: u32 = 1 << 4;
/// UART, transmitter and receiver enabled.
const CR_ENABLE: u32 = 1 | 1 << 8 | 1 << 9;

/// SysTick reload for about 1 ms at the 12 MHz QEMU gives this board by default.
const TICK_RELOAD: u32 = 12_000 - 1;

/// The only error: nothing arrived in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut;

impl embedded_io::Error for TimedOut {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::TimedOut
    }
}

/// UART0, with a read timeout in SysTick periods (about milliseconds).
pub struct Uart {
    syst: SYST,
    /// Periods a read waits for its first byte; 0 waits forever.
    pub timeout_ms: u32,
}

impl Uart {
    /// Enables UART0 (QEMU needs no baud rate) and starts SysTick counting.
    pub fn new(mut syst: SYST) -> Self {
        // SAFETY: the PL011 registers of UART0, valid for 32-bit volatile access.
        unsafe {
            write_volatile(LCR_H, LCR_H_8N1);
            write_volatile(CR, CR_ENABLE);
        }
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(TICK_RELOAD);
        syst.clear_current();
        syst.enable_counter();
        Uart {
            syst,
            timeout_ms: 0,
        }
    }

    /// Turns the 16-byte FIFOs on, emptying them: call it only when the host sends nothing
    /// until the firmware speaks.
    pub fn enable_fifos(&mut self) {
        // SAFETY: UART0's line control register.
        unsafe { write_volatile(LCR_H, LCR_H_8N1 | LCR_H_FEN) };
    }

    /// The current SysTick count (changes quickly: a little entropy for session ids).
    pub fn ticks(&self) -> u32 {
        SYST::get_current()
    }

    fn flags() -> u32 {
        // SAFETY: UART0's flag register.
        unsafe { read_volatile(FR) }
    }

    fn rx_ready() -> bool {
        Self::flags() & FR_RXFE == 0
    }

    fn take() -> u8 {
        // SAFETY: UART0's data register; reading it pops the receive FIFO.
        unsafe { read_volatile(DR) as u8 }
    }

    /// Waits for one byte, forever.
    pub fn read_byte(&mut self) -> u8 {
        while !Self::rx_ready() {}
        Self::take()
    }

    /// Writes all of `bytes`.
    pub fn send(&mut self, bytes: &[u8]) {
        for &b in bytes {
            while Self::flags() & FR_TXFF != 0 {}
            // SAFETY: UART0's data register; writing it queues a byte.
            unsafe { write_volatile(DR, u32::from(b)) };
        }
    }

    /// Waits until a byte arrives or the timeout passes.
    fn wait_rx(&mut self) -> bool {
        // Reading the flag clears it, so an old wrap does not count.
        let _ = self.syst.has_wrapped();
        let mut periods = 0;
        while !Self::rx_ready() {
            if self.timeout_ms != 0 && self.syst.has_wrapped() {
                periods += 1;
                if periods >= self.timeout_ms {
                    return false;
                }
            }
        }
        true
    }
}

impl embedded_io::ErrorType for Uart {
    type Error = TimedOut;
}

impl embedded_io::Read for Uart {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, TimedOut> {
        if buf.is_empty() {
            return Ok(0);
        }
        if !self.wait_rx() {
            return Err(TimedOut);
        }
        let mut n = 0;
        for slot in buf.iter_mut() {
            if !Self::rx_ready() {
                break;
            }
            *slot = Self::take();
            n += 1;
        }
        Ok(n)
    }
}

impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, TimedOut> {
        self.send(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), TimedOut> {
        Ok(())
    }
}
