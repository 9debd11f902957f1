//! Our reader and writer against the reference itself: `ReplayInfo.readIntoList` and
//! `BaseTraffic.fixNewlinesForRecord` of the installed Python CaptureMock, run in one `python3`
//! process for all cases.
//!
//! Skipped (with a note) when `python3 -c "import capturemock"` fails, unless
//! `CAPTUREMOCK_REQUIRE_REFERENCE` is set.

use std::format;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use super::tests::read;
use super::*;

const ALL_OPTS: [NewlineOptions; 4] = [
    NewlineOptions::NONE,
    NewlineOptions {
        preserve_cr: true,
        preserve_lf: false,
    },
    NewlineOptions {
        preserve_cr: false,
        preserve_lf: true,
    },
    NewlineOptions::BOTH,
];

/// For each stdin line `R <cr> <lf> <path>` prints what readIntoList reads; for
/// `W <cr> <lf> <hex entry> <hex timestamp or ->` what `BaseTraffic.record` writes. Output: one
/// line per request, items as `x<hex>` separated by spaces.
const SCRIPT: &str = r#"
import sys
from capturemock.replayinfo import ReplayInfo
from capturemock.traffic import BaseTraffic
out = []
for request in sys.stdin:
    kind, cr, lf, *args = request.rstrip("\n").split("\t")
    BaseTraffic.preserveCr = cr == "1"
    BaseTraffic.preserveLf = lf == "1"
    if kind == "R":
        items = ReplayInfo.readIntoList(args[0])
    else:
        text = BaseTraffic.fixNewlinesForRecord(bytes.fromhex(args[0]).decode("utf-8"))
        if args[1] != "-":
            text += "--TIM:" + bytes.fromhex(args[1]).decode("utf-8") + "\n"
        items = [text]
    out.append(" ".join("x" + item.encode("utf-8").hex() for item in items))
sys.stdout.write("\n".join(out) + "\n")
"#;

enum Request {
    Read {
        path: PathBuf,
    },
    Write {
        entry: String,
        timestamp: Option<String>,
    },
}

