//! What a bridge run did, for its summary: exchanges served, and what the line cost.

use std::fmt;

use capturemock_core::link::{DecoderStats, HostStats};

/// Running totals of a [`Bridge`](super::Bridge).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BridgeReport {
    /// Connections served (a serial device counts one).
    pub connections: u32,
    /// Exchanges recorded by the server.
    pub recorded: u32,
    /// Replay requests answered with a recorded response.
    pub replayed: u32,
    /// Replay requests that nothing recorded answers.
    pub no_match: u32,
    /// Requests that could not be served (server unreachable, refused texts).
    pub failed: u32,
    /// The host session's totals: requests served, repeats answered from the kept answer,
    /// sessions, device restarts, requests outside a session, Naks sent.
    pub host: HostStats,
    /// The frame decoder's totals: frames accepted, damaged chunks dropped and why.
    pub decoder: DecoderStats,
    /// Bytes of unfinished frames dropped when a connection ended.
    pub unfinished_bytes: u64,
    /// Hellos of another protocol version.
    pub version_mismatches: u32,
    /// Frames with a good CRC that were not device messages.
    pub malformed: u32,
}

impl BridgeReport {
    /// Whether the line damaged anything (which the protocol repaired).
    pub fn saw_damage(&self) -> bool {
        self.decoder.skips() > 0
            || self.unfinished_bytes > 0
            || self.malformed > 0
            || self.host.repeats > 0
    }

    /// Logs the summary: at `info`, or at `warn` when a request failed (damage the protocol
    /// repaired was reported as it happened).
    pub fn log(&self) {
        if self.failed > 0 || self.version_mismatches > 0 {
            tracing::warn!("{self}");
        } else {
            tracing::info!("{self}");
        }
    }
}

/// One line with every count, zeros included: a bridge run is judged by what the line cost
/// as much as by what was served, and a zero says the line was clean there.
impl fmt::Display for BridgeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.decoder;
        let h = &self.host;
        write!(
            f,
            "bridge: {} exchange(s) served ({} recorded, {} replayed, {} no match, {} failed) \
             over {} connection(s), {} device session(s), {} device restart(s); link: {} frame(s) \
             in, {} damaged chunk(s) dropped ({} bytes: {} CRC, {} COBS, {} too short, {} too \
             long), {} byte(s) of unfinished frames dropped at disconnects, {} Nak(s) sent, {} \
             repeat(s) answered from the kept answer, {} request(s) outside a session, {} \
             malformed",
            h.served,
            self.recorded,
            self.replayed,
            self.no_match,
            self.failed,
            self.connections,
            h.sessions,
            h.device_restarts,
            d.frames,
            d.skips(),
            d.skipped_bytes,
            d.checksum,
            d.cobs,
            d.too_short,
            d.overflow,
            self.unfinished_bytes,
            h.naks,
            h.repeats,
            h.no_session,
            self.malformed,
        )?;
        if self.version_mismatches > 0 {
            write!(
                f,
                ", {} hello(s) of another protocol version",
                self.version_mismatches
            )?;
        }
        Ok(())
    }
}
