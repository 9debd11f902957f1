// Out-parameters of an async fn are not captured yet.
#[capturemock::capture]
pub trait Port {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize>;
}

fn main() {}
