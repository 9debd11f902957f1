//! The device client against an in-memory host, a real socket and fixed bytes.

use std::string::{String, ToString};
use std::vec::Vec;

use super::super::*;
use super::frame_of_message;
use super::test_support::{block_on, Noise, Rng, Sim, SimError, SimHost};
use crate::replay::Mode;

type SimClient = LinkClient<Sim, 256>;

fn client(host: SimHost) -> SimClient {
    LinkClient::new(Sim::new(host), LinkConfig::new(77))
}

/// The real thing, as the tests' device knows it.
fn real(request: &str, out: &mut [u8]) -> usize {
    let text = std::format!("real {request}");
    out[..text.len()].copy_from_slice(text.as_bytes());
    text.len()
}

#[test]
fn connect_tells_the_mode() {
    for mode in [Mode::Replay, Mode::Record, Mode::ReplayOldRecordNew] {
        let mut c = client(SimHost::new(mode));
        assert_eq!(c.mode(), None);
        assert_eq!(c.connect(), Ok(mode));
        assert_eq!(c.mode(), Some(mode));
        assert_eq!(c.transport().host.session.session(), Some(77));
    }
}

#[test]
fn record_sends_whole_exchanges_once() {
    let mut c = client(SimHost::new(Mode::Record));
    c.record("get(1)", "one").unwrap();
    c.record("get(2)\nmore", "").unwrap();
    assert_eq!(
        c.transport().host.recorded,
        [
            ("get(1)".to_string(), "one".to_string()),
            ("get(2)\nmore".to_string(), String::new())
        ]
    );
    let stats = c.stats();
    assert_eq!((stats.sent, stats.repeats, stats.decoder.frames), (3, 0, 3));
}

#[test]
fn replay_returns_the_hosts_answers_in_order() {
    let host = SimHost::new(Mode::Replay).with_replays(&[("t", "20"), ("t", "21"), ("h", "")]);
    let mut c = client(host);
    assert_eq!(c.replay("t"), Ok(Some("20")));
    assert_eq!(c.replay("t"), Ok(Some("21")));
    assert_eq!(c.replay("h"), Ok(Some("")));
    assert_eq!(c.replay("unknown"), Ok(None));
}

#[test]
fn exchange_follows_the_mode() {
    let mut out = [0u8; 64];
    // Record: the real thing answers and the host records it.
    let mut c = client(SimHost::new(Mode::Record));
    let got = c.exchange("a", &mut out, real).unwrap();
    assert_eq!(
        (got.source, &out[..got.len]),
        (Source::Real, &b"real a"[..])
    );
    assert_eq!(c.transport().host.recorded.len(), 1);
    // Replay: the host answers; the real thing is never asked.
    let mut c = client(SimHost::new(Mode::Replay).with_replays(&[("a", "recorded a")]));
    let got = c.exchange("a", &mut out, |_, _| unreachable!()).unwrap();
    assert_eq!(
        (got.source, &out[..got.len]),
        (Source::Replayed, &b"recorded a"[..])
    );
    let got = c.exchange("b", &mut out, |_, _| unreachable!()).unwrap();
    assert_eq!((got.source, got.len), (Source::NoMatch, 0));
    // Mode 2: replayed when the host has it, recorded otherwise.
    let mut c = client(SimHost::new(Mode::ReplayOldRecordNew).with_replays(&[("a", "old")]));
    let got = c.exchange("a", &mut out, |_, _| unreachable!()).unwrap();
    assert_eq!(
        (got.source, &out[..got.len]),
        (Source::Replayed, &b"old"[..])
    );
    let got = c.exchange("b", &mut out, real).unwrap();
    assert_eq!(
        (got.source, &out[..got.len]),
        (Source::Real, &b"real b"[..])
    );
    assert_eq!(
        c.transport().host.recorded,
        [("b".to_string(), "real b".to_string())]
    );
    // A buffer too small for the replayed text.
    let mut tiny = [0u8; 2];
    assert_eq!(
        c.exchange("a", &mut tiny, real),
        Err(LinkError::BufferTooSmall { needed: 3 })
    );
}

