//! `capturemock::python_literal` against Python itself: random OS strings (quotes,
//! backslashes, line breaks, control characters, non-ASCII and astral characters, bytes that
//! are not UTF-8), and lists and dicts of them. One `python3` process takes every case: it
//! prints `repr` of each value, which our parser must read back to exactly the bytes, and it
//! `eval`s our writer's text, which must give back exactly the value.
//!
//! Without python3 the test is skipped with a notice, unless `CAPTUREMOCK_REQUIRE_REFERENCE`
//! is set (as `scripts/test-all.sh` sets it): then it fails.

use std::io::Write;
use std::process::{Command, Stdio};

use capturemock::python_literal::{
    parse_str_dict, parse_str_list, write_str, write_str_dict, write_str_list,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// For each input line `KIND HEX... OURS`, builds the value from the hex bytes with
/// `os.fsdecode` (surrogateescape, as `sys.argv` and `os.environ` do), and prints
/// `repr(value)`, a tab, and `1` when `eval(OURS)` is the same value (same type, same items
/// in the same order), else `0`.
const SCRIPT: &str = r#"
import os, sys

def value(kind, hexes):
    items = [os.fsdecode(bytes.fromhex(h)) for h in hexes.split(",")] if hexes != "-" else []
    if kind == "S":
        return items[0]
    if kind == "L":
        return items
    return dict(zip(items[0::2], items[1::2]))

out = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    kind, hexes, ours = line.split(" ", 2)
    v = value(kind, hexes)
    theirs = eval(ours, {"__builtins__": {}})
    same = type(theirs) is type(v) and theirs == v
    if same and kind == "D":
        same = list(theirs.items()) == list(v.items())
    out.append(repr(v) + "\t" + ("1" if same else "0"))
sys.stdout.write("\n".join(out) + "\n")
"#;

/// A random OS string: pieces chosen to hit every escape and decoding rule.
fn random_bytes(rng: &mut StdRng) -> Vec<u8> {
    let mut bytes = Vec::new();
    for _ in 0..rng.gen_range(0..12) {
        match rng.gen_range(0..10) {
            0 => bytes.extend_from_slice(b"'"),
            1 => bytes.extend_from_slice(b"\""),
            2 => bytes.extend_from_slice(b"\\"),
            3 => bytes.push(rng.gen_range(0..0x20)),
            4 => bytes.push(0x7f),
            5 => {
                let c = char::from_u32(rng.gen_range(0x80..0x800)).unwrap();
                bytes.extend_from_slice(c.to_string().as_bytes());
            }
            6 => {
                // Any scalar value: BMP (surrogates excluded by char) or astral.
                let c = loop {
                    let code = if rng.gen_bool(0.5) {
                        rng.gen_range(0x800..0x1_0000)
                    } else {
                        rng.gen_range(0x1_0000..0x11_0000)
                    };
                    if let Some(c) = char::from_u32(code) {
                        break c;
                    }
                };
                let mut text = c.to_string().into_bytes();
                // Sometimes a truncated sequence: bytes that are not UTF-8.
                if rng.gen_bool(0.2) {
                    text.pop();
                }
                bytes.extend_from_slice(&text);
            }
            7 => bytes.push(rng.gen_range(0x80..=0xff)),
            // UTF-8 of a surrogate, which is not UTF-8: three undecodable bytes.
            8 => bytes.extend_from_slice(&[0xed, rng.gen_range(0xa0..0xc0), 0x80]),
            _ => {
                let len = rng.gen_range(1..6);
                bytes.extend((0..len).map(|_| rng.gen_range(b' '..=b'~')));
            }
        }
    }
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One case: what Python builds, and what our parser must find in its repr.
enum Case {
    Str(Vec<u8>),
    List(Vec<Vec<u8>>),
    /// Pairs as given (keys may repeat) and Python's dict of them.
    Dict(Vec<(Vec<u8>, Vec<u8>)>),
}

/// Python's dict of `pairs`, computed the plain way: first position, last value.
fn python_dict(pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut dict: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for (key, value) in pairs {
        match dict.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value.clone(),
            None => dict.push((key.clone(), value.clone())),
        }
    }
    dict
}

fn cases() -> Vec<Case> {
    let mut rng = StdRng::seed_from_u64(0x5eed_11a1);
    let mut cases = Vec::new();
    for _ in 0..3000 {
        cases.push(Case::Str(random_bytes(&mut rng)));
    }
    for _ in 0..400 {
        let len = rng.gen_range(0..6);
        cases.push(Case::List(
            (0..len).map(|_| random_bytes(&mut rng)).collect(),
        ));
    }
    for _ in 0..400 {
        let len = rng.gen_range(0..6);
        let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for _ in 0..len {
            // Keys repeat now and then.
            let key = match pairs.first() {
                Some((first, _)) if rng.gen_bool(0.2) => first.clone(),
                _ => random_bytes(&mut rng),
            };
            pairs.push((key, random_bytes(&mut rng)));
        }
        cases.push(Case::Dict(pairs));
    }
    cases
}

#[test]
fn parser_reads_python_repr_and_python_evals_our_writer() {
    let cases = cases();
    let mut input = String::new();
    for case in &cases {
        let (kind, items): (&str, Vec<&[u8]>) = match case {
            Case::Str(s) => ("S", vec![s]),
            Case::List(items) => ("L", items.iter().map(Vec::as_slice).collect()),
            Case::Dict(pairs) => (
                "D",
                pairs
                    .iter()
                    .flat_map(|(k, v)| [k.as_slice(), v.as_slice()])
                    .collect(),
            ),
        };
        let hexes = if items.is_empty() {
            "-".to_string()
        } else {
            items.iter().map(|i| hex(i)).collect::<Vec<_>>().join(",")
        };
        let mut ours = String::new();
        match case {
            Case::Str(s) => write_str(&mut ours, s),
            Case::List(items) => write_str_list(&mut ours, items.iter().map(Vec::as_slice)),
            Case::Dict(pairs) => write_str_dict(
                &mut ours,
                pairs.iter().map(|(k, v)| (k.as_slice(), v.as_slice())),
            ),
        }
        assert!(ours.is_ascii(), "writer output is not ASCII: {ours}");
        input.push_str(&format!("{kind} {hexes} {ours}\n"));
        // Our own dict text, repeats and all, reads back with Python's semantics.
        if let Case::Dict(pairs) = case {
            assert_eq!(parse_str_dict(&ours).unwrap(), python_dict(pairs), "{ours}");
        }
    }

    let Some(output) = run_python(input) else {
        return;
    };
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), cases.len(), "one line per case from python3");
    for (case, line) in cases.iter().zip(lines) {
        let (repr, evaluated) = line.rsplit_once('\t').expect("repr and verdict");
        match case {
            Case::Str(s) => {
                let parsed =
                    parse_str_list(&format!("[{repr}]")).unwrap_or_else(|e| panic!("{repr}: {e}"));
                assert_eq!(parsed, std::slice::from_ref(s), "repr {repr}");
            }
            Case::List(items) => {
                let parsed = parse_str_list(repr).unwrap_or_else(|e| panic!("{repr}: {e}"));
                assert_eq!(&parsed, items, "repr {repr}");
            }
            Case::Dict(pairs) => {
                let parsed = parse_str_dict(repr).unwrap_or_else(|e| panic!("{repr}: {e}"));
                assert_eq!(parsed, python_dict(pairs), "repr {repr}");
            }
        }
        assert_eq!(
            evaluated, "1",
            "python3 evaluated our text for {repr} to something else"
        );
    }
}

/// Runs [`SCRIPT`] with `input`; `None` (with a notice) when python3 is missing and the
/// reference is not required.
fn run_python(input: String) -> Option<String> {
    let child = Command::new("python3")
        .args(["-c", SCRIPT])
        .env("PYTHONUTF8", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CAPTUREMOCK_REQUIRE_REFERENCE").is_none(),
                "CAPTUREMOCK_REQUIRE_REFERENCE is set but python3 is not installed"
            );
            eprintln!("note: python3 not found; python_literal's comparison with Python skipped");
            return None;
        }
        Err(e) => panic!("cannot start python3: {e}"),
    };
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("python3 output");
    writer
        .join()
        .expect("writer thread")
        .expect("write to python3");
    assert!(output.status.success(), "the python3 script failed");
    Some(String::from_utf8(output.stdout).expect("UTF-8 from python3"))
}
