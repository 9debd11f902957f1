//! `#[fake::test]`: a test whose body runs inside `capturemock::fake::test`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, ReturnType};

/// The function kept as written, with `#[test]` added unless it has one, and its body moved
/// into a closure given to `capturemock::fake::test`. The closure gets the function's return
/// type, so a test returning `Result` still can use `?`. An async function is refused: its
/// body would become a future that nothing awaits.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !attr.is_empty() {
        return Err(syn::Error::new(
            attr.span(),
            "#[fake::test] takes no arguments",
        ));
    }
    let mut function: ItemFn = syn::parse2(item)
        .map_err(|e| syn::Error::new(e.span(), "#[fake::test] goes on a function"))?;
    if let Some(asyncness) = function.sig.asyncness {
        return Err(syn::Error::new(
            asyncness.span(),
            "#[fake::test] does not support async functions",
        ));
    }
    let has_test_attr = function.attrs.iter().any(|a| a.path().is_ident("test"));
    let test_attr = (!has_test_attr).then(|| quote!(#[::core::prelude::v1::test]));
    let returns = match &function.sig.output {
        ReturnType::Default => quote!(),
        ReturnType::Type(arrow, ty) => quote!(#arrow #ty),
    };
    let body = &function.block;
    let span = body.span();
    *function.block = syn::parse_quote_spanned! {span=>
        { ::capturemock::fake::test(|| #returns #body) }
    };
    Ok(quote_spanned! {span=> #test_attr #function })
}
