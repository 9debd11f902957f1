// A returned object is one captured trait, with `Send` or `Sync` at most.
#[capturemock::capture]
pub trait Conn {
    fn close(&self) -> bool;
}

#[capturemock::capture]
pub trait Pool {
    fn take(&self) -> Box<dyn Conn + std::fmt::Debug>;
}

fn main() {}
