// `Self`: the wrapper cannot make the real type from a recording.
#[capturemock::capture]
pub trait Store {
    fn duplicate(&self) -> Self;
}

fn main() {}
