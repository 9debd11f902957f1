//! The forms `#[capture]` takes and the signatures it captures: `&mut self`, `async fn`,
//! `impl Trait` instances, out-parameters, lazy real implementations, `skip`, inherent impl
//! blocks and free functions with `name = "..."`.

use std::cell::Cell;
use std::io;
use std::sync::atomic::{AtomicU32, Ordering};

use super::record_then_replay;

thread_local! {
    /// How many times a real body ran on this thread (tests run in parallel, each on its own
    /// thread, so counts do not mix).
    static REAL_CALLS: Cell<u32> = const { Cell::new(0) };
}

/// Counts a real call.
fn real_call() {
    REAL_CALLS.with(|n| n.set(n.get() + 1));
}

#[capturemock::capture(name = "counter")]
pub trait Counter {
    fn add(&mut self, amount: i64) -> i64;
    async fn total(&self) -> i64;
    fn label(&self) -> String;
    #[capture(skip)]
    fn describe<D: std::fmt::Display>(&self, prefix: D) -> String;
}

struct RealCounter(i64);

impl Counter for RealCounter {
    fn add(&mut self, amount: i64) -> i64 {
        real_call();
        self.0 += amount;
        self.0
    }
    async fn total(&self) -> i64 {
        self.0
    }
    fn label(&self) -> String {
        format!("counter at {}", self.0)
    }
    fn describe<D: std::fmt::Display>(&self, prefix: D) -> String {
        format!("{prefix}{}", self.0)
    }
}

/// Polls a future that never waits, with no runtime.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => panic!("the future waited"),
    }
}

#[test]
fn mut_self_and_async_methods_are_captured_and_skipped_ones_are_not() {
    let (text, _) = record_then_replay(|recording| {
        let mut counter = if recording {
            CapturedCounter::new(RealCounter(0))
        } else {
            CapturedCounter::absent()
        };
        let after = (counter.add(2), counter.add(-5));
        let total = block_on(counter.total());
        (after, total, counter.label())
    });
    assert_eq!(
        text,
        "<-CAL:counter.add(amount=2)\n->RET:2\n\
         <-CAL:counter.add(amount=-5)\n->RET:-3\n\
         <-CAL:counter.total()\n->RET:-3\n\
         <-CAL:counter.label()\n->RET:\"counter at -3\"\n"
    );
    let counter = CapturedCounter::new(RealCounter(7));
    assert_eq!(
        counter.describe("at "),
        "at 7",
        "skipped: forwarded, generic"
    );
}

#[test]
fn a_lazy_real_implementation_is_never_made_in_replay() {
    let made = std::sync::Arc::new(AtomicU32::new(0));
    let (_, _) = record_then_replay(|_| {
        let made = made.clone();
        let mut counter = CapturedCounter::lazy(move || {
            made.fetch_add(1, Ordering::Relaxed);
            RealCounter(10)
        })
        .named("lazy");
        counter.add(1)
    });
    assert_eq!(
        made.load(Ordering::Relaxed),
        1,
        "made for the record run only"
    );
}

#[capturemock::capture]
pub trait Factory {
    fn counter(&self, start: i64) -> impl Counter;
}

struct RealFactory;

impl Factory for RealFactory {
    fn counter(&self, start: i64) -> impl Counter {
        RealCounter(start)
    }
}

#[test]
fn an_impl_trait_result_is_an_instance() {
    let (text, _) = record_then_replay(|recording| {
        let factory = if recording {
            CapturedFactory::new(RealFactory)
        } else {
            CapturedFactory::absent()
        };
        let mut first = factory.counter(5);
        let mut second = factory.counter(50);
        (first.add(1), second.add(1))
    });
    assert_eq!(
        text,
        "<-CAL:factory.counter(start=5)\n->RET:Instance('Counter', 'counter_1')\n\
         <-CAL:factory.counter(start=50)\n->RET:Instance('Counter', 'counter_2')\n\
         <-CAL:counter_1.add(amount=1)\n->RET:6\n\
         <-CAL:counter_2.add(amount=1)\n->RET:51\n"
    );
}

/// A byte transport, the shape of `std::io::Read + Write`.
#[capturemock::capture]
pub trait Port {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    fn write(&mut self, data: &[u8]) -> io::Result<usize>;
}

/// Answers every write with `OK\r\n`, then fails.
struct RealPort {
    pending: Vec<u8>,
}

impl Port for RealPort {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "no answer"));
        }
        let n = self.pending.len().min(buf.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(b"OK\r\n");
        Ok(data.len())
    }
}

