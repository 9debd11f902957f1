//! The texts a custom client sends (compat spec section 3).
//! Built and checked here once for both clients, so that the blocking and the async one
//! cannot disagree about what they send or refuse.

use crate::traffic::custom::{CUSTOM_PREFIX, SEPARATOR};

use super::ClientError;

/// What the reference sends to stop a server.
/// Byte for byte, newline included; the server only tests the prefix.
pub(crate) const TERMINATE_MESSAGE: &str = "TERMINATE_SERVER\n";

/// Refuses a text holding `:SUT_SEP:`: the server would split the message there and record
/// another exchange than the one meant, so the client says so instead of sending it.
fn check(text: &str, what: &'static str) -> Result<(), ClientError> {
    if text.contains(SEPARATOR) {
        return Err(ClientError::ContainsSeparator { what });
    }
    Ok(())
}

/// Refuses an empty request too: the server neither answers nor records one, so sending it
/// could only fail silently.
fn check_request(request: &str) -> Result<(), ClientError> {
    if request.is_empty() {
        return Err(ClientError::EmptyRequest);
    }
    check(request, "request")
}

/// `SUT_CUSTOM:<request>:SUT_SEP:<response>`.
pub(crate) fn record(request: &str, response: &str) -> Result<String, ClientError> {
    check_request(request)?;
    check(response, "response")?;
    Ok(format!("{CUSTOM_PREFIX}{request}{SEPARATOR}{response}"))
}

/// `SUT_CUSTOM:<request>`.
pub(crate) fn replay(request: &str) -> Result<String, ClientError> {
    check_request(request)?;
    Ok(format!("{CUSTOM_PREFIX}{request}"))
}

/// Whether a reply is the server's complaint rather than a recorded response: the
/// reference's exact-matching mismatch, or one of our server's refusals.
pub(crate) fn is_complaint(reply: &str) -> bool {
    reply.starts_with("CAPTUREMOCK MISMATCH: ") || reply.starts_with("CAPTUREMOCK ERROR: ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_the_documented_texts() {
        assert_eq!(
            record("moduletomock.attribute", "42").unwrap(),
            "SUT_CUSTOM:moduletomock.attribute:SUT_SEP:42"
        );
        assert_eq!(record("a\nb", "").unwrap(), "SUT_CUSTOM:a\nb:SUT_SEP:");
        assert_eq!(replay("f('x')").unwrap(), "SUT_CUSTOM:f('x')");
        assert_eq!(TERMINATE_MESSAGE, "TERMINATE_SERVER\n");
        #[cfg(feature = "server")]
        assert!(TERMINATE_MESSAGE.starts_with(crate::server::protocol::TERMINATE));
    }

    #[test]
    fn texts_the_server_would_mangle_are_refused() {
        assert!(matches!(replay(""), Err(ClientError::EmptyRequest)));
        assert!(matches!(record("", "x"), Err(ClientError::EmptyRequest)));
        assert!(matches!(
            replay("a:SUT_SEP:b"),
            Err(ClientError::ContainsSeparator { what: "request" })
        ));
        assert!(matches!(
            record("a", "b:SUT_SEP:c"),
            Err(ClientError::ContainsSeparator { what: "response" })
        ));
        // A lone part of the separator is harmless.
        assert!(record("a:SUT_SEP", "SUT_SEP:b").is_ok());
    }

    #[test]
    fn complaints_are_recognised_by_their_lead() {
        assert!(is_complaint(
            "CAPTUREMOCK MISMATCH: Could not find any replay request matching 'x'"
        ));
        assert!(is_complaint("CAPTUREMOCK ERROR: message too large"));
        assert!(!is_complaint("CAPTUREMOCK is great"));
        assert!(!is_complaint(""));
    }
}
