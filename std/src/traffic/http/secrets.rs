//! Secrets kept out of record files: the values of credential headers, and of query, form
//! and JSON fields named like credentials, are recorded as a placeholder (`<secret>`).
//!
//! The placeholder is the same for every value, so a replay, which builds the same text
//! from its own request, still matches the recording whatever token it carries (a CI token
//! and a developer's differ). The real values still go to the real service in record
//! mode; only the record never holds them. The reference writes them in the clear.
//!
//! A name is secret when it matches one of the patterns, case-insensitively, with `-` read
//! as `_`; `*` in a pattern matches anything (`*token` matches `token`, `access_token` and
//! `X-Refresh-Token`).

use std::borrow::Cow;

/// What a secret value is recorded as.
pub const PLACEHOLDER: &str = "<secret>";

/// The names whose values are secret by default.
pub const DEFAULT_PATTERNS: &[&str] = &[
    "authorization",
    "proxy_authorization",
    "cookie",
    "set_cookie",
    "*token",
    "*api_key",
    "*apikey",
    "*password",
    "*secret",
];

/// Which names hold secrets; `None` patterns when redaction is off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secrets {
    /// Lower-cased patterns with `-` as `_`; empty when redaction is off.
    patterns: Vec<String>,
}

impl Default for Secrets {
    /// The default patterns.
    fn default() -> Self {
        Secrets::new(true, &[])
    }
}

impl Secrets {
    /// The default patterns and `extra` ones, or none at all when `enabled` is false.
    pub fn new(enabled: bool, extra: &[String]) -> Self {
        let patterns = if enabled {
            DEFAULT_PATTERNS
                .iter()
                .map(|p| p.to_string())
                .chain(extra.iter().map(|p| normalise(p)))
                .collect()
        } else {
            Vec::new()
        };
        Secrets { patterns }
    }

    /// Whether values named `name` are secret.
    pub fn is_secret(&self, name: &str) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let name = name.trim().as_bytes();
        self.patterns.iter().any(|p| glob(p.as_bytes(), name))
    }

    /// A redactor for one exchange's texts.
    pub fn redactor(&self) -> Redactor<'_> {
        Redactor {
            secrets: self,
            found: Vec::new(),
        }
    }
}

/// Replaces secrets in the texts of one exchange and keeps the values it replaced, so that
/// they can be scrubbed wherever else they appear (a service that echoes its input, a token
/// that comes back in a later request).
#[derive(Debug)]
pub struct Redactor<'s> {
    secrets: &'s Secrets,
    /// The secret values replaced so far.
    pub found: Vec<String>,
}