#[test]
fn out_parameters_are_recorded_and_filled_again() {
    let (text, _) = record_then_replay(|recording| {
        let mut port = if recording {
            CapturedPort::new(RealPort {
                pending: Vec::new(),
            })
        } else {
            CapturedPort::absent()
        };
        port.write(b"AT\r\n").unwrap();
        // Replay must write the bytes, not leave what the buffer held.
        let mut buf = [b'-'; 16];
        let n = port.read(&mut buf).unwrap();
        let timeout = port.read(&mut buf).unwrap_err();
        (buf, n, timeout.kind(), timeout.to_string())
    });
    assert_eq!(
        text,
        "<-CAL:port.write(b\"AT\\r\\n\")\n->RET:4\n\
         <-CAL:port.read(buf=[u8; 16])\n->RET:{\n  \"buf\": \"OK\\r\\n\",\n  \"return\": 4\n}\n\
         <-CAL:port.read(buf=[u8; 16])\n->RET:raise {\n  \"kind\": \"TimedOut\",\n  \"message\": \"no answer\"\n}\n"
    );
}

/// A type whose own methods are captured.
pub struct Weather {
    calls: u32,
}

#[capturemock::capture(name = "weather")]
impl Weather {
    /// Not captured: no `self`.
    pub fn new() -> Self {
        Weather { calls: 0 }
    }

    /// Captured, `&mut self`, with a pattern parameter.
    pub fn forecast(&mut self, (city, days): (&str, u8)) -> Result<Vec<String>, String> {
        self.calls += 1;
        real_call();
        match city {
            "" => Err("no city".into()),
            _ => Ok((0..days).map(|d| format!("{city} day {d}: sun")).collect()),
        }
    }

    /// Left alone.
    #[capture(skip)]
    pub fn calls(&self) -> u32 {
        self.calls
    }
}

/// A captured free function; its record name comes from `name`.
#[capturemock::capture(name = "clock")]
fn now_millis() -> u64 {
    real_call();
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A captured free function without a name, and an async one.
#[capturemock::capture]
async fn double(x: u32) -> u32 {
    x * 2
}

#[test]
fn impl_blocks_and_functions_are_captured_with_their_bodies_as_the_real_call() {
    let (text, _) = record_then_replay(|recording| {
        let before = REAL_CALLS.with(Cell::get);
        let mut weather = Weather::new();
        let forecast = weather.forecast(("Paris", 2));
        let refused = weather.forecast(("", 1));
        let now = now_millis();
        let doubled = block_on(double(21));
        if !recording {
            let real_calls = REAL_CALLS.with(Cell::get) - before;
            assert_eq!(real_calls, 0, "replay ran a real body");
            assert_eq!(weather.calls(), 0);
        }
        (forecast, refused, now, doubled)
    });
    assert!(
        text.starts_with(
            "<-CAL:weather.forecast((\"Paris\", 2))\n\
             ->RET:[\n  \"Paris day 0: sun\",\n  \"Paris day 1: sun\"\n]\n\
             <-CAL:weather.forecast((\"\", 1))\n->RET:raise \"no city\"\n\
             <-CAL:clock.now_millis()\n->RET:"
        ),
        "{text}"
    );
    assert!(text.ends_with("<-CAL:double(x=21)\n->RET:42\n"), "{text}");
}

/// Default bodies, constants and associated functions.
#[capturemock::capture]
pub trait Greeter {
    const GREETING: &'static str;
    fn make() -> String {
        "made".into()
    }
    fn name(&self) -> String;
    fn greet(&self) -> String {
        format!("{} {}", Self::GREETING, self.name())
    }
}

struct English;

impl Greeter for English {
    const GREETING: &'static str = "hello";
    fn name(&self) -> String {
        "world".into()
    }
    fn greet(&self) -> String {
        "hello, world!".into()
    }
}

#[test]
fn provided_methods_call_the_real_version_and_constants_pass_on() {
    let (text, greeting) = record_then_replay(|recording| {
        let greeter = if recording {
            CapturedGreeter::new(English)
        } else {
            CapturedGreeter::absent()
        };
        greeter.greet()
    });
    assert_eq!(greeting, "hello, world!", "the real type's own greet");
    assert_eq!(text, "<-CAL:greeter.greet()\n->RET:\"hello, world!\"\n");
    assert_eq!(<CapturedGreeter<English> as Greeter>::GREETING, "hello");
    assert_eq!(<CapturedGreeter<English> as Greeter>::make(), "made");
}

/// A type with a method that takes `self` and one that panics.
pub struct Ticket(u32);

#[capturemock::capture]
impl Ticket {
    /// `self` by value.
    pub fn redeem(self) -> u32 {
        self.0
    }

    /// Panics in the real call.
    pub fn explode(&self) -> u32 {
        panic!("the real call panicked")
    }
}

#[test]
fn self_by_value_is_captured_in_an_impl_block_and_a_panic_is_not_recorded() {
    let (text, redeemed) = record_then_replay(|recording| {
        if recording {
            let exploded = std::panic::catch_unwind(|| Ticket(1).explode());
            assert!(exploded.is_err(), "the panic goes on");
        }
        Ticket(7).redeem()
    });
    assert_eq!(redeemed, 7);
    assert_eq!(
        text, "<-CAL:ticket.redeem()\n->RET:7\n",
        "no entry for the panic"
    );
}

#[test]
fn each_recorded_call_is_on_disk_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.mock");
    let session = capturemock::capture::Session::builder(capturemock::capture::Mode::Record)
        .record_file(&file)
        .open()
        .unwrap();
    let _in = session.enter();
    let mut counter = CapturedCounter::new(RealCounter(0));
    counter.add(1);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "<-CAL:counter.add(amount=1)\n->RET:1\n",
        "written before the call returned, with no flush asked"
    );
    counter.add(2);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .ends_with("<-CAL:counter.add(amount=2)\n->RET:3\n"));
}

