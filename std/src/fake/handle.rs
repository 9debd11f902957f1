//! [`Fake`]: a cheap handle to a fake in this thread's registry.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;

use capturemock_core::fake::{Answered, DeclarationError, Declare, FakeId};

use super::args::Args;
use super::error::FakeError;
use super::family::{Called, Produce, Replacement, StdFamily};
use super::growable::Growable;
use super::reply::{Answer, Reply};
use super::state::{with_state, Handle};

/// The core's declaration builder over this crate's family and growable tables.
type StdDeclare<'r> = Declare<'r, StdFamily, Growable>;

/// A fake object (Fudge's `Fake`). Cloning it is cheap and every clone is the same fake.
///
/// Declarations chain and apply to the most recently declared call. Calls go through
/// [`call`](Fake::call) or through a trait implemented by [`fake_impl!`](crate::fake_impl).
/// Fakes live in a per-thread registry: [`verify`](super::verify) checks them all, and when
/// the last fake of a thread is dropped without ever being verified, it verifies itself
/// (panicking with Fudge's message) unless the thread is already panicking.
///
/// ```
/// use capturemock::{args, fake::{self, Fake}};
///
/// let auth = Fake::new("auth").provides("login").times_called(1);
/// let _ = auth.call("login", args![]);
/// let err = auth.try_call("login", args![]).unwrap_err();
/// assert_eq!(err.to_string(), "fake:auth.login() was called 2 time(s). Expected 1.");
/// ```
///
/// A fake stays on the thread that made it, as Fudge's registry is per thread:
///
/// ```compile_fail
/// fn send_to_another_thread<T: Send>(_: T) {}
/// send_to_another_thread(capturemock::fake::Fake::new("db"));
/// ```
#[derive(Clone)]
pub struct Fake(Rc<Handle>);

