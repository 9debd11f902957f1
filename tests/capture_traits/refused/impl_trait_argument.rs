// `impl Trait` in argument position is a generic method too.
#[capturemock::capture]
pub trait Store {
    fn put(&self, value: impl std::fmt::Debug) -> bool;
}

fn main() {}
