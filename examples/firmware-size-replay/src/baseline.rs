//! Answers without capturemock-core: the line after the request's own line in the raw text.

use crate::{emit, TABLE_TEXT};

/// Nothing to keep in RAM.
pub struct State;

impl State {
    pub const fn new() -> Self {
        State
    }
}

pub struct Responder;

impl Responder {
    pub fn new(_state: &'static mut State) -> Result<Self, u8> {
        Ok(Responder)
    }

    /// Writes `=` and the line after the request's line, or `?` when it is not there.
    pub fn answer(&mut self, request: &str) {
        let mut lines = TABLE_TEXT.lines();
        while let Some(line) = lines.next() {
            if line == request {
                emit(b"=");
                emit(lines.next().unwrap_or("").as_bytes());
                return;
            }
        }
        emit(b"?");
    }
}
