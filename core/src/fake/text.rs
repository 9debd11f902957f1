//! Small `fmt::Write` sinks that let the engine measure, truncate and compare rendered text
//! without a buffer.

use core::fmt::{self, Write};

/// Counts the characters written (Python's `len` of the rendered text).
#[derive(Default)]
pub(crate) struct Counter {
    pub(crate) chars: usize,
}

impl Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.chars = self.chars.saturating_add(s.chars().count());
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
        // `cut` is a char boundary of `s` or its length: the fallback is never taken.
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

/// Checks whether the rendered text is exactly `target`, without buffering it.
pub(crate) struct Equals<'t> {
    target: &'t [u8],
    seen: usize,
    ok: bool,
}

impl<'t> Equals<'t> {
    pub(crate) fn new(target: &'t str) -> Self {
        Equals {
            target: target.as_bytes(),
            seen: 0,
            ok: true,
        }
    }

    /// Whether everything written so far is exactly the target.
    pub(crate) fn matched(&self) -> bool {
        self.ok && self.seen == self.target.len()
    }
}

impl Write for Equals<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.seen.saturating_add(s.len());
        if self.target.get(self.seen..end) != Some(s.as_bytes()) {
            self.ok = false;
        }
        self.seen = end;
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
    let mut eq = Equals::new(text);
    write!(eq, "{thing}").is_ok() && eq.matched()
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
    fn equality_without_a_buffer() {
        let mut e = Equals::new("abc");
        write!(e, "a").unwrap();
        write!(e, "bc").unwrap();
        assert!(e.matched());
        write!(e, "d").unwrap();
        assert!(!e.matched());
        assert!(displays_as(5, "5"));
        assert!(!displays_as(5, "55"));
        assert!(!displays_as(55, "5"));
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
