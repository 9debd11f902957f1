"""Failure situations run in the real Fudge 1.1.1, for tests/fakes/live (the Rust side runs the
same situations, by the same names, in capturemock's fakes and compares the messages).

Prints one JSON object: {name: {"kind": ..., "message": ...}}. The kind is "passed", "unmet"
(AssertionError, and the AttributeError / RuntimeError of a call Fudge does not allow),
"declaration" (FakeDeclarationError) or "raised" (an error the situation declared with
raises(), or one Python raised itself, then named by its type: "raised TypeError").
"""
import json
import sys
import warnings

import fudge
from fudge import FakeDeclarationError
from fudge.inspector import arg, arg_not

warnings.simplefilter("ignore", DeprecationWarning)

SITUATIONS = {}


def situation(f):
    SITUATIONS[f.__name__] = f
    return f


def run(body):
    """Fudge's own test cycle (fudge.test): clear, run, verify; the first failure is kept."""
    fudge.clear_expectations()
    fudge.clear_calls()
    try:
        body()
        fudge.verify()
        return {"kind": "passed", "message": ""}
    except FakeDeclarationError as e:
        return {"kind": "declaration", "message": str(e)}
    except (AssertionError, AttributeError, RuntimeError) as e:
        return {"kind": "unmet", "message": str(e)}
    except Boom as e:
        return {"kind": "raised", "message": str(e)}
    except Exception as e:
        return {"kind": "raised " + type(e).__name__, "message": str(e)}
    finally:
        fudge.clear_expectations()
        fudge.clear_calls()


class Boom(Exception):
    """The error situations declare with raises()."""


