//! Whether a method can be captured, and how: its receiver, how each argument is written,
//! which arguments are out-parameters, and the shape of its result. Every refusal says why
//! and what to do, at the part of the signature it is about.

use proc_macro2::Span;
use quote::format_ident;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{
    FnArg, GenericArgument, Ident, Pat, PathArguments, ReturnType, Signature, Type, TypeParamBound,
};

/// How the method is called on its receiver.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Receiver {
    /// An associated function: no `self`.
    None,
    /// `&self`.
    Shared,
    /// `&mut self`.
    Unique,
    /// `self`, `mut self`, `self: Box<Self>` and the like.
    Other,
}

/// How an argument appears in the request text.
pub(super) enum ParamKind {
    /// `value`, as `Debug` writes it.
    Positional,
    /// `name=value`: numbers, flags and options, which mean little without their name.
    Keyword(String),
    /// `&[u8]`: `b"bytes"`, as a byte string.
    Bytes,
    /// A `&mut [u8]` the real call fills: `name=[u8; len]` in the request, its contents in
    /// the result.
    Buffer(String),
}

/// One parameter, under the name the generated code uses for it.
pub(super) struct Param {
    pub(super) ident: Ident,
    pub(super) ty: Type,
    pub(super) kind: ParamKind,
}

/// What the result is, for recording it.
pub(super) enum Shape {
    /// A value written as JSON (also `()`).
    Value(Type),
    /// `Result<T, E>`: `Ok` as its shape, `Err` as `raise <error>`; `io` when `E` is
    /// `std::io::Error`. `err` is where `E` is written and `whole` where the `Result` is, for
    /// errors about them.
    Result {
        ok: Box<Shape>,
        io: bool,
        err: Span,
        whole: Span,
    },
    /// Another captured trait: `Box<dyn Conn ...>` (`object` holds `dyn Conn ...`) or
    /// `impl Conn` (`object` is `None`); `wrapper` is the path of its `CapturedConn`.
    Instance {
        wrapper: syn::Path,
        object: Option<Type>,
    },
}

impl Shape {
    /// Whether an instance is anywhere in it.
    fn has_instance(&self) -> bool {
        match self {
            Shape::Value(_) => false,
            Shape::Result { ok, .. } => ok.has_instance(),
            Shape::Instance { .. } => true,
        }
    }
}

/// How much of the out-parameters a result vouches for.
pub(super) enum Filled {
    /// All of them.
    Whole,
    /// The first `n` bytes, `n` being the `usize` returned.
    Returned,
    /// The first `n` bytes, `n` being the `usize` of an `Ok`.
    ReturnedOk,
}

/// A method that can be captured.
pub(super) struct Method {
    pub(super) receiver: Receiver,
    pub(super) params: Vec<Param>,
    pub(super) shape: Shape,
    pub(super) filled: Filled,
    /// The signature the captured method is declared with: each parameter a plain
    /// identifier (patterns are kept by the real function).
    pub(super) outer: Signature,
}

/// What the error messages offer for a method that cannot be captured.
const SKIP: &str = "or mark the method #[capture(skip)] to call the real implementation \
                    without recording it";

/// An error at `span`: `why` it cannot be captured, then what to do.
fn refuse(span: Span, why: &str, instead: &str) -> syn::Error {
    let skip = if instead.is_empty() {
        "Mark the method #[capture(skip)] to call the real implementation without recording it"
            .to_string()
    } else {
        let mut first = instead.chars();
        let capital: String = first
            .next()
            .into_iter()
            .flat_map(char::to_uppercase)
            .collect();
        format!("{capital}{}, {SKIP}", first.as_str())
    };
    syn::Error::new(
        span,
        format!("#[capture] cannot capture this: {why}. {skip}"),
    )
}

/// Traits that come back as `impl Trait` or `Box<dyn Trait>` but are not captured traits, so
/// no recorded instance can stand for them.
const NOT_CAPTURED: &[&str] = &[
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Fn",
    "FnMut",
    "FnOnce",
    "Future",
    "IntoFuture",
    "Stream",
    "Any",
    "Error",
    "Display",
    "Debug",
    "Read",
    "Write",
    "BufRead",
    "Seek",
    "AsyncRead",
    "AsyncWrite",
    "Send",
    "Sync",
];

