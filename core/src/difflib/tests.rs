//! Hand-checked cases and a differential test against Python's difflib.

use super::*;
use std::string::String;
use std::vec;
use std::vec::Vec;

fn blocks(a: &[u32], b: &[u32]) -> Vec<(u32, u32, u32)> {
    let mut index_storage = vec![0; BIndex::required(b.len())];
    let index = BIndex::new(b, &mut index_storage).unwrap();
    let mut scratch_storage = vec![0; Scratch::required(a.len(), b.len())];
    let mut scratch = Scratch::new(&mut scratch_storage, b.len()).unwrap();
    let mut out = vec![Block::default(); max_blocks(a.len(), b.len())];
    let found = matching_blocks(a, &index, &mut scratch, &mut out).unwrap();
    found.iter().map(|m| (m.a, m.b, m.size)).collect()
}

fn score_of(a: &[u32], b: &[u32]) -> (u32, u32) {
    let mut index_storage = vec![0; BIndex::required(b.len())];
    let index = BIndex::new(b, &mut index_storage).unwrap();
    let mut scratch_storage = vec![0; Scratch::required(a.len(), b.len())];
    let mut scratch = Scratch::new(&mut scratch_storage, b.len()).unwrap();
    let s = score(a, &index, &mut scratch).unwrap();
    (s.common, s.nonmatching_runs)
}

fn b2j<'s>(index: &BIndex<'s>, word: u32) -> &'s [u32] {
    let (s, e) = index.b2j(word);
    &index.positions[s as usize..e as usize]
}

fn text(s: &str) -> Vec<u32> {
    s.chars().map(u32::from).collect()
}

fn repeat(word: u32, n: usize) -> Vec<u32> {
    vec![word; n]
}

#[test]
fn matches_difflib_docstring_examples() {
    assert_eq!(
        blocks(&text("abxcd"), &text("abcd")),
        [(0, 0, 2), (3, 2, 2), (5, 4, 0)]
    );
    // Longest wins even when a shorter one starts earlier in b.
    assert_eq!(
        blocks(&text(" abcd"), &text("abcd abcd")),
        [(0, 4, 5), (5, 9, 0)]
    );
    assert_eq!(blocks(&text("ab"), &text("c")), [(2, 1, 0)]);
}

#[test]
fn empty_sequences_give_only_the_sentinel() {
    assert_eq!(blocks(&[], &[1, 2]), [(0, 2, 0)]);
    assert_eq!(blocks(&[1], &[]), [(1, 0, 0)]);
    assert_eq!(blocks(&[], &[]), [(0, 0, 0)]);
    assert_eq!(score_of(&[], &[1, 2]), (0, 0));
    assert_eq!(score_of(&[1], &[]), (0, 0));
}

#[test]
fn ties_go_to_earliest_in_a_then_in_b() {
    assert_eq!(blocks(&[1, 2, 9, 1, 2], &[1, 2]), [(0, 0, 2), (5, 2, 0)]);
    assert_eq!(blocks(&[1, 2], &[3, 1, 2, 1, 2]), [(0, 1, 2), (2, 5, 0)]);
}

#[test]
fn popular_elements_only_join_by_extension() {
    // 200 elements: anything occurring more than 3 times is popular.
    let mut b = vec![7];
    b.extend(repeat(0, 199));
    assert_eq!(blocks(&[0, 0, 7], &b), [(2, 0, 1), (3, 200, 0)]);
    // Nothing is found, yet the extension from the range start matches popular zeros.
    assert_eq!(blocks(&[0, 0], &repeat(0, 200)), [(0, 0, 2), (2, 200, 0)]);
    // A popular element inside a match is crossed by the forward extension.
    let mut b = repeat(1, 100);
    b.extend([2, 0, 3]);
    b.extend(repeat(0, 100));
    assert_eq!(blocks(&[2, 0, 3], &b), [(0, 100, 3), (3, 203, 0)]);
    // Below 200 elements nothing is popular.
    let mut b = repeat(1, 150);
    b.extend([5, 0, 0, 6]);
    b.extend(repeat(0, 45));
    assert_eq!(blocks(&[5, 0, 0, 6], &b), [(0, 150, 4), (4, 199, 0)]);
}

