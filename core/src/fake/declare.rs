//! Declarations: what a fake allows, expects and answers. Each one applies to the most
//! recently declared call, as in Fudge.

use super::arg::Matcher;
use super::error::{DeclarationError, Table};
use super::family::{Family, Pool, RegistryStorage};
use super::order::Order;
use super::registry::{
    push, Answer, AttrSlot, CallId, CallSlot, FakeId, FakeName, MethodId, MethodSlot, Registry,
    Span, Spec,
};
use super::text::displays_as;

/// Declares things about one fake. Every method returns the builder again (or the new fake,
/// for [`returns_fake`](Declare::returns_fake)), so declarations chain with `?`.
///
/// ```
/// use capturemock_core::fake::{Fakes, ValueRef};
///
/// # fn main() -> Result<(), capturemock_core::fake::DeclarationError> {
/// let mut fakes: Fakes<'_> = Fakes::new();
/// let session = fakes.fake("session")?;
/// fakes.on(session).expects("open")?.expects("close")?;
/// fakes.call(session, "open", &[], &[]).unwrap();
/// let err = fakes.verify().unwrap_err();
/// assert_eq!(err.to_string(), "fake:session.close() was not called");
/// # Ok(()) }
/// ```
pub struct Declare<'r, F: Family, S: RegistryStorage> {
    reg: &'r mut Registry<F, S>,
    fake: FakeId,
}

/// Which argument declaration a list of values goes to.
#[derive(Clone, Copy)]
enum Slot {
    Args,
    Matching,
    Without,
}

