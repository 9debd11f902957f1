//! File edits (`->FIL:`, `-F DIR`, `-f DIR`) against the reference: the same edits give the
//! same edit directory, and each tool's edit directory replays with the other.
//!
//! One working directory is used for every phase (reset in between), so that absolute paths
//! in the commands and in link targets are the same for both tools:
//! 1. the reference records a script of commands that edit files (`-m 1 -F ref-store`);
//! 2. we run the same commands for real around our `Snapshot` and store into `our-store`;
//! 3. the two stores and the `->FIL:` names must agree, except that we also keep the edit to
//!    `out2` that the reference loses beside `out`;
//! 4. the reference replays its own store (`-m 0 -f ref-store`), and our `restore` replays
//!    the same record file from the same store: same tree;
//! 5. our `restore` replays our store into the tree the real commands left; the reference,
//!    given a record file carrying our names, does too, except that it puts the `out2` edit
//!    into `out` (its candidates do not include `out2`).

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use capturemock::file_edits::{restore, AsyncWatch, Candidates, EditStore, IgnoreList, Snapshot};

const RC: &str = "[command line]\nintercepts = edit\n";
const ASYNC_RC: &str = "[command line]\nintercepts = edit\nasynchronous = true\n";

/// The intercepted command: its first argument picks the edit, the rest are what it names.
const EDIT: &str = r#"#!/bin/sh
set -e
case "$1" in
  @tree)
    echo new > tree/new.txt
    echo more >> tree/a.txt
    mkdir -p tree/sub/deep
    echo c > tree/sub/deep/c.txt
    rm tree/gone.txt
    rm -r tree/olddir
    ln -s a.txt tree/link
    ln -s "$PWD/tree/sub" tree/abslink
    ln -s /nonexistent/target tree/outlink ;;
  @file) echo more >> file.txt ;;
  @again) echo again >> tree/new.txt ;;
  @doomed) rm -r doomed ;;
  @pair) echo 1 > out/f; echo 2 > out2/g ;;
  @abs) dir=${2#--into=}; mkdir -p "$dir"; echo made > "$dir/m" ;;
  @bg) (while [ ! -e go ]; do sleep 0.02; done; echo late > victim/late) >/dev/null 2>&1 & ;;
  @rm) rm -r victim/d ;;
esac
echo "done $1"
"#;

/// The commands, as arguments after `edit`; `{W}` is the working directory.
const COMMANDS: &[&[&str]] = &[
    &["@tree", "tree"],
    &["@file", "file.txt"],
    &["@again", "tree"],
    &["@doomed", "doomed"],
    &["@pair", "out", "out2"],
    &["@abs", "--into={W}/newdir/made"],
];

/// Commands of an asynchronous run. After `@bg` returns, the script lets its background
/// edit happen (`touch go`) and waits for it, so it falls between two requests.
const ASYNC_COMMANDS: &[&[&str]] = &[
    &["@noop", "victim"],
    &["@bg", "victim"],
    &["@rm", "victim"],
    &["@noop"],
];
const AFTER_BG: &str = "touch go; while [ ! -e victim/late ]; do sleep 0.02; done";

