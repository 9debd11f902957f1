//! Captured calls through a real session: request texts, errors recorded and raised again,
//! instances named and made again, on files in a temporary directory.

use std::io;

use serde::{Deserialize, Serialize};

use super::{Call, Captured, Codec, Instance, IoError, Json, Raises};
use crate::capture::{Mode, Session};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum ShopError {
    OutOfStock { item: String },
}

/// A stand-in for a generated wrapper.
#[derive(Debug, PartialEq)]
struct Conn {
    name: String,
    real: bool,
}

impl Captured for Conn {
    const TRAIT: &'static str = "Conn";
    fn instance_name(&self) -> &str {
        &self.name
    }
    fn absent(name: String) -> Self {
        Conn { name, real: false }
    }
}

/// Records `calls` in one session, then replays them in another, returning the record file
/// and what each replayed call returned.
fn record_then_replay<R: PartialEq + std::fmt::Debug>(
    calls: impl Fn(bool) -> Vec<R>,
) -> (String, Vec<R>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.mock");
    let session = Session::builder(Mode::Record)
        .record_file(&file)
        .open()
        .unwrap();
    let recorded = {
        let _in = session.enter();
        calls(true)
    };
    session.flush();
    drop(session);
    let text = std::fs::read_to_string(&file).unwrap();
    let session = Session::builder(Mode::Replay)
        .replay_file(&file)
        .open()
        .unwrap();
    let _in = session.enter();
    let replayed = calls(false);
    assert_eq!(recorded, replayed);
    (text, replayed)
}

#[test]
fn the_request_text_reads_like_the_call() {
    let session = Session::builder(Mode::Record).open().unwrap();
    let _in = session.enter();
    let mut call = Call::begin("conn_1", "query").unwrap();
    call.arg("select 'a'\n");
    call.keyword("limit", &Some(2));
    call.buffer("buf", 64);
    call.bytes(b"AT\r\n\xff\"");
    assert_eq!(
        call.text(),
        "conn_1.query(\"select 'a'\\n\", limit=Some(2), buf=[u8; 64], b\"AT\\r\\n\\xff\\\"\""
    );
    let free = Call::begin("", "forecast").unwrap();
    assert_eq!(free.text(), "forecast(");
}

#[test]
fn outside_a_session_no_call_begins() {
    assert!(Call::begin("shop", "price").is_none());
}

#[test]
fn an_error_is_recorded_as_raised_and_comes_back_as_err() {
    let codec = Raises {
        ok: Json,
        err: Json,
    };
    let (text, replayed) = record_then_replay(|real| {
        let mut call = Call::begin("shop", "price").unwrap();
        call.arg("apple");
        let out: Result<f64, ShopError> = call.run(&codec, || {
            assert!(real, "replay called the real thing");
            Err(ShopError::OutOfStock {
                item: "apple".into(),
            })
        });
        vec![out]
    });
    assert_eq!(
        text,
        "<-CAL:shop.price(\"apple\")\n->RET:raise {\n  \"OutOfStock\": {\n    \"item\": \"apple\"\n  }\n}\n"
    );
    assert_eq!(
        replayed,
        [Err(ShopError::OutOfStock {
            item: "apple".into()
        })]
    );
}

#[test]
fn an_io_error_keeps_its_kind() {
    let codec = Raises {
        ok: Json,
        err: IoError,
    };
    let (text, replayed) = record_then_replay(|_| {
        let call = Call::begin("port", "flush").unwrap();
        let out: io::Result<()> = call.run(&codec, || {
            Err(io::Error::new(io::ErrorKind::TimedOut, "slow"))
        });
        vec![out.map_err(|e| (e.kind(), e.to_string()))]
    });
    assert!(
        text.contains("->RET:raise {\n  \"kind\": \"TimedOut\""),
        "{text}"
    );
    assert_eq!(replayed, [Err((io::ErrorKind::TimedOut, "slow".into()))]);
}

#[test]
fn an_instance_is_named_by_the_session_and_made_absent_in_replay() {
    let (text, replayed) = record_then_replay(|real| {
        (0..2)
            .map(|_| {
                let call = Call::begin("shop", "connect").unwrap();
                let conn = call.run(&Instance::<Conn>::new(), || Conn {
                    name: super::instance_name("conn"),
                    real: true,
                });
                assert_eq!(conn.real, real, "replay makes absent instances");
                conn.name
            })
            .collect()
    });
    assert_eq!(
        text,
        "<-CAL:shop.connect()\n->RET:Instance('Conn', 'conn_1')\n\
         <-CAL:shop.connect()\n->RET:Instance('Conn', 'conn_2')\n"
    );
    assert_eq!(replayed, ["conn_1", "conn_2"]);
}

#[test]
fn an_instance_of_another_trait_does_not_decode() {
    let error = Instance::<Conn>::new()
        .decode("Instance('Shop', 'shop_1')")
        .unwrap_err();
    assert!(error.to_string().contains("expected an instance of Conn"));
    assert!(Instance::<Conn>::new().decode("{}").is_err());
}

#[test]
fn out_parameters_are_filled_again_in_replay() {
    let codec = Raises {
        ok: Json,
        err: IoError,
    };
    let (text, replayed) = record_then_replay(|real| {
        let mut buf = [b'.'; 8];
        let mut call = Call::begin("port", "read").unwrap();
        call.buffer("buf", buf.len());
        let n = call.run_filling(
            ["buf"],
            [&mut buf[..]],
            &codec,
            |[buf]| {
                assert!(real, "replay called the real thing");
                buf[..4].copy_from_slice(b"OK\r\n");
                Ok(4)
            },
            |r: &io::Result<usize>| r.as_ref().ok().copied(),
        );
        vec![(n.unwrap(), buf)]
    });
    assert_eq!(
        text,
        "<-CAL:port.read(buf=[u8; 8])\n->RET:{\n  \"buf\": \"OK\\r\\n\",\n  \"return\": 4\n}\n"
    );
    assert_eq!(replayed, [(4, *b"OK\r\n....")]);
}

#[test]
fn in_mode_2_a_new_instance_is_named_past_the_replayed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.mock");
    std::fs::write(
        &file,
        "<-CAL:shop.connect(\"db1\")\n->RET:Instance('Conn', 'conn_4')\n",
    )
    .unwrap();
    let session = Session::builder(Mode::ReplayOldRecordNew)
        .replay_file(&file)
        .new_requests(crate::capture::NewRequestPolicy::RecordUnmatched)
        .open()
        .unwrap();
    let _in = session.enter();
    let connect = |host: &str| {
        let mut call = Call::begin("shop", "connect").unwrap();
        call.arg(host);
        call.run(&Instance::<Conn>::new(), || Conn {
            name: super::instance_name("conn"),
            real: true,
        })
    };
    assert_eq!(connect("db1").name, "conn_4", "replayed");
    assert_eq!(connect("db2").name, "conn_5", "recorded, named past it");
}
