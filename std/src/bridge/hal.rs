//! Serving a device's embedded-hal bus transactions (`capturemock bridge --hal`): the link
//! frames of capturemock-core's `HalLink` and `LinkRecorded`, recorded and replayed by a
//! [`HalSession`], so that the file is the one a host recording of the same transactions
//! writes (docs/embedded-hal.md).
//!
//! A request's text is its request entry without the `<-` (`I2C:0x48 write [00] read 2`), a
//! response's text the response entry's (`[15 80]`).

use std::fmt::{self, Write};

use capturemock_core::hal::text::{parse_response, Kind, Response};
use capturemock_core::hal::{HalError, Transaction, TABLE_REQUEST};
use capturemock_core::link::{DeviceRequest, HostError};
use capturemock_core::replay::Mode;

use super::upstream::{Serve, Served};
use crate::hal::HalSession;

/// A [`HalSession`] seen as the device's host: `Record` frames are passed through the session
/// as transactions of the real device, `Replay` frames are answered from its replay file.
#[derive(Debug, Clone)]
pub struct HalUpstream {
    session: HalSession,
    /// The replay file's text, for devices that fetch the table (`table OFFSET MAX`); `None`
    /// in record mode or without a replay file.
    table: Option<String>,
}

impl HalUpstream {
    /// Serves through `session` (its mode is the mode devices are told). The session's record
    /// file is flushed after each exchange, so it is complete whenever the device stops.
    /// In replay modes, devices can also fetch the replay file's text (capturemock-core's
    /// `download_table`) to replay from it on their own.
    pub fn new(session: HalSession) -> Self {
        let table = match session.mode() {
            Mode::Record => None,
            Mode::Replay | Mode::ReplayOldRecordNew => session
                .replay_path()
                .and_then(|path| std::fs::read_to_string(path).ok()),
        };
        HalUpstream { session, table }
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
        if let DeviceRequest::Replay { request, .. } = *exchange {
            if let Some(piece) = request
                .strip_prefix(TABLE_REQUEST)
                .and_then(|rest| rest.strip_prefix(' '))
            {
                return self.table_piece(seq, piece);
            }
        }
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
                    // In mode 2 the session records only what it would not replay, by its own
                    // rule: with the reference's policy, nothing once the replay file has
                    // entries of that bus (as on the host).
                    Err(error @ HalError::Unmatched(_)) => {
                        tracing::error!(seq, "not recorded: {error}");
                        Served::Failed(HostError::Refused)
                    }
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

impl HalUpstream {
    /// `OFFSET MAX`: the table's text from byte `OFFSET`, at most `MAX` bytes, cut only
    /// between characters; empty past the end.
    fn table_piece(&self, seq: u16, piece: &str) -> Served {
        let Some(table) = &self.table else {
            return Served::NoMatch;
        };
        let numbers = piece.split_once(' ').and_then(|(offset, max)| {
            Some((offset.parse::<usize>().ok()?, max.parse::<usize>().ok()?))
        });
        let Some((offset, max)) = numbers.filter(|&(offset, max)| {
            max > 0 && offset <= table.len() && table.is_char_boundary(offset)
        }) else {
            tracing::error!(
                seq,
                piece,
                "a table request that is not OFFSET MAX within the table"
            );
            return Served::Failed(HostError::Refused);
        };
        let mut end = offset.saturating_add(max).min(table.len());
        while !table.is_char_boundary(end) {
            end -= 1;
        }
        if end == offset && offset < table.len() {
            // Not even one character fits.
            return Served::Failed(HostError::Refused);
        }
        Served::Response(table.get(offset..end).unwrap_or_default().to_string())
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
    use embedded_hal::i2c::{self, I2c, NoAcknowledgeSource, Operation};

    /// A chip at 0x48 whose reads repeat the pointer written; other addresses NACK.
    struct Chip;

    #[derive(Debug)]
    struct Nack;

    impl i2c::Error for Nack {
        fn kind(&self) -> i2c::ErrorKind {
            i2c::ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
        }
    }

    impl i2c::ErrorType for Chip {
        type Error = Nack;
    }

    impl I2c for Chip {
        fn transaction(&mut self, address: u8, ops: &mut [Operation<'_>]) -> Result<(), Nack> {
            if address != 0x48 {
                return Err(Nack);
            }
            let mut pointer = 0;
            for op in ops {
                match op {
                    Operation::Write(bytes) => pointer = bytes.first().copied().unwrap_or(0),
                    Operation::Read(buf) => buf.fill(pointer),
                }
            }
            Ok(())
        }
    }

    fn record(seq: u16, request: &'static str, response: &'static str) -> DeviceRequest<'static> {
        DeviceRequest::Record {
            seq,
            request,
            response,
        }
    }

    fn replay(seq: u16, request: &'static str) -> DeviceRequest<'static> {
        DeviceRequest::Replay { seq, request }
    }

    #[test]
    fn record_frames_write_the_file_a_host_recording_writes() {
        let dir = tempfile::tempdir().unwrap();
        let host_file = dir.path().join("host.mock");
        {
            let session = HalSession::record(&host_file).unwrap();
            let mut bus = session.i2c(Chip);
            let mut t = [0u8; 2];
            bus.write_read(0x48u8, &[3], &mut t).unwrap();
            bus.write(0x48u8, &[1, 0x60]).unwrap();
            assert!(bus.read(0x4fu8, &mut t).is_err());
        }
        let bridged_file = dir.path().join("bridged.mock");
        let upstream = HalUpstream::new(HalSession::record(&bridged_file).unwrap());
        // What HalLink and LinkRecorded send for the same transactions on a target.
        for (seq, request, response) in [
            (1, "I2C:0x48 write [03] read 2", "[03 03]"),
            (2, "I2C:0x48 write [01 60]", "ok"),
            (3, "I2C:0x4f read 2", "error NoAcknowledge(Address)"),
        ] {
            assert_eq!(
                upstream.serve(&record(seq, request, response)),
                Served::Recorded
            );
        }
        // A replay request in record mode: nothing recorded answers it.
        assert_eq!(
            upstream.serve(&replay(4, "I2C:0x48 read 1")),
            Served::NoMatch
        );
        drop(upstream);
        let host = std::fs::read_to_string(&host_file).unwrap();
        assert_eq!(std::fs::read_to_string(&bridged_file).unwrap(), host);
        assert!(host.contains("<-I2C:0x4f read 2\n->I2C:error NoAcknowledge(Address)\n"));
    }

    #[test]
    fn replay_frames_get_the_recorded_text_and_mode_two_asks_only_for_what_is_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bus.mock");
        std::fs::write(
            &file,
            "<-I2C:0x48 write [00] read 2\n->I2C:[15 80]\n<-I2C:0x48 write [00] read 2\n->I2C:[16 00]\n",
        )
        .unwrap();
        let upstream = HalUpstream::new(HalSession::replay(&file).unwrap());
        let ask = replay(1, "I2C:0x48 write [00] read 2");
        assert_eq!(upstream.serve(&ask), Served::Response("[15 80]".into()));
        assert_eq!(upstream.serve(&ask), Served::Response("[16 00]".into()));
        // Not a bus transaction, or a record frame in replay mode: refused.
        assert_eq!(
            upstream.serve(&replay(2, "read counter")),
            Served::Failed(HostError::Refused)
        );
        assert_eq!(
            upstream.serve(&record(3, "I2C:0x48 write [01]", "ok")),
            Served::Failed(HostError::Refused)
        );
        assert_eq!(
            upstream.serve(&record(4, "I2C:0x48 write [01]", "not a response")),
            Served::Failed(HostError::Refused)
        );

        // Mode 2 with entries of the bus: replayed; what it lacks is neither replayed nor
        // recorded (the reference's policy, as the host session decides), so the device's
        // record is refused.
        let mode_two = HalUpstream::new(
            HalSession::builder(Mode::ReplayOldRecordNew)
                .replay_file(&file)
                .open()
                .unwrap(),
        );
        assert_eq!(mode_two.serve(&ask), Served::Response("[15 80]".into()));
        let new = "SPI:flash read 2";
        assert_eq!(mode_two.serve(&replay(2, new)), Served::NoMatch);
        assert_eq!(
            mode_two.serve(&record(3, new, "[ef 40]")),
            Served::Failed(HostError::Refused)
        );

        // Mode 2 with no replay file yet: the device is told to ask its real device, and the
        // exchange it sends is recorded.
        let recorded = dir.path().join("mode2.mock");
        let fresh = HalUpstream::new(
            HalSession::builder(Mode::ReplayOldRecordNew)
                .replay_file(dir.path().join("missing.mock"))
                .record_file(&recorded)
                .open()
                .unwrap(),
        );
        assert_eq!(fresh.serve(&replay(1, new)), Served::NoMatch);
        assert_eq!(fresh.serve(&record(2, new, "[ef 40]")), Served::Recorded);
        drop(fresh);
        assert_eq!(
            std::fs::read_to_string(&recorded).unwrap(),
            "<-SPI:flash read 2\n->SPI:[ef 40]\n"
        );
    }

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

    #[test]
    fn the_table_goes_in_pieces_of_whole_characters_and_ends_empty() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bus.mock");
        // "é" is two bytes, at 24 and 25.
        let text = "<-PIN:led is_high\n->PIN:\u{e9}\n";
        std::fs::write(&file, text).unwrap();
        let upstream = HalUpstream::new(HalSession::replay(&file).unwrap());
        let ask = |request: &'static str| upstream.serve(&replay(1, request));
        assert_eq!(ask("table 0 25"), Served::Response(text[..24].to_string()));
        assert_eq!(
            ask("table 24 100"),
            Served::Response(text[24..].to_string())
        );
        assert_eq!(ask("table 27 100"), Served::Response(String::new()));
        // Not within the table, inside a character, or no room for one character.
        for bad in [
            "table 28 10",
            "table 25 10",
            "table 24 1",
            "table 0 0",
            "table x 1",
        ] {
            assert_eq!(ask(bad), Served::Failed(HostError::Refused), "{bad}");
        }
        // A recording bridge has no table.
        let recording = HalUpstream::new(HalSession::record(dir.path().join("r.mock")).unwrap());
        assert_eq!(recording.serve(&replay(1, "table 0 10")), Served::NoMatch);
    }
}
