//! Runs one [`Scenario`] under our binary and under the reference, side by side, and compares
//! what the client printed, the exit status and the record file of every step.

use std::path::Path;
use std::thread;

use crate::server::harness::{
    ours_with_env, read, reference_with_env, scratch, with_client, with_concurrent, write,
    RealServer, Run,
};

/// One end-to-end scenario: settings, a client, and what to expect. Build it from
/// [`Scenario::DEFAULT`] with struct update syntax.
///
/// Texts may contain `{server}`: the address of a real classic server (Python, replying
/// `reply to <text>` and a newline), started for scenarios that use it.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// rc files, written as `1.rc`, `2.rc`, ... and passed as `-R 1.rc,2.rc` (none: no `-R`;
    /// `HOME` is the scratch directory, so no personal config either).
    pub rc: &'static [&'static str],
    /// The replay file.
    pub replay: Replay,
    /// `-m`.
    pub mode: &'static str,
    /// The program: the harness's Python client with these messages.
    pub client: Client,
    /// A second step: replay the first step's record file (each implementation its own) with
    /// `-m 0`, the same rc files, and this client.
    pub then_replay: Option<Client>,
    /// Extra environment variables for both steps.
    pub env: &'static [(&'static str, &'static str)],
    /// What must hold.
    pub expect: Expect,
    /// When given, our record file of the first step (masked) must be exactly this: pins
    /// what both implementations agree on where agreeing is not enough.
    pub record_file: Option<&'static str>,
}

impl Scenario {
    /// Record mode, no rc file, no replay file, no client messages, identical.
    pub const DEFAULT: Scenario = Scenario {
        rc: &[],
        replay: Replay::None,
        mode: "1",
        client: Client::Sequence(&[]),
        then_replay: None,
        env: &[],
        expect: Expect::Identical,
        record_file: None,
    };
}

/// The replay file given with `-p`.
#[derive(Debug, Clone, Copy)]
pub enum Replay {
    /// No `-p`.
    None,
    /// `-p in.mock` holding this text.
    Text(&'static str),
    /// `-p missing.mock`, which does not exist.
    Missing,
}

/// The client program.
#[derive(Debug, Clone, Copy)]
pub enum Client {
    /// `client.py`: one connection per message, one after the other. A message `hex:<hex>`
    /// is sent as those bytes.
    Sequence(&'static [&'static str]),
    /// `concurrent.py`: all connections opened in order first, then the messages sent from
    /// threads in reverse order, so exchanges complete in the opposite of their accept order.
    Concurrent(&'static [&'static str]),
}

/// What a scenario must show.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// Replies, exit statuses and record files are identical (after masking).
    Identical,
    /// A deliberate difference: everything is identical except exactly `what`.
    Differs {
        /// The heading of `docs/compatibility.md` that lists the difference, as its anchor.
        doc: &'static str,
        /// The difference in a few words.
        why: &'static str,
        /// Each output that differs, with both values.
        what: &'static [Difference],
    },
}

/// One output that differs between the implementations, with the exact value of each.
#[derive(Debug, Clone, Copy)]
pub enum Difference {
    /// The record file of a step (0: first, 1: `then_replay`); `None`: no file.
    Record {
        /// Step number.
        step: usize,
        /// Ours.
        ours: Option<&'static str>,
        /// The reference's.
        reference: Option<&'static str>,
    },
    /// The replies the client printed in a step (`None`: it printed none).
    Replies {
        /// Step number.
        step: usize,
        /// Ours.
        ours: Option<&'static [&'static str]>,
        /// The reference's.
        reference: Option<&'static [&'static str]>,
    },
    /// The exit status of a step.
    Status {
        /// Step number.
        step: usize,
        /// Ours.
        ours: Option<i32>,
        /// The reference's.
        reference: Option<i32>,
    },
}

/// What one step produced, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StepOutcome {
    status: Option<i32>,
    replies: Option<Vec<String>>,
    record: Option<String>,
}

/// The implementation under which a run happens.
#[derive(Clone, Copy)]
enum Side {
    Ours,
    Reference,
}

/// What both implementations produced for a scenario: each step's outcome and stderr.
pub struct Observed {
    ours: Vec<(StepOutcome, String)>,
    reference: Vec<(StepOutcome, String)>,
}

/// Runs scenario `name` of `all` (through [`prefetch`](super::prefetch)) and checks
/// [`Scenario::expect`]. `module` is the `module_path!()` of the scenario tests.
pub fn check(all: &'static [(&'static str, Scenario)], module: &str, name: &str) {
    let scenario = all
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .unwrap_or_else(|| panic!("no scenario {name}"));
    verify(name, &scenario, super::prefetch::take(all, module, name));
}

