//! The Python-regex engine of alterations: an arbitrary pattern compiled (with and without
//! DOTALL), then matched at the start of an arbitrary text, and substituted with an
//! arbitrary template and with `\g<0>`.
//!
//! Checks: no panic, no hang (compilation and matching are bounded: see `docs/fuzzing.md`);
//! a match at the start is a prefix of the text with one entry per group; replacing every
//! match by itself gives back the text.
//!
//! `cargo +nightly fuzz run pyre -- -dict=pyre.dict` (run from `fuzz/`).

#![no_main]

use arbitrary::Arbitrary;
use capturemock::alterations::pyre::PyRegex;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    dotall: bool,
    pattern: &'a str,
    template: &'a str,
    text: &'a str,
}

fuzz_target!(|input: Input<'_>| {
    let compiled = if input.dotall {
        PyRegex::new_dotall(input.pattern)
    } else {
        PyRegex::new(input.pattern)
    };
    let Ok(regex) = compiled else {
        return;
    };
    assert_eq!(regex.as_str(), input.pattern);
    if let Ok(Some(groups)) = regex.match_prefix(input.text) {
        assert_eq!(groups.len(), regex.groups() + 1);
        let whole = groups[0].as_deref().expect("group 0 always takes part");
        assert!(input.text.starts_with(whole));
    }
    let same = regex.template(r"\g<0>").expect("group 0 always exists");
    if let Ok(out) = regex.sub(&same, input.text) {
        assert_eq!(out, input.text);
    }
    if let Ok(template) = regex.template(input.template) {
        let _ = regex.sub(&template, input.text);
    }
});
