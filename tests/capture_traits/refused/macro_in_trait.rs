#[allow(unused_macros)]
macro_rules! methods {
    () => {};
}

// Only methods, constants and associated types.
#[capturemock::capture]
pub trait Store {
    methods!();
}

fn main() {}