/// Runs `scenario` under both implementations, side by side.
pub fn observe(name: &str, scenario: &Scenario) -> Observed {
    let real = uses_real_server(scenario).then(RealServer::start);
    let server = real.as_ref().map_or("", |r| r.address.as_str());
    let (ours_dir, ref_dir) = (
        scratch(&format!("interop-{name}-ours")),
        scratch(&format!("interop-{name}-ref")),
    );
    let (ours, reference) = thread::scope(|s| {
        let theirs = s.spawn(|| run_steps(scenario, &ref_dir, server, Side::Reference));
        let mine = run_steps(scenario, &ours_dir, server, Side::Ours);
        (mine, theirs.join().expect("reference run"))
    });
    if let Some(real) = real {
        real.stop();
    }
    Observed { ours, reference }
}

/// Checks what was observed against [`Scenario::expect`].
fn verify(name: &str, scenario: &Scenario, observed: Observed) {
    let (mine_out, mine_err): (Vec<_>, Vec<_>) = observed.ours.into_iter().unzip();
    let (theirs_out, theirs_err): (Vec<_>, Vec<_>) = observed.reference.into_iter().unzip();
    let context = format!(
        "scenario {name}\n--- ours: {mine_out:#?}\n--- reference: {theirs_out:#?}\n\
         --- ours stderr:\n{}\n--- reference stderr:\n{}",
        mine_err.join("\n"),
        theirs_err.join("\n")
    );
    match scenario.expect {
        Expect::Identical => {
            assert_eq!(mine_out, theirs_out, "outputs differ\n{context}");
        }
        Expect::Differs { doc, why, what } => {
            assert_documented(doc, why);
            let (mut expect_mine, mut expect_theirs) = (mine_out.clone(), mine_out.clone());
            for d in what {
                apply(d, &mut expect_mine, &mut expect_theirs, &context);
            }
            // Everything not listed is identical, and each listed output is exactly as given.
            assert_eq!(mine_out, expect_mine, "ours is not as expected\n{context}");
            assert_eq!(
                theirs_out, expect_theirs,
                "the reference's output is not as expected ({why})\n{context}"
            );
        }
    }
    if let Some(expected) = scenario.record_file {
        assert_eq!(
            mine_out.first().and_then(|o| o.record.as_deref()),
            Some(expected),
            "our record file is not the one pinned\n{context}"
        );
    }
    // Every client succeeds under ours, unless the scenario says how its status differs.
    for (step, out) in mine_out.iter().enumerate() {
        let listed = match scenario.expect {
            Expect::Differs { what, .. } => what
                .iter()
                .any(|d| matches!(d, Difference::Status { step: s, .. } if *s == step)),
            Expect::Identical => false,
        };
        assert!(
            out.status == Some(0) || listed,
            "ours failed in step {step}\n{context}"
        );
    }
}

/// Puts the listed difference into the expected outputs (both start as ours).
fn apply(d: &Difference, mine: &mut [StepOutcome], theirs: &mut [StepOutcome], context: &str) {
    let step = match *d {
        Difference::Record { step, .. }
        | Difference::Replies { step, .. }
        | Difference::Status { step, .. } => step,
    };
    let (Some(m), Some(t)) = (mine.get_mut(step), theirs.get_mut(step)) else {
        panic!("no step {step}\n{context}");
    };
    let owned = |v: Option<&[&str]>| v.map(|v| v.iter().map(|s| s.to_string()).collect());
    match *d {
        Difference::Record {
            ours, reference, ..
        } => {
            assert_ne!(ours, reference, "a listed difference must differ");
            m.record = ours.map(str::to_owned);
            t.record = reference.map(str::to_owned);
        }
        Difference::Replies {
            ours, reference, ..
        } => {
            assert_ne!(ours, reference, "a listed difference must differ");
            m.replies = owned(ours);
            t.replies = owned(reference);
        }
        Difference::Status {
            ours, reference, ..
        } => {
            assert_ne!(ours, reference, "a listed difference must differ");
            m.status = ours;
            t.status = reference;
        }
    }
}

fn uses_real_server(scenario: &Scenario) -> bool {
    let mut texts: Vec<&str> = scenario.rc.to_vec();
    if let Replay::Text(t) = scenario.replay {
        texts.push(t);
    }
    for client in std::iter::once(scenario.client).chain(scenario.then_replay) {
        texts.extend(messages(client));
    }
    texts.iter().any(|t| t.contains("{server}"))
}

fn messages(client: Client) -> &'static [&'static str] {
    match client {
        Client::Sequence(m) | Client::Concurrent(m) => m,
    }
}

/// Runs the scenario's steps in `dir`; returns each step's outcome and stderr.
fn run_steps(
    scenario: &Scenario,
    dir: &Path,
    server: &str,
    side: Side,
) -> Vec<(StepOutcome, String)> {
    let fill = |text: &str| text.replace("{server}", server);
    let mut rc_names = Vec::new();
    for (i, rc) in scenario.rc.iter().enumerate() {
        let name = format!("{}.rc", i + 1);
        write(dir, &name, &fill(rc));
        rc_names.push(name);
    }
    let rc_list = rc_names.join(",");
    let mut common: Vec<&str> = Vec::new();
    if !scenario.rc.is_empty() {
        common.extend(["-R", &rc_list]);
    }

    let mut args = vec!["-m", scenario.mode];
    match scenario.replay {
        Replay::None => {}
        Replay::Text(text) => {
            write(dir, "in.mock", &fill(text));
            args.extend(["-p", "in.mock"]);
        }
        Replay::Missing => args.extend(["-p", "missing.mock"]),
    }
    args.extend(["-r", "out.mock"]);
    args.extend(&common);
    let setup = StepSetup {
        dir,
        server,
        env: scenario.env,
        side,
    };
    let mut outcomes = vec![step(&setup, &args, scenario.client, "out.mock")];

    if let Some(client) = scenario.then_replay {
        let mut args = vec!["-m", "0", "-p", "out.mock", "-r", "replayed.mock"];
        args.extend(&common);
        outcomes.push(step(&setup, &args, client, "replayed.mock"));
    }
    outcomes
}

