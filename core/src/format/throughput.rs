//! Rough throughput check of the reader and writer (a criterion bench lives elsewhere):
//! `cargo test -p capturemock-core --release --lib -- --ignored --nocapture throughput`.

use std::string::String;
use std::time::Instant;
use std::{format, println};

use super::*;

/// About 6 MB of realistic record text: calls, multi-line JSON responses, timestamps.
fn sample_file() -> String {
    let mut out = String::new();
    let mut i = 0u32;
    while out.len() < 6_000_000 {
        let ts = format!("2024-05-06T07:08:{:02}.{:06}", i % 60, i);
        let call = format!("getStockPrice(ticker='ACME{i}', date='2024-05-06', currency='EUR')");
        write_entry(&mut out, "<-CAL", &call, Some(&ts), NewlineOptions::NONE).unwrap();
        let response = format!(
            "{{\n  \"ticker\": \"ACME{i}\",\n  \"price\": {}.25,\n  \"history\": [1.5, 2.25, 3.0],\n  \"note\": \"a->b is fine\"\n}}",
            i % 977
        );
        write_entry(&mut out, "->RET", &response, None, NewlineOptions::NONE).unwrap();
        if i % 7 == 0 {
            write_entry(&mut out, "<-CMD", "ls -l /tmp", None, NewlineOptions::NONE).unwrap();
            write_entry(
                &mut out,
                "->OUT",
                "total 0\ndrwxr-xr-x 2 root root 40 May  6 07:08 x",
                None,
                NewlineOptions::NONE,
            )
            .unwrap();
        }
        i += 1;
    }
    out
}

fn measure(name: &str, bytes: usize, mut run: impl FnMut() -> usize) -> f64 {
    let mut best = f64::MAX;
    let mut check = 0;
    for _ in 0..5 {
        let start = Instant::now();
        check += run();
        best = best.min(start.elapsed().as_secs_f64());
    }
    let mb_s = bytes as f64 / best / 1e6;
    println!("{name}: {mb_s:.0} MB/s ({check})");
    mb_s
}

#[test]
#[ignore = "timing; run in release mode"]
fn throughput() {
    let text = sample_file();
    let reading = |opts: NewlineOptions| {
        let mut total = 0;
        for entry in entries(&text) {
            let entry = entry.unwrap();
            total += entry
                .plain(opts)
                .map_or(0, |r| r.entry.len() + r.timestamp.map_or(0, str::len));
        }
        total
    };
    let plain = measure("read (plain, no markers)", text.len(), || {
        reading(NewlineOptions::NONE)
    });
    measure("read (preserve_cr + preserve_lf)", text.len(), || {
        reading(NewlineOptions::BOTH)
    });
    let crlf = text.replace('\n', "\r\n");
    measure("read + decode (CRLF file)", crlf.len(), || {
        let mut buf = std::vec![0u8; 4096];
        let mut total = 0;
        for entry in entries(&crlf) {
            let entry = entry.unwrap();
            total += match entry.plain(NewlineOptions::NONE) {
                Some(r) => r.entry.len(),
                None => entry
                    .decode(NewlineOptions::NONE, &mut buf)
                    .unwrap()
                    .entry
                    .len(),
            };
        }
        total
    });
    let records: std::vec::Vec<_> = entries(&text)
        .map(|e| e.unwrap().plain(NewlineOptions::NONE).unwrap())
        .collect();
    measure("write", text.len(), || {
        let mut out = String::with_capacity(text.len());
        for record in &records {
            write_record(&mut out, record, NewlineOptions::NONE).unwrap();
        }
        assert_eq!(out, text);
        out.len()
    });
    assert!(
        cfg!(debug_assertions) || plain > 300.0,
        "reader below 300 MB/s: {plain:.0}"
    );
}