impl<F: Family, S: RegistryStorage> Registry<F, S> {
    /// Starts declaring things about `fake`.
    pub fn on(&mut self, fake: FakeId) -> Declare<'_, F, S> {
        Declare { reg: self, fake }
    }

    fn add_method(
        &mut self,
        fake: FakeId,
        name: Option<F::Name>,
        expected: bool,
    ) -> Result<MethodId, DeclarationError> {
        let method = MethodId(super::registry::next_id(
            self.methods.as_slice().len(),
            Table::Methods,
        )?);
        let ordered = name.is_some() && expected && self.fake_slot(fake)?.order.is_some();
        let call = self.add_call(method, fake, None, expected, ordered)?;
        let slot = MethodSlot {
            fake,
            name,
            stack: false,
            stack_expected: expected,
            pointer: 0,
            len: 1,
            last: call,
        };
        push(&mut self.methods, slot, Table::Methods)?;
        Ok(method)
    }

    fn add_call(
        &mut self,
        method: MethodId,
        fake: FakeId,
        index: Option<u16>,
        expected: bool,
        ordered: bool,
    ) -> Result<CallId, DeclarationError> {
        let slot = CallSlot {
            method,
            fake,
            index,
            registered: expected,
            ordered,
            args: None,
            kwargs: None,
            matching_args: None,
            matching_kwargs: None,
            without_args: None,
            without_kwargs: None,
            arg_count: None,
            kwarg_count: None,
            times: None,
            answer: Answer::Nothing,
            raises: None,
            calls: None,
            was_called: false,
            actual: 0,
        };
        push(&mut self.calls, slot, Table::Calls).map(CallId)
    }

    /// The method call-level declarations go to: the last declared one, else the callable.
    fn target_method(&self, fake: FakeId) -> Result<Option<MethodId>, DeclarationError> {
        let slot = self.fake_slot(fake)?;
        Ok(slot.last.or(slot.callable))
    }

    fn current_call(&mut self, fake: FakeId) -> Result<&mut CallSlot<F>, DeclarationError> {
        let method = self.target_method(fake)?.ok_or(DeclarationError::NoCall)?;
        let call = self.method(method).ok_or(DeclarationError::NoCall)?.last;
        self.call_slot_mut(call).ok_or(DeclarationError::NoCall)
    }

    fn push_specs<I>(&mut self, items: I) -> Result<Option<Span>, DeclarationError>
    where
        I: IntoIterator<Item = Spec<F>>,
    {
        let start = super::registry::next_id(self.specs.as_slice().len(), Table::Args)?;
        let mut len: u16 = 0;
        for spec in items {
            push(&mut self.specs, spec, Table::Args)?;
            len = len
                .checked_add(1)
                .ok_or(DeclarationError::Full(Table::Args))?;
        }
        Ok((len > 0).then_some(Span { start, len }))
    }

    fn declare_args<I>(
        &mut self,
        fake: FakeId,
        slot: Slot,
        named: bool,
        items: I,
    ) -> Result<(), DeclarationError>
    where
        I: IntoIterator<Item = Spec<F>>,
    {
        // Check first, so that a declaration without a call leaves no orphan values behind.
        self.current_call(fake)?;
        let Some(span) = self.push_specs(items)? else {
            // Fudge: an empty declaration changes nothing.
            return Ok(());
        };
        let call = self.current_call(fake)?;
        let field = match (slot, named) {
            (Slot::Args, false) => &mut call.args,
            (Slot::Args, true) => &mut call.kwargs,
            (Slot::Matching, false) => &mut call.matching_args,
            (Slot::Matching, true) => &mut call.matching_kwargs,
            (Slot::Without, false) => &mut call.without_args,
            (Slot::Without, true) => &mut call.without_kwargs,
        };
        *field = Some(span);
        Ok(())
    }

    /// Adds a fake whose name derives from `parent`'s, Fudge's `_endpoint_name`.
    pub(crate) fn derived_fake(
        &mut self,
        parent: FakeId,
        endpoint: Option<F::Name>,
        call: bool,
    ) -> Result<FakeId, DeclarationError> {
        let endpoint = match endpoint {
            Some(e) if self.has_raw_name(parent, e.as_ref()) => None,
            other => other,
        };
        self.add_fake(FakeName::Derived {
            parent,
            endpoint,
            call,
        })
    }

    fn has_raw_name(&self, fake: FakeId, text: &str) -> bool {
        match self.fake_slot(fake) {
            Ok(FakeSlot {
                name: FakeName::Unnamed,
                ..
            })
            | Err(_) => false,
            Ok(_) => displays_as(self.raw_name(fake), text),
        }
    }

    /// `next_call`, shared by the builder and by `expects` / `provides` of a declared name.
    fn next_call_of(
        &mut self,
        fake: FakeId,
        for_method: Option<&str>,
    ) -> Result<(), DeclarationError> {
        let target = match for_method {
            Some(name) => {
                let m = self
                    .find_method(fake, name)
                    .ok_or(DeclarationError::NextCallUnknownMethod)?;
                self.fake_slot_mut(fake)?.last = Some(m);
                m
            }
            None => self
                .target_method(fake)?
                .ok_or(DeclarationError::NextCallWithoutCall)?,
        };
        let method = self
            .method(target)
            .ok_or(DeclarationError::NextCallWithoutCall)?;
        let (stack, expected_next, len, last, named) = (
            method.stack,
            method.stack_expected,
            method.len,
            method.last,
            method.name.is_some(),
        );
        if !stack {
            let first = self.call_slot_mut(last).ok_or(DeclarationError::NoCall)?;
            if first.times.is_some() {
                return Err(DeclarationError::NextCallWithTimesCalled);
            }
            first.index = Some(0);
        }
        let ordered = named && expected_next && self.fake_slot(fake)?.order.is_some();
        let call = self.add_call(target, fake, Some(len), expected_next, ordered)?;
        let method = self.method_mut(target).ok_or(DeclarationError::NoCall)?;
        method.stack = true;
        method.len = len.saturating_add(1);
        method.last = call;
        Ok(())
    }

    fn declare_method(
        &mut self,
        fake: FakeId,
        name: F::Name,
        expected: bool,
    ) -> Result<(), DeclarationError> {
        if self.find_method(fake, name.as_ref()).is_some() {
            // Fudge: declaring the same name again is `next_call(for_method=name)`.
            let name_ref: &str = name.as_ref();
            return self.next_call_of(fake, Some(name_ref));
        }
        let method = self.add_method(fake, Some(name), expected)?;
        self.fake_slot_mut(fake)?.last = Some(method);
        Ok(())
    }
}

use super::registry::FakeSlot;

impl<'r, F: Family, S: RegistryStorage> Declare<'r, F, S> {
    /// The fake being declared.
    pub fn id(&self) -> FakeId {
        self.fake
    }

