// A required function without `self`: nothing to call it on.
#[capturemock::capture]
pub trait Store {
    fn open(path: &str) -> bool;
}

fn main() {}