#[test]
fn a_real_response_must_be_text() {
    let mut c = client(SimHost::new(Mode::Record));
    let mut out = [0u8; 8];
    let got = c.exchange("a", &mut out, |_, out| {
        out[0] = 0xff;
        1
    });
    assert_eq!(got, Err(LinkError::NotText));
}

#[test]
fn a_host_restart_costs_a_hello_and_serves_the_request_once() {
    let mut c = client(SimHost::new(Mode::Record));
    c.record("first", "1").unwrap();
    // The host forgets everything just before the second request reaches it.
    let frames = c.transport().frames_from_device;
    c.transport().restart_at = Some(frames);
    c.record("second", "2").unwrap();
    c.record("third", "3").unwrap();
    let recorded: Vec<_> = c
        .transport()
        .host
        .recorded
        .iter()
        .map(|(q, _)| q.clone())
        .collect();
    assert_eq!(recorded, ["first", "second", "third"]);
    assert_eq!(c.stats().host_restarts, 1);
    assert!(c.transport().host.events.contains(&HostEvent::NoSession));
}

#[test]
fn silence_ends_in_no_reply_after_the_tries() {
    let mut sim = Sim::new(SimHost::new(Mode::Replay));
    sim.to_host.lose = 1000;
    let mut c: SimClient = LinkClient::new(
        sim,
        LinkConfig {
            session: 1,
            max_tries: 4,
        },
    );
    assert_eq!(c.replay("x"), Err(LinkError::NoReply));
    let stats = c.stats();
    assert_eq!((stats.sent, stats.repeats, stats.timeouts), (4, 3, 4));
}

#[test]
fn other_errors_end_the_request() {
    struct Dead;
    impl embedded_io::ErrorType for Dead {
        type Error = SimError;
    }
    impl embedded_io::Read for Dead {
        fn read(&mut self, _: &mut [u8]) -> Result<usize, SimError> {
            Ok(0)
        }
    }
    impl embedded_io::Write for Dead {
        fn write(&mut self, buf: &[u8]) -> Result<usize, SimError> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> Result<(), SimError> {
            Ok(())
        }
    }
    let mut c: LinkClient<Dead, 64> = LinkClient::new(Dead, LinkConfig::new(1));
    assert_eq!(c.connect(), Err(LinkError::Closed));
    let mut sim = Sim::new(SimHost::new(Mode::Replay));
    sim.timeouts_left = 0;
    sim.to_host.lose = 1000;
    let mut c: SimClient = LinkClient::new(sim, LinkConfig::new(1));
    assert_eq!(
        c.connect(),
        Err(LinkError::Io(SimError(embedded_io::ErrorKind::Other)))
    );
}

#[test]
fn requests_too_large_for_a_frame_are_refused_before_sending() {
    let mut c: LinkClient<Sim, 32> =
        LinkClient::new(Sim::new(SimHost::new(Mode::Record)), LinkConfig::new(1));
    let long = "x".repeat(40);
    assert!(matches!(
        c.record(&long, ""),
        Err(LinkError::TooLarge { .. })
    ));
    assert_eq!(c.stats().sent, 0);
    c.record("short", "ok").unwrap();
}

#[test]
fn the_host_failing_is_an_error_and_the_link_goes_on() {
    let mut c = client(SimHost::new(Mode::Replay).with_replays(&[("big", &"y".repeat(300))]));
    assert_eq!(
        c.replay("big"),
        Err(LinkError::Host(HostError::TooLarge { needed: 312 }))
    );
    assert_eq!(c.replay("other"), Ok(None));
}

