//! Runs scenarios ahead of their tests, several at a time.
//!
//! A scenario spends most of its time waiting for processes (Python start-up, the reference's
//! server process), and the test harness runs only as many tests at once as there are CPUs.
//! So the first scenario test starts a few worker threads that run every scenario the test
//! run selected (by the same name filters as libtest), and each test then takes its
//! scenario's result, or runs it itself when no worker has started it yet. The assertions
//! stay in the tests, so each failure still names its scenario.

use std::collections::HashMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard, Once, OnceLock, PoisonError};
use std::thread;

use super::driver::{observe, Observed, Scenario};

/// Scenarios run at once by the workers (each also runs two process trees side by side).
const WORKERS: usize = 4;

/// The scenario table.
type Table = &'static [(&'static str, Scenario)];

enum Slot {
    Queued,
    Running,
    Done(thread::Result<Observed>),
}

struct Pool {
    slots: Mutex<HashMap<&'static str, Slot>>,
    changed: Condvar,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, HashMap<&'static str, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

static POOL: OnceLock<Pool> = OnceLock::new();
static WORKERS_STARTED: Once = Once::new();

/// What scenario `name` of `all` produced: from a worker, or run here. `module` is the
/// `module_path!()` of the scenario tests. A panic in the run is resumed here.
pub fn take(all: Table, module: &str, name: &str) -> Observed {
    let pool = POOL.get_or_init(|| queue(all, module));
    WORKERS_STARTED.call_once(|| {
        for _ in 0..WORKERS {
            thread::spawn(move || work(pool, all));
        }
    });
    let mut slots = pool.lock();
    loop {
        match slots.get(name) {
            None => break,
            Some(Slot::Queued) => {
                let key = all
                    .iter()
                    .map(|(n, _)| *n)
                    .find(|n| *n == name)
                    .expect("queued names come from the table");
                slots.insert(key, Slot::Running);
                break;
            }
            Some(Slot::Running) => {
                slots = pool
                    .changed
                    .wait(slots)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            Some(Slot::Done(_)) => match slots.remove(name) {
                Some(Slot::Done(Ok(observed))) => return observed,
                Some(Slot::Done(Err(panic))) => resume_unwind(panic),
                _ => unreachable!("just matched Done"),
            },
        }
    }
    drop(slots);
    let scenario = all
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .unwrap_or_else(|| panic!("no scenario {name}"));
    observe(name, &scenario)
}

/// The scenarios this test run selects, queued.
fn queue(all: Table, module: &str) -> Pool {
    let filter = Filter::from_args();
    // libtest names tests by their path without the crate name.
    let module = module.split_once("::").map_or(module, |(_, rest)| rest);
    let slots = all
        .iter()
        .filter(|(name, _)| filter.selects(&format!("{module}::{name}")))
        .map(|(name, _)| (*name, Slot::Queued))
        .collect();
    Pool {
        slots: Mutex::new(slots),
        changed: Condvar::new(),
    }
}

fn work(pool: &Pool, all: Table) {
    loop {
        let next = {
            let mut slots = pool.lock();
            let next = all
                .iter()
                .find(|(name, _)| matches!(slots.get(name), Some(Slot::Queued)));
            if let Some((name, _)) = next {
                slots.insert(name, Slot::Running);
            }
            next
        };
        let Some((name, scenario)) = next else {
            return;
        };
        let result = catch_unwind(AssertUnwindSafe(|| observe(name, scenario)));
        pool.lock().insert(name, Slot::Done(result));
        pool.changed.notify_all();
    }
}

/// libtest's name filters, from this process's arguments.
struct Filter {
    include: Vec<String>,
    skip: Vec<String>,
    exact: bool,
}

impl Filter {
    fn from_args() -> Self {
        // Options of libtest that take a value as the next argument.
        const WITH_VALUE: &[&str] = &[
            "--skip",
            "--test-threads",
            "--format",
            "--color",
            "--logfile",
            "--shuffle-seed",
            "-Z",
        ];
        let mut filter = Filter {
            include: Vec::new(),
            skip: Vec::new(),
            exact: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            if arg == "--exact" {
                filter.exact = true;
            } else if let Some(value) = arg.strip_prefix("--skip=") {
                filter.skip.push(value.to_string());
            } else if arg == "--skip" {
                filter.skip.extend(args.next());
            } else if WITH_VALUE.contains(&arg.as_str()) {
                args.next();
            } else if !arg.starts_with('-') {
                filter.include.push(arg);
            }
        }
        filter
    }

    fn selects(&self, path: &str) -> bool {
        let hit = |f: &String| {
            if self.exact {
                f == path
            } else {
                path.contains(f.as_str())
            }
        };
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.skip.iter().any(hit)
    }
}
