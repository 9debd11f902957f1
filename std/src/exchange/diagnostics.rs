//! Near-miss diagnostics: what a request with no exact match was answered with, how it
//! differs word by word from the recorded request chosen, and, at the end of a run, which
//! requests matched inexactly and which recorded exchanges were never used.
//!
//! The word diff uses the words and matching blocks the engine scores with (the core's
//! [`words`] and [`matching_blocks`]), so what it shows is what the choice was based on.
//! It is written like `git diff --word-diff`: `[-recorded-]{+requested+}`.

use std::collections::HashMap;

use capturemock_core::difflib::{matching_blocks, max_blocks, BIndex, Block, Scratch};
use capturemock_core::words::words;

use super::ExchangeNo;
use crate::replay_file::OwnedRequestInfo;

/// How a request failed to match exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NearMissKind {
    /// Answered with the nearest recorded request.
    Nearest,
    /// Exact matching is on: answered with the mismatch reply (the nearest, if any, is named).
    Mismatch,
    /// No recorded request of the same type shares a word: answered with nothing.
    NoCandidate,
    /// Mode 2 recording unmatched requests: sent to the real thing and recorded.
    Recorded,
    /// It would have been sent to the real thing, which is forbidden: refused.
    Forbidden,
}

/// One request that had no exact match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    /// The exchange it came in.
    pub exchange: ExchangeNo,
    /// The request's description (`<-CAL:...`).
    pub request: String,
    /// The nearest recorded request, if any.
    pub nearest: Option<String>,
    /// What was done.
    pub kind: NearMissKind,
}

impl NearMiss {
    /// Logs this near miss with its word diff, at `info`.
    /// Not a warning: the reference answers a near miss without a word, and harnesses that
    /// compare a program's stderr (TextTest) must see nothing from a replay that works
    /// (`capturemock -v` or `--log info` shows them). The diff goes with it so that the log
    /// alone says what changed.
    pub fn log(&self) {
        let what = match self.kind {
            NearMissKind::Nearest => "answered from the nearest recorded request",
            NearMissKind::Mismatch => "answered CAPTUREMOCK MISMATCH (use_exact_matching)",
            NearMissKind::NoCandidate => {
                "no recorded request of this type shares a word with it; answered with nothing"
            }
            NearMissKind::Recorded => "recorded as new (mode 2)",
            NearMissKind::Forbidden => "refused: reaching the real thing is forbidden",
        };
        match &self.nearest {
            Some(nearest) => tracing::info!(
                exchange = self.exchange,
                "no exact match for request {:?}: {what}\n  recorded: {:?}\n  word diff: {}",
                self.request,
                nearest,
                word_diff(nearest, &self.request)
            ),
            None => tracing::info!(
                exchange = self.exchange,
                "no exact match for request {:?}: {what}",
                self.request
            ),
        }
    }
}

/// A word diff from `recorded` to `request`: common words as they are, words only in the
/// recorded request as `[-word-]`, words only in the request as `{+word+}`.
/// Common words are shown as the request has them. Words are compared by id, one id per
/// distinct word of the two texts, as the core compares them. When the core cannot compute
/// the blocks, the whole texts are shown as replaced.
pub fn word_diff(recorded: &str, request: &str) -> String {
    let a_words: Vec<&str> = words(recorded).collect();
    let b_words: Vec<&str> = words(request).collect();
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut id_of = |w| -> u32 {
        let next = ids.len() as u32;
        *ids.entry(w).or_insert(next)
    };
    let a: Vec<u32> = a_words.iter().map(|&w| id_of(w)).collect();
    let b: Vec<u32> = b_words.iter().map(|&w| id_of(w)).collect();
    let blocks = match blocks(&a, &b) {
        Some(blocks) => blocks,
        None => return format!("[-{recorded}-]{{+{request}+}}"),
    };
    let mut out: Vec<String> = Vec::new();
    let (mut i, mut j) = (0usize, 0usize);
    for block in blocks {
        let (ba, bb, size) = (block.a as usize, block.b as usize, block.size as usize);
        if let Some(removed) = a_words.get(i..ba).filter(|r| !r.is_empty()) {
            out.push(format!("[-{}-]", removed.join(" ")));
        }
        if let Some(added) = b_words.get(j..bb).filter(|r| !r.is_empty()) {
            out.push(format!("{{+{}+}}", added.join(" ")));
        }
        if let Some(common) = b_words.get(bb..bb + size).filter(|c| !c.is_empty()) {
            out.push(common.join(" "));
        }
        (i, j) = (ba + size, bb + size);
    }
    out.join(" ")
}

