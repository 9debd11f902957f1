//! A parser for Python `re` pattern syntax (Python 3.11 rules), producing [`Node`]s.
//! It accepts and rejects what Python's `re.compile` accepts and rejects, with the same
//! group numbering, so that group references in replacements mean the same thing.

use super::ast::{width, At, Category, ClassItem, Node, RepeatKind, MAXREPEAT};
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags(u8);

impl Flags {
    pub(crate) const IGNORECASE: Flags = Flags(1);
    pub(crate) const MULTILINE: Flags = Flags(2);
    pub(crate) const DOTALL: Flags = Flags(4);
    pub(crate) const VERBOSE: Flags = Flags(8);
    pub(crate) const ASCII: Flags = Flags(16);
    pub(crate) const UNICODE: Flags = Flags(32);
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

const VERBOSE_SPACE: &[char] = &[' ', '\t', '\n', '\r', '\u{b}', '\u{c}'];

struct Parser {
    toks: Vec<Tok>,
    /// Character position of each token, plus one for the end.
    starts: Vec<usize>,
    i: usize,
    group_widths: Vec<Option<(u64, u64)>>,
    names: HashMap<String, usize>,
    lookbehind_groups: Option<usize>,
    flags: Flags,
    cond_refs: Vec<(usize, usize)>,
}

/// Parses `pattern` with Python's rules.
pub(crate) fn parse(pattern: &str) -> Result<Parsed, PatternError> {
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
        flags: Flags::default(),
        cond_refs: Vec::new(),
    };
    let node = p.parse_sub(false, 0)?;
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

    fn next_is(&self, c: char) -> bool {
        self.peek() == Some(Tok { c, escaped: false })
    }

    /// Character position of token `i`.
    fn pos_of(&self, i: usize) -> usize {
        self.starts
            .get(i)
            .or(self.starts.last())
            .copied()
            .unwrap_or(0)
    }

    fn err(&self, message: impl Into<String>) -> PatternError {
        PatternError {
            message: message.into(),
            pos: self.pos_of(self.i),
        }
    }

    fn err_at(&self, message: impl Into<String>, tok: usize) -> PatternError {
        PatternError {
            message: message.into(),
            pos: self.pos_of(tok),
        }
    }

    /// Up to `n` unescaped characters satisfying `ok`.
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

    fn check_group_name(&self, name: &str, at: usize) -> Result<(), PatternError> {
        if is_identifier(name) {
            Ok(())
        } else {
            Err(self.err_at(format!("bad character in group name {name:?}"), at))
        }
    }

    fn group_closed(&self, gid: usize) -> bool {
        matches!(self.group_widths.get(gid), Some(Some(_)))
    }

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

    fn literal(&self, c: u32) -> Node {
        Node::Literal {
            c,
            icase: self.flags.has(Flags::IGNORECASE),
        }
    }

    fn ascii(&self) -> bool {
        self.flags.has(Flags::ASCII)
    }

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

    /// An escape outside a set.
    fn escape(&mut self, c: char, here: usize) -> Result<Node, PatternError> {
        let ascii = self.ascii();
        let category = |cat| Ok(Node::Category { cat, ascii });
        match c {
            'A' => return Ok(Node::At(At::BeginString)),
            'Z' => return Ok(Node::At(At::EndString)),
            'b' => return Ok(Node::At(At::Boundary { ascii })),
            'B' => return Ok(Node::At(At::NonBoundary { ascii })),
            'd' => return category(Category::Digit),
            'D' => return category(Category::NotDigit),
            's' => return category(Category::Space),
            'S' => return category(Category::NotSpace),
            'w' => return category(Category::Word),
            'W' => return category(Category::NotWord),
            _ => {}
        }
        if let Some(v) = simple_escape(c) {
            return Ok(self.literal(v));
        }
        match c {
            'x' | 'u' | 'U' | 'N' => {
                let v = self.code_escape(c, here)?;
                Ok(self.literal(v))
            }
            '0' => {
                let digits = self.get_while(2, is_oct);
                Ok(self.literal(u32::from_str_radix(&digits, 8).unwrap_or(0)))
            }
            '1'..='9' => {
                let mut digits = c.to_string();
                if let Some(t) = self.peek().filter(|t| !t.escaped && t.c.is_ascii_digit()) {
                    self.i += 1;
                    digits.push(t.c);
                    let third = self.peek().filter(|t| !t.escaped && is_oct(t.c));
                    if let (true, true, Some(t3)) = (is_oct(c), is_oct(t.c), third) {
                        self.i += 1;
                        digits.push(t3.c);
                        let v = u32::from_str_radix(&digits, 8).unwrap_or(u32::MAX);
                        if v > 0o377 {
                            return Err(self.err_at(
                                format!("octal escape value \\{digits} outside of range 0-0o377"),
                                here,
                            ));
                        }
                        return Ok(self.literal(v));
                    }
                }
                let group: usize = digits.parse().unwrap_or(usize::MAX);
                if group < self.group_widths.len() {
                    if !self.group_closed(group) {
                        return Err(self.err_at("cannot refer to an open group", here));
                    }
                    self.check_lookbehind_group(group, here)?;
                    return Ok(Node::Backref {
                        group,
                        icase: self.flags.has(Flags::IGNORECASE),
                    });
                }
                Err(self.err_at(format!("invalid group reference {group}"), here + 1))
            }
            c if c.is_ascii_alphabetic() => Err(self.err_at(format!("bad escape \\{c}"), here)),
            c => Ok(self.literal(c as u32)),
        }
    }

