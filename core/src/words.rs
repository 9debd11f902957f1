//! Word splitting and string helpers that behave exactly like the Python the reference runs.
//!
//! CaptureMock's best match compares descriptions word by word, where a word is what
//! `getWords` produces: the description split on `/`, `(`, `)`, `\` and runs of white space,
//! empty pieces dropped. "White space" there is Python's `str.isspace()`, which differs from
//! [`char::is_whitespace`]: Python also counts U+001C..=U+001F (the ASCII file, group, record
//! and unit separators, whose Unicode bidirectional class is B or S) as white space. Everything
//! here works on `&str` without copying or allocating.

use core::iter::FusedIterator;

/// Whether `c` is white space for Python 3's `str.isspace()`, `str.split()` and `str.strip()`.
///
/// The set was taken by enumerating every code point in Python 3.11 (Unicode 14): it is
/// Rust's [`char::is_whitespace`] plus U+001C..=U+001F. It is spelt out in full rather than
/// derived from `char::is_whitespace` so that a future Unicode update in Rust cannot silently
/// change which descriptions match.
#[inline]
pub fn is_python_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Whether `c` ends a word in CaptureMock's `getWords`.
#[inline]
fn is_separator(c: char) -> bool {
    matches!(c, '/' | '(' | ')' | '\\') || is_python_space(c)
}

/// Splits a description into words exactly like CaptureMock's `getWords`.
///
/// Separators are `/`, `(`, `)`, `\` and Python white space ([`is_python_space`]); empty
/// pieces are dropped, so the words are the maximal runs of non-separator characters.
/// The reference splits on each separator in turn and finally with `str.split()`, which
/// drops the empty pieces of every earlier split too, so the result is the same.
///
/// ```
/// use capturemock_core::words::words;
/// let w: Vec<&str> = words("<-CAL:foo(bar, /x\\y)  z").collect();
/// assert_eq!(w, ["<-CAL:foo", "bar,", "x", "y", "z"]);
/// ```
#[inline]
pub fn words(desc: &str) -> Words<'_> {
    Words { rest: desc }
}

/// Iterator over the words of a description; see [`words`].
#[derive(Clone, Debug)]
pub struct Words<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let start = self.rest.trim_start_matches(is_separator);
        if start.is_empty() {
            self.rest = start;
            return None;
        }
        // The last word runs to the end of the text.
        let end = start.find(is_separator).unwrap_or(start.len());
        // `find` returns a char boundary, so this never fails; the checked form keeps the
        // panic path (and the formatting it drags in) out of firmware.
        let (word, rest) = start.split_at_checked(end).unwrap_or((start, ""));
        self.rest = rest;
        Some(word)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // Every word but the last needs at least one byte of separator after it.
        let len = self.rest.len();
        (0, Some(len.div_ceil(2)))
    }
}

impl FusedIterator for Words<'_> {}

/// Python's `s.strip()` with no argument: removes leading and trailing Python white space.
#[inline]
pub fn python_strip(s: &str) -> &str {
    s.trim_matches(is_python_space)
}

/// Python's `s.rstrip()` with no argument: removes trailing Python white space.
#[inline]
pub fn python_trim_end(s: &str) -> &str {
    s.trim_end_matches(is_python_space)
}

/// Python's `s.lstrip()` with no argument: removes leading Python white space.
#[inline]
pub fn python_trim_start(s: &str) -> &str {
    s.trim_start_matches(is_python_space)
}

