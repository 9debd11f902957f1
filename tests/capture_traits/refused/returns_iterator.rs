// An `impl Trait` of a trait that is not captured.
#[capturemock::capture]
pub trait Store {
    fn keys(&self) -> impl Iterator<Item = String>;
}

fn main() {}
