//! A parser for Python `re` pattern syntax (Python 3.11 rules), producing [`Node`]s.
//! It accepts and rejects what Python's `re.compile` accepts and rejects, with the same
//! group numbering, so that group references in replacements mean the same thing.
//! The structure follows Python's own parser (`re._parser`, `sre_parse` before 3.11):
//! `parse_sub` reads an alternation, `parse_seq` one branch, `group` everything after `(`,
//! `escape` and `class` the backslashes and sets. The pattern is first cut into tokens (a
//! backslash joined to the character after it), as Python's tokenizer does, so an escaped
//! `\(` can never be taken for syntax later and error positions count characters, not bytes.
//! Errors use Python's messages, so a user can look them up. Nothing is compiled here; the
//! nodes go to `emit`.

mod escapes;
mod groups;

use super::ast::{width, At, Node, RepeatKind, MAXREPEAT};
use std::collections::HashMap;

/// A pattern Python would refuse, with the character position Python would report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {pos}")]
pub struct PatternError {
    /// What is wrong, in Python's words where it has them.
    pub message: String,
    /// 0-based character position in the pattern.
    pub pos: usize,
}

/// Inline flags.
/// Flags are resolved while parsing and stored on the nodes they change (a literal's
/// `icase`, an anchor's `multiline`), because a scoped group such as `(?i:...)` changes them
/// for part of the pattern only; the emitter then never needs to track flag scopes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags(u8);

impl Flags {
    /// `i`: literals, sets and back-references read under it are marked case-insensitive.
    pub(crate) const IGNORECASE: Flags = Flags(1);
    /// `m`: `^` and `$` read under it also match at line boundaries.
    pub(crate) const MULTILINE: Flags = Flags(2);
    /// `s`: `.` read under it also matches a newline.
    pub(crate) const DOTALL: Flags = Flags(4);
    /// `x`: unescaped white space and `#` comments are skipped, except inside sets.
    pub(crate) const VERBOSE: Flags = Flags(8);
    /// `a`: `\w`, `\d`, `\s`, `\b` and case folding keep to ASCII.
    pub(crate) const ASCII: Flags = Flags(16);
    /// `u`: already the default for text patterns; kept only so that `a` together with `u`
    /// can be refused as Python refuses it.
    pub(crate) const UNICODE: Flags = Flags(32);
    /// The flags of which only one may be in force: a scoped group that sets one clears the
    /// other.
    const TYPE: Flags = Flags(16 | 32);

    pub(crate) fn has(self, f: Flags) -> bool {
        self.0 & f.0 != 0
    }
    fn with(self, f: Flags) -> Flags {
        Flags(self.0 | f.0)
    }
    fn without(self, f: Flags) -> Flags {
        Flags(self.0 & !f.0)
    }
    /// The flag a letter after `(?` stands for; `None` for a letter Python does not know.
    fn from_letter(c: char) -> Option<Flags> {
        Some(match c {
            'i' => Self::IGNORECASE,
            'm' => Self::MULTILINE,
            's' => Self::DOTALL,
            'x' => Self::VERBOSE,
            'a' => Self::ASCII,
            'u' => Self::UNICODE,
            // `L` (locale) is refused for str patterns; `t` is an undocumented global flag.
            'L' | 't' => Flags(0),
            _ => return None,
        })
    }
}

/// A parsed pattern.
#[derive(Clone, Debug)]
pub(crate) struct Parsed {
    /// The whole pattern, with the flags resolved into its nodes.
    pub(crate) node: Node,
    /// Number of capturing groups.
    pub(crate) groups: usize,
    /// Named groups and their numbers.
    pub(crate) names: HashMap<String, usize>,
    /// Widths of the groups, for the look-behind check (index 0 unused).
    pub(crate) group_widths: Vec<Option<(u64, u64)>>,
}

/// A token: a character, or a backslash and the character after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tok {
    c: char,
    escaped: bool,
}