#[test]
fn small_reads_and_stale_answers() {
    let mut sim = Sim::new(SimHost::new(Mode::Replay).with_replays(&[("q", "a")]));
    sim.chunk = 1;
    let mut c: SimClient = LinkClient::new(sim, LinkConfig::new(3));
    assert_eq!(c.replay("q"), Ok(Some("a")));
    // A late copy of an old answer sits in front of the next one.
    let mut late = [0u8; 32];
    let n = encode(&HostMessage::Response { seq: 0, text: "a" }, &mut late).unwrap();
    c.transport().inbox.extend(&late[..n]);
    assert_eq!(c.replay("q"), Ok(Some("a")));
    assert_eq!(c.stats().stale, 1);
}

#[test]
fn noisy_links_both_ways_still_serve_each_request_once() {
    for seed in 1..40u64 {
        let mut sim = Sim::new(SimHost::new(Mode::Record));
        sim.rng = Rng(seed * 7919);
        let noise = Noise {
            garbage: 200,
            drop: 150,
            flip: 150,
            lose: 50,
        };
        sim.to_host = noise.clone();
        sim.to_device = noise;
        let mut c: SimClient = LinkClient::new(
            sim,
            LinkConfig {
                session: seed as u32,
                max_tries: 30,
            },
        );
        let mut expected = Vec::new();
        for i in 0..20 {
            let request = std::format!("req {i}");
            let response = std::format!("resp {i}");
            c.record(&request, &response).unwrap();
            expected.push((request, response));
        }
        assert_eq!(c.transport().host.recorded, expected, "seed {seed}");
        assert!(c.transport().hits > 0, "seed {seed}: no noise happened");
    }
}

#[test]
fn async_client_speaks_the_same_protocol() {
    let host = SimHost::new(Mode::ReplayOldRecordNew).with_replays(&[("a", "old")]);
    let mut sim = Sim::new(host);
    sim.to_device = Noise {
        garbage: 300,
        drop: 200,
        flip: 0,
        lose: 100,
    };
    let mut c: AsyncLinkClient<Sim, 128> = AsyncLinkClient::new(sim, LinkConfig::new(9));
    let mut out = [0u8; 32];
    block_on(async {
        assert_eq!(c.connect().await, Ok(Mode::ReplayOldRecordNew));
        for _ in 0..10 {
            let got = c.exchange("a", &mut out, real).await.unwrap();
            assert_eq!(
                (got.source, &out[..got.len]),
                (Source::Replayed, &b"old"[..])
            );
        }
        let got = c.exchange("b", &mut out, real).await.unwrap();
        assert_eq!(got.source, Source::Real);
        assert_eq!(c.replay("zzz").await, Ok(None));
        c.record("c", "d").await.unwrap();
    });
    assert_eq!(c.transport().host.recorded.len(), 2);
    assert_eq!(c.mode(), Some(Mode::ReplayOldRecordNew));
    let _ = c.stats();
    let _sim = c.into_inner();
}

