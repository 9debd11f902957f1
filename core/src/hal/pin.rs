//! `OutputPin`, `InputPin`, `StatefulOutputPin` and async `Wait` answered from a recording:
//! each call is one exchange.
//!
//! ```text
//! <-PIN:led set_high
//! ->PIN:ok
//! <-PIN:button is_high      a question: the recorded answer
//! ->PIN:true
//! ```

use core::fmt::{self, Write};

use embedded_hal::digital::{ErrorType, InputPin, OutputPin, StatefulOutputPin};

use super::backend::{Backend, Transaction};
use super::error::HalError;
use super::text::{write_call, write_level, Kind, Response};

/// One call on the pin called `name`: `led set_high`, or a question such as `button is_high`
/// whose answer is a level.
pub struct PinCall<'n> {
    name: &'n str,
    call: &'static str,
    question: bool,
    level: bool,
}

impl<'n> PinCall<'n> {
    /// A call that changes the pin or waits for it (`set_high`, `toggle`, `wait_for_low`):
    /// answered `ok`.
    pub fn action(name: &'n str, call: &'static str) -> Self {
        PinCall {
            name,
            call,
            question: false,
            level: false,
        }
    }

    /// A call that asks (`is_high`, `is_set_low`): answered `true` or `false`.
    pub fn question(name: &'n str, call: &'static str) -> Self {
        PinCall {
            name,
            call,
            question: true,
            level: false,
        }
    }

    /// The answer to a question, once answered (or set by a recorder from the real pin).
    pub fn level(&self) -> bool {
        self.level
    }

    /// Sets the answer a recorder got from the real pin.
    pub fn set_level(&mut self, level: bool) {
        self.level = level;
    }
}

impl Transaction for PinCall<'_> {
    fn kind(&self) -> Kind {
        Kind::Pin
    }

    fn write_request(&self, w: &mut dyn Write) -> fmt::Result {
        write_call(w, self.name, self.call, None)
    }

    fn answer(&mut self, response: Response<'_>) -> Result<(), HalError> {
        match (response, self.question) {
            (Response::Error(e), _) => Err(HalError::Device(e)),
            (Response::Done, false) => Ok(()),
            (Response::Level(level), true) => {
                self.level = level;
                Ok(())
            }
            _ => Err(HalError::Mismatch),
        }
    }

    fn write_response(&self, w: &mut dyn Write) -> fmt::Result {
        if self.question {
            write_level(w, self.level)
        } else {
            w.write_str("ok")
        }
    }
}

/// A pin that answers from a recording: `OutputPin`, `InputPin`, `StatefulOutputPin` and
/// embedded-hal-async's `Wait` (which answers at once with the recorded outcome).
pub struct PinReplay<'n, B: Backend> {
    backend: B,
    name: &'n str,
}

impl<'n, B: Backend> PinReplay<'n, B> {
    /// The pin called `name` in the record, answering from `backend`.
    pub fn new(backend: B, name: &'n str) -> Self {
        PinReplay { backend, name }
    }

    fn act(&self, call: &'static str) -> Result<(), HalError> {
        self.backend.exchange(&mut PinCall::action(self.name, call))
    }

    fn ask(&self, call: &'static str) -> Result<bool, HalError> {
        let mut question = PinCall::question(self.name, call);
        self.backend.exchange(&mut question)?;
        Ok(question.level())
    }
}

impl<B: Backend> ErrorType for PinReplay<'_, B> {
    type Error = HalError;
}

impl<B: Backend> OutputPin for PinReplay<'_, B> {
    fn set_low(&mut self) -> Result<(), HalError> {
        self.act("set_low")
    }

    fn set_high(&mut self) -> Result<(), HalError> {
        self.act("set_high")
    }
}

impl<B: Backend> StatefulOutputPin for PinReplay<'_, B> {
    fn is_set_high(&mut self) -> Result<bool, HalError> {
        self.ask("is_set_high")
    }

    fn is_set_low(&mut self) -> Result<bool, HalError> {
        self.ask("is_set_low")
    }

    /// One exchange, `toggle`, as a recorder of a real pin's `toggle` writes it (the default
    /// would ask and set, two exchanges).
    fn toggle(&mut self) -> Result<(), HalError> {
        self.act("toggle")
    }
}

impl<B: Backend> InputPin for PinReplay<'_, B> {
    fn is_high(&mut self) -> Result<bool, HalError> {
        self.ask("is_high")
    }

    fn is_low(&mut self) -> Result<bool, HalError> {
        self.ask("is_low")
    }
}

impl<B: Backend> embedded_hal_async::digital::Wait for PinReplay<'_, B> {
    async fn wait_for_high(&mut self) -> Result<(), HalError> {
        self.act("wait_for_high")
    }

    async fn wait_for_low(&mut self) -> Result<(), HalError> {
        self.act("wait_for_low")
    }

    async fn wait_for_rising_edge(&mut self) -> Result<(), HalError> {
        self.act("wait_for_rising_edge")
    }

    async fn wait_for_falling_edge(&mut self) -> Result<(), HalError> {
        self.act("wait_for_falling_edge")
    }

    async fn wait_for_any_edge(&mut self) -> Result<(), HalError> {
        self.act("wait_for_any_edge")
    }
}
