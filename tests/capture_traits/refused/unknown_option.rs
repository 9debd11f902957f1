#[capturemock::capture(alias = "db")]
pub trait Store {
    fn has(&self, key: &str) -> bool;
}

#[capturemock::capture(name = "it's")]
pub trait Other {
    fn has(&self, key: &str) -> bool;
}

fn main() {}
