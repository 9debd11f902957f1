//! The serial proxy: records what a device and a peripheral (a modem, a sensor) say to each
//! other on a serial line, and later answers the device as the peripheral did, from the
//! recording: modem and sensor emulation.
//!
//! ```text
//! record:  device ◀──▶ proxy ◀──▶ peripheral      <-CLI:request  ->SRV:response
//! replay:  device ◀──▶ proxy ─ replay file (capturemock-core's engine, best match)
//! ```
//!
//! - The device's bytes are cut into requests by a delimiter (`\r` for AT commands), an idle
//!   gap, or whichever comes first ([`Framing`]). Everything the peripheral sends after a
//!   request starts and before the next one starts is that request's response. Bytes pass
//!   through as they come, so recording does not change the timing the device sees.
//! - Exchanges are recorded as the reference's classic proxy records client/server traffic:
//!   `<-CLI:` for the device's request, `->SRV:` for the peripheral's answer, with the
//!   server's recorder. Line ends are kept exactly (`<CR>`, `<LF>`, [`NEWLINES`]), so an
//!   answer replays byte for byte.
//! - In replay mode the proxy answers each request at once with the recorded response of
//!   the matching (or nearest) recorded request, repeated requests taking the recorded
//!   answers in turn, as the server replays. With a record file, the replay is recorded
//!   too: it equals the replay file when the device behaves as it did. Best match works on
//!   words, as everywhere in capturemock: a request sharing no word with any recorded one
//!   (`AT+CSQ=?` against `AT+CSQ`: each is one word) gets no answer, with a warning.
//! - In mode 2 what the file has is replayed and the rest goes to the peripheral and is
//!   recorded, deciding as the server does ([`NewRequestPolicy`]).
//!
//! Limits: text protocols only (bytes that are not UTF-8 are recorded with replacement
//! characters, with a warning); the peripheral's unprompted messages are recorded as part
//! of the exchange they arrive in, and replayed at once after its request; replay keeps
//! no timing.
//!
//! [`NewRequestPolicy`]: capturemock_core::replay::NewRequestPolicy

mod framing;
mod proxy;
mod report;

pub use framing::{parse_delimiter, FrameEvent, Framer, Framing, MAX_MESSAGE};
pub use proxy::{run, ProxyConfig, NEWLINES, REQUEST_PREFIX, RESPONSE_PREFIX};
pub use report::ProxyReport;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use capturemock_core::replay::Mode;

use crate::bridge::endpoint::{EndpointError, Link};

/// Why the proxy could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// Recording needs the peripheral.
    #[error("mode {0} passes requests on to the peripheral: give one")]
    NoPeripheral(Mode),
    /// Neither a delimiter nor an idle gap.
    #[error("requests need a delimiter or an idle gap to end them")]
    NoFraming,
    /// A line could not be opened.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// The replay file could not be loaded.
    #[error(transparent)]
    ReplayFile(#[from] crate::replay_file::ReplayFileError),
    /// The record file could not be prepared.
    #[error(transparent)]
    Record(#[from] crate::exchange::RecordError),
    /// Writing to one side failed.
    #[error("writing to the {side} failed")]
    Write {
        /// `device` or `peripheral`.
        side: &'static str,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A port could not be set up.
    #[error("cannot use the line")]
    Io(#[from] std::io::Error),
    /// The proxy thread died.
    #[error("the serial proxy thread panicked")]
    Panicked,
}

/// A serial proxy on a thread of its own.
/// Dropping it stops the proxy and waits for its thread, which writes the record file before
/// it ends, so the file is complete once the drop returns.
#[derive(Debug)]
pub struct BackgroundProxy {
    /// Shared with the proxy's thread: its loop, and its wait for a line to connect, look at it
    /// at least once per poll interval.
    stop: Arc<AtomicBool>,
    /// The proxy: its report, or why it could not run.
    thread: Option<JoinHandle<Result<ProxyReport, ProxyError>>>,
    device_address: Option<String>,
}

impl BackgroundProxy {
    /// Waits for the device's line (a listening link waits for its first connection) and the
    /// peripheral's, then proxies until either closes or [`stop`](Self::stop).
    /// The waiting happens on the proxy's thread, so `start` returns at once, with the device's
    /// listening address already known (a caller prints it for the device to connect to). A
    /// proxy stopped before its lines connect reports nothing done.
    pub fn start(
        mut device: Link,
        peripheral: Option<Link>,
        config: ProxyConfig,
    ) -> Result<BackgroundProxy, ProxyError> {
        if config.mode != Mode::Replay && peripheral.is_none() {
            return Err(ProxyError::NoPeripheral(config.mode));
        }
        let device_address = device.local_addr();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("capturemock-proxy".into())
            .spawn(move || {
                let Some(device_port) = device.next_port(&flag)? else {
                    return Ok(ProxyReport::default());
                };
                tracing::info!("serial proxy: device line {} open", device_port.name());
                let peripheral_port = match peripheral {
                    Some(mut link) => match link.next_port(&flag)? {
                        Some(port) => Some(port),
                        None => return Ok(ProxyReport::default()),
                    },
                    None => None,
                };
                run(device_port, peripheral_port, config, &flag)
            })?;
        Ok(BackgroundProxy {
            stop,
            thread: Some(thread),
            device_address,
        })
    }

    /// Where the device's link listens, when it is a listener.
    pub fn device_address(&self) -> Option<&str> {
        self.device_address.as_deref()
    }

    /// Whether the proxy has stopped by itself (a line closed).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops proxying, completes the record file and reports.
    pub fn stop(mut self) -> Result<ProxyReport, ProxyError> {
        self.stop.store(true, Ordering::Relaxed);
        self.join()
    }

    /// Waits until a line closes, then reports.
    pub fn wait(mut self) -> Result<ProxyReport, ProxyError> {
        self.join()
    }

    /// The thread's result; a thread that panicked is [`ProxyError::Panicked`]. (`stop` and
    /// `wait` consume the proxy, so the thread is always still there.)
    fn join(&mut self) -> Result<ProxyReport, ProxyError> {
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|_| ProxyError::Panicked)?,
            None => Err(ProxyError::Panicked),
        }
    }
}

impl Drop for BackgroundProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests;
