//! Local replay without capturemock-core, for the size baseline: the line after the request's
//! own line in the raw text, exact matches only.

use crate::uart::Uart;
use crate::{read_line, send_escaped, TABLE_TEXT};

pub enum Form {
    Text,
    Binary,
}

pub struct State;

impl State {
    pub const fn new() -> Self {
        State
    }
}

pub fn run(uart: &mut Uart, form: Form, _state: &'static mut State) -> bool {
    if let Form::Binary = form {
        uart.send(b"!table\n");
        return false;
    }
    uart.send(b"ready\n");
    let mut line = [0u8; 160];
    loop {
        let Some(request) = read_line(uart, &mut line) else {
            uart.send(b"!long\n");
            continue;
        };
        if request.is_empty() {
            return true;
        }
        let mut lines = TABLE_TEXT.lines();
        let mut answered = false;
        while let Some(recorded) = lines.next() {
            if recorded.strip_prefix("<-CAL:").map(str::as_bytes) == Some(request) {
                let response = lines.next().unwrap_or("");
                uart.send(b"=");
                send_escaped(
                    uart,
                    response.strip_prefix("->RET:").unwrap_or("").as_bytes(),
                );
                answered = true;
                break;
            }
        }
        if !answered {
            uart.send(b"?");
        }
        uart.send(b"\n");
    }
}