/// What verbose mode skips: Python's `WHITESPACE`, ASCII only (a no-break space in a verbose
/// pattern is a literal, as in Python).
const VERBOSE_SPACE: &[char] = &[' ', '\t', '\n', '\r', '\u{b}', '\u{c}'];

/// The parser's state: the tokens and a cursor into them, plus what Python's parser keeps
/// in its `State` (groups opened so far, names, the flags in force).
struct Parser {
    toks: Vec<Tok>,
    /// Character position of each token, plus one for the end.
    starts: Vec<usize>,
    /// Index of the next token to read in `toks`.
    i: usize,
    /// One entry per capturing group opened so far, index 0 standing for the whole match:
    /// `None` while the group is open, its `(min, max)` width once its `)` is read. Its length
    /// is the next group's number, and `None` is how a reference to a group that is still
    /// open is recognised and refused, as Python does.
    group_widths: Vec<Option<(u64, u64)>>,
    /// Group names defined so far, with their numbers: `(?P=name)` and `(?(name)...)` may only
    /// name a group defined earlier.
    names: HashMap<String, usize>,
    /// Inside a look-behind: the number the first group opened inside it gets. Python refuses
    /// back-references from a look-behind to a group defined in the same look-behind.
    lookbehind_groups: Option<usize>,
    /// The flags in force: global flags add to it, and a scoped group sets it for its body and
    /// restores it afterwards.
    flags: Flags,
    /// Group numbers used by `(?(n)yes|no)`, with their character positions. A conditional may
    /// name a group that comes later, so these are checked once the whole pattern is read.
    cond_refs: Vec<(usize, usize)>,
}

/// Parses `pattern` with Python's rules, as `re.compile(pattern, flags)` would.
/// Besides what the parts below refuse, the whole pattern is checked the way Python checks
/// it at the end: a `)` with no `(`, `a` and `u` both set (a global flag may set either),
/// a conditional naming a group that never came, and look-behinds of variable width.
pub(crate) fn parse(pattern: &str, flags: Flags) -> Result<Parsed, PatternError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut toks = Vec::with_capacity(chars.len());
    let mut starts = Vec::with_capacity(chars.len() + 1);
    let mut k = 0;
    while let Some(&c) = chars.get(k) {
        starts.push(k);
        if c == '\\' {
            let Some(&next) = chars.get(k + 1) else {
                return Err(PatternError {
                    message: "bad escape (end of pattern)".into(),
                    pos: k,
                });
            };
            toks.push(Tok {
                c: next,
                escaped: true,
            });
            k += 2;
        } else {
            toks.push(Tok { c, escaped: false });
            k += 1;
        }
    }
    starts.push(k);
    let mut p = Parser {
        toks,
        starts,
        i: 0,
        group_widths: vec![None],
        names: HashMap::new(),
        lookbehind_groups: None,
        flags,
        cond_refs: Vec::new(),
    };
    let node = p.parse_sub(flags.has(Flags::VERBOSE), 0)?;
    if p.peek().is_some() {
        return Err(p.err("unbalanced parenthesis"));
    }
    if p.flags.has(Flags::ASCII) && p.flags.has(Flags::UNICODE) {
        return Err(PatternError {
            message: "ASCII and UNICODE flags are incompatible".into(),
            pos: 0,
        });
    }
    let groups = p.group_widths.len() - 1;
    for &(g, pos) in &p.cond_refs {
        if g > groups {
            return Err(PatternError {
                message: format!("invalid group reference {g}"),
                pos,
            });
        }
    }
    check_lookbehinds(&node, &p.group_widths)?;
    Ok(Parsed {
        node,
        groups,
        names: p.names,
        group_widths: p.group_widths,
    })
}

