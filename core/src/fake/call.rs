//! Calling a fake: find the declared call, count it, check its order and arguments, and hand
//! back what it answers.

use super::error::{DeclarationError, Failure, Unmet};
use super::family::{Family, RegistryStorage};
use super::registry::{Answer, CallId, FakeId, FakeName, Registry, Span, Spec};
use super::report::Report;

/// The name of Fudge's constructor simulation: calling a fake that declares this method runs
/// it and, unless it returns something, yields the fake itself.
pub const CONSTRUCTOR: &str = "__init__";

/// What a call or attribute answers.
pub enum Answered<'r, F: Family> {
    /// Nothing was declared (Python's `None`).
    Nothing,
    /// The declared value.
    Value(&'r F::Return),
    /// A fake of the same registry.
    Fake(FakeId),
}

impl<F: Family> Clone for Answered<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Family> Copy for Answered<'_, F> {}

/// A call that met every expectation, and what it answers: the fake accepted it. Each
/// family turns it into its own answer (the core family with [`resolve`](Self::resolve)).
pub struct Accepted<'r, F: Family> {
    /// The declared call that was reached.
    pub call: CallId,
    /// What `returns`, `returns_fake` (or the constructor simulation) declared.
    pub answer: Answered<'r, F>,
    /// The error `raises` declared: the caller fails with it.
    pub raises: Option<&'r F::Raise>,
    /// The function `calls` declared: the caller runs it, and uses its result unless `answer`
    /// holds a value.
    pub calls: Option<&'r F::Calls>,
}

#[derive(Clone, Copy)]
struct Reached {
    call: CallId,
    /// Set by the constructor simulation when the call answers nothing.
    constructed: Option<FakeId>,
}

type Named<'c, A> = [(&'c str, A)];