class User:
    """An object with attributes, shown as the Rust side's struct is shown by Debug."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        inner = ", ".join('%s: "%s"' % kv for kv in self.__dict__.items())
        return "User { %s }" % inner


def is_valid(v):
    return v in ("active", "deleted")


# --- expected calls that were not made, and call counts ---

@situation
def not_called_method():
    s = fudge.Fake("session").expects("open").expects("close")
    s.open()


@situation
def not_called_callable():
    fudge.Fake("os.remove").expects_call()


@situation
def not_called_first_of_two_fakes():
    fudge.Fake("a").expects("x")
    fudge.Fake("b").expects("y")


@situation
def not_called_second_fake():
    a = fudge.Fake("a").expects("x")
    fudge.Fake("b").expects("y")
    a.x()


@situation
def not_called_with_args():
    fudge.Fake("db").expects("insert").with_args(1, table="users")


@situation
def provides_not_called_passes():
    fudge.Fake("db").provides("insert")


@situation
def expected_and_called_passes():
    db = fudge.Fake("db").expects("insert").with_args(1)
    db.insert(1)


@situation
def times_called_too_many():
    auth = fudge.Fake("auth").provides("login").times_called(1)
    auth.login()
    auth.login()


@situation
def times_called_too_few():
    auth = fudge.Fake("auth").expects("login").times_called(2)
    auth.login()


@situation
def times_called_zero():
    f = fudge.Fake("f").provides("m").times_called(0)
    f.m()


@situation
def times_called_expected_never_called():
    fudge.Fake("auth").expects("login").times_called(2)


@situation
def times_called_provided_never_called():
    fudge.Fake("auth").provides("login").times_called(2)


@situation
def times_called_callable_too_many():
    f = fudge.Fake("f").is_callable().times_called(1)
    f()
    f()


@situation
def times_called_callable_too_few():
    f = fudge.Fake("f").expects_call().times_called(3)
    f()


@situation
def times_called_shows_declared_args():
    f = fudge.Fake("f").provides("m").with_args(1, key="v").times_called(1)
    f.m(1, key="v")
    f.m(1, key="v")


@situation
def times_called_exact_passes():
    f = fudge.Fake("f").expects("m").times_called(2)
    f.m()
    f.m()


# --- with_args ---

@situation
def with_args_int_and_kwarg():
    c = fudge.Fake("counter").expects("increment").with_args(25, table="hits")
    c.increment(24, table="clicks")


@situation
def with_args_missing_kwarg():
    fudge.Fake("f").provides("m").with_args(1, a=2).m(1)


@situation
def with_args_extra_kwarg():
    fudge.Fake("f").provides("m").with_args(1).m(1, a=2)


@situation
def with_args_missing_positional():
    fudge.Fake("f").provides("m").with_args(1, 2).m(1)


@situation
def with_args_extra_positional():
    fudge.Fake("f").provides("m").with_args(1).m(1, 2)


@situation
def with_args_none_given():
    fudge.Fake("f").provides("m").with_args("x").m()


@situation
def with_args_string():
    fudge.Fake("f").provides("greet").with_args("hello").greet("world")


@situation
def with_args_float():
    fudge.Fake("f").provides("m").with_args(1.5).m(2.25)


@situation
def with_args_bool():
    fudge.Fake("f").provides("m").with_args(True).m(False)


@situation
def with_args_none_value():
    fudge.Fake("f").provides("m").with_args(None).m(0)


@situation
def with_args_list():
    fudge.Fake("f").provides("m").with_args([1, 2]).m([1, 3])


@situation
def with_args_list_of_strings():
    fudge.Fake("f").provides("m").with_args(["a", "b"]).m(["a"])


@situation
def with_args_tuple():
    fudge.Fake("f").provides("m").with_args((1, "a")).m((2, "b"))


@situation
def with_args_one_tuple():
    fudge.Fake("f").provides("m").with_args((1,)).m((2,))


@situation
def with_args_nested_list():
    fudge.Fake("f").provides("m").with_args([[1], [2]]).m([[1]])


@situation
def with_args_negative():
    fudge.Fake("f").provides("m").with_args(-1).m(1)


@situation
def with_args_empty_string():
    fudge.Fake("f").provides("m").with_args("").m(" ")


@situation
def with_args_string_with_quote():
    fudge.Fake("f").provides("m").with_args("it's").m("it is")


@situation
def with_args_string_with_newline():
    fudge.Fake("f").provides("m").with_args("a\nb").m("a b")


@situation
def with_args_unicode():
    fudge.Fake("f").provides("m").with_args("café").m("cafe")


@situation
def with_args_long_declared_string():
    fudge.Fake("long").expects("f").with_args("x" * 60).f("y" * 60)


@situation
def with_args_long_declared_list():
    fudge.Fake("long").expects("f").with_args(list(range(30))).f([])


@situation
def with_args_long_declared_kwarg():
    fudge.Fake("long").expects("f").with_args(text="z" * 70).f(text="z")


@situation
def with_args_exactly_fifty():
    fudge.Fake("long").expects("f").with_args("w" * 48).f("w")


@situation
def with_args_fifty_one():
    fudge.Fake("long").expects("f").with_args("w" * 49).f("w")


@situation
def with_args_kwargs_sorted():
    fudge.Fake("f").provides("m").with_args(b=1, a=2, c=3).m(c=1, a=1)


@situation
def with_args_callable():
    q = fudge.Fake("query").expects_call().with_args("a", limit=2)
    q("b", limit=2)


@situation
def with_args_int_equals_float_passes():
    fudge.Fake("f").expects("m").with_args(1).m(1.0)


@situation
def with_args_kwargs_only():
    fudge.Fake("f").provides("m").with_args(name="Joe").m(name="Jim")


@situation
def with_args_matches_passes():
    fudge.Fake("f").expects("m").with_args(1, "a", k=[1]).m(1, "a", k=[1])


# --- with_matching_args ---

@situation
def matching_args_positional():
    db = fudge.Fake("db").expects("transaction").with_matching_args("insert")
    db.transaction("update", isolation_level="lock")


@situation
def matching_args_kwarg_shows_only_it():
    db = fudge.Fake("db").expects("transaction").with_matching_args("insert", retry=True)
    db.transaction("insert", retry=False)


@situation
def matching_args_absent_kwarg_passes():
    db = fudge.Fake("db").expects("transaction").with_matching_args("insert", retry=True)
    db.transaction("insert")


@situation
def matching_args_other_kwargs_pass():
    db = fudge.Fake("db").expects("transaction").with_matching_args("insert")
    db.transaction("insert", isolation_level="lock")


@situation
def matching_args_extra_positional():
    fudge.Fake("db").provides("t").with_matching_args("a").t("a", "b")


@situation
def matching_args_kwargs_before_positional():
    fudge.Fake("db").provides("t").with_matching_args(1, k=1).t(2, k=2)


# --- without_args ---

@situation
def without_args_arg():
    q = fudge.Fake("query").expects_call().without_args("http://example.com", name="Steve")
    q("http://example.com")


@situation
def without_args_kwarg():
    q = fudge.Fake("query").expects_call().without_args("http://example.com", name="Steve")
    q(name="Steve")


@situation
def without_args_passes():
    q = fudge.Fake("query").expects_call().without_args("http://example.com", name="Steve")
    q("http://python.org", name="Joe")


@situation
def without_args_int():
    fudge.Fake("f").provides("m").without_args(5).m(4, 5)


@situation
def without_args_kwarg_int():
    fudge.Fake("f").provides("m").without_args(n=5).m(n=5)


@situation
def without_args_kwargs_before_args():
    fudge.Fake("f").provides("m").without_args(5, k=1).m(5, k=1)


# --- argument counts ---

@situation
def arg_count():
    fudge.Fake("auth").provides("login").with_arg_count(2).login("joe_user")


@situation
def kwarg_count():
    fudge.Fake("auth").provides("login").with_kwarg_count(2).login(username="joe")


@situation
def arg_count_means_no_kwargs():
    fudge.Fake("f").provides("m").with_arg_count(1).m(1, a=2)


@situation
def kwarg_count_means_no_args():
    fudge.Fake("f").provides("m").with_kwarg_count(1).m(1, a=2)


@situation
def arg_count_zero():
    fudge.Fake("f").provides("m").with_arg_count(0).m(1, 2, 3)


@situation
def arg_count_on_callable():
    fudge.Fake("f").is_callable().with_arg_count(1)()


# --- argument inspectors ---

@situation
def any_passes():
    fudge.Fake("f").expects("m").with_args(arg.any(), k=arg.any()).m([1], k=None)


@situation
def not_any():
    fudge.Fake("query").expects_call().with_args(arg_not.any())("asdf")


@situation
def not_any_without_args():
    fudge.Fake("query").expects_call().with_args(arg_not.any())()


@situation
def contains_string():
    p = fudge.Fake("colorpicker").expects("select").with_args(arg.contains("red"))
    p.select("blue-green")


@situation
def contains_list():
    fudge.Fake("f").provides("m").with_args(arg.contains(3)).m([1, 2])


@situation
def contains_passes():
    fudge.Fake("f").expects("m").with_args(arg.contains("ee"), arg.contains(2)).m("green", [1, 2])


@situation
def not_contains():
    p = fudge.Fake("colorpicker").expects("select").with_args(arg_not.contains("blue"))
    p.select(["red", "blue", "green"])


@situation
def startswith_string():
    fudge.Fake("keychain").provides("accept_key").with_args(arg.startswith("_key")).accept_key("key")


@situation
def endswith_string():
    fudge.Fake("counter").provides("inc").with_args(table=arg.endswith("hits")).inc(table="clicks")


@situation
def startswith_number_passes():
    fudge.Fake("f").expects("m").with_args(arg.startswith("12")).m(1234)


@situation
def startswith_number():
    fudge.Fake("f").provides("m").with_args(arg.startswith("12")).m(345)


@situation
def endswith_bool():
    fudge.Fake("f").provides("m").with_args(arg.endswith("ue")).m(False)


@situation
def not_startswith():
    fudge.Fake("query").expects_call().with_args(arg_not.startswith("asdf"))("asdfg")


@situation
def not_endswith():
    fudge.Fake("query").expects_call().with_args(arg_not.endswith("fg"))("asdfg")


@situation
def has_attr_missing():
    db = fudge.Fake("db").expects("update").with_args(arg.has_attr(first_name="Bob", last_name="James"))
    db.update(User(first_name="Bob"))


@situation
def has_attr_wrong_value():
    db = fudge.Fake("db").expects("update").with_args(arg.has_attr(first_name="Bob"))
    db.update(User(first_name="Jim"))


@situation
def has_attr_passes():
    db = fudge.Fake("db").expects("update").with_args(arg.has_attr(first_name="Bob"))
    db.update(User(first_name="Bob", last_name="James"))


@situation
def has_attr_keys_sorted():
    db = fudge.Fake("db").provides("update").with_args(arg.has_attr(b="1", a1="2", a="3"))
    db.update(User(a="3"))


@situation
def not_has_attr():
    db = fudge.Fake("db").provides("update").with_args(arg_not.has_attr(first_name="Bob"))
    db.update(User(first_name="Bob"))


@situation
def passes_test_fails():
    s = fudge.Fake("system").expects("set_status").with_args(arg.passes_test(is_valid))
    s.set_status("sleep")


@situation
def not_passes_test():
    s = fudge.Fake("system").expects("set_status").with_args(arg_not.passes_test(is_valid))
    s.set_status("active")


@situation
def isinstance_str():
    s = fudge.Fake("system").expects("set_status").with_args(arg.isinstance(str))
    s.set_status(31337)


@situation
def isinstance_int():
    fudge.Fake("f").provides("m").with_args(arg.isinstance(int)).m(1.5)


@situation
def isinstance_several():
    fudge.Fake("f").provides("m").with_args(arg.isinstance((int, str))).m(1.5)


@situation
def isinstance_several_passes():
    fudge.Fake("f").expects("m").with_args(arg.isinstance((int, str))).m("x")


@situation
def isinstance_one_in_a_tuple():
    fudge.Fake("f").provides("m").with_args(arg.isinstance((int,))).m(1.5)


@situation
def not_isinstance():
    fudge.Fake("f").provides("m").with_args(arg_not.isinstance(str)).m("x")


@situation
def not_isinstance_several():
    fudge.Fake("f").provides("m").with_args(arg_not.isinstance((int, float))).m(2)


@situation
def arg_not_value():
    q = fudge.Fake("query").expects_call().with_args(arg.any(), arg_not("foobar"))
    q("asdf", "foobar")


@situation
def arg_not_value_passes():
    q = fudge.Fake("query").expects_call().with_args(arg.any(), arg_not("foobar"))
    q([1, 2, 3], "asdf")


@situation
def inspector_long_part():
    fudge.Fake("f").provides("m").with_args(arg.contains("x" * 60)).m("y")


@situation
def inspector_in_matching_args():
    fudge.Fake("f").provides("m").with_matching_args(arg.startswith("a")).m("b", k=1)


# --- remembered order ---

@situation
def order_call_was():
    db = fudge.Fake("db").remember_order().expects("insert").expects("update")
    db.update()


@situation
def order_only_one_call():
    db = fudge.Fake("db").remember_order().expects("insert").expects("update")
    db.insert()


@situation
def order_only_two_calls():
    db = fudge.Fake("db").remember_order().expects("a").expects("b").expects("c")
    db.a()
    db.b()


@situation
def order_unexpected_extra_call():
    db = fudge.Fake("db").remember_order().expects("insert").expects("update")
    db.insert()
    db.update()
    db.insert()


@situation
def order_no_calls():
    fudge.Fake("db").remember_order().expects("insert").expects("update")


@situation
def order_wrong_second():
    db = fudge.Fake("db").remember_order().expects("a").expects("b").expects("c")
    db.a()
    db.c()


@situation
def order_provided_call_not_in_order():
    db = fudge.Fake("db").remember_order().expects("a").provides("b").expects("c")
    db.b()
    db.a()
    db.c()
    db.b()


@situation
def order_with_args_shown():
    db = fudge.Fake("db").remember_order().expects("a").with_args(1).expects("b").with_args("x")
    db.b("x")


@situation
def order_next_call_each_in_order():
    db = fudge.Fake("db").remember_order().expects("get").returns(1).expects("set").next_call(for_method="get")
    db.get()
    db.get()


@situation
def order_kept_passes():
    db = fudge.Fake("db").remember_order().expects("a").expects("b")
    db.a()
    db.b()


@situation
def order_two_fakes():
    a = fudge.Fake("a").remember_order().expects("x").expects("y")
    b = fudge.Fake("b").remember_order().expects("x").expects("y")
    a.x()
    a.y()
    b.y()


@situation
def order_declared_before_remember():
    db = fudge.Fake("db").expects("a").remember_order().expects("b").expects("c")
    db.c()


@situation
def order_same_method_twice():
    db = fudge.Fake("db").remember_order().expects("a").expects("b").expects("a")
    db.a()
    db.a()


# --- call sequences (next_call) ---

@situation
def sequence_exhausted():
    f = fudge.Fake("f").provides("status").returns("Awake!").next_call().returns("Asleep")
    f.status()
    f.status()
    f.status()


@situation
def sequence_position_first():
    p = (fudge.Fake("colorpicker").expects("select").with_args(arg.contains("red"))
         .next_call().with_args(arg_not.contains("blue")))
    p.select("blue-green")


@situation
def sequence_position_second():
    p = (fudge.Fake("colorpicker").expects("select").with_args(arg.contains("red"))
         .next_call().with_args(arg_not.contains("blue")))
    p.select("red")
    p.select(["red", "blue", "green"])


@situation
def sequence_next_call_for():
    s = (fudge.Fake("session").provides("get_count").returns(1)
         .provides("set_count").with_args(5).next_call(for_method="get_count").returns(5))
    s.get_count()
    s.set_count(4)


@situation
def sequence_expected_not_called():
    fudge.Fake("f").expects("a").next_call()


@situation
def sequence_expected_called_once_of_two():
    f = fudge.Fake("f").expects("a").next_call()
    f.a()


@situation
def sequence_callable_exhausted():
    q = fudge.Fake("q").is_callable().next_call()
    q()
    q()
    q()


@situation
def sequence_three_with_args():
    f = fudge.Fake("f").provides("m").with_args(1).next_call().with_args(2).next_call().with_args(3)
    f.m(1)
    f.m(2)
    f.m(4)


@situation
def sequence_clear_calls_starts_over():
    f = fudge.Fake("f").provides("n").returns(1).next_call().returns(2)
    f.n()
    f.n()
    fudge.clear_calls()
    f.n()
    f.n()
    f.n()


# --- calls and attributes the fake does not allow ---

@situation
def attribute_not_allowed():
    fudge.Fake("session").x


@situation
def method_not_allowed():
    fudge.Fake("session").provides("open").close()


@situation
def not_callable():
    fudge.Fake("f")()


@situation
def attribute_missing_beside_others():
    fudge.Fake("user").has_attr(name="x").age


@situation
def stub_allows_anything():
    st = fudge.Fake("st").is_a_stub()
    st.foo()
    st.bar.baz


@situation
def returned_fake_not_called():
    fudge.Fake("session").provides("query").returns_fake().expects("one")


@situation
def returned_fake_wrong_args():
    s = fudge.Fake("session")
    s.provides("query").returns_fake().expects("filter").with_args(name="x")
    s.query().filter(name="y")


@situation
def returned_fake_not_allowed():
    s = fudge.Fake("session")
    s.provides("query").returns_fake().provides("one")
    s.query().all()


@situation
def constructor_then_not_called():
    user = fudge.Fake("User").provides("__init__").expects("save")
    user()


@situation
def expects_call_with_args():
    fudge.Fake("os.remove").expects_call().with_args("a")("b")


# --- declaration mistakes ---

@situation
def declare_returns_before_call():
    fudge.Fake("s").returns(1)


@situation
def declare_with_args_before_call():
    fudge.Fake("s").with_args(1)


@situation
def declare_raises_before_call():
    fudge.Fake("s").raises(Boom("x"))


@situation
def declare_times_called_before_call():
    fudge.Fake("s").times_called(1)


@situation
def declare_arg_count_before_call():
    fudge.Fake("s").with_arg_count(1)


@situation
def declare_next_call_before_call():
    fudge.Fake("s").next_call()


@situation
def declare_next_call_for_unknown():
    fudge.Fake("s").provides("a").next_call(for_method="zz")


@situation
def declare_next_call_with_times_called():
    fudge.Fake("s").expects("a").times_called(2).next_call()


@situation
def declare_times_called_with_next_call():
    fudge.Fake("s").expects("a").next_call().times_called(2)


@situation
def declare_remember_order_on_is_callable():
    fudge.Fake("s").is_callable().remember_order()


@situation
def declare_remember_order_on_expects_call():
    fudge.Fake("s").expects_call().remember_order()


# --- which check runs first ---

@situation
def first_count_then_args():
    f = fudge.Fake("f").provides("m").with_args(1).times_called(1)
    f.m(1)
    f.m(2)


@situation
def first_args_then_arg_count():
    fudge.Fake("f").provides("m").with_args(1).with_arg_count(2).m(2)


@situation
def first_matching_args_then_arg_count():
    fudge.Fake("f").provides("m").with_matching_args(1).with_arg_count(2).m(2)


@situation
def first_arg_count_then_without_args():
    fudge.Fake("f").provides("m").with_arg_count(1).without_args(5).m(5, 6)


@situation
def first_kwarg_count_then_without_kwargs():
    fudge.Fake("f").provides("m").with_kwarg_count(2).without_args(k=1).m(k=1)


@situation
def first_args_then_raises():
    fudge.Fake("f").provides("m").with_args(1).raises(Boom("boom")).m(2)


@situation
def raises_after_checks_pass():
    fudge.Fake("f").provides("m").with_args(1).raises(Boom("boom")).m(1)


@situation
def first_order_then_count():
    db = fudge.Fake("db").remember_order().expects("a").times_called(1).expects("b")
    db.b()


@situation
def first_count_then_order_at_call():
    db = fudge.Fake("db").remember_order().expects("a").times_called(1).expects("b")
    db.a()
    db.a()


@situation
def first_not_called_then_order_at_verify():
    db = fudge.Fake("db").remember_order().expects("a").expects("b")
    fudge.Fake("other").expects("c")
    db.a()


@situation
def first_times_then_order_at_verify():
    db = fudge.Fake("db").remember_order().expects("a").times_called(2).expects("b")
    db.a()
    db.b()


@situation
def verify_order_across_fakes():
    fudge.Fake("z").expects("last")
    fudge.Fake("a").expects("first")


@situation
def any_value_deprecated_spelling():
    fudge.Fake("f").provides("m").with_args(arg.any_value()).m()


@situation
def has_attr_on_a_number():
    fudge.Fake("db").provides("update").with_args(arg.has_attr(first_name="Bob")).update(5)


@situation
def with_args_empty_checks_nothing():
    fudge.Fake("f").expects("m").with_args().m(1, k=2)


@situation
def times_called_zero_expected_not_called():
    fudge.Fake("f").expects("m").times_called(0)


@situation
def stub_is_callable():
    st = fudge.Fake("st").is_a_stub()
    st().anything()


@situation
def without_args_list_value():
    fudge.Fake("f").provides("m").without_args([1, 2]).m([1, 2])


@situation
def sequence_with_expects_again():
    db = fudge.Fake("db").expects("get").with_args(1).expects("get").with_args(2)
    db.get(1)
    db.get(3)


# --- the documented differences (docs/fakes.md, "Fudge behaviours not reproduced") ---

@situation
def differs_isinstance_int_and_bool():
    fudge.Fake("f").expects("m").with_args(arg.isinstance(int)).m(True)


@situation
def differs_int_equals_bool():
    fudge.Fake("f").expects("m").with_args(1).m(True)


@situation
def differs_contains_on_a_number():
    fudge.Fake("f").provides("m").with_args(arg.contains(1)).m(5)


@situation
def differs_callable_after_remember_order():
    f = fudge.Fake("f").remember_order().expects("a").expects_call()
    f.a()
    f()


@situation
def differs_callable_sequence_label():
    q = fudge.Fake("q").is_callable().with_args(1).next_call().with_args(2)
    q(1)
    q(3)


@situation
def differs_times_called_after_next_call_on_callable():
    q = fudge.Fake("q").is_callable().next_call().times_called(2)
    q()


@situation
def differs_startswith_on_a_list():
    fudge.Fake("f").expects("m").with_args(arg.startswith("[1")).m([1, 2])


@situation
def differs_calls_runs_after_the_checks():
    def side_effect(*args, **kwargs):
        raise Boom("calls() ran")
    fudge.Fake("f").provides("m").with_args(1).calls(side_effect).m(2)


@situation
def differs_clear_calls_forgets_counts():
    f = fudge.Fake("f").provides("m").times_called(1)
    f.m()
    fudge.clear_calls()
    f.m()


@situation
def differs_startswith_on_a_float():
    fudge.Fake("f").expects("m").with_args(arg.startswith("1.")).m(1.5)


@situation
def differs_calling_a_plain_attribute():
    fudge.Fake("user").has_attr(name="Harry").name()


if __name__ == "__main__":
    out = {name: run(body) for name, body in SITUATIONS.items()}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()
