//! `#[capture]` on a trait `Shop`: the trait as written, and `CapturedShop<T>`, which
//! implements `Shop` around a real implementation `T` and records or replays every call.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemTrait, TraitItem};

use super::body::{self, CallSite};
use super::options::Options;
use super::signature::{self, Receiver};
use super::snake_case;

/// The trait, its wrapper, and the wrapper's implementation of it.
pub(super) fn expand(options: Options, mut item: ItemTrait) -> syn::Result<TokenStream> {
    if !item.generics.params.is_empty() {
        return Err(syn::Error::new(
            item.generics.span(),
            "#[capture] cannot capture a generic trait: a recorded call has one type for each \
             argument and result. Capture a trait without parameters (wrap the generic one)",
        ));
    }
    let trait_ident = &item.ident;
    let trait_name = trait_ident.to_string();
    let record_name = options
        .name
        .map(|n| n.value())
        .unwrap_or_else(|| snake_case(&trait_name));
    let wrapper = format_ident!("Captured{}", trait_ident, span = trait_ident.span());
    // The wrapper's parameter is `T`, unless the trait names something `T` itself.
    let real_param = if mentions_ident(&item, "T") {
        format_ident!("__CapturemockReal")
    } else {
        format_ident!("T")
    };
    let vis = &item.vis;
    let unsafety = &item.unsafety;

    // Before the loop below takes `#[capture(skip)]` off the methods.
    let bounds = associated_bounds(&item, trait_ident, &real_param);
    let mut members = Vec::new();
    let mut errors: Option<syn::Error> = None;
    let mut fail = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    for member in &mut item.items {
        match member {
            TraitItem::Fn(method) => {
                let method_options = match Options::take_from(&mut method.attrs) {
                    Ok(o) => o,
                    Err(e) => {
                        fail(e);
                        continue;
                    }
                };
                match method_tokens(
                    trait_ident,
                    &real_param,
                    &method.sig,
                    method.default.is_some(),
                    method_options.skip,
                ) {
                    Ok(tokens) => members.push(tokens),
                    Err(e) => fail(e),
                }
            }
            TraitItem::Const(constant) => {
                let (ident, ty) = (&constant.ident, &constant.ty);
                members.push(quote!(const #ident: #ty = <#real_param as #trait_ident>::#ident;));
            }
            TraitItem::Type(associated) if !associated.generics.params.is_empty() => {
                fail(syn::Error::new(
                    associated.generics.span(),
                    "#[capture] cannot capture a generic associated type: a recorded value \
                     needs one concrete type. Name the concrete type in the trait",
                ))
            }
            TraitItem::Type(associated) => {
                let ident = &associated.ident;
                members.push(quote!(type #ident = <#real_param as #trait_ident>::#ident;));
            }
            other => fail(syn::Error::new(
                other.span(),
                "#[capture] can only capture the methods, constants and associated types of a trait",
            )),
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }

    let doc = format!(
        "Records and replays every call of [`{trait_name}`] on a real implementation `T` in the \
         current capture session, as `{record_name}.method(args)`; outside a session it only \
         calls `T`. Made by `#[capture]`: see `capturemock::capture::method`."
    );
    Ok(quote! {
        #item

        #[doc = #doc]
        // A private trait's wrapper may be used in only some of the ways it offers.
        #[allow(dead_code)]
        #vis struct #wrapper<#real_param: ?::core::marker::Sized> {
            name: ::std::string::String,
            real: ::capturemock::capture::method::Real<#real_param>,
        }

        #[allow(dead_code)]
        impl<#real_param> #wrapper<#real_param> {
            /// Captures the calls of `real`.
            #vis fn new(real: #real_param) -> Self {
                Self::from_box(::std::boxed::Box::new(real))
            }

            /// Captures the calls of the implementation `make` returns, made the first time
            /// a call needs it: never, in a run that only replays, so replaying needs no
            /// real resources.
            #vis fn lazy(make: impl ::core::ops::FnOnce() -> #real_param + ::core::marker::Send + 'static) -> Self {
                Self {
                    name: ::std::string::String::from(Self::NAME),
                    real: ::capturemock::capture::method::Real::lazy(make),
                }
            }
        }

        #[allow(dead_code)]
        impl<#real_param: ?::core::marker::Sized> #wrapper<#real_param> {
            /// The name calls are recorded under unless [`named`](Self::named) says otherwise.
            #vis const NAME: &'static str = #record_name;

            /// Captures the calls of a boxed implementation (a trait object too).
            #vis fn from_box(real: ::std::boxed::Box<#real_param>) -> Self {
                Self {
                    name: ::std::string::String::from(Self::NAME),
                    real: ::capturemock::capture::method::Real::from_box(real),
                }
            }

            /// No real implementation: every call must be replayed.
            #vis fn absent() -> Self {
                Self {
                    name: ::std::string::String::from(Self::NAME),
                    real: ::capturemock::capture::method::Real::absent(),
                }
            }

            /// Records the calls under `name` instead (`name.method(args)`).
            #vis fn named(mut self, name: impl ::core::convert::Into<::std::string::String>) -> Self {
                self.name = name.into();
                self
            }

            /// The name calls are recorded under.
            #vis fn name(&self) -> &str {
                &self.name
            }

            /// Wraps an implementation a captured call returned, under a fresh instance name.
            #[doc(hidden)]
            #vis fn __capturemock_instance(real: ::std::boxed::Box<#real_param>) -> Self {
                Self {
                    name: ::capturemock::capture::method::instance_name(Self::NAME),
                    real: ::capturemock::capture::method::Real::from_box(real),
                }
            }
        }

        impl<#real_param: ?::core::marker::Sized> ::core::fmt::Debug for #wrapper<#real_param> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(::core::stringify!(#wrapper))
                    .field("name", &self.name)
                    .field("real", &self.real)
                    .finish()
            }
        }

        impl<#real_param: ?::core::marker::Sized> ::capturemock::capture::method::Captured for #wrapper<#real_param> {
            const TRAIT: &'static str = #trait_name;
            fn instance_name(&self) -> &str {
                &self.name
            }
            fn absent(name: ::std::string::String) -> Self {
                Self {
                    name,
                    real: ::capturemock::capture::method::Real::absent(),
                }
            }
        }

        #unsafety impl<#real_param: ?::core::marker::Sized + #trait_ident> #trait_ident for #wrapper<#real_param>
        where
            #(#bounds,)*
        {
            #(#members)*
        }
    })
}

