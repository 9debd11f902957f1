//! A real pin, recorded or replayed.

use capturemock_core::hal::{DeviceError, HalError, PinCall};
use embedded_hal::digital::{ErrorType, InputPin, OutputPin, StatefulOutputPin};

use super::Recorded;

impl<T> ErrorType for Recorded<T> {
    type Error = HalError;
}

/// A real pin's error, as recorded.
fn device<E: embedded_hal::digital::Error>(e: E) -> DeviceError {
    DeviceError::from(e.kind())
}

impl<T> Recorded<T> {
    /// A call that changes the pin: `real` makes it on the wrapped pin when recording.
    fn act<E: embedded_hal::digital::Error>(
        &mut self,
        call: &'static str,
        real: impl Fn(&mut T) -> Result<(), E>,
    ) -> Result<(), HalError> {
        let pin = &mut self.real;
        let mut run = |_: &mut PinCall<'_>| real(pin).map_err(device);
        self.session
            .run(&mut PinCall::action(&self.name, call), Some(&mut run))
    }

    /// A question: `real` asks the wrapped pin when recording.
    fn ask<E: embedded_hal::digital::Error>(
        &mut self,
        call: &'static str,
        real: impl Fn(&mut T) -> Result<bool, E>,
    ) -> Result<bool, HalError> {
        let pin = &mut self.real;
        let mut run = |question: &mut PinCall<'_>| {
            question.set_level(real(pin).map_err(device)?);
            Ok(())
        };
        let mut question = PinCall::question(&self.name, call);
        self.session.run(&mut question, Some(&mut run))?;
        Ok(question.level())
    }
}

impl<T: OutputPin> OutputPin for Recorded<T> {
    fn set_low(&mut self) -> Result<(), HalError> {
        self.act("set_low", T::set_low)
    }

    fn set_high(&mut self) -> Result<(), HalError> {
        self.act("set_high", T::set_high)
    }
}

impl<T: StatefulOutputPin> StatefulOutputPin for Recorded<T> {
    fn is_set_high(&mut self) -> Result<bool, HalError> {
        self.ask("is_set_high", T::is_set_high)
    }

    fn is_set_low(&mut self) -> Result<bool, HalError> {
        self.ask("is_set_low", T::is_set_low)
    }

    /// One exchange, `toggle`, as the core's replay pin answers it.
    fn toggle(&mut self) -> Result<(), HalError> {
        self.act("toggle", T::toggle)
    }
}

impl<T: InputPin> InputPin for Recorded<T> {
    fn is_high(&mut self) -> Result<bool, HalError> {
        self.ask("is_high", T::is_high)
    }

    fn is_low(&mut self) -> Result<bool, HalError> {
        self.ask("is_low", T::is_low)
    }
}
