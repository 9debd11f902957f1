//! The registry: every fake of one family, their declared calls, and what happened to them.
//!
//! Fakes, methods, calls, declared arguments and attributes live in flat tables and refer to
//! each other by small ids, so the registry needs no allocator and one `verify` sees the
//! expectations of every fake in the order they were declared, as Fudge's registry does.

use super::arg::Matcher;
use super::error::{DeclarationError, Table};
use super::family::{Family, Pool, RegistryStorage};
use super::order::Order;

/// A fake in a registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FakeId(pub(crate) u16);

/// A declared call in a registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallId(pub(crate) u16);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MethodId(pub(crate) u16);

impl FakeId {
    /// Position in the registry's table of fakes.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl CallId {
    /// Position in the registry's table of calls.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

pub(crate) enum FakeName<F: Family> {
    Unnamed,
    Given(F::Name),
    /// `<parent>.<endpoint>` (endpoint omitted when it repeats the parent's name), plus `()`
    /// for a fake returned by a call.
    Derived {
        parent: FakeId,
        endpoint: Option<F::Name>,
        call: bool,
    },
}

pub(crate) struct FakeSlot<F: Family> {
    pub(crate) name: FakeName<F>,
    pub(crate) stub: bool,
    pub(crate) callable: Option<MethodId>,
    /// The method that call-level declarations apply to.
    pub(crate) last: Option<MethodId>,
    pub(crate) order: Option<Order>,
    pub(crate) verified: bool,
}

pub(crate) struct MethodSlot<F: Family> {
    pub(crate) fake: FakeId,
    /// `None` for the fake's own callable.
    pub(crate) name: Option<F::Name>,
    pub(crate) stack: bool,
    /// Whether calls added by `next_call` are expected (taken from the first call).
    pub(crate) stack_expected: bool,
    pub(crate) pointer: u16,
    pub(crate) len: u16,
    pub(crate) last: CallId,
}

/// What a call returns or an attribute holds.
pub(crate) enum Answer<F: Family> {
    Nothing,
    Value(F::Return),
    Fake(FakeId),
}

#[derive(Clone, Copy)]
pub(crate) struct Span {
    pub(crate) start: u16,
    pub(crate) len: u16,
}

impl Span {
    pub(crate) fn range(self) -> core::ops::Range<usize> {
        let start = usize::from(self.start);
        start..start.saturating_add(usize::from(self.len))
    }
}

pub(crate) struct CallSlot<F: Family> {
    pub(crate) method: MethodId,
    pub(crate) fake: FakeId,
    pub(crate) index: Option<u16>,
    /// Checked by `verify` (cleared by `clear_expectations`).
    pub(crate) registered: bool,
    /// Part of its fake's remembered order.
    pub(crate) ordered: bool,
    pub(crate) args: Option<Span>,
    pub(crate) kwargs: Option<Span>,
    pub(crate) matching_args: Option<Span>,
    pub(crate) matching_kwargs: Option<Span>,
    pub(crate) without_args: Option<Span>,
    pub(crate) without_kwargs: Option<Span>,
    pub(crate) arg_count: Option<u32>,
    pub(crate) kwarg_count: Option<u32>,
    pub(crate) times: Option<u32>,
    pub(crate) answer: Answer<F>,
    pub(crate) raises: Option<F::Raise>,
    pub(crate) calls: Option<F::Calls>,
    pub(crate) was_called: bool,
    pub(crate) actual: u32,
}

pub(crate) struct Spec<F: Family> {
    pub(crate) name: Option<F::Name>,
    pub(crate) matcher: Matcher<F>,
}

pub(crate) struct AttrSlot<F: Family> {
    pub(crate) fake: FakeId,
    pub(crate) name: F::Name,
    pub(crate) value: Answer<F>,
}

/// All fakes of one family, with fixed or growable tables (see [`RegistryStorage`]).
pub struct Registry<F: Family, S: RegistryStorage> {
    pub(crate) fakes: S::Fakes<FakeSlot<F>>,
    pub(crate) methods: S::Calls<MethodSlot<F>>,
    pub(crate) calls: S::Calls<CallSlot<F>>,
    pub(crate) specs: S::Args<Spec<F>>,
    pub(crate) attrs: S::Args<AttrSlot<F>>,
    pub(crate) order_seq: u16,
}

impl<F: Family, S: RegistryStorage> Default for Registry<F, S> {
    fn default() -> Self {
        Registry {
            fakes: Default::default(),
            methods: Default::default(),
            calls: Default::default(),
            specs: Default::default(),
            attrs: Default::default(),
            order_seq: 0,
        }
    }
}

/// Most items a table holds, whatever its storage: one less than `u16::MAX`, so that every
/// id and every count of items fits in a `u16`, and a count that saturates at `u16::MAX` (the
/// actual calls of a remembered order) is still more than any table holds.
pub(crate) const MAX_ITEMS: usize = u16::MAX as usize - 1;

/// The id of the item a table of `len` items adds next, or `Full` at [`MAX_ITEMS`].
pub(crate) fn next_id(len: usize, table: Table) -> Result<u16, DeclarationError> {
    if len >= MAX_ITEMS {
        return Err(DeclarationError::Full(table));
    }
    u16::try_from(len).map_err(|_| DeclarationError::Full(table))
}

pub(crate) fn push<X, P: Pool<X>>(
    pool: &mut P,
    item: X,
    table: Table,
) -> Result<u16, DeclarationError> {
    let id = next_id(pool.as_slice().len(), table)?;
    pool.push(item).map_err(|_| DeclarationError::Full(table))?;
    Ok(id)
}

impl<F: Family, S: RegistryStorage> Registry<F, S> {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a new fake named `name` (shown as `fake:<name>`).
    pub fn fake(&mut self, name: F::Name) -> Result<FakeId, DeclarationError> {
        self.add_fake(FakeName::Given(name))
    }

