//! A database client captured as a trait: `Store::open` hands out an `Inventory`, and both
//! are recorded from the entry point alone. The real implementation is SQLite (rusqlite);
//! the test replays `examples/mocks/capture_trait_database/tests/restocks_what_runs_low.mock`
//! with no database at all: the store is made lazily, and replay never needs it.
//!
//! ```text
//! cargo test --example capture_trait_database                      # replay, no database
//! CAPTUREMOCK_RECORD_MODE=all cargo test --example capture_trait_database   # record against SQLite
//!     (a recording that differs goes to its .mock.new: `capturemock review` shows it)
//! cargo run --example capture_trait_database                       # the calls, on a real database
//! ```

use std::path::PathBuf;

use capturemock::capture;
use serde::{Deserialize, Serialize};

/// One stocked item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Its name.
    pub name: String,
    /// How many are in stock.
    pub quantity: u32,
}

/// Why a database call failed: the database's message, which is what a recording can keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbError(pub String);

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> Self {
        DbError(error.to_string())
    }
}

/// The entry point of the client: opening a database gives an [`Inventory`].
#[capture]
pub trait Store {
    /// Opens (creating if needed) the database `name`.
    fn open(&self, name: &str) -> Result<Box<dyn Inventory>, DbError>;
}

/// What an open database answers.
#[capture]
pub trait Inventory {
    /// Adds `quantity` of `name`; the quantity now in stock.
    fn add(&self, name: &str, quantity: u32) -> Result<u32, DbError>;
    /// Takes `quantity` of `name` out of stock.
    fn take(&self, name: &str, quantity: u32) -> Result<u32, DbError>;
    /// The items with fewer than `below` in stock, by name.
    fn low_stock(&self, below: u32) -> Result<Vec<Item>, DbError>;
}

/// The real store: SQLite files in a directory.
pub struct SqliteStore {
    /// Where the database files are.
    pub dir: PathBuf,
}

/// The real inventory: one SQLite connection.
struct SqliteInventory {
    db: rusqlite::Connection,
}

impl Store for SqliteStore {
    fn open(&self, name: &str) -> Result<Box<dyn Inventory>, DbError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| DbError(e.to_string()))?;
        let db = rusqlite::Connection::open(self.dir.join(name))?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS stock (name TEXT PRIMARY KEY, quantity INTEGER NOT NULL)",
        )?;
        Ok(Box::new(SqliteInventory { db }))
    }
}

impl SqliteInventory {
    /// The quantity of `name` in stock (0 when unknown).
    fn quantity(&self, name: &str) -> Result<u32, DbError> {
        let found = self.db.query_row(
            "SELECT quantity FROM stock WHERE name = ?1",
            [name],
            |row| row.get(0),
        );
        match found {
            Ok(quantity) => Ok(quantity),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }
}

impl Inventory for SqliteInventory {
    fn add(&self, name: &str, quantity: u32) -> Result<u32, DbError> {
        self.db.execute(
            "INSERT INTO stock (name, quantity) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET quantity = quantity + ?2",
            rusqlite::params![name, quantity],
        )?;
        self.quantity(name)
    }

    fn take(&self, name: &str, quantity: u32) -> Result<u32, DbError> {
        let have = self.quantity(name)?;
        if have < quantity {
            return Err(DbError(format!("only {have} {name} in stock")));
        }
        self.db.execute(
            "UPDATE stock SET quantity = quantity - ?2 WHERE name = ?1",
            rusqlite::params![name, quantity],
        )?;
        Ok(have - quantity)
    }

    fn low_stock(&self, below: u32) -> Result<Vec<Item>, DbError> {
        let mut query = self
            .db
            .prepare("SELECT name, quantity FROM stock WHERE quantity < ?1 ORDER BY name")?;
        let items = query.query_map([below], |row| {
            Ok(Item {
                name: row.get(0)?,
                quantity: row.get(1)?,
            })
        })?;
        Ok(items.collect::<Result<_, _>>()?)
    }
}

/// The code under test: sells, and orders again what runs low. It sees only the traits.
pub fn sell_and_restock(store: &dyn Store) -> Result<Vec<String>, DbError> {
    let inventory = store.open("shop.db")?;
    inventory.add("apples", 10)?;
    inventory.add("pears", 3)?;
    inventory.take("apples", 8)?;
    let mut orders = Vec::new();
    if let Err(refused) = inventory.take("pears", 5) {
        orders.push(format!("refused: {}", refused.0));
    }
    for item in inventory.low_stock(5)? {
        orders.push(format!("order 20 {} (have {})", item.name, item.quantity));
    }
    Ok(orders)
}

/// The same calls on a real database in a temporary directory, not captured.
fn main() {
    let dir = std::env::temp_dir().join(format!("capture-db-{}", std::process::id()));
    let store = CapturedStore::new(SqliteStore { dir: dir.clone() });
    for line in sell_and_restock(&store).expect("the database answers") {
        println!("{line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a record run keeps its database (under the target directory, removed first so
    /// that every recording starts from an empty database).
    fn database_dir() -> PathBuf {
        std::env::temp_dir().join(format!("capture-trait-database-{}", std::process::id()))
    }

    #[capture::test(dir = "examples/mocks/capture_trait_database")]
    fn restocks_what_runs_low() {
        let dir = database_dir();
        let _ = std::fs::remove_dir_all(&dir);
        let real_dir = dir.clone();
        // Made on the first call that needs the real database: never, in replay.
        let store = CapturedStore::lazy(move || SqliteStore { dir: real_dir });
        let orders = sell_and_restock(&store).unwrap();
        assert_eq!(
            orders,
            [
                "refused: only 3 pears in stock",
                "order 20 apples (have 2)",
                "order 20 pears (have 3)"
            ]
        );
        let replaying = capture::current().is_some_and(|s| s.mode() == capture::Mode::Replay);
        if replaying {
            assert!(!dir.exists(), "replay touched no database");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
