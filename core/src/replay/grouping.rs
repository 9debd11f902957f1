//! Which entries of a record file are requests and which are responses, and to which request
//! a response belongs: the reference's nesting rule, as a small state machine.
//!
//! An entry from the system under test (`<-`) is a request; the entries after it are its
//! responses until the next request. Call-backs nest: their prefixes are longer
//! (`--->PYT`, `<---PYT`), which the reference turns into an indent level of
//! `len(prefix) / 2 - 2`, and it keeps a stack of open requests, one per level. The same
//! machine serves building a table and measuring what a table will need, so the two can
//! never disagree.

use super::{BuildError, MAX_NESTING};
use crate::format::Record;

/// An open request: the reference's `currResponseHandlers` entry.
#[derive(Clone, Copy, Debug)]
struct Open {
    request: u32,
    from_sut: bool,
}

/// What one entry is (its role in grouping; std's `traffic::play::Role` is a traffic item's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryRole {
    /// It is a response of this open request (its newest group).
    pub response_of: Option<u32>,
    /// It is also (or only) a request occurrence: call [`Grouping::open`] with its id.
    pub opens_request: bool,
}

/// The stack of open requests while reading entries in file order.
///
/// Public so that tools that edit record files (std's `capturemock prune`) cut a file into
/// exchanges by the very rule the table is built with, rather than by a copy of it.
#[derive(Default, Debug)]
pub struct Grouping {
    stack: heapless::Vec<Open, MAX_NESTING>,
    /// Indent and direction of the entry last given to [`Grouping::classify`].
    current: (i32, bool),
}

impl Grouping {
    /// Classifies the next entry, closing the requests it completes.
    pub fn classify(&mut self, record: &Record<'_>) -> EntryRole {
        let indent = record.indent_level();
        let from_sut = record.is_from_sut();
        self.current = (indent, from_sut);
        while let Some(top) = self.stack.last() {
            let top_indent = self.stack.len() as i32 - 1;
            let completed =
                indent < top_indent || (indent == top_indent && top.from_sut == from_sut);
            if !completed {
                break;
            }
            self.stack.pop();
        }
        let response_of = match self.stack.last() {
            Some(top) if !from_sut || indent.rem_euclid(2) == 1 => Some(top.request),
            _ => None,
        };
        // The reference also opens a request for an entry deeper than the stack, whatever its
        // direction (a call-back's own response handler).
        let opens_request = from_sut || indent > self.stack.len() as i32 - 1;
        EntryRole {
            response_of,
            opens_request,
        }
    }

    /// Records that the entry just classified opened `request`.
    pub fn open(&mut self, request: u32) -> Result<(), BuildError> {
        let (indent, from_sut) = self.current;
        let open = Open { request, from_sut };
        if indent > self.stack.len() as i32 - 1 || self.stack.is_empty() {
            // With an empty stack and a prefix of two or three characters the reference fails
            // on an empty list; opening the request is the sane reading.
            self.stack
                .push(open)
                .map_err(|_| BuildError::NestingTooDeep)
        } else {
            if let Some(top) = self.stack.last_mut() {
                *top = open;
            }
            Ok(())
        }
    }
}
