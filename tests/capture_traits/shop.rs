//! The issue's example: a shop whose `connect` returns a connection, whose calls return rows
//! or fail. Recorded once with the real shop, replayed with none.

use std::path::Path;

use capturemock::capture::{Mode, Session};
use serde::{Deserialize, Serialize};

/// A row the connection returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub id: u32,
    pub sql: String,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ShopError {
    Boom(String),
    NoHost,
}

/// The entry point.
#[capturemock::capture]
pub trait Shop {
    fn connect(&self, host: &str) -> Result<Box<dyn Conn + Send>, ShopError>;
}

/// What `connect` returns.
#[capturemock::capture]
pub trait Conn {
    fn query(&self, sql: &str, limit: u32) -> Vec<Row>;
    fn fail(&mut self) -> Result<(), ShopError>;
}

/// The real shop, counting the real calls it gets.
struct RealShop;
struct RealConn {
    host: String,
}

impl Shop for RealShop {
    fn connect(&self, host: &str) -> Result<Box<dyn Conn + Send>, ShopError> {
        if host.is_empty() {
            return Err(ShopError::NoHost);
        }
        Ok(Box::new(RealConn { host: host.into() }))
    }
}

impl Conn for RealConn {
    fn query(&self, sql: &str, limit: u32) -> Vec<Row> {
        (1..=limit.min(2))
            .map(|id| Row {
                id,
                sql: format!("{sql} on {}", self.host),
            })
            .collect()
    }
    fn fail(&mut self) -> Result<(), ShopError> {
        Err(ShopError::Boom("boom".into()))
    }
}

/// What a test does with the shop; the same code records and replays.
fn use_shop(shop: &dyn Shop) -> (Vec<Row>, Result<(), ShopError>, Option<ShopError>) {
    let mut conn = shop.connect("db1").expect("connects");
    let rows = conn.query("select 1", 2);
    let failed = conn.fail();
    let refused = shop.connect("").err();
    (rows, failed, refused)
}

fn session(mode: Mode, replay: &Path, record: &Path) -> Session {
    let mut builder = Session::builder(mode).record_file(record);
    if mode == Mode::Replay {
        builder = builder.replay_file(replay);
    }
    builder.open().unwrap()
}

#[test]
fn the_whole_client_is_recorded_from_its_entry_point_and_replayed_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let (recorded_file, replayed_file) =
        (dir.path().join("shop.mock"), dir.path().join("again.mock"));
    let recorded = {
        let session = session(Mode::Record, &recorded_file, &recorded_file);
        let _in = session.enter();
        use_shop(&CapturedShop::new(RealShop))
    };
    let text = std::fs::read_to_string(&recorded_file).unwrap();
    assert_eq!(
        text,
        r#"<-CAL:shop.connect("db1")
->RET:Instance('Conn', 'conn_1')
<-CAL:conn_1.query("select 1", limit=2)
->RET:[
  {
    "id": 1,
    "sql": "select 1 on db1"
  },
  {
    "id": 2,
    "sql": "select 1 on db1"
  }
]
<-CAL:conn_1.fail()
->RET:raise {
  "Boom": "boom"
}
<-CAL:shop.connect("")
->RET:raise "NoHost"
"#
    );
    let replayed = {
        let session = session(Mode::Replay, &recorded_file, &replayed_file);
        let _in = session.enter();
        use_shop(&CapturedShop::<RealShop>::absent())
    };
    assert_eq!(replayed, recorded);
    assert_eq!(std::fs::read_to_string(&replayed_file).unwrap(), text);

    // A test that has no real type at hand names the trait object instead.
    let replayed = {
        let session = session(Mode::Replay, &recorded_file, &replayed_file);
        let _in = session.enter();
        use_shop(&CapturedShop::<dyn Shop>::absent())
    };
    assert_eq!(replayed, recorded);
}

#[test]
fn outside_a_session_the_wrapper_only_calls_the_real_thing() {
    let shop = CapturedShop::new(RealShop);
    let (rows, failed, refused) = use_shop(&shop);
    assert_eq!(rows.len(), 2);
    assert_eq!(failed, Err(ShopError::Boom("boom".into())));
    assert_eq!(refused, Some(ShopError::NoHost));
}