    /// Declares a new fake without a name (shown as `fake:unnamed`).
    pub fn unnamed_fake(&mut self) -> Result<FakeId, DeclarationError> {
        self.add_fake(FakeName::Unnamed)
    }

    pub(crate) fn add_fake(&mut self, name: FakeName<F>) -> Result<FakeId, DeclarationError> {
        let slot = FakeSlot {
            name,
            stub: false,
            callable: None,
            last: None,
            order: None,
            verified: false,
        };
        push(&mut self.fakes, slot, Table::Fakes).map(FakeId)
    }

    /// How many fakes the registry holds.
    pub fn fake_count(&self) -> usize {
        self.fakes.as_slice().len()
    }

    /// How many calls have been declared, over all fakes.
    pub fn call_count(&self) -> usize {
        self.calls.as_slice().len()
    }

    pub(crate) fn fake_slot(&self, fake: FakeId) -> Result<&FakeSlot<F>, DeclarationError> {
        self.fakes
            .as_slice()
            .get(fake.index())
            .ok_or(DeclarationError::UnknownFake)
    }

    pub(crate) fn fake_slot_mut(
        &mut self,
        fake: FakeId,
    ) -> Result<&mut FakeSlot<F>, DeclarationError> {
        self.fakes
            .as_mut_slice()
            .get_mut(fake.index())
            .ok_or(DeclarationError::UnknownFake)
    }

    pub(crate) fn method(&self, m: MethodId) -> Option<&MethodSlot<F>> {
        self.methods.as_slice().get(usize::from(m.0))
    }

    pub(crate) fn method_mut(&mut self, m: MethodId) -> Option<&mut MethodSlot<F>> {
        self.methods.as_mut_slice().get_mut(usize::from(m.0))
    }

    pub(crate) fn call_slot(&self, c: CallId) -> Option<&CallSlot<F>> {
        self.calls.as_slice().get(c.index())
    }

