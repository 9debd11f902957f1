//! Each signature `#[capture]` refuses gives a compile error that says why and what to do;
//! the expected messages are the `.stderr` files beside the cases.

#[test]
fn refused_signatures_explain_themselves() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/capture_traits/refused/*.rs");
}
