//! Bus transactions over the UART link (`docs/link.md`): a host answers them from its replay
//! file, or records them from the real device, through `capturemock bridge --hal`.
//!
//! ```text
//! driver ─▶ I2cReplay ─────────┐                         host: capturemock bridge --hal
//!           (replay)           ├─▶ HalLink ─ Replay/Record frames ─▶ HalSession ─▶ .mock
//! driver ─▶ LinkRecorded(real) ┘   (LinkClient)  ◀─ Response / NoMatch / Recorded
//! ```
//!
//! A transaction travels as a link request whose text is its request entry without the
//! `<-`: `I2C:0x48 write [00] read 2`; a recorded response is the response entry's text
//! (`[15 80]`, `ok`, `error NoAcknowledge(Address)`). The bridge writes them as `<-I2C:` and
//! `->I2C:` entries, so the file is the one a host recording writes.

use core::cell::RefCell;
use core::fmt::Write;

use super::backend::{Backend, Report, ReportHook, Transaction};
use super::error::{DeviceError, HalError};
use super::text::{parse_response, write_error, SliceWriter};
use crate::link::LinkClient;
use crate::replay::{Mode, Unmatched};

/// What runs a transaction on the real device when the host's mode says to record it.
pub type LinkRealCall<'r, X> = &'r mut dyn FnMut(&mut X) -> Result<(), DeviceError>;

/// A board's bus traffic over its link to a host: the backend of the core's replaying devices
/// (`I2cReplay::new(&link)`), and what the recording wrappers ([`LinkRecorded`]) pass each real
/// transaction to. The host's mode (its welcome) decides what happens to a transaction:
///
/// - **replay**: the host's recorded answer (exact, else best match; repeats in order); the
///   real device is never called;
/// - **record**: the real device answers, and the transaction is sent to the host to record;
/// - **replay old, record new**: the host's answer if it has one, else as in record mode.
///
/// No allocation: the client's two frame buffers, and two buffers for the request and
/// response text of one transaction (the longest request entry, e.g. 28 bytes for
/// `<-I2C:0x48 write [00] read 2`, and the longest response text). Devices share it by
/// reference, so every device of a board goes over the one link in the order the driver calls
/// them.
///
/// [`LinkRecorded`]: super::LinkRecorded
pub struct HalLink<'b, T, const N: usize> {
    state: RefCell<LinkState<'b, T, N>>,
    report: Option<ReportHook>,
}

/// What one transaction uses: the client and the text buffers.
struct LinkState<'b, T, const N: usize> {
    client: LinkClient<T, N>,
    request: &'b mut [u8],
    response: &'b mut [u8],
}

impl<'b, T: embedded_io::Read + embedded_io::Write, const N: usize> HalLink<'b, T, N> {
    /// Over `client` (connected or not: the first transaction says hello), with room for the
    /// longest request entry in `request` and the longest response text in `response`.
    pub fn new(client: LinkClient<T, N>, request: &'b mut [u8], response: &'b mut [u8]) -> Self {
        HalLink {
            state: RefCell::new(LinkState {
                client,
                request,
                response,
            }),
            report: None,
        }
    }

    /// Calls `hook` with every transaction that was not answered (or not recorded), as
    /// [`HalReplay::with_report`](super::HalReplay::with_report) does.
    pub fn with_report(mut self, hook: ReportHook) -> Self {
        self.report = Some(hook);
        self
    }

    /// The client back, e.g. for its statistics.
    pub fn into_client(self) -> LinkClient<T, N> {
        self.state.into_inner().client
    }

    /// Runs one transaction as the host's mode says: replayed by the host, or passed to `real`
    /// (which fills the transaction's buffers from the real device) and sent to be recorded.
    /// The request text is taken before `real` runs, since a transfer in place overwrites what
    /// it wrote. Errors other than the device's are reported to the hook; a link that fails
    /// (no host, too many repeats) is [`HalError::Host`].
    pub fn run<X: Transaction + ?Sized>(
        &self,
        transaction: &mut X,
        real: Option<LinkRealCall<'_, X>>,
    ) -> Result<(), HalError> {
        let Ok(mut state) = self.state.try_borrow_mut() else {
            return Err(HalError::Busy);
        };
        let LinkState {
            client,
            request,
            response,
        } = &mut *state;
        let kind = transaction.kind();
        let mut w = SliceWriter::new(request);
        // A SliceWriter never fails; what does not fit is counted.
        let _ = w.write_str(kind.request_prefix());
        let _ = w.write_char(':');
        let _ = transaction.write_request(&mut w);
        let needed = w.needed();
        let Some(entry) = w.text() else {
            return self.fail(kind.request_prefix(), HalError::RequestTooLong { needed });
        };
        // On the link: the entry without its `<-`.
        let wire = entry.get(2..).unwrap_or_default();
        let mode = match client.mode() {
            Some(mode) => mode,
            None => match client.connect() {
                Ok(mode) => mode,
                Err(_) => return self.fail(entry, HalError::Host),
            },
        };
        if mode != Mode::Record {
            match client.replay(wire) {
                Ok(Some(text)) => {
                    return match parse_response(text).and_then(|r| transaction.answer(r)) {
                        Err(error) if !matches!(error, HalError::Device(_)) => {
                            self.fail(entry, error)
                        }
                        outcome => outcome,
                    };
                }
                Ok(None) if mode == Mode::Replay || real.is_none() => {
                    return self.fail(entry, HalError::Unmatched(Unmatched::NoCandidate));
                }
                Ok(None) => {}
                Err(_) => return self.fail(entry, HalError::Host),
            }
        }
        let Some(real) = real else {
            // A replaying device on a host that records: there is nothing real to ask.
            return self.fail(entry, HalError::Host);
        };
        let outcome = real(transaction);
        let mut r = SliceWriter::new(response);
        let _ = match outcome {
            Ok(()) => transaction.write_response(&mut r),
            Err(e) => write_error(&mut r, e),
        };
        let Some(text) = r.text() else {
            // The real answer is still the driver's; only the record is lost, and reported.
            self.report(entry, HalError::Host);
            return outcome.map_err(HalError::Device);
        };
        if client.record(wire, text).is_err() {
            self.report(entry, HalError::Host);
        }
        outcome.map_err(HalError::Device)
    }

    fn fail(&self, request: &str, error: HalError) -> Result<(), HalError> {
        self.report(request, error);
        Err(error)
    }

    fn report(&self, request: &str, error: HalError) {
        if let Some(hook) = self.report {
            hook(&Report { request, error });
        }
    }
}

/// The replaying devices over the link (`I2cReplay::new(&link)`): the host answers.
impl<T: embedded_io::Read + embedded_io::Write, const N: usize> Backend for HalLink<'_, T, N> {
    fn exchange(&self, transaction: &mut dyn Transaction) -> Result<(), HalError> {
        self.run(transaction, None)
    }
}