/// The core's matching blocks of two word-id lists, the same computation the best match is
/// scored with. The buffers are sized with the core's own `required` functions, so the
/// capacity error behind `None` is not expected; [`word_diff`] would then show the whole
/// texts as replaced.
fn blocks(a: &[u32], b: &[u32]) -> Option<Vec<Block>> {
    let mut index_storage = vec![0u32; BIndex::required(b.len())];
    let index = BIndex::new(b, &mut index_storage).ok()?;
    let mut scratch_storage = vec![0u32; Scratch::required(a.len(), b.len())];
    let mut scratch = Scratch::new(&mut scratch_storage, b.len()).ok()?;
    let mut out = vec![Block::default(); max_blocks(a.len(), b.len())];
    matching_blocks(a, &index, &mut scratch, &mut out)
        .ok()
        .map(<[Block]>::to_vec)
}

/// Most lines of each kind (near misses, unused exchanges, drift) an end-of-run summary
/// shows; the rest are counted, and are in the run report.
pub const SUMMARY_LINES: usize = 20;

/// What the end-of-run summary says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Requests that had no exact match, in the order they were decided: exchange order,
    /// except for an exchange that ran late (given up on by the sequencer).
    pub near_misses: Vec<NearMiss>,
    /// Recorded requests with response groups that were never used: the request, how many
    /// times it occurs in the replay file and how many times it was chosen.
    pub unused: Vec<OwnedRequestInfo>,
}

impl Summary {
    /// The replay file's requests whose groups were not all used.
    /// A recorded response nobody asked for usually means the code under test stopped making a
    /// call it made when it was recorded, which an answer-by-answer log cannot show.
    pub fn unused_from(requests: Vec<OwnedRequestInfo>) -> Vec<OwnedRequestInfo> {
        requests
            .into_iter()
            .filter(|r| r.times_chosen < r.occurrences)
            .collect()
    }

    /// How many requests fail the run: those refused because nothing real may be reached,
    /// and, when `strict` (record mode `none`), those not answered from an exact recorded match.
    pub fn failing(&self, strict: bool) -> usize {
        self.near_misses
            .iter()
            .filter(|miss| match miss.kind {
                NearMissKind::Forbidden => true,
                NearMissKind::Mismatch | NearMissKind::NoCandidate => strict,
                NearMissKind::Nearest | NearMissKind::Recorded => false,
            })
            .count()
    }

    /// Whether there is nothing to say.
    pub fn is_clean(&self) -> bool {
        self.near_misses.is_empty() && self.unused.is_empty()
    }

    /// The summary as text (empty when clean), every line of it.
    pub fn render(&self) -> String {
        self.render_limited(usize::MAX, "")
    }

    /// The summary as text (empty when clean), with at most `limit` lines of each kind; the
    /// rest is counted in a line `… and N more (see WHERE)`. What a person reads at the end of
    /// a run: a replay of 100,000 exchanges that used none of them must not print 100,000
    /// lines.
    pub fn render_limited(&self, limit: usize, where_all: &str) -> String {
        let more = |text: &mut String, total: usize| {
            if total > limit {
                text.push_str(&format!(
                    "  \u{2026} and {} more (see {where_all})\n",
                    total - limit
                ));
            }
        };
        let mut text = String::new();
        if !self.near_misses.is_empty() {
            text.push_str(&format!(
                "{} request(s) had no exact match in the replay file:\n",
                self.near_misses.len()
            ));
            for miss in self.near_misses.iter().take(limit) {
                let nearest = miss
                    .nearest
                    .as_deref()
                    .map_or_else(|| "nothing".to_string(), |n| format!("{n:?}"));
                let how = match miss.kind {
                    NearMissKind::Nearest => "answered from",
                    NearMissKind::Mismatch => "mismatch; nearest",
                    NearMissKind::NoCandidate => "answered with",
                    NearMissKind::Recorded => "recorded; nearest",
                    NearMissKind::Forbidden => "refused (nothing real may be reached); nearest",
                };
                text.push_str(&format!(
                    "  #{} {:?}: {how} {nearest}\n",
                    miss.exchange, miss.request
                ));
            }
            more(&mut text, self.near_misses.len());
        }
        if !self.unused.is_empty() {
            text.push_str(&format!(
                "{} recorded request(s) were not used up:\n",
                self.unused.len()
            ));
            for info in self.unused.iter().take(limit) {
                if info.times_chosen == 0 {
                    text.push_str(&format!("  {:?}: never used\n", info.key));
                } else {
                    text.push_str(&format!(
                        "  {:?}: used {} of {} times\n",
                        info.key, info.times_chosen, info.occurrences
                    ));
                }
            }
            more(&mut text, self.unused.len());
        }
        text
    }

