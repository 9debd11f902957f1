//! Attribute macros of `capturemock`, re-exported from there: use `capturemock::fake::test`
//! and `capturemock::capture::test`. Written on `proc_macro` alone, with no `syn` or
//! `quote`: the attributes only need the `fn` keyword, the name, the return type and the
//! body, and a full parser would add its compile time to every crate that uses capturemock.
//! The generated code names everything by absolute path (`::capturemock::...`,
//! `::core::...`), so it works whatever the test module imports.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use proc_macro::{Delimiter, Group, Spacing, TokenStream, TokenTree};
use std::str::FromStr;

/// `#[fake::test]`: a `#[test]` function whose body runs inside `capturemock::fake::test`,
/// which forgets earlier expectations, runs the body, and verifies every fake of the thread
/// (panicking with Fudge's message). Write it instead of `#[test]`, like `#[tokio::test]`.
///
/// ```ignore
/// use capturemock::{args, fake::{self, Fake}};
///
/// #[fake::test]
/// fn opens_the_session() {
///     let session = Fake::new("session").expects("open");
///     let _ = session.call("open", args![]);
/// }
/// ```
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    match expand(attr, item) {
        Ok(tokens) => tokens,
        Err(message) => error(&message),
    }
}

/// A `compile_error!` with `message`, which the compiler reports at the attribute: how both
/// macros refuse what they cannot expand.
fn error(message: &str) -> TokenStream {
    TokenStream::from_str(&format!("::core::compile_error!({message:?});")).unwrap_or_default()
}

/// Tokens from source text, for the fixed pieces of the expansion.
fn parse(code: &str) -> Result<TokenStream, String> {
    TokenStream::from_str(code).map_err(|e| e.to_string())
}

/// `#[fake::test]`'s expansion: the function kept as written, with `#[test]` added unless it
/// has one, and its body moved into a closure given to `capturemock::fake::test`. The
/// closure gets the function's return type, so a test returning `Result` still can use `?`.
/// An async function is refused: its body would become a future that nothing awaits.
fn expand(attr: TokenStream, item: TokenStream) -> Result<TokenStream, String> {
    if !attr.is_empty() {
        return Err("#[fake::test] takes no arguments".into());
    }
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let body = match tokens.pop() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g,
        _ => return Err("#[fake::test] goes on a function".into()),
    };
    let is_ident =
        |t: &TokenTree, name: &str| matches!(t, TokenTree::Ident(i) if i.to_string() == name);
    let fn_at = tokens
        .iter()
        .position(|t| is_ident(t, "fn"))
        .ok_or("#[fake::test] goes on a function")?;
    if tokens[..fn_at].iter().any(|t| is_ident(t, "async")) {
        return Err("#[fake::test] does not support async functions".into());
    }
    // The return type: what follows `->` after the parameters, up to a `where` clause.
    let params_at = tokens[fn_at..]
        .iter()
        .position(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis))
        .map(|p| p + fn_at)
        .ok_or("#[fake::test] goes on a function")?;
    let mut ret = TokenStream::new();
    let after = &tokens[params_at + 1..];
    if let [TokenTree::Punct(dash), TokenTree::Punct(gt), rest @ ..] = after {
        if dash.as_char() == '-' && dash.spacing() == Spacing::Joint && gt.as_char() == '>' {
            let end = rest
                .iter()
                .position(|t| is_ident(t, "where"))
                .unwrap_or(rest.len());
            ret.extend(after[..2].iter().cloned());
            ret.extend(rest[..end].iter().cloned());
        }
    }
    let has_test_attr = tokens[..fn_at].windows(2).any(|w| {
        matches!((&w[0], &w[1]), (TokenTree::Punct(p), TokenTree::Group(g))
            if p.as_char() == '#' && g.delimiter() == Delimiter::Bracket
                && g.stream().to_string().trim() == "test")
    });

    let mut out = TokenStream::new();
    if !has_test_attr {
        out.extend(parse("#[::core::prelude::v1::test]")?);
    }
    out.extend(tokens);
    let mut closure = parse("||")?;
    closure.extend(ret);
    closure.extend([TokenTree::Group(body)]);
    let mut call = parse("::capturemock::fake::test")?;
    call.extend([TokenTree::Group(Group::new(
        Delimiter::Parenthesis,
        closure,
    ))]);
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, call))]);
    Ok(out)
}