#[test]
fn popular_threshold_is_one_percent_plus_one() {
    let mut b: Vec<u32> = (100..300).collect();
    b[10..14].fill(5); // 4 > 200 / 100 + 1: popular
    b[50..53].fill(6); // 3: not popular
    let mut storage = vec![0; BIndex::required(b.len())];
    let index = BIndex::new(&b, &mut storage).unwrap();
    assert!(index.is_popular(5));
    assert!(!index.is_popular(6));
    assert_eq!(index.count(5), 4);
    assert_eq!(index.positions(6), [50, 51, 52]);
    assert_eq!(index.positions(99), [] as [u32; 0]);
    assert_eq!(b2j(&index, 5), [] as [u32; 0]);
    let short = [5, 5, 5, 5, 6];
    let mut storage = vec![0; BIndex::required(short.len())];
    let index = BIndex::new(&short, &mut storage).unwrap();
    assert!(!index.is_popular(5));
    assert_eq!(b2j(&index, 5), [0, 1, 2, 3]);
}

#[test]
fn hash_collisions_probe_and_wrap_around() {
    // 40 elements: 256 slots, shift 24. Pick ids that all hash to the last slots so the
    // probe sequence wraps to the start of the table.
    let colliding: Vec<u32> = (0u32..)
        .filter(|&w| slot_of(w, 24) >= 250)
        .take(60)
        .collect();
    let b: Vec<u32> = colliding[..40].iter().flat_map(|&w| [w, w]).collect();
    assert_eq!(table_slots(b.len()), 512);
    let b = &b[..40];
    assert_eq!(table_slots(b.len()), 256);
    let mut storage = vec![0; BIndex::required(b.len())];
    let index = BIndex::new(b, &mut storage).unwrap();
    for (n, &w) in colliding[..20].iter().enumerate() {
        assert_eq!(
            index.positions(w),
            [2 * n as u32, 2 * n as u32 + 1],
            "word {w}"
        );
    }
    for &w in &colliding[20..] {
        assert_eq!(index.count(w), 0);
    }
    // A free slot holds element 0: absent 0 must not be found there.
    assert!(!b.contains(&0));
    assert_eq!(index.count(0), 0);
    // As Python: b = [0, 0, 1, 1, ..., 19, 19] against a = [5, 6, 7, 8].
    assert_eq!(
        blocks(&colliding[5..9], b),
        [(0, 11, 2), (2, 15, 2), (4, 40, 0)]
    );
}

#[test]
fn score_follows_capturemock() {
    // Last block reaches both ends: one fewer non-matching run.
    assert_eq!(score_of(&[1, 2], &[1, 2]), (2, 0));
    assert_eq!(score_of(&[3, 1], &[2, 1]), (1, 0));
    assert_eq!(score_of(&[1, 3], &[1, 2]), (1, 1));
    assert_eq!(score_of(&[1, 3, 2], &[1, 4, 2]), (2, 1));
    assert_eq!(score_of(&[1, 3, 2, 5], &[1, 4, 2, 6]), (2, 2));
    assert_eq!(score_of(&[9], &[1, 2]), (0, 0));
}

#[test]
fn common_bound_is_the_multiset_intersection() {
    let b = [1, 2, 2, 3];
    let mut storage = vec![0; BIndex::required(b.len())];
    let index = BIndex::new(&b, &mut storage).unwrap();
    assert_eq!(index.common_bound(&[2, 2, 2, 1, 1, 9]), 3);
    assert_eq!(index.common_bound(&[]), 0);
}

