//! Groups, look-arounds, conditionals and inline flags: everything after `(`.
//! Python 3.11's extensions are all here: `(?P<name>...)`, `(?P=name)`, `(?:...)`, `(?#...)`,
//! look-arounds, `(?(group)yes|no)`, atomic groups `(?>...)`, global flags `(?aimsux)` and
//! scoped flags `(?flags-flags:...)`. `(?<name>...)` is not: Python 3.11 refuses it.
//! Flags come in two scopes, as in Python: global flags (`(?x)`), allowed only at the very
//! start, change the parser's flags for the rest of the pattern; scoped flags change them for
//! the group's body only and are restored at its `)`. Either way the parser's flags are
//! stored into the nodes read under them, so the emitter never tracks scopes.

use super::{is_identifier, parse_group_number, Flags, Parser, PatternError, Tok};
use crate::alterations::pyre::ast::{width, Node};

impl Parser {
    /// After `(`: a group, an assertion, a conditional, flags or a comment. `None` for
    /// comments and global flags, which add no node.
    /// `start` is the token of `(`, where Python reports an unterminated group; `verbose` is
    /// updated in place when global flags turn verbose mode on for the rest of the pattern;
    /// `first` says whether global flags are allowed here (only at the start, since Python
    /// 3.11). A capturing group takes its number when its `(` is read, so numbers follow
    /// opening parentheses as in Python, and its width when its `)` is read.
    pub(super) fn group(
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
    /// The condition is a group name, which must already be defined, or a number, which may
    /// name a later group and is checked at the end of the pattern (`cond_refs`). 1,073,741,823
    /// is Python's `MAXGROUPS`. A third branch is an error, as in Python.
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
    /// Python's refusals come with its messages: `L` (bytes patterns only), `t`, `a` with `u`,
    /// turning `a`, `u` or `L` off, and a flag both turned on and off.
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
