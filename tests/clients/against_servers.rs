//! Our Rust clients against the reference's server (issue 3, item 6(b)) and against ours:
//! every scenario runs on both, with the same expected replies and record file.

use std::collections::BTreeSet;

use capturemock::client::{AsyncClient, ClientConfig, ClientError};
use capturemock_core::replay::Mode;

use super::servers::{scratch, Kind, Server, Setup, BOTH};

/// The replay file most scenarios replay.
const REPLAY: &str = "\
<-CAL:price('ACME')
->RET:12.25
<-CAL:tick()
->RET:1
<-CAL:tick()
->RET:2
<-CAL:report()
->RET:line one
line two
<-CAL:two()
->RET:first
->RET:second
";

fn dir(test: &str, kind: Kind) -> super::servers::Scratch {
    scratch(&format!("{test}-{kind:?}"))
}

#[test]
fn record_mode_echoes_and_records_in_order() {
    for kind in BOTH {
        let scratch = dir("record", kind);
        let server = Server::start(kind, &scratch, &Setup::mode(Mode::Record));
        let client = server.client(Mode::Record);
        let replies = [
            client.record("foo(1)", "bar  \n").unwrap(),
            client.record("a\nb", "multi\nline\n\n").unwrap(),
            client.record("naïve – ünïcode", "ß").unwrap(),
            client.replay("noresp").unwrap(),
            client.call("price('ACME')", || "12.25".into()).unwrap(),
            // `call` answers with the echo, as a replay will.
            client.call("motd()", || "hi \n".into()).unwrap(),
        ];
        assert_eq!(
            replies,
            ["bar", "multi\nline", "ß", "", "12.25", "hi"],
            "{kind:?}"
        );
        assert_eq!(
            server.finish(),
            "<-CAL:foo(1)\n->RET:bar  \n\
             <-CAL:a\nb\n->RET:multi\nline\n\n\
             <-CAL:naïve – ünïcode\n->RET:ß\n\
             <-CAL:noresp\n\
             <-CAL:price('ACME')\n->RET:12.25\n\
             <-CAL:motd()\n->RET:hi \n",
            "{kind:?}"
        );
    }
}

#[test]
fn replay_mode_answers_from_the_file_and_records_what_it_replayed() {
    for kind in BOTH {
        let setup = Setup {
            replay: Some(REPLAY),
            ..Setup::mode(Mode::Replay)
        };
        let scratch = dir("replay", kind);
        let server = Server::start(kind, &scratch, &setup);
        let client = server.client(Mode::Replay);
        let replies = [
            client.replay("price('ACME')").unwrap(),
            client.replay("tick()").unwrap(),
            client.replay("tick()").unwrap(),
            client.replay("tick()").unwrap(),
            client.replay("price('ACME', 'EUR')").unwrap(),
            client.replay("report()").unwrap(),
            client.replay("two()").unwrap(),
            client.replay("weather()").unwrap(),
            client
                .call("tick()", || unreachable!("replay mode"))
                .unwrap(),
            // A record-form message in replay mode is answered from the file.
            client.record("price('ACME')", "99").unwrap(),
        ];
        assert_eq!(
            replies,
            [
                "12.25",
                "1",
                "2",
                "1",
                "12.25",
                "line one\nline two",
                "firstsecond",
                "",
                "1",
                "12.25"
            ],
            "{kind:?}"
        );
        assert_eq!(
            server.finish(),
            "<-CAL:price('ACME')\n->RET:12.25\n\
             <-CAL:tick()\n->RET:1\n\
             <-CAL:tick()\n->RET:2\n\
             <-CAL:tick()\n->RET:1\n\
             <-CAL:price('ACME', 'EUR')\n->RET:12.25\n\
             <-CAL:report()\n->RET:line one\nline two\n\
             <-CAL:two()\n->RET:first\n->RET:second\n\
             <-CAL:weather()\n\
             <-CAL:tick()\n->RET:1\n\
             <-CAL:price('ACME')\n->RET:12.25\n",
            "{kind:?}"
        );
    }
}

#[test]
fn mode_two_replays_when_the_file_has_content_and_records_when_not() {
    for kind in BOTH {
        let setup = Setup {
            replay: Some(REPLAY),
            ..Setup::mode(Mode::ReplayOldRecordNew)
        };
        let scratch = dir("mode2-replay", kind);
        let server = Server::start(kind, &scratch, &setup);
        let client = server.client(Mode::ReplayOldRecordNew);
        let mut real_calls = 0;
        let reply = client
            .call("price('ACME', 'EUR')", || {
                real_calls += 1;
                "11.0".into()
            })
            .unwrap();
        assert_eq!(
            reply, "12.25",
            "{kind:?}: the reference best-matches in mode 2"
        );
        assert_eq!(
            real_calls, 1,
            "the client cannot know, so it asks the real thing"
        );
        assert_eq!(
            server.finish(),
            "<-CAL:price('ACME', 'EUR')\n->RET:12.25\n",
            "{kind:?}"
        );

        let scratch = dir("mode2-record", kind);
        let server = Server::start(kind, &scratch, &Setup::mode(Mode::ReplayOldRecordNew));
        let client = server.client(Mode::ReplayOldRecordNew);
        let reply = client.call("price('ACME')", || "12.5  ".into()).unwrap();
        assert_eq!(reply, "12.5", "{kind:?}: the echo, trimmed");
        assert_eq!(
            server.finish(),
            "<-CAL:price('ACME')\n->RET:12.5  \n",
            "{kind:?}"
        );
    }
}

