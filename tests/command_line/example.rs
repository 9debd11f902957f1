//! `examples/command_line/`: the release script's git calls replay from `git.mock` with no
//! git on `PATH`, as the README's table of what can be captured promises.

use std::process::Command;

use crate::server::harness::{binary, scratch};

#[test]
fn the_release_script_replays_without_git() {
    // Only a shell on PATH: git would not be found if the shim did not answer for it.
    let scratch = scratch("command_line_example");
    let bin = scratch.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let sh = ["/bin/sh", "/usr/bin/sh"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("a shell");
    std::os::unix::fs::symlink(sh, bin.join("sh")).unwrap();

    let dir = "examples/command_line";
    let output = Command::new(binary())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", &bin)
        .env_remove("CAPTUREMOCK_MODE")
        .args(["-m", "0", "-p", &format!("{dir}/git.mock")])
        .args(["-R", &format!("{dir}/git.rc"), "--", "sh"])
        .arg(format!("{dir}/release.sh"))
        .output()
        .expect("run capturemock");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "release notes for 43937b265a8d:\n\
         - ARCHITECTURE: the command tree, completions and man page; tests/completions\n"
    );
}
