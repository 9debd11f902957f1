//! One client connection: read the message to end of input within the limits, take the
//! exchange's turn, process it, record it, answer, close.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::config::Limits;
use super::exchange::{self, Shared};
use super::protocol::error_reply;
use super::recorder::Recorder;
use super::sequencer::{ExchangeNo, Sequencer, TurnOrder};

/// Why a message (or a forwarded reply) could not be read.
#[derive(Debug, thiserror::Error)]
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

/// Reads to end of input, failing after `read_timeout` of silence or beyond
/// `max_message_size` bytes.
pub async fn read_to_end_limited<R: AsyncRead + Unpin>(
    reader: &mut R,
    limits: &Limits,
) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    loop {
        if buf.len() == buf.capacity() {
            // Read straight into the message: no zeroed chunk to copy from.
            buf.reserve(READ_CHUNK);
        }
        // One byte past the limit is enough to know the message is too large.
        let allowance = limits
            .max_message_size
            .saturating_sub(buf.len())
            .saturating_add(1);
        let mut limited = (&mut *reader).take(u64::try_from(allowance).unwrap_or(u64::MAX));
        let read = tokio::time::timeout(limits.read_timeout, limited.read_buf(&mut buf))
            .await
            .map_err(|_| ReadError::Timeout(limits.read_timeout))??;
        if read == 0 {
            return Ok(buf);
        }
        if buf.len() > limits.max_message_size {
            return Err(ReadError::TooLarge(limits.max_message_size));
        }
    }
}

/// Room made for the next read when the message buffer is full.
const READ_CHUNK: usize = 16 * 1024;

/// What the server loop shares with every connection.
#[derive(Debug)]
pub struct Context {
    /// Traffic state.
    pub shared: Arc<Shared>,
    /// Accept-order turns.
    pub sequencer: Arc<Sequencer>,
    /// The record file.
    pub recorder: Mutex<Recorder>,
}