/// Whether two descriptions are of the same type for best matching: Python's
/// `a[2:5] == b[2:5]`, counted in code points, where a slice past the end of a short string
/// is simply shorter (so `"<-C"` and `"<-CAL"` differ, and `"ab"` and `"cd"` agree).
#[inline]
pub fn same_type(a: &str, b: &str) -> bool {
    a.chars().skip(2).take(3).eq(b.chars().skip(2).take(3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;
    use std::vec::Vec;

    fn collect(desc: &str) -> Vec<&str> {
        words(desc).collect()
    }

    #[test]
    fn python_space_is_rust_whitespace_plus_info_separators() {
        for c in (0..=0x10_ffffu32).filter_map(char::from_u32) {
            let expected = c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
            assert_eq!(is_python_space(c), expected, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn splits_on_separators_and_drops_empty_pieces() {
        assert_eq!(collect(""), Vec::<&str>::new());
        assert_eq!(collect(" /()\\ \t"), Vec::<&str>::new());
        assert_eq!(collect("abc"), ["abc"]);
        assert_eq!(collect("<-CAL:foo(bar)"), ["<-CAL:foo", "bar"]);
        assert_eq!(collect("//a//b//"), ["a", "b"]);
        assert_eq!(
            collect("a\u{1c}b\u{85}c\u{a0}d\u{2028}e\u{3000}f"),
            ["a", "b", "c", "d", "e", "f"]
        );
        // Not Python white space: zero-width space, byte-order mark, next-to-space lookalikes.
        assert_eq!(
            collect("a\u{200b}b\u{feff}c\u{180e}d"),
            ["a\u{200b}b\u{feff}c\u{180e}d"]
        );
        assert_eq!(collect("é/ü (ß)"), ["é", "ü", "ß"]);
    }

    #[test]
    fn strips_python_space() {
        assert_eq!(python_strip("\u{1f} a b\u{3000}\n"), "a b");
        assert_eq!(python_trim_end("\u{1f} a b\u{3000}\n"), "\u{1f} a b");
        assert_eq!(python_trim_start("\u{1f} a b\u{3000}\n"), "a b\u{3000}\n");
        assert_eq!(python_strip("\u{200b}x\u{200b}"), "\u{200b}x\u{200b}");
        assert_eq!(python_strip(" \u{1c} "), "");
    }

    #[test]
    fn same_type_compares_code_points_two_to_five() {
        assert!(same_type("<-CAL:a", "<-CAL:b"));
        assert!(!same_type("<-CAL:a", "<-CAX:a"));
        assert!(same_type("xxCAL", "yyCALzzz"));
        assert!(!same_type("<-C", "<-CAL"));
        assert!(same_type("ab", "cd"));
        assert!(same_type("", "x"));
        assert!(!same_type("", "xyz"));
        // Multi-byte characters count as one each.
        assert!(same_type("ééCAL", "<-CALé"));
        assert!(same_type("<-ΣΑΛ:x", "->ΣΑΛ:y"));
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            // xorshift64*: deterministic, good enough for picking test characters.
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn hex(s: &str) -> String {
        let mut out = String::with_capacity(s.len() * 2);
        for b in s.bytes() {
            out.push_str(&std::format!("{b:02x}"));
        }
        out
    }

    const PIECES: &[&str] = &[
        "/", "(", ")", "\\", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e",
        "\x1f", "\u{85}", "\u{a0}", "\u{1680}", "\u{2000}", "\u{200a}", "\u{2028}", "\u{2029}",
        "\u{202f}", "\u{205f}", "\u{3000}", "\u{200b}", "\u{feff}", "\u{180e}", "\x1b", "a", "b",
        "CAL", "<-", "->", ":", ",", "é", "ß", "中", "x.y", "0", "'", "\"", "[", "]",
    ];

    #[test]
    fn words_strip_and_same_type_match_reference() {
        let mut rng = Rng(0x5eed_0001);
        let mut cases: Vec<String> = Vec::new();
        let mut same_count = 0;
        for _ in 0..3000 {
            // Most cases share the reference's usual prefix so that same_type often holds.
            let mut s = String::from(if rng.below(3) == 0 { "" } else { "<-CAL:" });
            for _ in 0..rng.below(16) {
                s.push_str(PIECES[rng.below(PIECES.len())]);
            }
            cases.push(s);
        }
        let script = r#"
import sys
from capturemock.replayinfo import ReplayInfo
info = ReplayInfo.__new__(ReplayInfo)
prev = None
for line in sys.stdin:
    desc = bytes.fromhex(line.strip()).decode("utf-8")
    ws = " ".join(w.encode("utf-8").hex() for w in info.getWords(desc))
    strips = [desc.strip(), desc.rstrip(), desc.lstrip()]
    same = info.sameType(desc, prev) if prev is not None else True
    prev = desc
    print(ws + "." + "|".join(x.encode("utf-8").hex() for x in strips) + "|" + str(int(same)))
"#;
        let mut input = String::new();
        for c in &cases {
            input.push_str(&hex(c));
            input.push('\n');
        }
        let Some(stdout) = crate::python_oracle::run(script, input) else {
            return;
        };
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), cases.len());
        let mut prev: Option<&str> = None;
        for (case, line) in cases.iter().zip(lines) {
            let ws: Vec<String> = words(case).map(hex).collect();
            let same = prev.is_none_or(|p| same_type(case, p));
            let ours = std::format!(
                "{}.{}|{}|{}|{}",
                ws.join(" "),
                hex(python_strip(case)),
                hex(python_trim_end(case)),
                hex(python_trim_start(case)),
                u8::from(same),
            );
            assert_eq!(ours, line, "case {case:?} after {prev:?}");
            same_count += usize::from(same);
            prev = Some(case);
        }
        assert!(
            (500..2500).contains(&same_count),
            "{same_count} same-type pairs"
        );
    }
}