#[test]
fn an_exact_matching_mismatch_is_text_for_replay_and_an_error_for_call() {
    for kind in BOTH {
        let setup = Setup {
            replay: Some(REPLAY),
            rc: "[general]\nuse_exact_matching = true\n",
            ..Setup::mode(Mode::Replay)
        };
        let scratch = dir("exact", kind);
        let server = Server::start(kind, &scratch, &setup);
        let client = server.client(Mode::Replay);
        assert_eq!(
            client.replay("price('ACME', 'EUR')").unwrap(),
            "CAPTUREMOCK MISMATCH: Could not find any replay request matching \
             '<-CAL:price('ACME', 'EUR')'",
            "{kind:?}"
        );
        let e = client.call("tick(1)", || unreachable!()).unwrap_err();
        assert!(
            matches!(&e, ClientError::Server { reply, .. } if reply.starts_with("CAPTUREMOCK MISMATCH: ")),
            "{kind:?}: {e}"
        );
        assert_eq!(client.call("tick()", || unreachable!()).unwrap(), "1");
        server.finish();
    }
}

#[test]
fn alterations_apply_to_what_a_rust_client_records() {
    for kind in BOTH {
        let setup = Setup {
            rc: "[general]\nalterations = date\n\n[date]\n\
                 match_pattern = \\d{4}-\\d\\d-\\d\\d\nreplacement = <DATE>\n",
            ..Setup::mode(Mode::Record)
        };
        let scratch = dir("alterations", kind);
        let server = Server::start(kind, &scratch, &setup);
        let client = server.client(Mode::Record);
        assert_eq!(
            client
                .record("report(2024-05-06)", "made on 2024-05-06")
                .unwrap(),
            "made on <DATE>",
            "{kind:?}"
        );
        assert_eq!(
            server.finish(),
            "<-CAL:report(<DATE>)\n->RET:made on <DATE>\n",
            "{kind:?}"
        );
    }
}

#[test]
fn the_async_client_records_and_replays() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for kind in BOTH {
        let scratch = dir("async-record", kind);
        let server = Server::start(kind, &scratch, &Setup::mode(Mode::Record));
        let client = AsyncClient::new(ClientConfig::new(&server.address, Mode::Record).unwrap());
        runtime.block_on(async {
            assert_eq!(client.record("a()", "1\n").await.unwrap(), "1");
            let real = client.call("b()", || async { "2".to_string() }).await;
            assert_eq!(real.unwrap(), "2");
        });
        let recorded = server.finish();
        assert_eq!(
            recorded, "<-CAL:a()\n->RET:1\n<-CAL:b()\n->RET:2\n",
            "{kind:?}"
        );

        let setup = Setup {
            replay: Some(&recorded),
            ..Setup::mode(Mode::Replay)
        };
        let scratch = dir("async-replay", kind);
        let server = Server::start(kind, &scratch, &setup);
        let client = AsyncClient::new(ClientConfig::new(&server.address, Mode::Replay).unwrap());
        runtime.block_on(async {
            assert_eq!(client.replay("a()").await.unwrap(), "1");
            let replayed = client.call("b()", || async { unreachable!() }).await;
            assert_eq!(replayed.unwrap(), "2");
        });
        assert_eq!(server.finish(), recorded, "{kind:?}: no drift");
    }
}

#[test]
fn concurrent_clients_are_all_recorded() {
    for kind in BOTH {
        let scratch = dir("concurrent", kind);
        let server = Server::start(kind, &scratch, &Setup::mode(Mode::Record));
        let expected: BTreeSet<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|t| {
                    let client = server.client(Mode::Record);
                    scope.spawn(move || {
                        (0..5)
                            .map(|i| {
                                let request = format!("job({t}, {i})");
                                let echo =
                                    client.record(&request, &format!("done {t}.{i}")).unwrap();
                                assert_eq!(echo, format!("done {t}.{i}"));
                                format!("<-CAL:{request}\n->RET:{echo}\n")
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let recorded = server.finish();
        let exchanges: BTreeSet<String> = recorded
            .split_inclusive('\n')
            .collect::<Vec<_>>()
            .chunks(2)
            .map(|pair| pair.concat())
            .collect();
        assert_eq!(exchanges, expected, "{kind:?}");
    }
}
