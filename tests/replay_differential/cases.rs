//! Seeded random replay files and request sequences for the differential test.

use std::fmt;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// One replay file and the requests replayed against it, in order.
pub struct Case {
    pub file: String,
    pub requests: Vec<String>,
    pub exact: bool,
}

/// How many requests of each kind the cases hold, so the mix cannot silently degrade.
#[derive(Default, Debug)]
pub struct CaseStats {
    pub repeated_in_file: usize,
    pub exact_copies: usize,
    pub mutated: usize,
    pub fresh: usize,
    pub long: usize,
    pub other_type: usize,
    pub trailing_space: usize,
    pub exact_mode_cases: usize,
}

impl CaseStats {
    pub fn assert_mix(&self) {
        assert!(self.repeated_in_file > 5_000, "{self}");
        assert!(self.exact_copies > 5_000, "{self}");
        assert!(self.mutated > 10_000, "{self}");
        assert!(self.fresh > 3_000, "{self}");
        assert!(self.long > 1_000, "{self}");
        assert!(self.other_type > 500, "{self}");
        assert!(self.trailing_space > 500, "{self}");
        assert!(self.exact_mode_cases > 500, "{self}");
    }
}

impl fmt::Display for CaseStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "requests repeated in files {}, exact copies {}, mutated {}, fresh {}, 200+ words {}, \
             other types {}, trailing space {}; exact-matching cases {}",
            self.repeated_in_file,
            self.exact_copies,
            self.mutated,
            self.fresh,
            self.long,
            self.other_type,
            self.trailing_space,
            self.exact_mode_cases
        )
    }
}

const VOCABULARY: &[&str] = &[
    "get", "set", "user", "42", "7", "id", "name", "x", "y", "tmp", "a.b", "list", "open", "close",
    "file", "é", "日本", "ok", "None", "True", "'hello'", "[1,", "2]", "{'k':", "'v'}", "-", "=",
    "data", "read", "write", "socket", "connect", "host", "port", "8080", "GET", "POST", "/api",
    "v1", "items",
];

/// Separators between words: the reference's word separators, Unicode spaces, and
/// characters that are not separators (so they glue words together).
const SEPARATORS: &[&str] = &[
    " ", " ", " ", " ", "/", "(", ")", "\\", "  ", "\t", " (", ") ", ", ", ".", "\u{a0}", "\u{1c}",
    "\u{2003}", ")(", "//",
];

/// Request / response type pairs that appear in files.
const TYPES: &[(&str, &str)] = &[
    ("CAL", "RET"),
    ("CAL", "RET"),
    ("CAL", "RET"),
    ("CAL", "RET"),
    ("CMD", "OUT"),
    ("CLI", "SRV"),
    ("ZZZ", "QQQ"),
];

struct Generator {
    rng: StdRng,
    vocabulary: usize,
}

impl Generator {
    fn word(&mut self) -> &'static str {
        VOCABULARY[self.rng.gen_range(0..self.vocabulary)]
    }

    fn text(&mut self, words: usize) -> String {
        let mut text = String::new();
        if self.rng.gen_bool(0.1) {
            text.push_str(SEPARATORS[self.rng.gen_range(0..SEPARATORS.len())]);
        }
        for i in 0..words {
            if i > 0 {
                let sep = if self.rng.gen_bool(0.7) {
                    " "
                } else {
                    SEPARATORS[self.rng.gen_range(0..SEPARATORS.len())]
                };
                text.push_str(sep);
            }
            text.push_str(self.word());
        }
        text
    }

    fn response_text(&mut self) -> String {
        let n = self.rng.gen_range(0..5);
        let mut text = self.text(n);
        if self.rng.gen_bool(0.1) {
            text.push('\n');
            let n = self.rng.gen_range(1..4);
            text.push_str(&self.text(n));
        }
        text
    }

    /// Changes a few words of a request text: replace, insert, delete, duplicate, swap.
    fn mutate(&mut self, text: &str) -> String {
        let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
        let edits = self.rng.gen_range(1..=3);
        for _ in 0..edits {
            let i = self.rng.gen_range(0..words.len().max(1));
            match self.rng.gen_range(0..5) {
                0 if !words.is_empty() => words[i] = self.word().to_owned(),
                1 => words.insert(i.min(words.len()), self.word().to_owned()),
                2 if words.len() > 1 => {
                    words.remove(i);
                }
                3 if !words.is_empty() => {
                    let w = words[i].clone();
                    words.insert(i, w);
                }
                _ if words.len() > 1 => {
                    let j = self.rng.gen_range(0..words.len());
                    words.swap(i, j);
                }
                _ => words.push(self.word().to_owned()),
            }
        }
        words.join(" ")
    }
}

