// Every refused method of a trait is reported, each at its own signature.
#[capturemock::capture]
pub trait Store {
    fn get(&self) -> &str;
    fn put<V>(&self, value: V);
    fn fine(&self) -> u32;
}

fn main() {}
