use super::*;

fn rc(text: &str) -> RcConfig {
    RcConfig::from_str_named(text, "test.rc").expect("parses")
}

#[test]
fn keys_are_case_insensitive_sections_are_not() {
    let c = rc("[general]\nUse_Exact_Matching = yes\n[General]\nx: 1\n");
    assert_eq!(
        c.get("general", "use_exact_matching").unwrap().as_deref(),
        Some("yes")
    );
    assert_eq!(
        c.get("general", "USE_EXACT_MATCHING").unwrap().as_deref(),
        Some("yes")
    );
    assert!(c.has_section("General"));
    assert_eq!(c.get("general", "x").unwrap(), None);
    assert_eq!(c.get("General", "x").unwrap().as_deref(), Some("1"));
}

#[test]
fn first_delimiter_splits_and_values_are_stripped() {
    let c = rc("[s]\na = b : c\nd:e=f\nempty =\n  spaced   =   v  \n");
    assert_eq!(c.get("s", "a").unwrap().as_deref(), Some("b : c"));
    assert_eq!(c.get("s", "d").unwrap().as_deref(), Some("e=f"));
    // An indented line continues the previous value, even when it looks like a key.
    assert_eq!(
        c.get("s", "empty").unwrap().as_deref(),
        Some("\nspaced   =   v")
    );
    assert_eq!(c.get("s", "spaced").unwrap(), None);
}

#[test]
fn continuation_lines_and_blank_lines_inside_values() {
    let c = rc("[s]\nk = one\n  two\n\n  three\n# comment\n  four\n\n\nnext = x\n");
    assert_eq!(
        c.get("s", "k").unwrap().as_deref(),
        Some("one\ntwo\n\nthree\nfour")
    );
    assert_eq!(c.get("s", "next").unwrap().as_deref(), Some("x"));
}

#[test]
fn default_section_is_a_fallback_not_a_section() {
    let c = rc("[DEFAULT]\nshared = d\n[a]\nown = 1\n");
    assert!(!c.has_section("DEFAULT"));
    assert!(c.has_option("a", "shared"));
    assert_eq!(c.get("a", "shared").unwrap().as_deref(), Some("d"));
    assert_eq!(c.get("DEFAULT", "shared").unwrap().as_deref(), Some("d"));
    assert_eq!(c.get("missing", "shared").unwrap(), None);
    assert_eq!(
        c.get_first("shared", &["DEFAULT", "a"]).unwrap().as_deref(),
        Some("d")
    );
    let items = c.items("a").unwrap();
    assert_eq!(
        items,
        vec![("own".into(), "1".into()), ("shared".into(), "d".into())]
    );
}

#[test]
fn interpolation() {
    let c =
        rc("[DEFAULT]\nroot = /r\n[s]\ndir = %(ROOT)s/x\npct = 100%%\nnest = %(dir)s/%(pct)s\n");
    assert_eq!(c.get("s", "dir").unwrap().as_deref(), Some("/r/x"));
    assert_eq!(c.get("s", "pct").unwrap().as_deref(), Some("100%"));
    assert_eq!(c.get("s", "nest").unwrap().as_deref(), Some("/r/x/100%"));
    assert_eq!(c.get_raw("s", "pct").map(|(v, _)| v), Some("100%%"));
}

#[test]
fn interpolation_errors_name_file_line_section_and_key() {
    let c = rc("[s]\n\nbad = 50%\nmissing = %(nope)s\ncycle = %(cycle)s\nunclosed = %(x\n");
    let e = c.get("s", "bad").unwrap_err();
    assert!(matches!(e, RcError::InterpolationSyntax { .. }));
    assert!(e.to_string().starts_with("test.rc:3: "), "{e}");
    assert!(e.to_string().contains("[s] bad"), "{e}");
    let e = c.get("s", "missing").unwrap_err();
    assert!(
        matches!(&e, RcError::InterpolationMissing { missing, .. } if missing == "nope"),
        "{e}"
    );
    assert!(matches!(
        c.get("s", "cycle").unwrap_err(),
        RcError::InterpolationDepth { .. }
    ));
    assert!(matches!(
        c.get("s", "unclosed").unwrap_err(),
        RcError::InterpolationSyntax { .. }
    ));
}

