//! Rendering: fake names, call descriptions and Fudge's message templates, written into any
//! `fmt::Write` through `Display`.

use core::fmt;

use super::error::{Failure, OrderProblem, Unmet};
use super::family::{Family, RegistryStorage};
use super::registry::{CallId, FakeId, FakeName, Registry};
use super::text::Short;
use super::value::Show;

/// A failure of a call or of verification, with what is needed to render its message.
pub struct Report<'r, F: Family, S: RegistryStorage> {
    registry: &'r Registry<F, S>,
    failure: Failure,
    name: Option<F::Name>,
    positional: &'r [F::Arg<'r>],
    named: &'r [(&'r str, F::Arg<'r>)],
}

impl<'r, F: Family, S: RegistryStorage> Report<'r, F, S> {
    pub(crate) fn new(registry: &'r Registry<F, S>, failure: Failure) -> Self {
        Report {
            registry,
            failure,
            name: None,
            positional: &[],
            named: &[],
        }
    }

    pub(crate) fn named(mut self, name: F::Name) -> Self {
        self.name = Some(name);
        self
    }

    pub(crate) fn with_args(
        mut self,
        positional: &'r [F::Arg<'r>],
        named: &'r [(&'r str, F::Arg<'r>)],
    ) -> Self {
        self.positional = positional;
        self.named = named;
        self
    }

    /// What failed, as a plain value.
    pub fn failure(&self) -> Failure {
        self.failure
    }

    /// Whether an expectation was not met (as opposed to a declaration mistake).
    pub fn is_unmet(&self) -> bool {
        matches!(self.failure, Failure::Unmet(_))
    }
}

impl<F: Family, S: RegistryStorage> fmt::Debug for Report<'_, F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report")
            .field("failure", &self.failure)
            .field("message", &format_args!("{self}"))
            .finish()
    }
}

impl<F: Family, S: RegistryStorage> core::error::Error for Report<'_, F, S> {}

impl<F: Family, S: RegistryStorage> fmt::Display for Report<'_, F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reg = self.registry;
        let unmet = match self.failure {
            Failure::Declaration(e) => return fmt::Display::fmt(&e, f),
            Failure::Unmet(u) => u,
        };
        let call = |c| reg.describe_call(c);
        match unmet {
            Unmet::NotCalled { call: c } => write!(f, "{} was not called", call(c)),
            Unmet::CalledTimes {
                call: c,
                actual,
                expected,
            } => write!(
                f,
                "{} was called {actual} time(s). Expected {expected}.",
                call(c)
            ),
            Unmet::UnexpectedArgs { call: c, kwarg } => {
                let only = kwarg.map(usize::from);
                write!(
                    f,
                    "{} was called unexpectedly with args {}",
                    call(c),
                    ActualArgs::<F> {
                        positional: self.positional,
                        named: self.named,
                        only,
                    }
                )
            }
            Unmet::ArgCount {
                call: c,
                actual,
                expected,
            } => write!(
                f,
                "{} was called with {actual} arg(s) but expected {expected}",
                call(c)
            ),
            Unmet::KwargCount {
                call: c,
                actual,
                expected,
            } => write!(
                f,
                "{} was called with {actual} keyword arg(s) but expected {expected}",
                call(c)
            ),
            Unmet::UnwantedArg { call: c, spec } => {
                write!(f, "{} was called unexpectedly with arg ", call(c))?;
                match reg.spec(spec) {
                    Some(s) => write!(f, "{:?}", s.matcher),
                    None => Ok(()),
                }
            }
            Unmet::UnwantedKwarg { call: c, spec } => {
                write!(f, "{} was called unexpectedly with kwarg ", call(c))?;
                match reg.spec(spec) {
                    Some(s) => {
                        let name = s.name.as_ref().map_or("", |n| n.as_ref());
                        write!(f, "{name}={:?}", s.matcher)
                    }
                    None => Ok(()),
                }
            }
            Unmet::Order { fake, problem } => {
                match problem {
                    OrderProblem::NotEnough => f.write_str("Not enough calls were made")?,
                    OrderProblem::Only(1) => f.write_str("Only 1 call was made")?,
                    OrderProblem::Only(n) => write!(f, "Only {n} calls were made")?,
                    OrderProblem::CallWas { position, call: c } => {
                        write!(f, "Call #{position} was {}", call(c))?
                    }
                    OrderProblem::Unexpected { position, call: c } => {
                        write!(f, "#{position} {} was unexpected", call(c))?
                    }
                }
                f.write_str("; Expected: ")?;
                let mut any = false;
                for (i, c) in reg.ordered_calls(fake).enumerate() {
                    write!(f, "#{} {}, ", i.saturating_add(1), call(c))?;
                    any = true;
                }
                f.write_str(if any { "end" } else { "no calls" })
            }
            Unmet::Exhausted { fake, calls } => write!(
                f,
                "This attribute of {} can only be called {calls} time(s).  \
                 Call reset() if necessary or fake::clear_calls().",
                reg.describe(fake)
            ),
            Unmet::NotAllowed { fake } => write!(
                f,
                "{} object does not allow call or attribute '{}' \
                 (maybe you want Fake.is_a_stub() ?)",
                reg.describe(fake),
                self.name.as_ref().map_or("", |n| n.as_ref())
            ),
            Unmet::NotCallable { fake } => write!(
                f,
                "{} object cannot be called (maybe you want Fake.is_callable() ?)",
                reg.describe(fake)
            ),
            Unmet::AttributeNotCallable { fake } => write!(
                f,
                "{} attribute '{}' holds a value and cannot be called",
                reg.describe(fake),
                self.name.as_ref().map_or("", |n| n.as_ref())
            ),
        }
    }
}

