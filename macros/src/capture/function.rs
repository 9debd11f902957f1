//! `#[capture]` on a function: recorded as `function(args)`, or `name.function(args)` with
//! `#[capture(name = "...")]`; its body, moved into a nested function, is the real call.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ItemFn;

use super::body::{self, CallSite};
use super::options::Options;
use super::signature;

/// The function with its body captured.
pub(super) fn expand(options: Options, mut item: ItemFn) -> syn::Result<TokenStream> {
    let method = signature::analyze(&item.sig, false)?;
    let record_name = options.name.map(|n| n.value()).unwrap_or_default();
    let ident = item.sig.ident.clone();
    let real_ident = format_ident!("__capturemock_real_{}", ident);
    let mut real_sig = item.sig.clone();
    real_sig.ident = real_ident.clone();
    let real_block = &item.block;
    let args = method.params.iter().map(|p| &p.ident);
    let real = quote!(#real_ident(#(#args),*));
    let body = body::captured(
        &method,
        CallSite {
            receiver_name: quote!(#record_name),
            method_name: ident.to_string().trim_start_matches("r#").to_string(),
            real,
        },
    );
    item.sig = method.outer.clone();
    item.block = syn::parse_quote!({
        #[inline]
        #real_sig #real_block
        #body
    });
    Ok(quote!(#item))
}