/// What the wrapper needs of the real implementation's associated types: `Debug` for those
/// in arguments (they are written into the request), serde for those in results (they are
/// recorded and replayed). A method left uncaptured (`skip`) needs neither.
fn associated_bounds(
    item: &ItemTrait,
    trait_ident: &syn::Ident,
    real_param: &syn::Ident,
) -> Vec<TokenStream> {
    let mut argued = Vec::new();
    let mut returned = Vec::new();
    for member in &item.items {
        let TraitItem::Fn(method) = member else {
            continue;
        };
        let skipped = method.attrs.iter().any(|a| a.path().is_ident("capture"));
        if skipped || method.sig.receiver().is_none() {
            continue;
        }
        for input in &method.sig.inputs {
            if let syn::FnArg::Typed(typed) = input {
                argued.extend(signature::associated_types(&typed.ty));
            }
        }
        if let syn::ReturnType::Type(_, ty) = &method.sig.output {
            returned.extend(signature::associated_types(ty));
        }
    }
    let mut bounds = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for ident in argued {
        if seen.insert(("arg", ident.to_string())) {
            bounds.push(quote!(<#real_param as #trait_ident>::#ident: ::core::fmt::Debug));
        }
    }
    for ident in returned {
        if seen.insert(("ret", ident.to_string())) {
            bounds.push(quote!(
                <#real_param as #trait_ident>::#ident:
                    ::capturemock::capture::method::serde::Serialize
                    + ::capturemock::capture::method::serde::de::DeserializeOwned
            ));
        }
    }
    bounds
}

/// Whether `ident` appears anywhere in the trait's tokens.
fn mentions_ident(item: &ItemTrait, ident: &str) -> bool {
    fn walk(tokens: TokenStream, ident: &str) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(i) => i == ident,
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), ident),
            _ => false,
        })
    }
    walk(quote!(#item), ident)
}

/// The wrapper's implementation of one method: captured, forwarded (`skip`), or left to the
/// trait's default body (associated functions with one).
fn method_tokens(
    trait_ident: &syn::Ident,
    real_param: &syn::Ident,
    sig: &syn::Signature,
    has_default: bool,
    skip: bool,
) -> syn::Result<TokenStream> {
    let ident = &sig.ident;
    if sig.receiver().is_none() {
        if has_default {
            return Ok(TokenStream::new());
        }
        return Err(syn::Error::new(
            sig.span(),
            "#[capture] cannot capture this: a function without `self` has no real \
             implementation to call through the wrapper. Give it a default body, or move it \
             out of the trait",
        ));
    }
    let receiver = |unique: bool| {
        if unique {
            quote!(self.real.get_mut(&self.name))
        } else {
            quote!(self.real.get(&self.name))
        }
    };
    if skip {
        let (outer, idents) = signature::plain_params(sig);
        let unique = sig.receiver().is_some_and(|r| r.mutability.is_some());
        let receiver = receiver(unique);
        let args = idents.iter().map(|(ident, _)| ident);
        let real = quote_spanned!(ident.span()=> <#real_param as #trait_ident>::#ident(#receiver, #(#args),*));
        let awaited = if outer.asyncness.is_some() {
            quote!(#real.await)
        } else {
            real
        };
        return Ok(quote!(#outer { #awaited }));
    }
    let method = signature::analyze(sig, true)?;
    let outer = &method.outer;
    let receiver = receiver(method.receiver == Receiver::Unique);
    let args = method.params.iter().map(|p| &p.ident);
    let real =
        quote_spanned!(ident.span()=> <#real_param as #trait_ident>::#ident(#receiver, #(#args),*));
    let body = body::captured(
        &method,
        CallSite {
            receiver_name: quote!(&self.name),
            method_name: ident.to_string().trim_start_matches("r#").to_string(),
            real,
        },
    );
    Ok(quote!(#outer { #body }))
}