/// The `embedded-io-async` shape: an `async fn` with an out-parameter. Private, so that an
/// unused part of its wrapper would be a warning (and `clippy -D warnings` an error).
#[capturemock::capture(name = "uart")]
trait AsyncPort {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, String>;
}

impl AsyncPort for RealPort {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, String> {
        Port::read(self, buf).map_err(|e| e.to_string())
    }
}

#[test]
fn out_parameters_of_async_methods_are_filled_again() {
    let (text, _) = record_then_replay(|recording| {
        let mut port = if recording {
            CapturedAsyncPort::new(RealPort {
                pending: b"+CSQ: 21,0\r\n".to_vec(),
            })
        } else {
            CapturedAsyncPort::absent()
        };
        let mut buf = [b'-'; 8];
        let first = block_on(port.read(&mut buf));
        let copy = buf;
        let second = block_on(port.read(&mut buf));
        (first, copy, second, buf)
    });
    assert_eq!(
        text,
        "<-CAL:uart.read(buf=[u8; 8])\n->RET:{\n  \"buf\": \"+CSQ: 21\",\n  \"return\": 8\n}\n\
         <-CAL:uart.read(buf=[u8; 8])\n->RET:{\n  \"buf\": \",0\\r\\n\",\n  \"return\": 4\n}\n"
    );
}

/// Out-parameters whose result does not say how much was written, and one whose result is a
/// plain `usize`; and a type named `T`, which the wrapper's own parameter must not hide.
#[capturemock::capture]
pub trait Sensor {
    fn sample(&mut self, into: &mut [u8]);
    fn peek(&self, into: &mut [u8]) -> usize;
    fn unit(&self) -> T;
}

/// A user's type that happens to be called `T`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct T(String);

struct RealSensor;

impl Sensor for RealSensor {
    fn sample(&mut self, into: &mut [u8]) {
        into.fill(7);
    }
    fn peek(&self, into: &mut [u8]) -> usize {
        into[0] = 1;
        1
    }
    fn unit(&self) -> T {
        T("mV".into())
    }
}

#[test]
fn out_parameters_are_recorded_whole_unless_a_usize_says_how_much() {
    let (text, _) = record_then_replay(|recording| {
        let mut sensor = if recording {
            CapturedSensor::new(RealSensor)
        } else {
            CapturedSensor::absent()
        };
        let mut whole = [0u8; 3];
        sensor.sample(&mut whole);
        let mut part = [9u8; 3];
        let n = sensor.peek(&mut part);
        (whole, part, n, sensor.unit())
    });
    assert_eq!(
        text,
        "<-CAL:sensor.sample(into=[u8; 3])\n->RET:{\n  \"into\": \"\\u0007\\u0007\\u0007\",\n  \"return\": null\n}\n\
         <-CAL:sensor.peek(into=[u8; 3])\n->RET:{\n  \"into\": \"\\u0001\",\n  \"return\": 1\n}\n\
         <-CAL:sensor.unit()\n->RET:\"mV\"\n"
    );
}

/// Associated types: the wrapper's are the real implementation's.
#[capturemock::capture]
pub trait Codebook {
    type Key;
    type Word;
    fn lookup(&self, key: Self::Key) -> Option<Self::Word>;
    fn words(&self) -> Result<Vec<Self::Word>, Self::Key>;
}

struct Numbers;

impl Codebook for Numbers {
    type Key = u8;
    type Word = String;
    fn lookup(&self, key: u8) -> Option<String> {
        ["zero", "one"].get(usize::from(key)).map(|w| w.to_string())
    }
    fn words(&self) -> Result<Vec<String>, u8> {
        Err(2)
    }
}

#[test]
fn associated_types_are_the_real_implementations() {
    let (text, _) = record_then_replay(|recording| {
        let book = if recording {
            CapturedCodebook::new(Numbers)
        } else {
            CapturedCodebook::absent()
        };
        (book.lookup(1), book.words())
    });
    assert_eq!(
        text,
        "<-CAL:codebook.lookup(1)\n->RET:\"one\"\n<-CAL:codebook.words()\n->RET:raise 2\n"
    );
}

/// A captured function that the real body of another calls.
#[capturemock::capture]
fn inner_value() -> u32 {
    5
}

#[capturemock::capture]
fn outer_value() -> u32 {
    inner_value() + 1
}

#[test]
fn a_captured_call_inside_a_real_call_is_part_of_it() {
    let (text, value) = record_then_replay(|_| outer_value());
    assert_eq!(value, 6);
    assert_eq!(text, "<-CAL:outer_value()\n->RET:6\n");
}
