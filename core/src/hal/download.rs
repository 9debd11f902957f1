//! The replay table over the UART link: a device without the recording in flash fetches the
//! `.mock` text from its host at start-up (`capturemock bridge --hal -p FILE`) into a RAM
//! buffer, then replays from it with [`HalReplay::from_mock`](super::HalReplay::from_mock), on
//! its own, as from flash.
//!
//! On the link it is a series of ordinary replay requests, `table OFFSET MAX`, each answered
//! with the file's text from byte `OFFSET`, at most `MAX` bytes and never cut inside a
//! character; an empty answer ends it, `NoMatch` says the host has no table (it records).

use core::fmt::{self, Write};

use super::text::{write_number, SliceWriter};
use crate::link::{max_payload, LinkClient};

/// The request that asks for the table: `table OFFSET MAX`.
pub const TABLE_REQUEST: &str = "table";

/// Bytes of a `Response` frame's payload besides its text: variant, `seq` and the text's
/// length (varints of up to 3 bytes each).
const RESPONSE_OVERHEAD: usize = 1 + 3 + 3;

/// Why the table could not be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadError {
    /// The link failed (no host, too many repeats, the host could not serve).
    Link,
    /// The host has no table (it records, or has no replay file).
    NoTable,
    /// The table does not fit in the buffer.
    TooLarge {
        /// Bytes received so far, more to come.
        received: usize,
    },
    /// The frames are too small to carry any of the table.
    FrameTooSmall,
}

impl fmt::Display for DownloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownloadError::Link => f.write_str("the link to the host failed"),
            DownloadError::NoTable => f.write_str("the host has no replay table"),
            DownloadError::TooLarge { received } => write!(
                f,
                "the replay table does not fit in the buffer ({received} bytes and more)"
            ),
            DownloadError::FrameTooSmall => f.write_str("the link's frames are too small"),
        }
    }
}

impl core::error::Error for DownloadError {}

/// Fetches the host's replay table into `buf` and returns it as text, ready for
/// [`HalReplay::from_mock`](super::HalReplay::from_mock). Each piece is as large as the
/// client's frames (`N`) carry.
pub fn download_table<'t, T, const N: usize>(
    client: &mut LinkClient<T, N>,
    buf: &'t mut [u8],
) -> Result<&'t str, DownloadError>
where
    T: embedded_io::Read + embedded_io::Write,
{
    let piece = max_payload(N).saturating_sub(RESPONSE_OVERHEAD);
    let piece = u32::try_from(piece).unwrap_or(u32::MAX);
    if piece == 0 {
        return Err(DownloadError::FrameTooSmall);
    }
    let mut received = 0usize;
    loop {
        let mut request = [0u8; 32];
        let mut w = SliceWriter::new(&mut request);
        // "table 4294967295 4294967295" fits in 32 bytes.
        let _ = w.write_str(TABLE_REQUEST);
        let _ = w.write_char(' ');
        let _ = write_number(&mut w, u32::try_from(received).unwrap_or(u32::MAX));
        let _ = w.write_char(' ');
        let _ = write_number(&mut w, piece);
        let request = w.text().unwrap_or_default();
        let text = match client.replay(request) {
            Ok(Some(text)) => text,
            Ok(None) => return Err(DownloadError::NoTable),
            Err(_) => return Err(DownloadError::Link),
        };
        if text.is_empty() {
            break;
        }
        let end = received + text.len();
        let Some(slot) = buf.get_mut(received..end) else {
            return Err(DownloadError::TooLarge { received });
        };
        slot.copy_from_slice(text.as_bytes());
        received = end;
    }
    // Pieces are whole characters, so the whole is text.
    core::str::from_utf8(buf.get(..received).unwrap_or_default()).map_err(|_| DownloadError::Link)
}