/// `(24, table="clicks")`: the actual arguments of a call, unshortened.
struct ActualArgs<'a, F: Family> {
    positional: &'a [F::Arg<'a>],
    named: &'a [(&'a str, F::Arg<'a>)],
    /// Show only this named argument.
    only: Option<usize>,
}

impl<F: Family> fmt::Display for ActualArgs<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        let mut sep = "";
        for v in self.positional {
            write!(f, "{sep}{:?}", Show(v))?;
            sep = ", ";
        }
        for (i, (name, v)) in self.named.iter().enumerate() {
            if self.only.is_some_and(|o| o != i) {
                continue;
            }
            write!(f, "{sep}{name}={:?}", Show(v))?;
            sep = ", ";
        }
        f.write_str(")")
    }
}

/// `fake:session`
pub struct FakeLabel<'r, F: Family, S: RegistryStorage> {
    registry: &'r Registry<F, S>,
    fake: FakeId,
}

impl<F: Family, S: RegistryStorage> fmt::Display for FakeLabel<'_, F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fake:{}", self.registry.raw_name(self.fake))
    }
}

/// The name without `fake:`: `session`, `session.query()`, `unnamed`.
pub(crate) struct RawName<'r, F: Family, S: RegistryStorage> {
    registry: &'r Registry<F, S>,
    fake: FakeId,
}

impl<F: Family, S: RegistryStorage> fmt::Display for RawName<'_, F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Ok(slot) = self.registry.fake_slot(self.fake) else {
            return f.write_str("unnamed");
        };
        match &slot.name {
            FakeName::Unnamed => f.write_str("unnamed"),
            FakeName::Given(name) => f.write_str(name.as_ref()),
            FakeName::Derived {
                parent,
                endpoint,
                call,
            } => {
                // A parent is always older than its child, so this recursion ends.
                if parent.0 < self.fake.0 {
                    write!(f, "{}", self.registry.raw_name(*parent))?;
                }
                if let Some(e) = endpoint {
                    write!(f, ".{}", e.as_ref())?;
                }
                if *call {
                    f.write_str("()")?;
                }
                Ok(())
            }
        }
    }
}

/// `fake:counter.increment(25, table="hits")[0]`: a declared call as messages show it.
pub struct CallLabel<'r, F: Family, S: RegistryStorage> {
    registry: &'r Registry<F, S>,
    call: CallId,
}

impl<F: Family, S: RegistryStorage> fmt::Display for CallLabel<'_, F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reg = self.registry;
        let Some(slot) = reg.call_slot(self.call) else {
            return f.write_str("?");
        };
        write!(f, "{}", reg.describe(slot.fake))?;
        if let Some(name) = reg.method(slot.method).and_then(|m| m.name.as_ref()) {
            write!(f, ".{}", name.as_ref())?;
        }
        f.write_str("(")?;
        let mut sep = "";
        for spec in reg.specs_in(slot.args) {
            write!(f, "{sep}{}", Short(&spec.matcher))?;
            sep = ", ";
        }
        for spec in reg.specs_in(slot.kwargs) {
            let name = spec.name.as_ref().map_or("", |n| n.as_ref());
            write!(f, "{sep}{name}={}", Short(&spec.matcher))?;
            sep = ", ";
        }
        f.write_str(")")?;
        if let Some(i) = slot.index {
            write!(f, "[{i}]")?;
        }
        Ok(())
    }
}

impl<F: Family, S: RegistryStorage> Registry<F, S> {
    /// `fake:<name>`, as messages show the fake.
    pub fn describe(&self, fake: FakeId) -> FakeLabel<'_, F, S> {
        FakeLabel {
            registry: self,
            fake,
        }
    }

    /// A declared call, as messages show it.
    pub fn describe_call(&self, call: CallId) -> CallLabel<'_, F, S> {
        CallLabel {
            registry: self,
            call,
        }
    }

    pub(crate) fn raw_name(&self, fake: FakeId) -> RawName<'_, F, S> {
        RawName {
            registry: self,
            fake,
        }
    }
}