/// Whether `ty` is `&mut [u8]` (`mutable`) or `&[u8]`.
fn is_byte_slice(ty: &Type, mutable: bool) -> bool {
    let Type::Reference(reference) = ty else {
        return false;
    };
    reference.mutability.is_some() == mutable
        && matches!(&*reference.elem, Type::Slice(slice)
            if matches!(&*slice.elem, Type::Path(p) if p.qself.is_none() && p.path.is_ident("u8")))
}

/// Whether an argument of type `ty` is written with its name: numbers, `bool`, `char` and
/// `Option`s, looked through references.
fn reads_better_with_name(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => reads_better_with_name(&reference.elem),
        Type::Paren(inner) => reads_better_with_name(&inner.elem),
        Type::Path(path) if path.qself.is_none() => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            name == "Option"
                || (path.path.segments.len() == 1
                    && matches!(
                        name.as_str(),
                        "bool"
                            | "char"
                            | "u8"
                            | "u16"
                            | "u32"
                            | "u64"
                            | "u128"
                            | "usize"
                            | "i8"
                            | "i16"
                            | "i32"
                            | "i64"
                            | "i128"
                            | "isize"
                            | "f32"
                            | "f64"
                    ))
        }
        _ => false,
    }
}

/// What is inside a type that a recorded value cannot be: a reference or lifetime, `impl`
/// or `dyn`, `Self`.
#[derive(Default)]
struct Unrecordable {
    reference: Option<Span>,
    opaque: Option<Span>,
    self_type: Option<Span>,
}

impl<'a> Visit<'a> for Unrecordable {
    fn visit_type_reference(&mut self, node: &'a syn::TypeReference) {
        self.reference.get_or_insert(node.span());
        syn::visit::visit_type_reference(self, node);
    }
    fn visit_lifetime(&mut self, node: &'a syn::Lifetime) {
        if node.ident != "static" {
            self.reference.get_or_insert(node.span());
        }
    }
    fn visit_type_impl_trait(&mut self, node: &'a syn::TypeImplTrait) {
        self.opaque.get_or_insert(node.span());
    }
    fn visit_type_trait_object(&mut self, node: &'a syn::TypeTraitObject) {
        self.opaque.get_or_insert(node.span());
    }
    fn visit_path(&mut self, node: &'a syn::Path) {
        // `Self` alone; `Self::Item`, an associated type, is the real implementation's.
        if node.segments.len() == 1 && node.segments[0].ident == "Self" {
            self.self_type.get_or_insert(node.span());
        }
        syn::visit::visit_path(self, node);
    }
}

