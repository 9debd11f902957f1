//! The table.

use crate::load::Measurement;
use crate::memory::Rss;
use crate::servers::Config;
use crate::{Options, CONCURRENCY, INEXACT_EVERY, REPLAY_REQUESTS, RSS_REQUESTS};

pub struct Machine {
    pub cores: usize,
    pub load: String,
}

impl Machine {
    pub fn now() -> Self {
        Machine {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            load: std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let digits = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn render(
    configs: &[Config],
    results: &[Vec<Vec<Measurement>>],
    rss: &[Rss],
    options: &Options,
    start: &Machine,
    end: &Machine,
    reference: Option<&str>,
) -> String {
    let medians: Vec<Vec<f64>> = results
        .iter()
        .map(|per| {
            per.iter()
                .map(|runs| median(&mut runs.iter().map(|m| m.rate).collect::<Vec<_>>()))
                .collect()
        })
        .collect();
    let bare = |prefix: &str| {
        configs
            .iter()
            .position(|c| c.name.starts_with(prefix))
            .map(|k| medians[k][1])
    };
    let limits = [bare("bare, thread"), bare("bare, tokio")];
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "Exchanges per second, one TCP connection per exchange over loopback, load from a \
         separate process; median of {} round(s) of {:.1} s after {:.1} s of warm-up.",
        options.rounds,
        options.duration.as_secs_f64(),
        options.warmup.as_secs_f64()
    ));
    line(String::new());
    line(
        "| server | 1 client | 8 clients | 8 clients, share of bare threads / bare tokio | server CPU at 8 clients: cores, µs per exchange | other processes' CPU (cores) | errors / wrong replies / not recorded |"
            .into(),
    );
    line("|---|---:|---:|---:|---:|---:|---:|".into());
    for (k, config) in configs.iter().enumerate() {
        let share = limits
            .iter()
            .map(|limit| match limit {
                Some(b) if *b > 0.0 => format!("{:.0} %", 100.0 * medians[k][1] / b),
                _ => "—".into(),
            })
            .collect::<Vec<_>>()
            .join(" / ");
        let all: Vec<&Measurement> = results[k].iter().flatten().collect();
        let per_exchange = median(
            &mut results[k][1]
                .iter()
                .map(|m| 1e6 * m.server_cores / m.rate)
                .collect::<Vec<_>>(),
        );
        let server_cpu = median(
            &mut results[k][1]
                .iter()
                .map(|m| m.server_cores)
                .collect::<Vec<_>>(),
        );
        let others = median(&mut all.iter().map(|m| m.other_cores).collect::<Vec<_>>());
        let errors: u64 = all.iter().map(|m| m.errors).sum();
        let wrong: u64 = all.iter().map(|m| m.wrong).sum();
        let unrecorded = all
            .iter()
            .filter_map(|m| m.unrecorded)
            .reduce(|a, b| a + b)
            .map_or("—".to_string(), |n| n.to_string());
        line(format!(
            "| {} | {} | {} | {} | {:.2}, {:.0} µs | {:.2} | {errors} / {wrong} / {unrecorded} |",
            config.name,
            thousands(medians[k][0]),
            thousands(medians[k][1]),
            share,
            server_cpu,
            per_exchange,
            others
        ));
    }
    line(String::new());
    line(format!(
        "Workload: a replay file of {} recorded requests (`SUT_CUSTOM`, 3–10 \
         Zipf-distributed words shaped like calls, one `->RET` each); clients walk through it \
         in order from {} evenly spaced starting points. \"replay\": one request in \
         {INEXACT_EVERY} is inexact (a recorded request with one word replaced), \"exact only\": \
         none is. \"record\": `SUT_CUSTOM:<request>:SUT_SEP:<response>`, answered with the echo. \
         The bare servers get the replay messages and answer a constant. Clients connect from \
         {} loopback source address(es) (see `load::exchange_from`).",
        thousands(REPLAY_REQUESTS as f64),
        CONCURRENCY[1],
        options.sources
    ));
    line(format!(
        "Machine: {} cores; load average {} at the start, {} at the end.",
        start.cores, start.load, end.load
    ));
    if let Some(version) = reference {
        line(format!(
            "Reference: CaptureMock {version}, its server.py started as its wrapper starts it."
        ));
    }
    if !rss.is_empty() {
        line(String::new());
        line(format!(
            "| with a {}-exchange replay file loaded | RSS (VmRSS) | peak (VmHWM) | start-up (address printed) |",
            thousands(RSS_REQUESTS as f64)
        ));
        line("|---|---:|---:|---:|".into());
        for r in rss {
            line(format!(
                "| {} | {:.1} MB | {:.1} MB | {:.2} s |",
                r.name,
                r.rss_kib as f64 * 1024.0 / 1e6,
                r.peak_kib as f64 * 1024.0 / 1e6,
                r.startup.as_secs_f64()
            ));
        }
    }
    out
}
