//! Writes a parsed Python pattern in fancy-regex syntax with the same meaning.
//!
//! Every construct is spelled out rather than left to the engine's own reading, because the
//! engines differ: Python's `\w` is letters, numbers and `_` (no marks), `\s` includes
//! U+001C..U+001F, `$` also matches before a final newline, `\Z` is the absolute end, `\b`
//! follows Python's `\w`, and `\B` never matches in an empty string. Literals are written as
//! `\x{..}` so no character is ever read as syntax.
//! Group numbering is kept: every capturing group is written as a capturing group, in the
//! same order, and nothing else captures, so `\1` in a replacement names the same text in
//! both. The output is meant for the engine, not for people, though `PyRegex::translated`
//! shows it when a translation needs checking.

use super::ast::{At, Category, ClassItem, Node, RepeatKind};
use std::fmt::Write;

/// A pattern that never matches.
const NEVER: &str = "(?!)";
/// Any character, newline included.
const ANY_CHAR: &str = "(?s:.)";
/// Python's Unicode `\s` (`str.isspace()`).
const UNICODE_SPACE: &str = r"\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}";
/// Python's `\s` under `re.ASCII`: tab, newline, vertical tab, form feed, carriage return
/// and space.
const ASCII_SPACE: &str = r"\t-\r\x{20}";
/// Python's Unicode `\w`: `str.isalnum()` or `_`, which is exactly categories L and N.
const UNICODE_WORD: &str = r"\p{L}\p{N}_";
/// Python's `\w` under `re.ASCII`.
const ASCII_WORD: &str = "0-9A-Za-z_";
/// Python ignores case with its own lower-casing plus a table of extra cases, which makes
/// i, I, U+0130 and U+0131 all equal; Unicode simple case folding (the engine's) does not.
/// An exhaustive comparison over every cased character shows these four are the only
/// difference for literals.
const TURKISH_I_CHARS: [char; 4] = ['i', 'I', '\u{130}', '\u{131}'];
/// The same four characters, written to go inside a set.
const TURKISH_I_MEMBERS: &str = r"iI\x{130}\x{131}";
/// The same four characters as a set, which a case-insensitive literal among them becomes.
const TURKISH_I: &str = r"[iI\x{130}\x{131}]";

/// Whether `c` is one of the four letters Python's case folding makes equal.
fn is_turkish_i(c: char) -> bool {
    TURKISH_I_CHARS.contains(&c)
}

/// `node` as a fancy-regex pattern.
/// `widths` are the parser's group widths: a repeat whose body cannot consume anything
/// (which may be so only because of a back-reference) is written differently.
pub(crate) fn emit(node: &Node, widths: &[Option<(u64, u64)>]) -> String {
    let mut out = String::new();
    Emitter { widths }.node(node, &mut out);
    out
}

/// What writing any node may need besides the node: the group widths.
struct Emitter<'a> {
    widths: &'a [Option<(u64, u64)>],
}

/// Writes `c` so that the engine reads it as that character: ASCII letters and digits as
/// themselves (so translations stay readable), anything else as `\x{..}`, which is never
/// syntax whatever precedes it.
fn push_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        let _ = write!(out, "\\x{{{:x}}}", c as u32);
    }
}

/// The members of a category, to go inside `[...]`.
/// A negated category becomes a nested negated set (`[^...]`), which the engine accepts
/// inside a set, so `[\W\d]` keeps Python's meaning.
fn category_members(cat: Category, ascii: bool) -> String {
    let positive = matches!(cat, Category::Digit | Category::Space | Category::Word);
    let base = match (cat, ascii) {
        (Category::Digit | Category::NotDigit, false) => r"\p{Nd}",
        (Category::Digit | Category::NotDigit, true) => "0-9",
        (Category::Space | Category::NotSpace, false) => UNICODE_SPACE,
        (Category::Space | Category::NotSpace, true) => ASCII_SPACE,
        (Category::Word | Category::NotWord, false) => UNICODE_WORD,
        (Category::Word | Category::NotWord, true) => ASCII_WORD,
    };
    if positive {
        base.to_string()
    } else {
        format!("[^{base}]")
    }
}

/// Python's `\w` as a set, for the look-arounds `\b` and `\B` are written with.
fn word_class(ascii: bool) -> String {
    format!("[{}]", if ascii { ASCII_WORD } else { UNICODE_WORD })
}

