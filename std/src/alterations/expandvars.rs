//! Python's `os.path.expandvars` (POSIX): `$NAME` and `${NAME}` replaced by the variable's
//! value; unknown variables and malformed references are left as written.
//! The reference expands `match_pattern` values with it, so this is Python's rule and not a
//! shell's: no `${NAME:-default}`, no way to escape a `$`, and a `$` followed by nothing
//! word-like (a pattern's end anchor) stays as it is.

/// Expands `$NAME` (NAME = ASCII letters, digits, `_`) and `${...}` in `text`, looking
/// names up with `lookup`. Inserted values are not expanded again.
/// Values go in unescaped: in a pattern, a value holding regex syntax becomes syntax, as it
/// does in the reference.
pub fn expand_vars_with(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    if !text.contains('$') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        let after = &rest[dollar + 1..];
        let word_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let reference = if word_len > 0 {
            Some((&after[..word_len], word_len))
        } else if after.starts_with('{') {
            after.find('}').map(|close| (&after[1..close], close + 1))
        } else {
            None
        };
        match reference {
            None => {
                out.push_str(&rest[..=dollar]);
                rest = after;
            }
            Some((name, len)) => {
                out.push_str(&rest[..dollar]);
                match lookup(name) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[dollar..dollar + 1 + len]),
                }
                rest = &after[len..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// [`expand_vars_with`] on the process environment.
pub fn expand_env_vars(text: &str) -> String {
    expand_vars_with(text, env_lookup)
}

/// A variable of the process environment; `None` for names no environment can hold.
/// (`std::env::var_os` may panic on an empty name or one holding `=` or NUL, and `${...}` can
/// hold anything.) A value that is not UTF-8 is converted lossily.
pub(crate) fn env_lookup(name: &str) -> Option<String> {
    if name.is_empty() || name.contains(['=', '\0']) {
        return None;
    }
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/u".into()),
            "EMPTY" => Some(String::new()),
            "D" => Some("$HOME".into()),
            _ => None,
        }
    }

    #[test]
    fn expands_like_posixpath() {
        assert_eq!(expand_vars_with("$HOME/x", env), "/home/u/x");
        assert_eq!(expand_vars_with("${HOME}x", env), "/home/ux");
        assert_eq!(expand_vars_with("$HOMEx", env), "$HOMEx");
        assert_eq!(expand_vars_with("a$EMPTY.b", env), "a.b");
        assert_eq!(expand_vars_with("$$HOME", env), "$/home/u");
        assert_eq!(expand_vars_with("${}${HOME", env), "${}${HOME");
        assert_eq!(expand_vars_with("$D", env), "$HOME");
        assert_eq!(expand_vars_with("\\d+$", env), "\\d+$");
        assert_eq!(expand_vars_with("é$HOMEé", env), "é/home/ué");
        assert_eq!(expand_vars_with("${a b}", env), "${a b}");
    }
}
