// A wrapper passes `&self` and `&mut self` on, not `self`.
#[capturemock::capture]
pub trait Store {
    fn close(self) -> bool;
}

fn main() {}