impl Redactor<'_> {
    /// A header's value as recorded: credentials keep their scheme (`Bearer <secret>`), so
    /// the record still says what kind of credential was sent.
    pub fn header_value<'v>(&mut self, name: &str, value: &'v str) -> Cow<'v, str> {
        if !self.secrets.is_secret(name) {
            return Cow::Borrowed(value);
        }
        let authorization = name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization");
        // The parts a service might echo on their own: a credential without its scheme,
        // each cookie's value.
        match value.split_once(' ') {
            Some((scheme, credential)) if authorization => {
                self.found.push(credential.to_string());
                Cow::Owned(format!("{scheme} {PLACEHOLDER}"))
            }
            _ => {
                self.found.push(value.to_string());
                for pair in value.split(';') {
                    if let Some((_, cookie)) = pair.split_once('=') {
                        self.found.push(cookie.trim().to_string());
                    }
                }
                Cow::Borrowed(PLACEHOLDER)
            }
        }
    }

    /// A request target with the secret query fields replaced.
    pub fn target<'t>(&mut self, target: &'t str) -> Cow<'t, str> {
        match target.split_once('?') {
            Some((path, query)) => match self.form(query) {
                Cow::Borrowed(_) => Cow::Borrowed(target),
                Cow::Owned(query) => Cow::Owned(format!("{path}?{query}")),
            },
            None => Cow::Borrowed(target),
        }
    }

    /// `name=value&…` text (a query, a form body) with the secret fields' values replaced.
    pub fn form<'f>(&mut self, form: &'f str) -> Cow<'f, str> {
        if self.secrets.patterns.is_empty()
            || !form
                .split('&')
                .any(|pair| self.secrets.is_secret(pair.split('=').next().unwrap_or("")))
        {
            return Cow::Borrowed(form);
        }
        let pairs: Vec<String> = form
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, value)) if self.secrets.is_secret(name) => {
                    self.found.push(value.to_string());
                    format!("{name}={PLACEHOLDER}")
                }
                _ => pair.to_string(),
            })
            .collect();
        Cow::Owned(pairs.join("&"))
    }

    /// A body's record text with secrets replaced: JSON fields at any depth when it reads
    /// as JSON, form fields when it reads as a form, otherwise as it is.
    pub fn body<'b>(&mut self, text: &'b str) -> Cow<'b, str> {
        if self.secrets.patterns.is_empty() {
            return Cow::Borrowed(text);
        }
        let start = text.trim_start();
        if start.starts_with('{') || start.starts_with('[') {
            return self.json(text);
        }
        if !text.contains(char::is_whitespace) && text.contains('=') {
            return self.form(text);
        }
        Cow::Borrowed(text)
    }

    /// JSON text with the values of secret keys replaced, in place: nothing else changes,
    /// not even white space. Text that is not JSON is scanned all the same and at worst
    /// left as it is.
    fn json<'j>(&mut self, text: &'j str) -> Cow<'j, str> {
        let bytes = text.as_bytes();
        let mut out: Option<String> = None;
        let mut copied = 0;
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at] != b'"' {
                at += 1;
                continue;
            }
            let end = string_end(bytes, at);
            if bytes.get(end.wrapping_sub(1)) != Some(&b'"') || end - 1 == at {
                // An unterminated string: the rest is left as it is.
                break;
            }
            let after = skip_space(bytes, end);
            if bytes.get(after) != Some(&b':') || !self.secrets.is_secret(&text[at + 1..end - 1]) {
                at = end;
                continue;
            }
            let value = skip_space(bytes, after + 1);
            let value_end = match bytes.get(value) {
                Some(b'"') => string_end(bytes, value),
                Some(b'{' | b'[') | None => {
                    at = value;
                    continue;
                }
                Some(_) => {
                    value
                        + bytes[value..]
                            .iter()
                            .position(|b| {
                                matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace()
                            })
                            .unwrap_or(bytes.len() - value)
                }
            };
            self.found
                .push(text[value..value_end].trim_matches('"').to_string());
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[copied..value]);
            out.push('"');
            out.push_str(PLACEHOLDER);
            out.push('"');
            copied = value_end;
            at = value_end;
        }
        match out {
            Some(mut out) => {
                out.push_str(&text[copied..]);
                Cow::Owned(out)
            }
            None => Cow::Borrowed(text),
        }
    }
}

/// The shortest value that is scrubbed wherever it appears: shorter ones (`1`, `me`) are
/// replaced only where a secret name says they are secret, or every digit of a record would
/// go.
pub const MIN_SCRUBBED: usize = 6;

/// `text` with every occurrence of the `known` secret values replaced, longest first (so
/// that a value containing another is replaced whole).
pub fn scrub<'t>(text: &'t str, known: &[String]) -> Cow<'t, str> {
    let mut text = Cow::Borrowed(text);
    for value in known {
        if value.len() >= MIN_SCRUBBED && text.contains(value.as_str()) {
            text = Cow::Owned(text.replace(value.as_str(), PLACEHOLDER));
        }
    }
    text
}

/// Lower case, `-` as `_`.
fn normalise(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

/// Whether `name` matches the normalised `pattern`, where `*` matches any run of bytes;
/// `name` is compared as [`normalise`] would make it, without making it (this runs for every
/// header of every request, so the usual patterns, a name or `*` and a suffix, take one
/// comparison each).
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.iter().rposition(|&c| c == b'*') {
        None => same_normalised(pattern, name),
        Some(0) => {
            let suffix = &pattern[1..];
            name.len() >= suffix.len()
                && same_normalised(suffix, &name[name.len() - suffix.len()..])
        }
        Some(_) => glob_general(pattern, name),
    }
}

/// [`glob`] for any pattern: one try per place where a `*` could end.
fn glob_general(pattern: &[u8], name: &[u8]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| glob_general(rest, &name[skip..])),
        Some((&c, rest)) => match name.split_first() {
            Some((&n, name_rest)) => normalised(n) == c && glob_general(rest, name_rest),
            None => false,
        },
    }
}