/// Python's compiler refuses look-behinds whose width is not fixed.
/// Python raises these from its compiler, which gives no position, so they are reported at
/// position 0. It runs on the finished tree because a back-reference's width is its group's,
/// known only once the group is closed.
fn check_lookbehinds(node: &Node, widths: &[Option<(u64, u64)>]) -> Result<(), PatternError> {
    let err = |m: &str| PatternError {
        message: m.into(),
        pos: 0,
    };
    match node {
        Node::Look { behind, body, .. } => {
            if *behind {
                let (lo, hi) = width(body, widths);
                if lo > MAXREPEAT {
                    return Err(err("looks too much behind"));
                }
                if lo != hi {
                    return Err(err("look-behind requires fixed-width pattern"));
                }
            }
            check_lookbehinds(body, widths)
        }
        Node::Group { body, .. } | Node::Atomic(body) | Node::Repeat { body, .. } => {
            check_lookbehinds(body, widths)
        }
        Node::Cond { yes, no, .. } => {
            check_lookbehinds(yes, widths)?;
            match no {
                Some(no) => check_lookbehinds(no, widths),
                None => Ok(()),
            }
        }
        Node::Concat(items) | Node::Alt(items) => items
            .iter()
            .try_for_each(|item| check_lookbehinds(item, widths)),
        _ => Ok(()),
    }
}

/// Python's `str.isidentifier()`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || unicode_ident::is_xid_start(c) => {
            chars.all(unicode_ident::is_xid_continue)
        }
        _ => false,
    }
}

/// Python's `int()` on a group number written in a pattern or template: ASCII digits with
/// optional surrounding white space and `+` sign. `None` for anything else (including
/// negative numbers).
/// A number too large for `u64` gives `u64::MAX`, so the caller still reports it as an
/// invalid group reference rather than as a malformed name.
pub(crate) fn parse_group_number(text: &str) -> Option<u64> {
    let t = crate::rc::py_strip(text);
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().or(Some(u64::MAX))
}

fn is_hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}
fn is_oct(c: char) -> bool {
    ('0'..='7').contains(&c)
}

impl Parser {
    fn peek(&self) -> Option<Tok> {
        self.toks.get(self.i).copied()
    }

    fn get(&mut self) -> Option<Tok> {
        let t = self.peek();
        if t.is_some() {
            self.i += 1;
        }
        t
    }

    /// Consumes the next token if it is the unescaped character `c`.
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(Tok { c, escaped: false }) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Whether the next token is the unescaped `c`, without taking it. An escaped one (`\|`) is
    /// a literal and never counts as syntax.
    fn next_is(&self, c: char) -> bool {
        self.peek() == Some(Tok { c, escaped: false })
    }

    /// Character position of token `i`.
    /// Past the last token it is the end of the pattern, where Python reports "unexpected end
    /// of pattern".
    fn pos_of(&self, i: usize) -> usize {
        self.starts
            .get(i)
            .or(self.starts.last())
            .copied()
            .unwrap_or(0)
    }

    /// An error at the next token: where Python's tokenizer stands when it notices.
    fn err(&self, message: impl Into<String>) -> PatternError {
        PatternError {
            message: message.into(),
            pos: self.pos_of(self.i),
        }
    }

    /// An error at token `tok`: for errors Python reports at the start of a construct (a name,
    /// a group, a range) rather than where it noticed the problem.
    fn err_at(&self, message: impl Into<String>, tok: usize) -> PatternError {
        PatternError {
            message: message.into(),
            pos: self.pos_of(tok),
        }
    }

    /// Up to `n` unescaped characters satisfying `ok`.
    /// `n` gives escapes their fixed lengths (`\x` two hex digits, `\u` four, `\U` eight, an
    /// octal escape at most three digits); `usize::MAX` reads a whole number.
    fn get_while(&mut self, n: usize, ok: fn(char) -> bool) -> String {
        let mut s = String::new();
        for _ in 0..n {
            match self.peek() {
                Some(t) if !t.escaped && ok(t.c) => {
                    s.push(t.c);
                    self.i += 1;
                }
                _ => break,
            }
        }
        s
    }

