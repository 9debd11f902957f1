//! The wire protocol of the reference's `classic` server (compat spec section 3): what one
//! connection's text means, and the fixed texts the server answers with.
//!
//! One connection carries one message: the client writes it and shuts down its write side
//! (or closes), the server answers and closes. The message's start says what it is; the
//! tests run in the reference's order (`TERMINATE_SERVER` first, then the traffic classes
//! in the order its `parseTraffic` tries them, classic client text being the fallback).

/// Marks a custom-client message.
pub const CUSTOM_PREFIX: &str = "SUT_CUSTOM:";
/// Separates a custom request from the response the client recorded itself.
pub const SEPARATOR: &str = ":SUT_SEP:";
/// Marks a server under test announcing where it listens.
pub const SERVER_PREFIX: &str = "SUT_SERVER:";
/// Stops the server (the reference tests `startswith`, so anything may follow).
pub const TERMINATE: &str = "TERMINATE_SERVER";
/// Messages of the reference's command-line interception, which this server does not do.
pub const UNSUPPORTED_PREFIXES: [&str; 2] = ["SUT_COMMAND_LINE:", "SUT_COMMAND_KILL:"];

/// One parsed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// `TERMINATE_SERVER...`: stop serving.
    Terminate,
    /// `SUT_CUSTOM:<request>[:SUT_SEP:<response>[:SUT_SEP:...]]`.
    Custom {
        /// The request (before alterations).
        request: &'a str,
        /// The response the client sent for recording: the second part, `None` when there
        /// is no separator. Parts after the second are dropped, as in the reference.
        response: Option<&'a str>,
    },
    /// `SUT_SERVER:<text ending in host:port>`.
    ServerAnnounce {
        /// The text after the prefix (recorded as it is).
        text: &'a str,
        /// The address the text ends with, if it ends with `host:port`.
        destination: Option<(&'a str, u16)>,
    },
    /// Command-line interception traffic (`SUT_COMMAND_LINE:` ...), not supported here.
    Unsupported {
        /// The prefix that was recognised.
        prefix: &'static str,
    },
    /// Anything else: classic client text, recorded as `<-CLI:`.
    Classic(&'a str),
}

impl<'a> Message<'a> {
    /// What `text` (one whole connection's input) is.
    pub fn parse(text: &'a str) -> Self {
        if text.starts_with(TERMINATE) {
            return Message::Terminate;
        }
        for prefix in UNSUPPORTED_PREFIXES {
            if text.starts_with(prefix) {
                return Message::Unsupported { prefix };
            }
        }
        if let Some(rest) = text.strip_prefix(CUSTOM_PREFIX) {
            let mut parts = rest.split(SEPARATOR);
            let request = parts.next().unwrap_or_default();
            return Message::Custom {
                request,
                response: parts.next(),
            };
        }
        if let Some(rest) = text.strip_prefix(SERVER_PREFIX) {
            return Message::ServerAnnounce {
                text: rest,
                destination: announced_destination(rest),
            };
        }
        Message::Classic(text)
    }
}

/// The reference's reading of an announcement: the last white-space separated word, when it
/// is `host:port` with one `:` and a decimal port. (The reference crashes on an empty text or
/// a word with two colons; both simply announce nothing here.)
pub fn announced_destination(text: &str) -> Option<(&str, u16)> {
    let last = text
        .split(capturemock_core::words::is_python_space)
        .rfind(|w| !w.is_empty())?;
    let (host, port) = last.split_once(':')?;
    if port.contains(':') || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    port.parse().ok().map(|port| (host, port))
}

/// The reply to a request with no exact match under `use_exact_matching`, word for word the
/// reference's.
pub fn mismatch_reply(description: &str) -> String {
    format!("CAPTUREMOCK MISMATCH: Could not find any replay request matching '{description}'")
}

/// The reply to a message the server refused (too large, too slow, not UTF-8, ...). The
/// reference has no such replies (it drops the connection); the text starts like the
/// mismatch reply so that clients checking for `CAPTUREMOCK ` see both.
pub fn error_reply(reason: &str) -> String {
    format!("CAPTUREMOCK ERROR: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_messages_split_on_every_separator_and_keep_two_parts() {
        assert_eq!(
            Message::parse("SUT_CUSTOM:foo(1):SUT_SEP:bar"),
            Message::Custom {
                request: "foo(1)",
                response: Some("bar")
            }
        );
        assert_eq!(
            Message::parse("SUT_CUSTOM:a:SUT_SEP:b:SUT_SEP:c"),
            Message::Custom {
                request: "a",
                response: Some("b")
            }
        );
        assert_eq!(
            Message::parse("SUT_CUSTOM:only"),
            Message::Custom {
                request: "only",
                response: None
            }
        );
        assert_eq!(
            Message::parse("SUT_CUSTOM:a:SUT_SEP:"),
            Message::Custom {
                request: "a",
                response: Some("")
            }
        );
        assert_eq!(
            Message::parse("SUT_CUSTOM:"),
            Message::Custom {
                request: "",
                response: None
            }
        );
    }

    #[test]
    fn terminate_is_a_prefix_test_like_the_reference() {
        assert_eq!(Message::parse("TERMINATE_SERVER"), Message::Terminate);
        assert_eq!(Message::parse("TERMINATE_SERVER\n"), Message::Terminate);
        assert_eq!(Message::parse("TERMINATE_SERVERxyz"), Message::Terminate);
        assert_eq!(
            Message::parse(" TERMINATE_SERVER"),
            Message::Classic(" TERMINATE_SERVER")
        );
    }

    #[test]
    fn everything_else_is_classic_text() {
        assert_eq!(Message::parse("hello"), Message::Classic("hello"));
        assert_eq!(Message::parse("SUT_CUSTOM"), Message::Classic("SUT_CUSTOM"));
        assert_eq!(Message::parse(""), Message::Classic(""));
        assert_eq!(
            Message::parse("SUT_COMMAND_LINE:ls"),
            Message::Unsupported {
                prefix: "SUT_COMMAND_LINE:"
            }
        );
    }

    #[test]
    fn announcements_name_the_last_word_as_address() {
        assert_eq!(
            Message::parse("SUT_SERVER:listening on 127.0.0.1:4000\n"),
            Message::ServerAnnounce {
                text: "listening on 127.0.0.1:4000\n",
                destination: Some(("127.0.0.1", 4000))
            }
        );
        assert_eq!(announced_destination("host:12x"), None);
        assert_eq!(announced_destination("a:b:1"), None);
        assert_eq!(announced_destination(""), None);
        assert_eq!(announced_destination("   "), None);
        assert_eq!(announced_destination("port 99999 is localhost:99999"), None);
        assert_eq!(announced_destination(":80"), Some(("", 80)));
    }

    #[test]
    fn mismatch_reply_matches_the_reference_text() {
        assert_eq!(
            mismatch_reply("<-CAL:foo(2)"),
            "CAPTUREMOCK MISMATCH: Could not find any replay request matching '<-CAL:foo(2)'"
        );
    }
}
