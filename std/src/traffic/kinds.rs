//! The [`Kind`] trait and the one list of the kinds of the classic transports (TCP and UDP).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use capturemock_core::replay::Mode;

use super::classic::forward::ForwardLimits;
use super::classic::{self, Conversation, Route};
use super::command_line::settings::CommandLineSettings;
use super::{command_line, custom};
use crate::exchange::Exchange;

/// The future a kind serves a message with.
/// Boxed because the kinds are held as `dyn Kind`, which cannot return `impl Future`, and
/// `Send` so that a server can serve on any of its worker threads.
pub type BoxFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// One kind of traffic on a transport that delivers whole text messages.
pub trait Kind: Send + Sync + std::fmt::Debug {
    /// Its name, for logs.
    fn name(&self) -> &'static str;

    /// Whether `message` is of this kind.
    /// Kinds are asked in turn and the first that claims a message serves it, so the answer must
    /// come from the message alone, and cheaply (a prefix test).
    fn claims(&self, message: &str) -> bool;

    /// Serves `message` in `exchange`: asks the engine, records, builds the reply.
    /// A kind that waits on the outside world (a real server) ends the exchange's ordered part
    /// first ([`Exchange::end_ordered_part`]), so later exchanges do not wait with it.
    fn serve<'a, 'e: 'a>(
        &'a self,
        message: &'a str,
        exchange: &'a mut Exchange<'e>,
    ) -> BoxFuture<'a>;
}

/// What the kinds of a run are configured with: the parts of the server's settings that
/// concern one kind or another (the engine's rules are the engine's).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct KindSettings {
    /// The run's mode. The engine decides by it; a kind needs it only where the reference
    /// makes a decision of the kind's own (mode 2 replays only recorded commands).
    pub mode: Mode,
    /// `record_for_client`, for the classic conversation.
    pub record_for_client: bool,
    /// Limits on forwarding to a real server.
    pub limits: ForwardLimits,
    /// How classic traffic reaches the real server: the transport's kind of socket.
    pub route: Route,
    /// `[command line]` settings, with the run's edit directories.
    pub command_lines: CommandLineSettings,
    /// The directory of the run's shims, if it has any.
    pub shims: Option<PathBuf>,
}

impl KindSettings {
    /// Settings for a run in `mode` over TCP, with no `[command line]` settings and no
    /// shims.
    pub fn new(mode: Mode, record_for_client: bool, limits: ForwardLimits) -> Self {
        KindSettings {
            mode,
            record_for_client,
            limits,
            route: Route::Stream,
            command_lines: CommandLineSettings::default(),
            shims: None,
        }
    }
}

/// The kinds of one run of a classic transport (TCP or UDP).
#[derive(Debug)]
pub struct Kinds {
    /// In the order a message is offered to them; the last claims everything.
    kinds: Vec<Box<dyn Kind>>,
}

impl Kinds {
    /// Every kind the transport serves, in the order a message is offered to them.
    /// One conversation serves the custom and the classic kinds: a custom request's recorded
    /// `->CLI` response goes to the server that classic traffic announced.
    pub fn new(settings: KindSettings) -> Self {
        let conversation = Arc::new(Conversation::new(
            settings.record_for_client,
            settings.limits,
            settings.route,
        ));
        Kinds {
            kinds: vec![
                Box::new(command_line::CommandLine::new(
                    settings.command_lines,
                    settings.mode,
                    settings.shims,
                )),
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
