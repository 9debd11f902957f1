//! Property tests: whatever the line does, the decoder never accepts a frame that was not
//! sent, always resynchronises at the next delimiter, and never panics.

use std::vec::Vec;

use proptest::prelude::*;

use super::super::*;
use super::{frame_of, outcomes};

const BIG: usize = 1200;

/// Frames found in `input` fed in pieces cut at `cuts`.
fn frames_in_pieces(input: &[u8], cuts: &[usize]) -> (Vec<Vec<u8>>, usize) {
    let mut decoder = FrameDecoder::<BIG>::new();
    let mut frames = Vec::new();
    let mut skipped = 0;
    let mut start = 0;
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    bounds.sort_unstable();
    bounds.push(input.len());
    for end in bounds {
        let mut piece = &input[start..end.max(start)];
        start = end.max(start);
        loop {
            match decoder.feed(piece) {
                Feed::Consumed => break,
                Feed::Frame { payload, remaining } => {
                    frames.push(payload.to_vec());
                    piece = remaining;
                }
                Feed::Skipped { skip, remaining } => {
                    skipped += skip.bytes;
                    piece = remaining;
                }
            }
        }
    }
    (frames, skipped)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn frames_round_trip_in_any_pieces(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..600), 1..5),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut stream = Vec::new();
        for p in &payloads {
            let frame = frame_of(p);
            prop_assert!(frame.len() <= wire_len(p.len()));
            stream.extend(frame);
        }
        let (frames, skipped) = frames_in_pieces(&stream, &cuts);
        prop_assert_eq!(frames, payloads);
        prop_assert_eq!(skipped, 0);
    }

    #[test]
    fn garbage_between_frames_costs_nothing_but_itself(
        parts in prop::collection::vec(
            (prop::collection::vec(any::<u8>(), 0..40), prop::collection::vec(any::<u8>(), 0..80)),
            1..6,
        ),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut stream = Vec::new();
        let mut sent = Vec::new();
        for (garbage, payload) in &parts {
            stream.extend(garbage);
            stream.extend(frame_of(payload));
            sent.push(payload.clone());
        }
        let (frames, skipped) = frames_in_pieces(&stream, &cuts);
        // Garbage chunks fail their CRC (a 2^-32 chance otherwise), so exactly the frames
        // sent come out, and at most all garbage bytes are reported.
        prop_assert_eq!(frames, sent);
        let garbage: usize = parts.iter().map(|(g, _)| g.len()).sum();
        prop_assert!(skipped <= garbage);
    }

    #[test]
    fn a_damaged_frame_is_never_mistaken_and_the_next_one_always_comes_through(
        payload in prop::collection::vec(any::<u8>(), 0..300),
        next in prop::collection::vec(any::<u8>(), 0..50),
        damage in prop::collection::vec((any::<usize>(), 0u8..11), 1..5),
    ) {
        // Damage: drop a byte (kind 0), insert a byte (1), flip a bit (2..10), or cut the
        // frame short (10).
        let mut frame = frame_of(&payload);
        for (at, kind) in damage {
            let at = at % frame.len().max(1);
            match kind {
                0 if !frame.is_empty() => { frame.remove(at); }
                1 => frame.insert(at, (at as u8).wrapping_mul(31)),
                10 => frame.truncate(at),
                k if !frame.is_empty() => frame[at] ^= 1 << (k - 2),
                _ => {}
            }
        }
        frame.extend(frame_of(&next));
        let mut decoder = FrameDecoder::<BIG>::new();
        let found = outcomes(&mut decoder, &frame);
        let accepted: Vec<_> = found.iter().filter_map(|o| o.as_ref().ok()).collect();
        // Only what was sent is accepted: the original (when the damage hit only a
        // delimiter or cancelled out) and the next frame, which always arrives, last.
        prop_assert!(accepted.iter().all(|f| **f == payload || **f == next));
        prop_assert_eq!(accepted.last().map(|f| (*f).clone()), Some(next.clone()));
    }

    #[test]
    fn random_bytes_never_panic_and_every_byte_is_accounted_for(
        bytes in prop::collection::vec(any::<u8>(), 0..2000),
    ) {
        let mut decoder = FrameDecoder::<64>::new();
        let found = outcomes(&mut decoder, &bytes);
        let zeros = bytes.iter().filter(|b| **b == 0).count();
        let skipped: usize = found.iter().filter_map(|o| o.as_ref().err()).map(|s| s.bytes).sum();
        let framed: usize = found.iter().filter(|o| o.is_ok()).count();
        let stats = decoder.stats();
        prop_assert_eq!(stats.skipped_bytes as usize, skipped);
        prop_assert_eq!(stats.frames as usize, framed);
        // Every byte is a delimiter, dropped and reported, or pending (random bytes make a
        // frame with a 2^-32 chance; then its bytes are the ones missing).
        if framed == 0 {
            prop_assert_eq!(skipped + decoder.pending() + zeros, bytes.len());
        }
    }

    #[test]
    fn typed_messages_survive_noise(
        seq in any::<u16>(),
        request in ".{0,60}",
        noise in prop::collection::vec(any::<u8>(), 0..30),
    ) {
        let message = DeviceMessage::Replay { seq, request: &request };
        let mut out = [0u8; 512];
        let n = encode(&message, &mut out).unwrap();
        let mut stream = noise.clone();
        stream.extend_from_slice(&out[..n]);
        let mut decoder = FrameDecoder::<512>::new();
        let mut input = &stream[..];
        let mut got = None;
        loop {
            match decoder.feed(input) {
                Feed::Consumed => break,
                Feed::Skipped { remaining, .. } => input = remaining,
                Feed::Frame { payload, remaining } => {
                    if let Ok(m) = DeviceMessage::decode(payload) {
                        got = Some((m.seq(), std::string::String::from(match m {
                            DeviceMessage::Replay { request, .. } => request,
                            _ => "",
                        })));
                    }
                    input = remaining;
                }
            }
        }
        prop_assert_eq!(got, Some((Some(seq), request.clone())));
    }
}
