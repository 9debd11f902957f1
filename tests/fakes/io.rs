//! The embedded-io fake: a modem driver talks to a scripted peer.

use capturemock::fake::io::{Error, IoFake};
use embedded_io::{ErrorKind, Read, Write};

use super::panic_message;

/// The driver under test: asks a modem for its signal quality (`AT+CSQ`).
fn signal_quality<P: Read + Write>(port: &mut P) -> Result<u8, ErrorKind> {
    let kind = |e: P::Error| embedded_io::Error::kind(&e);
    write!(port, "AT+CSQ\r\n").map_err(|e| match e {
        embedded_io::WriteFmtError::Other(e) => kind(e),
        embedded_io::WriteFmtError::FmtError => ErrorKind::Other,
    })?;
    port.flush().map_err(kind)?;
    let mut reply = [0u8; 32];
    let mut len = 0;
    while !reply[..len].ends_with(b"OK\r\n") {
        let n = port.read(&mut reply[len..]).map_err(kind)?;
        if n == 0 {
            return Err(ErrorKind::InvalidData);
        }
        len += n;
    }
    let text = core::str::from_utf8(&reply[..len]).map_err(|_| ErrorKind::InvalidData)?;
    let value = text
        .strip_prefix("+CSQ: ")
        .and_then(|rest| rest.split(',').next())
        .ok_or(ErrorKind::InvalidData)?;
    value.parse().map_err(|_| ErrorKind::InvalidData)
}

#[test]
fn scripted_conversation() {
    let mut modem = IoFake::new("modem");
    modem
        .expect_write(b"AT+CSQ\r\n")
        .expect_flush()
        .expect_read(b"+CSQ: 21,0\r\n")
        .expect_read(b"OK\r\n");
    assert_eq!(signal_quality(&mut modem), Ok(21));
    modem.verify();
}

#[test]
fn injected_read_error() {
    let mut modem = IoFake::new("modem");
    modem
        .expect_write(b"AT+CSQ\r\n")
        .allow_flush()
        .expect_read_error(ErrorKind::TimedOut);
    assert_eq!(signal_quality(&mut modem), Err(ErrorKind::TimedOut));
}

#[test]
fn injected_write_error() {
    let mut modem = IoFake::new("modem");
    modem.expect_write_error(ErrorKind::BrokenPipe);
    assert_eq!(signal_quality(&mut modem), Err(ErrorKind::BrokenPipe));
    modem.verify();
    // A second write was not scripted: the error is injected once.
    let mut modem = IoFake::new("modem");
    modem
        .expect_write_error(ErrorKind::BrokenPipe)
        .expect_write(b"AT");
    assert_eq!(
        modem.write(b"AT"),
        Err(Error::Injected(ErrorKind::BrokenPipe))
    );
    assert_eq!(modem.write(b"AT"), Ok(2));
}

#[test]
fn wrong_command_panics_with_fudges_message() {
    let message = panic_message(|| {
        let mut modem = IoFake::new("modem");
        modem.expect_write(b"AT+CREG?\r\n");
        let _ = signal_quality(&mut modem);
    });
    assert_eq!(
        message,
        "fake:modem.write([65, 84, 43, 67, 82, 69, 71, 63, 13, 10]) was called unexpectedly \
         with args ([65, 84, 43, 67, 83, 81, 13, 10])"
    );
}

#[test]
fn unplayed_script_is_caught_on_drop() {
    let message = panic_message(|| {
        let mut modem = IoFake::new("modem");
        modem.expect_write(b"AT\r\n").expect_read(b"OK\r\n");
        modem.write_all(b"AT\r\n").unwrap();
        // dropped without reading the reply
    });
    assert_eq!(message, "fake:modem.read() was not called");
}

#[test]
fn out_of_order_is_caught() {
    let message = panic_message(|| {
        let mut modem = IoFake::new("modem");
        modem.expect_write(b"AT\r\n").expect_read(b"OK\r\n");
        let _ = modem.read(&mut [0u8; 4]);
    });
    assert_eq!(
        message,
        "Call #1 was fake:modem.read(); Expected: #1 fake:modem.write([65, 84, 13, 10]), \
         #2 fake:modem.read(), end"
    );
}