    /// `\xhh`, `\uhhhh`, `\Uhhhhhhhh` (and `\N{...}`, which is refused: no name table here).
    fn code_escape(&mut self, c: char, here: usize) -> Result<u32, PatternError> {
        let n = match c {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => return Err(self.err_at(
                "\\N{...} named characters are not supported here; write the character or \\uXXXX",
                here,
            )),
        };
        let digits = self.get_while(n, is_hex);
        if digits.len() != n {
            return Err(self.err_at(format!("incomplete escape \\{c}{digits}"), here));
        }
        let v = u32::from_str_radix(&digits, 16).unwrap_or(u32::MAX);
        if v > 0x10ffff {
            return Err(self.err_at(format!("bad escape \\{c}{digits}"), here));
        }
        Ok(v)
    }

    /// An escape inside a set: a character or a category.
    fn class_escape(&mut self, c: char, here: usize) -> Result<ClassItem, PatternError> {
        if let Some(v) = simple_escape(c) {
            return Ok(ClassItem::Char(v));
        }
        if c == 'b' {
            return Ok(ClassItem::Char(8));
        }
        let cat = match c {
            'd' => Some(Category::Digit),
            'D' => Some(Category::NotDigit),
            's' => Some(Category::Space),
            'S' => Some(Category::NotSpace),
            'w' => Some(Category::Word),
            'W' => Some(Category::NotWord),
            _ => None,
        };
        if let Some(cat) = cat {
            return Ok(ClassItem::Category(cat));
        }
        match c {
            'x' | 'u' | 'U' | 'N' => Ok(ClassItem::Char(self.code_escape(c, here)?)),
            c if is_oct(c) => {
                let digits = format!("{c}{}", self.get_while(2, is_oct));
                let v = u32::from_str_radix(&digits, 8).unwrap_or(u32::MAX);
                if v > 0o377 {
                    return Err(self.err_at(
                        format!("octal escape value \\{digits} outside of range 0-0o377"),
                        here,
                    ));
                }
                Ok(ClassItem::Char(v))
            }
            c if c.is_ascii_alphanumeric() => Err(self.err_at(format!("bad escape \\{c}"), here)),
            c => Ok(ClassItem::Char(c as u32)),
        }
    }

    /// A `[...]` set; `here` is the token index of `[`.
    fn class(&mut self, here: usize) -> Result<Node, PatternError> {
        let negate = self.eat('^');
        let mut items: Vec<ClassItem> = Vec::new();
        loop {
            let at = self.i;
            let Some(tok) = self.get() else {
                return Err(self.err_at("unterminated character set", here));
            };
            if !tok.escaped && tok.c == ']' && !items.is_empty() {
                break;
            }
            let first = if tok.escaped {
                self.class_escape(tok.c, at)?
            } else {
                ClassItem::Char(tok.c as u32)
            };
            if self.eat('-') {
                let at2 = self.i;
                let Some(tok2) = self.get() else {
                    return Err(self.err_at("unterminated character set", here));
                };
                if !tok2.escaped && tok2.c == ']' {
                    items.push(first);
                    items.push(ClassItem::Char('-' as u32));
                    break;
                }
                let second = if tok2.escaped {
                    self.class_escape(tok2.c, at2)?
                } else {
                    ClassItem::Char(tok2.c as u32)
                };
                match (first, second) {
                    (ClassItem::Char(lo), ClassItem::Char(hi)) if lo <= hi => {
                        items.push(ClassItem::Range(lo, hi))
                    }
                    _ => return Err(self.err_at("bad character range", at)),
                }
            } else {
                items.push(first);
            }
        }
        Ok(Node::Class {
            items,
            negate,
            icase: self.flags.has(Flags::IGNORECASE),
            ascii: self.ascii(),
        })
    }