/// Collects requests, runs them all in one reference process, hands back the answers.
struct Reference {
    dir: PathBuf,
    requests: Vec<(Request, NewlineOptions)>,
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> String {
    let bytes: Vec<u8> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex from python"))
        .collect();
    String::from_utf8(bytes).expect("utf-8 from python")
}

fn flag(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

impl Reference {
    fn available() -> bool {
        let ok = Command::new("python3")
            .args(["-c", "import capturemock"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("CAPTUREMOCK_REQUIRE_REFERENCE").is_none(),
                "CAPTUREMOCK_REQUIRE_REFERENCE is set but python3 cannot import capturemock"
            );
            std::eprintln!(
                "note: python3 with capturemock not found; reference comparison skipped"
            );
        }
        ok
    }

    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("capturemock-format-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Reference {
            dir,
            requests: Vec::new(),
        }
    }

    /// Queues reading `bytes` as a file; returns the request's index.
    fn read(&mut self, bytes: &[u8], opts: NewlineOptions) -> usize {
        let path = self.dir.join(format!("{}.mock", self.requests.len()));
        std::fs::write(&path, bytes).expect("write temp file");
        self.requests.push((Request::Read { path }, opts));
        self.requests.len() - 1
    }

    /// Queues writing one entry as `BaseTraffic.record` does; returns the request's index.
    fn write(&mut self, entry: &str, timestamp: Option<&str>, opts: NewlineOptions) -> usize {
        let request = Request::Write {
            entry: entry.to_string(),
            timestamp: timestamp.map(str::to_string),
        };
        self.requests.push((request, opts));
        self.requests.len() - 1
    }

    fn run(self) -> Vec<Vec<String>> {
        let mut input = String::new();
        for (request, opts) in &self.requests {
            let (cr, lf) = (flag(opts.preserve_cr), flag(opts.preserve_lf));
            match request {
                Request::Read { path } => {
                    input.push_str(&format!("R\t{cr}\t{lf}\t{}\n", path.display()))
                }
                Request::Write { entry, timestamp } => {
                    let ts = timestamp.as_deref().map_or("-".to_string(), hex);
                    input.push_str(&format!("W\t{cr}\t{lf}\t{}\t{ts}\n", hex(entry)));
                }
            }
        }
        let stdout = crate::python_oracle::run(SCRIPT, input);
        std::fs::remove_dir_all(&self.dir).ok();
        let stdout = stdout.expect("python3 is there: Reference::available checked");
        let answers: Vec<Vec<String>> = stdout
            .lines()
            .map(|line| {
                line.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(|item| unhex(&item[1..]))
                    .collect()
            })
            .collect();
        assert_eq!(answers.len(), self.requests.len());
        answers
    }
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Line fragments for raw files: entry starts of every kind (and near misses), markers, text.
/// None starts with `--TIM:` or `\:` (documented differences, tested separately).
const RAW_FRAGMENTS: &[&str] = &[
    "<-CAL:foo(1)",
    "->RET:bar",
    "  ->RET:nested",
    "xx->YYY:z",
    "<-",
    "<-:",
    "->AB",
    "->RET",
    "->RE",
    "é->RET:y",
    "éééé->RET:z",
    "ééééé->RET:w",
    "<-2345678:x",
    "<-23456789:x",
    "12345->RET:x",
    "->ééé",
    "->éé",
    "plain text",
    "x:y:z",
    "",
    "  ",
    "<CR>",
    "a<LF>b",
    "x<CR>y<LF>",
    "<<CR>LF>",
    "a\\:b",
    "\\x",
    "日本語",
    "\u{2028}\u{85}\x0b",
    "-",
    ">",
    "<",
    ":",
];

const TERMINATORS: &[&str] = &["\n", "\n", "\n", "\r\n", "\r"];

fn random_raw_file(rng: &mut Rng) -> String {
    let mut text =
        String::from(rng.pick(&["<-CAL:start", "->RET:start", "<-", "  ->RET:x", "é->RET:y"]));
    for _ in 0..rng.below(12) {
        text.push_str(rng.pick(TERMINATORS));
        for _ in 0..1 + rng.below(2) {
            text.push_str(rng.pick(RAW_FRAGMENTS));
        }
    }
    if rng.below(3) > 0 {
        text.push_str(rng.pick(TERMINATORS));
    }
    text
}

/// Text-line fragments for the writer, including every case that needs an escape.
const TEXT_FRAGMENTS: &[&str] = &[
    "",
    "a",
    "foo(1)",
    "<-x",
    "xx->YYY:z",
    "  ->RET:n",
    "->AB",
    "--TIM:1",
    "\\:q",
    "é",
    "\r",
    "<CR>",
    "<LF>",
    " ",
    "日本語",
    "x:y",
    "\\",
    "<-",
];

fn random_text(rng: &mut Rng) -> String {
    let mut text = String::new();
    for i in 0..1 + rng.below(4) {
        if i > 0 {
            text.push('\n');
        }
        for _ in 0..rng.below(3) {
            text.push_str(rng.pick(TEXT_FRAGMENTS));
        }
    }
    text
}

const PREFIXES: &[&str] = &[
    "<-CAL",
    "->RET",
    "  ->RET",
    "<-CMD",
    "->OUT",
    "<-PYT",
    "<---RET",
    "--->PYT",
    "<-----PYT",
    "<-ZZZ",
    "<-SRV",
];

fn ours(text: &str, opts: NewlineOptions) -> Vec<String> {
    read(text, opts)
        .into_iter()
        .map(|r| r.expect("no parse error").0)
        .collect()
}

#[test]
fn raw_files_read_like_the_reference() {
    if !Reference::available() {
        return;
    }
    let mut reference = Reference::new("raw");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cases = Vec::new();
    for _ in 0..400 {
        let text = random_raw_file(&mut rng);
        for opts in ALL_OPTS {
            cases.push((reference.read(text.as_bytes(), opts), text.clone(), opts));
        }
    }
    let answers = reference.run();
    for (index, text, opts) in cases {
        assert_eq!(ours(&text, opts), answers[index], "{opts:?} {text:?}");
    }
}

#[test]
fn writer_matches_the_reference_unless_an_escape_is_needed() {
    if !Reference::available() {
        return;
    }
    let mut reference = Reference::new("write");
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut writes = Vec::new();
    for _ in 0..1500 {
        let prefix = rng.pick(PREFIXES);
        let text = random_text(&mut rng);
        let timestamp = rng
            .pick(&[None, Some("2024-05-06T07:08:09.123456")])
            .map(str::to_string);
        let opts = rng.pick(&ALL_OPTS);
        let entry = format!("{prefix}:{text}");
        let index = reference.write(&entry, timestamp.as_deref(), opts);
        writes.push((index, entry, timestamp, opts));
    }
    let answers = reference.run();

    // Then: the reference reads what we wrote, for every entry that needed no escape.
    let mut reference = Reference::new("read-back");
    let mut read_backs = Vec::new();
    let mut escaped = 0;
    for (index, entry, timestamp, opts) in writes {
        let record = Record {
            entry: &entry,
            timestamp: timestamp.as_deref(),
        };
        let mut ours = String::new();
        write_record(&mut ours, &record, opts).expect("writable");
        let theirs = &answers[index][0];
        let expected = vec![Ok((entry.clone(), timestamp.clone()))];
        let theirs_reads_back = read(theirs, opts) == expected;
        assert_eq!(
            read(&ours, opts),
            expected,
            "ours does not read back: {opts:?} {ours:?}"
        );
        if theirs_reads_back {
            assert_eq!(
                &ours, theirs,
                "escaped although not needed: {opts:?} {entry:?}"
            );
            let index = reference.read(ours.as_bytes(), opts);
            let mut seen = entry.clone();
            if let Some(ts) = &timestamp {
                // The reference keeps the timestamp line as part of the entry.
                seen.push_str("\n--TIM:");
                seen.push_str(ts);
            }
            read_backs.push((index, seen, opts));
        } else {
            assert_ne!(&ours, theirs);
            escaped += 1;
        }
    }
    assert!(
        escaped > 100 && read_backs.len() > 100,
        "both kinds are exercised: {escaped} / {}",
        read_backs.len()
    );
    let answers = reference.run();
    for (index, seen, opts) in read_backs {
        assert_eq!(answers[index], [seen], "{opts:?}");
    }
}

#[test]
fn whole_files_written_by_us_read_alike() {
    if !Reference::available() {
        return;
    }
    let mut reference = Reference::new("files");
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut cases = Vec::new();
    for _ in 0..100 {
        let opts = rng.pick(&ALL_OPTS);
        let mut file = String::new();
        let mut expected = Vec::new();
        for _ in 0..1 + rng.below(6) {
            let prefix = rng.pick(PREFIXES);
            // Plain text lines only: no escapes needed.
            let text = (0..1 + rng.below(3))
                .map(|_| {
                    rng.pick(&[
                        "a",
                        "foo(1)",
                        "x: y",
                        "日本語",
                        "  indented",
                        "->",
                        "b->c: d",
                    ])
                })
                .collect::<Vec<_>>()
                .join("\n");
            write_entry(&mut file, prefix, &text, None, opts).unwrap();
            expected.push(format!("{prefix}:{text}"));
        }
        assert!(!file.contains("\\:"));
        assert_eq!(ours(&file, opts), expected);
        cases.push((reference.read(file.as_bytes(), opts), expected, opts));
    }
    let answers = reference.run();
    for (index, expected, opts) in cases {
        assert_eq!(answers[index], expected, "{opts:?}");
    }
}

#[test]
fn documented_differences_are_the_only_ones() {
    if !Reference::available() {
        return;
    }
    let none = NewlineOptions::NONE;
    let mut reference = Reference::new("differences");
    let bom = reference.read("\u{feff}<-CAL:x\n->RET:y\n".as_bytes(), none);
    let tim = reference.read(b"<-CAL:x\n--TIM:t1\n->RET:y\n--TIM:t2\n", none);
    let blank = reference.read(b"\n \n<-CAL:x\n", none);
    let before = reference.read(b"hello\n<-CAL:x\n", none);
    let escape = reference.read(b"->RET:\\:a\\rb\n\\:<-CAL:c\n", none);
    let answers = reference.run();

    assert_eq!(answers[bom], ["\u{feff}<-CAL:x", "->RET:y"]);
    assert_eq!(
        ours("\u{feff}<-CAL:x\n->RET:y\n", none),
        ["<-CAL:x", "->RET:y"]
    );

    assert_eq!(answers[tim], ["<-CAL:x\n--TIM:t1", "->RET:y\n--TIM:t2"]);
    let got = read("<-CAL:x\n--TIM:t1\n->RET:y\n--TIM:t2\n", none);
    assert_eq!(got[0], Ok(("<-CAL:x".to_string(), Some("t1".to_string()))));

    assert_eq!(answers[blank], ["\n ", "<-CAL:x"]);
    assert_eq!(ours("\n \n<-CAL:x\n", none), ["<-CAL:x"]);

    assert_eq!(answers[before], ["hello", "<-CAL:x"]);
    assert_eq!(
        read("hello\n<-CAL:x\n", none)[0],
        Err(ParseError {
            line: 1,
            kind: ParseErrorKind::TextBeforeFirstEntry
        })
    );

    assert_eq!(answers[escape], ["->RET:\\:a\\rb\n\\:<-CAL:c"]);
    assert_eq!(
        ours("->RET:\\:a\\rb\n\\:<-CAL:c\n", none),
        ["->RET:a\rb\n<-CAL:c"]
    );
}
