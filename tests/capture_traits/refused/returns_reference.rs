// A returned reference: replay has nothing to borrow from.
#[capturemock::capture]
pub trait Store {
    fn get(&self, key: &str) -> Option<&str>;
}

fn main() {}
