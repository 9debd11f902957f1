#[capturemock::capture]
pub trait Store {
    type Key;
    fn has(&self, key: &str) -> bool;
}

fn main() {}