    pub(crate) fn call_slot_mut(&mut self, c: CallId) -> Option<&mut CallSlot<F>> {
        self.calls.as_mut_slice().get_mut(c.index())
    }

    pub(crate) fn spec(&self, i: u16) -> Option<&Spec<F>> {
        self.specs.as_slice().get(usize::from(i))
    }

    /// The declared values of `span`; none when nothing was declared (`None`). A span is
    /// made by `push_specs` from the specs it pushed, so it is always within the table.
    pub(crate) fn specs_in(&self, span: Option<Span>) -> &[Spec<F>] {
        span.and_then(|s| self.specs.as_slice().get(s.range()))
            .unwrap_or(&[])
    }

    /// The named (non-callable) method `name` of `fake`.
    pub(crate) fn find_method(&self, fake: FakeId, name: &str) -> Option<MethodId> {
        self.methods
            .as_slice()
            .iter()
            .position(|m| m.fake == fake && m.name.as_ref().is_some_and(|n| n.as_ref() == name))
            .and_then(|i| u16::try_from(i).ok())
            .map(MethodId)
    }

    pub(crate) fn find_attr(&self, fake: FakeId, name: &str) -> Option<&AttrSlot<F>> {
        self.attrs
            .as_slice()
            .iter()
            .find(|a| a.fake == fake && a.name.as_ref() == name)
    }

    /// The call of `method` at position `index` of its sequence.
    pub(crate) fn stack_call(&self, m: MethodId, index: u16) -> Option<CallId> {
        self.calls
            .as_slice()
            .iter()
            .position(|c| c.method == m && c.index == Some(index))
            .and_then(|i| u16::try_from(i).ok())
            .map(CallId)
    }

    /// The call that the next call of `fake.method()` would reach, if any (used by fakes built
    /// on the engine, such as the embedded-io fake, to look ahead).
    pub fn upcoming(&self, fake: FakeId, method: &str) -> Option<CallId> {
        let m = self.find_method(fake, method)?;
        let slot = self.method(m)?;
        if slot.stack {
            self.stack_call(m, slot.pointer)
        } else {
            Some(slot.last)
        }
    }

    /// The positional arguments declared by `with_args` for a call.
    pub fn declared_args(&self, call: CallId) -> impl Iterator<Item = &Matcher<F>> {
        let span = self.call_slot(call).and_then(|c| c.args);
        self.specs_in(span).iter().map(|s| &s.matcher)
    }

    /// Whether a call has a `raises` declaration.
    pub fn raises(&self, call: CallId) -> Option<&F::Raise> {
        self.call_slot(call).and_then(|c| c.raises.as_ref())
    }

    /// Forgets the calls made so far: nothing was called, sequences start over, remembered
    /// orders are empty. Declarations stay.
    pub fn clear_calls(&mut self) {
        for call in self.calls.as_mut_slice() {
            call.was_called = false;
            call.actual = 0;
        }
        for method in self.methods.as_mut_slice() {
            method.pointer = 0;
        }
        for fake in self.fakes.as_mut_slice() {
            if let Some(order) = fake.order.as_mut() {
                order.reset();
            }
        }
    }

    /// Forgets what `verify` checks: no call is expected any more and remembered orders are
    /// dropped. Fakes keep answering as declared.
    pub fn clear_expectations(&mut self) {
        for call in self.calls.as_mut_slice() {
            call.registered = false;
            call.ordered = false;
        }
        for fake in self.fakes.as_mut_slice() {
            fake.order = None;
        }
    }

    /// Starts the call sequences of one fake over (Fudge's `reset()`).
    pub fn reset(&mut self, fake: FakeId) {
        for method in self.methods.as_mut_slice() {
            if method.fake == fake {
                method.pointer = 0;
            }
        }
    }

    /// Removes every fake. Ids handed out before are no longer valid.
    pub fn clear(&mut self) {
        self.fakes.clear();
        self.methods.clear();
        self.calls.clear();
        self.specs.clear();
        self.attrs.clear();
        self.order_seq = 0;
    }
}
