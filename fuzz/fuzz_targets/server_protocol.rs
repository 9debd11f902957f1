//! The server's wire protocol: one connection's bytes, as the server reads them (UTF-8 or
//! refused), parsed into a message.
//!
//! Checks: no panic, and the parse is a faithful reading of the text: a terminate message is
//! exactly a text starting with `TERMINATE_SERVER`; a custom message gives back the request
//! and response it was written from (neither contains the separator); an announcement keeps
//! its text and names an address that is the end of its last word; anything else is classic
//! text, returned whole. The replies built from any text keep it whole.
//!
//! `cargo +nightly fuzz run server_protocol -- -dict=server_protocol.dict` (run from `fuzz/`).

#![no_main]

use capturemock::server::protocol::{
    announced_destination, error_reply, mismatch_reply, Message, CUSTOM_PREFIX, SEPARATOR,
    SERVER_PREFIX, TERMINATE, UNSUPPORTED_PREFIXES,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The server answers bytes that are not UTF-8 with an error reply, unparsed.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(text);
});

fn check(text: &str) {
    let message = Message::parse(text);
    match message {
        Message::Terminate => assert!(text.starts_with(TERMINATE)),
        Message::Unsupported { prefix } => {
            assert!(!text.starts_with(TERMINATE));
            assert!(UNSUPPORTED_PREFIXES.contains(&prefix));
            assert!(text.starts_with(prefix));
        }
        Message::Custom { request, response } => {
            let rest = text.strip_prefix(CUSTOM_PREFIX).expect("custom prefix");
            assert!(!request.contains(SEPARATOR));
            assert!(rest.starts_with(request));
            match response {
                None => assert_eq!(request, rest),
                Some(response) => {
                    assert!(!response.contains(SEPARATOR));
                    let after = &rest[request.len()..];
                    let after = after.strip_prefix(SEPARATOR).expect("separator");
                    assert!(after.starts_with(response));
                    let tail = &after[response.len()..];
                    assert!(tail.is_empty() || tail.starts_with(SEPARATOR));
                }
            }
            // Writing the parts back gives a message that parses the same.
            let mut again = format!("{CUSTOM_PREFIX}{request}");
            if let Some(response) = response {
                again.push_str(SEPARATOR);
                again.push_str(response);
            }
            assert_eq!(Message::parse(&again), message);
        }
        Message::ServerAnnounce {
            text: announced,
            destination,
        } => {
            assert_eq!(text.strip_prefix(SERVER_PREFIX), Some(announced));
            check_destination(announced, destination);
        }
        Message::Classic(classic) => {
            assert_eq!(classic, text);
            assert!(!text.starts_with(TERMINATE));
            assert!(!text.starts_with(CUSTOM_PREFIX));
            assert!(!text.starts_with(SERVER_PREFIX));
            assert!(UNSUPPORTED_PREFIXES.iter().all(|p| !text.starts_with(p)));
        }
    }
    check_destination(text, announced_destination(text));
    assert!(mismatch_reply(text).contains(text));
    assert!(error_reply(text).ends_with(text));
}

fn check_destination(text: &str, destination: Option<(&str, u16)>) {
    let Some((host, port)) = destination else {
        return;
    };
    let word = format!("{host}:{port}");
    // The port may have been written with leading zeros.
    let last = text
        .split(capturemock::core_engine::words::is_python_space)
        .rfind(|w| !w.is_empty())
        .expect("a destination comes from a word");
    let (h, p) = last.split_once(':').expect("host:port");
    assert_eq!(h, host);
    assert!(!p.contains(':'));
    assert_eq!(p.parse::<u16>(), Ok(port), "{word}");
    assert_eq!(announced_destination(last), destination);
}