impl Fake {
    /// A fake named `name`, shown as `fake:<name>`.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Fake {
        let name = name.into();
        let id = with_state(|s| s.reg.fake(name)).unwrap_or_else(|e| panic!("fake: {e}"));
        Fake::from_id(id)
    }

    /// A fake without a name, shown as `fake:unnamed`. (Fudge guesses a name from the
    /// variable it is assigned to; Rust cannot.)
    pub fn unnamed() -> Fake {
        let id = with_state(|s| s.reg.unnamed_fake()).unwrap_or_else(|e| panic!("fake: {e}"));
        Fake::from_id(id)
    }

    pub(crate) fn from_id(id: FakeId) -> Fake {
        Fake(Handle::new(id))
    }

    /// The fake's id in the thread's registry.
    pub fn id(&self) -> FakeId {
        self.0.id
    }

    /// `fake:<name>`, as messages show this fake.
    pub fn name(&self) -> String {
        with_state(|s| s.reg.describe(self.id()).to_string())
    }

    /// Runs one declaration on this fake under the registry's lock. A declaration that hands
    /// back another fake (`returns_fake`) gives a handle to that one; a declaration the core
    /// refuses panics at once with the fake's name, as Fudge raises when declaring.
    fn declare(
        &self,
        f: impl FnOnce(StdDeclare<'_>) -> Result<StdDeclare<'_>, DeclarationError>,
    ) -> Fake {
        self.declare_explained(f, |e| e.to_string())
    }

    /// [`declare`](Fake::declare), with the text of a refused declaration made by `explain`
    /// (which can name what the core's `Copy` error cannot hold).
    fn declare_explained(
        &self,
        f: impl FnOnce(StdDeclare<'_>) -> Result<StdDeclare<'_>, DeclarationError>,
        explain: impl FnOnce(DeclarationError) -> String,
    ) -> Fake {
        let result = with_state(|s| {
            let id = self.id();
            match f(s.reg.on(id)) {
                Ok(d) => Ok(d.id()),
                Err(e) => Err(format!("{}: {}", s.reg.describe(id), explain(e))),
            }
        });
        match result {
            Ok(id) if id == self.id() => self.clone(),
            Ok(id) => Fake::from_id(id),
            Err(message) => panic!("{message}"),
        }
    }

    /// `method` must be called before verification, else `fake:<name>.<method>() was not
    /// called`. Declaring it again is the same as [`next_call`](Fake::next_call).
    ///
    /// ```
    /// use capturemock::{args, fake::{self, Fake}};
    /// let session = Fake::new("session").expects("open").expects("close");
    /// let _ = session.call("open", args![]);
    /// assert_eq!(fake::try_verify().unwrap_err().to_string(), "fake:session.close() was not called");
    /// ```
    pub fn expects(&self, method: impl Into<Cow<'static, str>>) -> Fake {
        let method = method.into();
        self.declare(|d| d.expects(method))
    }

    /// `method` may be called; nothing fails if it is not.
    ///
    /// ```
    /// use capturemock::{args, fake::{self, Fake}};
    /// let session = Fake::new("session").provides("open").provides("close");
    /// let _ = session.call("open", args![]);
    /// fake::verify(); // close() not called but no error
    /// ```
    pub fn provides(&self, method: impl Into<Cow<'static, str>>) -> Fake {
        let method = method.into();
        self.declare(|d| d.provides(method))
    }

    /// The fake itself is a function that must be called.
    ///
    /// ```
    /// use capturemock::fake::{self, Fake};
    /// let _remove = Fake::new("os.remove").expects_call();
    /// assert_eq!(fake::try_verify().unwrap_err().to_string(), "fake:os.remove() was not called");
    /// ```
    pub fn expects_call(&self) -> Fake {
        self.declare(|d| d.expects_call())
    }

    /// The fake itself is a function that may be called.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let remove = Fake::new("os.remove").is_callable();
    /// let _ = remove.call_fake(args!["some/path"]);
    /// ```
    pub fn is_callable(&self) -> Fake {
        self.declare(|d| d.is_callable())
    }

    /// Starts the next call in a sequence of behaviours for the last declared call; calls
    /// beyond the sequence fail. Cannot be combined with [`times_called`](Fake::times_called).
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let f = Fake::unnamed().provides("status").returns("Awake!")
    ///     .next_call().returns("Asleep")
    ///     .next_call().returns("Dreaming");
    /// assert_eq!(f.call("status", args![]).get::<&str>(), "Awake!");
    /// assert_eq!(f.call("status", args![]).get::<&str>(), "Asleep");
    /// assert_eq!(f.call("status", args![]).get::<&str>(), "Dreaming");
    /// assert_eq!(
    ///     f.try_call("status", args![]).unwrap_err().to_string(),
    ///     "This attribute of fake:unnamed can only be called 3 time(s).  \
    ///      Call reset() if necessary or fake::clear_calls()."
    /// );
    /// ```
    pub fn next_call(&self) -> Fake {
        self.declare(|d| d.next_call())
    }

    /// Starts the next call of `method` (declared before) and makes it the current call
    /// (Fudge's `next_call(for_method=...)`).
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let sess = Fake::new("session").provides("get_count").returns(1)
    ///     .provides("set_count").with_args(args![5])
    ///     .next_call_for("get_count").returns(5);
    /// assert_eq!(sess.call("get_count", args![]).get::<i32>(), 1);
    /// let _ = sess.call("set_count", args![5]);
    /// assert_eq!(sess.call("get_count", args![]).get::<i32>(), 5);
    /// ```
    pub fn next_call_for(&self, method: &str) -> Fake {
        self.declare_explained(
            |d| d.next_call_for(method),
            |e| match e {
                // Fudge's text names the method; the core's error cannot hold it.
                DeclarationError::NextCallUnknownMethod => format!(
                    "next_call_for({method:?}) is not possible; \
                     declare expects({method:?}) or provides({method:?}) first"
                ),
                other => other.to_string(),
            },
        )
    }

    /// The current call returns `value` (a clone of it, each time). Returning a [`Fake`]
    /// returns that fake.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let f = Fake::unnamed().provides("get_number").returns(64);
    /// assert_eq!(f.call("get_number", args![]).get::<i32>(), 64);
    /// ```
    pub fn returns<V: Clone + 'static>(&self, value: V) -> Fake {
        if let Some(other) = (&value as &dyn Any).downcast_ref::<Fake>() {
            let other = other.id();
            return self.declare(|d| d.returns_existing(other));
        }
        self.declare(|d| d.returns(Produce::clone_of(value)))
    }

    /// The current call returns what `make` makes, afresh for each call (for values that are
    /// not `Clone`).
    ///
    /// ```
    /// use std::cell::Cell;
    /// use capturemock::{args, fake::Fake};
    /// let f = Fake::new("f").provides("cell").returns_with(|| Cell::new(7));
    /// assert_eq!(f.call("cell", args![]).get::<Cell<i32>>().get(), 7);
    /// ```
    pub fn returns_with<V: 'static>(&self, make: impl Fn() -> V + 'static) -> Fake {
        self.declare(|d| d.returns(Produce::from_fn(make)))
    }

    /// The current call returns a new fake named `<this>.<method>()`; the NEW fake is
    /// returned, to declare its calls.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let session = Fake::new("session");
    /// let query = session.provides("query").returns_fake_named("Query");
    /// query.provides("one").returns(vec!["object"]);
    /// let q = session.call("query", args![]).fake();
    /// assert_eq!(q.name(), "fake:session.Query()");
    /// assert_eq!(q.call("one", args![]).get::<Vec<&str>>(), vec!["object"]);
    /// ```
    pub fn returns_fake(&self) -> Fake {
        self.declare(|d| d.returns_fake())
    }

    /// Like [`returns_fake`](Fake::returns_fake), naming the new fake `<this>.<name>()`.
    pub fn returns_fake_named(&self, name: impl Into<Cow<'static, str>>) -> Fake {
        let name = name.into();
        self.declare(|d| d.returns_fake_named(name))
    }

    /// The current call fails with `error`: a method returning `Result` returns `Err`, any
    /// other method panics with the error's message.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let db = Fake::new("db").provides("insert").raises("not enough parameters for insert");
    /// let err = db.call("insert", args![]).result::<(), String>().unwrap_err();
    /// assert_eq!(err, "not enough parameters for insert");
    /// ```
    pub fn raises<E: fmt::Display + Clone + 'static>(&self, error: E) -> Fake {
        let message = error.to_string();
        self.declare(|d| d.raises(Produce::clone_of(error).with_message(message)))
    }

    /// Like [`raises`](Fake::raises) for errors that are not `Clone` (`std::io::Error`): `make`
    /// makes one for each call.
    ///
    /// ```
    /// use std::io;
    /// use capturemock::{args, fake::Fake};
    /// let disk = Fake::new("disk").provides("read").raises_with(|| io::Error::other("bad sector"));
    /// let err = disk.call("read", args![]).result::<Vec<u8>, io::Error>().unwrap_err();
    /// assert_eq!(err.to_string(), "bad sector");
    /// ```
    pub fn raises_with<E: fmt::Display + 'static>(&self, make: impl Fn() -> E + 'static) -> Fake {
        let message = make().to_string();
        self.declare(|d| d.raises(Produce::from_fn(make).with_message(message)))
    }

    /// The current call runs `f` with its arguments and answers its result, unless
    /// [`returns`](Fake::returns) declared a value (which wins).
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let f = Fake::unnamed().provides("hello").calls(|_| "Why, hello there");
    /// assert_eq!(f.call("hello", args![]).get::<&str>(), "Why, hello there");
    /// ```
    pub fn calls<R: 'static>(&self, f: impl Fn(&Called) -> R + 'static) -> Fake {
        self.declare(|d| d.calls(Replacement::new(f)))
    }

    /// The current call must get exactly these positional and named arguments (values or
    /// [inspectors](super::arg)).
    ///
    /// ```
    /// use capturemock::{args, fake::{self, Fake}};
    /// let counter = Fake::new("counter").expects("increment").with_args(args![25, table = "hits"]);
    /// let err = counter.try_call("increment", args![24, table = "clicks"]).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "fake:counter.increment(25, table=\"hits\") was called unexpectedly with args (24, table=\"clicks\")"
    /// );
    /// # fake::clear_expectations();
    /// ```
    pub fn with_args(&self, args: Args) -> Fake {
        let (positional, named) = split(args);
        self.declare(|d| d.with_args(positional)?.with_kwargs(named))
    }

    /// Positional arguments must equal these; named ones are checked only when the call
    /// passes them.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let db = Fake::new("db").expects("transaction").with_matching_args(args!["insert"]);
    /// let _ = db.call("transaction", args!["insert", isolation_level = "lock"]);
    /// let _ = db.call("transaction", args!["insert", retry_on_error = true]);
    /// ```
    pub fn with_matching_args(&self, args: Args) -> Fake {
        let (positional, named) = split(args);
        self.declare(|d| {
            d.with_matching_args(positional)?
                .with_matching_kwargs(named)
        })
    }

    /// The call must NOT receive any of these values.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let query = Fake::new("query").expects_call()
    ///     .without_args(args!["http://example.com", name = "Steve"]);
    /// let _ = query.call_fake(args!["http://python.org", name = "Joe"]);
    /// assert_eq!(
    ///     query.try_call_fake(args!["http://example.com"]).unwrap_err().to_string(),
    ///     "fake:query() was called unexpectedly with arg \"http://example.com\""
    /// );
    /// ```
    pub fn without_args(&self, args: Args) -> Fake {
        let (positional, named) = split(args);
        self.declare(|d| d.without_args(positional)?.without_kwargs(named))
    }

    /// The call must get exactly `count` positional arguments.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let auth = Fake::new("auth").provides("login").with_arg_count(2);
    /// assert_eq!(
    ///     auth.try_call("login", args!["joe_user"]).unwrap_err().to_string(),
    ///     "fake:auth.login() was called with 1 arg(s) but expected 2"
    /// );
    /// ```
    pub fn with_arg_count(&self, count: usize) -> Fake {
        self.declare(|d| d.with_arg_count(count))
    }

    /// The call must get exactly `count` named arguments.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let auth = Fake::new("auth").provides("login").with_kwarg_count(2);
    /// assert_eq!(
    ///     auth.try_call("login", args![username = "joe"]).unwrap_err().to_string(),
    ///     "fake:auth.login() was called with 1 keyword arg(s) but expected 2"
    /// );
    /// ```
    pub fn with_kwarg_count(&self, count: usize) -> Fake {
        self.declare(|d| d.with_kwarg_count(count))
    }

    /// The call must happen exactly `n` times: one call too many fails at that call, too few
    /// fail at verification (for expected calls).
    ///
    /// ```
    /// use capturemock::{args, fake::{self, Fake}};
    /// let auth = Fake::new("auth").expects("login").times_called(2);
    /// let _ = auth.call("login", args![]);
    /// assert_eq!(
    ///     fake::try_verify().unwrap_err().to_string(),
    ///     "fake:auth.login() was called 1 time(s). Expected 2."
    /// );
    /// ```
    pub fn times_called(&self, n: u32) -> Fake {
        self.declare(|d| d.times_called(n))
    }

    /// The expected calls declared from now on must happen in declaration order.
    ///
    /// ```
    /// use capturemock::{args, fake::{self, Fake}};
    /// let db = Fake::new("db").remember_order().expects("insert").expects("update");
    /// assert_eq!(
    ///     db.try_call("update", args![]).unwrap_err().to_string(),
    ///     "Call #1 was fake:db.update(); Expected: #1 fake:db.insert(), #2 fake:db.update(), end"
    /// );
    /// fake::clear_expectations();
    /// ```
    pub fn remember_order(&self) -> Fake {
        self.declare(|d| d.remember_order())
    }

    /// Any method or attribute is allowed; unknown ones answer new stub fakes.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let st = Fake::new("st").is_a_stub();
    /// assert_eq!(st.call("foo", args![]).fake().name(), "fake:st.foo()");
    /// assert_eq!(st.attr("bar").fake().attr("baz").fake().name(), "fake:st.bar.baz");
    /// ```
    pub fn is_a_stub(&self) -> Fake {
        self.declare(|d| d.is_a_stub())
    }

    /// The attribute `name` holds `value` (a clone of it each time it is read; a [`Fake`] is
    /// held as that fake).
    ///
    /// ```
    /// use capturemock::{args, fake::{Fake, CONSTRUCTOR}};
    /// let user_class = Fake::new("User").provides(CONSTRUCTOR).has_attr("name", "Harry");
    /// let user = user_class.call_fake(args![]).fake();
    /// assert_eq!(user.attr("name").get::<&str>(), "Harry");
    /// ```
    pub fn has_attr<V: Clone + 'static>(
        &self,
        name: impl Into<Cow<'static, str>>,
        value: V,
    ) -> Fake {
        let name = name.into();
        if let Some(other) = (&value as &dyn Any).downcast_ref::<Fake>() {
            let other = other.id();
            return self.declare(|d| d.has_attr_fake(name, other));
        }
        self.declare(|d| d.has_attr(name, Produce::clone_of(value)))
    }

    /// Starts this fake's call sequences over (the `reset()` of the sequence message).
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let f = Fake::unnamed().provides("n").returns(1).next_call().returns(2);
    /// assert_eq!(f.call("n", args![]).get::<i32>(), 1);
    /// f.reset();
    /// assert_eq!(f.call("n", args![]).get::<i32>(), 1);
    /// ```
    pub fn reset(&self) -> Fake {
        with_state(|s| s.reg.reset(self.id()));
        self.clone()
    }

    /// Calls `method` with `args`. Panics with Fudge's message if the call does not meet the
    /// declarations.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let db = Fake::new("db").provides("count").with_args(args!["users"]).returns(3);
    /// assert_eq!(db.call("count", args!["users"]).get::<usize>(), 3);
    /// ```
    pub fn call(&self, method: impl Into<Cow<'static, str>>, args: Args) -> Reply {
        self.try_call(method, args)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Calls `method` with `args`, returning the failure instead of panicking.
    pub fn try_call(
        &self,
        method: impl Into<Cow<'static, str>>,
        args: Args,
    ) -> Result<Reply, FakeError> {
        self.play(Some(method.into()), args)
    }

    /// Calls the fake itself, as a function.
    pub fn call_fake(&self, args: Args) -> Reply {
        self.try_call_fake(args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Calls the fake itself, returning the failure instead of panicking.
    pub fn try_call_fake(&self, args: Args) -> Result<Reply, FakeError> {
        self.play(None, args)
    }

    /// Reads the attribute `name`. A stub makes up a stub fake for an unknown name.
    pub fn attr(&self, name: impl Into<Cow<'static, str>>) -> Reply {
        self.try_attr(name).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Reads the attribute `name`, returning the failure instead of panicking.
    pub fn try_attr(&self, name: impl Into<Cow<'static, str>>) -> Result<Reply, FakeError> {
        let name = name.into();
        let found = with_state(|s| {
            let label = format!("{}.{name}", s.reg.describe(self.id()));
            match s.reg.attr(self.id(), name) {
                Err(r) => Err(FakeError::from_report(&r)),
                Ok(answer) => Ok((found_answer(answer), label)),
            }
        })?;
        let (answer, label) = found;
        Ok(Reply {
            answer: answer.into_answer(),
            raised: None,
            replaced: None,
            label,
        })
    }

    /// A call (`method`), or a call of the fake itself (`None`): the registry matches it against
    /// the declarations and records it under its lock; a `calls` function then runs outside the
    /// lock, since it may call fakes itself, which would otherwise find the registry busy.
    fn play(&self, method: Option<Cow<'static, str>>, args: Args) -> Result<Reply, FakeError> {
        let called = args.into_called().map_err(FakeError::Declaration)?;
        let found = with_state(|s| {
            let id = self.id();
            let outcome = match method {
                Some(m) => s.reg.call(id, m, &called.args, &called.kwargs),
                None => s.reg.call_fake(id, &called.args, &called.kwargs),
            };
            let (call, answer, raises, calls) = match outcome {
                Err(r) => return Err(FakeError::from_report(&r)),
                Ok(o) => (
                    o.call,
                    found_answer(o.answer),
                    o.raises.cloned(),
                    o.calls.cloned(),
                ),
            };
            Ok(Found {
                answer,
                raises,
                calls,
                label: s.reg.describe_call(call).to_string(),
            })
        })?;
        // Outside the registry: a `calls` function may use fakes itself.
        let replaced = found.calls.map(|r| (r.run(&called), r.type_name));
        Ok(Reply {
            answer: found.answer.into_answer(),
            raised: found.raises,
            replaced,
            label: found.label,
        })
    }
}

/// What the registry answered, copied out of it so that the lock can be let go before the
/// answer is used.
struct Found {
    answer: FoundAnswer,
    raises: Option<Produce>,
    calls: Option<Replacement>,
    label: String,
}

/// The registry's answer as owned data, a fake by id only: its handle is made once the
/// registry is let go.
enum FoundAnswer {
    Nothing,
    Value(Produce),
    Fake(FakeId),
}

impl FoundAnswer {
    fn into_answer(self) -> Answer {
        match self {
            FoundAnswer::Nothing => Answer::Nothing,
            FoundAnswer::Value(p) => Answer::Value(p),
            FoundAnswer::Fake(id) => Answer::Fake(Fake::from_id(id)),
        }
    }
}

/// Copies the registry's borrowed answer out.
fn found_answer(answer: Answered<'_, StdFamily>) -> FoundAnswer {
    match answer {
        Answered::Nothing => FoundAnswer::Nothing,
        Answered::Value(p) => FoundAnswer::Value(p.clone()),
        Answered::Fake(id) => FoundAnswer::Fake(id),
    }
}

type Split = (
    Vec<super::family::Matcher>,
    Vec<(Cow<'static, str>, super::family::Matcher)>,
);

/// A declaration's arguments as the registry takes them: positional and named matchers.
fn split(args: Args) -> Split {
    let positional = args
        .positional
        .into_iter()
        .map(|a| a.into_matcher())
        .collect();
    let named = args
        .named
        .into_iter()
        .map(|(n, a)| (Cow::Borrowed(n), a.into_matcher()))
        .collect();
    (positional, named)
}

impl Default for Fake {
    fn default() -> Self {
        Fake::unnamed()
    }
}

impl fmt::Display for Fake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl fmt::Debug for Fake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Two handles are equal when they are the same fake, whatever their names: clones compare
/// equal, two fakes made with the same name do not.
impl PartialEq for Fake {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}