/// Whether `name`, normalised, is `pattern`.
fn same_normalised(pattern: &[u8], name: &[u8]) -> bool {
    pattern.len() == name.len() && pattern.iter().zip(name).all(|(&p, &n)| normalised(n) == p)
}

/// One byte of a name as [`normalise`] makes it.
fn normalised(byte: u8) -> u8 {
    if byte == b'-' {
        b'_'
    } else {
        byte.to_ascii_lowercase()
    }
}

/// The index just past the JSON string that starts at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_credentials_are_secret() {
        let s = Secrets::new(true, &["X-Session".to_string()]);
        for name in [
            "Authorization",
            "COOKIE",
            "Set-Cookie",
            "X-Api-Key",
            "apikey",
            "access_token",
            "X-Refresh-Token",
            "password",
            "client_secret",
            "x-session",
        ] {
            assert!(s.is_secret(name), "{name}");
        }
        for name in ["Accept", "tokens", "passwords_policy", "user"] {
            assert!(!s.is_secret(name), "{name}");
        }
        assert!(!Secrets::new(false, &[]).is_secret("Authorization"));
    }

    #[test]
    fn the_quick_paths_of_glob_agree_with_the_general_one() {
        let patterns = [
            "token", "*token", "x_*", "*api*key", "*", "**", "a*b*c", "*_id*",
        ];
        let names = [
            "",
            "token",
            "TOKEN",
            "x-token",
            "tokens",
            "X-Api-Key",
            "x_",
            "X-",
            "apikey",
            "abc",
            "a-b-c",
            "user_id_2",
            "t",
            "Xtoken",
        ];
        for pattern in patterns {
            for name in names {
                assert_eq!(
                    glob(pattern.as_bytes(), name.as_bytes()),
                    glob_general(pattern.as_bytes(), name.as_bytes()),
                    "{pattern:?} against {name:?}"
                );
            }
        }
    }

    #[test]
    fn values_are_replaced_where_they_appear() {
        let secrets = Secrets::default();
        let mut s = secrets.redactor();
        assert_eq!(
            s.header_value("Authorization", "Bearer abc.def"),
            "Bearer <secret>"
        );
        assert_eq!(s.header_value("Cookie", "sid=1; theme=dark"), "<secret>");
        assert_eq!(s.header_value("Accept", "*/*"), "*/*");
        assert_eq!(
            s.target("/q?api_key=K1&x=1&token"),
            "/q?api_key=<secret>&x=1&token"
        );
        assert_eq!(s.target("/plain"), "/plain");
        assert_eq!(
            s.body("user=me&password=hunter2"),
            "user=me&password=<secret>"
        );
        assert_eq!(
            s.body("{\n  \"user\": \"me\",\n  \"auth\": {\"password\" : \"hu\\\"nter2\", \"pin\": 1234},\n  \"access_token\":12}"),
            "{\n  \"user\": \"me\",\n  \"auth\": {\"password\" : \"<secret>\", \"pin\": 1234},\n  \"access_token\":\"<secret>\"}"
        );
        assert_eq!(
            s.body("{\"token\": {\"id\": 1}}"),
            "{\"token\": {\"id\": 1}}"
        );
        assert!(matches!(s.body("{\"a\": 1}"), Cow::Borrowed(_)));
        assert_eq!(s.body("text with password=x"), "text with password=x");
        assert_eq!(
            s.found,
            [
                "abc.def",
                "sid=1; theme=dark",
                "1",
                "dark",
                "K1",
                "hunter2",
                "hu\\\"nter2",
                "12"
            ]
        );
        // Broken JSON never panics.
        for text in [
            "{\"token\"",
            "{\"token\":",
            "{\"token\": \"x",
            "[\"password\" :",
            "{\"tok\u{e9}",
        ] {
            let _ = s.body(text);
        }
    }
}

#[cfg(test)]
mod scrub_tests {
    use super::*;

    #[test]
    fn known_values_are_scrubbed_everywhere_longest_first() {
        let known = vec![
            "S3CR3T-key-long".to_string(),
            "S3CR3T-key".to_string(),
            "me".to_string(),
        ];
        assert_eq!(
            scrub("hello /me?api_key=S3CR3T-key&x=S3CR3T-key-long", &known),
            "hello /me?api_key=<secret>&x=<secret>"
        );
    }
}
