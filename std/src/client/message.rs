//! The texts a custom client sends (compat spec section 3), and the complaints it may read
//! back. Built, checked and read here once for both clients (and the bridge, which relays a
//! device's exchanges), so that they cannot disagree about what they send, refuse or accept.

use crate::traffic::custom::{CUSTOM_PREFIX, SEPARATOR};

use super::ClientError;

/// What the reference sends to stop a server.
/// Byte for byte, newline included; the server only tests the prefix.
pub(crate) const TERMINATE_MESSAGE: &str = "TERMINATE_SERVER\n";

/// Refuses a text holding `:SUT_SEP:`: the server would split the message there and record
/// another exchange than the one meant, so the client says so instead of sending it. `what`
/// (`request` or `response`) names the text in the error.
fn check(text: &str, what: &'static str) -> Result<(), ClientError> {
    if text.contains(SEPARATOR) {
        return Err(ClientError::ContainsSeparator { what });
    }
    Ok(())
}

/// Refuses a request the server would not take as it is: an empty one (the server neither
/// answers nor records one, so sending it could only fail silently) or one containing the
/// separator.
pub(crate) fn check_request(request: &str) -> Result<(), ClientError> {
    if request.is_empty() {
        return Err(ClientError::EmptyRequest);
    }
    check(request, "request")
}

/// Refuses an exchange the server would mangle, before anything is sent: the checks of
/// [`record`] (with a `response`) or [`replay`] (without one). For a caller that relays
/// exchanges (the bridge) and must refuse them before deciding anything else.
pub(crate) fn check_exchange(request: &str, response: Option<&str>) -> Result<(), ClientError> {
    check_request(request)?;
    match response {
        Some(response) => check(response, "response"),
        None => Ok(()),
    }
}

/// `SUT_CUSTOM:<request>:SUT_SEP:<response>`.
pub(crate) fn record(request: &str, response: &str) -> Result<String, ClientError> {
    check_exchange(request, Some(response))?;
    Ok(format!("{CUSTOM_PREFIX}{request}{SEPARATOR}{response}"))
}

/// `SUT_CUSTOM:<request>`.
pub(crate) fn replay(request: &str) -> Result<String, ClientError> {
    check_exchange(request, None)?;
    Ok(format!("{CUSTOM_PREFIX}{request}"))
}

/// A server's reply that is not a recorded response: the server says why, in place of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Complaint {
    /// `CAPTUREMOCK MISMATCH: ...`: the reference's answer when exact matching finds no
    /// recorded request. Nothing recorded answers the request.
    Mismatch,
    /// `CAPTUREMOCK ERROR: ...`: our server refused the message (too large, not UTF-8...).
    Refused,
}

/// Whether `reply` is a [`Complaint`] rather than a recorded response or an echo. Both
/// servers write these texts where a response would go, so only their lead tells them apart.
pub(crate) fn complaint(reply: &str) -> Option<Complaint> {
    if reply.starts_with("CAPTUREMOCK MISMATCH: ") {
        Some(Complaint::Mismatch)
    } else if reply.starts_with("CAPTUREMOCK ERROR: ") {
        Some(Complaint::Refused)
    } else {
        None
    }
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
        assert_eq!(
            complaint("CAPTUREMOCK MISMATCH: Could not find any replay request matching 'x'"),
            Some(Complaint::Mismatch)
        );
        assert_eq!(
            complaint("CAPTUREMOCK ERROR: message too large"),
            Some(Complaint::Refused)
        );
        assert_eq!(complaint("CAPTUREMOCK is great"), None);
        assert_eq!(complaint(""), None);
    }

    #[test]
    fn a_relayed_exchange_is_checked_as_the_client_checks_its_own() {
        assert!(check_exchange("a", Some("b")).is_ok());
        assert!(check_exchange("a", None).is_ok());
        assert!(matches!(
            check_exchange("", None),
            Err(ClientError::EmptyRequest)
        ));
        assert!(matches!(
            check_exchange("a", Some("b:SUT_SEP:")),
            Err(ClientError::ContainsSeparator { what: "response" })
        ));
    }
}
