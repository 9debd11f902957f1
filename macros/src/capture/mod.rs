//! `#[capture]`: which item it is on, and the expansion for each.
//!
//! The work is split by question: [`options`] reads the attribute's arguments,
//! [`signature`] decides whether a method can be captured and how (its arguments, its
//! out-parameters, the shape of its result), [`body`] writes the captured call, and one
//! module per item kind puts the pieces together.

mod body;
mod function;
mod impl_block;
mod options;
mod signature;
mod trait_item;

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::Item;

/// The expansion of `#[capture(attr)]` on `item`.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let options = options::Options::parse(attr)?;
    if options.skip {
        return Err(syn::Error::new(
            item.span(),
            "#[capture(skip)] goes on a method inside a captured trait or impl block",
        ));
    }
    match syn::parse2::<Item>(item)? {
        Item::Trait(item) => trait_item::expand(options, item),
        Item::Impl(item) => impl_block::expand(options, item),
        Item::Fn(item) => function::expand(options, item),
        other => Err(syn::Error::new(
            other.span(),
            "#[capture] goes on a trait, an inherent impl block or a function",
        )),
    }
}

/// `ShopClient` → `shop_client`: the default record name of a trait or type.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn names_are_snake_case() {
        assert_eq!(snake_case("Shop"), "shop");
        assert_eq!(snake_case("DbClient"), "db_client");
        assert_eq!(snake_case("clock"), "clock");
    }
}
