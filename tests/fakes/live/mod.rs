//! Fudge itself against our fakes (issue 17): `situations.py` runs a set of failure situations
//! in the real Fudge 1.1.1, `situations.rs` runs the same ones (by name) in capturemock's
//! fakes, and every message must be the same: word for word, or equal once [`normalise`]
//! takes out the differences that docs/fakes.md documents, or one of the [`DIVERGENT`]
//! situations, where both sides must say exactly what docs/fakes.md says they say. Anything
//! else fails. This, not a transcription of Fudge's documentation, is the proof of "word for
//! word".
//!
//! Fudge runs in the Python of `CAPTUREMOCK_FUDGE_PYTHON`, else in `target/fudge-venv`
//! (which `.ci/run` makes), else in `python3`. Without Fudge the test is skipped, unless
//! `CAPTUREMOCK_REQUIRE_REFERENCE` is set (as scripts/test-all.sh does): then it fails.

mod situations;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;

use capturemock::fake::{self, Fake, FakeError};

/// How a situation ended, on either side.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ending {
    /// `passed`, `unmet`, `declaration`, `raised` (the situation's declared error), or
    /// `raised <Python type>` for an error Python raised itself.
    kind: String,
    /// The failure's message; empty when the situation passed.
    message: String,
}

impl Ending {
    fn new(kind: &str, message: &str) -> Ending {
        Ending {
            kind: kind.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// A difference docs/fakes.md documents as a behaviour we chose not to reproduce.
struct Divergent {
    /// The situation.
    name: &'static str,
    /// What Fudge does (checked, so that the documentation stays true of Fudge).
    fudge: (&'static str, &'static str),
    /// What our fakes do.
    ours: (&'static str, &'static str),
    /// Words of docs/fakes.md that document it (checked to be there).
    documented: &'static str,
}

/// The situations where we differ from Fudge on purpose, each with its entry in docs/fakes.md.
const DIVERGENT: &[Divergent] = &[
    Divergent {
        name: "differs_isinstance_int_and_bool",
        fudge: ("passed", ""),
        ours: (
            "unmet",
            "fake:f.m(arg.isinstance(\"int\")) was called unexpectedly with args (true)",
        ),
        documented: "`arg::isinstance(ValueKind::Int)` does not accept a `bool`",
    },
    Divergent {
        name: "differs_int_equals_bool",
        fudge: ("passed", ""),
        ours: (
            "unmet",
            "fake:f.m(1) was called unexpectedly with args (true)",
        ),
        documented: "a declared `1` does not equal `true`",
    },
    Divergent {
        name: "differs_contains_on_a_number",
        fudge: ("raised TypeError", "argument of type 'int' is not iterable"),
        ours: (
            "unmet",
            "fake:f.m(arg.contains(1)) was called unexpectedly with args (5)",
        ),
        documented: "`arg::contains` on a value that is not a container does not match",
    },
    Divergent {
        name: "differs_callable_after_remember_order",
        fudge: (
            "unmet",
            "Only 1 call was made; Expected: #1 fake:f.a(), #2 fake:f(), end",
        ),
        ours: ("passed", ""),
        documented: "A callable declared after `remember_order()` is not part of the order",
    },
    Divergent {
        name: "differs_callable_sequence_label",
        fudge: (
            "unmet",
            "fake:q.q(2)[1] was called unexpectedly with args (3)",
        ),
        ours: (
            "unmet",
            "fake:q(2)[1] was called unexpectedly with args (3)",
        ),
        documented: "A callable's calls added by `next_call()` are shown as `fake:q(2)[1]`",
    },
    Divergent {
        name: "differs_times_called_after_next_call_on_callable",
        fudge: ("passed", ""),
        ours: (
            "declaration",
            "fake:q: Cannot use times_called() in combination with next_call()",
        ),
        documented: "`times_called()` after `next_call()` is a declaration error for callables",
    },
    Divergent {
        name: "differs_startswith_on_a_list",
        fudge: ("passed", ""),
        ours: (
            "unmet",
            "fake:f.m(arg.startswith(\"[1\")) was called unexpectedly with args ([1, 2])",
        ),
        documented: "on lists, structs and floats, where Fudge would test `str(value)`",
    },
    Divergent {
        name: "differs_calls_runs_after_the_checks",
        fudge: ("raised", "calls() ran"),
        ours: ("unmet", "fake:f.m(1) was called unexpectedly with args (2)"),
        documented: "A `calls()` function runs only once the call passed its argument checks",
    },
    Divergent {
        name: "differs_clear_calls_forgets_counts",
        fudge: ("unmet", "fake:f.m() was called 2 time(s). Expected 1."),
        ours: ("passed", ""),
        documented: "`clear_calls()` (and so `verify()`) forgets call counts too",
    },
    Divergent {
        name: "differs_startswith_on_a_float",
        fudge: ("passed", ""),
        ours: (
            "unmet",
            "fake:f.m(arg.startswith(\"1.\")) was called unexpectedly with args (1.5)",
        ),
        documented: "on lists, structs and floats, where Fudge would test `str(value)`",
    },
    Divergent {
        name: "differs_calling_a_plain_attribute",
        fudge: ("raised TypeError", "'str' object is not callable"),
        ours: (
            "unmet",
            "fake:user attribute 'name' holds a value and cannot be called",
        ),
        documented: "Calling an attribute that holds a plain value fails with our own message",
    },
];

/// One rule of [`normalise`]: its name (in the counts) and the words of docs/fakes.md that
/// document the difference it takes out (checked to be there).
struct Rule {
    name: &'static str,
    documented: &'static str,
    apply: fn(&str) -> String,
}

/// The rules, applied in this order to both sides' messages (API names first: they contain
/// Python's `True`).
const RULES: &[Rule] = &[
    Rule {
        name: "this library's API names",
        documented: "Messages name this library's API",
        apply: api_names,
    },
    Rule {
        name: "strings and booleans as Rust's Debug shows them",
        documented: "Python's `'text'`, `True` and `False` are Rust's `\"text\"`, `true` and `false`",
        apply: python_literals,
    },
    Rule {
        name: "str() values shown as Debug",
        documented: "also where Fudge uses `str()`: `with arg \"http://example.com\"`, `arg_not(\"foobar\")`",
        apply: str_shown_values,
    },
    Rule {
        name: "a function shown without its address",
        documented: "`arg.passes_test(<function is_valid>)` has no address",
        apply: function_address,
    },
    Rule {
        name: "declaration mistakes name the fake",
        documented: "In std it panics with `fake:<name>: <what is wrong>`",
        apply: declaration_prefix,
    },
];

/// Both sides' messages through every rule; the names of the rules that changed either.
fn normalise(fudge: &str, ours: &str) -> (String, String, Vec<&'static str>) {
    let (mut a, mut b) = (fudge.to_owned(), ours.to_owned());
    let mut used = Vec::new();
    for rule in RULES {
        let (na, nb) = ((rule.apply)(&a), (rule.apply)(&b));
        if na != a || nb != b {
            used.push(rule.name);
        }
        (a, b) = (na, nb);
    }
    (a, b, used)
}

/// `'text'` (a Python string's repr) becomes `"text"`; `True` / `False` become `true` /
/// `false`. Double-quoted strings (Python's repr of a text with a `'`, Rust's Debug) are
/// left as they are.
fn python_literals(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '"' => {
                // Copy a double-quoted string whole, escapes included.
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                let end = (i + 1).min(chars.len());
                out.extend(&chars[start..end]);
                i = end;
            }
            '\'' => {
                let rest = &chars[i + 1..];
                let close = rest.iter().position(|&c| c == '\'');
                // Fudge's 50-character cut can take a string's closing quote away:
                // `'xxx...)`. Such a string ends at its `...`.
                let cut = rest.windows(3).position(|w| w == ['.', '.', '.']);
                match (close, cut) {
                    (Some(len), cut)
                        if cut.is_none_or(|c| c + 3 >= len) && !rest[..len].contains(&'"') =>
                    {
                        out.push('"');
                        out.extend(&rest[..len]);
                        out.push('"');
                        i += len + 2;
                    }
                    (_, Some(len)) => {
                        out.push('"');
                        out.extend(&rest[..len + 3]);
                        i += len + 4;
                    }
                    _ => {
                        out.push('\'');
                        i += 1;
                    }
                }
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                out.push_str(match word.as_str() {
                    "True" => "true",
                    "False" => "false",
                    other => other,
                });
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Fudge shows `str(value)` (no quotes) in `arg_not(...)`, `with arg ...` and
/// `with kwarg name=...`; we show `Debug`. The quotes of a string there go.
fn str_shown_values(s: &str) -> String {
    let mut out = s.to_owned();
    for (open, close) in [("arg_not(\"", "\")"), (" with arg \"", "\""), ("=\"", "\"")] {
        if open == "=\"" && !out.contains(" with kwarg ") {
            continue;
        }
        if let Some(start) = out.find(open) {
            let after = start + open.len();
            if let Some(len) = out[after..].find(close) {
                let inner = out[after..after + len].to_owned();
                let kept_open = &open[..open.len() - 1];
                let kept_close = &close[1..];
                out = format!(
                    "{}{kept_open}{inner}{kept_close}{}",
                    &out[..start],
                    &out[after + len + close.len()..]
                );
            }
        }
    }
    out
}

/// `<function is_valid at 0x7f...>` (possibly cut short by Fudge's 50 characters, as
/// `<function is_valid at 0x7fb0c8...`) becomes `<function is_valid>`.
fn function_address(s: &str) -> String {
    let Some(start) = s.find("<function ") else {
        return s.to_owned();
    };
    let name_start = start + "<function ".len();
    let name_len = s[name_start..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len() - name_start);
    let name_end = name_start + name_len;
    let rest = &s[name_end..];
    let Some(address) = rest.strip_prefix(" at 0x") else {
        return s.to_owned();
    };
    let hex = address.trim_start_matches(|c: char| c.is_ascii_hexdigit());
    let hex = hex.strip_prefix("...").unwrap_or(hex);
    let hex = hex.strip_prefix('>').unwrap_or(hex);
    format!(
        "{}<function {}>{hex}",
        &s[..start],
        &s[name_start..name_end]
    )
}

/// Fudge's API names in its messages, as ours.
fn api_names(s: &str) -> String {
    s.replace("fudge.clear_calls()", "fake::clear_calls()")
        .replace("next_call(for_method=", "next_call_for(")
        .replace(
            "Fake(callable=True) or Fake(expect_call=True)",
            "Fake.is_callable() or Fake.expects_call()",
        )
}

/// Our declaration mistakes start with the fake's name, `fake:s: `; Fudge's traceback
/// points at the declaration instead.
fn declaration_prefix(s: &str) -> String {
    if let Some(rest) = s.strip_prefix("fake:") {
        if let Some((name, message)) = rest.split_once(": ") {
            if !name.contains(' ') {
                return message.to_owned();
            }
        }
    }
    s.to_owned()
}

/// The Python that has Fudge: see the module's documentation.
fn fudge_python() -> PathBuf {
    if let Some(p) = std::env::var_os("CAPTUREMOCK_FUDGE_PYTHON") {
        return p.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fudge-venv/bin/python");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}

/// Fudge's endings of every situation, or `None` when Fudge is not installed (which
/// `CAPTUREMOCK_REQUIRE_REFERENCE` turns into a failure).
fn run_fudge() -> Option<BTreeMap<String, Ending>> {
    let python = fudge_python();
    let check = Command::new(&python)
        .args([
            "-c",
            "import fudge; assert fudge.__version__ == '1.1.1', fudge.__version__",
        ])
        .output();
    let usable = check.as_ref().is_ok_and(|o| o.status.success());
    if !usable {
        let why = match &check {
            Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
            Err(e) => e.to_string(),
        };
        assert!(
            std::env::var_os("CAPTUREMOCK_REQUIRE_REFERENCE").is_none(),
            "CAPTUREMOCK_REQUIRE_REFERENCE is set but {} cannot import Fudge 1.1.1 \
             (.ci/run installs it): {why}",
            python.display()
        );
        eprintln!("note: Fudge 1.1.1 is not installed; the live comparison is skipped");
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fakes/live/situations.py");
    let output = Command::new(&python)
        .arg(&script)
        .output()
        .expect("run situations.py");
    assert!(
        output.status.success(),
        "situations.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let endings = json
        .as_object()
        .expect("an object")
        .iter()
        .map(|(name, e)| {
            let field = |f: &str| e[f].as_str().expect("a string").to_owned();
            let ending = Ending {
                kind: field("kind"),
                message: field("message"),
            };
            (name.clone(), ending)
        })
        .collect();
    Some(endings)
}

/// Runs one of our situations as `run` in situations.py runs Fudge's: from a clean registry,
/// then verification; the first failure is kept.
fn run_ours(body: fn() -> situations::Outcome) -> Ending {
    fake::clear_expectations();
    fake::clear_calls();
    // Keeps the thread's fakes from verifying themselves when the situation's are dropped.
    let keeper = Fake::new("keeper");
    let result = catch_unwind(AssertUnwindSafe(|| {
        body().and_then(|()| fake::try_verify())
    }));
    fake::clear_expectations();
    fake::clear_calls();
    drop(keeper);
    match result {
        Ok(Ok(())) => Ending::new("passed", ""),
        Ok(Err(FakeError::Unmet(m))) => Ending::new("unmet", &m),
        Ok(Err(FakeError::Declaration(m))) => Ending::new("declaration", &m),
        Ok(Err(other)) => panic!("a failure of a new kind: {other:?}"),
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            // A declaration refused panics with the fake's name first; a declared error
            // read with get() panics with its own text.
            let declaration = message
                .strip_prefix("fake:")
                .and_then(|rest| rest.split_once(": "))
                .is_some_and(|(name, _)| !name.contains(' '));
            Ending::new(if declaration { "declaration" } else { "raised" }, &message)
        }
    }
}

#[test]
fn every_situation_ends_as_in_fudge() {
    let Some(fudge) = run_fudge() else {
        return;
    };
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/fakes.md"))
        .expect("docs/fakes.md");
    let docs = docs.split_whitespace().collect::<Vec<_>>().join(" ");
    let ours: BTreeMap<&str, Ending> = situations::all()
        .into_iter()
        .map(|(name, body)| (name, run_ours(body)))
        .collect();
    let fudge_names: Vec<&str> = fudge.keys().map(String::as_str).collect();
    let our_names: Vec<&str> = ours.keys().copied().collect();
    assert_eq!(
        fudge_names, our_names,
        "the two sides run different situations"
    );

    let mut identical = 0;
    let mut normalised: BTreeMap<&str, usize> = BTreeMap::new();
    let mut normalised_total = 0;
    let mut problems = Vec::new();
    for (name, theirs) in &fudge {
        let mine = &ours[name.as_str()];
        if let Some(d) = DIVERGENT.iter().find(|d| d.name == name) {
            if !docs.contains(d.documented) {
                problems.push(format!("{name}: docs/fakes.md lacks {:?}", d.documented));
            }
            let expected_fudge = Ending::new(d.fudge.0, d.fudge.1);
            let expected_ours = Ending::new(d.ours.0, d.ours.1);
            if *theirs != expected_fudge {
                problems.push(format!(
                    "{name}: Fudge now says {theirs:?}, docs say {expected_fudge:?}"
                ));
            }
            if *mine != expected_ours {
                problems.push(format!(
                    "{name}: we now say {mine:?}, docs say {expected_ours:?}"
                ));
            }
            continue;
        }
        if theirs == mine {
            identical += 1;
            continue;
        }
        let (a, b, used) = normalise(&theirs.message, &mine.message);
        if theirs.kind == mine.kind && a == b {
            normalised_total += 1;
            for rule in used {
                *normalised.entry(rule).or_default() += 1;
            }
        } else {
            problems.push(format!(
                "{name}:\n  Fudge: {theirs:?}\n  ours:  {mine:?}\n  normalised: {a:?}\n          vs  {b:?}"
            ));
        }
    }
    for rule in RULES {
        if !docs.contains(rule.documented) {
            problems.push(format!(
                "rule {:?}: docs/fakes.md lacks {:?}",
                rule.name, rule.documented
            ));
        }
        if !normalised.contains_key(rule.name) {
            problems.push(format!("rule {:?} was never needed: remove it", rule.name));
        }
    }
    eprintln!(
        "Fudge 1.1.1 vs our fakes: {} situations, {identical} identical, {normalised_total} \
         equal once normalised ({normalised:?}), {} documented differences",
        fudge.len(),
        DIVERGENT.len()
    );
    let counted = format!(
        "runs {} situations (every declaration, inspector, count, order and sequence message, \
         the declaration mistakes, and which check runs first when several fail) in the real \
         Fudge 1.1.1 (`tests/fakes/live/situations.py`) and in these fakes, and compares what \
         each one ends with. {identical} are identical; {normalised_total} are equal once the \
         differences below are taken out, by one normalisation applied to both sides; {} are \
         the deliberate differences",
        fudge.len(),
        DIVERGENT.len()
    );
    if !docs.contains(&counted) {
        problems.push(format!(
            "docs/fakes.md does not give these counts: {counted:?}"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} unexplained differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(fudge.len() >= 100, "only {} situations", fudge.len());
    assert_eq!(identical + normalised_total + DIVERGENT.len(), fudge.len());
}

#[test]
fn the_rules_change_what_they_document_and_nothing_else() {
    let (a, b, used) = normalise(
        "fake:f.m('a', \"it's\", True) was called unexpectedly with args ('b')",
        "fake:f.m(\"a\", \"it's\", true) was called unexpectedly with args (\"b\")",
    );
    assert_eq!(a, b);
    assert_eq!(used, ["strings and booleans as Rust's Debug shows them"]);
    assert_eq!(
        python_literals("m(arg.contains('xxx...)) was called unexpectedly with args ('y')"),
        "m(arg.contains(\"xxx...)) was called unexpectedly with args (\"y\")"
    );
    assert_eq!(
        python_literals("f('xxx...') or ('y')"),
        "f(\"xxx...\") or (\"y\")"
    );
    assert_eq!(
        str_shown_values("fake:q() was called unexpectedly with arg \"x\""),
        "fake:q() was called unexpectedly with arg x"
    );
    assert_eq!(
        str_shown_values("fake:q() was called unexpectedly with kwarg name=\"x\""),
        "fake:q() was called unexpectedly with kwarg name=x"
    );
    assert_eq!(
        str_shown_values("fake:q(arg_not(\"x\"))"),
        "fake:q(arg_not(x))"
    );
    assert_eq!(
        str_shown_values("fake:q(a=\"x\") was not called"),
        "fake:q(a=\"x\") was not called"
    );
    assert_eq!(
        function_address("m(arg.passes_test(<function is_valid at 0x7fb0c8...)) was"),
        "m(arg.passes_test(<function is_valid>)) was"
    );
    assert_eq!(function_address("m(<function f>)"), "m(<function f>)");
    assert_eq!(declaration_prefix("fake:s: Cannot use"), "Cannot use");
    assert_eq!(
        declaration_prefix("fake:s.m() was called 2 time(s). Expected 1."),
        "fake:s.m() was called 2 time(s). Expected 1."
    );
    // A difference no rule explains stays a difference.
    let (a, b, _) = normalise("fake:f.m(1) was not called", "fake:f.m(2) was not called");
    assert_ne!(a, b);
}