impl Emitter<'_> {
    /// Appends the translation of `node` to `out`. Alternations and repeated items are wrapped
    /// in a non-capturing group of their own, so precedence never depends on what surrounds them.
    fn node(&self, node: &Node, out: &mut String) {
        match node {
            Node::Literal { c, icase, ascii } => match char::from_u32(*c) {
                // A lone surrogate can be written in a Python pattern but never occurs in text.
                None => out.push_str(NEVER),
                Some(c) if !*icase => push_char(out, c),
                // Python's ASCII mode folds ASCII letters only (no KELVIN SIGN for k).
                Some(c) if *ascii => {
                    if c.is_ascii_alphabetic() {
                        out.push('[');
                        out.push(c.to_ascii_lowercase());
                        out.push(c.to_ascii_uppercase());
                        out.push(']');
                    } else {
                        push_char(out, c);
                    }
                }
                Some(c) if is_turkish_i(c) => out.push_str(TURKISH_I),
                Some(c) => {
                    out.push_str("(?i:");
                    push_char(out, c);
                    out.push(')');
                }
            },
            Node::Any { dotall } => out.push_str(if *dotall { ANY_CHAR } else { r"[^\n]" }),
            Node::Class {
                items,
                negate,
                icase,
                ascii,
            } => self.class(items, *negate, *icase, *ascii, out),
            Node::Category { cat, ascii } => {
                out.push('[');
                out.push_str(&category_members(*cat, *ascii));
                out.push(']');
            }
            Node::At(at) => self.at(*at, out),
            Node::Group { index, body } => {
                out.push_str(if index.is_some() { "(" } else { "(?:" });
                self.node(body, out);
                out.push(')');
            }
            Node::Atomic(body) => {
                out.push_str("(?>");
                self.node(body, out);
                out.push(')');
            }
            Node::Look {
                behind,
                negate,
                body,
            } => {
                out.push_str(match (behind, negate) {
                    (false, false) => "(?=",
                    (false, true) => "(?!",
                    (true, false) => "(?<=",
                    (true, true) => "(?<!",
                });
                self.node(body, out);
                out.push(')');
            }
            Node::Repeat {
                min,
                max,
                kind,
                body,
            } => self.repeat(*min, *max, *kind, body, out),
            Node::Backref { group, icase } => {
                let _ = write!(out, "(?{}\\{group})", if *icase { "i:" } else { ":" });
            }
            Node::Cond { group, yes, no } => {
                // Both branches always written, each in its own group: fancy-regex reads a
                // lone `(?:x|y)` yes-branch as `x` for yes and `y` for no.
                let _ = write!(out, "(?({group})(?:");
                self.node(yes, out);
                out.push_str(")|(?:");
                if let Some(no) = no {
                    self.node(no, out);
                }
                out.push_str("))");
            }
            Node::Concat(items) => items.iter().for_each(|item| self.node(item, out)),
            Node::Alt(items) => {
                out.push_str("(?:");
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push('|');
                    }
                    self.node(item, out);
                }
                out.push(')');
            }
        }
    }

    /// A `[...]` set. Surrogates are cut out of ranges (they never occur in text). A set left
    /// with no members cannot be written in the engine's syntax, so it becomes "never" (or
    /// "any character" when negated). Case-insensitive under `re.ASCII`, the other case of each
    /// ASCII letter is listed and the engine's Unicode folding is not used; otherwise the
    /// engine folds, and the Turkish i's are added when a range holds any of them.
    fn class(&self, items: &[ClassItem], negate: bool, icase: bool, ascii: bool, out: &mut String) {
        let mut members = String::new();
        let mut has_turkish_i = false;
        let mut range = |members: &mut String, lo: u32, hi: u32| {
            // Surrogates never occur in text: clamp them out of the range.
            let lo = if (0xd800..=0xdfff).contains(&lo) {
                0xe000
            } else {
                lo
            };
            let hi = if (0xd800..=0xdfff).contains(&hi) {
                0xd7ff
            } else {
                hi
            };
            if let (Some(l), Some(h)) = (char::from_u32(lo), char::from_u32(hi)) {
                if l <= h {
                    has_turkish_i |= TURKISH_I_CHARS.iter().any(|c| (l..=h).contains(c));
                    push_char(members, l);
                    members.push('-');
                    push_char(members, h);
                }
            }
        };
        for item in items {
            let (lo, hi) = match *item {
                ClassItem::Char(c) => (c, c),
                ClassItem::Range(lo, hi) => (lo, hi),
                ClassItem::Category(cat) => {
                    members.push_str(&category_members(cat, ascii));
                    continue;
                }
            };
            range(&mut members, lo, hi);
            if icase && ascii {
                // Python's ASCII mode folds ASCII letters only: add the other case of the
                // letters in the range and match without the engine's Unicode folding.
                for (from, to) in [(b'a', b'z'), (b'A', b'Z')] {
                    let (l, h) = (lo.max(u32::from(from)), hi.min(u32::from(to)));
                    if l <= h {
                        range(&mut members, l ^ 0x20, h ^ 0x20);
                    }
                }
            }
        }
        let icase = icase && !ascii;
        if icase && has_turkish_i {
            members.push_str(TURKISH_I_MEMBERS);
        }
        if members.is_empty() {
            out.push_str(if negate { ANY_CHAR } else { NEVER });
            return;
        }
        if icase {
            out.push_str("(?i:");
        }
        out.push('[');
        if negate {
            out.push('^');
        }
        out.push_str(&members);
        out.push(']');
        if icase {
            out.push(')');
        }
    }

    /// The assertions, spelled out: `^` without `re.M` is `\A`; `$` without `re.M` is "the end,
    /// or a final newline before it"; `\b` and `\B` are look-arounds over Python's `\w`, and
    /// `\B` also wants a character on one side, so it fails in an empty string as Python's does.
    fn at(&self, at: At, out: &mut String) {
        match at {
            At::Begin { multiline: false } | At::BeginString => out.push_str(r"\A"),
            At::Begin { multiline: true } => out.push_str("(?m:^)"),
            At::End { multiline: false } => out.push_str(r"(?=\n?\z)"),
            At::End { multiline: true } => out.push_str("(?m:$)"),
            At::EndString => out.push_str(r"\z"),
            At::Boundary { ascii } => {
                let w = word_class(ascii);
                let _ = write!(out, "(?:(?<={w})(?!{w})|(?<!{w})(?={w}))");
            }
            At::NonBoundary { ascii } => {
                let w = word_class(ascii);
                let _ = write!(
                    out,
                    "(?:(?<={w})(?={w})|(?<!{w})(?!{w})(?:(?<={ANY_CHAR})|(?={ANY_CHAR})))"
                );
            }
        }
    }

    /// A repetition of `body`, with the two cases the engine cannot take as written: `{0}`
    /// (kept, never entered, so that the groups inside keep their numbers) and a body that
    /// cannot consume anything (one optional pass).
    fn repeat(&self, min: u64, max: Option<u64>, kind: RepeatKind, body: &Node, out: &mut String) {
        let mut inner = String::new();
        self.node(body, &mut inner);
        if max == Some(0) {
            // Never entered, but its groups keep their numbers.
            let _ = write!(out, "(?:{NEVER}(?:{inner})|)");
            return;
        }
        let (_, hi) = super::ast::width(body, self.widths);
        if hi == 0 {
            // The engine refuses to repeat what cannot consume anything. Python stops
            // repeating after an iteration that consumed nothing, so one optional pass is
            // the same thing.
            let _ = match (min, kind) {
                (1.., _) => write!(out, "(?:{inner})"),
                (0, RepeatKind::Greedy) => write!(out, "(?:{inner}|)"),
                (0, RepeatKind::Lazy) => write!(out, "(?:|{inner})"),
                (0, RepeatKind::Possessive) => write!(out, "(?>{inner}|)"),
            };
            return;
        }
        let _ = write!(out, "(?:{inner})");
        let _ = match (min, max) {
            (0, None) => write!(out, "*"),
            (1, None) => write!(out, "+"),
            (0, Some(1)) => write!(out, "?"),
            (m, None) => write!(out, "{{{m},}}"),
            (m, Some(n)) if m == n => write!(out, "{{{m}}}"),
            (m, Some(n)) => write!(out, "{{{m},{n}}}"),
        };
        match kind {
            RepeatKind::Greedy => {}
            RepeatKind::Lazy => out.push('?'),
            RepeatKind::Possessive => out.push('+'),
        }
    }
}
