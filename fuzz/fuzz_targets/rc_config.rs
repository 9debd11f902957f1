//! rc files (Python `ConfigParser` rules): arbitrary text loaded as an rc file, then every key
//! of every section read with `%` interpolation, as lists and booleans, and the `[general]`
//! settings.
//!
//! Checks: no panic and no hang (interpolation is bounded in depth and in size); every key
//! listed can be read; a value without `%` reads back as it is stored; lookups do not depend
//! on the case of the key.
//!
//! `cargo +nightly fuzz run rc_config -- -dict=rc_config.dict` (run from `fuzz/`).

#![no_main]

use capturemock::rc::{RcConfig, DEFAULT_SECTION};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A second file on top of the first, as `-R a.rc,b.rc` does: split at a form feed.
    let (first, second) = text.split_once('\x0c').unwrap_or((text, ""));
    let mut config = RcConfig::new();
    // A file with bad lines still loads the good ones (ConfigParser does the same before
    // raising); keep going to read what was loaded.
    let _ = config.add_str(first, "<first>");
    let _ = config.add_str(second, "<second>");

    let mut sections: Vec<String> = config.sections().map(str::to_string).collect();
    sections.push(DEFAULT_SECTION.to_string());
    sections.push("no such section".to_string());
    for section in &sections {
        let keys = config.keys(section);
        for key in &keys {
            assert!(config.has_option(section, key) || section == "no such section");
            let raw = config.get_raw(section, key).map(|(v, _)| v.to_string());
            let value = config.get(section, key);
            let upper = key.to_uppercase();
            if upper.to_lowercase() == *key {
                let again = config.get(section, &upper);
                assert_eq!(
                    format!("{value:?}"),
                    format!("{again:?}"),
                    "case of {key:?}"
                );
            }
            match (&raw, &value) {
                (Some(raw), Ok(Some(value))) => {
                    if !raw.contains('%') {
                        assert_eq!(raw, value);
                    }
                }
                (None, Ok(None)) | (_, Err(_)) => {}
                (raw, value) => panic!("raw {raw:?} but interpolated {value:?}"),
            }
            let _ = config.get_list(key, &[section, "general"]);
            let _ = config.get_bool(key, &[section], false);
            let _ = config.get_first(key, &[section]);
        }
        let _ = config.items(section);
    }
    let _ = config.general();
});