impl Context {
    fn recorder(&self) -> std::sync::MutexGuard<'_, Recorder> {
        // Recorder updates keep it consistent even if a writer panicked.
        self.recorder.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Serves exchange `n` on `stream`. Returns whether the client asked the server to stop.
pub async fn serve(context: &Context, mut stream: TcpStream, n: ExchangeNo) -> bool {
    let limits = context.shared.config.limits;
    let text = match read_to_end_limited(&mut stream, &limits).await {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(e) => Err(format!(
                "request is not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            )),
        },
        Err(e) => Err(crate::ErrorChain(&e).to_string()),
    };
    let text = match text {
        Ok(text) => text,
        Err(reason) => {
            tracing::error!(exchange = n, "refused: {reason}");
            context.sequencer.skip(n);
            context.recorder().complete(n, Vec::new());
            answer(&mut stream, &error_reply(&reason)).await;
            linger(&mut stream, &limits).await;
            return false;
        }
    };
    tracing::debug!(exchange = n, "received {text:?}");
    let (turn, order) = context.sequencer.turn(n).await;
    match order {
        TurnOrder::InOrder { gave_up_on } if !gave_up_on.is_empty() => {
            tracing::warn!(
                exchange = n,
                "exchanges {gave_up_on:?} had not sent their messages after {:?}; later exchanges no longer wait for them",
                limits.order_wait
            );
            context.recorder().give_up_on(&gave_up_on);
        }
        TurnOrder::InOrder { .. } => {}
        TurnOrder::Late => tracing::warn!(
            exchange = n,
            "exchange #{n} arrived after later exchanges stopped waiting for it: served out of order"
        ),
    }
    let outcome = exchange::handle(&context.shared, n, &text, turn).await;
    context.recorder().complete(n, outcome.entries);
    answer(&mut stream, &outcome.reply).await;
    outcome.terminate
}

/// Writes the reply and closes the write side. The client may be gone already; that only
/// matters to it.
pub async fn answer(stream: &mut TcpStream, reply: &str) {
    let result = async {
        if !reply.is_empty() {
            stream.write_all(reply.as_bytes()).await?;
        }
        stream.shutdown().await
    }
    .await;
    if let Err(e) = result {
        tracing::debug!("could not answer client: {e}");
    }
}

/// Refuses a connection without serving it: over the connection limit, or while the server
/// shuts down. The client may be sending already, so the reply is followed by a lingering
/// close ([`linger`]).
pub async fn refuse(mut stream: TcpStream, reason: &str, limits: Limits) {
    answer(&mut stream, &error_reply(reason)).await;
    linger(&mut stream, &limits).await;
}

/// Reads and discards the client's input until it shuts down its write side, or
/// [`Limits::drain_limit`] bytes or [`Limits::drain_timeout`] are reached.
///
/// Why: after a refusal the server has not read the whole message. Closing a socket with
/// unread input makes the kernel answer with a reset, which can destroy the reply before the
/// client reads it. Draining first turns the close into an orderly one. The bounds keep a
/// client that never stops sending from holding the connection forever.
pub async fn linger<R: AsyncRead + Unpin>(reader: &mut R, limits: &Limits) {
    let mut scratch = vec![0u8; DRAIN_CHUNK];
    let mut left = limits.drain_limit;
    let drained = tokio::time::timeout(limits.drain_timeout, async {
        while left > 0 {
            let room = usize::try_from(left).map_or(DRAIN_CHUNK, |left| left.min(DRAIN_CHUNK));
            match reader.read(&mut scratch[..room]).await {
                Ok(0) => return true,
                Ok(read) => left = left.saturating_sub(read as u64),
                // Already reset or failed: there is nothing left to protect.
                Err(_) => return true,
            }
        }
        false
    })
    .await;
    if drained != Ok(true) {
        tracing::warn!(
            "closed a refused connection before its client finished sending (drain bounds: {} bytes, {:?})",
            limits.drain_limit,
            limits.drain_timeout
        );
    }
}

/// Size of the scratch buffer a refused connection's input is read into and thrown away.
const DRAIN_CHUNK: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reading_respects_size_and_silence_limits() {
        let limits = Limits {
            max_message_size: 4,
            read_timeout: Duration::from_millis(50),
            ..Limits::default()
        };
        let mut small: &[u8] = b"abcd";
        assert_eq!(
            read_to_end_limited(&mut small, &limits).await.unwrap(),
            b"abcd"
        );
        let mut big: &[u8] = b"abcde";
        assert!(matches!(
            read_to_end_limited(&mut big, &limits).await,
            Err(ReadError::TooLarge(4))
        ));
        // Reading stops one byte past the limit, whatever the buffer's spare room.
        let mut huge: &[u8] = &[b'x'; 100];
        assert!(matches!(
            read_to_end_limited(&mut huge, &limits).await,
            Err(ReadError::TooLarge(4))
        ));
        assert_eq!(huge.len(), 95, "read 5 bytes, not the whole input");
        let (mut silent, _keep_open) = tokio::io::duplex(64);
        assert!(matches!(
            read_to_end_limited(&mut silent, &limits).await,
            Err(ReadError::Timeout(_))
        ));
    }

    #[tokio::test]
    async fn lingering_reads_to_the_end_within_its_bounds() {
        let limits = Limits {
            drain_limit: 1000,
            drain_timeout: Duration::from_millis(50),
            ..Limits::default()
        };
        // To the end of input.
        let mut short: &[u8] = &[b'x'; 300];
        linger(&mut short, &limits).await;
        assert!(short.is_empty());
        // No further than the byte bound.
        let mut long: &[u8] = &[b'x'; 100_000];
        linger(&mut long, &limits).await;
        assert_eq!(long.len(), 100_000 - 1000);
        // No longer than the time bound.
        let (mut silent, _keep_open) = tokio::io::duplex(64);
        let started = std::time::Instant::now();
        linger(&mut silent, &limits).await;
        assert!(started.elapsed() >= Duration::from_millis(50));
    }
}