/// The working directory before the commands run. Times are old, so that the reference's
/// whole seconds see every edit (each also changes a size).
fn reset(w: &Path) {
    let _ = fs::remove_dir_all(w);
    for d in ["tree/sub", "tree/olddir/inner", "doomed/d", "out", "out2"] {
        fs::create_dir_all(w.join(d)).unwrap();
    }
    for (f, text) in [
        ("tree/a.txt", "a\n"),
        ("tree/gone.txt", "g\n"),
        ("tree/olddir/inner/o", "o\n"),
        ("tree/sub/b.txt", "b\n"),
        ("file.txt", "f\n"),
        ("doomed/d/f", "d\n"),
    ] {
        fs::write(w.join(f), text).unwrap();
        let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        fs::File::options()
            .write(true)
            .open(w.join(f))
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
}

/// Files, links and directories under `dir`, relative, with content, target or `<dir>`.
fn listing(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).unwrap();
                out.insert(rel, format!("-> {}", target.display()));
            } else if meta.is_dir() {
                out.insert(rel, "<dir>".into());
                walk(root, &path, out);
            } else {
                out.insert(rel, fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// The `->FIL:` names of each command of a record file.
fn fil_names(record: &str) -> Vec<Vec<String>> {
    let mut commands: Vec<Vec<String>> = Vec::new();
    for line in record.lines() {
        if line.starts_with("<-CMD:") {
            commands.push(Vec::new());
        } else if let Some(name) = line.strip_prefix("->FIL:") {
            commands.last_mut().unwrap().push(name.to_string());
        }
    }
    commands
}

/// `record` with each command's `->FIL:` lines replaced by `names`.
fn with_names(record: &str, names: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut command = 0;
    for line in record.lines() {
        if line.starts_with("->FIL:") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line.starts_with("<-CMD:") {
            for name in &names[command] {
                out.push_str(&format!("->FIL:{name}\n"));
            }
            command += 1;
        }
    }
    out
}

struct Setup {
    root: PathBuf,
    w: PathBuf,
    commands: Vec<Vec<OsString>>,
}

impl Setup {
    /// A scratch directory `tag` with the `edit` command, an rc file and the script.
    fn new(tag: &str, rc: &str, commands: &[&[&str]]) -> Setup {
        let root = std::env::temp_dir().join(format!(
            "capturemock-file-edits-{}-{tag}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("bin")).unwrap();
        // The shim reports its physical cwd, so every path here is physical.
        let root = fs::canonicalize(&root).unwrap();
        let w = root.join("w");
        let edit = root.join("bin/edit");
        fs::write(&edit, EDIT).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&edit, fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(root.join("rc"), rc).unwrap();
        let commands: Vec<Vec<OsString>> = commands
            .iter()
            .map(|args| {
                args.iter()
                    .map(|a| OsString::from(a.replace("{W}", &w.display().to_string())))
                    .collect()
            })
            .collect();
        let mut script = String::new();
        for args in &commands {
            let args: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            script.push_str(&format!("edit {}\n", args.join(" ")));
            if args[0] == "@bg" {
                script.push_str(AFTER_BG);
                script.push('\n');
            }
        }
        fs::write(root.join("script.sh"), script).unwrap();
        Setup { root, w, commands }
    }

    /// The reference's command line in the working directory.
    fn reference(&self, args: &[&str]) {
        let path = format!(
            "{}:{}",
            self.root.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let rc = self.root.join("rc");
        let script = self.root.join("script.sh");
        let output = Command::new("python3")
            .args([
                "-c",
                "import sys, capturemock; sys.exit(capturemock.commandline())",
            ])
            .args(args)
            .arg("-R")
            .arg(&rc)
            .arg("--")
            .arg("sh")
            .arg(&script)
            .current_dir(&self.w)
            .env("PATH", path)
            .env("HOME", &self.root)
            .env("PYTHONUTF8", "1")
            .env_remove("CAPTUREMOCK_SERVER")
            .env_remove("CAPTUREMOCK_MODE")
            .stdin(Stdio::null())
            .output()
            .expect("run the reference");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && !stderr.contains("Traceback"),
            "the reference failed: {stderr}"
        );
    }

    fn candidates(&self, args: &[OsString]) -> Candidates {
        let env: [&OsStr; 0] = [];
        Candidates::for_command(&self.w, &self.w, &env, args, &IgnoreList::default())
    }

    /// Our side of a recording: each command run for real around a snapshot.
    fn record_ours(&self, store_dir: &Path) -> Vec<Vec<String>> {
        let mut store = EditStore::new(Some(store_dir.to_path_buf()));
        let mut names = Vec::new();
        for args in &self.commands {
            let mut snapshot = Snapshot::take(&self.candidates(args));
            let status = Command::new(self.root.join("bin/edit"))
                .args(args)
                .current_dir(&self.w)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
            let changes = snapshot.changes();
            names.push(changes.iter().map(|c| store.store(c).unwrap()).collect());
        }
        names
    }

    /// Our side of a replay: each command's `->FIL:` names restored, in order.
    fn replay_ours(&self, store_dir: &Path, names: &[Vec<String>]) {
        for (args, names) in self.commands.iter().zip(names) {
            let candidates = self.candidates(args);
            let mut used = Vec::new();
            for name in names {
                let target = restore(store_dir, name, &candidates, &mut used).unwrap();
                assert!(target.is_some(), "{name} was dropped");
            }
        }
    }
}

impl Setup {
    /// Our side of an asynchronous recording: the watch is checked before each command, and
    /// what it finds follows the previous command's output. Each command's entries, as
    /// `FIL:<name>` and `OUT`.
    fn record_ours_async(&self, store_dir: &Path) -> Vec<Vec<String>> {
        let mut store = EditStore::new(Some(store_dir.to_path_buf()));
        let mut watch = AsyncWatch::new();
        let mut record: Vec<Vec<String>> = Vec::new();
        for args in &self.commands {
            for change in watch.check() {
                let name = store.store(&change).unwrap();
                record.last_mut().unwrap().push(format!("FIL:{name}"));
            }
            let mut snapshot = watch.snapshot(&self.candidates(args));
            let status = Command::new(self.root.join("bin/edit"))
                .args(args)
                .current_dir(&self.w)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
            let mut entries: Vec<String> = snapshot
                .changes()
                .iter()
                .map(|c| format!("FIL:{}", store.store(c).unwrap()))
                .collect();
            entries.push("OUT".into());
            record.push(entries);
            watch.keep(true, snapshot);
            if args[0] == "@bg" {
                let status = Command::new("sh")
                    .args(["-c", AFTER_BG])
                    .current_dir(&self.w)
                    .status()
                    .unwrap();
                assert!(status.success());
            }
        }
        record
    }
}

/// Each command's `->FIL:` and `->OUT:` entries of a record file, as `FIL:<name>` and `OUT`.
fn fil_and_out(record: &str) -> Vec<Vec<String>> {
    let mut commands: Vec<Vec<String>> = Vec::new();
    for line in record.lines() {
        if line.starts_with("<-CMD:") {
            commands.push(Vec::new());
        } else if let Some(name) = line.strip_prefix("->FIL:") {
            commands.last_mut().unwrap().push(format!("FIL:{name}"));
        } else if line.starts_with("->OUT:") {
            commands.last_mut().unwrap().push("OUT".into());
        }
    }
    commands
}

/// Whether the reference can run (see the harness).
fn reference_available() -> bool {
    crate::server::harness::reference_available("file edit comparison")
}

#[test]
fn edit_directories_match_and_replay_across_tools() {
    if !reference_available() {
        return;
    }
    let s = Setup::new("sync", RC, COMMANDS);
    let ref_store = s.root.join("ref-store");
    let our_store = s.root.join("our-store");
    let ref_record = s.root.join("ref.mock");
    let our_record = s.root.join("ours.mock");

    // 1. The reference records.
    reset(&s.w);
    s.reference(&[
        "-m",
        "1",
        "-r",
        ref_record.to_str().unwrap(),
        "-F",
        ref_store.to_str().unwrap(),
    ]);
    let edited = listing(&s.w);
    let record = fs::read_to_string(&ref_record).unwrap();
    let ref_names = fil_names(&record);

    // 2. We record the same commands.
    reset(&s.w);
    let our_names = s.record_ours(&our_store);
    assert_eq!(
        listing(&s.w),
        edited,
        "the commands did the same both times"
    );

    // 3. Same names and the same stored files, plus `out2`, which the reference drops as a
    // "sub-path" of `out`.
    let strings = |v: &[&[&str]]| -> Vec<Vec<String>> {
        v.iter()
            .map(|names| names.iter().map(|n| n.to_string()).collect())
            .collect()
    };
    assert_eq!(
        ref_names,
        strings(&[
            &["tree"],
            &["file.txt"],
            &["tree.edit_2"],
            &["doomed"],
            &["out"],
            &["made"]
        ])
    );
    assert_eq!(
        our_names,
        strings(&[
            &["tree"],
            &["file.txt"],
            &["tree.edit_2"],
            &["doomed"],
            &["out2", "out"],
            &["made"]
        ])
    );
    let mut expected_store = listing(&ref_store);
    expected_store.insert("out2".into(), "<dir>".into());
    expected_store.insert("out2/g".into(), "2\n".into());
    assert_eq!(listing(&our_store), expected_store);
    // The markers are there to compare at all.
    let stored = listing(&ref_store);
    assert_eq!(stored["tree/gone.txt.CAPTUREMOCK_DELETION"], "");
    assert_eq!(stored["tree/olddir.CAPTUREMOCK_DELETION"], "");
    assert_eq!(stored["doomed.CAPTUREMOCK_DELETION"], "");
    assert_eq!(stored["tree/link.CAPTUREMOCK_SYMLINK"], "a.txt\n");
    assert_eq!(stored["tree/abslink.CAPTUREMOCK_SYMLINK"], "sub\n");
    assert_eq!(
        stored["tree/outlink.CAPTUREMOCK_SYMLINK"],
        "/nonexistent/target\n"
    );

    // 4. The reference's store replayed by the reference and by us.
    reset(&s.w);
    s.reference(&[
        "-m",
        "0",
        "-p",
        ref_record.to_str().unwrap(),
        "-f",
        ref_store.to_str().unwrap(),
    ]);
    let replayed_by_reference = listing(&s.w);
    reset(&s.w);
    s.replay_ours(&ref_store, &ref_names);
    assert_eq!(listing(&s.w), replayed_by_reference);

    // 5. Our store, with our names, replayed by us: the tree the real commands left, links
    // inside their own directory made relative.
    let mut expected = edited.clone();
    expected.insert("tree/abslink".into(), "-> sub".into());
    reset(&s.w);
    s.replay_ours(&our_store, &our_names);
    assert_eq!(listing(&s.w), expected);
    // And by the reference: the same, except for `out2`. Its candidates for `edit @pair out
    // out2` are only `out`, so the score rule sends `->FIL:out2` there (common prefix 3).
    fs::write(&our_record, with_names(&record, &our_names)).unwrap();
    reset(&s.w);
    s.reference(&[
        "-m",
        "0",
        "-p",
        our_record.to_str().unwrap(),
        "-f",
        our_store.to_str().unwrap(),
    ]);
    let mut expected_by_reference = expected.clone();
    expected_by_reference.remove("out2/g");
    expected_by_reference.insert("out/g".into(), "2\n".into());
    assert_eq!(listing(&s.w), expected_by_reference);
    // From its own recording the reference loses the edit to out2 altogether.
    assert_eq!(replayed_by_reference.get("out2/g"), None);

    let _ = fs::remove_dir_all(&s.root);
}

#[test]
fn asynchronous_edits_match_the_reference() {
    if !reference_available() {
        return;
    }
    let s = Setup::new("async", ASYNC_RC, ASYNC_COMMANDS);
    let reset = |w: &Path| {
        let _ = fs::remove_dir_all(w);
        fs::create_dir_all(w.join("victim/d")).unwrap();
        fs::write(w.join("victim/d/f"), "v\n").unwrap();
    };
    let ref_store = s.root.join("ref-store");
    let our_store = s.root.join("our-store");
    let ref_record = s.root.join("ref.mock");
    reset(&s.w);
    s.reference(&[
        "-m",
        "1",
        "-r",
        ref_record.to_str().unwrap(),
        "-F",
        ref_store.to_str().unwrap(),
    ]);
    let theirs = fil_and_out(&fs::read_to_string(&ref_record).unwrap());
    reset(&s.w);
    let ours = s.record_ours_async(&our_store);

    let entries = |v: &[&[&str]]| -> Vec<Vec<String>> {
        v.iter()
            .map(|e| e.iter().map(|n| n.to_string()).collect())
            .collect()
    };
    // The background edit is found before the next request and follows `@bg`'s output; the
    // removal by `@rm` precedes its own output.
    assert_eq!(
        ours,
        entries(&[
            &["OUT"],
            &["OUT", "FIL:victim"],
            &["FIL:victim.edit_2", "OUT"],
            &["OUT"],
        ])
    );
    // The reference reports that removal a second time at the next check: the watch's notes
    // still hold the removed file, since the command's copy of them forgot it but the merge
    // back does not.
    assert_eq!(
        theirs,
        entries(&[
            &["OUT"],
            &["OUT", "FIL:victim"],
            &["FIL:victim.edit_2", "OUT", "FIL:victim.edit_3"],
            &["OUT"],
        ])
    );
    let mut expected_store = listing(&our_store);
    expected_store.insert("victim.edit_3".into(), "<dir>".into());
    expected_store.insert("victim.edit_3/d.CAPTUREMOCK_DELETION".into(), "".into());
    assert_eq!(listing(&ref_store), expected_store);
    assert_eq!(listing(&our_store)["victim/late"], "late\n");

    let _ = fs::remove_dir_all(&s.root);
}
