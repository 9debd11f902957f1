//! The body of a captured method: begin the call, write its arguments, run it through the
//! session with the codec of its result, and hand back what the signature declares.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::ReturnType;

use super::signature::{Filled, Method, ParamKind, Shape};

/// Where the generated body gets the pieces that differ per item kind.
pub(super) struct CallSite {
    /// An expression of type `&str`: the name before the dot (`&self.name`, `"weather"`).
    pub(super) receiver_name: TokenStream,
    /// The method's name in the record.
    pub(super) method_name: String,
    /// The real call, not awaited, with the parameters under their generated names.
    pub(super) real: TokenStream,
}

/// The path of the runtime support.
fn runtime() -> TokenStream {
    quote!(::capturemock::capture::method)
}

/// The codec of a result of this shape.
fn codec(shape: &Shape) -> TokenStream {
    let rt = runtime();
    match shape {
        // Spanned at the type, so that a missing `Serialize` is reported there.
        Shape::Value(ty) => quote_spanned!(ty.span()=> ::capturemock::capture::method::Json),
        Shape::Result { ok, io, err, whole } => {
            let ok = codec(ok);
            let err = if *io {
                quote_spanned!(*err=> ::capturemock::capture::method::IoError)
            } else {
                quote_spanned!(*err=> ::capturemock::capture::method::Json)
            };
            quote_spanned!(*whole=> ::capturemock::capture::method::Raises { ok: #ok, err: #err })
        }
        Shape::Instance {
            wrapper,
            object: Some(object),
        } => quote!(#rt::Instance::<#wrapper<#object>>::new()),
        Shape::Instance {
            wrapper,
            object: None,
        } => quote!(#rt::Instance::<#wrapper<_>>::new()),
    }
}

/// Whether the real value and the recorded one differ (an instance is wrapped).
fn wraps(shape: &Shape) -> bool {
    match shape {
        Shape::Value(_) => false,
        Shape::Result { ok, .. } => wraps(ok),
        Shape::Instance { .. } => true,
    }
}

/// The real call's value made into what is recorded: a returned object becomes a named
/// instance of its wrapper.
fn to_recorded(shape: &Shape, value: TokenStream) -> TokenStream {
    match shape {
        Shape::Value(_) => value,
        Shape::Result { ok, .. } if wraps(ok) => {
            let inner = to_recorded(ok, quote!(__capturemock_ok));
            quote!(::core::result::Result::map(#value, |__capturemock_ok| #inner))
        }
        Shape::Result { .. } => value,
        Shape::Instance {
            wrapper,
            object: Some(_),
        } => quote!(#wrapper::__capturemock_instance(#value)),
        Shape::Instance {
            wrapper,
            object: None,
        } => quote!(#wrapper::__capturemock_instance(::std::boxed::Box::new(#value))),
    }
}

/// The recorded value made into what the signature declares: a wrapper of a boxed object is
/// boxed again.
fn to_declared(shape: &Shape, value: TokenStream) -> TokenStream {
    match shape {
        Shape::Result { ok, .. } if wraps(ok) => {
            let inner = to_declared(ok, quote!(__capturemock_ok));
            quote!(::core::result::Result::map(#value, |__capturemock_ok| #inner))
        }
        Shape::Instance {
            object: Some(object),
            ..
        } => quote!({
            let __capturemock_boxed: ::std::boxed::Box<#object> = ::std::boxed::Box::new(#value);
            __capturemock_boxed
        }),
        _ => value,
    }
}

/// The statements of the method: outside a session the real call, unchanged; inside one, the
/// exchange.
pub(super) fn captured(method: &Method, site: CallSite) -> TokenStream {
    let rt = runtime();
    let is_async = method.outer.asyncness.is_some();
    let result_span = match &method.outer.output {
        ReturnType::Default => method.outer.ident.span(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    let CallSite {
        receiver_name,
        method_name,
        real,
    } = site;
    let awaited = if is_async { quote!(#real.await) } else { real };
    let recorded = to_recorded(&method.shape, awaited);
    let declared_value = to_declared(&method.shape, quote!(__capturemock_value));
    let call = quote!(__capturemock_call);
    let writes: Vec<TokenStream> = method
        .params
        .iter()
        .map(|p| {
            let ident = &p.ident;
            let span = p.ty.span();
            match &p.kind {
                ParamKind::Positional => quote_spanned!(span=> #call.arg(&#ident);),
                ParamKind::Keyword(name) => quote_spanned!(span=> #call.keyword(#name, &#ident);),
                ParamKind::Bytes => quote_spanned!(span=> #call.bytes(#ident);),
                ParamKind::Buffer(name) => {
                    quote_spanned!(span=> #call.buffer(#name, #ident.len());)
                }
            }
        })
        .collect();
    let mutable = (!writes.is_empty()).then(|| quote!(mut));
    let codec = codec(&method.shape);
    let buffers: Vec<_> = method
        .params
        .iter()
        .filter_map(|p| match &p.kind {
            ParamKind::Buffer(name) => Some((&p.ident, name)),
            _ => None,
        })
        .collect();
    let idents: Vec<_> = buffers.iter().map(|(ident, _)| *ident).collect();
    let names: Vec<_> = buffers.iter().map(|(_, name)| *name).collect();
    let n = buffers.len();
    let declared = match &method.outer.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    let filled = match method.filled {
        Filled::Whole => quote!(|_: &#declared| ::core::option::Option::None),
        Filled::Returned => quote!(|__capturemock_n: &#declared| {
            ::core::option::Option::Some(*__capturemock_n)
        }),
        Filled::ReturnedOk => quote!(|__capturemock_n: &#declared| {
            ::core::option::Option::map(
                ::core::result::Result::ok(::core::result::Result::as_ref(__capturemock_n)),
                |__capturemock_n: &usize| *__capturemock_n,
            )
        }),
    };
    // The call that needs the result's serde is reported at the result's type: every token of
    // it carries that span (stable Rust reports an expression at its first token).
    let call = proc_macro2::Ident::new("__capturemock_call", result_span);
    let exchange = if buffers.is_empty() && is_async {
        quote_spanned!(result_span=>
            #call.run_async(&#codec, async move { #recorded }).await
        )
    } else if buffers.is_empty() {
        quote_spanned!(result_span=> #call.run(&#codec, move || #recorded))
    } else if is_async {
        // The real future borrows the buffers (a block, not `async move`): they are filled
        // once it is over.
        quote_spanned!(result_span=>
            #call.run_filling_async([#(#names),*], &#codec, async {
                let __capturemock_value = #recorded;
                let __capturemock_filled: ::core::option::Option<usize> =
                    (#filled)(&__capturemock_value);
                let __capturemock_written =
                    #rt::written([#(&*#idents),*], __capturemock_filled);
                (__capturemock_value, __capturemock_written)
            })
            .await
            .into_value([#(&mut *#idents),*])
        )
    } else {
        quote_spanned!(result_span=>
            #call.run_filling(
                [#(#names),*],
                [#(&mut *#idents),*],
                &#codec,
                move |[#(#idents),*]: &mut [&mut [u8]; #n]| #recorded,
                #filled,
            )
        )
    };
    let call = quote!(__capturemock_call);
    let unrecorded = to_declared(&method.shape, quote!(__capturemock_value));
    let span = Span::call_site();
    quote_spanned! {span=>
        match #rt::Call::begin(#receiver_name, #method_name) {
            ::core::option::Option::None => {
                let __capturemock_value = #recorded;
                #unrecorded
            }
            ::core::option::Option::Some(#mutable #call) => {
                #(#writes)*
                let __capturemock_value = #exchange;
                #declared_value
            }
        }
    }
}
