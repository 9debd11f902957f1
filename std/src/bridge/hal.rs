//! Serving a device's embedded-hal bus transactions (`capturemock bridge --hal`): the link
//! frames of capturemock-core's `HalLink` and `LinkRecorded`, recorded and replayed by a
//! [`HalSession`], so that the file is the one a host recording of the same transactions
//! writes (docs/embedded-hal.md).
//!
//! A request's text is its request entry without the `<-` (`I2C:0x48 write [00] read 2`), a
//! response's text the response entry's (`[15 80]`).

use std::fmt::{self, Write};

use capturemock_core::hal::text::{parse_response, Kind, Response};
use capturemock_core::hal::{HalError, Transaction};
use capturemock_core::link::{DeviceRequest, HostError};
use capturemock_core::replay::Mode;

use super::upstream::{Serve, Served};
use crate::hal::HalSession;

/// A [`HalSession`] seen as the device's host: `Record` frames are passed through the session
/// as transactions of the real device, `Replay` frames are answered from its replay file.
#[derive(Debug, Clone)]
pub struct HalUpstream {
    session: HalSession,
}

impl HalUpstream {
    /// Serves through `session` (its mode is the mode devices are told). The session's record
    /// file is flushed after each exchange, so it is complete whenever the device stops.
    pub fn new(session: HalSession) -> Self {
        HalUpstream { session }
    }

    /// The session, e.g. for its failures.
    pub fn session(&self) -> &HalSession {
        &self.session
    }
}

impl Serve for HalUpstream {
    fn mode(&self) -> Mode {
        self.session.mode()
    }

    fn address(&self) -> &str {
        "embedded-hal session"
    }

    fn serve(&self, exchange: &DeviceRequest<'_>) -> Served {
        let served = self.serve_transaction(exchange);
        self.session.flush();
        served
    }
}

impl HalUpstream {
    fn serve_transaction(&self, exchange: &DeviceRequest<'_>) -> Served {
        let seq = exchange.seq();
        let Some((kind, request)) = split_request(exchange.request()) else {
            tracing::error!(
                seq,
                request = exchange.request(),
                "not a bus transaction (I2C:, SPI:, PIN: or DLY: and the request)"
            );
            return Served::Failed(HostError::Refused);
        };
        match *exchange {
            DeviceRequest::Record { response, .. } => {
                if response.contains('\n') || parse_response(response).is_err() {
                    tracing::error!(seq, response, "not a bus transaction's response");
                    return Served::Failed(HostError::Refused);
                }
                if self.mode() == Mode::Replay {
                    tracing::error!(seq, "a record frame in replay mode: not recorded");
                    return Served::Failed(HostError::Refused);
                }
                let mut t = TextTransaction {
                    kind,
                    request,
                    response,
                };
                // The device already ran it on its real device: the response is in the frame.
                let mut real = |_: &mut TextTransaction<'_>| Ok(());
                match self.session.run_as(&mut t, Some(&mut real), |_, _| Ok(())) {
                    Ok(()) => Served::Recorded,
                    Err(error) => {
                        tracing::error!(seq, "not recorded: {error}");
                        Served::Failed(HostError::Unavailable)
                    }
                }
            }
            DeviceRequest::Replay { .. } => {
                let key = format!("{}:{request}", kind.request_prefix());
                let ask = match self.mode() {
                    Mode::Replay => true,
                    Mode::Record => false,
                    Mode::ReplayOldRecordNew => self.session.would_replay(&key),
                };
                if !ask {
                    return Served::NoMatch;
                }
                let mut t = TextTransaction {
                    kind,
                    request,
                    response: "",
                };
                let mut replayed = None;
                let outcome = self.session.run_as(&mut t, None, |_, text| {
                    replayed = Some(text.to_string());
                    Ok(())
                });
                match (outcome, replayed) {
                    (Ok(()), Some(text)) => Served::Response(text),
                    // Reported by the session (stderr and its failures).
                    _ => Served::NoMatch,
                }
            }
        }
    }
}

/// `I2C:0x48 write [00]` → the bus and `0x48 write [00]`; `None` for any other text or one
/// that would not stay one line in the record.
fn split_request(text: &str) -> Option<(Kind, &str)> {
    let (type_id, request) = text.split_once(':')?;
    let kind = [Kind::I2c, Kind::Spi, Kind::Pin, Kind::Delay]
        .into_iter()
        .find(|k| k.type_id() == type_id)?;
    (!request.is_empty() && !request.contains('\n')).then_some((kind, request))
}

/// A transaction the device already described in text: the session records and looks up
/// exactly these texts.
struct TextTransaction<'t> {
    kind: Kind,
    request: &'t str,
    response: &'t str,
}

impl Transaction for TextTransaction<'_> {
    fn kind(&self) -> Kind {
        self.kind
    }

    fn write_request(&self, w: &mut dyn Write) -> fmt::Result {
        w.write_str(self.request)
    }

    /// Never called: the bridge takes the recorded text as it is and the device reads it.
    fn answer(&mut self, _: Response<'_>) -> Result<(), HalError> {
        Ok(())
    }

    fn write_response(&self, w: &mut dyn Write) -> fmt::Result {
        w.write_str(self.response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_their_bus() {
        assert_eq!(
            split_request("I2C:0x48 write [00] read 2"),
            Some((Kind::I2c, "0x48 write [00] read 2"))
        );
        assert_eq!(
            split_request("DLY:delay delay_ms 10"),
            Some((Kind::Delay, "delay delay_ms 10"))
        );
        assert_eq!(split_request("CAL:read counter"), None);
        assert_eq!(split_request("I2C:"), None);
        assert_eq!(split_request("I2C:0x48\nwrite [00]"), None);
        assert_eq!(split_request("read counter"), None);
    }
}