#[test]
fn interpolation_that_multiplies_is_refused_not_expanded() {
    // Found writing the rc_config fuzz target (a hang): each key refers eight times to the
    // next, ten deep; the expansion would take 8^9 steps (ConfigParser hangs on it too).
    let mut text = String::from("[s]\n");
    for (k, next) in ('a'..='i').zip('b'..='j') {
        text.push_str(&format!("{k} = {}\n", format!("%({next})s").repeat(8)));
    }
    text.push_str("j = x\n");
    let c = rc(&text);
    let e = c.get("s", "a").unwrap_err();
    assert!(matches!(e, RcError::InterpolationTooLarge { .. }), "{e}");
    assert!(e.to_string().starts_with("test.rc:2: [s] a:"), "{e}");
    // The same with empty leaves: nothing grows, the references alone are the work.
    let c = rc(&text.replace("j = x", "j ="));
    assert!(matches!(
        c.get("s", "a").unwrap_err(),
        RcError::InterpolationTooLarge { .. }
    ));
    // Lower keys stay within the limits and expand as ConfigParser does.
    assert_eq!(c.get("s", "h").unwrap().as_deref(), Some(""));
    assert_eq!(rc(&text).get("s", "h").unwrap().unwrap(), "x".repeat(64));
    // One huge value, through few references, is refused too.
    let big = format!(
        "[s]\nv = {}\nw = {}\n",
        "y".repeat(4096),
        "%(v)s".repeat(300)
    );
    assert!(matches!(
        rc(&big).get("s", "w").unwrap_err(),
        RcError::InterpolationTooLarge { .. }
    ));
}

#[test]
fn booleans_in_any_case() {
    let c = rc("[general]\na = YES\nb = Off\nc = 1\nd = fAlSe\ne = maybe\n");
    assert!(c.get_bool("a", &["general"], false).unwrap());
    assert!(!c.get_bool("b", &["general"], true).unwrap());
    assert!(c.get_bool("c", &["general"], false).unwrap());
    assert!(!c.get_bool("d", &["general"], true).unwrap());
    assert!(c.get_bool("absent", &["general"], true).unwrap());
    let e = c.get_bool("e", &["general"], false).unwrap_err();
    assert_eq!(
        e.to_string(),
        "test.rc:6: [general] e = \"maybe\" is not a boolean (use yes/no, true/false, on/off or 1/0)"
    );
}

#[test]
fn floats_as_python_reads_them() {
    let c = rc("[general]\na = 0.5\nb = 1e-1\nc = 3\nd = .25\ne = soon\n");
    assert_eq!(c.get_float("a", &["general"], 9.0).unwrap(), 0.5);
    assert_eq!(c.get_float("b", &["general"], 9.0).unwrap(), 0.1);
    assert_eq!(c.get_float("c", &["general"], 9.0).unwrap(), 3.0);
    assert_eq!(c.get_float("d", &["general"], 9.0).unwrap(), 0.25);
    assert_eq!(c.get_float("absent", &["general"], 0.2).unwrap(), 0.2);
    let e = c.get_float("e", &["general"], 0.2).unwrap_err();
    assert_eq!(
        e.to_string(),
        "test.rc:6: [general] e = \"soon\" is not a number"
    );
}

#[test]
fn duplicates_merge_and_later_values_win() {
    let mut c = rc("[s]\na = 1\nb = 2\n[t]\n[s]\na = 3\n");
    assert_eq!(c.get("s", "a").unwrap().as_deref(), Some("3"));
    assert_eq!(c.get("s", "b").unwrap().as_deref(), Some("2"));
    c.add_str("[s]\nb = later\n", "second.rc").unwrap();
    assert_eq!(c.get("s", "b").unwrap().as_deref(), Some("later"));
    assert_eq!(
        c.origin("s", "b").map(|o| o.to_string()).as_deref(),
        Some("second.rc:2")
    );
    assert_eq!(c.sections().collect::<Vec<_>>(), vec!["s", "t"]);
}