/// The single generic type arguments of a path segment (`Box<X>` → `[X]`).
fn type_arguments(segment: &syn::PathSegment) -> Vec<&Type> {
    match &segment.arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The captured trait behind `impl Conn + Send` or `dyn Conn + Send`: its path and the path of
/// its wrapper, `CapturedConn`, in the same module.
fn captured_trait(
    bounds: &syn::punctuated::Punctuated<TypeParamBound, syn::Token![+]>,
    span: Span,
) -> syn::Result<syn::Path> {
    let mut traits =
        bounds.iter().filter_map(|b| match b {
            TypeParamBound::Trait(t)
                if !t.path.segments.last().is_some_and(|s| {
                    s.ident == "Send" || s.ident == "Sync" || s.ident == "Unpin"
                }) =>
            {
                Some(t)
            }
            _ => None,
        });
    let (Some(bound), None) = (traits.next(), traits.next()) else {
        return Err(refuse(
            span,
            "a returned object is captured when it is one captured trait (with `Send` or \
             `Sync` at most)",
            "return `Box<dyn Conn>` or `impl Conn` of a trait that has #[capture]",
        ));
    };
    let last =
        bound.path.segments.last().ok_or_else(|| {
            syn::Error::new(bound.span(), "#[capture] expected a trait's path here")
        })?;
    if NOT_CAPTURED.contains(&last.ident.to_string().as_str()) {
        return Err(refuse(
            span,
            &format!(
                "it returns an object of `{}`, which is not a captured trait: only a trait with \
                 #[capture] comes back as a recorded instance",
                last.ident
            ),
            "return a value that serde can write (collect an iterator into a `Vec`)",
        ));
    }
    if !last.arguments.is_empty() {
        return Err(refuse(
            last.arguments.span(),
            "a returned captured trait has no generic arguments",
            "",
        ));
    }
    let mut wrapper = bound.path.clone();
    if let Some(last) = wrapper.segments.last_mut() {
        last.ident = format_ident!("Captured{}", last.ident, span = last.ident.span());
    }
    Ok(wrapper)
}

/// The shape of a returned type.
fn shape_of(ty: &Type) -> syn::Result<Shape> {
    match ty {
        Type::Paren(inner) => return shape_of(&inner.elem),
        Type::ImplTrait(opaque) => {
            return Ok(Shape::Instance {
                wrapper: captured_trait(&opaque.bounds, ty.span())?,
                object: None,
            })
        }
        Type::Path(path) if path.qself.is_none() => {
            let segments = &path.path.segments;
            let last = segments.last();
            let name = last.map(|s| s.ident.to_string()).unwrap_or_default();
            let args = last.map(type_arguments).unwrap_or_default();
            let in_io = segments.len() >= 2 && segments[segments.len() - 2].ident == "io";
            match (name.as_str(), args.as_slice()) {
                ("Box", [Type::TraitObject(object)]) => {
                    return Ok(Shape::Instance {
                        wrapper: captured_trait(&object.bounds, ty.span())?,
                        object: Some(Type::TraitObject(object.clone())),
                    })
                }
                ("Result", [ok, err]) => {
                    let io = matches!(err, Type::Path(p) if p.qself.is_none()
                        && p.path.segments.len() >= 2
                        && p.path.segments.last().is_some_and(|s| s.ident == "Error")
                        && p.path.segments[p.path.segments.len() - 2].ident == "io");
                    check_recordable(err)?;
                    return Ok(Shape::Result {
                        ok: Box::new(shape_of(ok)?),
                        io,
                        err: err.span(),
                        whole: ty.span(),
                    });
                }
                ("Result", [ok]) if in_io => {
                    return Ok(Shape::Result {
                        ok: Box::new(shape_of(ok)?),
                        io: true,
                        err: ty.span(),
                        whole: ty.span(),
                    })
                }
                ("Result", [_]) => {
                    return Err(refuse(
                        ty.span(),
                        "a one-argument `Result` alias hides the error type, and the error is \
                         recorded as itself",
                        "write `Result<T, E>` with an error type that serde can write",
                    ))
                }
                _ => {}
            }
        }
        _ => {}
    }
    check_recordable(ty)?;
    Ok(Shape::Value(ty.clone()))
}

/// Refuses a type a recorded value cannot be.
fn check_recordable(ty: &Type) -> syn::Result<()> {
    let mut found = Unrecordable::default();
    found.visit_type(ty);
    if let Some(span) = found.reference {
        return Err(refuse(
            span,
            "it returns a reference, and in replay there is no real value to borrow from",
            "return an owned value (`String`, `Vec<T>`, a clone)",
        ));
    }
    if let Some(span) = found.self_type {
        return Err(refuse(
            span,
            "it returns `Self`, and a wrapper cannot make the real implementation's type from a \
             recording",
            "return a value that serde can write",
        ));
    }
    if let Some(span) = found.opaque {
        return Err(refuse(
            span,
            "a returned `impl Trait` or `dyn Trait` is captured only as the whole result \
             (`impl Conn`, `Box<dyn Conn>`, or either as the `Ok` of a `Result`)",
            "return a value that serde can write",
        ));
    }
    Ok(())
}

/// Decides how `sig` is captured. `in_trait`: the method of a captured trait, which is
/// called through a wrapper and so takes `&self` or `&mut self`.
pub(super) fn analyze(sig: &Signature, in_trait: bool) -> syn::Result<Method> {
    if let Some(param) = sig
        .generics
        .params
        .iter()
        .find(|p| !matches!(p, syn::GenericParam::Lifetime(_)))
    {
        return Err(refuse(
            param.span(),
            "it is generic, and a recorded call has one type for each argument and for its \
             result",
            "give the parameter a concrete type (a trait object or an enum)",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        return Err(refuse(
            variadic.span(),
            "variadic functions cannot be called from Rust code the macro writes",
            "",
        ));
    }
    let receiver = match sig.receiver() {
        None => Receiver::None,
        Some(r) if r.reference.is_some() && r.colon_token.is_none() => {
            if r.mutability.is_some() {
                Receiver::Unique
            } else {
                Receiver::Shared
            }
        }
        Some(_) => Receiver::Other,
    };
    if in_trait && receiver == Receiver::Other {
        return Err(refuse(
            sig.inputs.span(),
            "a captured trait's wrapper can pass on `&self` and `&mut self`, not `self` by \
             value or a typed `self`",
            "take `&self` or `&mut self`",
        ));
    }
    let (outer, idents) = plain_params(sig);
    let mut params = Vec::new();
    let typed = sig.inputs.iter().filter_map(|input| match input {
        FnArg::Typed(typed) => Some(typed),
        FnArg::Receiver(_) => None,
    });
    for (typed, (ident, named)) in typed.zip(idents) {
        let ty = (*typed.ty).clone();
        let name = ident.to_string();
        let name = name.trim_start_matches("r#").to_string();
        let kind = if is_byte_slice(&ty, true) {
            ParamKind::Buffer(name)
        } else if is_byte_slice(&ty, false) {
            ParamKind::Bytes
        } else if let Type::Reference(r) = &ty {
            if r.mutability.is_some() {
                return Err(refuse(
                    ty.span(),
                    "the only out-parameters recorded, and filled again in replay, are `&mut [u8]`",
                    "return the value instead of writing it into a `&mut` parameter",
                ));
            }
            positional_or_keyword(named, name, &ty)
        } else {
            positional_or_keyword(named, name, &ty)
        };
        let mut opaque = Unrecordable::default();
        opaque.visit_type(&ty);
        if let Some(span) = opaque.opaque {
            return Err(refuse(
                span,
                "an `impl Trait` or `dyn Trait` argument has no text of its own to record",
                "take a concrete type with `Debug`",
            ));
        }
        params.push(Param { ident, ty, kind });
    }
    let shape = match &sig.output {
        ReturnType::Default => Shape::Value(syn::parse_quote!(())),
        ReturnType::Type(_, ty) => shape_of(ty)?,
    };
    let has_buffers = params
        .iter()
        .any(|p| matches!(p.kind, ParamKind::Buffer(_)));
    if has_buffers && shape.has_instance() {
        return Err(refuse(
            sig.output.span(),
            "a method with out-parameters cannot also return a captured instance",
            "",
        ));
    }
    let filled = match &shape {
        Shape::Value(ty) if is_usize(ty) => Filled::Returned,
        Shape::Result { ok, .. } if matches!(&**ok, Shape::Value(ty) if is_usize(ty)) => {
            Filled::ReturnedOk
        }
        _ => Filled::Whole,
    };
    Ok(Method {
        receiver,
        params,
        shape,
        filled,
        outer,
    })
}

/// `sig` with each parameter a plain identifier, and those identifiers (with whether each is
/// the user's own name, rather than one made for a pattern). The generated method binds
/// plain identifiers; the real function keeps the patterns.
pub(super) fn plain_params(sig: &Signature) -> (Signature, Vec<(Ident, bool)>) {
    let mut outer = sig.clone();
    let mut idents = Vec::new();
    for (i, input) in outer.inputs.iter_mut().enumerate() {
        let FnArg::Typed(typed) = input else {
            continue;
        };
        let (ident, named) = match &*typed.pat {
            Pat::Ident(p) if p.subpat.is_none() => (p.ident.clone(), true),
            _ => (format_ident!("__capturemock_arg{}", i), false),
        };
        *typed.pat = Pat::Ident(syn::PatIdent {
            attrs: Vec::new(),
            by_ref: None,
            mutability: None,
            ident: ident.clone(),
            subpat: None,
        });
        idents.push((ident, named));
    }
    (outer, idents)
}

/// The associated types (`Self::Key`) a type names.
pub(super) fn associated_types(ty: &Type) -> Vec<Ident> {
    /// Collects the second segment of paths that start with `Self`.
    struct Found(Vec<Ident>);
    impl<'a> Visit<'a> for Found {
        fn visit_path(&mut self, node: &'a syn::Path) {
            if node.segments.len() >= 2 && node.segments[0].ident == "Self" {
                self.0.push(node.segments[1].ident.clone());
            }
            syn::visit::visit_path(self, node);
        }
    }
    let mut found = Found(Vec::new());
    found.visit_type(ty);
    found.0
}

/// The kind of an argument that is not an out-parameter.
fn positional_or_keyword(named: bool, name: String, ty: &Type) -> ParamKind {
    if named && reads_better_with_name(ty) {
        ParamKind::Keyword(name)
    } else {
        ParamKind::Positional
    }
}

/// Whether `ty` is `usize`.
fn is_usize(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("usize"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn method(sig: syn::Signature) -> Method {
        match analyze(&sig, true) {
            Ok(method) => method,
            Err(e) => panic!("refused: {e}"),
        }
    }

    #[test]
    fn arguments_are_positional_named_bytes_or_buffers() {
        let m = method(syn::parse_quote!(
            fn f(&self, name: &str, limit: u32, on: bool, maybe: Option<String>, data: &[u8], buf: &mut [u8], (a, b): (u8, u8))
        ));
        let kinds: Vec<String> = m
            .params
            .iter()
            .map(|p| match &p.kind {
                ParamKind::Positional => format!("{}", p.ident),
                ParamKind::Keyword(name) => format!("{name}="),
                ParamKind::Bytes => "b\"\"".into(),
                ParamKind::Buffer(name) => format!("{name}=[u8]"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "name",
                "limit=",
                "on=",
                "maybe=",
                "b\"\"",
                "buf=[u8]",
                "__capturemock_arg7"
            ]
        );
        assert!(m.receiver == Receiver::Shared);
        assert_eq!(
            m.outer.inputs.last().unwrap().to_token_stream().to_string(),
            "__capturemock_arg7 : (u8 , u8)"
        );
    }

    #[test]
    fn results_are_values_errors_or_instances() {
        let m = method(syn::parse_quote!(fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>));
        assert!(matches!(m.shape, Shape::Result { io: true, .. }));
        assert!(matches!(m.filled, Filled::ReturnedOk));
        assert!(m.receiver == Receiver::Unique);

        let m = method(syn::parse_quote!(
            fn open(&self) -> Result<Box<dyn db::Conn + Send>, DbError>
        ));
        let Shape::Result { ok, io: false, .. } = m.shape else {
            panic!("not a Result")
        };
        let Shape::Instance {
            wrapper,
            object: Some(object),
        } = *ok
        else {
            panic!("not an instance")
        };
        assert_eq!(wrapper.to_token_stream().to_string(), "db :: CapturedConn");
        assert_eq!(
            object.to_token_stream().to_string(),
            "dyn db :: Conn + Send"
        );

        let m = method(syn::parse_quote!(fn make(&self) -> impl Conn));
        assert!(matches!(m.shape, Shape::Instance { object: None, .. }));

        let m = method(syn::parse_quote!(fn count(&self, buf: &mut [u8]) -> usize));
        assert!(matches!(m.filled, Filled::Returned));
    }

    #[test]
    fn associated_types_are_found_in_types() {
        let ty: Type = syn::parse_quote!(Result<Vec<Self::Word>, Self::Key>);
        let found: Vec<String> = associated_types(&ty)
            .iter()
            .map(|i| i.to_string())
            .collect();
        assert_eq!(found, ["Word", "Key"]);
    }
}
