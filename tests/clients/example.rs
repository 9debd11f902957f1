//! `examples/custom_client.rs` under the reference's command line and ours: the same record
//! file, the same output, and a replay that does not call the real thing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use super::servers::scratch;

const EXPECTED_MOCK: &str = "\
<-CAL:weather.forecast('Oslo')
->RET:{\"city\": \"Oslo\", \"high\": 23}
<-CAL:weather.forecast('Lima')
->RET:{\"city\": \"Lima\", \"high\": 27}
<-CAL:weather.forecast('Oslo')
->RET:{\"city\": \"Oslo\", \"high\": 23}
<-CAL:weather.stations()
->RET:Oslo Blindern
Lima Callao
";

const EXPECTED_OUTPUT: &str = "\
{\"city\": \"Oslo\", \"high\": 23}
{\"city\": \"Lima\", \"high\": 27}
{\"city\": \"Oslo\", \"high\": 23}
Oslo Blindern
Lima Callao
";

/// `target/<profile>` of this test binary (`target/<profile>/deps/<binary>`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps")
        .to_path_buf()
}

/// Builds a target of this workspace (a no-op when up to date) in this test's profile.
fn cargo_build(args: &[&str]) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    crate::cargo_env::without_cargo_run_env(&mut build)
        .args(["build", "--quiet"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile_dir().file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    assert!(build.status().unwrap().success(), "cargo build {args:?}");
}

fn example() -> &'static Path {
    static EXAMPLE: OnceLock<PathBuf> = OnceLock::new();
    EXAMPLE.get_or_init(|| {
        cargo_build(&["--example", "custom_client"]);
        let exe = format!("custom_client{}", std::env::consts::EXE_SUFFIX);
        profile_dir().join("examples").join(exe)
    })
}

/// Our `capturemock` (`CAPTUREMOCK_BIN` overrides, as for the server tests).
fn our_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("CAPTUREMOCK_BIN") {
            return PathBuf::from(path);
        }
        PathBuf::from(env!("CARGO_BIN_EXE_capturemock"))
    })
}

#[derive(Debug, Clone, Copy)]
enum Cli {
    Reference,
    Ours,
}

/// `capturemock args... <example>` in `dir`. A reference run that hit its own shutdown race
/// is run again (see `crate::server::harness::reference_with_env`).
fn run(cli: Cli, dir: &Path, args: &[&str]) -> Output {
    for _ in 0..2 {
        let output = run_once(cli, dir, args);
        if !String::from_utf8_lossy(&output.stderr).contains("ValueError: write to closed file") {
            return output;
        }
    }
    run_once(cli, dir, args)
}

/// One `capturemock args... <example>` in `dir`.
fn run_once(cli: Cli, dir: &Path, args: &[&str]) -> Output {
    let mut command = match cli {
        Cli::Reference => {
            let mut c = Command::new("python3");
            c.args([
                "-c",
                "import sys, capturemock; sys.exit(capturemock.commandline())",
            ])
            .env("PYTHONUTF8", "1");
            c
        }
        Cli::Ours => Command::new(our_binary()),
    };
    let output = command
        .args(args)
        .arg(example())
        .current_dir(dir)
        .env_remove("CAPTUREMOCK_SERVER")
        .env_remove("CAPTUREMOCK_MODE")
        .output()
        .unwrap();
    assert!(output.status.success(), "{cli:?} {args:?}: {output:?}");
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn the_rust_custom_client_records_and_replays_alike_under_both_command_lines() {
    let dir = scratch("example");
    std::fs::write(dir.join("empty.rc"), "").unwrap();
    let mut recorded = Vec::new();
    for cli in [Cli::Reference, Cli::Ours] {
        let mock = format!("{cli:?}.mock");
        let replayed = format!("{cli:?}.replayed.mock");

        let output = run(cli, &dir, &["-m", "1", "-r", &mock, "-R", "empty.rc"]);
        assert_eq!(text(&output.stdout), EXPECTED_OUTPUT, "{cli:?} record");
        let asked = text(&output.stderr).matches("asking the real").count();
        assert_eq!(asked, 4, "{cli:?} record: {}", text(&output.stderr));
        let mock_text = std::fs::read_to_string(dir.join(&mock)).unwrap();
        assert_eq!(mock_text, EXPECTED_MOCK, "{cli:?}");

        let args = ["-m", "0", "-p", &mock, "-r", &replayed, "-R", "empty.rc"];
        let output = run(cli, &dir, &args);
        assert_eq!(text(&output.stdout), EXPECTED_OUTPUT, "{cli:?} replay");
        assert!(
            !text(&output.stderr).contains("asking the real"),
            "{cli:?} replay asked the real service: {}",
            text(&output.stderr)
        );
        let replayed_text = std::fs::read_to_string(dir.join(&replayed)).unwrap();
        assert_eq!(replayed_text, mock_text, "{cli:?}: no drift");
        recorded.push(mock_text);
    }
    assert_eq!(recorded[0], recorded[1], "byte-identical record files");
}

#[test]
fn outside_capturemock_the_example_says_what_is_missing() {
    let output = Command::new(example())
        .env_remove("CAPTUREMOCK_SERVER")
        .env_remove("CAPTUREMOCK_MODE")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(
            "custom_client: CAPTUREMOCK_SERVER is not set: run the program under `capturemock`"
        ),
        "{stderr}"
    );
    let output = Command::new(example())
        .env("CAPTUREMOCK_SERVER", "localhost")
        .env("CAPTUREMOCK_MODE", "1")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("CAPTUREMOCK_SERVER=\"localhost\" is not host:port"),
        "{}",
        text(&output.stderr)
    );
}
