//! The serial link's frame layer: a stream of arbitrary bytes, with well-formed frames of
//! arbitrary payloads and link messages mixed in, fed to `FrameDecoder`s in arbitrary
//! pieces.
//!
//! Checks: no panic; every outcome (frame or skip, with its reason and byte count) is the one
//! an independent model of the framing (split at `0x00`, COBS-decode, CRC-32C) predicts, at
//! the same place in the stream, so every byte is accounted for (frame, skip, delimiter or
//! still pending); the decoder's stats add up; every well-formed frame that fits comes back
//! with its payload; every payload that reads as a device or host message encodes back to
//! a frame that decodes to the same message; and a `HostSession` fed the frames answers with
//! frames that decode.
//!
//! `cargo +nightly fuzz run link_frames` (run from `fuzz/`).

#![no_main]

use arbitrary::Arbitrary;
use capturemock_core::link::{
    self, checksum, DeviceMessage, Feed, FrameDecoder, Hello, HostAnswer, HostError, HostMessage,
    HostSession, HostStep, Skip, SkipReason, Welcome, CRC_LEN, DELIMITER,
};
use capturemock_core::replay::Mode;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Piece {
    /// Any bytes: noise, cut frames, hand-made bodies.
    Raw(Vec<u8>),
    /// A frame of raw payload bytes.
    Payload(Vec<u8>),
    /// A frame holding a device message.
    Device(DeviceSpec),
    /// A frame holding a host message.
    Host(HostSpec),
}

#[derive(Arbitrary, Debug)]
enum DeviceSpec {
    Hello(u8, u32, u16),
    Record(u16, String, String),
    Replay(u16, String),
}

#[derive(Arbitrary, Debug)]
enum HostSpec {
    Welcome(u8, u32, u8, u16),
    Recorded(u16),
    Response(u16, String),
    NoMatch(u16),
    Failed(u16, u8, u32),
    Nak,
    Restart,
}

#[derive(Arbitrary, Debug)]
struct Input {
    pieces: Vec<Piece>,
    /// Sizes of the pieces the stream is fed in, used in turn (0: an empty feed).
    cuts: Vec<u8>,
    /// The mode of the host session.
    mode: u8,
}

fn mode(n: u8) -> Mode {
    match n % 3 {
        0 => Mode::Replay,
        1 => Mode::Record,
        _ => Mode::ReplayOldRecordNew,
    }
}

fn device(spec: &DeviceSpec) -> DeviceMessage<'_> {
    match spec {
        DeviceSpec::Hello(version, session, max_frame) => DeviceMessage::Hello(Hello {
            version: *version % 3,
            session: *session,
            max_frame: *max_frame,
        }),
        DeviceSpec::Record(seq, request, response) => DeviceMessage::Record {
            seq: *seq,
            request,
            response,
        },
        DeviceSpec::Replay(seq, request) => DeviceMessage::Replay { seq: *seq, request },
    }
}

fn host(spec: &HostSpec) -> HostMessage<'_> {
    match spec {
        HostSpec::Welcome(version, session, m, max_frame) => HostMessage::Welcome(Welcome {
            version: *version,
            session: *session,
            mode: mode(*m),
            max_frame: *max_frame,
        }),
        HostSpec::Recorded(seq) => HostMessage::Recorded { seq: *seq },
        HostSpec::Response(seq, text) => HostMessage::Response { seq: *seq, text },
        HostSpec::NoMatch(seq) => HostMessage::NoMatch { seq: *seq },
        HostSpec::Failed(seq, kind, needed) => HostMessage::Failed {
            seq: *seq,
            error: match kind % 3 {
                0 => HostError::TooLarge { needed: *needed },
                1 => HostError::Unavailable,
                _ => HostError::Refused,
            },
        },
        HostSpec::Nak => HostMessage::Nak,
        HostSpec::Restart => HostMessage::Restart,
    }
}

/// What a decoder with room for `n`-byte frames must report for the body ending at a
/// delimiter.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Frame(Vec<u8>),
    Skip(Skip),
}

/// COBS decoding as the textbook defines it: a code byte `c` is followed by `c - 1` data
/// bytes, then an implied zero unless `c` is 0xFF or the body ends there.
fn cobs_decode(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let code = usize::from(body[i]);
        if code == 0 || i + code > body.len() {
            return None;
        }
        out.extend_from_slice(&body[i + 1..i + code]);
        i += code;
        if code != 0xFF && i < body.len() {
            out.push(0);
        }
    }
    Some(out)
}