#[test]
fn too_little_storage_is_an_error() {
    let b = [1, 2, 3];
    // 3 positions and a hash table of 16 three-word slots.
    assert_eq!(BIndex::required(3), 51);
    let mut small = [0; 50];
    let err = BIndex::new(&b, &mut small).unwrap_err();
    assert_eq!(
        (err.storage, err.needed, err.available),
        (StorageKind::Index, 51, 50)
    );
    assert!(std::format!("{err}").contains("51 needed"));
    let mut storage = [0; 51];
    let index = BIndex::new(&b, &mut storage).unwrap();

    let mut tiny = [0; 5];
    assert_eq!(
        Scratch::new(&mut tiny, 3).unwrap_err().storage,
        StorageKind::Scratch
    );
    // Room for a 1-element candidate (2 words of lookups, 2 frames) but not for 2 elements.
    assert_eq!(Scratch::required(1, 3), 6 + 2 + 4 * 2);
    let mut storage = [0; 6 + 2 + 4 * 2];
    let mut scratch = Scratch::new(&mut storage, 3).unwrap();
    let mut out = [Block::default(); 4];
    assert_eq!(
        matching_blocks(&[1, 2], &index, &mut scratch, &mut out)
            .unwrap_err()
            .storage,
        StorageKind::Scratch
    );
    assert!(matching_blocks(&[1], &index, &mut scratch, &mut out).is_ok());
    // A scratch made for shorter requests refuses longer ones.
    let mut storage = [0; 64];
    let mut scratch = Scratch::new(&mut storage, 2).unwrap();
    assert_eq!(
        score(&[1], &index, &mut scratch).unwrap_err().storage,
        StorageKind::Scratch
    );

    let mut storage = [0; 64];
    let mut scratch = Scratch::new(&mut storage, 3).unwrap();
    let mut out = [Block::default(); 2];
    let err = matching_blocks(&[1, 2, 3], &index, &mut scratch, &mut out).unwrap_err();
    assert_eq!((err.storage, err.needed), (StorageKind::Blocks, 4));
}