    /// Tokens up to the unescaped `terminator`, as text (escapes keep their backslash).
    /// How Python reads a group name: a name with an escape in it is then refused as not an
    /// identifier, with Python's message, rather than read as some other name.
    fn get_until(&mut self, terminator: char, what: &str) -> Result<String, PatternError> {
        let start = self.i;
        let mut s = String::new();
        loop {
            let Some(t) = self.get() else {
                return Err(if s.is_empty() {
                    self.err(format!("missing {what}"))
                } else {
                    self.err_at(format!("missing {terminator}, unterminated name"), start)
                });
            };
            if !t.escaped && t.c == terminator {
                if s.is_empty() {
                    return Err(self.err_at(format!("missing {what}"), start));
                }
                return Ok(s);
            }
            if t.escaped {
                s.push('\\');
            }
            s.push(t.c);
        }
    }

    /// A group name must be a Python identifier; `at` is the token where the name starts.
    fn check_group_name(&self, name: &str, at: usize) -> Result<(), PatternError> {
        if is_identifier(name) {
            Ok(())
        } else {
            Err(self.err_at(format!("bad character in group name {name:?}"), at))
        }
    }

    /// Whether group `gid` exists and its `)` has been read.
    fn group_closed(&self, gid: usize) -> bool {
        matches!(self.group_widths.get(gid), Some(Some(_)))
    }

    /// Inside a look-behind, a reference to group `gid` must name a closed group opened before
    /// the look-behind began (Python's `checklookbehindgroup`). Outside one, anything goes here.
    fn check_lookbehind_group(&self, gid: usize, at: usize) -> Result<(), PatternError> {
        if let Some(first) = self.lookbehind_groups {
            if !self.group_closed(gid) {
                return Err(self.err_at("cannot refer to an open group", at));
            }
            if gid >= first {
                return Err(self.err_at(
                    "cannot refer to group defined in the same lookbehind subpattern",
                    at,
                ));
            }
        }
        Ok(())
    }

