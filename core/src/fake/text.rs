//! Small `fmt::Write` sinks that let the engine measure, truncate and compare rendered text
//! without a buffer.

use core::fmt::{self, Write};

/// Counts the characters written (Python's `len` of the rendered text).
#[derive(Default)]
pub(crate) struct Counter {
    pub(crate) chars: usize,
    pub(crate) bytes: usize,
}

impl Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.chars = self.chars.saturating_add(s.chars().count());
        self.bytes = self.bytes.saturating_add(s.len());
        Ok(())
    }
}

/// Passes on the first `left` characters and silently drops the rest.
pub(crate) struct Truncate<'w, W: Write + ?Sized> {
    pub(crate) out: &'w mut W,
    pub(crate) left: usize,
}

impl<W: Write + ?Sized> Write for Truncate<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.left == 0 {
            return Ok(());
        }
        let cut = s.char_indices().nth(self.left).map_or(s.len(), |(i, _)| i);
        let head = s.get(..cut).unwrap_or(s);
        self.left = self.left.saturating_sub(head.chars().count());
        self.out.write_str(head)
    }
}

/// Remembers the last character written.
#[derive(Default)]
pub(crate) struct LastChar(pub(crate) Option<char>);

impl Write for LastChar {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(c) = s.chars().next_back() {
            self.0 = Some(c);
        }
        Ok(())
    }
}

/// Checks whether the rendered text, from byte `skip` on, starts with `part` (and, when
/// `whole` is set, is exactly `part`).
pub(crate) struct Compare<'p> {
    part: &'p [u8],
    skip: usize,
    seen: usize,
    ok: bool,
}

impl<'p> Compare<'p> {
    pub(crate) fn new(part: &'p str, skip: usize) -> Self {
        Compare {
            part: part.as_bytes(),
            skip,
            seen: 0,
            ok: true,
        }
    }

    /// Whether the text matched `part` from `skip` on.
    pub(crate) fn prefix_ok(&self) -> bool {
        self.ok && self.seen >= self.skip.saturating_add(self.part.len())
    }

    /// Whether the text from `skip` on was exactly `part`.
    pub(crate) fn exact_ok(&self) -> bool {
        self.ok && self.seen == self.skip.saturating_add(self.part.len())
    }
}

impl Write for Compare<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if let Some(pos) = self.seen.checked_sub(self.skip) {
                match self.part.get(pos) {
                    Some(&want) if want == b => {}
                    Some(_) => self.ok = false,
                    // Past the end of `part`: a prefix check is already decided, an exact
                    // check is told by `seen`.
                    None => {}
                }
            }
            self.seen = self.seen.saturating_add(1);
        }
        Ok(())
    }
}

/// Python's `fmt_val` shortening: a rendering longer than 50 characters keeps its first 46,
/// then `...`, then its closing bracket or quote if it had one.
pub(crate) struct Short<T>(pub(crate) T);

const MAX: usize = 50;

impl<T: fmt::Debug> fmt::Display for Short<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut count = Counter::default();
        write!(count, "{:?}", self.0)?;
        if count.chars <= MAX {
            return write!(f, "{:?}", self.0);
        }
        write!(
            Truncate {
                out: f,
                left: MAX - 4
            },
            "{:?}",
            self.0
        )?;
        f.write_str("...")?;
        let mut last = LastChar::default();
        write!(last, "{:?}", self.0)?;
        match last.0 {
            Some(c @ ('>' | '\'' | '"' | ']' | '}' | ')')) => f.write_char(c),
            _ => Ok(()),
        }
    }
}

/// Whether `thing`'s `Display` output is exactly `text`.
pub(crate) fn displays_as(thing: impl fmt::Display, text: &str) -> bool {
    let mut cmp = Compare::new(text, 0);
    write!(cmp, "{thing}").is_ok() && cmp.exact_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::string::String;

    #[test]
    fn short_values_are_kept() {
        assert_eq!(format!("{}", Short("x")), "\"x\"");
    }

    #[test]
    fn long_values_are_cut_like_fudge() {
        let long: String = core::iter::repeat_n('x', 60).collect();
        // Fudge: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'
        let want = format!("\"{}...\"", "x".repeat(45));
        assert_eq!(format!("{}", Short(&long)), want);
    }

    #[test]
    fn compare_prefix_and_exact() {
        let mut c = Compare::new("ab", 0);
        write!(c, "a").unwrap();
        write!(c, "bc").unwrap();
        assert!(c.prefix_ok());
        assert!(!c.exact_ok());
        let mut c = Compare::new("bc", 1);
        write!(c, "abc").unwrap();
        assert!(c.exact_ok());
        assert!(displays_as(5, "5"));
        assert!(!displays_as(5, "55"));
    }

    #[test]
    fn truncate_counts_chars() {
        let mut out = String::new();
        write!(
            Truncate {
                out: &mut out,
                left: 3
            },
            "héllo"
        )
        .unwrap();
        assert_eq!(out, "hél");
    }
}