#[test]
fn lists_are_comma_split_and_stripped() {
    let c = rc("[general]\nalterations = a , b,,c \n[other]\nalterations = d\n");
    assert_eq!(c.alterations().unwrap(), vec!["a", "b", "", "c"]);
    assert_eq!(
        c.get_list("alterations", &["general", "other"]).unwrap(),
        vec!["a", "b", "", "c", "d"]
    );
    let empty = rc("[general]\nalterations =\n");
    assert!(empty.alterations().unwrap().is_empty());
}

#[test]
fn parse_errors_list_every_bad_line() {
    let e = RcConfig::from_str_named("[s]\nok = 1\nno delimiter\n= novalue\n", "x.rc").unwrap_err();
    match e {
        RcError::Parse { lines, .. } => {
            assert_eq!(
                lines.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                vec![3, 4]
            )
        }
        other => panic!("{other}"),
    }
    let e = RcConfig::from_str_named("# c\nkey = v\n", "x.rc").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("x.rc:2: key/value line before any [section] header"),
        "{e}"
    );
}

#[test]
fn general_defaults() {
    let g = RcConfig::new().general().unwrap();
    assert!(!g.use_exact_matching && !g.record_timestamps && !g.preserve_cr && !g.preserve_lf);
    assert!(g.server_multithreaded);
    assert_eq!(g.server_remote_access, RemoteAccess::Local);
    assert_eq!(g.server_protocol, "classic");
    assert_eq!(g.id_pattern_client, None);
    assert!(!g.record_for_client);
    assert!(g.alterations.is_empty());
}

#[test]
fn general_values() {
    let c = rc("[general]\nserver_multithreaded = no\nserver_remote_access = eth0\nserver_protocol = xmlrpc\nid_pattern_client = id=(\\d+)\nrecord_for_client = on\n");
    let g = c.general().unwrap();
    assert!(!g.server_multithreaded);
    assert_eq!(
        g.server_remote_access,
        RemoteAccess::Interface("eth0".into())
    );
    assert_eq!(g.server_protocol, "xmlrpc");
    assert_eq!(g.id_pattern_client.as_deref(), Some("id=(\\d+)"));
    assert!(g.record_for_client);
    assert_eq!(
        rc("[general]\nserver_remote_access = True\n")
            .server_remote_access()
            .unwrap(),
        RemoteAccess::Host
    );
}

#[test]
fn files_missing_unreadable_and_not_utf8() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let good = dir.join("good.rc");
    std::fs::write(&good, "[general]\nuse_exact_matching = true\n").unwrap();
    let bad = dir.join("bad.rc");
    std::fs::write(&bad, b"[general]\nx = 1\ny = \xff\n").unwrap();
    let missing = dir.join("missing.rc");

    let c = RcConfig::load(&[&missing, &good]).unwrap();
    assert_eq!(c.warnings(), &[RcWarning::MissingFile(missing.clone())]);
    assert!(c.use_exact_matching().unwrap());
    assert_eq!(c.files(), std::slice::from_ref(&good));

    let e = RcConfig::load(&[&good, &bad]).unwrap_err();
    assert!(matches!(e, RcError::NotUtf8 { line: 3, .. }), "{e}");
    assert!(
        e.to_string()
            .ends_with("bad.rc:3: rc file is not valid UTF-8"),
        "{e}"
    );

    let bom = dir.join("bom.rc");
    std::fs::write(&bom, "\u{feff}[general]\npreserve_cr = 1\n").unwrap();
    let c = RcConfig::load(&[&bom]).unwrap();
    assert!(c.preserve_cr().unwrap());
    assert_eq!(c.warnings(), &[RcWarning::ByteOrderMark(bom.clone())]);
}

#[test]
fn set_and_add_section() {
    let mut c = RcConfig::new();
    assert!(c.add_section("id1"));
    assert!(!c.add_section("id1"));
    c.set("id1", "Match_Pattern", "abc").unwrap();
    assert_eq!(
        c.get("id1", "match_pattern").unwrap().as_deref(),
        Some("abc")
    );
    assert!(matches!(
        c.set("nope", "a", "b"),
        Err(RcError::NoSection(_))
    ));
}

#[test]
fn default_path_is_under_home() {
    if let Some(p) = RcConfig::default_path() {
        assert!(p.ends_with(".capturemock/config"));
    }
}
