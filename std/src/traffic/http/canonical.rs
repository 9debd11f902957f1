//! Matching that fits JSON APIs: a request whose JSON body differs from its recording only in
//! key order or white space, or whose query has the same parameters in another order, is an
//! exact match.
//!
//! Clients rarely promise an order: a map serialised by one run lists its keys in another
//! order in the next, and the reference then answers from best match (or, with exact
//! matching, not at all). Here both sides are brought to a canonical form (query parameters
//! sorted, JSON re-serialised compactly with sorted keys) and compared; the recorded text is
//! what is looked up and recorded, so a replay does not drift over the order. Headers are
//! compared as they are (their lines are sorted already). `canonical_matching = false` in
//! `[general]` keeps the reference's exact text.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use capturemock_core::words::python_strip;
use serde_json::Value;

/// The canonical form of a request entry's text (`METHOD target[ body]` and header lines,
/// after the prefix): borrowed when it is canonical already.
pub fn canonical(text: &str) -> Cow<'_, str> {
    let (head, headers) = match text.find("\n--HEA:") {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let Some((method, rest)) = head.split_once(' ') else {
        return Cow::Borrowed(text);
    };
    let (target, body) = match rest.split_once(' ') {
        Some((target, body)) => (target, Some(body)),
        None => (rest, None),
    };
    let target_form = canonical_query(target);
    let body_form = body.map(canonical_json);
    let changed = matches!(target_form, Cow::Owned(_)) || matches!(body_form, Some(Cow::Owned(_)));
    if !changed {
        return Cow::Borrowed(text);
    }
    let mut out = format!("{method} {target_form}");
    if let Some(body) = body_form {
        out.push(' ');
        out.push_str(&body);
    }
    out.push_str(headers);
    Cow::Owned(out)
}

/// A target with its query parameters sorted.
fn canonical_query(target: &str) -> Cow<'_, str> {
    let Some((path, query)) = target.split_once('?') else {
        return Cow::Borrowed(target);
    };
    let mut pairs: Vec<&str> = query.split('&').collect();
    if pairs.windows(2).all(|w| w[0] <= w[1]) {
        return Cow::Borrowed(target);
    }
    pairs.sort_unstable();
    Cow::Owned(format!("{path}?{}", pairs.join("&")))
}

/// A JSON body compactly re-serialised with sorted keys; any other body as it is.
fn canonical_json(body: &str) -> Cow<'_, str> {
    let trimmed = body.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return Cow::Borrowed(body);
    }
    match serde_json::from_str::<Value>(body) {
        Ok(value) => {
            let mut out = String::with_capacity(body.len());
            write_sorted(&value, &mut out);
            if out == body {
                Cow::Borrowed(body)
            } else {
                Cow::Owned(out)
            }
        }
        Err(_) => Cow::Borrowed(body),
    }
}

/// Compact JSON with every object's keys sorted (whatever order the map keeps them in).
fn write_sorted(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_sorted(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_sorted(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The recorded requests of a replay file by canonical form, for the requests whose
/// recording is not canonical already or that a client may send in another form.
#[derive(Debug, Default)]
pub struct CanonicalIndex {
    /// Canonical lookup key → the recorded key (its first recording).
    recorded: HashMap<String, String>,
    /// Every recorded key: a request recorded exactly so is its own match.
    exact: HashSet<String>,
}

impl CanonicalIndex {
    /// The index of these recorded lookup keys (`<-CLI:...`).
    pub fn new<'k>(keys: impl IntoIterator<Item = &'k str>) -> Self {
        let mut recorded = HashMap::new();
        let mut exact = HashSet::new();
        for key in keys {
            if let Some((prefix, text)) = key.split_once(':') {
                let form = format!("{prefix}:{}", canonical(text));
                recorded.entry(form).or_insert_with(|| key.to_string());
                exact.insert(key.to_string());
            }
        }
        CanonicalIndex { recorded, exact }
    }

    /// The recorded key that `key` matches canonically, when `key` itself was not recorded.
    /// Keys are compared stripped, as the replay table stores them.
    pub fn recorded(&self, key: &str) -> Option<&str> {
        let key = python_strip(key);
        if self.exact.contains(key) {
            return None;
        }
        let (prefix, text) = key.split_once(':')?;
        let form = format!("{prefix}:{}", canonical(text));
        self.recorded.get(&form).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_and_queries_compare_whatever_their_order() {
        assert_eq!(
            canonical("POST /users?b=2&a=1 {\n  \"name\": \"x\",\n  \"tags\": [{\"z\": 1, \"y\": 2}]\n}\n--HEA:Content-Type=application/json"),
            "POST /users?a=1&b=2 {\"name\":\"x\",\"tags\":[{\"y\":2,\"z\":1}]}\n--HEA:Content-Type=application/json"
        );
        for plain in [
            "GET /x",
            "GET /x?a=1&b=2",
            "POST /form a=1&b=2",
            "POST /x {broken",
            "POST /x {\"a\":1}",
        ] {
            assert!(matches!(canonical(plain), Cow::Borrowed(_)), "{plain}");
        }
    }

    #[test]
    fn the_index_finds_the_recording_of_a_reordered_request() {
        let index = CanonicalIndex::new([
            "<-CLI:POST /q?x=1&y=2 {\"b\": 1, \"a\": [1, 2]}",
            "<-CLI:GET /plain",
        ]);
        assert_eq!(
            index.recorded("<-CLI:POST /q?y=2&x=1 {\"a\":[1,2],\"b\":1}"),
            Some("<-CLI:POST /q?x=1&y=2 {\"b\": 1, \"a\": [1, 2]}")
        );
        assert_eq!(
            index.recorded("<-CLI:POST /q?x=1&y=2 {\"b\": 1, \"a\": [1, 2]}"),
            None,
            "itself"
        );
        assert_eq!(
            index.recorded("<-CLI:POST /q {\"a\":[2,1],\"b\":1}"),
            None,
            "arrays keep their order"
        );
        assert_eq!(index.recorded("<-CLI:GET /other"), None);
    }
}
