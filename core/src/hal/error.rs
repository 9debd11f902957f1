//! What a replayed bus transaction can fail with: the error the device answered with when it
//! was recorded, or a reason the replay could not answer at all.

use core::fmt;

use embedded_hal::{digital, i2c, spi};

use crate::replay::{LookupError, Unmatched};

/// Which side did not acknowledge an I2C transfer (embedded-hal's `NoAcknowledgeSource`, kept
/// as our own type so that a record reads the same whichever embedded-hal version wrote it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoAck {
    /// The address was not acknowledged.
    Address,
    /// A data byte was not acknowledged.
    Data,
    /// The controller could not tell which.
    Unknown,
}

/// An error a real device answered with, as recorded (`->I2C:error NoAcknowledge(Address)`).
///
/// One list for every bus, so that one parser reads every record; each trait's error kind
/// takes the variants it has and sees the others as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceError {
    /// I2C bus error (a misplaced start or stop).
    Bus,
    /// I2C arbitration lost.
    ArbitrationLoss,
    /// I2C NACK.
    NoAcknowledge(NoAck),
    /// Data lost (I2C or SPI overrun).
    Overrun,
    /// SPI mode fault.
    ModeFault,
    /// SPI frame format error.
    FrameFormat,
    /// SPI chip-select fault.
    ChipSelectFault,
    /// Anything else (and every pin error: embedded-hal's digital errors have no other kind).
    Other,
}

impl DeviceError {
    /// The record text of the error, after `error ` (`NoAcknowledge(Address)`).
    pub const fn name(self) -> &'static str {
        match self {
            DeviceError::Bus => "Bus",
            DeviceError::ArbitrationLoss => "ArbitrationLoss",
            DeviceError::NoAcknowledge(NoAck::Address) => "NoAcknowledge(Address)",
            DeviceError::NoAcknowledge(NoAck::Data) => "NoAcknowledge(Data)",
            DeviceError::NoAcknowledge(NoAck::Unknown) => "NoAcknowledge(Unknown)",
            DeviceError::Overrun => "Overrun",
            DeviceError::ModeFault => "ModeFault",
            DeviceError::FrameFormat => "FrameFormat",
            DeviceError::ChipSelectFault => "ChipSelectFault",
            DeviceError::Other => "Other",
        }
    }

    /// Every error, for reading a name back.
    const ALL: [DeviceError; 10] = [
        DeviceError::Bus,
        DeviceError::ArbitrationLoss,
        DeviceError::NoAcknowledge(NoAck::Address),
        DeviceError::NoAcknowledge(NoAck::Data),
        DeviceError::NoAcknowledge(NoAck::Unknown),
        DeviceError::Overrun,
        DeviceError::ModeFault,
        DeviceError::FrameFormat,
        DeviceError::ChipSelectFault,
        DeviceError::Other,
    ];

    /// Reads a [`name`](Self::name) back; `None` for any other text.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The I2C error kind a replay returns for it.
    pub fn i2c_kind(self) -> i2c::ErrorKind {
        use i2c::NoAcknowledgeSource as S;
        match self {
            DeviceError::Bus => i2c::ErrorKind::Bus,
            DeviceError::ArbitrationLoss => i2c::ErrorKind::ArbitrationLoss,
            DeviceError::NoAcknowledge(NoAck::Address) => i2c::ErrorKind::NoAcknowledge(S::Address),
            DeviceError::NoAcknowledge(NoAck::Data) => i2c::ErrorKind::NoAcknowledge(S::Data),
            DeviceError::NoAcknowledge(NoAck::Unknown) => i2c::ErrorKind::NoAcknowledge(S::Unknown),
            DeviceError::Overrun => i2c::ErrorKind::Overrun,
            _ => i2c::ErrorKind::Other,
        }
    }

    /// The SPI error kind a replay returns for it.
    pub fn spi_kind(self) -> spi::ErrorKind {
        match self {
            DeviceError::Overrun => spi::ErrorKind::Overrun,
            DeviceError::ModeFault => spi::ErrorKind::ModeFault,
            DeviceError::FrameFormat => spi::ErrorKind::FrameFormat,
            DeviceError::ChipSelectFault => spi::ErrorKind::ChipSelectFault,
            _ => spi::ErrorKind::Other,
        }
    }
}

/// What a real I2C implementation's error is recorded as.
impl From<i2c::ErrorKind> for DeviceError {
    fn from(kind: i2c::ErrorKind) -> Self {
        use i2c::NoAcknowledgeSource as S;
        match kind {
            i2c::ErrorKind::Bus => DeviceError::Bus,
            i2c::ErrorKind::ArbitrationLoss => DeviceError::ArbitrationLoss,
            i2c::ErrorKind::NoAcknowledge(S::Address) => DeviceError::NoAcknowledge(NoAck::Address),
            i2c::ErrorKind::NoAcknowledge(S::Data) => DeviceError::NoAcknowledge(NoAck::Data),
            i2c::ErrorKind::NoAcknowledge(_) => DeviceError::NoAcknowledge(NoAck::Unknown),
            i2c::ErrorKind::Overrun => DeviceError::Overrun,
            _ => DeviceError::Other,
        }
    }
}

