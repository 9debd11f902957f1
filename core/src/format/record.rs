//! One logical traffic item, as the reference sees it after reading a record file.

use serde::{Deserialize, Serialize};

/// One logical traffic item: the whole entry text including its prefix, after universal-newline
/// translation, with trailing newlines removed and `<CR>` / `<LF>` markers and our escapes
/// decoded (see the [module docs](super)), plus the entry's `--TIM:` timestamp if it had one.
///
/// `entry` is exactly the string the reference's `ReplayInfo.readIntoList` yields for the
/// entry, except that the trailing `--TIM:` line is not part of it.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Record<'a> {
    /// The entry text including its prefix, e.g. `"<-CAL:foo(1)\nsecond line"` or `"  ->RET:x"`.
    #[serde(borrow)]
    pub entry: &'a str,
    /// The timestamp written after the entry (the text after `--TIM:`), if any.
    #[serde(borrow)]
    pub timestamp: Option<&'a str>,
}

impl<'a> Record<'a> {
    /// A record without timestamp.
    pub const fn new(entry: &'a str) -> Self {
        Record {
            entry,
            timestamp: None,
        }
    }

    /// The text before the first `:` of the entry (all of it when there is no `:`), e.g.
    /// `"<-CAL"` or `"  ->RET"`.
    pub fn prefix(&self) -> &'a str {
        match self.entry.split_once(':') {
            Some((prefix, _)) => prefix,
            None => self.entry,
        }
    }

    /// The text after the first `:` of the entry, or `""` when there is none.
    pub fn text(&self) -> &'a str {
        match self.entry.split_once(':') {
            Some((_, text)) => text,
            None => "",
        }
    }

    /// Whether the item went from the system under test to the outside (prefix starts `<-`).
    pub fn is_from_sut(&self) -> bool {
        self.prefix().starts_with("<-")
    }

    /// The traffic type id: the last three characters of the prefix (`CAL`, `RET`, `PYT`...),
    /// or the whole prefix when it is shorter.
    pub fn type_id(&self) -> &'a str {
        let prefix = self.prefix();
        let start = prefix.char_indices().rev().nth(2).map_or(0, |(i, _)| i);
        // `start` is a char boundary of `prefix`: the fallback is never taken.
        prefix.get(start..).unwrap_or(prefix)
    }

    /// The nesting level the reference derives from the prefix length:
    /// `int(len(prefix) / 2) - 2`, with the length in code points (`<-CAL` is 0, `  ->RET` 1).
    pub fn indent_level(&self) -> i32 {
        let len = self.prefix().chars().count();
        // Saturates only for a prefix of more than 4 billion code points, which is deeper
        // than any real level either way (entry starts have prefixes under 10).
        i32::try_from(len / 2).unwrap_or(i32::MAX) - 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_an_entry() {
        let r = Record::new("<-CAL:foo(1)\nsecond: line");
        assert_eq!(r.prefix(), "<-CAL");
        assert_eq!(r.text(), "foo(1)\nsecond: line");
        assert!(r.is_from_sut());
        assert_eq!(r.type_id(), "CAL");
        assert_eq!(r.indent_level(), 0);

        let r = Record::new("  ->RET:x");
        assert_eq!(r.prefix(), "  ->RET");
        assert!(!r.is_from_sut());
        assert_eq!(r.type_id(), "RET");
        assert_eq!(r.indent_level(), 1);
    }

    #[test]
    fn entries_without_colon() {
        let r = Record::new("<-");
        assert_eq!(r.prefix(), "<-");
        assert_eq!(r.text(), "");
        assert_eq!(r.type_id(), "<-");
        assert_eq!(r.indent_level(), -1);
        let r = Record::new("");
        assert_eq!(r.type_id(), "");
        assert_eq!(r.indent_level(), -2);
    }

    #[test]
    fn lengths_count_code_points() {
        let r = Record::new("é->RÉT:x");
        assert_eq!(r.type_id(), "RÉT");
        assert_eq!(r.indent_level(), 1);
        // The reference nests Python call-backs by extending the arrow with dashes.
        assert_eq!(Record::new("--->PYT:x").indent_level(), 1);
        assert_eq!(Record::new("<-----PYT:x").indent_level(), 2);
    }
}