/// Where and how one step runs.
struct StepSetup<'a> {
    dir: &'a Path,
    /// The real server's address (empty when none runs).
    server: &'a str,
    env: &'a [(&'a str, &'a str)],
    side: Side,
}

fn step(setup: &StepSetup, args: &[&str], client: Client, record: &str) -> (StepOutcome, String) {
    let StepSetup {
        dir,
        server,
        env,
        side,
    } = *setup;
    let filled: Vec<String> = messages(client)
        .iter()
        .map(|m| m.replace("{server}", server))
        .collect();
    let filled: Vec<&str> = filled.iter().map(String::as_str).collect();
    let argv = match client {
        Client::Sequence(_) => with_client(args, &filled),
        Client::Concurrent(_) => with_concurrent(args, &filled),
    };
    let run: Run = match side {
        Side::Ours => ours_with_env(dir, &argv, env),
        Side::Reference => reference_with_env(dir, &argv, env),
    };
    let replies: Option<Vec<String>> = run
        .stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('['))
        .map(|line| serde_json::from_str(line).expect("JSON replies"));
    let record = read(dir, record);
    let texts = replies.iter().flatten().chain(&record).map(String::as_str);
    let masker = Masker::new(server, texts);
    let outcome = StepOutcome {
        status: run.status,
        replies: replies.map(|r| r.iter().map(|t| masker.mask(t)).collect()),
        record: record.map(|t| masker.mask(&t)),
    };
    (outcome, run.stderr)
}

/// Masks what legitimately differs between runs: `--TIM:` lines become `--TIM:<time>`; every
/// `127.0.0.1:<port>` other than the real server's becomes `<capturemock>`, and its port
/// elsewhere `<port>` (no other server runs, and `${CAPTUREMOCK_SERVER}` /
/// `${CAPTUREMOCK_PORT}` put the capturemock server's address into texts).
struct Masker {
    addresses: Vec<String>,
    ports: Vec<String>,
}

const LOCALHOST: &str = "127.0.0.1:";

impl Masker {
    /// Learns the capturemock server's addresses from `texts`; `real` is the real server's.
    fn new<'a>(real: &str, texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut addresses: Vec<String> = Vec::new();
        for text in texts {
            let mut rest = text;
            while let Some(at) = rest.find(LOCALHOST) {
                let after = &rest[at + LOCALHOST.len()..];
                let port = &after
                    [..after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len()];
                let address = format!("{LOCALHOST}{port}");
                if !port.is_empty() && address != real && !addresses.contains(&address) {
                    addresses.push(address);
                }
                rest = after;
            }
        }
        let ports = addresses
            .iter()
            .map(|a| a[LOCALHOST.len()..].to_string())
            .collect();
        Masker { addresses, ports }
    }

    fn mask(&self, text: &str) -> String {
        let lines: Vec<String> = text
            .split('\n')
            .map(|line| {
                if line.starts_with("--TIM:") {
                    return "--TIM:<time>".to_string();
                }
                let mut line = line.to_string();
                for address in &self.addresses {
                    line = line.replace(address.as_str(), "<capturemock>");
                }
                self.mask_ports(&line)
            })
            .collect();
        lines.join("\n")
    }

    /// Replaces runs of digits equal to a capturemock port.
    fn mask_ports(&self, line: &str) -> String {
        let mut out = String::with_capacity(line.len());
        let mut rest = line;
        while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
            out.push_str(&rest[..start]);
            let digits = &rest[start..];
            let len = digits.len()
                - digits
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .len();
            let run = &digits[..len];
            if self.ports.iter().any(|p| p == run) {
                out.push_str("<port>");
            } else {
                out.push_str(run);
            }
            rest = &digits[len..];
        }
        out.push_str(rest);
        out
    }
}

/// Checks that `doc` is the anchor of a heading in docs/compatibility.md.
fn assert_documented(doc: &str, why: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/compatibility.md");
    let text = std::fs::read_to_string(&path).expect("docs/compatibility.md");
    let anchors: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(anchor)
        .collect();
    assert!(
        anchors.iter().any(|a| a == doc),
        "known difference ({why}) links to docs/compatibility.md#{doc}, which has no such heading; \
         headings: {anchors:?}"
    );
}

/// GitHub's anchor for a heading: lower case, spaces to `-`, other punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}