fn model(body: &[u8], frame_room: usize) -> Option<Outcome> {
    let skip = |reason| {
        Some(Outcome::Skip(Skip {
            reason,
            bytes: body.len(),
        }))
    };
    if body.is_empty() {
        return None;
    }
    if body.len() > frame_room.saturating_sub(2) {
        return skip(SkipReason::Overflow);
    }
    let Some(decoded) = cobs_decode(body) else {
        return skip(SkipReason::Cobs);
    };
    let Some(split) = decoded.len().checked_sub(CRC_LEN) else {
        return skip(SkipReason::TooShort);
    };
    let (payload, crc) = decoded.split_at(split);
    if u32::from_le_bytes(crc.try_into().unwrap()) != checksum(payload) {
        return skip(SkipReason::Checksum);
    }
    Some(Outcome::Frame(payload.to_vec()))
}

/// Outcomes expected from the stream, with the offset just after the delimiter that ends
/// each, and the bytes left pending at the end.
fn expected(stream: &[u8], frame_room: usize) -> (Vec<(usize, Outcome)>, usize) {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in stream.iter().enumerate() {
        if b == DELIMITER {
            if let Some(outcome) = model(&stream[start..i], frame_room) {
                out.push((i + 1, outcome));
            }
            start = i + 1;
        }
    }
    (out, stream.len() - start)
}

fuzz_target!(|input: Input| {
    // The stream, and the payloads of the well-formed frames in it (with where they end).
    let mut stream = Vec::new();
    let mut frames: Vec<(usize, usize, Vec<u8>)> = Vec::new(); // (end, wire length, payload)
    for piece in &input.pieces {
        let mut buf = vec![0u8; 4096];
        let encoded = match piece {
            Piece::Raw(bytes) => {
                stream.extend_from_slice(bytes);
                continue;
            }
            Piece::Payload(payload) => {
                let need = link::wire_len(payload.len());
                assert!(link::encode_bytes(payload, &mut vec![0u8; need]).is_ok());
                link::encode_bytes(payload, &mut buf).map(|n| (n, payload.clone()))
            }
            Piece::Device(spec) => {
                let n = link::encode(&device(spec), &mut buf);
                n.map(|n| (n, payload_of(&buf[..n])))
            }
            Piece::Host(spec) => {
                let n = link::encode(&host(spec), &mut buf);
                n.map(|n| (n, payload_of(&buf[..n])))
            }
        };
        let Ok((n, payload)) = encoded else { continue };
        assert!(n <= buf.len());
        stream.extend_from_slice(&buf[..n]);
        frames.push((stream.len(), n, payload));
    }

    let small = run::<64>(&stream, &input.cuts);
    let large = run::<600>(&stream, &input.cuts);
    for (end, wire, payload) in &frames {
        for (room, got) in [(64, &small), (600, &large)] {
            if *wire <= room {
                assert!(
                    got.contains(&(*end, Outcome::Frame(payload.clone()))),
                    "frame ending at {end} lost by the {room}-byte decoder"
                );
            }
        }
    }

    // Messages read from any frame encode back to themselves.
    for (_, outcome) in &large {
        if let Outcome::Frame(payload) = outcome {
            if let Ok(message) = DeviceMessage::decode(payload) {
                let frame = frame_of(&message);
                assert_eq!(DeviceMessage::decode(&payload_of(&frame)), Ok(message));
            }
            if let Ok(message) = HostMessage::decode(payload) {
                let frame = frame_of(&message);
                assert_eq!(HostMessage::decode(&payload_of(&frame)), Ok(message));
            }
        }
    }
    host_session(&large, mode(input.mode));
});

