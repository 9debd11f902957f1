#[capturemock::capture]
pub trait Store<K> {
    fn has(&self, key: K) -> bool;
}

fn main() {}