/// What a real SPI implementation's error is recorded as.
impl From<spi::ErrorKind> for DeviceError {
    fn from(kind: spi::ErrorKind) -> Self {
        match kind {
            spi::ErrorKind::Overrun => DeviceError::Overrun,
            spi::ErrorKind::ModeFault => DeviceError::ModeFault,
            spi::ErrorKind::FrameFormat => DeviceError::FrameFormat,
            spi::ErrorKind::ChipSelectFault => DeviceError::ChipSelectFault,
            _ => DeviceError::Other,
        }
    }
}

/// What a real pin's error is recorded as (digital errors have one kind).
impl From<digital::ErrorKind> for DeviceError {
    fn from(_: digital::ErrorKind) -> Self {
        DeviceError::Other
    }
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a replayed transaction failed: the error of every replayed trait.
///
/// [`HalError::Device`] is a replay working as it should (the device answered with an error
/// when it was recorded); every other variant means the replay could not answer, and is also
/// given to the report hook (see [`super::ReportHook`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HalError {
    /// The recorded device answered with this error.
    Device(DeviceError),
    /// Nothing recorded answers the transaction.
    Unmatched(Unmatched),
    /// The recorded transaction has no response of its bus's type.
    NoResponse,
    /// The recorded response does not read as a response (e.g. `[1g]`).
    BadResponse,
    /// The recorded response does not fit the transaction: other read lengths, data where
    /// none was read, or a level where a transfer was made (a nearest match of another shape).
    Mismatch,
    /// The request text does not fit the request buffer.
    RequestTooLong {
        /// Bytes needed.
        needed: usize,
    },
    /// The lookup scratch is too small for this request.
    Lookup(LookupError),
    /// The replay was asked again while it answered (a backend shared with an interrupt
    /// handler, say); it refuses rather than panicking.
    Busy,
    /// A host-side backend failed (its own error went to its report, e.g. a record file that
    /// cannot be written).
    Host,
}

impl fmt::Display for HalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HalError::Device(e) => write!(f, "the device answered: error {e}"),
            HalError::Unmatched(Unmatched::ExactMatchingRequired) => {
                f.write_str("not recorded as it is, and exact matching is on")
            }
            HalError::Unmatched(Unmatched::EmptyRequest) => f.write_str("empty request"),
            HalError::Unmatched(Unmatched::NoCandidate) => {
                f.write_str("no recorded transaction of this bus shares a word with it")
            }
            HalError::NoResponse => f.write_str("the recorded transaction has no response"),
            HalError::BadResponse => f.write_str("the recorded response does not read"),
            HalError::Mismatch => {
                f.write_str("the recorded response does not fit the transaction's operations")
            }
            HalError::RequestTooLong { needed } => {
                write!(f, "request buffer too small: {needed} bytes needed")
            }
            HalError::Lookup(e) => e.fmt(f),
            HalError::Busy => f.write_str("the replay is busy answering another transaction"),
            HalError::Host => f.write_str("the host side failed"),
        }
    }
}

impl core::error::Error for HalError {}

impl From<LookupError> for HalError {
    fn from(e: LookupError) -> Self {
        HalError::Lookup(e)
    }
}

/// A replay error is the I2C error of a replayed bus: the recorded kind, else `Other`.
impl i2c::Error for HalError {
    fn kind(&self) -> i2c::ErrorKind {
        match self {
            HalError::Device(e) => e.i2c_kind(),
            _ => i2c::ErrorKind::Other,
        }
    }
}

/// A replay error is the SPI error of a replayed device or bus: the recorded kind, else `Other`.
impl spi::Error for HalError {
    fn kind(&self) -> spi::ErrorKind {
        match self {
            HalError::Device(e) => e.spi_kind(),
            _ => spi::ErrorKind::Other,
        }
    }
}

/// A replay error is the error of a replayed pin (digital errors have one kind).
impl digital::Error for HalError {
    fn kind(&self) -> digital::ErrorKind {
        digital::ErrorKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_and_names_are_distinct() {
        for e in DeviceError::ALL {
            assert_eq!(DeviceError::from_name(e.name()), Some(e));
        }
        assert_eq!(DeviceError::from_name("NoAcknowledge"), None);
        assert_eq!(DeviceError::from_name("bus"), None);
    }

    #[test]
    fn i2c_kinds_go_both_ways() {
        use i2c::{ErrorKind as K, NoAcknowledgeSource as S};
        for kind in [
            K::Bus,
            K::ArbitrationLoss,
            K::NoAcknowledge(S::Address),
            K::NoAcknowledge(S::Data),
            K::NoAcknowledge(S::Unknown),
            K::Overrun,
            K::Other,
        ] {
            assert_eq!(DeviceError::from(kind).i2c_kind(), kind);
        }
        assert_eq!(DeviceError::ModeFault.i2c_kind(), K::Other);
    }

    #[test]
    fn spi_kinds_go_both_ways() {
        use spi::ErrorKind as K;
        for kind in [
            K::Overrun,
            K::ModeFault,
            K::FrameFormat,
            K::ChipSelectFault,
            K::Other,
        ] {
            assert_eq!(DeviceError::from(kind).spi_kind(), kind);
        }
        assert_eq!(DeviceError::Bus.spi_kind(), K::Other);
    }

    #[test]
    fn replay_failures_are_other_to_the_traits() {
        use embedded_hal::i2c::Error as _;
        assert_eq!(HalError::Busy.kind(), i2c::ErrorKind::Other);
        assert_eq!(
            HalError::Device(DeviceError::NoAcknowledge(NoAck::Data)).kind(),
            i2c::ErrorKind::NoAcknowledge(i2c::NoAcknowledgeSource::Data)
        );
    }
}
