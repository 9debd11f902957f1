// `skip` belongs on a method, `name` on the item.
#[capturemock::capture(skip)]
pub trait Store {
    fn has(&self, key: &str) -> bool;
}

#[capturemock::capture]
pub trait Other {
    #[capture(name = "other")]
    fn has(&self, key: &str) -> bool;
}

fn main() {}
