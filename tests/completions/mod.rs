//! `capturemock completions SHELL` and `capturemock man` through the real binary: the bash
//! script is sourced in a real bash, which must then complete subcommands, options and
//! subcommand arguments; the man page is roff with every subcommand.

use std::process::Command;

use crate::server::harness::binary;

/// Runs `capturemock ARGS`, which must succeed with nothing on stderr; returns its stdout.
fn run(args: &[&str]) -> String {
    let output = Command::new(binary())
        .args(args)
        .output()
        .expect("run capturemock");
    assert!(output.status.success(), "{args:?}: {output:?}");
    assert!(output.stderr.is_empty(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// What bash's completion offers for the command line `line` (the cursor at its end), with
/// the generated script sourced.
fn bash_completes(script: &std::path::Path, line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split(' ').collect();
    let program = format!(
        "set -e\nsource {script}\ncomplete -p capturemock\nCOMP_WORDS=({words})\nCOMP_CWORD={cword}\n\
         COMP_LINE='{line}'\nCOMP_POINT={point}\n_capturemock capturemock '{current}' '{previous}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script = script.display(),
        words = words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" "),
        cword = words.len() - 1,
        point = line.len(),
        current = words[words.len() - 1],
        previous = words[words.len() - 2],
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash (the test needs it)");
    assert!(output.status.success(), "{line}: {output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("complete -o bashdefault -o default -o nosort -F _capturemock capturemock"),
        "the script registers the completion"
    );
    lines.map(str::to_owned).collect()
}

#[test]
fn bash_completes_subcommands_options_and_shells() {
    let dir = crate::server::harness::scratch("completions_bash");
    let script = dir.join("capturemock.bash");
    std::fs::write(&script, run(&["completions", "bash"])).unwrap();

    let offered = bash_completes(&script, "capturemock ser");
    assert!(offered.contains(&"serial-proxy".to_owned()), "{offered:?}");
    let offered = bash_completes(&script, "capturemock --fail");
    assert_eq!(offered, ["--fail-on-drift"]);
    let offered = bash_completes(&script, "capturemock completions ");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        assert!(offered.contains(&shell.to_owned()), "{offered:?}");
    }
    let offered = bash_completes(&script, "capturemock bridge --ba");
    assert_eq!(offered, ["--baud"]);
}

#[test]
fn every_shell_gets_a_script_and_others_are_refused() {
    for (shell, marker) in [
        ("bash", "_capturemock()"),
        ("zsh", "#compdef capturemock"),
        ("fish", "complete -c capturemock"),
        ("elvish", "edit:completion:arg-completer[capturemock]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = run(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: no {marker}");
    }
    let output = Command::new(binary())
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid value 'tcsh'"));
}

#[test]
fn the_man_page_names_every_subcommand() {
    let page = run(&["man"]);
    assert!(page.contains(".TH capturemock 1"), "{page}");
    for subcommand in ["bridge", "serial\\-proxy", "completions", "man", "help"] {
        assert!(
            page.contains(&format!("capturemock\\-{subcommand}(1)")),
            "no {subcommand} in the page"
        );
    }
    // The help's closing text comes along: exit statuses and examples.
    assert!(page.contains("Exit status"), "{page}");
    // Each page the list names exists.
    let bridge = run(&["man", "bridge"]);
    assert!(bridge.contains(".TH capturemock-bridge 1"), "{bridge}");
    assert!(bridge.contains("\\-\\-serial"), "{bridge}");
    let help = run(&["help", "man"]);
    assert!(help.contains("capturemock man"), "{help}");
}
