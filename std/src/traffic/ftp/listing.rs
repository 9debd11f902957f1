//! `->LST:` texts: a directory listing as the reference records it, Python's `pformat` of the
//! list of listing lines, and back.
//!
//! `pformat` writes the list's `repr` on one line when it fits in 80 columns, and otherwise
//! one item a line: `[` before the first, `,\n ` between, `]` after the last. A line whose
//! `repr` does not fit on its own line either (a name of about 60 characters or more) is cut
//! after white space into adjacent literals, one a line, which Python reads back as one
//! string.

use crate::python_literal::{parse_str_list, LiteralError};
use crate::traffic::python_str::{len, write_split_str, write_str};

/// `pformat`'s default width.
const WIDTH: usize = 80;

/// The `->LST:` text of `lines`.
pub fn format_listing(lines: &[String]) -> String {
    let mut one_line = String::from("[");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            one_line.push_str(", ");
        }
        write_str(&mut one_line, line);
    }
    one_line.push(']');
    if len(&one_line) <= WIDTH {
        return one_line;
    }
    // Each item starts in column 1 and has one column after it (`,` or `]`) to keep free;
    // an item's `repr` that does not fit there is split.
    let mut out = String::from("[");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n ");
        }
        let mut item = String::new();
        write_str(&mut item, line);
        if len(&item) > WIDTH - 2 {
            write_split_str(&mut out, line, WIDTH, 1, 1, 2);
        } else {
            out.push_str(&item);
        }
    }
    out.push(']');
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
    fn lines_too_long_for_their_line_are_cut_as_pformat_cuts_them() {
        // Texts from Python 3.11's pprint.pformat.
        let long = "-rw-r--r--   1 root     root            5 Dec 03 10:00 \
                    a_really_long_file_name_that_goes_on_and_on_for_ever.txt";
        let sub = "drwxr-xr-x   2 root     root         4096 Dec 03 10:00 sub";
        assert_eq!(
            format_listing(&lines(&[long, sub])),
            "['-rw-r--r--   1 root     root            5 Dec 03 10:00 '\n \
             'a_really_long_file_name_that_goes_on_and_on_for_ever.txt',\n \
             'drwxr-xr-x   2 root     root         4096 Dec 03 10:00 sub']"
        );
        assert_eq!(
            format_listing(&lines(&[long])),
            "['-rw-r--r--   1 root     root            5 Dec 03 10:00 '\n \
             'a_really_long_file_name_that_goes_on_and_on_for_ever.txt']"
        );
        let spaced = "drwxr-xr-x   2 root     root         4096 Dec 03 10:00 \
                      a name with spaces and more spaces and more";
        assert_eq!(
            format_listing(&lines(&["short", spaced])),
            "['short',\n \
             'drwxr-xr-x   2 root     root         4096 Dec 03 10:00 a name with spaces '\n \
             'and more spaces and more']"
        );
        // No white space to cut at: the line stays whole.
        let x = "x".repeat(90);
        assert_eq!(format_listing(&lines(&[&x])), format!("['{x}']"));
        for listing in [vec![long, sub], vec![long], vec!["short", spaced]] {
            let listing = lines(&listing);
            assert_eq!(parse_listing(&format_listing(&listing)).unwrap(), listing);
        }
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
