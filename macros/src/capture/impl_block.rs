//! `#[capture]` on an inherent `impl` block: each method with a `self` is recorded as
//! `type_name.method(args)`, and its body, moved into a hidden sibling method, is the real
//! call.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{ImplItem, ItemImpl, Type};

use super::body::{self, CallSite};
use super::options::Options;
use super::signature;
use super::snake_case;

/// The block with each captured method split in two: the captured method, and its real body.
pub(super) fn expand(options: Options, mut item: ItemImpl) -> syn::Result<TokenStream> {
    if let Some((_, path, _)) = &item.trait_ {
        return Err(syn::Error::new(
            path.span(),
            "#[capture] on `impl Trait for Type` would capture one implementation only: put \
             #[capture] on the trait, and wrap the implementation in its `Captured...` wrapper",
        ));
    }
    let record_name = match (&options.name, &*item.self_ty) {
        (Some(name), _) => name.value(),
        (None, Type::Path(path)) => path
            .path
            .segments
            .last()
            .map(|s| snake_case(&s.ident.to_string()))
            .unwrap_or_default(),
        (None, other) => {
            return Err(syn::Error::new(
                other.span(),
                "#[capture] needs `name = \"...\"` for an impl block of this type",
            ))
        }
    };
    let mut items = Vec::new();
    let mut errors: Option<syn::Error> = None;
    for member in std::mem::take(&mut item.items) {
        let ImplItem::Fn(mut function) = member else {
            items.push(member);
            continue;
        };
        let skip = match Options::take_from(&mut function.attrs) {
            Ok(o) => o.skip,
            Err(e) => {
                errors.get_or_insert(e);
                continue;
            }
        };
        if skip || function.sig.receiver().is_none() {
            items.push(ImplItem::Fn(function));
            continue;
        }
        let method = match signature::analyze(&function.sig, false) {
            Ok(method) => method,
            Err(e) => {
                match &mut errors {
                    Some(all) => all.combine(e),
                    None => errors = Some(e),
                }
                continue;
            }
        };
        let ident = function.sig.ident.clone();
        let real_ident = format_ident!("__capturemock_real_{}", ident);
        let args = method.params.iter().map(|p| &p.ident);
        let real = quote!(Self::#real_ident(self, #(#args),*));
        let body = body::captured(
            &method,
            CallSite {
                receiver_name: quote!(#record_name),
                method_name: ident.to_string().trim_start_matches("r#").to_string(),
                real,
            },
        );
        let mut real_fn = function.clone();
        real_fn.sig.ident = real_ident;
        real_fn.vis = syn::Visibility::Inherited;
        real_fn.attrs.retain(|a| !a.path().is_ident("doc"));
        real_fn.attrs.push(syn::parse_quote!(#[doc(hidden)]));
        real_fn.attrs.push(syn::parse_quote!(#[inline]));
        function.sig = method.outer.clone();
        function.block = syn::parse_quote!({ #body });
        items.push(ImplItem::Fn(function));
        items.push(ImplItem::Fn(real_fn));
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    item.items = items;
    Ok(quote!(#item))
}