    /// An alternation `a|b|c`.
    /// `nested` is 0 at the top level only. There, each branch re-reads the verbose flag (a
    /// global `(?x)` at the start holds for every branch), and only the first branch may begin
    /// with global flags.
    fn parse_sub(&mut self, mut verbose: bool, nested: usize) -> Result<Node, PatternError> {
        let mut items = Vec::new();
        loop {
            let first = nested == 0 && items.is_empty();
            items.push(self.parse_seq(verbose, first)?);
            if !self.eat('|') {
                break;
            }
            if nested == 0 {
                verbose = self.flags.has(Flags::VERBOSE);
            }
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Node::Concat(Vec::new()))
        } else {
            Node::Alt(items)
        })
    }

    /// A sequence up to `|`, `)` or the end.
    /// A quantifier applies to the item read just before it (see `repeat`). `first` says
    /// whether global flags are still allowed, which is only at the very start of the pattern.
    fn parse_seq(&mut self, mut verbose: bool, first: bool) -> Result<Node, PatternError> {
        let mut items: Vec<Node> = Vec::new();
        while let Some(tok) = self.peek() {
            if !tok.escaped && (tok.c == '|' || tok.c == ')') {
                break;
            }
            let here = self.i;
            self.i += 1;
            if verbose && !tok.escaped {
                if VERBOSE_SPACE.contains(&tok.c) {
                    continue;
                }
                if tok.c == '#' {
                    while let Some(t) = self.get() {
                        if t == (Tok {
                            c: '\n',
                            escaped: false,
                        }) {
                            break;
                        }
                    }
                    continue;
                }
            }
            if tok.escaped {
                items.push(self.escape(tok.c, here)?);
                continue;
            }
            match tok.c {
                '[' => items.push(self.class(here)?),
                '*' | '+' | '?' | '{' => self.repeat(tok.c, here, &mut items)?,
                '.' => items.push(Node::Any {
                    dotall: self.flags.has(Flags::DOTALL),
                }),
                '(' => {
                    if let Some(node) = self.group(here, &mut verbose, first && items.is_empty())? {
                        items.push(node);
                    }
                }
                '^' => items.push(Node::At(At::Begin {
                    multiline: self.flags.has(Flags::MULTILINE),
                })),
                '$' => items.push(Node::At(At::End {
                    multiline: self.flags.has(Flags::MULTILINE),
                })),
                c => items.push(self.literal(c as u32)),
            }
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Node::Concat(Vec::new()))
        } else {
            Node::Concat(items)
        })
    }

    /// A literal under the flags in force here; see [`Flags`] for why they are stored per node.
    fn literal(&self, c: u32) -> Node {
        Node::Literal {
            c,
            icase: self.flags.has(Flags::IGNORECASE),
            ascii: self.ascii(),
        }
    }

    /// Whether `re.ASCII` is in force here, which `\w`, `\d`, `\s`, `\b` and case folding of
    /// what is read now depend on.
    fn ascii(&self) -> bool {
        self.flags.has(Flags::ASCII)
    }

    /// Applies `*`, `+`, `?` or `{...}` (the character `c`, at token `here`) to the last item.
    /// A `{` that does not start `{m}`, `{m,}`, `{,n}` or `{m,n}` is a literal, Python's rule
    /// where other engines refuse it. Counts must stay below `MAXREPEAT` (Python's
    /// `OverflowError`, which has no position, hence 0). Repeating nothing or an anchor is
    /// "nothing to repeat"; repeating a repeat is "multiple repeat", since a `?` or `+` after a
    /// quantifier makes it lazy or possessive instead.
    fn repeat(&mut self, c: char, here: usize, items: &mut Vec<Node>) -> Result<(), PatternError> {
        let (min, max) = match c {
            '?' => (0, Some(1)),
            '*' => (0, None),
            '+' => (1, None),
            _ => {
                // `{`: a quantifier only if it reads `{m}`, `{m,}`, `{,n}` or `{m,n}`.
                if self.next_is('}') {
                    items.push(self.literal('{' as u32));
                    return Ok(());
                }
                let after_brace = self.i;
                let lo = self.get_while(usize::MAX, |c| c.is_ascii_digit());
                let hi = if self.eat(',') {
                    Some(self.get_while(usize::MAX, |c| c.is_ascii_digit()))
                } else {
                    None
                };
                if !self.eat('}') {
                    items.push(self.literal('{' as u32));
                    self.i = after_brace;
                    return Ok(());
                }
                let number = |s: &str| -> Result<u64, PatternError> {
                    match s.parse::<u64>() {
                        Ok(n) if n < MAXREPEAT => Ok(n),
                        _ => Err(PatternError {
                            message: "the repetition number is too large".into(),
                            pos: 0,
                        }),
                    }
                };
                let min = if lo.is_empty() { 0 } else { number(&lo)? };
                let max = match hi.as_deref() {
                    None => Some(min),
                    Some("") => None,
                    Some(h) => Some(number(h)?),
                };
                if max.is_some_and(|m| m < min) {
                    return Err(self.err_at("min repeat greater than max repeat", after_brace));
                }
                (min, max)
            }
        };
        let target = match items.pop() {
            None | Some(Node::At(_)) => return Err(self.err_at("nothing to repeat", here)),
            Some(Node::Repeat { .. }) => return Err(self.err_at("multiple repeat", here)),
            Some(node) => node,
        };
        let kind = if self.eat('?') {
            RepeatKind::Lazy
        } else if self.eat('+') {
            RepeatKind::Possessive
        } else {
            RepeatKind::Greedy
        };
        items.push(Node::Repeat {
            min,
            max,
            kind,
            body: Box::new(target),
        });
        Ok(())
    }
}
