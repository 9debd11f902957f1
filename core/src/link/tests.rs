//! Frames, the decoder, messages and the host session.

use std::vec::Vec;

use super::*;
use crate::replay::Mode;

mod client_tests;
mod local_tests;
mod proptests;

use super::test_support;

/// Encodes raw payload bytes as a frame.
pub(crate) fn frame_of(payload: &[u8]) -> Vec<u8> {
    let mut out = std::vec![0u8; wire_len(payload.len())];
    let n = encode_bytes(payload, &mut out).unwrap();
    out.truncate(n);
    out
}

/// Everything a decoder makes of `input`, fed in one piece.
pub(crate) fn outcomes<const N: usize>(
    decoder: &mut FrameDecoder<N>,
    mut input: &[u8],
) -> Vec<Result<Vec<u8>, Skip>> {
    let mut found = Vec::new();
    loop {
        match decoder.feed(input) {
            Feed::Consumed => return found,
            Feed::Frame { payload, remaining } => {
                found.push(Ok(payload.to_vec()));
                input = remaining;
            }
            Feed::Skipped { skip, remaining } => {
                found.push(Err(skip));
                input = remaining;
            }
        }
    }
}

fn hex(bytes: &[u8]) -> std::string::String {
    bytes.iter().map(|b| std::format!("{b:02x}")).collect()
}

#[test]
fn golden_bytes_of_a_replay_request() {
    // The layout docs/link.md spells out; changing it is a protocol version change.
    let message = DeviceMessage::Replay {
        seq: 1,
        request: "ping",
    };
    let mut out = [0u8; 32];
    let n = encode(&message, &mut out).unwrap();
    let payload = [0x02, 0x01, 0x04, b'p', b'i', b'n', b'g'];
    let crc = checksum(&payload);
    assert_eq!(crc, 0x8bd0_8b76, "CRC-32C of the payload");
    // No zero byte inside, so COBS adds one code byte: 12 = 11 bytes follow.
    assert_eq!(hex(&out[..n]), "000c02010470696e67768bd08b00");
}

#[test]
fn golden_bytes_of_a_hello_and_welcome() {
    let hello = DeviceMessage::Hello(Hello {
        version: PROTOCOL_VERSION,
        session: 7,
        max_frame: 256,
    });
    let mut out = [0u8; 32];
    let n = encode(&hello, &mut out).unwrap();
    // Payload: variant 0, version 1, session 7, max_frame 256 as varint 80 02.
    let mut decoder = FrameDecoder::<64>::new();
    assert_eq!(
        outcomes(&mut decoder, &out[..n]),
        [Ok(std::vec![0x00, 0x01, 0x07, 0x80, 0x02])]
    );
    let welcome = HostMessage::Welcome(Welcome {
        version: PROTOCOL_VERSION,
        session: 7,
        mode: Mode::Replay,
        max_frame: 4096,
    });
    let n = encode(&welcome, &mut out).unwrap();
    assert_eq!(
        outcomes(&mut decoder, &out[..n]),
        [Ok(std::vec![0x00, 0x01, 0x07, 0x00, 0x80, 0x20])]
    );
}

