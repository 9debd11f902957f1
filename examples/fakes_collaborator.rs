//! Faking a collaborator of a small program with fakes (Fudge's model): a thermostat asks a
//! weather service for the outside temperature and tells the heating what to do. The test
//! does not record the weather service; it says what must happen to it.
//!
//! Run with `cargo run --example fakes_collaborator`.

use capturemock::fake::{self, arg, Fake, FakeError};
use capturemock::{args, fake_impl};

/// The program's collaborators.
pub trait Weather {
    /// The outside temperature in tenths of a degree, or an error message.
    fn temperature(&self, city: &str) -> Result<i32, String>;
}

pub trait Heating {
    fn set_target(&mut self, tenths: i32);
    fn alert(&mut self, message: &str);
}

/// The program under test: a thermostat's decision for one city.
pub fn regulate(weather: &impl Weather, heating: &mut impl Heating, city: &str) {
    match weather.temperature(city) {
        Ok(t) if t < 0 => heating.set_target(215),
        Ok(t) if t < 150 => heating.set_target(200),
        Ok(_) => heating.set_target(0),
        Err(e) => heating.alert(&format!("no weather for {city}: {e}")),
    }
}

// Rust's answer to `fudge.patch`: the fake implements the collaborators' traits.
fake_impl! {
    impl Weather for Fake {
        fn temperature(&self, city: &str) -> Result<i32, String>;
    }
}
fake_impl! {
    impl Heating for Fake {
        fn set_target(&mut self, tenths: i32);
        fn alert(&mut self, message: &str);
    }
}

fn cold_morning() {
    fake::test(|| {
        let weather = Fake::new("weather")
            .expects("temperature")
            .with_args(args!["Oslo"])
            .returns(-35);
        let mut heating = Fake::new("heating")
            .expects("set_target")
            .with_args(args![215]);
        regulate(&weather, &mut heating, "Oslo");
    });
    println!("cold morning: heating set to 21.5 degrees, as expected");
}

fn service_down() {
    fake::test(|| {
        let weather = Fake::new("weather")
            .expects("temperature")
            .raises("timeout".to_owned());
        let mut heating = Fake::new("heating")
            .expects("alert")
            .with_args(args![arg::startswith("no weather for Lyon")]);
        regulate(&weather, &mut heating, "Lyon");
    });
    println!("service down: the heating raised an alert, as expected");
}

fn a_broken_expectation() {
    // The thermostat never switches the heating off when it is warm... or does it?
    let weather = Fake::new("weather").provides("temperature").returns(260);
    let mut heating = Fake::new("heating")
        .expects("set_target")
        .with_args(args![200]);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        regulate(&weather, &mut heating, "Seville");
    }));
    let message = match outcome {
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default(),
        Ok(()) => String::from("(no failure)"),
    };
    println!("a wrong expectation fails with Fudge's message:\n  {message}");
    // Verify now, so that dropping the fakes has nothing left to check.
    let verified: Result<(), FakeError> = fake::try_verify();
    println!(
        "and verification then reports: {:?}",
        verified.map_err(|e| e.to_string())
    );
}

fn main() {
    // Keep the example's output readable: the expected failure is caught and printed.
    std::panic::set_hook(Box::new(|_| {}));
    cold_morning();
    service_down();
    a_broken_expectation();
}
