#[capturemock::capture]
pub struct Store {
    path: String,
}

fn main() {}