    /// The registry, to declare other fakes.
    pub fn registry(self) -> &'r mut Registry<F, S> {
        self.reg
    }

    fn with(
        self,
        f: impl FnOnce(&mut Registry<F, S>, FakeId) -> Result<(), DeclarationError>,
    ) -> Result<Self, DeclarationError> {
        f(self.reg, self.fake)?;
        Ok(self)
    }

    fn on_call(self, f: impl FnOnce(&mut CallSlot<F>)) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| {
            f(reg.current_call(fake)?);
            Ok(())
        })
    }

    /// The method must be called before verification, else `fake:<name>.<method>() was not
    /// called`. Declaring the same name again starts the next call of a sequence.
    pub fn expects(self, method: F::Name) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| reg.declare_method(fake, method, true))
    }

    /// The method may be called; nothing fails if it is not.
    pub fn provides(self, method: F::Name) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| reg.declare_method(fake, method, false))
    }

    /// The fake itself is a function that must be called.
    pub fn expects_call(self) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| {
            let m = reg.add_method(fake, None, true)?;
            reg.fake_slot_mut(fake)?.callable = Some(m);
            Ok(())
        })
    }

    /// The fake itself is a function that may be called.
    pub fn is_callable(self) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| {
            let m = reg.add_method(fake, None, false)?;
            reg.fake_slot_mut(fake)?.callable = Some(m);
            Ok(())
        })
    }

    /// Starts the next call in a sequence of behaviours of the last declared call. Calls
    /// beyond the sequence fail.
    ///
    /// ```
    /// use capturemock_core::fake::{Fakes, Resolved, ValueRef};
    ///
    /// let mut fakes: Fakes<'_> = Fakes::new();
    /// let f = fakes.unnamed_fake().unwrap();
    /// fakes.on(f).provides("status").unwrap().returns(ValueRef::Str("Awake!")).unwrap()
    ///     .next_call().unwrap().returns(ValueRef::Str("Asleep")).unwrap();
    /// for want in ["Awake!", "Asleep"] {
    ///     let reply = fakes.call(f, "status", &[], &[]).unwrap().resolve(&[], &[]);
    ///     assert_eq!(reply, Ok(Resolved::Value(ValueRef::Str(want))));
    /// }
    /// let err = fakes.call(f, "status", &[], &[]).err().unwrap();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "This attribute of fake:unnamed can only be called 2 time(s).  \
    ///      Call reset() if necessary or fake::clear_calls()."
    /// );
    /// ```
    pub fn next_call(self) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| reg.next_call_of(fake, None))
    }

    /// Starts the next call of `method` (declared before), and makes it the current call.
    pub fn next_call_for(self, method: &str) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| reg.next_call_of(fake, Some(method)))
    }

    /// The current call returns `value`.
    pub fn returns(self, value: F::Return) -> Result<Self, DeclarationError> {
        self.on_call(|c| c.answer = Answer::Value(value))
    }

    /// The current call returns another fake of this registry.
    pub fn returns_existing(self, other: FakeId) -> Result<Self, DeclarationError> {
        self.reg.fake_slot(other)?;
        self.on_call(|c| c.answer = Answer::Fake(other))
    }

    /// The current call returns a new fake named `<this>.<method>()`; declarations continue
    /// on the NEW fake.
    ///
    /// ```
    /// use capturemock_core::fake::{Fakes, Resolved};
    ///
    /// let mut fakes: Fakes<'_> = Fakes::new();
    /// let session = fakes.fake("session").unwrap();
    /// let query = fakes.on(session).provides("query").unwrap().returns_fake().unwrap().id();
    /// assert_eq!(fakes.describe(query).to_string(), "fake:session.query()");
    /// let reply = fakes.call(session, "query", &[], &[]).unwrap().resolve(&[], &[]);
    /// assert_eq!(reply, Ok(Resolved::Fake(query)));
    /// ```
    pub fn returns_fake(self) -> Result<Self, DeclarationError> {
        self.returns_new_fake(None)
    }

    /// Like [`returns_fake`](Self::returns_fake), naming the new fake `<this>.<name>()`.
    pub fn returns_fake_named(self, name: F::Name) -> Result<Self, DeclarationError> {
        self.returns_new_fake(Some(name))
    }

    fn returns_new_fake(self, name: Option<F::Name>) -> Result<Self, DeclarationError> {
        let reg = self.reg;
        let fake = self.fake;
        let method = reg.target_method(fake)?.ok_or(DeclarationError::NoCall)?;
        let endpoint = match name {
            Some(n) => Some(n),
            None => reg.method(method).and_then(|m| m.name.clone()),
        };
        let child = reg.derived_fake(fake, endpoint, true)?;
        reg.current_call(fake)?.answer = Answer::Fake(child);
        Ok(Declare { reg, fake: child })
    }

    /// The current call fails with `error`.
    ///
    /// ```
    /// use capturemock_core::fake::Fakes;
    ///
    /// let mut fakes: Fakes<'_, &str> = Fakes::new();
    /// let db = fakes.fake("db").unwrap();
    /// fakes.on(db).provides("insert").unwrap().raises("not enough parameters").unwrap();
    /// let outcome = fakes.call(db, "insert", &[], &[]).unwrap();
    /// assert_eq!(outcome.resolve(&[], &[]), Err(&"not enough parameters"));
    /// ```
    pub fn raises(self, error: F::Raise) -> Result<Self, DeclarationError> {
        self.on_call(|c| c.raises = Some(error))
    }

    /// The current call runs `f` (the caller runs it: see
    /// [`Accepted::calls`](super::Accepted::calls)); a `returns` value wins over its result.
    pub fn calls(self, f: F::Calls) -> Result<Self, DeclarationError> {
        self.on_call(|c| c.calls = Some(f))
    }

    fn args<M: Into<Matcher<F>>>(
        self,
        slot: Slot,
        values: impl IntoIterator<Item = M>,
    ) -> Result<Self, DeclarationError> {
        let items = values.into_iter().map(|m| Spec {
            name: None,
            matcher: m.into(),
        });
        self.with(|reg, fake| reg.declare_args(fake, slot, false, items))
    }

    fn kwargs<M: Into<Matcher<F>>>(
        self,
        slot: Slot,
        values: impl IntoIterator<Item = (F::Name, M)>,
    ) -> Result<Self, DeclarationError> {
        let items = values.into_iter().map(|(name, m)| Spec {
            name: Some(name),
            matcher: m.into(),
        });
        self.with(|reg, fake| reg.declare_args(fake, slot, true, items))
    }

    /// The call must get exactly these positional arguments (and exactly the named ones of
    /// [`with_kwargs`](Self::with_kwargs), none if not declared).
    ///
    /// ```
    /// use capturemock_core::fake::{Fakes, ValueRef};
    ///
    /// let mut fakes: Fakes<'_> = Fakes::new();
    /// let counter = fakes.fake("counter").unwrap();
    /// fakes.on(counter).expects("increment").unwrap()
    ///     .with_args([ValueRef::Int(25)]).unwrap()
    ///     .with_kwargs([("table", ValueRef::Str("hits"))]).unwrap();
    /// let err = fakes
    ///     .call(counter, "increment", &[ValueRef::Int(24)], &[("table", ValueRef::Str("clicks"))])
    ///     .err().unwrap();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "fake:counter.increment(25, table=\"hits\") was called unexpectedly with args (24, table=\"clicks\")"
    /// );
    /// ```
    pub fn with_args<M: Into<Matcher<F>>>(
        self,
        values: impl IntoIterator<Item = M>,
    ) -> Result<Self, DeclarationError> {
        self.args(Slot::Args, values)
    }

    /// The call must get exactly these named arguments (Fudge's keyword arguments of
    /// `with_args`).
    pub fn with_kwargs<M: Into<Matcher<F>>>(
        self,
        values: impl IntoIterator<Item = (F::Name, M)>,
    ) -> Result<Self, DeclarationError> {
        self.kwargs(Slot::Args, values)
    }

    /// Positional arguments must equal these.
    pub fn with_matching_args<M: Into<Matcher<F>>>(
        self,
        values: impl IntoIterator<Item = M>,
    ) -> Result<Self, DeclarationError> {
        self.args(Slot::Matching, values)
    }

    /// Named arguments must equal these, when the call passes them.
    pub fn with_matching_kwargs<M: Into<Matcher<F>>>(
        self,
        values: impl IntoIterator<Item = (F::Name, M)>,
    ) -> Result<Self, DeclarationError> {
        self.kwargs(Slot::Matching, values)
    }

    /// The call must not receive any of these positional values.
    ///
    /// ```
    /// use capturemock_core::fake::{Fakes, ValueRef};
    ///
    /// let mut fakes: Fakes<'_> = Fakes::new();
    /// let query = fakes.fake("query").unwrap();
    /// fakes.on(query).expects_call().unwrap().without_args([ValueRef::Str("http://example.com")]).unwrap();
    /// let err = fakes.call_fake(query, &[ValueRef::Str("http://example.com")], &[]).err().unwrap();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "fake:query() was called unexpectedly with arg \"http://example.com\""
    /// );
    /// ```
    pub fn without_args<M: Into<Matcher<F>>>(
        self,
        values: impl IntoIterator<Item = M>,
    ) -> Result<Self, DeclarationError> {
        self.args(Slot::Without, values)
    }

    /// The call must not receive these named values.
    pub fn without_kwargs<M: Into<Matcher<F>>>(
        self,
        values: impl IntoIterator<Item = (F::Name, M)>,
    ) -> Result<Self, DeclarationError> {
        self.kwargs(Slot::Without, values)
    }

    /// The call must get exactly `count` positional arguments.
    pub fn with_arg_count(self, count: usize) -> Result<Self, DeclarationError> {
        let count = u32::try_from(count).map_err(|_| DeclarationError::CountTooLarge)?;
        self.on_call(|c| c.arg_count = Some(count))
    }

    /// The call must get exactly `count` named arguments.
    pub fn with_kwarg_count(self, count: usize) -> Result<Self, DeclarationError> {
        let count = u32::try_from(count).map_err(|_| DeclarationError::CountTooLarge)?;
        self.on_call(|c| c.kwarg_count = Some(count))
    }

    /// The call must happen exactly `n` times: too many fails at the call, too few at
    /// verification (for expected calls).
    ///
    /// ```
    /// use capturemock_core::fake::Fakes;
    ///
    /// let mut fakes: Fakes<'_> = Fakes::new();
    /// let auth = fakes.fake("auth").unwrap();
    /// fakes.on(auth).expects("login").unwrap().times_called(2).unwrap();
    /// fakes.call(auth, "login", &[], &[]).unwrap();
    /// assert_eq!(
    ///     fakes.verify().unwrap_err().to_string(),
    ///     "fake:auth.login() was called 1 time(s). Expected 2."
    /// );
    /// ```
    pub fn times_called(self, n: u32) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| {
            let method = reg.target_method(fake)?.ok_or(DeclarationError::NoCall)?;
            if reg.method(method).is_some_and(|m| m.stack) {
                return Err(DeclarationError::TimesCalledWithNextCall);
            }
            reg.current_call(fake)?.times = Some(n);
            Ok(())
        })
    }

    /// The expected calls declared from now on must happen in declaration order.
    ///
    /// ```
    /// use capturemock_core::fake::Fakes;
    ///
    /// let mut fakes: Fakes<'_> = Fakes::new();
    /// let db = fakes.fake("db").unwrap();
    /// fakes.on(db).remember_order().unwrap().expects("insert").unwrap().expects("update").unwrap();
    /// assert_eq!(
    ///     fakes.call(db, "update", &[], &[]).err().unwrap().to_string(),
    ///     "Call #1 was fake:db.update(); Expected: #1 fake:db.insert(), #2 fake:db.update(), end"
    /// );
    /// ```
    pub fn remember_order(self) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| {
            if reg.fake_slot(fake)?.callable.is_some() {
                return Err(DeclarationError::OrderOnCallable);
            }
            let seq = reg.order_seq;
            let slot = reg.fake_slot_mut(fake)?;
            if slot.order.is_none() {
                slot.order = Some(Order::new(seq));
                reg.order_seq = seq.saturating_add(1);
            }
            Ok(())
        })
    }

    /// Any method or attribute is allowed; unknown ones yield new stub fakes.
    ///
    /// ```
    /// use capturemock_core::fake::{Answered, Fakes};
    ///
    /// let mut fakes: Fakes<'_> = Fakes::new();
    /// let st = fakes.fake("st").unwrap();
    /// fakes.on(st).is_a_stub().unwrap();
    /// let Ok(Answered::Fake(foo)) = fakes.attr(st, "foo") else { panic!() };
    /// assert_eq!(fakes.describe(foo).to_string(), "fake:st.foo");
    /// ```
    pub fn is_a_stub(self) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| {
            reg.fake_slot_mut(fake)?.stub = true;
            Ok(())
        })
    }

    /// The attribute `name` holds `value`.
    pub fn has_attr(self, name: F::Name, value: F::Return) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| reg.set_attr(fake, name, Answer::Value(value)))
    }

    /// The attribute `name` holds another fake.
    pub fn has_attr_fake(self, name: F::Name, other: FakeId) -> Result<Self, DeclarationError> {
        self.with(|reg, fake| {
            reg.fake_slot(other)?;
            reg.set_attr(fake, name, Answer::Fake(other))
        })
    }
}

impl<F: Family, S: RegistryStorage> Registry<F, S> {
    pub(crate) fn set_attr(
        &mut self,
        fake: FakeId,
        name: F::Name,
        value: Answer<F>,
    ) -> Result<(), DeclarationError> {
        self.fake_slot(fake)?;
        let existing = self
            .attrs
            .as_mut_slice()
            .iter_mut()
            .find(|a| a.fake == fake && a.name.as_ref() == name.as_ref());
        match existing {
            Some(slot) => slot.value = value,
            None => {
                push(
                    &mut self.attrs,
                    AttrSlot { fake, name, value },
                    Table::Attributes,
                )?;
            }
        }
        Ok(())
    }
}
