//! `#[capture::test]`: a test whose body runs with a `capturemock::capture::TestMock` for it.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{ItemFn, LitStr};

/// Whether an attribute is a test harness's (`test`, `tokio::test`, ...): its path ends in
/// `test`.
fn is_test_attribute(attribute: &syn::Attribute) -> bool {
    attribute
        .path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "test")
}

/// A `TestMock` made first in the body, named after the function and its module, with its
/// directory relative to the crate (`CARGO_MANIFEST_DIR`, so the path does not depend on
/// where `cargo test` runs). The body's block follows, so the mock is checked when the body is
/// done, after its value is computed. Unlike `#[fake::test]` this works under another
/// harness's attribute (`#[tokio::test]`), since the body stays where it is.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut dir = LitStr::new("mocks", proc_macro2::Span::call_site());
    let arguments = syn::meta::parser(|meta| {
        if meta.path.is_ident("dir") {
            dir = meta.value()?.parse()?;
            Ok(())
        } else {
            Err(meta.error("#[capture::test] takes no arguments or `dir = \"path\"`"))
        }
    });
    syn::parse::Parser::parse2(arguments, attr)?;
    let mut function: ItemFn = syn::parse2(item)
        .map_err(|e| syn::Error::new(e.span(), "#[capture::test] goes on a function"))?;
    let name = function.sig.ident.to_string();
    let name = name.trim_start_matches("r#");
    let has_test_attr = function.attrs.iter().any(is_test_attribute);
    let test_attr = (!has_test_attr).then(|| quote!(#[::core::prelude::v1::test]));
    let body = &function.block;
    *function.block = syn::parse_quote! {{
        let __capturemock_test_mock = ::capturemock::capture::TestMock::builder()
            .function(::core::module_path!(), #name)
            .dir(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #dir))
            .start();
        #body
    }};
    Ok(quote!(#test_attr #function))
}
