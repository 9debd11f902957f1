//! The pin fake: `embedded_hal::digital::{OutputPin, InputPin, StatefulOutputPin}` (and the
//! async `Wait`, in `asynch`) with expected level changes and reads, in order.
//!
//! A call shows the method: `set_high()`, `is_low()`, `toggle()`, `wait_for_falling_edge()`.

use embedded_hal::digital::{ErrorKind, ErrorType, InputPin, OutputPin, StatefulOutputPin};

use super::super::error::DeclarationError;
use super::script::Script;
use super::HalFakeError;

/// A digital pin with expected calls, in order: an output that the driver drives (a chip
/// select, a reset line), an input that it reads (a data-ready line), or both.
///
/// `CALLS`: expected calls; `MSG`: bytes kept of the first failure message. Running out is a
/// [`DeclarationError::Full`].
///
/// ```
/// use capturemock_core::fake::hal::PinFake;
/// use embedded_hal::digital::{InputPin, OutputPin};
///
/// let mut reset: PinFake<'_> = PinFake::new("reset");
/// reset.expect_set_low().unwrap().expect_set_high().unwrap().expect_is_high(true).unwrap();
///
/// reset.set_low().unwrap();
/// reset.set_high().unwrap();
/// assert!(reset.is_high().unwrap());
/// reset.verify().unwrap();
/// ```
pub struct PinFake<'a, const CALLS: usize = 16, const MSG: usize = 256> {
    pub(super) script: Script<'a, ErrorKind, bool, CALLS, 1, MSG>,
}

impl<'a, const CALLS: usize, const MSG: usize> PinFake<'a, CALLS, MSG> {
    /// A pin named `name` (`fake:<name>` in messages) that expects nothing yet.
    pub fn new(name: &'a str) -> Self {
        PinFake {
            script: Script::new(name),
        }
    }

    fn expect(&mut self, method: &'a str, answer: bool) -> Result<&mut Self, DeclarationError> {
        self.script.expect(method, &[], answer)?;
        Ok(self)
    }

    /// The driver drives the pin high next.
    pub fn expect_set_high(&mut self) -> Result<&mut Self, DeclarationError> {
        self.expect("set_high", false)
    }

    /// The driver drives the pin low next.
    pub fn expect_set_low(&mut self) -> Result<&mut Self, DeclarationError> {
        self.expect("set_low", false)
    }

    /// The driver toggles the pin next.
    pub fn expect_toggle(&mut self) -> Result<&mut Self, DeclarationError> {
        self.expect("toggle", false)
    }

    /// The driver asks whether it drives the pin high next, and gets `answer`.
    pub fn expect_is_set_high(&mut self, answer: bool) -> Result<&mut Self, DeclarationError> {
        self.expect("is_set_high", answer)
    }

    /// The driver asks whether it drives the pin low next, and gets `answer`.
    pub fn expect_is_set_low(&mut self, answer: bool) -> Result<&mut Self, DeclarationError> {
        self.expect("is_set_low", answer)
    }

    /// The driver reads whether the pin is high next, and gets `answer`.
    pub fn expect_is_high(&mut self, answer: bool) -> Result<&mut Self, DeclarationError> {
        self.expect("is_high", answer)
    }

    /// The driver reads whether the pin is low next, and gets `answer`.
    pub fn expect_is_low(&mut self, answer: bool) -> Result<&mut Self, DeclarationError> {
        self.expect("is_low", answer)
    }

    /// The driver waits (async `Wait`) for the pin to be high next.
    pub fn expect_wait_for_high(&mut self) -> Result<&mut Self, DeclarationError> {
        self.expect("wait_for_high", false)
    }

    /// The driver waits (async `Wait`) for the pin to be low next.
    pub fn expect_wait_for_low(&mut self) -> Result<&mut Self, DeclarationError> {
        self.expect("wait_for_low", false)
    }

    /// The driver waits (async `Wait`) for a rising edge next.
    pub fn expect_wait_for_rising_edge(&mut self) -> Result<&mut Self, DeclarationError> {
        self.expect("wait_for_rising_edge", false)
    }

    /// The driver waits (async `Wait`) for a falling edge next.
    pub fn expect_wait_for_falling_edge(&mut self) -> Result<&mut Self, DeclarationError> {
        self.expect("wait_for_falling_edge", false)
    }

    /// The driver waits (async `Wait`) for any edge next.
    pub fn expect_wait_for_any_edge(&mut self) -> Result<&mut Self, DeclarationError> {
        self.expect("wait_for_any_edge", false)
    }

    /// The call declared last fails with `kind` instead of answering.
    pub fn fails_with(&mut self, kind: ErrorKind) -> Result<&mut Self, DeclarationError> {
        self.script.fail_last(kind)?;
        Ok(self)
    }

    super::script::verification_methods!();

    /// Plays a call without arguments.
    pub(super) fn play(&mut self, method: &'a str) -> Result<bool, HalFakeError<ErrorKind>> {
        self.script.play(method, &[])
    }
}

impl<const CALLS: usize, const MSG: usize> ErrorType for PinFake<'_, CALLS, MSG> {
    type Error = HalFakeError<ErrorKind>;
}

impl<const CALLS: usize, const MSG: usize> OutputPin for PinFake<'_, CALLS, MSG> {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.play("set_low").map(|_| ())
    }

    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.play("set_high").map(|_| ())
    }
}

impl<const CALLS: usize, const MSG: usize> StatefulOutputPin for PinFake<'_, CALLS, MSG> {
    fn is_set_high(&mut self) -> Result<bool, Self::Error> {
        self.play("is_set_high")
    }

    fn is_set_low(&mut self) -> Result<bool, Self::Error> {
        self.play("is_set_low")
    }

    fn toggle(&mut self) -> Result<(), Self::Error> {
        self.play("toggle").map(|_| ())
    }
}

impl<const CALLS: usize, const MSG: usize> InputPin for PinFake<'_, CALLS, MSG> {
    fn is_high(&mut self) -> Result<bool, Self::Error> {
        self.play("is_high")
    }

    fn is_low(&mut self) -> Result<bool, Self::Error> {
        self.play("is_low")
    }
}
