pub trait Store {
    fn has(&self, key: &str) -> bool;
}

pub struct Disk;

// One implementation: the trait is the place for #[capture].
#[capturemock::capture]
impl Store for Disk {
    fn has(&self, _key: &str) -> bool {
        true
    }
}

fn main() {}
