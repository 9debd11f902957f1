//! The arguments of `#[capture(...)]`, on an item and on a method inside one.

use proc_macro2::TokenStream;
use syn::{Attribute, LitStr};

/// What `#[capture(name = "weather", skip)]` says.
#[derive(Default)]
pub(super) struct Options {
    /// The name before the dot in the record text.
    pub(super) name: Option<LitStr>,
    /// Leave this method uncaptured (it forwards to the real implementation).
    pub(super) skip: bool,
}

impl Options {
    /// Reads the attribute's arguments.
    pub(super) fn parse(attr: TokenStream) -> syn::Result<Options> {
        let mut options = Options::default();
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("name") {
                let name: LitStr = meta.value()?.parse()?;
                let text = name.value();
                if text.is_empty() || text.contains(['\'', '(', ')', '\n']) {
                    return Err(syn::Error::new(
                        name.span(),
                        "a capture name is not empty and has no quote, parenthesis or newline: \
                         it is written before `.method(` and inside `Instance('..', '..')`",
                    ));
                }
                options.name = Some(name);
                Ok(())
            } else if meta.path.is_ident("skip") {
                options.skip = true;
                Ok(())
            } else {
                Err(meta.error("#[capture] takes `name = \"...\"` or, on a method, `skip`"))
            }
        });
        syn::parse::Parser::parse2(parser, attr)?;
        Ok(options)
    }

    /// The options of a method inside a captured item, taken out of its attributes (they are
    /// ours, and the compiler would not know them).
    pub(super) fn take_from(attrs: &mut Vec<Attribute>) -> syn::Result<Options> {
        let mut options = Options::default();
        let mut error = None;
        attrs.retain(|attr| {
            if !attr.path().is_ident("capture") {
                return true;
            }
            let parsed = match &attr.meta {
                syn::Meta::List(list) => Options::parse(list.tokens.clone()),
                _ => Ok(Options::default()),
            };
            match parsed {
                Ok(parsed) => {
                    if parsed.name.is_some() {
                        error = Some(syn::Error::new_spanned(
                            attr,
                            "a method takes only #[capture(skip)]: its name is its own",
                        ));
                    }
                    options.skip |= parsed.skip;
                }
                Err(e) => error = Some(e),
            }
            false
        });
        match error {
            Some(e) => Err(e),
            None => Ok(options),
        }
    }
}