    /// After `(`: a group, an assertion, a conditional, flags or a comment. `None` for
    /// comments and global flags, which add no node.
    fn group(
        &mut self,
        start: usize,
        verbose: &mut bool,
        first: bool,
    ) -> Result<Option<Node>, PatternError> {
        let mut capture = true;
        let mut atomic = false;
        let mut name = None;
        let mut scoped: Option<(Flags, Flags)> = None;
        if self.eat('?') {
            let at = self.i;
            let Some(t) = self.get() else {
                return Err(self.err("unexpected end of pattern"));
            };
            let c = if t.escaped { '\\' } else { t.c };
            match c {
                'P' => {
                    if self.eat('<') {
                        let at = self.i;
                        let n = self.get_until('>', "group name")?;
                        self.check_group_name(&n, at)?;
                        name = Some(n);
                    } else if self.eat('=') {
                        let at = self.i;
                        let n = self.get_until(')', "group name")?;
                        self.check_group_name(&n, at)?;
                        let Some(&gid) = self.names.get(&n) else {
                            return Err(self.err_at(format!("unknown group name {n:?}"), at));
                        };
                        if !self.group_closed(gid) {
                            return Err(self.err_at("cannot refer to an open group", at));
                        }
                        self.check_lookbehind_group(gid, at)?;
                        return Ok(Some(Node::Backref {
                            group: gid,
                            icase: self.flags.has(Flags::IGNORECASE),
                        }));
                    } else {
                        return Err(match self.get() {
                            None => self.err("unexpected end of pattern"),
                            Some(t) => self.err_at(format!("unknown extension ?P{}", t.c), at),
                        });
                    }
                }
                ':' => capture = false,
                '#' => loop {
                    match self.get() {
                        None => return Err(self.err_at("missing ), unterminated comment", start)),
                        Some(Tok {
                            c: ')',
                            escaped: false,
                        }) => return Ok(None),
                        Some(_) => {}
                    }
                },
                '=' | '!' | '<' => {
                    let mut kind = c;
                    let behind = c == '<';
                    if behind {
                        let at = self.i;
                        match self.get() {
                            None => return Err(self.err("unexpected end of pattern")),
                            Some(t) if !t.escaped && (t.c == '=' || t.c == '!') => kind = t.c,
                            Some(t) => {
                                return Err(self.err_at(format!("unknown extension ?<{}", t.c), at))
                            }
                        }
                    }
                    let saved = self.lookbehind_groups;
                    if behind && saved.is_none() {
                        self.lookbehind_groups = Some(self.group_widths.len());
                    }
                    let body = self.parse_sub(*verbose, 2)?;
                    if behind && saved.is_none() {
                        self.lookbehind_groups = None;
                    }
                    if !self.eat(')') {
                        return Err(self.err_at("missing ), unterminated subpattern", start));
                    }
                    return Ok(Some(Node::Look {
                        behind,
                        negate: kind == '!',
                        body: Box::new(body),
                    }));
                }
                '(' => return self.conditional(start, *verbose).map(Some),
                '>' => {
                    capture = false;
                    atomic = true;
                }
                c if c == '-' || Flags::from_letter(c).is_some() => {
                    match self.flag_group(c, at)? {
                        None => {
                            if !first {
                                return Err(self.err_at(
                                    "global flags not at the start of the expression",
                                    start,
                                ));
                            }
                            *verbose = self.flags.has(Flags::VERBOSE);
                            return Ok(None);
                        }
                        Some(pair) => {
                            scoped = Some(pair);
                            capture = false;
                        }
                    }
                }
                c => return Err(self.err_at(format!("unknown extension ?{c}"), at)),
            }
        }
        let index = if capture {
            let gid = self.group_widths.len();
            if let Some(n) = &name {
                if let Some(&old) = self.names.get(n) {
                    return Err(self.err_at(
                        format!("redefinition of group name {n:?} as group {gid}; was group {old}"),
                        start,
                    ));
                }
                self.names.insert(n.clone(), gid);
            }
            self.group_widths.push(None);
            Some(gid)
        } else {
            None
        };
        let saved_flags = self.flags;
        let mut sub_verbose = *verbose;
        if let Some((add, del)) = scoped {
            let mut f = self.flags;
            if add.0 & Flags::TYPE.0 != 0 {
                f = f.without(Flags::TYPE);
            }
            self.flags = f.with(add).without(del);
            sub_verbose = (sub_verbose || add.has(Flags::VERBOSE)) && !del.has(Flags::VERBOSE);
        }
        let body = self.parse_sub(sub_verbose, 2);
        self.flags = saved_flags;
        let body = body?;
        if !self.eat(')') {
            return Err(self.err_at("missing ), unterminated subpattern", start));
        }
        if let Some(gid) = index {
            let w = width(&body, &self.group_widths);
            if let Some(slot) = self.group_widths.get_mut(gid) {
                *slot = Some(w);
            }
        }
        let body = Box::new(body);
        Ok(Some(if atomic {
            Node::Atomic(body)
        } else {
            Node::Group { index, body }
        }))
    }