    /// Logs the summary at `info` (nothing when clean), [`SUMMARY_LINES`] lines of each kind
    /// at most. `info`, as [`NearMiss::log`], for the same reason: a replay is quiet.
    pub fn log(&self) {
        if !self.is_clean() {
            tracing::info!(
                "replay summary:\n{}",
                self.render_limited(SUMMARY_LINES, "a run report")
                    .trim_end()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capturemock_core::replay::RequestId;

    #[test]
    fn word_diff_marks_changed_words() {
        assert_eq!(
            word_diff("<-CAL:get(a, b) x", "<-CAL:get(a, c) x"),
            "<-CAL:get a, [-b-] {+c+} x"
        );
        assert_eq!(word_diff("<-CAL:a", "<-CAL:a"), "<-CAL:a");
        assert_eq!(word_diff("<-CAL:a b", "<-CAL:a"), "<-CAL:a [-b-]");
        assert_eq!(
            word_diff("<-CAL:x", "<-CAL:y z"),
            "[-<-CAL:x-] {+<-CAL:y z+}"
        );
    }

    #[test]
    fn summary_lists_near_misses_and_unused_requests() {
        let summary = Summary {
            near_misses: vec![NearMiss {
                exchange: 2,
                request: "<-CAL:b".into(),
                nearest: Some("<-CAL:a".into()),
                kind: NearMissKind::Nearest,
            }],
            unused: Summary::unused_from(vec![
                OwnedRequestInfo {
                    id: RequestId(0),
                    key: "<-CAL:a".into(),
                    occurrences: 2,
                    times_chosen: 1,
                },
                OwnedRequestInfo {
                    id: RequestId(1),
                    key: "<-CAL:c".into(),
                    occurrences: 1,
                    times_chosen: 0,
                },
                OwnedRequestInfo {
                    id: RequestId(2),
                    key: "<-CAL:d".into(),
                    occurrences: 1,
                    times_chosen: 3,
                },
            ]),
        };
        let text = summary.render();
        assert!(
            text.contains("#2 \"<-CAL:b\": answered from \"<-CAL:a\""),
            "{text}"
        );
        assert!(text.contains("\"<-CAL:a\": used 1 of 2 times"), "{text}");
        assert!(text.contains("\"<-CAL:c\": never used"), "{text}");
        assert!(!text.contains("<-CAL:d"), "{text}");
        assert!(Summary::default().is_clean());
    }

    #[test]
    fn a_long_summary_shows_the_first_lines_of_each_kind_and_counts_the_rest() {
        let summary = Summary {
            near_misses: (1..=25)
                .map(|n| NearMiss {
                    exchange: n,
                    request: format!("<-CAL:b{n}"),
                    nearest: None,
                    kind: NearMissKind::NoCandidate,
                })
                .collect(),
            unused: (0..3)
                .map(|n| OwnedRequestInfo {
                    id: RequestId(n),
                    key: format!("<-CAL:u{n}"),
                    occurrences: 1,
                    times_chosen: 0,
                })
                .collect(),
        };
        let text = summary.render_limited(2, "--report FILE");
        assert_eq!(
            text,
            "25 request(s) had no exact match in the replay file:\n\
             \x20 #1 \"<-CAL:b1\": answered with nothing\n\
             \x20 #2 \"<-CAL:b2\": answered with nothing\n\
             \x20 \u{2026} and 23 more (see --report FILE)\n\
             3 recorded request(s) were not used up:\n\
             \x20 \"<-CAL:u0\": never used\n\
             \x20 \"<-CAL:u1\": never used\n\
             \x20 \u{2026} and 1 more (see --report FILE)\n"
        );
        // Exactly at the limit: no count line.
        assert!(!summary.render_limited(25, "x").contains("more (see x)"));
        assert!(summary
            .render_limited(24, "x")
            .contains("\u{2026} and 1 more (see x)\n3 recorded"));
        assert_eq!(summary.render().lines().count(), 2 + 25 + 3);
    }
}
