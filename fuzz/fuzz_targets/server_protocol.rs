//! The server's wire protocol: one connection's bytes, as the server reads them (UTF-8 or
//! refused), offered to the traffic kinds and parsed by the kind that claims them.
//!
//! Checks: no panic, and the reading is faithful: a terminate message is exactly a text
//! starting with `TERMINATE_SERVER`; the kind that claims a text is the one its prefix names,
//! classic text being the fallback; a command-line message parses or is an error, and the
//! shim's request for a call reads back as the same call; a custom message gives back the request and response it
//! was written from (neither contains the separator); an announcement keeps its text and
//! names an address that is the end of its last word; classic client text is returned whole.
//! The replies built from any text keep it whole.
//!
//! `cargo +nightly fuzz run server_protocol -- -dict=server_protocol.dict` (run from `fuzz/`).

#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use capturemock::server::protocol::{is_terminate, TERMINATE};
use capturemock::traffic::classic::forward::ForwardLimits;
use capturemock::traffic::classic::{self, announced_destination, ClassicMessage, SERVER_PREFIX};
use capturemock::traffic::command_line::message::{self, Message};
use capturemock::traffic::custom::{self, CustomMessage, CUSTOM_PREFIX, SEPARATOR};
use capturemock::traffic::wire::{error_reply, mismatch_reply};
use capturemock::traffic::{KindSettings, Kinds};
use capturemock_core::replay::Mode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The server answers bytes that are not UTF-8 with an error reply, unparsed.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(text);
});

fn kinds() -> &'static Kinds {
    static KINDS: OnceLock<Kinds> = OnceLock::new();
    KINDS.get_or_init(|| {
        Kinds::new(KindSettings::new(
            Mode::Record,
            false,
            ForwardLimits::new(Duration::from_secs(1), 1024),
        ))
    })
}

fn check(text: &str) {
    assert_eq!(is_terminate(text), text.starts_with(TERMINATE));
    let kind = kinds()
        .kind_of(text)
        .expect("classic claims every text")
        .name();
    let command_line = message::is_command_line(text);
    match (kind, custom::parse(text)) {
        ("command line", _) => {
            assert!(command_line);
            check_command_line(text);
        }
        ("custom client", Some(CustomMessage { request, response })) => {
            assert!(!command_line);
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
            assert_eq!(
                custom::parse(&again),
                Some(CustomMessage { request, response })
            );
        }
        ("classic", None) => {
            assert!(!command_line);
            match classic::parse(text) {
                ClassicMessage::ServerAnnounce {
                    text: announced,
                    destination,
                } => {
                    assert_eq!(text.strip_prefix(SERVER_PREFIX), Some(announced));
                    check_destination(announced, destination);
                }
                ClassicMessage::Client(client) => {
                    assert_eq!(client, text);
                    assert!(!text.starts_with(SERVER_PREFIX));
                }
            }
        }
        (kind, parsed) => panic!("{text:?} claimed by {kind}, parsed as custom: {parsed:?}"),
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

/// A command-line message parses or is an error, and a call written again by the shim parses
/// to the same call.
fn check_command_line(text: &str) {
    let parsed = message::parse(text).expect("a command-line message");
    let Ok(Message::Call(call)) = parsed else {
        return;
    };
    let Ok(pid) = call.pid.parse::<u32>() else {
        return;
    };
    if pid.to_string() != call.pid {
        return;
    }
    let again = capturemock::shim::request_text(
        call.argv.iter().map(Vec::as_slice),
        call.environment
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice())),
        &call.cwd,
        pid,
    );
    match message::parse(&again) {
        Some(Ok(Message::Call(back))) => assert_eq!(back, call),
        other => panic!("the shim's request for {call:?} reads back as {other:?}"),
    }
}
