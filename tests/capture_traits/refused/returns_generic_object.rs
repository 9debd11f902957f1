// A returned captured trait has no generic arguments (captured traits have none).
pub trait Conn<K> {
    fn close(&self, key: K) -> bool;
}

#[capturemock::capture]
pub trait Pool {
    fn take(&self) -> Box<dyn Conn<u8>>;
}

fn main() {}
