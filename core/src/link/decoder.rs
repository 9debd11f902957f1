//! Reading frames from a byte stream that may lose, add or change bytes.

use core::fmt;

use super::frame::{CRC, CRC_LEN, DELIMITER};

/// Why bytes were dropped instead of making a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipReason {
    /// The CRC does not match the payload: bytes were changed, lost or added.
    Checksum,
    /// The bytes are not a valid COBS encoding (a code byte points past the frame's end).
    Cobs,
    /// Too short to hold a CRC.
    TooShort,
    /// Longer than the decoder's buffer: dropped up to the next delimiter.
    Overflow,
}

/// Bytes a [`FrameDecoder`] dropped, and why. Counts the bytes between two delimiters,
/// delimiters not included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Skip {
    /// Why.
    pub reason: SkipReason,
    /// How many bytes.
    pub bytes: usize,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::Checksum => "CRC mismatch",
            SkipReason::Cobs => "invalid COBS encoding",
            SkipReason::TooShort => "too short for a CRC",
            SkipReason::Overflow => "longer than the frame buffer",
        })
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "skipped {} bytes: {}", self.bytes, self.reason)
    }
}

/// Running totals of a [`FrameDecoder`] (saturating).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct DecoderStats {
    /// Frames accepted.
    pub frames: u32,
    /// Bytes dropped, over all skips.
    pub skipped_bytes: u32,
    /// Skips for [`SkipReason::Checksum`].
    pub checksum: u32,
    /// Skips for [`SkipReason::Cobs`].
    pub cobs: u32,
    /// Skips for [`SkipReason::TooShort`].
    pub too_short: u32,
    /// Skips for [`SkipReason::Overflow`].
    pub overflow: u32,
}

impl DecoderStats {
    /// Number of skips, whatever the reason.
    pub fn skips(&self) -> u32 {
        self.checksum
            .saturating_add(self.cobs)
            .saturating_add(self.too_short)
            .saturating_add(self.overflow)
    }

    fn count(&mut self, skip: Skip) {
        let counter = match skip.reason {
            SkipReason::Checksum => &mut self.checksum,
            SkipReason::Cobs => &mut self.cobs,
            SkipReason::TooShort => &mut self.too_short,
            SkipReason::Overflow => &mut self.overflow,
        };
        *counter = counter.saturating_add(1);
        // Saturating, as every counter of the stats is.
        let bytes = u32::try_from(skip.bytes).unwrap_or(u32::MAX);
        self.skipped_bytes = self.skipped_bytes.saturating_add(bytes);
    }
}

/// What one call of [`FrameDecoder::feed`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Feed<'d, 'i> {
    /// All the input was taken; no frame ended in it.
    Consumed,
    /// A frame with a valid CRC: its payload (CRC removed), and the input after it.
    Frame {
        /// The payload, valid until the next call of `feed`.
        payload: &'d [u8],
        /// The input after the frame's closing delimiter: feed it next.
        remaining: &'i [u8],
    },
    /// Bytes that did not make a frame were dropped; decoding goes on after the delimiter
    /// that ended them.
    Skipped {
        /// What was dropped.
        skip: Skip,
        /// The input after that delimiter: feed it next.
        remaining: &'i [u8],
    },
}

/// A sans-IO frame decoder with room for frames of up to `N` bytes on the wire (both
/// delimiters included, so bodies of up to `N - 2` bytes).
///
/// Feed it whatever bytes arrive, in any pieces; it hands back one outcome at a time with the
/// rest of the input, like postcard's `CobsAccumulator`. Whatever happens on the line it
/// resynchronises at the next delimiter: garbage, a lost or changed byte or a cut-off frame
/// cost only the frame they touched, and every loss is reported ([`Feed::Skipped`]) and
/// counted ([`DecoderStats`]). An empty body (two delimiters in a row, as between two
/// frames) is not a loss.
#[derive(Debug, Clone)]
pub struct FrameDecoder<const N: usize> {
    buf: [u8; N],
    len: usize,
    /// Bytes seen since the body outgrew the buffer (dropping until the next delimiter).
    overflow: Option<usize>,
    /// Length of the payload of the last frame, kept at the front of `buf`.
    frame: Option<usize>,
    stats: DecoderStats,
}