/// Generates `count` cases from `seed`.
pub fn generate(seed: u64, count: usize) -> (Vec<Case>, CaseStats) {
    let mut stats = CaseStats::default();
    let mut cases = Vec::with_capacity(count);
    let mut g = Generator {
        rng: StdRng::seed_from_u64(seed),
        vocabulary: VOCABULARY.len(),
    };
    for _ in 0..count {
        // Small vocabularies make many near-ties, which is where the tie-breaking rules matter.
        g.vocabulary = *[4, 8, 15, VOCABULARY.len()]
            .get(g.rng.gen_range(0..4))
            .unwrap();
        let long_case = g.rng.gen_bool(0.12);
        let entries = if g.rng.gen_bool(0.1) {
            g.rng.gen_range(40..150)
        } else {
            g.rng.gen_range(1..25)
        };
        let mut file = String::new();
        let mut recorded: Vec<(&str, String)> = Vec::new();
        for _ in 0..entries {
            let (req_type, resp_type) = TYPES[g.rng.gen_range(0..TYPES.len())];
            let text = if !recorded.is_empty() && g.rng.gen_bool(0.3) {
                stats.repeated_in_file += 1;
                let (t, text) = recorded[g.rng.gen_range(0..recorded.len())].clone();
                file.push_str(&format!("<-{t}:{text}\n"));
                text
            } else {
                let words = if long_case && g.rng.gen_bool(0.5) {
                    g.rng.gen_range(200..260)
                } else {
                    g.rng.gen_range(1..11)
                };
                let text = g.text(words);
                file.push_str(&format!("<-{req_type}:{text}\n"));
                recorded.push((req_type, text.clone()));
                text
            };
            let _ = text;
            for _ in 0..g.rng.gen_range(0..3) {
                let response = g.response_text();
                file.push_str(&format!("->{resp_type}:{response}\n"));
            }
        }
        let exact = g.rng.gen_bool(0.08);
        if exact {
            stats.exact_mode_cases += 1;
        }
        let mut requests = Vec::new();
        for _ in 0..g.rng.gen_range(1..12) {
            let (t, text) = recorded[g.rng.gen_range(0..recorded.len())].clone();
            let desc = match g.rng.gen_range(0..100) {
                0..=29 => {
                    stats.exact_copies += 1;
                    format!("<-{t}:{text}")
                }
                30..=69 => {
                    stats.mutated += 1;
                    format!("<-{t}:{}", g.mutate(&text))
                }
                70..=81 => {
                    stats.fresh += 1;
                    let n = g.rng.gen_range(1..11);
                    format!("<-CAL:{}", g.text(n))
                }
                82..=89 => {
                    let n = g.rng.gen_range(200..300);
                    format!("<-CAL:{}", g.text(n))
                }
                90..=94 => {
                    stats.trailing_space += 1;
                    format!("<-{t}:{text}  ")
                }
                _ => {
                    stats.other_type += 1;
                    format!("<-CMD:{}", g.mutate(&text))
                }
            };
            if desc.split_whitespace().count() >= 200 {
                stats.long += 1;
            }
            requests.push(desc);
        }
        cases.push(Case {
            file,
            requests,
            exact,
        });
    }
    (cases, stats)
}