/// `#[capture::test]`: a `#[test]` function whose body runs with a
/// `capturemock::capture::TestMock` for it: its mock file is
/// `<crate>/mocks/<module path>/<name>.mock`, its mode comes from `CAPTUREMOCK_MODE` (replay
/// when the file exists, record when not), and it is checked for drift when the body returns.
/// Another harness's test attribute (`#[tokio::test]`) may follow it instead of `#[test]`.
/// `#[capture::test(dir = "tests/mocks")]` names another directory, relative to the crate.
///
/// ```ignore
/// use capturemock::capture;
///
/// #[capture::test]
/// fn converts_prices() {
///     assert_eq!(price_in_euro("ACME"), 11.5);
/// }
/// ```
#[proc_macro_attribute]
pub fn capture_test(attr: TokenStream, item: TokenStream) -> TokenStream {
    match expand_capture_test(attr, item) {
        Ok(tokens) => tokens,
        Err(message) => error(&message),
    }
}

/// Whether an attribute's path (`test`, `tokio::test`, ...) ends in `test`.
fn is_test_attribute(attribute: &Group) -> bool {
    let mut last = None;
    for token in attribute.stream() {
        match token {
            TokenTree::Ident(i) => last = Some(i.to_string()),
            TokenTree::Punct(p) if p.as_char() == ':' => {}
            _ => break,
        }
    }
    last.as_deref() == Some("test")
}

/// `#[capture::test]`'s expansion: a `TestMock` made first in the body, named after the
/// function and its module, with its directory relative to the crate (`CARGO_MANIFEST_DIR`,
/// so the path does not depend on where `cargo test` runs). The body's block follows, so the
/// mock is checked when the body is done, after its value is computed. Unlike
/// `#[fake::test]` this works under another harness's attribute (`#[tokio::test]`), since the
/// body stays where it is.
fn expand_capture_test(attr: TokenStream, item: TokenStream) -> Result<TokenStream, String> {
    const MISPLACED: &str = "#[capture::test] goes on a function";
    let attr: Vec<TokenTree> = attr.into_iter().collect();
    let dir = match attr.as_slice() {
        [] => "\"mocks\"".to_string(),
        [TokenTree::Ident(key), TokenTree::Punct(eq), TokenTree::Literal(dir)]
            if key.to_string() == "dir"
                && eq.as_char() == '='
                && dir.to_string().starts_with('"') =>
        {
            dir.to_string()
        }
        _ => return Err("#[capture::test] takes no arguments or `dir = \"path\"`".into()),
    };
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let body = match tokens.pop() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g,
        _ => return Err(MISPLACED.into()),
    };
    let fn_at = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i.to_string() == "fn"))
        .ok_or(MISPLACED)?;
    let name = match tokens.get(fn_at + 1) {
        Some(TokenTree::Ident(name)) => name.to_string().trim_start_matches("r#").to_string(),
        _ => return Err(MISPLACED.into()),
    };
    let has_test_attr = tokens[..fn_at].windows(2).any(|w| {
        matches!((&w[0], &w[1]), (TokenTree::Punct(p), TokenTree::Group(g))
            if p.as_char() == '#' && g.delimiter() == Delimiter::Bracket && is_test_attribute(g))
    });

    let mut out = TokenStream::new();
    if !has_test_attr {
        out.extend(parse("#[::core::prelude::v1::test]")?);
    }
    out.extend(tokens);
    let mut inner = parse(&format!(
        "let __capturemock_test_mock = ::capturemock::capture::TestMock::builder()\
             .function(::core::module_path!(), {name:?})\
             .dir(::core::concat!(::core::env!(\"CARGO_MANIFEST_DIR\"), \"/\", {dir}))\
             .start();"
    ))?;
    inner.extend([TokenTree::Group(body)]);
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, inner))]);
    Ok(out)
}
