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
    let mut record_mode: Option<TokenStream> = None;
    let arguments = syn::meta::parser(|meta| {
        if meta.path.is_ident("dir") {
            dir = meta.value()?.parse()?;
            Ok(())
        } else if meta.path.is_ident("record_mode") {
            let name: LitStr = meta.value()?.parse()?;
            // Checked here, so that a misspelt mode is a compile error rather than a failure
            // of every run.
            let variant = match name.value().as_str() {
                "none" => quote!(None),
                "once" => quote!(Once),
                "new" => quote!(New),
                "all" => quote!(All),
                _ => {
                    return Err(syn::Error::new(
                        name.span(),
                        "record_mode is \"none\", \"once\", \"new\" or \"all\"",
                    ))
                }
            };
            record_mode = Some(quote! {
                .record_mode(::capturemock::capture::RecordMode::#variant)
            });
            Ok(())
        } else {
            Err(meta.error(
                "#[capture::test] takes no arguments, `dir = \"path\"` or `record_mode = \"none|once|new|all\"`",
            ))
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
            #record_mode
            .start();
        #body
    }};
    Ok(quote!(#test_attr #function))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_mode_is_checked_when_compiling() {
        let made = expand(
            quote!(record_mode = "new"),
            quote!(
                fn t() {}
            ),
        )
        .unwrap()
        .to_string();
        assert!(made.contains("RecordMode :: New"), "{made}");
        let none = expand(
            quote!(dir = "m", record_mode = "none"),
            quote!(
                fn t() {}
            ),
        )
        .unwrap()
        .to_string();
        assert!(none.contains("RecordMode :: None"), "{none}");
        let plain = expand(
            quote!(),
            quote!(
                fn t() {}
            ),
        )
        .unwrap()
        .to_string();
        assert!(!plain.contains("record_mode"), "{plain}");
        let bad = expand(
            quote!(record_mode = "sometimes"),
            quote!(
                fn t() {}
            ),
        )
        .unwrap_err();
        assert!(bad.to_string().contains("record_mode is"), "{bad}");
    }
}
