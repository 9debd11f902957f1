#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod capture;
mod capture_test;
mod fake_test;

use proc_macro::TokenStream;

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
    fake_test::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `#[capture::test]`: a `#[test]` function whose body runs with a
/// `capturemock::capture::TestMock` for it: its mock file is
/// `<crate>/mocks/<module path>/<name>.mock`, its mode comes from `CAPTUREMOCK_MODE` (replay
/// when the file exists, record when not), and it is checked for drift when the body returns.
/// Another harness's test attribute (`#[tokio::test]`) may follow it instead of `#[test]`.
/// `#[capture::test(dir = "tests/mocks")]` names another directory, relative to the crate;
/// `#[capture::test(record_mode = "none")]` (or `once`, `new`, `all`) fixes the record mode,
/// whatever the environment says. A record run never overwrites a mock file that exists: a
/// different result goes to `<name>.mock.new` for `capturemock review`.
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
    capture_test::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `#[capture]`: every call is recorded in the current capture session and replayed from it,
/// with no `capture("description", ..)` written by hand.
///
/// - On a **trait** `Shop`: a wrapper `CapturedShop<T>` that implements `Shop` around any
///   real implementation `T` (or none, in replay). Calls are recorded as
///   `shop.method(args)`.
/// - On an **inherent `impl` block**: each method with a `self` is recorded as
///   `type_name.method(args)`; its body is the real call.
/// - On a **function**: recorded as `function(args)`.
///
/// `#[capture(name = "weather")]` sets the name before the dot; `#[capture(skip)]` on a
/// method leaves it uncaptured. Arguments are written with `Debug`, results as JSON; the
/// rules and the signatures that are refused (with the reason) are in
/// `docs/capture-traits.md`.
///
/// ```ignore
/// #[capturemock::capture]
/// pub trait Shop {
///     fn price(&self, item: &str) -> Result<f64, ShopError>;
/// }
/// let shop = CapturedShop::new(RealShop::connect("db1"));
/// ```
#[proc_macro_attribute]
pub fn capture(attr: TokenStream, item: TokenStream) -> TokenStream {
    capture::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
