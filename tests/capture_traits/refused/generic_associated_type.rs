// A generic associated type has no one type to record.
#[capturemock::capture]
pub trait Store {
    type Page<'a>;
    fn has(&self, key: &str) -> bool;
}

fn main() {}