#[test]
fn fixed_bytes_from_a_host() {
    // A conversation captured as bytes: the client's hello and request, and what a host
    // answered, including a damaged copy of the answer in front of the good one.
    let mut host_bytes = Vec::new();
    let mut out = [0u8; 64];
    let n = encode(
        &HostMessage::Welcome(Welcome {
            version: PROTOCOL_VERSION,
            session: 4,
            mode: Mode::Replay,
            max_frame: 64,
        }),
        &mut out,
    )
    .unwrap();
    host_bytes.extend_from_slice(&out[..n]);
    let n = encode(
        &HostMessage::Response {
            seq: 0,
            text: "pong",
        },
        &mut out,
    )
    .unwrap();
    let mut damaged = out[..n].to_vec();
    damaged[4] ^= 0x01;
    host_bytes.extend_from_slice(&damaged);
    host_bytes.extend_from_slice(&out[..n]);

    struct Tape {
        input: Vec<u8>,
        output: Vec<u8>,
    }
    impl embedded_io::ErrorType for Tape {
        type Error = SimError;
    }
    impl embedded_io::Read for Tape {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, SimError> {
            let n = buf.len().min(self.input.len()).min(5);
            buf[..n].copy_from_slice(&self.input[..n]);
            self.input.drain(..n);
            Ok(n)
        }
    }
    impl embedded_io::Write for Tape {
        fn write(&mut self, buf: &[u8]) -> Result<usize, SimError> {
            self.output.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> Result<(), SimError> {
            Ok(())
        }
    }
    let tape = Tape {
        input: host_bytes,
        output: Vec::new(),
    };
    let mut c: LinkClient<Tape, 64> = LinkClient::new(tape, LinkConfig::new(4));
    assert_eq!(c.replay("ping"), Ok(Some("pong")));
    let mut expected = frame_of_message(&DeviceMessage::Hello(Hello {
        version: PROTOCOL_VERSION,
        session: 4,
        max_frame: 64,
    }));
    let request = frame_of_message(&DeviceMessage::Replay {
        seq: 0,
        request: "ping",
    });
    expected.extend(&request);
    // The damaged answer made the client ask again at once.
    expected.extend(&request);
    assert_eq!(c.into_inner().output, expected);
}

#[cfg(unix)]
#[test]
fn over_a_real_socket_with_a_host_thread() {
    use std::io::{Read as _, Write as _};
    use std::os::unix::net::UnixStream;
    use std::time::Duration;

    struct Socket(UnixStream);
    #[derive(Debug)]
    struct IoError(std::io::ErrorKind);
    impl embedded_io::Error for IoError {
        fn kind(&self) -> embedded_io::ErrorKind {
            match self.0 {
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                    embedded_io::ErrorKind::TimedOut
                }
                _ => embedded_io::ErrorKind::Other,
            }
        }
    }
    impl embedded_io::ErrorType for Socket {
        type Error = IoError;
    }
    impl embedded_io::Read for Socket {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
            self.0.read(buf).map_err(|e| IoError(e.kind()))
        }
    }
    impl embedded_io::Write for Socket {
        fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
            self.0.write(buf).map_err(|e| IoError(e.kind()))
        }
        fn flush(&mut self) -> Result<(), IoError> {
            Ok(())
        }
    }

    let (device, mut host_end) = UnixStream::pair().unwrap();
    device
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let host = std::thread::spawn(move || {
        let mut host = SimHost::new(Mode::ReplayOldRecordNew).with_replays(&[("known", "yes")]);
        let mut rng = Rng(42);
        let mut buf = [0u8; 256];
        let mut first_reply = true;
        loop {
            let n = match host_end.read(&mut buf) {
                Ok(0) | Err(_) => return host.recorded,
                Ok(n) => n,
            };
            for reply in host.receive(&buf[..n]) {
                // Noise on the way back: garbage before the first reply, one byte lost from it.
                if first_reply {
                    first_reply = false;
                    let garbage: Vec<u8> = (0..7).map(|_| rng.next() as u8).collect();
                    host_end.write_all(&garbage).unwrap();
                    let mut cut = reply.clone();
                    cut.remove(cut.len() / 2);
                    host_end.write_all(&cut).unwrap();
                    continue;
                }
                host_end.write_all(&reply).unwrap();
            }
        }
    });
    let mut c: LinkClient<Socket, 256> = LinkClient::new(Socket(device), LinkConfig::new(11));
    let mut out = [0u8; 64];
    let got = c.exchange("known", &mut out, real).unwrap();
    assert_eq!(
        (got.source, &out[..got.len]),
        (Source::Replayed, &b"yes"[..])
    );
    let got = c.exchange("new", &mut out, real).unwrap();
    assert_eq!(
        (got.source, &out[..got.len]),
        (Source::Real, &b"real new"[..])
    );
    let stats = c.stats();
    assert!(stats.decoder.skips() >= 1, "{stats:?}");
    assert!(stats.repeats >= 1, "{stats:?}");
    drop(c);
    let recorded = host.join().unwrap();
    assert_eq!(recorded, [("new".to_string(), "real new".to_string())]);
}
