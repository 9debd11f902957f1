// A `Result` alias hides the error type that would be recorded.
type Result<T> = std::result::Result<T, String>;

#[capturemock::capture]
pub trait Store {
    fn size(&self) -> Result<u64>;
}

fn main() {}
