// A generic method: no one type to record.
#[capturemock::capture]
pub trait Store {
    fn put<V: std::fmt::Debug>(&self, value: V) -> bool;
}

fn main() {}
