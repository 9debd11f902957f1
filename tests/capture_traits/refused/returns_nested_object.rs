// A captured object inside another value: only the whole result, or the Ok of a Result.
#[capturemock::capture]
pub trait Conn {
    fn close(&self) -> bool;
}

#[capturemock::capture]
pub trait Pool {
    fn connections(&self) -> Vec<Box<dyn Conn>>;
}

fn main() {}