    /// `(?(cond)yes|no)`, after `(?(`.
    fn conditional(&mut self, start: usize, verbose: bool) -> Result<Node, PatternError> {
        let at = self.i;
        let name = self.get_until(')', "group name")?;
        let group = if is_identifier(&name) {
            match self.names.get(&name) {
                Some(&g) => g,
                None => return Err(self.err_at(format!("unknown group name {name:?}"), at)),
            }
        } else {
            let Some(g) = parse_group_number(&name) else {
                return Err(self.err_at(format!("bad character in group name {name:?}"), at));
            };
            if g == 0 {
                return Err(self.err_at("bad group number", at));
            }
            let g = usize::try_from(g).unwrap_or(usize::MAX);
            if g >= 1_073_741_823 {
                return Err(self.err_at(format!("invalid group reference {g}"), at));
            }
            self.cond_refs.push((g, self.pos_of(at)));
            g
        };
        self.check_lookbehind_group(group, at)?;
        let yes = self.parse_seq(verbose, false)?;
        let no = if self.eat('|') {
            let no = self.parse_seq(verbose, false)?;
            if self.next_is('|') {
                return Err(self.err("conditional backref with more than two branches"));
            }
            Some(Box::new(no))
        } else {
            None
        };
        if !self.eat(')') {
            return Err(self.err_at("missing ), unterminated subpattern", start));
        }
        Ok(Node::Cond {
            group,
            yes: Box::new(yes),
            no,
        })
    }

    /// Flags after `(?`: `None` for global flags `(?aiLmsux)`, else the scoped
    /// `(?flags-flags:` pair.
    fn flag_group(
        &mut self,
        mut c: char,
        at: usize,
    ) -> Result<Option<(Flags, Flags)>, PatternError> {
        let mut add = Flags::default();
        let mut del = Flags::default();
        let mut letters = 0usize;
        if c != '-' {
            loop {
                if c == 'L' {
                    return Err(self.err_at(
                        "bad inline flags: cannot use 'L' flag with a str pattern",
                        at,
                    ));
                }
                if c == 't' {
                    return Err(self.err_at("the 't' (template) flag is not supported", at));
                }
                let f = Flags::from_letter(c).unwrap_or_default();
                add = add.with(f);
                letters += 1;
                if add.has(Flags::ASCII) && add.has(Flags::UNICODE) {
                    return Err(self.err_at(
                        "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                        at,
                    ));
                }
                let Some(t) = self.get() else {
                    return Err(self.err("missing -, : or )"));
                };
                c = if t.escaped { '\\' } else { t.c };
                if t.escaped && letters > 0 {
                    return Err(self.err("missing -, : or )"));
                }
                if matches!(c, ')' | '-' | ':') {
                    break;
                }
                if Flags::from_letter(c).is_none() {
                    return Err(self.err(if c.is_alphabetic() {
                        "unknown flag"
                    } else {
                        "missing -, : or )"
                    }));
                }
            }
        }
        if c == ')' {
            self.flags = self.flags.with(add);
            return Ok(None);
        }
        if c == '-' {
            let Some(t) = self.get() else {
                return Err(self.err("missing flag"));
            };
            c = t.c;
            if t.escaped || Flags::from_letter(c).is_none() {
                return Err(self.err(if !t.escaped && c.is_alphabetic() {
                    "unknown flag"
                } else {
                    "missing flag"
                }));
            }
            loop {
                if matches!(c, 'a' | 'u' | 'L') {
                    return Err(
                        self.err("bad inline flags: cannot turn off flags 'a', 'u' and 'L'")
                    );
                }
                if c == 't' {
                    return Err(self.err("bad inline flags: cannot turn off global flag"));
                }
                del = del.with(Flags::from_letter(c).unwrap_or_default());
                let Some(t) = self.get() else {
                    return Err(self.err("missing :"));
                };
                c = t.c;
                if !t.escaped && c == ':' {
                    break;
                }
                if t.escaped || Flags::from_letter(c).is_none() {
                    return Err(self.err(if !t.escaped && c.is_alphabetic() {
                        "unknown flag"
                    } else {
                        "missing :"
                    }));
                }
            }
        }
        if add.0 & del.0 != 0 {
            return Err(self.err("bad inline flags: flag turned on and off"));
        }
        Ok(Some((add, del)))
    }
}

/// `\a \f \n \r \t \v \\` (and `\b` outside sets is a boundary, handled by the caller).
fn simple_escape(c: char) -> Option<u32> {
    Some(match c {
        'a' => 7,
        'f' => 12,
        'n' => 10,
        'r' => 13,
        't' => 9,
        'v' => 11,
        '\\' => 92,
        _ => return None,
    })
}
