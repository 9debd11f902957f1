//! The classic TCP protocol's framing, shared by the server's side of a connection and the
//! classic kind's forwarding to a real server: one message per connection, written whole and
//! ended by shutting down the write side; the answer read to the end of input.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Why a message (or a forwarded reply) could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Nothing arrived for the read timeout.
    #[error("nothing received for {0:?} (a client must send its message and then shut down its write side or close)")]
    Timeout(Duration),
    /// The message is larger than the limit.
    #[error("message larger than the limit of {0} bytes")]
    TooLarge(usize),
    /// The connection failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Reads to end of input, failing after `silence` without input or beyond `max_size` bytes.
/// `silence` bounds each read, not the whole message: a client that sends slowly is not cut
/// off, one that stops sending is. The buffer grows as bytes arrive rather than being made
/// `max_size` long at once, so a large limit costs no memory until it is used.
pub async fn read_to_end_limited<R: AsyncRead + Unpin>(
    reader: &mut R,
    max_size: usize,
    silence: Duration,
) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    loop {
        if buf.len() == buf.capacity() {
            // Read straight into the message: no zeroed chunk to copy from.
            buf.reserve(READ_CHUNK);
        }
        // One byte past the limit is enough to know the message is too large.
        let allowance = max_size.saturating_sub(buf.len()).saturating_add(1);
        let mut limited = (&mut *reader).take(u64::try_from(allowance).unwrap_or(u64::MAX));
        let read = tokio::time::timeout(silence, limited.read_buf(&mut buf))
            .await
            .map_err(|_| ReadError::Timeout(silence))??;
        if read == 0 {
            return Ok(buf);
        }
        if buf.len() > max_size {
            return Err(ReadError::TooLarge(max_size));
        }
    }
}

/// Room made for the next read when the message buffer is full.
const READ_CHUNK: usize = 16 * 1024;

/// The reply to a request with no exact match under `use_exact_matching`, word for word the
/// reference's. Clients recognise a mismatch by this text (ours do, in `client` and the
/// bridge), so it is kept exactly as the reference writes it.
pub fn mismatch_reply(description: &str) -> String {
    format!("CAPTUREMOCK MISMATCH: Could not find any replay request matching '{description}'")
}

/// The reply to a message the server refused (too large, too slow, not UTF-8, ...). The
/// reference has no such replies (it drops the connection); the text starts like the
/// mismatch reply so that clients checking for `CAPTUREMOCK ` see both.
pub fn error_reply(reason: &str) -> String {
    format!("CAPTUREMOCK ERROR: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reading_respects_size_and_silence_limits() {
        let limits = (4, Duration::from_millis(50));
        let mut small: &[u8] = b"abcd";
        assert_eq!(
            read_to_end_limited(&mut small, limits.0, limits.1)
                .await
                .unwrap(),
            b"abcd"
        );
        let mut big: &[u8] = b"abcde";
        assert!(matches!(
            read_to_end_limited(&mut big, limits.0, limits.1).await,
            Err(ReadError::TooLarge(4))
        ));
        // Reading stops one byte past the limit, whatever the buffer's spare room.
        let mut huge: &[u8] = &[b'x'; 100];
        assert!(matches!(
            read_to_end_limited(&mut huge, limits.0, limits.1).await,
            Err(ReadError::TooLarge(4))
        ));
        assert_eq!(huge.len(), 95, "read 5 bytes, not the whole input");
        let (mut silent, _keep_open) = tokio::io::duplex(64);
        assert!(matches!(
            read_to_end_limited(&mut silent, limits.0, limits.1).await,
            Err(ReadError::Timeout(_))
        ));
    }

    #[test]
    fn mismatch_reply_matches_the_reference_text() {
        assert_eq!(
            mismatch_reply("<-CAL:foo(2)"),
            "CAPTUREMOCK MISMATCH: Could not find any replay request matching '<-CAL:foo(2)'"
        );
    }
}
