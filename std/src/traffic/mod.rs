//! Traffic kinds: each knows one protocol of the outside world, and nothing else.
//!
//! A kind answers three questions: how a message from its transport becomes record entries,
//! how record mode gets the real response (the client supplies it, a real server is asked),
//! and how a replayed response is rendered back. It never decides a mode, looks anything up
//! or writes a file: it asks the [engine](crate::exchange) through an [`Exchange`].
//!
//! The kinds of the classic TCP transport are listed in [`Kinds::new`], in the order a
//! message is offered to them (the reference's order; classic text is the fallback). A new
//! kind is one module here and one line there.
//!
//! - [`custom`]: `SUT_CUSTOM:` (`<-CAL` / `->RET`), a program's own exchanges.
//! - [`command_line`]: `SUT_COMMAND_LINE:` / `SUT_COMMAND_KILL:`, recognised and refused.
//! - [`classic`]: client text forwarded to a real server (`<-CLI` / `->SRV`) and servers
//!   under test announcing themselves.
//! - [`play`]: how a request and its responses play out, by response type.
//! - [`wire`]: the transport's framing (one message per connection) and fixed replies.

pub mod classic;
pub mod command_line;
pub mod custom;
pub mod play;
pub mod wire;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::exchange::Exchange;
use classic::forward::ForwardLimits;
use classic::Conversation;

/// The future a kind serves a message with.
pub type BoxFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// One kind of traffic on a transport that delivers whole text messages.
pub trait Kind: Send + Sync + std::fmt::Debug {
    /// Its name, for logs.
    fn name(&self) -> &'static str;

    /// Whether `message` is of this kind.
    fn claims(&self, message: &str) -> bool;

    /// Serves `message` in `exchange`: asks the engine, records, builds the reply.
    fn serve<'a, 'e: 'a>(
        &'a self,
        message: &'a str,
        exchange: &'a mut Exchange<'e>,
    ) -> BoxFuture<'a>;
}

/// The kinds of one run of the classic TCP transport.
#[derive(Debug)]
pub struct Kinds {
    kinds: Vec<Box<dyn Kind>>,
}

impl Kinds {
    /// Every kind the transport serves, in the order a message is offered to them.
    /// `record_for_client` and `limits` configure the classic conversation.
    pub fn new(record_for_client: bool, limits: ForwardLimits) -> Self {
        let conversation = Arc::new(Conversation::new(record_for_client, limits));
        Kinds {
            kinds: vec![
                Box::new(command_line::CommandLine),
                Box::new(custom::Custom::new(Arc::clone(&conversation))),
                // Claims every message: last.
                Box::new(classic::Classic::new(conversation)),
            ],
        }
    }

    /// The kind `message` is of (the first that claims it).
    pub fn kind_of(&self, message: &str) -> Option<&dyn Kind> {
        self.kinds
            .iter()
            .map(|kind| &**kind)
            .find(|kind| kind.claims(message))
    }

    /// Serves `message` in `exchange` with its kind.
    pub async fn serve(&self, message: &str, exchange: &mut Exchange<'_>) {
        match self.kind_of(message) {
            Some(kind) => kind.serve(message, exchange).await,
            None => tracing::warn!(
                exchange = exchange.number(),
                "no traffic kind claims the message; answered with nothing"
            ),
        }
    }
}
