//! Captured objects returned by captured calls: recorded as `Instance('Conn', 'conn_1')`, as
//! the reference records the objects a captured module returns, and called by that name
//! afterwards (`conn_1.query(..)`), so that capturing a client's entry point captures every
//! object it hands out.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::de::Error as _;

use super::Codec;
use crate::capture::current;

/// What `#[capture]` implements for the wrapper of a trait (`CapturedConn<T>`), so that a call
/// returning the trait can record the instance and replay can make one without the real
/// thing.
pub trait Captured {
    /// The trait's name, as the record writes it: `Instance('Conn', ..)`.
    const TRAIT: &'static str;
    /// The name its calls are recorded under (`conn_1`).
    fn instance_name(&self) -> &str;
    /// An instance with no real implementation, for replay: its calls can only be replayed.
    fn absent(name: String) -> Self;
}

/// The codec of a returned captured instance `W`.
pub struct Instance<W>(PhantomData<fn() -> W>);

impl<W> Instance<W> {
    /// The codec; `W` is the wrapper type (`CapturedConn<_>`).
    pub const fn new() -> Self {
        Instance(PhantomData)
    }
}

impl<W> Default for Instance<W> {
    fn default() -> Self {
        Self::new()
    }
}

impl<W> std::fmt::Debug for Instance<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Instance")
    }
}

impl<W: Captured> Codec<W> for Instance<W> {
    fn encode(&self, value: &W) -> Result<String, serde_json::Error> {
        Ok(format!(
            "Instance('{}', '{}')",
            W::TRAIT,
            value.instance_name()
        ))
    }

    fn decode(&self, text: &str) -> Result<W, serde_json::Error> {
        let not_instance = || {
            serde_json::Error::custom(format!(
                "expected an instance of {}, Instance('{}', 'name')",
                W::TRAIT,
                W::TRAIT
            ))
        };
        let inside = text
            .trim_end()
            .strip_prefix("Instance('")
            .and_then(|t| t.strip_suffix("')"))
            .ok_or_else(not_instance)?;
        let (kind, name) = inside.split_once("', '").ok_or_else(not_instance)?;
        if kind != W::TRAIT || name.is_empty() {
            return Err(not_instance());
        }
        // In mode 2 replayed and recorded instances meet: a name made later must not be one
        // the file already used.
        if let Some(session) = current() {
            session.instance_seen(name);
        }
        Ok(W::absent(name.to_string()))
    }
}

/// A fresh name for an instance of `kind`: the current session's
/// ([`Session::instance_name`](crate::capture::Session::instance_name), numbered per session so
/// that recordings repeat), or outside a session one numbered for the process, which no
/// recording sees.
pub fn instance_name(kind: &str) -> String {
    static UNRECORDED: AtomicU32 = AtomicU32::new(0);
    match current() {
        Some(session) => session.instance_name(kind),
        None => format!("{kind}_{}", UNRECORDED.fetch_add(1, Ordering::Relaxed) + 1),
    }
}
