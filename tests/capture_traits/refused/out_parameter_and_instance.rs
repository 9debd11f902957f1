// Out-parameters and a returned instance do not go together.
#[capturemock::capture]
pub trait Conn {
    fn close(&self) -> bool;
}

#[capturemock::capture]
pub trait Pool {
    fn take(&self, label: &mut [u8]) -> Box<dyn Conn>;
}

fn main() {}
