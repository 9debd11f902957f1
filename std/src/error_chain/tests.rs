//! Every error shows each cause once: no layer's message repeats its source's.

use std::error::Error;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use super::ErrorChain;

/// The messages of `error` and each of its causes, outermost first.
fn messages(error: &(dyn Error + 'static)) -> Vec<String> {
    let mut out = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(error) = cause {
        out.push(error.to_string());
        cause = error.source();
    }
    out
}

fn io_error() -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, "access denied by the test")
}

/// Representative errors of every module, each with a cause where it can have one.
fn representatives() -> Vec<Box<dyn Error + 'static>> {
    use crate::alterations::AlterationError;
    use crate::rc::RcConfig;
    let mut all: Vec<Box<dyn Error>> = vec![
        Box::new(crate::exchange::RecordError::Create {
            path: "r.mock".into(),
            source: io_error(),
        }),
        Box::new(crate::exchange::RecordError::Remove {
            path: "r.mock".into(),
            source: io_error(),
        }),
        Box::new(crate::exchange::RecordError::Write {
            path: "r.mock".into(),
            source: Arc::new(io_error()),
        }),
        Box::new(crate::exchange::RecordLoss {
            path: "r.mock".into(),
            exchanges: 3,
            cause: Arc::new(io_error()),
        }),
        Box::new(crate::server::ServerError::Record(
            crate::exchange::RecordError::Create {
                path: "r.mock".into(),
                source: io_error(),
            },
        )),
        Box::new(crate::server::ServerError::Listen {
            address: "127.0.0.1:1".into(),
            source: io_error(),
        }),
        Box::new(crate::drift::DriftError::Read {
            path: "r.mock".into(),
            source: io_error(),
        }),
        Box::new(crate::rc::RcError::Io {
            path: "x.rc".into(),
            source: io_error(),
        }),
        Box::new(crate::replay_file::ReplayFileError::Read {
            path: "p.mock".into(),
            source: io_error(),
        }),
        Box::new(crate::client::ClientError::Connect {
            address: "127.0.0.1:1".into(),
            source: io_error(),
        }),
        Box::new(crate::client::ClientError::Resolve {
            address: "nowhere:1".into(),
            source: io_error(),
        }),
        Box::new(crate::client::ClientError::Io {
            address: "127.0.0.1:1".into(),
            source: io_error(),
        }),
        Box::new(crate::bridge::EndpointError::Io {
            what: "cannot listen on",
            endpoint: "127.0.0.1:1".into(),
            source: io_error(),
        }),
        Box::new(crate::bridge::BridgeError::Thread(io_error())),
        Box::new(crate::serial_proxy::ProxyError::Write {
            side: "device",
            source: io_error(),
        }),
        Box::new(crate::serial_proxy::ProxyError::Io(io_error())),
        Box::new(crate::traffic::classic::forward::ForwardError::Read(
            crate::traffic::wire::ReadError::Io(io_error()),
        )),
        Box::new(crate::capture::CaptureError::Io {
            what: "read",
            path: PathBuf::from("m.mock"),
            source: io_error(),
        }),
        Box::new(crate::capture::CaptureError::RecordWrite {
            path: PathBuf::from("m.mock"),
            source: Arc::new(io_error()),
        }),
        Box::new(crate::file_edits::EditError::Store {
            path: PathBuf::from("/w/out/f"),
            stored: PathBuf::from("edits/out/f"),
            source: io_error(),
        }),
        Box::new(crate::file_edits::EditError::Restore {
            stored: PathBuf::from("edits/out/f"),
            target: PathBuf::from("/w/out/f"),
            source: io_error(),
        }),
    ];
    let json = serde_json::from_str::<u32>("\"x\"").unwrap_err();
    all.push(Box::new(crate::capture::CaptureError::Encode {
        description: "f()".into(),
        source: json,
    }));
    // A bad pattern and a bad replacement, from real rc text.
    for rc in [
        "[general]\nalterations = a\n[a]\nmatch_pattern = (\nreplacement = x\n",
        "[general]\nalterations = a\n[a]\nmatch_pattern = x\nreplacement = \\9\n",
    ] {
        let rc = RcConfig::from_str_named(rc, "t.rc").unwrap();
        let error: AlterationError =
            match crate::alterations::Alterations::from_rc(&rc, &["general"]) {
                Err(error) => error,
                Ok(_) => panic!("a broken alteration"),
            };
        all.push(Box::new(crate::server::ConfigError::Alteration(error)));
    }
    #[cfg(feature = "cli")]
    all.push(Box::new(crate::cli::CliError::Record(
        crate::exchange::RecordError::Create {
            path: "r.mock".into(),
            source: io_error(),
        },
    )));
    #[cfg(feature = "cli")]
    all.push(Box::new(crate::cli::CliError::Runtime(io_error())));
    #[cfg(feature = "amqp")]
    {
        use crate::server::amqp::{AmqpError, EntryError};
        all.push(Box::new(crate::server::ServerError::Amqp(
            AmqpError::Connect {
                url: "amqp://h/%2F".into(),
                source: amqprs::error::Error::NetworkError("refused".into()),
            },
        )));
        all.push(Box::new(crate::server::ServerError::Amqp(
            AmqpError::BadEntry {
                path: "x.mock".into(),
                line: 3,
                source: EntryError::Message(crate::traffic::amqp::MessageError::BadHeader(
                    "h".into(),
                )),
            },
        )));
        all.push(Box::new(AmqpError::ReadReplay {
            path: "x.mock".into(),
            source: io_error(),
        }));
    }
    all
}

#[test]
fn no_message_repeats_its_cause() {
    let all = representatives();
    let with_causes = all.iter().filter(|e| e.source().is_some()).count();
    assert!(
        with_causes + 1 >= all.len(),
        "the representatives have causes"
    );
    for error in all {
        // A transparent wrapper of a leaf has one layer; the others have two or more.
        let layers = messages(error.as_ref());
        for pair in layers.windows(2) {
            assert!(
                !pair[0].contains(&pair[1]),
                "{:?} repeats its cause {:?}",
                pair[0],
                pair[1]
            );
        }
        let chain = ErrorChain(error.as_ref()).to_string();
        for layer in &layers {
            assert_eq!(
                chain.matches(layer.as_str()).count(),
                1,
                "{layer:?} shown more than once in {chain:?}"
            );
        }
    }
}

#[test]
fn the_chain_is_outer_then_causes() {
    let error = crate::server::ServerError::Record(crate::exchange::RecordError::Create {
        path: "out/r.mock".into(),
        source: io_error(),
    });
    assert_eq!(
        ErrorChain(&error).to_string(),
        "cannot create record file out/r.mock: access denied by the test"
    );
}

#[test]
fn a_cause_already_shown_is_not_repeated() {
    #[derive(Debug, thiserror::Error)]
    #[error("outer: {0}")]
    struct Repeats(#[source] io::Error);
    assert_eq!(
        ErrorChain(&Repeats(io_error())).to_string(),
        "outer: access denied by the test"
    );
}
