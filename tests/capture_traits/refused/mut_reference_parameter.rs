// Out-parameters are `&mut [u8]` only.
#[capturemock::capture]
pub trait Store {
    fn fill(&self, into: &mut Vec<u8>) -> usize;
}

fn main() {}