impl<const N: usize> Default for FrameDecoder<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FrameDecoder<N> {
    /// Longest body (bytes between the delimiters) this decoder accepts.
    pub const MAX_BODY: usize = N.saturating_sub(2);

    /// An empty decoder; `const` so it can live in a `static`.
    pub const fn new() -> Self {
        FrameDecoder {
            buf: [0; N],
            len: 0,
            overflow: None,
            frame: None,
            stats: DecoderStats {
                frames: 0,
                skipped_bytes: 0,
                checksum: 0,
                cobs: 0,
                too_short: 0,
                overflow: 0,
            },
        }
    }

    /// Takes bytes until a frame ends or bytes are dropped, and says which.
    pub fn feed<'d, 'i>(&'d mut self, input: &'i [u8]) -> Feed<'d, 'i> {
        self.frame = None;
        for (i, &byte) in input.iter().enumerate() {
            if byte != DELIMITER {
                self.push(byte);
                continue;
            }
            // `i` indexes `input`, so `i + 1..` is in bounds and the `len` that `finish`
            // hands back is what was stored in `buf`: the fallbacks are never taken.
            let remaining = input.get(i + 1..).unwrap_or_default();
            match self.finish() {
                None => continue,
                Some(Err(skip)) => return Feed::Skipped { skip, remaining },
                Some(Ok(len)) => {
                    self.frame = Some(len);
                    let payload = self.buf.get(..len).unwrap_or_default();
                    return Feed::Frame { payload, remaining };
                }
            }
        }
        Feed::Consumed
    }

    /// The payload of the frame the last call of [`feed`](Self::feed) returned, if it
    /// returned one (it stays until the next call).
    pub fn frame(&self) -> Option<&[u8]> {
        self.frame.and_then(|len| self.buf.get(..len))
    }

    /// Bytes of an unfinished frame held so far.
    pub fn pending(&self) -> usize {
        // While overflowing, `len` stops and `overflow` counts every byte of the body.
        self.overflow.unwrap_or(self.len)
    }

    /// Drops an unfinished frame, e.g. after the link was reopened. Returns what was dropped
    /// (not counted in the stats: the caller chose to drop it).
    pub fn reset(&mut self) -> usize {
        let dropped = self.pending();
        self.len = 0;
        self.overflow = None;
        self.frame = None;
        dropped
    }

    /// The running totals.
    pub fn stats(&self) -> DecoderStats {
        self.stats
    }

    fn push(&mut self, byte: u8) {
        if let Some(seen) = &mut self.overflow {
            *seen = seen.saturating_add(1);
            return;
        }
        match self.buf.get_mut(self.len) {
            Some(slot) if self.len < Self::MAX_BODY => {
                *slot = byte;
                self.len += 1;
            }
            _ => self.overflow = Some(self.len + 1),
        }
    }

    /// Ends the body at a delimiter: `None` for an empty body, else the payload length or
    /// what was skipped.
    fn finish(&mut self) -> Option<Result<usize, Skip>> {
        let len = core::mem::take(&mut self.len);
        if let Some(bytes) = self.overflow.take() {
            return Some(Err(self.skip(SkipReason::Overflow, bytes)));
        }
        if len == 0 {
            return None;
        }
        // `push` keeps `len` within `buf`: the fallback is never taken.
        let body = self.buf.get_mut(..len).unwrap_or_default();
        let decoded = match cobs::decode_in_place(body) {
            Ok(decoded) => decoded,
            Err(_) => return Some(Err(self.skip(SkipReason::Cobs, len))),
        };
        let Some(payload_len) = decoded.checked_sub(CRC_LEN) else {
            return Some(Err(self.skip(SkipReason::TooShort, len)));
        };
        let (payload, crc) = self.buf.split_at(payload_len);
        let expected = crc
            .get(..CRC_LEN)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes);
        if expected != Some(CRC.checksum(payload)) {
            return Some(Err(self.skip(SkipReason::Checksum, len)));
        }
        self.stats.frames = self.stats.frames.saturating_add(1);
        Some(Ok(payload_len))
    }

    fn skip(&mut self, reason: SkipReason, bytes: usize) -> Skip {
        let skip = Skip { reason, bytes };
        self.stats.count(skip);
        skip
    }
}
