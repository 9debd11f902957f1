use super::*;

fn load(text: &str) -> (Alterations, Vec<AlterationWarning>) {
    let rc = RcConfig::from_str_named(text, "t.rc").unwrap();
    Alterations::from_rc_with_env(&rc, &["general"], |n| {
        (n == "USER").then(|| "bob".to_string())
    })
    .unwrap()
}

fn load_err(text: &str) -> String {
    let rc = RcConfig::from_str_named(text, "t.rc").unwrap();
    match Alterations::from_rc_with_env(&rc, &["general"], |_| None) {
        Ok(_) => panic!("loaded"),
        Err(e) => crate::ErrorChain(&e).to_string(),
    }
}

#[test]
fn applied_in_reverse_order() {
    let (alt, w) = load("[general]\nalterations = a, b\n[a]\nmatch_pattern = a\nreplacement = b\n[b]\nmatch_pattern = b\nreplacement = c\n");
    assert!(w.is_empty());
    assert_eq!(alt.apply("ab"), "bc");
}

#[test]
fn same_pattern_collapses_in_first_place_with_later_replacement() {
    let (alt, w) = load("[general]\nalterations = one, two, three\n[one]\nmatch_pattern = x\nreplacement = 1\n[two]\nmatch_pattern = 1\nreplacement = 2\n[three]\nmatch_pattern = x\nreplacement = 3\n");
    assert_eq!(alt.len(), 2);
    assert_eq!(
        w,
        vec![AlterationWarning::DuplicatePattern {
            earlier: "one".into(),
            later: "three".into()
        }]
    );
    // Order is [x->3, 1->2], applied from the end: 1->2 first, then x->3.
    assert_eq!(alt.apply("x1"), "32");
}

#[test]
fn environment_and_address() {
    let (mut alt, _) = load("[general]\nalterations = u, s\n[u]\nmatch_pattern = $USER\nreplacement = <user>\n[s]\nmatch_pattern = localhost:\\d+\nreplacement = ${CAPTUREMOCK_SERVER}|${CAPTUREMOCK_PORT}\n");
    assert_eq!(alt.apply("bob"), "<user>");
    alt.set_address("127.0.0.1:4567").unwrap();
    assert_eq!(alt.apply("at localhost:80"), "at 127.0.0.1:4567|4567");
    assert_eq!(alt.address(), Some("127.0.0.1:4567"));
}

#[test]
fn variables_remember_matches() {
    let (alt, _) =
        load("[general]\nalterations = id\n[id]\nmatch_pattern = id=\\d+\nreplacement = $ID\n");
    assert_eq!(alt.apply("id=1 id=2 id=1"), "$ID $ID_2 $ID");
    assert_eq!(
        alt.apply_variables("got $ID and $ID_2"),
        "got id=1 and id=2"
    );
    assert_eq!(
        alt.variables().snapshot(),
        vec![
            ("$ID".into(), "id=1".into()),
            ("$ID_2".into(), "id=2".into())
        ]
    );
}

#[test]
fn broken_sections_are_warnings_not_failures() {
    let (alt, w) = load("[general]\nalterations = nosuch, nopattern, norepl, empty, ok,\n[nopattern]\nreplacement = x\n[norepl]\nmatch_pattern = a\n[empty]\nmatch_pattern =\nreplacement = y\n[ok]\nmatch_pattern = a\nreplacement = A\n");
    assert_eq!(alt.len(), 1);
    let text: Vec<String> = w.iter().map(|w| w.to_string()).collect();
    assert_eq!(text.len(), 5, "{text:?}");
    assert!(text[0].contains("[nosuch] is listed"));
    assert!(text[1].contains("[nopattern] has no match_pattern"));
    assert_eq!(
        text[2],
        "t.rc:6: alteration [norepl] has no replacement; ignored"
    );
    assert!(text[3].contains("[empty] has an empty match_pattern"));
    assert!(text[4].contains("[] is listed"));
    assert_eq!(alt.apply("a"), "A");
}

#[test]
fn bad_patterns_and_replacements_fail_at_load_with_location() {
    let e = load_err("[general]\nalterations = p\n[p]\nmatch_pattern = (a\nreplacement = x\n");
    assert!(
        e.starts_with("t.rc:4: alteration [p]: match_pattern \"(a\""),
        "{e}"
    );
    let e = load_err("[general]\nalterations = p\n[p]\nmatch_pattern = (a)\nreplacement = \\2\n");
    assert!(e.starts_with("t.rc:5: alteration [p]: replacement"), "{e}");
    assert!(e.contains("invalid group reference 2"), "{e}");
    let e = load_err("[general]\nalterations = p\n[p]\nmatch_pattern = 5%\nreplacement = x\n");
    assert!(e.contains("bad interpolation"), "{e}");
}

#[test]
fn variables_are_shared_between_sets_and_threads() {
    let (a, _) =
        load("[general]\nalterations = id\n[id]\nmatch_pattern = \\d+\nreplacement = $N\n");
    let (b, _) =
        load("[general]\nalterations = id\n[id]\nmatch_pattern = [a-z]+\nreplacement = $N\n");
    let b = b.with_variables(a.variables().clone());
    let a = Arc::new(a);
    let handles: Vec<_> = (0..4)
        .map(|k| {
            let a = a.clone();
            std::thread::spawn(move || a.apply(&format!("{k}")))
        })
        .collect();
    let mut names: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    names.sort();
    assert_eq!(names, vec!["$N", "$N_2", "$N_3", "$N_4"]);
    assert_eq!(b.apply("xyz"), "$N_5");
    assert_eq!(a.variables().snapshot().len(), 5);
}

#[test]
fn backtracking_limit_skips_only_that_alteration() {
    let (alt, _) = load("[general]\nalterations = slow, fast\n[slow]\nmatch_pattern = (a|a)*\\1b\nreplacement = X\n[fast]\nmatch_pattern = c\nreplacement = C\n");
    let text = format!("{}cb", "a".repeat(40));
    let (out, errors) = alt.apply_report(&text);
    assert_eq!(out, format!("{}Cb", "a".repeat(40)));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].section, "slow");
}