impl<F: Family, S: RegistryStorage> Registry<F, S> {
    /// Calls `fake.method(positional..., name=value...)`.
    ///
    /// On success the [`Accepted`] tells what the call answers; on failure the [`Report`]
    /// renders Fudge's message and tells whether an expectation was not met or the fake was
    /// declared wrongly.
    pub fn call<'r>(
        &'r mut self,
        fake: FakeId,
        method: F::Name,
        positional: &'r [F::Arg<'r>],
        named: &'r Named<'r, F::Arg<'r>>,
    ) -> Result<Accepted<'r, F>, Report<'r, F, S>> {
        let reached = self.dispatch(fake, &method, positional, named);
        self.finish(reached, Some(method), positional, named)
    }

    /// Calls the fake itself, as a function.
    pub fn call_fake<'r>(
        &'r mut self,
        fake: FakeId,
        positional: &'r [F::Arg<'r>],
        named: &'r Named<'r, F::Arg<'r>>,
    ) -> Result<Accepted<'r, F>, Report<'r, F, S>> {
        let reached = self.dispatch_fake(fake, positional, named);
        self.finish(reached, None, positional, named)
    }

    /// Reads the attribute `name` of `fake`. A stub makes up a new stub fake for an unknown
    /// name; otherwise an unknown name fails.
    pub fn attr(
        &mut self,
        fake: FakeId,
        name: F::Name,
    ) -> Result<Answered<'_, F>, Report<'_, F, S>> {
        let found = self.attr_answer(fake, &name);
        match found {
            Ok(()) => {}
            Err(failure) => return Err(Report::new(self, failure).named(name)),
        }
        match self.find_attr(fake, name.as_ref()).map(|a| &a.value) {
            Some(Answer::Value(v)) => Ok(Answered::Value(v)),
            Some(Answer::Fake(f)) => Ok(Answered::Fake(*f)),
            Some(Answer::Nothing) | None => Ok(Answered::Nothing),
        }
    }

    fn attr_answer(&mut self, fake: FakeId, name: &F::Name) -> Result<(), Failure> {
        let slot = self.fake_slot(fake)?;
        let stub = slot.stub;
        if self.find_attr(fake, name.as_ref()).is_some() {
            return Ok(());
        }
        if stub {
            self.stub_attr(fake, name.clone())?;
            return Ok(());
        }
        Err(Unmet::NotAllowed { fake }.into())
    }

    fn finish<'r>(
        &'r self,
        reached: Result<Reached, Failure>,
        method: Option<F::Name>,
        positional: &'r [F::Arg<'r>],
        named: &'r Named<'r, F::Arg<'r>>,
    ) -> Result<Accepted<'r, F>, Report<'r, F, S>> {
        let reached = match reached {
            Ok(r) => r,
            Err(failure) => {
                let report = Report::new(self, failure).with_args(positional, named);
                return Err(match method {
                    Some(m) => report.named(m),
                    None => report,
                });
            }
        };
        let Some(slot) = self.call_slot(reached.call) else {
            return Err(Report::new(self, DeclarationError::UnknownFake.into()));
        };
        let answer = match (&slot.answer, reached.constructed) {
            (Answer::Value(v), _) => Answered::Value(v),
            (Answer::Fake(f), _) => Answered::Fake(*f),
            (Answer::Nothing, Some(f)) => Answered::Fake(f),
            (Answer::Nothing, None) => Answered::Nothing,
        };
        Ok(Accepted {
            call: reached.call,
            answer,
            raises: slot.raises.as_ref(),
            calls: slot.calls.as_ref(),
        })
    }

    fn dispatch(
        &mut self,
        fake: FakeId,
        method: &F::Name,
        positional: &[F::Arg<'_>],
        named: &Named<'_, F::Arg<'_>>,
    ) -> Result<Reached, Failure> {
        let stub = self.fake_slot(fake)?.stub;
        if let Some(m) = self.find_method(fake, method.as_ref()) {
            return self.invoke(m, positional, named);
        }
        if let Some(attr) = self.find_attr(fake, method.as_ref()) {
            return match attr.value {
                Answer::Fake(child) => self.dispatch_fake(child, positional, named),
                _ => Err(Unmet::AttributeNotCallable { fake }.into()),
            };
        }
        if stub {
            let child = self.stub_attr(fake, method.clone())?;
            return self.dispatch_fake(child, positional, named);
        }
        Err(Unmet::NotAllowed { fake }.into())
    }

    /// A stub's made-up attribute: a new stub named `<fake>.<name>`.
    fn stub_attr(&mut self, fake: FakeId, name: F::Name) -> Result<FakeId, DeclarationError> {
        let child = self.derived_fake(fake, Some(name.clone()), false)?;
        self.fake_slot_mut(child)?.stub = true;
        self.set_attr(fake, name, Answer::Fake(child))?;
        Ok(child)
    }

    fn dispatch_fake(
        &mut self,
        fake: FakeId,
        positional: &[F::Arg<'_>],
        named: &Named<'_, F::Arg<'_>>,
    ) -> Result<Reached, Failure> {
        let slot = self.fake_slot(fake)?;
        let (callable, stub) = (slot.callable, slot.stub);
        if let Some(m) = self.find_method(fake, CONSTRUCTOR) {
            let mut reached = self.invoke(m, positional, named)?;
            reached.constructed = Some(fake);
            return Ok(reached);
        }
        if let Some(m) = callable {
            return self.invoke(m, positional, named);
        }
        if stub {
            // Fudge: `self.is_callable().returns_fake().is_a_stub()`, then call again.
            self.on(fake).is_callable()?;
            let child = self.derived_fake(fake, None, true)?;
            self.fake_slot_mut(child)?.stub = true;
            let call = self
                .fake_slot(fake)?
                .callable
                .and_then(|c| self.method(c))
                .map(|c| c.last)
                .ok_or(DeclarationError::NoCall)?;
            if let Some(c) = self.call_slot_mut(call) {
                c.answer = Answer::Fake(child);
            }
            return self.dispatch_fake(fake, positional, named);
        }
        Err(Unmet::NotCallable { fake }.into())
    }

    fn invoke(
        &mut self,
        method: super::registry::MethodId,
        positional: &[F::Arg<'_>],
        named: &Named<'_, F::Arg<'_>>,
    ) -> Result<Reached, Failure> {
        let slot = self.method(method).ok_or(DeclarationError::NoCall)?;
        let (fake, stack, pointer, len, last) =
            (slot.fake, slot.stack, slot.pointer, slot.len, slot.last);
        let call = if stack {
            let call = self
                .stack_call(method, pointer)
                .filter(|_| pointer < len)
                .ok_or(Unmet::Exhausted { fake, calls: len })?;
            if let Some(m) = self.method_mut(method) {
                m.pointer = pointer.saturating_add(1);
            }
            call
        } else {
            last
        };
        self.check_call(call, positional, named)?;
        Ok(Reached {
            call,
            constructed: None,
        })
    }

    fn check_call(
        &mut self,
        call: CallId,
        positional: &[F::Arg<'_>],
        named: &Named<'_, F::Arg<'_>>,
    ) -> Result<(), Unmet> {
        let Some(slot) = self.call_slot_mut(call) else {
            return Ok(());
        };
        slot.was_called = true;
        slot.actual = slot.actual.saturating_add(1);
        let (fake, ordered, actual, times) = (slot.fake, slot.ordered, slot.actual, slot.times);
        if ordered {
            if let Some(problem) = self.record_order(fake, call) {
                return Err(Unmet::Order { fake, problem });
            }
        }
        if let Some(expected) = times {
            if actual > expected {
                return Err(Unmet::CalledTimes {
                    call,
                    actual,
                    expected,
                });
            }
        }
        let Some(slot) = self.call_slot(call) else {
            return Ok(());
        };
        let unexpected = Unmet::UnexpectedArgs { call, kwarg: None };
        if slot.args.is_some() || slot.kwargs.is_some() {
            // Fudge compares the keyword arguments first; both fail with the same message.
            if !self.kwargs_equal(slot.kwargs, named) || !self.args_equal(slot.args, positional) {
                return Err(unexpected);
            }
        }
        for spec in self.specs_in(slot.matching_kwargs) {
            let Some(name) = spec.name.as_ref() else {
                continue;
            };
            let found = named.iter().position(|(n, _)| *n == name.as_ref());
            if let Some(i) = found {
                let ok = named.get(i).is_some_and(|(_, v)| spec.matcher.matches(v));
                if !ok {
                    return Err(Unmet::UnexpectedArgs {
                        call,
                        kwarg: u16::try_from(i).ok(),
                    });
                }
            }
        }
        if slot.matching_args.is_some() && !self.args_equal(slot.matching_args, positional) {
            return Err(unexpected);
        }
        if slot.arg_count.is_some() || slot.kwarg_count.is_some() {
            // Compared exactly; only the message shows a count past `u32::MAX` as `u32::MAX`
            // (no call has 4 billion arguments, but the verdict does not rely on it).
            let is = |n: usize, expected: u32| u32::try_from(n) == Ok(expected);
            let shown = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            // Fudge: once either count is declared, the one not declared must be 0.
            let expected = slot.arg_count.unwrap_or(0);
            if !is(positional.len(), expected) {
                return Err(Unmet::ArgCount {
                    call,
                    actual: shown(positional.len()),
                    expected,
                });
            }
            let expected = slot.kwarg_count.unwrap_or(0);
            if !is(named.len(), expected) {
                return Err(Unmet::KwargCount {
                    call,
                    actual: shown(named.len()),
                    expected,
                });
            }
        }
        if let Some(span) = slot.without_kwargs {
            for (i, spec) in span.range().zip(self.specs_in(Some(span))) {
                let Some(name) = spec.name.as_ref() else {
                    continue;
                };
                let hit = named
                    .iter()
                    .find(|(n, _)| *n == name.as_ref())
                    .is_some_and(|(_, v)| spec.matcher.matches(v));
                if hit {
                    return Err(Unmet::UnwantedKwarg {
                        call,
                        // A spec index is below `MAX_ITEMS`: fits, never the fallback.
                        spec: u16::try_from(i).unwrap_or(u16::MAX),
                    });
                }
            }
        }
        if let Some(span) = slot.without_args {
            for (i, spec) in span.range().zip(self.specs_in(Some(span))) {
                if positional.iter().any(|v| spec.matcher.matches(v)) {
                    return Err(Unmet::UnwantedArg {
                        call,
                        // A spec index is below `MAX_ITEMS`: fits, never the fallback.
                        spec: u16::try_from(i).unwrap_or(u16::MAX),
                    });
                }
            }
        }
        Ok(())
    }

    fn args_equal(&self, span: Option<Span>, actual: &[F::Arg<'_>]) -> bool {
        let declared = self.specs_in(span);
        declared.len() == actual.len()
            && declared
                .iter()
                .zip(actual)
                .all(|(s, a)| s.matcher.matches(a))
    }

    fn kwargs_equal(&self, span: Option<Span>, actual: &Named<'_, F::Arg<'_>>) -> bool {
        let declared: &[Spec<F>] = self.specs_in(span);
        declared.len() == actual.len()
            && declared.iter().all(|spec| {
                spec.name.as_ref().is_some_and(|name| {
                    actual
                        .iter()
                        .find(|(n, _)| *n == name.as_ref())
                        .is_some_and(|(_, v)| spec.matcher.matches(v))
                })
            })
    }

    /// Whether `fake` is a stub.
    pub fn is_stub(&self, fake: FakeId) -> bool {
        self.fake_slot(fake).is_ok_and(|f| f.stub)
    }

    /// Whether `fake` was made up by a stub or returned by `returns_fake` (its name derives
    /// from another fake's).
    pub fn is_derived(&self, fake: FakeId) -> bool {
        self.fake_slot(fake)
            .is_ok_and(|f| matches!(f.name, FakeName::Derived { .. }))
    }
}
