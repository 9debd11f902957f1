//! `std::io::Error`, which has no serde form of its own: recorded as its kind and message,
//! `{"kind": "TimedOut", "message": "..."}`, and made again from them in replay.

use std::io::{Error, ErrorKind};

use serde::{Deserialize, Serialize};

use super::Codec;

/// The codec of `std::io::Error` (the error of `io::Result`, of `Read` and `Write`).
/// What replay gives back is `io::Error::new(kind, message)`: the same kind and text, not
/// the same operating-system error code.
#[derive(Debug, Clone, Copy, Default)]
pub struct IoError;

/// The recorded form.
#[derive(Serialize, Deserialize)]
struct Recorded {
    kind: String,
    message: String,
}

/// The kinds a recording names, each as `Debug` writes it. A kind not listed (one newer
/// than the minimum supported Rust, or one std keeps unstable) is replayed as `Other`.
const KINDS: &[ErrorKind] = &[
    ErrorKind::NotFound,
    ErrorKind::PermissionDenied,
    ErrorKind::ConnectionRefused,
    ErrorKind::ConnectionReset,
    ErrorKind::HostUnreachable,
    ErrorKind::NetworkUnreachable,
    ErrorKind::ConnectionAborted,
    ErrorKind::NotConnected,
    ErrorKind::AddrInUse,
    ErrorKind::AddrNotAvailable,
    ErrorKind::NetworkDown,
    ErrorKind::BrokenPipe,
    ErrorKind::AlreadyExists,
    ErrorKind::WouldBlock,
    ErrorKind::InvalidInput,
    ErrorKind::InvalidData,
    ErrorKind::TimedOut,
    ErrorKind::WriteZero,
    ErrorKind::Interrupted,
    ErrorKind::Unsupported,
    ErrorKind::UnexpectedEof,
    ErrorKind::OutOfMemory,
    ErrorKind::Other,
];

/// The kind `Debug` writes as `name`, or `Other`.
fn kind_named(name: &str) -> ErrorKind {
    KINDS
        .iter()
        .copied()
        .find(|kind| format!("{kind:?}") == name)
        .unwrap_or(ErrorKind::Other)
}

impl Codec<Error> for IoError {
    fn encode(&self, error: &Error) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(&Recorded {
            kind: format!("{:?}", error.kind()),
            message: error.to_string(),
        })
    }

    fn decode(&self, text: &str) -> Result<Error, serde_json::Error> {
        let recorded: Recorded = serde_json::from_str(text)?;
        Ok(Error::new(kind_named(&recorded.kind), recorded.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_and_message_come_back() {
        let error = Error::new(ErrorKind::ConnectionReset, "peer hung up");
        let text = IoError.encode(&error).unwrap();
        assert_eq!(
            text,
            "{\n  \"kind\": \"ConnectionReset\",\n  \"message\": \"peer hung up\"\n}"
        );
        let back = IoError.decode(&text).unwrap();
        assert_eq!(back.kind(), ErrorKind::ConnectionReset);
        assert_eq!(back.to_string(), "peer hung up");
    }

    #[test]
    fn every_listed_kind_reads_back_and_an_unknown_one_is_other() {
        for &kind in KINDS {
            assert_eq!(kind_named(&format!("{kind:?}")), kind);
        }
        assert_eq!(kind_named("SomethingNew"), ErrorKind::Other);
    }
}
