//! The scenarios: one entry each, run live under both implementations by
//! [`check`](super::driver::check). Section numbers are those of the compat spec (kept with
//! the project's design notes, outside this repository).

use super::driver::{check, Client::*, Difference::*, Expect::*, Replay, Scenario};

/// Each entry becomes an entry of [`ALL`] and a `#[test]` named after it, which checks it.
macro_rules! scenarios {
    ($($(#[doc = $doc:literal])* $name:ident: $scenario:expr;)*) => {
        $(
            $(#[doc = $doc])*
            #[test]
            fn $name() {
                check(ALL, module_path!(), stringify!($name));
            }
        )*

        /// Every scenario, by name.
        const ALL: &[(&str, Scenario)] = &[$((stringify!($name), $scenario)),*];
    };
}

const D: Scenario = Scenario::DEFAULT;

const COMPAT_SERVER: &str = "server-and-command-line";
const COMPAT_FILES: &str = "record-files";
const COMPAT_RC: &str = "rc-files-and-alterations-capturemockrc-capturemockalterations";

scenarios! {
    // ---- Section 3: the custom-client protocol ----

    /// A single-line exchange, recorded and replayed.
    record_single_line: Scenario {
        client: Sequence(&["SUT_CUSTOM:getPrice(ACME):SUT_SEP:12.25"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:getPrice(ACME)"])),
        ..D
    };

    /// Multi-line request and response, trailing white space and newlines in the response.
    record_multi_line: Scenario {
        client: Sequence(&[
            "SUT_CUSTOM:query(\n  a=1,\n  b=2)\n:SUT_SEP:row 1  \nrow 2\n\n",
            "SUT_CUSTOM:second:SUT_SEP:  indented\n\tand tabbed\t\n",
        ]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:query(\n  a=1,\n  b=2)\n", "SUT_CUSTOM:second"])),
        ..D
    };

    /// A one-line replay file answers its request.
    replay_single_line: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:getPrice(ACME)\n->RET:12.25\n"),
        client: Sequence(&["SUT_CUSTOM:getPrice(ACME)"]),
        ..D
    };

    /// Multi-line entries in a replay file; requests with and without surrounding white space.
    replay_multi_line: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:query(\n  a=1)\n->RET:row 1\nrow 2  \n  \n\n<-CAL:other\n->RET:x\n"),
        client: Sequence(&["SUT_CUSTOM:query(\n  a=1)", "SUT_CUSTOM:query(\n  a=1)\n\n", "SUT_CUSTOM:  query(\n  a=1)"]),
        ..D
    };

    /// Two responses after one request are sent back to back, each stripped.
    replay_two_responses: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:two()\n->RET:first  \n->RET:second\n"),
        client: Sequence(&["SUT_CUSTOM:two()", "SUT_CUSTOM:two()"]),
        ..D
    };

    /// Repeats walk the response groups in file order, then fall back to the first, forever.
    repeated_requests_walk_groups_then_first: Scenario {
        mode: "0",
        replay: Replay::Text(
            "<-CAL:next()\n->RET:1\n<-CAL:other()\n->RET:x\n<-CAL:next()\n->RET:2\n<-CAL:next()\n->RET:3\n",
        ),
        client: Sequence(&[
            "SUT_CUSTOM:next()", "SUT_CUSTOM:next()", "SUT_CUSTOM:next()", "SUT_CUSTOM:next()",
            "SUT_CUSTOM:other()", "SUT_CUSTOM:next()",
        ]),
        ..D
    };

    /// An occurrence without a response is an empty group of its own.
    repeated_request_with_an_empty_group: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:poll()\n<-CAL:poll()\n->RET:ready\n"),
        client: Sequence(&["SUT_CUSTOM:poll()", "SUT_CUSTOM:poll()", "SUT_CUSTOM:poll()"]),
        ..D
    };

    /// Best match when a word of the request was replaced.
    best_match_word_replaced: Scenario {
        mode: "0",
        replay: Replay::Text(
            "<-CAL:get user 5 details\n->RET:five\n<-CAL:get order 5\n->RET:order\n\
             <-CAL:getName(1)\n->RET:one\n<-CAL:getName(22)\n->RET:twenty-two\n",
        ),
        client: Sequence(&["SUT_CUSTOM:get user 7 details", "SUT_CUSTOM:getName(23)"]),
        ..D
    };

    /// Best match when the request has an extra word.
    best_match_word_inserted: Scenario {
        mode: "0",
        replay: Replay::Text(
            "<-CAL:open file report.txt\n->RET:opened\n<-CAL:close file\n->RET:closed\n",
        ),
        client: Sequence(&["SUT_CUSTOM:open the file report.txt", "SUT_CUSTOM:close this file now"]),
        ..D
    };

    /// Best match when the request lacks a word.
    best_match_word_deleted: Scenario {
        mode: "0",
        replay: Replay::Text(
            "<-CAL:open file report.txt\n->RET:opened\n<-CAL:close file\n->RET:closed\n",
        ),
        client: Sequence(&["SUT_CUSTOM:open report.txt", "SUT_CUSTOM:close"]),
        ..D
    };

    /// Exact and best-match hits advance the same counter; ties go to unused groups.
    best_match_shares_the_repeat_counter: Scenario {
        mode: "0",
        replay: Replay::Text(
            "<-CAL:fetch(a)\n->RET:A1\n<-CAL:fetch(a)\n->RET:A2\n<-CAL:fetch(b)\n->RET:B\n",
        ),
        client: Sequence(&[
            "SUT_CUSTOM:fetch(c)", "SUT_CUSTOM:fetch(a)", "SUT_CUSTOM:fetch(c)",
            "SUT_CUSTOM:fetch(c)", "SUT_CUSTOM:fetch(a)",
        ]),
        ..D
    };

    /// No word in common, or only with traffic of another type: the reply is empty.
    no_match_replies_empty: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:alpha beta\n->RET:x\n<-CLI:gamma\n->SRV:y\n"),
        client: Sequence(&["SUT_CUSTOM:delta", "SUT_CUSTOM:gamma", "alpha beta", "gamma"]),
        ..D
    };

    /// Exact matching with exact requests only: as without it.
    exact_matching_hits: Scenario {
        rc: &["[general]\nuse_exact_matching = true\n"],
        mode: "0",
        replay: Replay::Text("<-CAL:known()\n->RET:yes\n<-CAL:known()\n->RET:again\n"),
        client: Sequence(&["SUT_CUSTOM:known()", "SUT_CUSTOM:known()", "SUT_CUSTOM:known()"]),
        ..D
    };

    /// A mismatch gets the reference's message; we keep recording after it.
    exact_matching_mismatch: Scenario {
        rc: &["[general]\nuse_exact_matching = true\n"],
        mode: "0",
        replay: Replay::Text("<-CAL:known()\n->RET:yes\n"),
        client: Sequence(&["SUT_CUSTOM:known()", "SUT_CUSTOM:unknown()", "SUT_CUSTOM:known()"]),
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "a mismatch is recorded and recording goes on; the reference stops recording",
            what: &[Record {
                step: 0,
                ours: Some("<-CAL:known()\n->RET:yes\n<-CAL:unknown()\n<-CAL:known()\n->RET:yes\n"),
                reference: Some("<-CAL:known()\n->RET:yes\n"),
            }],
        },
        ..D
    };

    /// Exact matching of a request sent with trailing white space.
    exact_matching_trailing_white_space: Scenario {
        rc: &["[general]\nuse_exact_matching = true\n"],
        mode: "0",
        replay: Replay::Text("<-CAL:known()\n->RET:yes\n"),
        client: Sequence(&["SUT_CUSTOM:known()  \n"]),
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "exact matching ignores a request's surrounding white space; the reference \
                  mismatches what it recorded from the same text, and stops recording",
            what: &[
                Replies {
                    step: 0,
                    ours: Some(&["yes"]),
                    reference: Some(&["CAPTUREMOCK MISMATCH: Could not find any replay request matching '<-CAL:known()  \n'"]),
                },
                Record { step: 0, ours: Some("<-CAL:known()  \n->RET:yes\n"), reference: None },
            ],
        },
        ..D
    };

    /// `:SUT_SEP:` twice: the third part is dropped, also when the response is empty.
    sut_sep_twice: Scenario {
        client: Sequence(&[
            "SUT_CUSTOM:a:SUT_SEP:b:SUT_SEP:c",
            "SUT_CUSTOM:x:SUT_SEP::SUT_SEP:y",
        ]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:a", "SUT_CUSTOM:x"])),
        ..D
    };

    /// In replay mode a record-form message is answered from the file; its response ignored.
    record_form_message_in_replay_mode: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:a\n->RET:recorded\n"),
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:live:SUT_SEP:more"]),
        ..D
    };

    /// Text that is not `SUT_CUSTOM:` is classic client traffic, recorded as `<-CLI:`.
    classic_client_record: Scenario {
        client: Sequence(&["hello classic", "multi\nline classic", "SUT_CUSTOMER:not custom"]),
        then_replay: Some(Sequence(&["hello classic", "multi\nline classic"])),
        ..D
    };

    /// Classic client traffic replayed from `->SRV:`.
    classic_client_replay: Scenario {
        mode: "0",
        replay: Replay::Text("<-CLI:hello\n->SRV:hi there  \n<-CLI:bye\n->SRV:ciao\n"),
        client: Sequence(&["hello", "bye", "hello", "hello again"]),
        ..D
    };

    /// Two classic responses are sent back to back, and classic ones are not stripped.
    classic_replay_two_responses: Scenario {
        mode: "0",
        replay: Replay::Text("<-CLI:q\n->SRV:one\n->SRV:two  \n"),
        client: Sequence(&["q", "q"]),
        ..D
    };

    /// Odd messages: nothing at all, only blanks, a near-`TERMINATE_SERVER`, blank and
    /// blank-edged requests and responses.
    odd_messages: Scenario {
        client: Sequence(&[
            "", "  ", "SUT_CUSTOM:  :SUT_SEP:x", "SUT_CUSTOM: lead:SUT_SEP: y ",
            "SUT_CUSTOM:\n:SUT_SEP:z", " TERMINATE_SERVER",
        ]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:  ", "SUT_CUSTOM: lead", "  "])),
        ..D
    };

    /// A client's `TERMINATE_SERVER` (anything may follow) stops the server.
    terminate_server: Scenario {
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b", "TERMINATE_SERVER\n"]),
        record_file: Some("<-CAL:a\n->RET:b\n"),
        ..D
    };

    /// A program that fails (the client cannot parse its `hex:` argument).
    program_exit_status: Scenario {
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b", "hex:not hex"]),
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "the exit status is the program's; the reference always exits 0",
            what: &[Status { step: 0, ours: Some(1), reference: Some(0) }],
        },
        record_file: Some("<-CAL:a\n->RET:b\n"),
        ..D
    };

    /// A server under test announces itself; classic traffic is proxied to it, directions flip.
    sut_server_announcement_record: Scenario {
        client: Sequence(&["SUT_SERVER:listening at {server}", "hello", "again\nwith lines"]),
        ..D
    };

    /// As above with `record_for_client`: the directions stay.
    sut_server_announcement_record_for_client: Scenario {
        rc: &["[general]\nrecord_for_client = true\n"],
        client: Sequence(&["SUT_SERVER:listening at {server}", "hello"]),
        ..D
    };

    /// Replaying an announced server's session plays its client's side to it.
    sut_server_played_client_session: Scenario {
        mode: "0",
        replay: Replay::Text(
            "<-SRV:listening at {server}\n->CLI:hello\n<-SRV:reply to hello\n->CLI:again\n<-SRV:reply to again\n",
        ),
        client: Sequence(&["SUT_SERVER:listening at {server}"]),
        ..D
    };

    /// An empty custom request is neither recorded nor answered.
    empty_request: Scenario {
        client: Sequence(&["SUT_CUSTOM:", "SUT_CUSTOM:a:SUT_SEP:b", "SUT_CUSTOM:"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:", "SUT_CUSTOM:a"])),
        ..D
    };

    /// An empty custom request with a response.
    empty_request_with_a_response: Scenario {
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b", "SUT_CUSTOM::SUT_SEP:orphan"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:a"])),
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "an empty request is never answered or recorded; the reference echoes and \
                  records its response, which then joins the previous exchange on replay",
            what: &[
                Replies { step: 0, ours: Some(&["b", ""]), reference: Some(&["b", "orphan"]) },
                Record {
                    step: 0,
                    ours: Some("<-CAL:a\n->RET:b\n"),
                    reference: Some("<-CAL:a\n->RET:b\n->RET:orphan\n"),
                },
                Replies { step: 1, ours: Some(&["b"]), reference: Some(&["borphan"]) },
                Record {
                    step: 1,
                    ours: Some("<-CAL:a\n->RET:b\n"),
                    reference: Some("<-CAL:a\n->RET:b\n->RET:orphan\n"),
                },
            ],
        },
        ..D
    };

    /// A request that is not UTF-8 (`SUT_CUSTOM:` and the byte 0xff) between two good ones.
    request_not_utf8: Scenario {
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b", "hex:5355545f435553544f4d3aff", "SUT_CUSTOM:c:SUT_SEP:d"]),
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "a request that is not UTF-8 is refused alone; the reference's handler fails \
                  and nothing after it is recorded",
            what: &[
                Replies {
                    step: 0,
                    ours: Some(&["b", "CAPTUREMOCK ERROR: request is not valid UTF-8 (invalid byte at offset 11)", "d"]),
                    reference: Some(&["b", "", "d"]),
                },
                Record {
                    step: 0,
                    ours: Some("<-CAL:a\n->RET:b\n<-CAL:c\n->RET:d\n"),
                    reference: Some("<-CAL:a\n->RET:b\n"),
                },
            ],
        },
        ..D
    };

    /// Unicode in requests and responses, and in best matching.
    unicode: Scenario {
        client: Sequence(&["SUT_CUSTOM:naïve café ✓ 𝄞:SUT_SEP:ünïcödé €\n日本語", "ünïcode classic"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:naïve café ✓ 𝄞", "SUT_CUSTOM:naïve café ✗ 𝄞", "ünïcode classic"])),
        ..D
    };

    /// Command-line traffic (`SUT_COMMAND_LINE:`), which we do not intercept.
    a_broken_command_line_is_refused_alone: Scenario {
        client: Sequence(&["SUT_COMMAND_LINE:ls", "SUT_CUSTOM:a:SUT_SEP:b"]),
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "a command-line message that is not four parts is answered with an error and \
                  the rest is recorded; the reference's handler fails on it and nothing more is \
                  recorded",
            what: &[
                Replies {
                    step: 0,
                    ours: Some(&[
                        "CAPTUREMOCK ERROR: SUT_COMMAND_LINE message has 1 parts separated by \
                         `:SUT_SEP:`, not 4",
                        "b",
                    ]),
                    reference: Some(&["", "b"]),
                },
                Record { step: 0, ours: Some("<-CAL:a\n->RET:b\n"), reference: None },
            ],
        },
        ..D
    };

    /// An announcement whose last word is not `host:port` announces nothing.
    announcement_without_an_address: Scenario {
        client: Sequence(&["SUT_SERVER:no address here", "hello", "SUT_CUSTOM:a:SUT_SEP:b"]),
        ..D
    };

    /// Announcements the reference cannot parse: `a:b:1` as the last word, no word at all.
    announcement_with_an_unusable_address: Scenario {
        client: Sequence(&["SUT_SERVER:at a:b:1", "SUT_SERVER: ", "hello", "SUT_CUSTOM:a:SUT_SEP:b"]),
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "an announcement without a usable host:port announces nothing and is recorded; \
                  the reference's handler fails on it and nothing is recorded",
            what: &[Record {
                step: 0,
                ours: Some("->SRV:at a:b:1\n->SRV: \n<-CLI:hello\n<-CAL:a\n->RET:b\n"),
                reference: None,
            }],
        },
        ..D
    };

    /// Replayed responses of types other than `RET`, `SRV` and `CLI` (command-line `EXC`, `OUT`).
    replayed_response_of_another_type: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:q\n->RET:a\n->EXC:1\n<-CAL:r\n->OUT:out\n"),
        client: Sequence(&["SUT_CUSTOM:q", "SUT_CUSTOM:r"]),
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "responses of other types are skipped with a warning; the reference sends them \
                  as command-line traffic would get them",
            what: &[
                Replies {
                    step: 0,
                    ours: Some(&["a", ""]),
                    reference: Some(&["a1", "out\n|TT_CMD_SEP|"]),
                },
                Record {
                    step: 0,
                    ours: Some("<-CAL:q\n->RET:a\n<-CAL:r\n"),
                    reference: Some("<-CAL:q\n->RET:a\n->EXC:1\n<-CAL:r\n->OUT:out\n"),
                },
            ],
        },
        ..D
    };

    // ---- Section 4: the record file ----

    /// CRLF inside messages, recorded without `preserve_cr`, then replayed.
    crlf_in_messages: Scenario {
        client: Sequence(&["SUT_CUSTOM:a\r\nb:SUT_SEP:c\r\nd\r\n", "classic\r\ntext"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:a\r\nb", "SUT_CUSTOM:a\nb", "classic\r\ntext"])),
        expect: Differs {
            doc: COMPAT_FILES,
            why: "we escape lines holding a CR (`\\:...\\r`), so CRs survive replay; the \
                  reference writes them raw and reads them back as LF",
            what: &[
                Record {
                    step: 0,
                    ours: Some("<-CAL:\\:a\\r\nb\n->RET:\\:c\\r\n\\:d\\r\n<-CLI:\\:classic\\r\ntext\n"),
                    reference: Some("<-CAL:a\r\nb\n->RET:c\r\nd\r\n<-CLI:classic\r\ntext\n"),
                },
                Replies {
                    step: 1,
                    ours: Some(&["c\r\nd", "c\r\nd", ""]),
                    reference: Some(&["c\nd", "c\nd", ""]),
                },
                Record {
                    step: 1,
                    ours: Some("<-CAL:\\:a\\r\nb\n->RET:\\:c\\r\n\\:d\\r\n<-CAL:a\nb\n->RET:\\:c\\r\n\\:d\\r\n\
                                <-CLI:\\:classic\\r\ntext\n"),
                    reference: Some("<-CAL:a\r\nb\n->RET:c\nd\n<-CAL:a\nb\n->RET:c\nd\n<-CLI:classic\r\ntext\n"),
                },
            ],
        },
        ..D
    };

    /// A replay file with CRLF and CR line ends reads as LF (universal newlines).
    crlf_replay_file: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:a\r\n->RET:one\r\ntwo\r\n<-CAL:b\r->RET:three\r"),
        client: Sequence(&["SUT_CUSTOM:a", "SUT_CUSTOM:b"]),
        ..D
    };

    /// `preserve_cr` and `preserve_lf` write `<CR>` and `<LF>` and read them back.
    preserve_cr_and_lf: Scenario {
        rc: &["[general]\npreserve_cr = true\npreserve_lf = true\n"],
        client: Sequence(&["SUT_CUSTOM:a\r\nb:SUT_SEP:c\nd\r\n", "classic\r\ntext\n"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:a\r\nb", "classic\r\ntext\n"])),
        ..D
    };

    /// `preserve_lf` alone.
    preserve_lf_only: Scenario {
        rc: &["[general]\npreserve_lf = true\n"],
        client: Sequence(&["SUT_CUSTOM:multi\nline:SUT_SEP:out\nput\n"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:multi\nline"])),
        ..D
    };

    /// `record_timestamps` writes `--TIM:` after requests (masked here).
    record_timestamps: Scenario {
        rc: &["[general]\nrecord_timestamps = true\n"],
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b", "classic\ntext", "SUT_CUSTOM:c:SUT_SEP:d\n"]),
        ..D
    };

    /// A replay file with `--TIM:` lines.
    replay_file_with_timestamps: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:a\n--TIM:2024-01-02T03:04:05.678901\n->RET:b\n<-CAL:c\n->RET:d\n"),
        client: Sequence(&["SUT_CUSTOM:a", "SUT_CUSTOM:c"]),
        ..D
    };

    /// Response lines that look like entry markers, recorded and replayed.
    response_lines_like_entry_markers: Scenario {
        client: Sequence(&["SUT_CUSTOM:show log:SUT_SEP:line 1\n<-CAL:not a request\nxx->RET:not a response\nlast"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:show log", "SUT_CUSTOM:not a request"])),
        expect: Differs {
            doc: COMPAT_FILES,
            why: "we escape lines that would start an entry (`\\:`), so our file round-trips; \
                  the reference's file splits the response into a new request and response",
            what: &[
                Record {
                    step: 0,
                    ours: Some("<-CAL:show log\n->RET:line 1\n\\:<-CAL:not a request\n\\:xx->RET:not a response\nlast\n"),
                    reference: Some("<-CAL:show log\n->RET:line 1\n<-CAL:not a request\nxx->RET:not a response\nlast\n"),
                },
                Replies {
                    step: 1,
                    ours: Some(&["line 1\n<-CAL:not a request\nxx->RET:not a response\nlast", ""]),
                    reference: Some(&["line 1", "not a response\nlast"]),
                },
                Record {
                    step: 1,
                    ours: Some("<-CAL:show log\n->RET:line 1\n\\:<-CAL:not a request\n\\:xx->RET:not a response\nlast\n\
                                <-CAL:not a request\n"),
                    reference: Some("<-CAL:show log\n->RET:line 1\n<-CAL:not a request\n->RET:not a response\nlast\n"),
                },
            ],
        },
        ..D
    };

    /// A replay file whose response has a marker-like line: both split it the same way.
    replay_file_with_marker_lines: Scenario {
        mode: "0",
        replay: Replay::Text("<-CAL:show log\n->RET:line 1\n<-CAL:not a request\n  ->RET:indented\n"),
        client: Sequence(&["SUT_CUSTOM:show log", "SUT_CUSTOM:not a request"]),
        ..D
    };

    /// A replay file starting with a response (before any request).
    replay_file_starting_with_a_response: Scenario {
        mode: "0",
        replay: Replay::Text("->RET:orphan\n<-CAL:q\n->RET:one\n"),
        client: Sequence(&["SUT_CUSTOM:q", "SUT_CUSTOM:x"]),
        ..D
    };

    /// A replay file starting with a byte-order mark.
    replay_file_with_byte_order_mark: Scenario {
        mode: "0",
        replay: Replay::Text("\u{feff}<-CAL:a\n->RET:x\n<-CAL:b\n->RET:y\n"),
        client: Sequence(&["SUT_CUSTOM:a", "SUT_CUSTOM:b"]),
        expect: Differs {
            doc: COMPAT_FILES,
            why: "a byte-order mark is skipped; the reference loses the first entry",
            what: &[
                Replies { step: 0, ours: Some(&["x", "y"]), reference: Some(&["", "y"]) },
                Record {
                    step: 0,
                    ours: Some("<-CAL:a\n->RET:x\n<-CAL:b\n->RET:y\n"),
                    reference: Some("<-CAL:a\n<-CAL:b\n->RET:y\n"),
                },
            ],
        },
        ..D
    };

    /// `record_timestamps` in mode 2, custom and classic, replayed and new.
    record_timestamps_in_mode_two: Scenario {
        rc: &["[general]\nrecord_timestamps = true\n"],
        mode: "2",
        replay: Replay::Text("<-CAL:q\n->RET:one\n<-CLI:c\n->SRV:s\n"),
        client: Sequence(&[
            "SUT_CUSTOM:q:SUT_SEP:z", "c", "SUT_CUSTOM:new:SUT_SEP:n", "new classic",
        ]),
        ..D
    };

    // ---- Section 5: replay and mode 2 ----

    /// Mode 2 with the request in the replay file.
    mode_two_with_the_request: Scenario {
        mode: "2",
        replay: Replay::Text("<-CAL:old(1)\n->RET:recorded\n"),
        client: Sequence(&["SUT_CUSTOM:old(1):SUT_SEP:live"]),
        ..D
    };

    /// Mode 2 without the request: the reference best-matches (or answers empty).
    mode_two_without_the_request: Scenario {
        mode: "2",
        replay: Replay::Text("<-CAL:old(1)\n->RET:recorded\n"),
        client: Sequence(&["SUT_CUSTOM:old(2):SUT_SEP:live", "SUT_CUSTOM:brand new:SUT_SEP:live"]),
        ..D
    };

    /// Mode 2 with an empty replay file records everything.
    mode_two_empty_replay_file: Scenario {
        mode: "2",
        replay: Replay::Text(""),
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b"]),
        ..D
    };

    /// Mode 0 with an empty replay file records.
    empty_replay_file: Scenario {
        mode: "0",
        replay: Replay::Text(""),
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b", "classic"]),
        ..D
    };

    /// Mode 0 without `-p` records.
    mode_zero_without_a_replay_file: Scenario {
        mode: "0",
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b"]),
        ..D
    };

    /// Mode 0 with a replay file that does not exist.
    mode_zero_with_a_missing_replay_file: Scenario {
        mode: "0",
        replay: Replay::Missing,
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b"]),
        // Neither runs the client mocked: we stop with an error before running it, the
        // reference runs it without CAPTUREMOCK_SERVER (it fails) and exits 0.
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "a missing replay file is an error (exit 2); the reference runs the program unmocked",
            what: &[Status { step: 0, ours: Some(2), reference: Some(0) }],
        },
        ..D
    };

    /// Mode 2 with a replay file that does not exist.
    mode_two_with_a_missing_replay_file: Scenario {
        mode: "2",
        replay: Replay::Missing,
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b"]),
        expect: Differs {
            doc: COMPAT_SERVER,
            why: "with -m 2 a missing replay file means recording everything; the reference's \
                  server fails to start and the program runs unmocked",
            what: &[
                Replies { step: 0, ours: Some(&["b"]), reference: None },
                Record { step: 0, ours: Some("<-CAL:a\n->RET:b\n"), reference: None },
            ],
        },
        ..D
    };

    /// Eight clients at once: recorded in accept order although they complete in reverse.
    concurrent_recording_order: Scenario {
        client: Concurrent(&[
            "SUT_CUSTOM:call(1):SUT_SEP:r1", "SUT_CUSTOM:call(2):SUT_SEP:r2",
            "SUT_CUSTOM:call(3):SUT_SEP:r3", "SUT_CUSTOM:call(4):SUT_SEP:r4",
            "SUT_CUSTOM:call(5):SUT_SEP:r5", "SUT_CUSTOM:call(6):SUT_SEP:r6",
            "SUT_CUSTOM:call(7):SUT_SEP:r7", "SUT_CUSTOM:call(8):SUT_SEP:r8",
        ]),
        then_replay: Some(Concurrent(&[
            "SUT_CUSTOM:call(1)", "SUT_CUSTOM:call(2)", "SUT_CUSTOM:call(3)", "SUT_CUSTOM:call(4)",
            "SUT_CUSTOM:call(5)", "SUT_CUSTOM:call(6)", "SUT_CUSTOM:call(7)", "SUT_CUSTOM:call(8)",
        ])),
        record_file: Some(
            "<-CAL:call(1)\n->RET:r1\n<-CAL:call(2)\n->RET:r2\n<-CAL:call(3)\n->RET:r3\n<-CAL:call(4)\n->RET:r4\n\
             <-CAL:call(5)\n->RET:r5\n<-CAL:call(6)\n->RET:r6\n<-CAL:call(7)\n->RET:r7\n<-CAL:call(8)\n->RET:r8\n",
        ),
        ..D
    };

    // ---- Section 6: rc files and alterations ----

    /// Alterations apply in reverse order of the list: `a->b`, `b->c` turn `ab` into `bc`.
    alterations_in_reverse_order: Scenario {
        rc: &["[general]\nalterations = first,second\n\n[first]\nmatch_pattern = a\nreplacement = b\n\n\
               [second]\nmatch_pattern = b\nreplacement = c\n"],
        client: Sequence(&["SUT_CUSTOM:ab:SUT_SEP:ab ba", "classic ab"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:ab", "classic ab"])),
        record_file: Some("<-CAL:bc\n->RET:bc cb\n<-CLI:clbssic bc\n"),
        ..D
    };

    /// A replacement starting with `$` names a variable; a new value gets `_2`.
    alteration_variables: Scenario {
        rc: &["[general]\nalterations = ids\n\n[ids]\nmatch_pattern = id-\\d+\nreplacement = $ID\n"],
        client: Sequence(&[
            "SUT_CUSTOM:get id-1:SUT_SEP:id-1 ok",
            "SUT_CUSTOM:get id-2:SUT_SEP:id-2 ok",
            "SUT_CUSTOM:get id-1:SUT_SEP:again",
        ]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:get id-7", "SUT_CUSTOM:get id-8"])),
        record_file: Some("<-CAL:get $ID\n->RET:$ID ok\n<-CAL:get $ID_2\n->RET:$ID_2 ok\n<-CAL:get $ID\n->RET:again\n"),
        ..D
    };

    /// `${CAPTUREMOCK_SERVER}` and `${CAPTUREMOCK_PORT}` in a replacement (masked here).
    alteration_capturemock_server: Scenario {
        rc: &["[general]\nalterations = addr,port\n\n[addr]\nmatch_pattern = localhost:\\d+\n\
               replacement = ${CAPTUREMOCK_SERVER}\n\n[port]\nmatch_pattern = PORT\nreplacement = ${CAPTUREMOCK_PORT}\n"],
        client: Sequence(&["SUT_CUSTOM:connect localhost:1234:SUT_SEP:via localhost:99 PORT"]),
        record_file: Some("<-CAL:connect <capturemock>\n->RET:via <capturemock> <port>\n"),
        ..D
    };

    /// Group references in replacements and back-references inside patterns.
    alteration_backreferences: Scenario {
        rc: &["[general]\nalterations = twice,swap\n\n[twice]\nmatch_pattern = \\b(\\w+) \\1\\b\n\
               replacement = \\1 (twice)\n\n[swap]\nmatch_pattern = (?P<key>\\w+)=(?P<val>\\w+)\n\
               replacement = \\g<val>=\\g<key>\n"],
        client: Sequence(&["SUT_CUSTOM:the the cat sat sat:SUT_SEP:a=1 b=2", "classic x=y"]),
        record_file: Some("<-CAL:the (twice) cat sat (twice)\n->RET:1=a 2=b\n<-CLI:classic y=x\n"),
        ..D
    };

    /// Lookahead and lookbehind, positive and negative.
    alteration_lookaround: Scenario {
        rc: &["[general]\nalterations = behind,ahead,not\n\n[behind]\nmatch_pattern = (?<=id=)\\d+\nreplacement = N\n\n\
               [ahead]\nmatch_pattern = \\d+(?= items)\nreplacement = M\n\n[not]\nmatch_pattern = (?<!x)y(?!z)\nreplacement = Y\n"],
        client: Sequence(&["SUT_CUSTOM:id=42 and 7 items, 8 things:SUT_SEP:xy yz y id=1"]),
        record_file: Some("<-CAL:id=N and M items, 8 things\n->RET:xy yz Y id=N\n"),
        ..D
    };

    /// Environment variables in a match pattern are expanded (`$VAR` and `${VAR}`).
    alteration_environment_variables: Scenario {
        rc: &["[general]\nalterations = secret,host\n\n[secret]\nmatch_pattern = $SECRET_WORD\\d*\nreplacement = <hidden>\n\n\
               [host]\nmatch_pattern = ${HOST_NAME}\nreplacement = <host>\n"],
        env: &[("SECRET_WORD", "hunter"), ("HOST_NAME", "db01")],
        client: Sequence(&["SUT_CUSTOM:login hunter22 at db01:SUT_SEP:welcome hunter at db01"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:login hunter99 at db01"])),
        record_file: Some("<-CAL:login <hidden> at <host>\n->RET:welcome <hidden> at <host>\n"),
        ..D
    };

    /// Unicode `\\d` and `\\w`.
    alteration_unicode_classes: Scenario {
        rc: &["[general]\nalterations = digits,words\n\n[digits]\nmatch_pattern = \\d+\nreplacement = D\n\n\
               [words]\nmatch_pattern = \\b\\w*[éï]\\w*\\b\nreplacement = W\n"],
        client: Sequence(&["SUT_CUSTOM:٣٤ and 12 in café naïve:SUT_SEP:١ naïve"]),
        record_file: Some("<-CAL:D and D in W W\n->RET:D W\n"),
        ..D
    };

    /// Empty matches: `x*` on `abxc` gives `-a-b--c-`.
    alteration_empty_matches: Scenario {
        rc: &["[general]\nalterations = empty\n\n[empty]\nmatch_pattern = x*\nreplacement = -\n"],
        client: Sequence(&["SUT_CUSTOM:abxc:SUT_SEP:xx"]),
        record_file: Some("<-CAL:-a-b--c-\n->RET:--\n"),
        ..D
    };

    /// In replay the request is altered before lookup; `->RET` is not altered, `->SRV` is.
    alterations_in_replay: Scenario {
        rc: &["[general]\nalterations = dates\n\n[dates]\nmatch_pattern = \\d{4}-\\d\\d-\\d\\d\nreplacement = <date>\n"],
        mode: "0",
        replay: Replay::Text("<-CAL:on <date>\n->RET:at 2020-01-01\n<-CLI:x <date>\n->SRV:srv 2021-02-02\n"),
        client: Sequence(&["SUT_CUSTOM:on 2030-05-06", "x 2000-01-01"]),
        ..D
    };

    /// Two sections with the same pattern collapse into one: the later replacement wins.
    alterations_with_the_same_pattern: Scenario {
        rc: &["[general]\nalterations = one,two\n\n[one]\nmatch_pattern = foo\nreplacement = bar\n\n\
               [two]\nmatch_pattern = foo\nreplacement = baz\n"],
        client: Sequence(&["SUT_CUSTOM:foo:SUT_SEP:foo"]),
        record_file: Some("<-CAL:baz\n->RET:baz\n"),
        ..D
    };

    /// An alteration listed but without a section.
    alteration_section_missing: Scenario {
        rc: &["[general]\nalterations = nosuch\n"],
        client: Sequence(&["SUT_CUSTOM:a:SUT_SEP:b", "SUT_CUSTOM:c:SUT_SEP:d"]),
        expect: Differs {
            doc: COMPAT_RC,
            why: "a missing alteration section is skipped with a warning; in the reference \
                  every request fails (TypeError), unanswered and unrecorded",
            what: &[
                Replies { step: 0, ours: Some(&["b", "d"]), reference: Some(&["", ""]) },
                Record {
                    step: 0,
                    ours: Some("<-CAL:a\n->RET:b\n<-CAL:c\n->RET:d\n"),
                    reference: None,
                },
            ],
        },
        ..D
    };

    /// `[DEFAULT]` values apply to `[general]`; booleans `yes`, `On`, `off`.
    rc_default_section_and_booleans: Scenario {
        rc: &["[DEFAULT]\npreserve_lf = yes\n\n[general]\npreserve_cr = On\nrecord_timestamps = off\n"],
        client: Sequence(&["SUT_CUSTOM:a\r\nb:SUT_SEP:c\nd"]),
        then_replay: Some(Sequence(&["SUT_CUSTOM:a\r\nb"])),
        record_file: Some("<-CAL:a<CR><LF>b\n->RET:c<LF>d\n"),
        ..D
    };

    /// A later rc file overrides an earlier one, option by option.
    rc_files_override_in_order: Scenario {
        rc: &[
            "[general]\nuse_exact_matching = true\nalterations = a\n\n[a]\nmatch_pattern = secret\nreplacement = XXX\n",
            "[general]\nuse_exact_matching = false\n\n[a]\nreplacement = YYY\n",
        ],
        mode: "0",
        replay: Replay::Text("<-CAL:get YYY now\n->RET:got it\n"),
        client: Sequence(&["SUT_CUSTOM:get secret now", "SUT_CUSTOM:get secret later"]),
        ..D
    };

    /// Section names are case-sensitive: `[General]` is not `[general]`.
    rc_section_names_are_case_sensitive: Scenario {
        rc: &["[General]\nuse_exact_matching = true\n"],
        mode: "0",
        replay: Replay::Text("<-CAL:q 1\n->RET:one\n"),
        client: Sequence(&["SUT_CUSTOM:q 2"]),
        ..D
    };

    /// Keys are case-insensitive and `%%` is `%`.
    rc_key_case_and_percent: Scenario {
        rc: &["[general]\nALTERATIONS = pct\n\n[pct]\nMatch_Pattern = 100%%\nReplacement = all\n"],
        client: Sequence(&["SUT_CUSTOM:100% sure:SUT_SEP:100%"]),
        record_file: Some("<-CAL:all sure\n->RET:all\n"),
        ..D
    };
}

#[test]
fn there_are_at_least_thirty_scenarios_with_distinct_names() {
    assert!(ALL.len() >= 30, "{} scenarios", ALL.len());
    let mut names: Vec<&str> = ALL.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ALL.len());
}

/// `docs/compatibility.md` marks the differences run here with `live:` and scenario names.
#[test]
fn the_compatibility_page_names_every_differing_scenario_and_only_scenarios() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/compatibility.md");
    let text = std::fs::read_to_string(path).expect("docs/compatibility.md");
    let mut named = Vec::new();
    // `live:` followed by names (the prose's `*live:*` is not).
    for after in text
        .split("live:")
        .skip(1)
        .filter(|a| a.trim_start().starts_with('`'))
    {
        let list = after.split(')').next().unwrap_or(after);
        let list = list.split("\n\n").next().unwrap_or(list);
        named.extend(list.split('`').skip(1).step_by(2));
    }
    assert!(!named.is_empty(), "no `live:` names in {path}");
    for name in &named {
        assert!(
            ALL.iter().any(|(n, _)| n == name),
            "{path} names `{name}` as live, but there is no such scenario"
        );
    }
    for (name, scenario) in ALL {
        if matches!(scenario.expect, Differs { .. }) {
            assert!(
                named.contains(name),
                "scenario {name} differs from the reference, but {path} does not name it (live: `{name}`)"
            );
        }
    }
}
