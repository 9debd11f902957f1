//! The workload: replay files and the messages clients send, generated from a fixed seed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{INEXACT_EVERY, REPLAY_REQUESTS, RSS_REQUESTS};

/// Replay files and the messages clients send.
pub struct Workload {
    pub replay: PathBuf,
    pub big_replay: PathBuf,
    /// An empty rc file, so that no `~/.capturemock/config` changes what is measured.
    pub rc: PathBuf,
    /// Replay: mostly exact requests, one in [`INEXACT_EVERY`] inexact.
    pub mixed: Arc<Vec<Message>>,
    /// Replay: exact requests only.
    pub exact: Arc<Vec<Message>>,
    /// Record: request and the client's response.
    pub record: Arc<Vec<Message>>,
    /// One exact request of the big replay file.
    pub big_probe: Message,
}

#[derive(Clone)]
pub struct Message {
    pub bytes: Vec<u8>,
    /// The reply expected, when it is known exactly.
    pub expected: Option<Vec<u8>>,
}

pub struct Recorded {
    pub words: Vec<usize>,
    pub response: String,
}

impl Workload {
    pub fn generate(dir: &Path) -> Self {
        let mut rng = Rng(20_261_121);
        let vocabulary = vocabulary(&mut rng, 5_000);
        let zipf = Zipf::new(vocabulary.len());
        let small = recorded(&mut rng, &zipf, REPLAY_REQUESTS);
        let big = recorded(&mut rng, &zipf, RSS_REQUESTS);
        let replay = dir.join(format!("replay_{REPLAY_REQUESTS}.mock"));
        let big_replay = dir.join(format!("replay_{RSS_REQUESTS}.mock"));
        write_replay(&replay, &small, &vocabulary);
        write_replay(&big_replay, &big, &vocabulary);
        let rc = dir.join("empty.rc");
        std::fs::write(&rc, "").expect("write empty.rc");

        let exact_message = |r: &Recorded| Message {
            bytes: format!("SUT_CUSTOM:{}", render_request(&r.words, &vocabulary)).into_bytes(),
            expected: Some(r.response.clone().into_bytes()),
        };
        let exact: Vec<Message> = small.iter().map(exact_message).collect();
        let mixed = small
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if i % INEXACT_EVERY != INEXACT_EVERY - 1 {
                    return exact_message(r);
                }
                let mut words = r.words.clone();
                let k = rng.below(words.len());
                let old = words[k];
                while words[k] == old {
                    words[k] = zipf.pick(&mut rng);
                }
                Message {
                    bytes: format!("SUT_CUSTOM:{}", render_request(&words, &vocabulary))
                        .into_bytes(),
                    expected: None,
                }
            })
            .collect();
        let record = small
            .iter()
            .map(|r| Message {
                bytes: format!(
                    "SUT_CUSTOM:{}:SUT_SEP:{}",
                    render_request(&r.words, &vocabulary),
                    r.response
                )
                .into_bytes(),
                expected: Some(r.response.clone().into_bytes()),
            })
            .collect();
        Workload {
            replay,
            big_replay,
            rc,
            mixed: Arc::new(mixed),
            exact: Arc::new(exact),
            record: Arc::new(record),
            big_probe: exact_message(&big[big.len() / 2]),
        }
    }
}

/// splitmix64: deterministic and good enough for a workload.
pub struct Rng(u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn vocabulary(rng: &mut Rng, n: usize) -> Vec<String> {
    let mut words = BTreeSet::new();
    while words.len() < n {
        let len = 2 + rng.below(8);
        words.insert(
            (0..len)
                .map(|_| (b'a' + rng.below(26) as u8) as char)
                .collect(),
        );
    }
    words.into_iter().collect()
}

/// Word ranks drawn with probability 1/rank, like identifiers in real traffic.
pub struct Zipf {
    pub cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=n)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn pick(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c < x)
            .min(self.cumulative.len() - 1)
    }
}

/// `n` distinct requests of 3 to 10 words, each with its own response.
pub fn recorded(rng: &mut Rng, zipf: &Zipf, n: usize) -> Vec<Recorded> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let words: Vec<usize> = (0..3 + rng.below(8)).map(|_| zipf.pick(rng)).collect();
        if seen.insert(words.clone()) {
            let response = format!("result {}", out.len());
            out.push(Recorded { words, response });
        }
    }
    out
}

/// Shaped like a call: `name.method(arg, arg)`.
pub fn render_request(words: &[usize], vocabulary: &[String]) -> String {
    let w = |i: usize| vocabulary[words[i]].as_str();
    if words.len() > 2 {
        let args: Vec<&str> = (2..words.len()).map(w).collect();
        format!("{}.{}({})", w(0), w(1), args.join(", "))
    } else {
        format!("{}({})", w(0), w(1))
    }
}

pub fn write_replay(path: &Path, recorded: &[Recorded], vocabulary: &[String]) {
    let mut text = String::new();
    for r in recorded {
        text.push_str("<-CAL:");
        text.push_str(&render_request(&r.words, vocabulary));
        text.push_str("\n->RET:");
        text.push_str(&r.response);
        text.push('\n');
    }
    if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(path, text).expect("write replay file");
    }
}
