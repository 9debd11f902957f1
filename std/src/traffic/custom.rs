//! Custom-client traffic (`SUT_CUSTOM:`): a program records and replays its own exchanges
//! (the reference's `CustomTraffic`; compat spec section 3). The request is recorded `<-CAL`;
//! in record mode the client supplies the real response itself, after a separator, and it is
//! recorded `->RET` and echoed back.

#[cfg(feature = "server")]
pub use kind::Custom;

/// Marks a custom-client message.
pub const CUSTOM_PREFIX: &str = "SUT_CUSTOM:";
/// Separates a custom request from the response the client recorded itself.
pub const SEPARATOR: &str = ":SUT_SEP:";

/// The record prefix of a custom request (and of an in-process capture's).
pub const REQUEST_PREFIX: &str = "<-CAL";
/// The record prefix of its response.
pub const RESPONSE_PREFIX: &str = "->RET";

/// A custom-client message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomMessage<'a> {
    /// The request (before alterations).
    pub request: &'a str,
    /// The response the client sent for recording: the second part, `None` when there is no
    /// separator. Parts after the second are dropped, as in the reference.
    pub response: Option<&'a str>,
}

/// `SUT_CUSTOM:<request>[:SUT_SEP:<response>[:SUT_SEP:...]]`, or `None` for other messages.
pub fn parse(message: &str) -> Option<CustomMessage<'_>> {
    let rest = message.strip_prefix(CUSTOM_PREFIX)?;
    let mut parts = rest.split(SEPARATOR);
    Some(CustomMessage {
        // `split` always yields a first part, empty for an empty text.
        request: parts.next().unwrap_or(""),
        response: parts.next(),
    })
}

/// The kind proper, which only the server needs: the blocking client and in-process captures
/// use the message format above without serving it.
#[cfg(feature = "server")]
mod kind {
    use std::sync::Arc;

    use super::{parse, CUSTOM_PREFIX};
    use crate::exchange::Exchange;
    use crate::traffic::classic::Conversation;
    use crate::traffic::play::{play, Item, Role};
    use crate::traffic::{BoxFuture, Kind};

    /// The custom-client kind.
    #[derive(Debug)]
    pub struct Custom {
        /// Where a replayed `->CLI` response would go (see [`crate::traffic::play`]).
        conversation: Arc<Conversation>,
    }

    impl Custom {
        /// The kind, in the run's `conversation`.
        pub fn new(conversation: Arc<Conversation>) -> Self {
            Custom { conversation }
        }
    }

    impl Kind for Custom {
        fn name(&self) -> &'static str {
            "custom client"
        }

        fn claims(&self, message: &str) -> bool {
            message.starts_with(CUSTOM_PREFIX)
        }

        /// The request is altered first, so the lookup and the record both see the altered
        /// text. The client's own response is altered only when it is recorded (record mode).
        fn serve<'a, 'e: 'a>(
            &'a self,
            message: &'a str,
            exchange: &'a mut Exchange<'e>,
        ) -> BoxFuture<'a> {
            Box::pin(async move {
                let Some(message) = parse(message) else {
                    return;
                };
                let item = Item {
                    role: Role::Call {
                        response: message.response.map(str::to_owned),
                    },
                    text: exchange.alter(message.request),
                    timestamp: None,
                };
                play(exchange, &self.conversation, item).await;
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_messages_split_on_every_separator_and_keep_two_parts() {
        let custom = |request, response| Some(CustomMessage { request, response });
        assert_eq!(
            parse("SUT_CUSTOM:foo(1):SUT_SEP:bar"),
            custom("foo(1)", Some("bar"))
        );
        assert_eq!(
            parse("SUT_CUSTOM:a:SUT_SEP:b:SUT_SEP:c"),
            custom("a", Some("b"))
        );
        assert_eq!(parse("SUT_CUSTOM:only"), custom("only", None));
        assert_eq!(parse("SUT_CUSTOM:a:SUT_SEP:"), custom("a", Some("")));
        assert_eq!(parse("SUT_CUSTOM:"), custom("", None));
        assert_eq!(parse("SUT_CUSTOM"), None);
        assert_eq!(parse("hello"), None);
    }
}
