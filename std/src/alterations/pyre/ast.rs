//! The parsed form of a Python regular expression, with inline flags already resolved into
//! the nodes they affect.
//! It is an intermediate form between the parser and the emitter, and also what the
//! analyses run on: widths (for Python's look-behind rule), repeats whose captures may differ
//! from Python's, and the literal text every match needs (a quick way to skip texts).

/// Python's `MAXREPEAT`: a repeat count must stay below it; `*`, `+` and `{m,}` use it as
/// "no upper bound".
pub(crate) const MAXREPEAT: u64 = 4_294_967_295;

/// The largest width the width computation tracks (Python's `MAXWIDTH`, saturated).
pub(crate) const MAXWIDTH: u64 = u64::MAX;

/// One of Python's six class escapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Category {
    /// `\d`: Unicode decimal digits (`Nd`), or `0-9` under `re.ASCII`.
    Digit,
    /// `\D`.
    NotDigit,
    /// `\s`: what Python's `str.isspace()` accepts, or ASCII white space under `re.ASCII`.
    Space,
    /// `\S`.
    NotSpace,
    /// `\w`: letters, numbers and `_`, or `[0-9A-Za-z_]` under `re.ASCII`.
    Word,
    /// `\W`.
    NotWord,
}

/// One member of a `[...]` set. Code points are kept as `u32` because Python allows
/// surrogates (`\ud800`), which no Rust string holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClassItem {
    /// One code point, possibly a lone surrogate.
    Char(u32),
    /// `lo-hi`, both ends included; the parser guarantees `lo <= hi`.
    Range(u32, u32),
    /// A class escape inside the set (`[\d_]`).
    Category(Category),
}

/// Zero-width position assertions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum At {
    /// `^`.
    /// `multiline`: `re.M` was in force, so it also matches after every newline.
    Begin { multiline: bool },
    /// `$`.
    /// Without `re.M` it matches at the end and before a final newline; with it, before every
    /// newline too.
    End { multiline: bool },
    /// `\A`.
    BeginString,
    /// `\Z` (the absolute end, unlike Perl's).
    EndString,
    /// `\b`.
    Boundary { ascii: bool },
    /// `\B`.
    NonBoundary { ascii: bool },
}

/// Greedy, lazy (`?`) or possessive (`+`) repetition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RepeatKind {
    /// As many repetitions as possible, giving back on backtracking.
    Greedy,
    /// As few as possible (`*?`).
    Lazy,
    /// As many as possible, never giving back (`*+`, Python 3.11).
    Possessive,
}

/// A node of the pattern.
/// Every flag-dependent node carries the flags that were in force where it was written:
/// `Literal`, one character, has `c`, a code point (a lone surrogate matches nothing), and
/// `icase` and `ascii` for `re.I` and `re.A`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    Literal {
        c: u32,
        icase: bool,
        ascii: bool,
    },
    /// `.`.
    Any {
        dotall: bool,
    },
    /// A `[...]` set, `negate` for `[^...]`; flags as for `Literal`.
    Class {
        items: Vec<ClassItem>,
        negate: bool,
        icase: bool,
        ascii: bool,
    },
    /// `\d` and friends outside a set.
    Category {
        cat: Category,
        ascii: bool,
    },
    /// A zero-width assertion.
    At(At),
    /// A capturing group (`index` is its number) or a non-capturing one.
    Group {
        index: Option<usize>,
        body: Box<Node>,
    },
    /// `(?>...)`: once matched, its body is not backtracked into (Python 3.11).
    Atomic(Box<Node>),
    /// `(?=...)`, `(?!...)` (`negate`), `(?<=...)`, `(?<!...)` (`behind`). A look-behind's
    /// body has a fixed width, checked after parsing.
    Look {
        behind: bool,
        negate: bool,
        body: Box<Node>,
    },
    /// A quantified item; `min` and `max` are below `MAXREPEAT`.
    Repeat {
        min: u64,
        /// `None`: unbounded.
        max: Option<u64>,
        kind: RepeatKind,
        body: Box<Node>,
    },
    /// `\1` or `(?P=name)`: the text the group last captured, compared ignoring case if
    /// `icase`.
    Backref {
        group: usize,
        icase: bool,
    },
    /// `(?(group)yes|no)`.
    Cond {
        group: usize,
        yes: Box<Node>,
        no: Option<Box<Node>>,
    },
    /// Items in sequence; an empty sequence matches the empty string.
    Concat(Vec<Node>),
    /// `a|b`: branches tried in order, the first that lets the rest match wins.
    Alt(Vec<Node>),
}