#[test]
fn scratch_is_reusable_across_candidates_and_requests() {
    let mut scratch_storage = vec![0; Scratch::required(20, 300)];
    let mut scratch = Scratch::new(&mut scratch_storage, 300).unwrap();
    let mut rng = Rng(7);
    for round in 0..200 {
        let lb = if round % 2 == 0 {
            rng.below(12)
        } else {
            200 + rng.below(100)
        };
        let b: Vec<u32> = (0..lb).map(|_| rng.below(6) as u32).collect();
        let mut index_storage = vec![0; BIndex::required(b.len())];
        let index = BIndex::new(&b, &mut index_storage).unwrap();
        for _ in 0..5 {
            let a: Vec<u32> = (0..rng.below(20)).map(|_| rng.below(6) as u32).collect();
            let mut out = [Block::default(); 21];
            let got: Vec<_> = matching_blocks(&a, &index, &mut scratch, &mut out)
                .unwrap()
                .iter()
                .map(|m| (m.a, m.b, m.size))
                .collect();
            assert_eq!(got, blocks(&a, &b));
        }
    }
    // Stamps wrapping around must not revive stale table entries.
    scratch.stamp = u32::MAX - 3;
    let b = [1, 2, 3, 1, 2, 3];
    let mut index_storage = vec![0; BIndex::required(b.len())];
    let index = BIndex::new(&b, &mut index_storage).unwrap();
    for _ in 0..4 {
        let mut out = [Block::default(); 7];
        let got = matching_blocks(&[3, 1, 2], &index, &mut scratch, &mut out).unwrap();
        assert_eq!(
            got,
            [
                Block {
                    a: 0,
                    b: 2,
                    size: 3
                },
                Block {
                    a: 3,
                    b: 6,
                    size: 0
                }
            ]
        );
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic and dependency-free.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A long request with a few popular words among mostly rare ones.
fn long_b(rng: &mut Rng) -> Vec<u32> {
    let len = 200 + rng.below(61);
    (0..len)
        .map(|_| match rng.below(10) {
            0..=3 => rng.below(4) as u32,
            _ => 10 + rng.below(150) as u32,
        })
        .collect()
}

/// A candidate made of pieces of `b` (so popular words sit next to real matches) and
/// random words.
fn candidate_from(rng: &mut Rng, b: &[u32], max_len: usize) -> Vec<u32> {
    let len = rng.below(max_len + 1);
    let mut a = Vec::with_capacity(len);
    while a.len() < len {
        if rng.below(3) == 0 || b.is_empty() {
            a.push(rng.below(12) as u32);
        } else {
            let start = rng.below(b.len());
            let run = 1 + rng.below(6);
            a.extend(b.iter().skip(start).take(run.min(len - a.len())));
        }
    }
    a
}

fn cases() -> Vec<(Vec<u32>, Vec<u32>)> {
    let mut rng = Rng(0x00d1_ff11_b000_0001);
    let mut cases = Vec::new();
    // Short sequences over small alphabets: many repeats and ties.
    for _ in 0..1500 {
        let alphabet = 1 + rng.below(6);
        let a = (0..rng.below(16))
            .map(|_| rng.below(alphabet) as u32)
            .collect();
        let b = (0..rng.below(16))
            .map(|_| rng.below(alphabet) as u32)
            .collect();
        cases.push((a, b));
    }
    // Short candidates made from pieces of a short request.
    for _ in 0..500 {
        let b: Vec<u32> = (0..rng.below(16)).map(|_| rng.below(5) as u32).collect();
        let a = candidate_from(&mut rng, &b, 15);
        cases.push((a, b));
    }
    // Long requests, where the popular rule applies.
    for n in 0..1000 {
        let b = long_b(&mut rng);
        let max_a = if n % 10 == 0 { 300 } else { 15 };
        let a = if n % 4 == 0 {
            (0..rng.below(max_a + 1))
                .map(|_| rng.below(4) as u32)
                .collect()
        } else {
            candidate_from(&mut rng, &b, max_a)
        };
        cases.push((a, b));
    }
    // Long candidates against short requests.
    for _ in 0..100 {
        let b: Vec<u32> = (0..rng.below(16)).map(|_| rng.below(4) as u32).collect();
        let a = (0..200 + rng.below(60))
            .map(|_| rng.below(4) as u32)
            .collect();
        cases.push((a, b));
    }
    cases
}

fn join(seq: &[u32]) -> String {
    let parts: Vec<String> = seq.iter().map(|x| std::format!("{x}")).collect();
    parts.join(" ")
}

#[test]
fn matches_python_difflib_and_capturemock_scores() {
    let cases = cases();
    let script = r#"
import sys
from capturemock.replayinfo import ReplayInfo
info = ReplayInfo.__new__(ReplayInfo)
for line in sys.stdin:
    a, b = line.rstrip("\n").split("|")
    a = [int(x) for x in a.split()]
    b = [int(x) for x in b.split()]
    blocks = info.getMatchingBlocks(a, b)
    print(" ".join("%d,%d,%d" % tuple(m) for m in blocks) + ";%d;%d" % (
        info.commonElementCount(blocks), info.nonMatchingSequenceCount(blocks)))
"#;
    let mut input = String::new();
    for (a, b) in &cases {
        input.push_str(&std::format!("{}|{}\n", join(a), join(b)));
    }
    let Some(stdout) = crate::python_oracle::run(script, input) else {
        return;
    };
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), cases.len());

    // One scratch for all cases, as the replay engine will use it.
    let mut scratch_storage = vec![0; Scratch::required(300, 300)];
    let mut scratch = Scratch::new(&mut scratch_storage, 300).unwrap();
    let (mut with_popular, mut popular_extended) = (0, 0);
    for ((a, b), line) in cases.iter().zip(lines) {
        let mut index_storage = vec![0; BIndex::required(b.len())];
        let index = BIndex::new(b, &mut index_storage).unwrap();
        let mut out = vec![Block::default(); max_blocks(a.len(), b.len())];
        let found = matching_blocks(a, &index, &mut scratch, &mut out).unwrap();
        let s = score(a, &index, &mut scratch).unwrap();
        let parts: Vec<String> = found
            .iter()
            .map(|m| std::format!("{},{},{}", m.a, m.b, m.size))
            .collect();
        let ours = std::format!("{};{};{}", parts.join(" "), s.common, s.nonmatching_runs);
        assert_eq!(ours, line, "a = {a:?}\nb = {b:?}");
        if a.iter().any(|&w| index.is_popular(w)) {
            with_popular += 1;
            if found.iter().any(|m| {
                a.iter()
                    .skip(m.a as usize)
                    .take(m.size as usize)
                    .any(|&w| index.is_popular(w))
            }) {
                popular_extended += 1;
            }
        }
    }
    // The generator must keep exercising the popular rule and the extension over it.
    assert!(
        with_popular > 500,
        "{with_popular} cases with popular words"
    );
    assert!(
        popular_extended > 200,
        "{popular_extended} blocks over popular words"
    );
}