#[test]
fn every_message_round_trips() {
    let device = [
        DeviceMessage::Hello(Hello {
            version: 1,
            session: u32::MAX,
            max_frame: u16::MAX,
        }),
        DeviceMessage::Record {
            seq: 65535,
            request: "get(42)\nsecond line",
            response: "",
        },
        DeviceMessage::Replay {
            seq: 0,
            request: "héllo\u{0}world",
        },
    ];
    let host = [
        HostMessage::Welcome(Welcome {
            version: 1,
            session: 3,
            mode: Mode::ReplayOldRecordNew,
            max_frame: 64,
        }),
        HostMessage::Recorded { seq: 9 },
        HostMessage::Response {
            seq: 10,
            text: "0\u{0}\u{0}1",
        },
        HostMessage::NoMatch { seq: 11 },
        HostMessage::Failed {
            seq: 12,
            error: HostError::TooLarge { needed: 70000 },
        },
        HostMessage::Failed {
            seq: 13,
            error: HostError::Unavailable,
        },
        HostMessage::Failed {
            seq: 13,
            error: HostError::Refused,
        },
        HostMessage::Nak,
        HostMessage::Restart,
    ];
    let mut decoder = FrameDecoder::<128>::new();
    let mut out = [0u8; 128];
    for message in device {
        let n = encode(&message, &mut out).unwrap();
        match decoder.feed(&out[..n]) {
            Feed::Frame { payload, remaining } => {
                assert!(remaining.is_empty());
                assert_eq!(DeviceMessage::decode(payload), Ok(message));
            }
            other => panic!("{message:?}: {other:?}"),
        }
    }
    for message in host {
        let n = encode(&message, &mut out).unwrap();
        match decoder.feed(&out[..n]) {
            Feed::Frame { payload, .. } => assert_eq!(HostMessage::decode(payload), Ok(message)),
            other => panic!("{message:?}: {other:?}"),
        }
    }
    assert_eq!(decoder.stats().frames, 12);
    assert_eq!(decoder.stats().skips(), 0);
}

#[test]
fn trailing_bytes_make_a_payload_malformed() {
    let mut buf = [0u8; 16];
    let used = postcard::to_slice(&HostMessage::Nak, &mut buf)
        .unwrap()
        .len();
    assert_eq!(HostMessage::decode(&buf[..used]), Ok(HostMessage::Nak));
    assert_eq!(HostMessage::decode(&buf[..used + 1]), Err(Malformed));
    assert_eq!(HostMessage::decode(&[]), Err(Malformed));
    assert_eq!(HostMessage::decode(&[200]), Err(Malformed));
}

#[test]
fn byte_by_byte_feeding_finds_the_same_frames() {
    let mut stream = frame_of(b"one");
    stream.extend(frame_of(b""));
    stream.extend(frame_of(&[0, 0, 0]));
    let mut decoder = FrameDecoder::<32>::new();
    let mut found = Vec::new();
    for byte in &stream {
        match decoder.feed(std::slice::from_ref(byte)) {
            Feed::Consumed => {}
            Feed::Frame { payload, remaining } => {
                assert!(remaining.is_empty());
                found.push(payload.to_vec());
                assert_eq!(decoder.frame(), Some(&payload_copy(&found)[..]));
            }
            Feed::Skipped { skip, .. } => panic!("{skip}"),
        }
    }
    assert_eq!(found, [b"one".to_vec(), std::vec![], std::vec![0, 0, 0]]);
}

fn payload_copy(found: &[Vec<u8>]) -> Vec<u8> {
    found.last().cloned().unwrap_or_default()
}

#[test]
fn garbage_before_a_frame_is_skipped_and_reported() {
    let mut decoder = FrameDecoder::<64>::new();
    let mut stream = std::vec![0x41, 0x42, 0x43];
    stream.extend(frame_of(b"ok"));
    let found = outcomes(&mut decoder, &stream);
    assert_eq!(found.len(), 2);
    let Err(skip) = &found[0] else {
        panic!("{found:?}")
    };
    assert_eq!(skip.bytes, 3);
    assert_eq!(found[1], Ok(b"ok".to_vec()));
    let stats = decoder.stats();
    assert_eq!(
        (stats.frames, stats.skips(), stats.skipped_bytes),
        (1, 1, 3)
    );
}

