//! One client connection: read the message to end of input within the limits, take the
//! exchange's turn, hand the message to its traffic kind, answer, close. This is transport
//! only: what the message means is the kinds' business, what to answer the engine's.

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::config::Limits;
use super::protocol::is_terminate;
use crate::exchange::{Engine, Exchange, ExchangeNo, Sequencer, Turn, TurnOrder};
use crate::traffic::wire::{error_reply, read_to_end_limited};
use crate::traffic::Kinds;

/// What the server loop shares with every connection.
/// Behind one `Arc`, so that a connection's task costs one reference count.
#[derive(Debug)]
pub struct Context {
    /// The engine that decides and records.
    pub engine: Arc<Engine>,
    /// The traffic kinds messages are served by.
    pub kinds: Kinds,
    /// Accept-order turns.
    pub sequencer: Arc<Sequencer>,
    /// Limits on reading messages and on refusals.
    pub limits: Limits,
}

/// Serves exchange `n` on `stream`. Returns whether the client asked the server to stop.
/// A message that cannot be read (too slow, too large, not UTF-8) is answered with an error
/// reply, and its number is skipped in the sequencer and completed empty in the recorder so
/// that later exchanges go on. `TERMINATE_SERVER` takes its turn like any message, so it
/// comes after every exchange accepted before it, and is answered with nothing.
pub async fn serve(context: &Context, mut stream: TcpStream, n: ExchangeNo) -> bool {
    let limits = context.limits;
    let read = read_to_end_limited(&mut stream, limits.max_message_size, limits.read_timeout);
    let text = match read.await {
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
            context.engine.complete(n, Vec::new());
            answer(&mut stream, error_reply(&reason).as_bytes()).await;
            linger(&mut stream, &limits).await;
            return false;
        }
    };
    tracing::debug!(exchange = n, "received {text:?}");
    let turn = take_turn(context, n).await;
    let mut exchange = Exchange::new(&context.engine, n, Some(turn));
    let terminate = is_terminate(&text);
    if !terminate {
        context.kinds.serve(&text, &mut exchange).await;
    }
    let reply = exchange.finish();
    answer(&mut stream, &reply).await;
    terminate
}

/// Waits for exchange `n`'s turn in accept (or arrival) order, and says so in the log when
/// earlier exchanges were given up on or this one came too late to keep its place.
pub async fn take_turn(context: &Context, n: ExchangeNo) -> Turn {
    let (turn, order) = context.sequencer.turn(n).await;
    match order {
        TurnOrder::InOrder { gave_up_on } if !gave_up_on.is_empty() => {
            tracing::warn!(
                exchange = n,
                "exchanges {gave_up_on:?} had not sent their messages after {:?}; later exchanges no longer wait for them",
                context.limits.order_wait
            );
            context.engine.give_up_on(&gave_up_on);
        }
        TurnOrder::InOrder { .. } => {}
        TurnOrder::Late => tracing::warn!(
            exchange = n,
            "exchange #{n} arrived after later exchanges stopped waiting for it: served out of order"
        ),
    }
    turn
}

/// Writes the reply and closes the write side. The client may be gone already; that only
/// matters to it.
pub async fn answer(stream: &mut TcpStream, reply: &[u8]) {
    let result = async {
        if !reply.is_empty() {
            stream.write_all(reply).await?;
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
    answer(&mut stream, error_reply(reason).as_bytes()).await;
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
    use std::time::Duration;

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
