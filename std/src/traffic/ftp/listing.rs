//! `->LST:` texts: a directory listing as the reference records it, Python's `pformat` of the
//! list of listing lines, and back.
//!
//! `pformat` writes the list's `repr` on one line when it fits in 80 columns, and otherwise
//! one item a line: `[` before the first, `,\n ` between, `]` after the last. It also splits
//! a single string whose `repr` does not fit on its line into adjacent literals; listing lines
//! that long (a name of about 60 characters or more) are written whole here, and such a
//! record file differs from the reference's.

use crate::python_literal::{parse_str_list, LiteralError};

/// `pformat`'s default width.
const WIDTH: usize = 80;

/// The `->LST:` text of `lines`.
pub fn format_listing(lines: &[String]) -> String {
    let mut reprs = Vec::with_capacity(lines.len());
    for line in lines {
        reprs.push(repr(line));
    }
    let one_line = format!("[{}]", reprs.join(", "));
    if one_line.chars().count() <= WIDTH || reprs.len() < 2 {
        return one_line;
    }
    format!("[{}]", reprs.join(",\n "))
}

/// Python 3's `repr` of a string: single quotes unless the text has a single quote and no
/// double one; printable characters kept, others escaped. (Characters Python deems
/// unprintable beyond the C0 and C1 controls are kept: listings do not hold them.)
fn repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\0'..='\u{1f}' | '\u{7f}'..='\u{a0}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// The lines of a recorded `->LST:` text (never evaluated: only a list of string literals is
/// read). Bytes that are not UTF-8 are replaced, as they were when the listing was read.
pub fn parse_listing(text: &str) -> Result<Vec<String>, LiteralError> {
    Ok(parse_str_list(text)?
        .into_iter()
        .map(|line| String::from_utf8_lossy(&line).into_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn short_listings_are_one_line_and_long_ones_one_item_a_line() {
        // Texts checked against Python's pprint.pformat.
        assert_eq!(format_listing(&[]), "[]");
        assert_eq!(format_listing(&lines(&["x"])), "['x']");
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        assert_eq!(
            format_listing(&lines(&[&a, &b])),
            format!("['{a}',\n '{b}']")
        );
        assert_eq!(format_listing(&lines(&["it's"])), r#"["it's"]"#);
        assert_eq!(format_listing(&lines(&["'\"\tcafé"])), r#"['\'"\tcafé']"#);
    }

    #[test]
    fn listings_read_back_as_written() {
        let listing = lines(&[
            "-rw-r--r--   1 root     root           12 Dec 03 22:47 hello.txt",
            "drwxr-xr-x   2 root     root         4096 Dec 03 22:47 sub dir",
        ]);
        assert_eq!(parse_listing(&format_listing(&listing)).unwrap(), listing);
        assert!(parse_listing("__import__('os')").is_err());
    }
}
