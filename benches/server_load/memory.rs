//! Resident memory of a server with the big replay file loaded.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::load::exchange;
use crate::servers::{Config, Stop};
use crate::workload::Workload;
use crate::{Paths, Tools};

pub struct Rss {
    pub name: String,
    /// Resident after loading and one exchange, in KiB.
    pub rss_kib: u64,
    /// Peak resident, in KiB.
    pub peak_kib: u64,
    pub startup: Duration,
}

pub fn memory(tools: &Tools, w: &Workload, paths: &Paths) -> Vec<Rss> {
    let big = w.big_replay.display().to_string();
    let rc = w.rc.display().to_string();
    let mut configs = vec![Config {
        name: "ours",
        program: tools.ours.clone(),
        args: ["--server-only", "-R", &rc, "-m", "0", "-p", &big]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        env: Vec::new(),
        stop: Stop::Terminate,
        messages: Arc::new(Vec::new()),
        record_file: None,
    }];
    if let Some(r) = &tools.reference {
        configs.push(Config {
            name: "reference",
            program: PathBuf::from(&r.python),
            args: vec![
                r.server_py.display().to_string(),
                "--rcfiles".into(),
                rc.clone(),
                "-m".into(),
                "0".into(),
                "-p".into(),
                big.clone(),
            ],
            env: vec![("PYTHONPATH".into(), r.pythonpath.display().to_string())],
            stop: Stop::Terminate,
            messages: Arc::new(Vec::new()),
            record_file: None,
        });
    }
    configs
        .iter()
        .map(|config| {
            let server = config.start(&paths.logs);
            let mut reply = Vec::new();
            exchange(server.address, &w.big_probe.bytes, &mut reply).expect("probe exchange");
            assert_eq!(
                Some(&reply),
                w.big_probe.expected.as_ref(),
                "{}: wrong reply from the big replay file",
                config.name
            );
            let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid()))
                .unwrap_or_default();
            let kib = |key: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .and_then(|v| v.split_whitespace().next())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
            };
            let rss = Rss {
                name: config.name.to_string(),
                rss_kib: kib("VmRSS:"),
                peak_kib: kib("VmHWM:"),
                startup: server.startup,
            };
            server.shut_down();
            eprintln!(
                "  {}: VmRSS {} KiB, VmHWM {} KiB, address after {:?}",
                rss.name, rss.rss_kib, rss.peak_kib, rss.startup
            );
            rss
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