#[test]
fn each_reason_is_reported() {
    let mut decoder = FrameDecoder::<16>::new();
    // A code byte pointing past the end.
    assert_eq!(
        outcomes(&mut decoder, &[0, 9, 1, 0]),
        [Err(Skip {
            reason: SkipReason::Cobs,
            bytes: 2
        })]
    );
    // Decodes to fewer than four bytes.
    assert_eq!(
        outcomes(&mut decoder, &[0, 3, 1, 2, 0]),
        [Err(Skip {
            reason: SkipReason::TooShort,
            bytes: 3
        })]
    );
    // A valid COBS body whose CRC is wrong.
    let mut bad = frame_of(b"abc");
    bad[2] ^= 0x20;
    assert_eq!(
        outcomes(&mut decoder, &bad),
        [Err(Skip {
            reason: SkipReason::Checksum,
            bytes: bad.len() - 2
        })]
    );
    // Longer than the buffer: dropped to the next delimiter, then decoding goes on.
    let mut long = frame_of(&[7; 20]);
    long.extend(frame_of(b"x"));
    assert_eq!(
        outcomes(&mut decoder, &long),
        [
            Err(Skip {
                reason: SkipReason::Overflow,
                bytes: 25
            }),
            Ok(b"x".to_vec())
        ]
    );
    let stats = decoder.stats();
    assert_eq!(
        (stats.cobs, stats.too_short, stats.checksum, stats.overflow),
        (1, 1, 1, 1)
    );
    assert_eq!(stats.frames, 1);
}

#[test]
fn a_frame_cut_short_costs_only_itself() {
    let whole = frame_of(b"first frame");
    let mut stream = whole[..whole.len() / 2].to_vec();
    stream.extend(frame_of(b"second"));
    let mut decoder = FrameDecoder::<64>::new();
    let found = outcomes(&mut decoder, &stream);
    assert!(found[0].is_err(), "{found:?}");
    assert_eq!(found[1..], [Ok(b"second".to_vec())]);
}

#[test]
fn empty_bodies_are_not_losses_and_reset_drops_a_partial_frame() {
    let mut decoder = FrameDecoder::<16>::new();
    assert_eq!(outcomes(&mut decoder, &[0, 0, 0, 0]), []);
    assert_eq!(decoder.stats(), DecoderStats::default());
    assert_eq!(outcomes(&mut decoder, &[5, 6, 7]), []);
    assert_eq!(decoder.pending(), 3);
    assert_eq!(decoder.reset(), 3);
    assert_eq!(outcomes(&mut decoder, &frame_of(b"y")), [Ok(b"y".to_vec())]);
    assert_eq!(
        decoder.frame(),
        None,
        "outcomes fed the empty rest after the frame"
    );
}

#[test]
fn tiny_decoders_never_panic() {
    let stream = frame_of(b"hello");
    let mut d0 = FrameDecoder::<0>::new();
    let mut d1 = FrameDecoder::<1>::new();
    let mut d2 = FrameDecoder::<2>::new();
    assert!(outcomes(&mut d0, &stream).iter().all(|o| o.is_err()));
    assert!(outcomes(&mut d1, &stream).iter().all(|o| o.is_err()));
    assert!(outcomes(&mut d2, &stream).iter().all(|o| o.is_err()));
    let mut exact = FrameDecoder::<12>::new();
    assert_eq!(stream.len(), 12);
    assert_eq!(outcomes(&mut exact, &stream), [Ok(b"hello".to_vec())]);
    let mut short = FrameDecoder::<11>::new();
    assert!(matches!(
        outcomes(&mut short, &stream)[..],
        [Err(Skip {
            reason: SkipReason::Overflow,
            ..
        })]
    ));
}

fn hello(session: u32) -> Vec<u8> {
    let mut out = [0u8; 32];
    let n = encode(
        &DeviceMessage::Hello(Hello {
            version: PROTOCOL_VERSION,
            session,
            max_frame: 64,
        }),
        &mut out,
    )
    .unwrap();
    out[..n].to_vec()
}