/// Feeds `stream` to a fresh decoder in the given pieces and checks every outcome against
/// the model; returns the outcomes.
fn run<const N: usize>(stream: &[u8], cuts: &[u8]) -> Vec<(usize, Outcome)> {
    let (want, pending) = expected(stream, N);
    let mut decoder = FrameDecoder::<N>::new();
    assert_eq!(decoder.feed(&[]), Feed::Consumed);
    let sizes: Vec<usize> = if cuts.iter().any(|&c| c > 0) {
        cuts.iter().map(|&c| usize::from(c)).collect()
    } else {
        vec![stream.len().max(1)]
    };
    let mut got = Vec::new();
    let mut offset = 0;
    let mut turn = 0;
    while offset < stream.len() {
        let size = sizes[turn % sizes.len()];
        turn += 1;
        let mut chunk = &stream[offset..(offset + size).min(stream.len())];
        loop {
            let before = chunk.len();
            match decoder.feed(chunk) {
                Feed::Consumed => {
                    assert!(decoder.frame().is_none());
                    offset += before;
                    break;
                }
                Feed::Frame { payload, remaining } => {
                    let payload = payload.to_vec();
                    assert_eq!(decoder.frame(), Some(&payload[..]));
                    assert!(remaining.len() < before);
                    offset += before - remaining.len();
                    got.push((offset, Outcome::Frame(payload)));
                    chunk = remaining;
                }
                Feed::Skipped { skip, remaining } => {
                    assert!(decoder.frame().is_none());
                    assert!(remaining.len() < before);
                    offset += before - remaining.len();
                    got.push((offset, Outcome::Skip(skip)));
                    chunk = remaining;
                }
            }
        }
    }
    assert_eq!(got, want, "decoder and model disagree");
    assert_eq!(decoder.pending(), pending);

    let stats = decoder.stats();
    let count = |reason| {
        got.iter()
            .filter(|(_, o)| matches!(o, Outcome::Skip(s) if s.reason == reason))
            .count() as u32
    };
    let frames = got
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Frame(_)))
        .count() as u32;
    let skipped: usize = got
        .iter()
        .map(|(_, o)| match o {
            Outcome::Skip(s) => s.bytes,
            Outcome::Frame(_) => 0,
        })
        .sum();
    assert_eq!(stats.frames, frames);
    assert_eq!(stats.checksum, count(SkipReason::Checksum));
    assert_eq!(stats.cobs, count(SkipReason::Cobs));
    assert_eq!(stats.too_short, count(SkipReason::TooShort));
    assert_eq!(stats.overflow, count(SkipReason::Overflow));
    assert_eq!(stats.skipped_bytes as usize, skipped);
    assert_eq!(stats.skips(), got.len() as u32 - frames);
    assert_eq!(decoder.reset(), pending);
    assert_eq!(decoder.pending(), 0);
    got
}

/// A whole frame holding `message`.
fn frame_of<T: FrameOf>(message: &T) -> Vec<u8> {
    let mut buf = vec![0u8; 8192];
    let n = message.encode_into(&mut buf);
    buf.truncate(n);
    buf
}

/// The link messages (`serde` is not a direct dependency here).
trait FrameOf {
    fn encode_into(&self, buf: &mut [u8]) -> usize;
}

impl FrameOf for DeviceMessage<'_> {
    fn encode_into(&self, buf: &mut [u8]) -> usize {
        link::encode(self, buf).expect("fits")
    }
}

impl FrameOf for HostMessage<'_> {
    fn encode_into(&self, buf: &mut [u8]) -> usize {
        link::encode(self, buf).expect("fits")
    }
}

/// The payload of one whole frame (delimiters included).
fn payload_of(frame: &[u8]) -> Vec<u8> {
    let mut decoder = FrameDecoder::<8192>::new();
    match decoder.feed(frame) {
        Feed::Frame { payload, remaining } => {
            assert!(remaining.is_empty(), "one frame, nothing after");
            payload.to_vec()
        }
        other => panic!("our own frame does not decode: {other:?}"),
    }
}

/// Feeds the outcomes to a host session the way a bridge does, answering each request;
/// every frame the host writes must decode as a host message.
fn host_session(outcomes: &[(usize, Outcome)], mode: Mode) {
    let mut session = HostSession::<256>::new(mode);
    let host_message = |frame: &[u8]| {
        assert!(!frame.is_empty(), "the host always has a frame to write");
        let payload = payload_of(frame);
        let message = HostMessage::decode(&payload).expect("the host writes host messages");
        assert!(frame.len() <= 256);
        format!("{message:?}")
    };
    for (i, (_, outcome)) in outcomes.iter().enumerate() {
        match outcome {
            Outcome::Skip(skip) => {
                let frame = session.on_skip(*skip).to_vec();
                assert!(host_message(&frame).contains("Nak"));
            }
            Outcome::Frame(payload) => match session.on_frame(payload) {
                HostStep::Reply(_) => {
                    host_message(session.outgoing());
                }
                HostStep::Serve(exchange) => {
                    let seq = exchange.seq();
                    let request = exchange.request().to_string();
                    assert!(session
                        .answer(seq.wrapping_add(1), HostAnswer::NoMatch)
                        .is_err());
                    let answer = match i % 4 {
                        0 => HostAnswer::Response(&request),
                        1 => HostAnswer::NoMatch,
                        2 => HostAnswer::Recorded,
                        _ => HostAnswer::Failed(HostError::Unavailable),
                    };
                    // Even to a device whose max_frame (its Hello) is below the smallest
                    // answer frame, the host sends a Failed frame rather than nothing.
                    let frame = session.answer(seq, answer).expect("serving").to_vec();
                    let payload = payload_of(&frame);
                    let message = HostMessage::decode(&payload).expect("host message");
                    assert_eq!(message.seq(), Some(seq));
                    assert!(session.answer(seq, HostAnswer::NoMatch).is_err());
                }
            },
        }
    }
}
