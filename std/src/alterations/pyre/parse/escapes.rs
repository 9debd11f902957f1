//! Escapes and `[...]` sets.
//! An escape means different things inside and outside a set (`\b` is a boundary outside
//! and a backspace inside; digits are group references only outside), so each place has its
//! own function. An escaped ASCII letter Python does not know is an error in both (`\p`,
//! `\z`, `\K`...), which keeps patterns written for other engines from silently changing
//! meaning; any other escaped character stands for itself.

use super::{is_hex, is_oct, Flags, Parser, PatternError};
use crate::alterations::pyre::ast::{At, Category, ClassItem, Node};

impl Parser {
    /// An escape outside a set.
    /// `c` is the escaped character, `here` its token. Digits follow Python's rule: `\0` and
    /// three octal digits are an octal escape (at most `\377`), one or two digits a group
    /// number, which must name a closed group (a reference to a group still open or not yet
    /// defined is an error, as in Python).
    pub(super) fn escape(&mut self, c: char, here: usize) -> Result<Node, PatternError> {
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
    /// Python wants exactly that many hex digits ("incomplete escape" otherwise) and nothing
    /// above U+10FFFF. Surrogates pass: the caller keeps them as code points and the emitter
    /// makes them match nothing, since no Rust string holds one.
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
    /// Unlike outside: `\b` is a backspace, anchors and back-references do not exist (`\A`,
    /// `\1`: an ASCII letter or digit Python does not know is an error), and any octal digit
    /// starts an octal escape.
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
    /// A `]` right after `[` or `[^` is a literal and `a-]` is `a` and `-`, as in Python. A
    /// range whose ends are not single characters (`[\w-z]`) or run backwards is "bad character
    /// range", reported at its first end.
    pub(super) fn class(&mut self, here: usize) -> Result<Node, PatternError> {
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