/// Minimum and maximum width in characters, as Python's `SubPattern.getwidth` counts it
/// (`group_widths` gives the widths of the groups a back-reference may copy).
/// Saturating arithmetic stands in for Python's clamping of widths to `MAXWIDTH`: a width
/// that large only has to compare as too much in the look-behind check.
pub(crate) fn width(node: &Node, group_widths: &[Option<(u64, u64)>]) -> (u64, u64) {
    match node {
        Node::Literal { .. } | Node::Any { .. } | Node::Class { .. } | Node::Category { .. } => {
            (1, 1)
        }
        Node::At(_) | Node::Look { .. } => (0, 0),
        Node::Group { body, .. } | Node::Atomic(body) => width(body, group_widths),
        Node::Repeat { min, max, body, .. } => {
            let (lo, hi) = width(body, group_widths);
            let lo = lo.saturating_mul(*min);
            let hi = match max {
                None if hi > 0 => MAXWIDTH,
                None => 0,
                Some(max) => hi.saturating_mul(*max),
            };
            (lo, hi)
        }
        Node::Backref { group, .. } => group_widths
            .get(*group)
            .copied()
            .flatten()
            .unwrap_or((0, 0)),
        Node::Cond { yes, no, .. } => {
            let (ylo, yhi) = width(yes, group_widths);
            match no {
                Some(no) => {
                    let (nlo, nhi) = width(no, group_widths);
                    (ylo.min(nlo), yhi.max(nhi))
                }
                None => (0, yhi),
            }
        }
        Node::Concat(items) => items.iter().fold((0u64, 0u64), |(lo, hi), item| {
            let (l, h) = width(item, group_widths);
            (lo.saturating_add(l), hi.saturating_add(h))
        }),
        Node::Alt(items) => {
            let mut lo = MAXWIDTH;
            let mut hi = 0;
            for item in items {
                let (l, h) = width(item, group_widths);
                lo = lo.min(l);
                hi = hi.max(h);
            }
            (lo, hi)
        }
    }
}

/// Whether `node` repeats (more than once) a body that can match the empty string and holds
/// capturing groups. Python then runs one more repetition that matches empty and keeps what
/// it captured (`(a|)*` on `aa` leaves group 1 empty); the engine keeps the last non-empty
/// repetition's captures instead (`a`).
pub(crate) fn has_empty_repeat_captures(node: &Node, widths: &[Option<(u64, u64)>]) -> bool {
    let recurse = |n: &Node| has_empty_repeat_captures(n, widths);
    match node {
        Node::Repeat { max, body, .. } => {
            let (lo, hi) = width(body, widths);
            let repeats = max.is_none_or(|m| m > 1);
            (repeats && lo == 0 && hi > 0 && has_capture(body)) || recurse(body)
        }
        Node::Group { body, .. } | Node::Atomic(body) | Node::Look { body, .. } => recurse(body),
        Node::Cond { yes, no, .. } => recurse(yes) || no.as_deref().is_some_and(recurse),
        Node::Concat(items) | Node::Alt(items) => items.iter().any(recurse),
        _ => false,
    }
}

/// Whether `node` holds a capturing group anywhere inside.
fn has_capture(node: &Node) -> bool {
    match node {
        Node::Group { index: Some(_), .. } => true,
        Node::Group { body, .. }
        | Node::Atomic(body)
        | Node::Look { body, .. }
        | Node::Repeat { body, .. } => has_capture(body),
        Node::Cond { yes, no, .. } => has_capture(yes) || no.as_deref().is_some_and(has_capture),
        Node::Concat(items) | Node::Alt(items) => items.iter().any(has_capture),
        _ => false,
    }
}

/// The longest piece of literal text that every match of `node` contains (case-sensitive
/// literals only). A text without it cannot match, which saves running the engine.
pub(crate) fn required_literal(node: &Node) -> Option<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    collect_literals(node, &mut runs, &mut current);
    runs.push(current);
    // The first of the longest, so the choice does not depend on iteration details.
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .fold(None, |best: Option<String>, r| match best {
            Some(b) if b.len() >= r.len() => Some(b),
            _ => Some(r),
        })
}

/// Gathers the literal runs of `node`: `current` grows while case-sensitive literals follow
/// each other and is pushed to `runs` when something else (a set, an alternation, an
/// optional part) breaks the run. Only runs that every match must contain are kept: the
/// bodies of alternations and optional repeats are not looked into, and a positive
/// look-around's text is a run of its own.
fn collect_literals(node: &Node, runs: &mut Vec<String>, current: &mut String) {
    let flush = |runs: &mut Vec<String>, current: &mut String| {
        runs.push(std::mem::take(current));
    };
    match node {
        Node::Literal {
            c, icase: false, ..
        } => match char::from_u32(*c) {
            Some(c) => current.push(c),
            None => flush(runs, current),
        },
        // Zero-width: the text around them is still contiguous.
        Node::At(_) => {}
        Node::Look {
            negate: false,
            body,
            ..
        } => {
            let mut inner = String::new();
            collect_literals(body, runs, &mut inner);
            runs.push(inner);
        }
        Node::Look { negate: true, .. } => {}
        Node::Group { body, .. } | Node::Atomic(body) => collect_literals(body, runs, current),
        Node::Concat(items) => items
            .iter()
            .for_each(|item| collect_literals(item, runs, current)),
        Node::Repeat { min, body, .. } if *min >= 1 => {
            flush(runs, current);
            collect_literals(body, runs, current);
            flush(runs, current);
        }
        _ => flush(runs, current),
    }
}
