//! Writing frames: a postcard message and its CRC, COBS-encoded between two delimiters.

use core::fmt;

use cobs::CobsEncoder;
use crc::{Crc, Digest, NoTable, CRC_32_ISCSI};
use postcard::ser_flavors::{Flavor, Size};
use serde::Serialize;

/// The byte that ends (and starts) every frame; COBS keeps it out of the frame's body.
pub const DELIMITER: u8 = 0x00;

/// Bytes of the CRC that follows the payload inside a frame.
pub const CRC_LEN: usize = 4;

/// CRC-32C (Castagnoli, `CRC_32_ISCSI`), computed bit by bit: a lookup table would cost
/// 1 KiB of flash for speed a UART never needs.
pub(crate) static CRC: Crc<u32, NoTable> = Crc::<u32, NoTable>::new(&CRC_32_ISCSI);

/// The CRC-32C of `bytes`, as frames carry it (little-endian after the payload).
pub fn checksum(bytes: &[u8]) -> u32 {
    CRC.checksum(bytes)
}

/// Bytes a frame whose payload is `payload` bytes long takes on the wire at most,
/// delimiters included: COBS adds one byte, plus one per 254 bytes.
pub const fn wire_len(payload: usize) -> usize {
    let body = payload.saturating_add(CRC_LEN);
    body.saturating_add(1)
        .saturating_add(body / 254)
        .saturating_add(2)
}

/// The longest payload whose frame always fits in `frame` bytes on the wire (0 when not even
/// an empty payload fits).
pub const fn max_payload(frame: usize) -> usize {
    // Inverse of `wire_len`: start from an estimate that is at most one too large.
    if frame < wire_len(0) {
        return 0;
    }
    let room = frame - 3; // delimiters and the first COBS code byte
    let body = room - room / 255;
    let mut payload = body.saturating_sub(CRC_LEN);
    while payload > 0 && wire_len(payload) > frame {
        payload -= 1;
    }
    payload
}

/// A frame did not fit in the output buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameEncodeError {
    /// Bytes the frame needs on the wire (an upper bound).
    pub needed: usize,
}

impl fmt::Display for FrameEncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "frame buffer too small: the frame needs up to {} bytes",
            self.needed
        )
    }
}

impl core::error::Error for FrameEncodeError {}

/// Serialises `message` with postcard and writes it as one frame into the front of `out`:
/// `0x00`, COBS(payload ‖ CRC-32C(payload) little-endian), `0x00`. Returns the frame's length.
///
/// The leading delimiter ends whatever partial frame a noisy line left in the receiver, so
/// the frame itself is never merged with garbage.
pub fn encode<T: Serialize + ?Sized>(
    message: &T,
    out: &mut [u8],
) -> Result<usize, FrameEncodeError> {
    let needed = || FrameEncodeError {
        needed: postcard::serialize_with_flavor(message, Size::default())
            .map_or(usize::MAX, wire_len),
    };
    let (first, body) = out.split_first_mut().ok_or_else(needed)?;
    *first = DELIMITER;
    let body_len = {
        let flavor = FrameFlavor {
            cobs: CobsEncoder::new(body),
            digest: CRC.digest(),
        };
        postcard::serialize_with_flavor(message, flavor).map_err(|_| needed())?
    };
    let end = out.get_mut(body_len + 1).ok_or_else(needed)?;
    *end = DELIMITER;
    Ok(body_len + 2)
}

/// Encodes raw `payload` bytes as one frame (for payloads that are not postcard messages).
pub fn encode_bytes(payload: &[u8], out: &mut [u8]) -> Result<usize, FrameEncodeError> {
    let needed = || FrameEncodeError {
        needed: wire_len(payload.len()),
    };
    let (first, body) = out.split_first_mut().ok_or_else(needed)?;
    *first = DELIMITER;
    let mut flavor = FrameFlavor {
        cobs: CobsEncoder::new(body),
        digest: CRC.digest(),
    };
    flavor.try_extend(payload).map_err(|_| needed())?;
    let body_len = flavor.finalize().map_err(|_| needed())?;
    let end = out.get_mut(body_len + 1).ok_or_else(needed)?;
    *end = DELIMITER;
    Ok(body_len + 2)
}

/// A postcard output that checksums the payload and COBS-encodes it as it is produced, so a
/// frame is written in one pass with no second buffer.
struct FrameFlavor<'b> {
    cobs: CobsEncoder<'b>,
    digest: Digest<'static, u32, NoTable>,
}

impl Flavor for FrameFlavor<'_> {
    /// The length of the COBS body (without delimiters).
    type Output = usize;

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.digest.update(data);
        self.cobs
            .push(data)
            .map_err(|_| postcard::Error::SerializeBufferFull)
    }

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.try_extend(&[data])
    }

    fn finalize(mut self) -> postcard::Result<usize> {
        let crc = self.digest.finalize().to_le_bytes();
        self.cobs
            .push(&crc)
            .map_err(|_| postcard::Error::SerializeBufferFull)?;
        Ok(self.cobs.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_is_crc32c() {
        // The catalogue's check value for CRC-32C.
        assert_eq!(checksum(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn an_empty_payload_is_its_crc_between_delimiters() {
        let mut out = [0xAA; 16];
        let n = encode_bytes(&[], &mut out).unwrap();
        let crc = checksum(&[]).to_le_bytes();
        assert_eq!(n, 7);
        assert_eq!(out[0], 0);
        assert_eq!(out[6], 0);
        assert!(out[1..6].iter().all(|&b| b != 0));
        let mut body = out[1..6].to_vec();
        let len = cobs::decode_in_place(&mut body).unwrap();
        assert_eq!(&body[..len], &crc);
    }

    #[test]
    fn too_small_buffers_are_errors_not_panics() {
        let payload = [7u8; 300];
        let need = wire_len(payload.len());
        let mut out = std::vec![0u8; need];
        let n = encode_bytes(&payload, &mut out).unwrap();
        assert!(n <= need);
        for size in 0..n {
            let err = encode_bytes(&payload, &mut out[..size]).unwrap_err();
            assert!(err.needed >= n, "size {size}: {err:?}");
        }
        for size in 0..8 {
            assert!(encode(&(1u8, "hello"), &mut out[..size]).is_err());
        }
    }

    #[test]
    fn max_payload_inverts_wire_len() {
        for frame in 0..3000usize {
            let p = max_payload(frame);
            if frame < wire_len(0) {
                assert_eq!(p, 0);
                continue;
            }
            assert!(wire_len(p) <= frame, "frame {frame}");
            assert!(wire_len(p + 1) > frame, "frame {frame}");
        }
    }
}