fn payload_of(frame: &[u8]) -> Vec<u8> {
    let mut decoder = FrameDecoder::<600>::new();
    match &outcomes(&mut decoder, frame)[..] {
        [Ok(payload)] => payload.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn host_opens_sessions_and_notices_restarts() {
    let mut host = HostSession::<128>::new(Mode::Record);
    let replay = payload_of(&frame_of_message(&DeviceMessage::Replay {
        seq: 0,
        request: "x",
    }));
    // A request before any hello: say hello again.
    assert_eq!(
        host.on_frame(&replay),
        HostStep::Reply(HostEvent::NoSession)
    );
    assert_eq!(
        HostMessage::decode(&payload_of(host.outgoing())),
        Ok(HostMessage::Restart)
    );
    assert_eq!(
        host.on_frame(&payload_of(&hello(1))),
        HostStep::Reply(HostEvent::Opened {
            session: 1,
            previous: None,
            last_seq: None
        })
    );
    let welcome = payload_of(host.outgoing());
    assert_eq!(
        HostMessage::decode(&welcome),
        Ok(HostMessage::Welcome(Welcome {
            version: PROTOCOL_VERSION,
            session: 1,
            mode: Mode::Record,
            max_frame: 128
        }))
    );
    assert_eq!(
        host.on_frame(&payload_of(&hello(1))),
        HostStep::Reply(HostEvent::Rewelcomed)
    );
    // Serve one request, then the device restarts.
    let HostStep::Serve(exchange) = host.on_frame(&replay) else {
        panic!()
    };
    assert_eq!(exchange.seq(), 0);
    host.answer(0, HostAnswer::NoMatch).unwrap();
    assert_eq!(
        host.on_frame(&payload_of(&hello(2))),
        HostStep::Reply(HostEvent::Opened {
            session: 2,
            previous: Some(1),
            last_seq: Some(0)
        })
    );
    // The restarted device reuses seq 0: it is served, not answered from the old session.
    assert!(matches!(host.on_frame(&replay), HostStep::Serve(_)));
    let stats = host.stats();
    assert_eq!(
        (
            stats.sessions,
            stats.device_restarts,
            stats.served,
            stats.no_session
        ),
        (2, 1, 2, 1)
    );
}

pub(crate) fn frame_of_message(message: &DeviceMessage<'_>) -> Vec<u8> {
    let mut out = std::vec![0u8; 600];
    let n = encode(message, &mut out).unwrap();
    out.truncate(n);
    out
}

#[test]
fn host_answers_a_repeat_from_what_it_kept() {
    let mut host = HostSession::<128>::new(Mode::Replay);
    host.on_frame(&payload_of(&hello(5)));
    let request = payload_of(&frame_of_message(&DeviceMessage::Replay {
        seq: 3,
        request: "get",
    }));
    let HostStep::Serve(DeviceRequest::Replay {
        seq: 3,
        request: "get",
    }) = host.on_frame(&request)
    else {
        panic!()
    };
    assert_eq!(
        host.answer(4, HostAnswer::NoMatch),
        Err(NotServing { seq: 4 })
    );
    let first = host.answer(3, HostAnswer::Response("42")).unwrap().to_vec();
    assert_eq!(
        host.on_frame(&request),
        HostStep::Reply(HostEvent::Repeated { seq: 3 })
    );
    assert_eq!(host.outgoing(), &first[..]);
    assert_eq!(
        HostMessage::decode(&payload_of(&first)),
        Ok(HostMessage::Response { seq: 3, text: "42" })
    );
    // Answering twice is refused.
    assert_eq!(
        host.answer(3, HostAnswer::NoMatch),
        Err(NotServing { seq: 3 })
    );
    assert_eq!(host.stats().repeats, 1);
}

#[test]
fn host_refuses_answers_too_large_for_the_device() {
    let mut host = HostSession::<1024>::new(Mode::Replay);
    host.on_frame(&payload_of(&hello(5))); // the device takes 64-byte frames
    let request = payload_of(&frame_of_message(&DeviceMessage::Replay {
        seq: 0,
        request: "big",
    }));
    assert!(matches!(host.on_frame(&request), HostStep::Serve(_)));
    let text = "x".repeat(100);
    let frame = host
        .answer(0, HostAnswer::Response(&text))
        .unwrap()
        .to_vec();
    assert!(frame.len() <= 64);
    assert_eq!(
        HostMessage::decode(&payload_of(&frame)),
        Ok(HostMessage::Failed {
            seq: 0,
            error: HostError::TooLarge { needed: 110 }
        })
    );
}

#[test]
fn host_naks_damage_and_refuses_other_versions() {
    let mut host = HostSession::<128>::new(Mode::Replay);
    let nak = host
        .on_skip(Skip {
            reason: SkipReason::Checksum,
            bytes: 3,
        })
        .to_vec();
    assert_eq!(HostMessage::decode(&payload_of(&nak)), Ok(HostMessage::Nak));
    assert_eq!(
        host.on_frame(&[0xff, 0xff]),
        HostStep::Reply(HostEvent::Malformed)
    );
    let old = frame_of_message(&DeviceMessage::Hello(Hello {
        version: 9,
        session: 1,
        max_frame: 64,
    }));
    assert_eq!(
        host.on_frame(&payload_of(&old)),
        HostStep::Reply(HostEvent::VersionMismatch { device: 9 })
    );
    assert_eq!(host.session(), None);
    assert_eq!(host.stats().naks, 2);
}

#[test]
fn the_largest_fixed_size_frames_fit_their_buffers() {
    // The buffers that take the host's small messages, the device's hello and the host's
    // Failed answer: their fallbacks (an empty frame) must never be taken.
    let welcome = HostMessage::Welcome(Welcome {
        version: PROTOCOL_VERSION,
        session: u32::MAX,
        mode: Mode::ReplayOldRecordNew,
        max_frame: u16::MAX,
    });
    let mut small = [0u8; host::SMALL_FRAME];
    assert_eq!(encode(&welcome, &mut small), Ok(18));
    let hello = DeviceMessage::Hello(Hello {
        version: PROTOCOL_VERSION,
        session: u32::MAX,
        max_frame: u16::MAX,
    });
    let mut room = [0u8; machine::HELLO_FRAME];
    assert_eq!(encode(&hello, &mut room), Ok(17));
    let failed = HostMessage::Failed {
        seq: u16::MAX,
        error: HostError::TooLarge { needed: u32::MAX },
    };
    let mut room = [0u8; host::FAILED_FRAME];
    assert_eq!(host::FAILED_FRAME, 17);
    assert_eq!(encode(&failed, &mut room), Ok(17));
}

#[test]
fn host_tells_a_device_too_small_for_any_answer_rather_than_nothing() {
    let mut host = HostSession::<128>::new(Mode::Replay);
    let tiny = frame_of_message(&DeviceMessage::Hello(Hello {
        version: PROTOCOL_VERSION,
        session: 7,
        max_frame: 8,
    }));
    host.on_frame(&payload_of(&tiny));
    let request = payload_of(&frame_of_message(&DeviceMessage::Replay {
        seq: 2,
        request: "get",
    }));
    assert!(matches!(host.on_frame(&request), HostStep::Serve(_)));
    // Neither the answer nor its Failed frame fits in 8 bytes: the Failed frame is sent.
    let frame = host.answer(2, HostAnswer::Response("42")).unwrap().to_vec();
    assert!(frame.len() > 8);
    assert_eq!(
        HostMessage::decode(&payload_of(&frame)),
        Ok(HostMessage::Failed {
            seq: 2,
            error: HostError::TooLarge { needed: 12 }
        })
    );
    // And again for a repeat.
    assert_eq!(
        host.on_frame(&request),
        HostStep::Reply(HostEvent::Repeated { seq: 2 })
    );
    assert_eq!(host.outgoing(), &frame[..]);
}
