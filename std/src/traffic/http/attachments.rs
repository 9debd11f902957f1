//! Files that travel over HTTP: the file parts of a multipart request and attachment
//! responses. Their bytes are kept out of the record: they are stored in the record edit
//! directory (`-F DIR`) and the record shows `<File Contents for NAME>` (spec section 2);
//! replay reads them back from the replay edit directory (`-f DIR`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// How a stored file appears in the record.
const PLACEHOLDER_START: &str = "<File Contents for ";
const PLACEHOLDER_END: &str = ">";

/// The placeholder for a file stored as `name`.
pub fn placeholder(name: &str) -> String {
    format!("{PLACEHOLDER_START}{name}{PLACEHOLDER_END}")
}

/// The name in a placeholder, when `text` is one.
pub fn placeholder_name(text: &str) -> Option<&str> {
    text.strip_prefix(PLACEHOLDER_START)?
        .strip_suffix(PLACEHOLDER_END)
}

/// The edit directories of a run and the names used in it.
#[derive(Debug, Default)]
pub struct Attachments {
    /// `-F`: where files are stored when recording.
    record_dir: Option<PathBuf>,
    /// `-f`: where they are read from when replaying.
    replay_dir: Option<PathBuf>,
    /// How often each name was stored in this run: the second different content under a
    /// name is stored as `NAME.edit_2`, and so on (the reference's naming).
    uses: Mutex<HashMap<String, u32>>,
}

impl Attachments {
    /// The directories of a run.
    pub fn new(record_dir: Option<PathBuf>, replay_dir: Option<PathBuf>) -> Self {
        Attachments {
            record_dir,
            replay_dir,
            uses: Mutex::new(HashMap::new()),
        }
    }

    /// Stores `contents` as `name` and returns the name the record shows.
    ///
    /// A file already stored under `name` with the same contents is used as it is. Without
    /// `-F` nothing is stored (the reference fails), and the name is recorded all the same,
    /// so that the request still matches its recording.
    pub fn store(&self, name: &str, contents: &[u8]) -> String {
        let Some(dir) = &self.record_dir else {
            tracing::warn!(
                "file {name:?} sent over HTTP is not stored: give a record edit directory with -F"
            );
            return name.to_string();
        };
        if std::fs::read(dir.join(name)).is_ok_and(|old| old == contents) {
            return name.to_string();
        }
        let stored = {
            let mut uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
            let count = uses.entry(name.to_string()).or_insert(0);
            *count += 1;
            match *count {
                1 => name.to_string(),
                n => format!("{name}.edit_{n}"),
            }
        };
        let written =
            std::fs::create_dir_all(dir).and_then(|()| std::fs::write(dir.join(&stored), contents));
        if let Err(e) = written {
            tracing::error!("cannot store file {stored:?} in {}: {e}", dir.display());
        }
        stored
    }

    /// The contents of file `name` from the replay edit directory.
    pub fn load(&self, name: &str) -> Option<Vec<u8>> {
        let dir = self.replay_dir.as_ref()?;
        match std::fs::read(dir.join(name)) {
            Ok(contents) => Some(contents),
            Err(e) => {
                tracing::error!("cannot replay file {name:?} from {}: {e}", dir.display());
                None
            }
        }
    }
}

/// The value of `variable=` in a header value such as `form-data; name="f"; filename="a.txt"`
/// (up to the next `;`, without surrounding quotes), as the reference reads it.
pub fn header_variable<'v>(value: &'v str, variable: &str) -> Option<&'v str> {
    let key = format!("{variable}=");
    let start = value.find(&key)? + key.len();
    let rest = &value[start..];
    let raw = rest.find(';').map_or(rest, |end| &rest[..end]);
    Some(
        raw.strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw),
    )
}

/// The name an attachment response is stored under: the `filename` of a
/// `Content-Disposition: attachment;`, or the last path segment of a `.zip` path served as
/// `application/zip`.
pub fn attachment_name<'h>(target: &'h str, headers: &'h [(String, String)]) -> Option<&'h str> {
    // The last value of a name counts, as in the reference's dictionary.
    let last = |wanted: &str| {
        headers
            .iter()
            .rev()
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|(_, value)| value.as_str())
    };
    if let Some(disposition) = last("Content-Disposition").filter(|d| d.starts_with("attachment;"))
    {
        return header_variable(disposition, "filename").filter(|f| !f.is_empty());
    }
    if last("Content-Type") == Some("application/zip") && target.ends_with(".zip") {
        return target.rsplit('/').next();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_read_as_the_reference_reads_them() {
        assert_eq!(
            header_variable("form-data; name=\"f\"; filename=\"a.txt\"", "filename"),
            Some("a.txt")
        );
        assert_eq!(
            header_variable("multipart/form-data; boundary=xyz", "boundary"),
            Some("xyz")
        );
        assert_eq!(
            header_variable("attachment; filename=r.csv; size=3", "filename"),
            Some("r.csv")
        );
        assert_eq!(header_variable("inline", "filename"), None);
    }

    #[test]
    fn attachments_are_named_by_disposition_or_zip_path() {
        let h = |n: &str, v: &str| (n.to_string(), v.to_string());
        assert_eq!(
            attachment_name(
                "/x",
                &[h("Content-Disposition", "attachment; filename=\"r.csv\"")]
            ),
            Some("r.csv")
        );
        assert_eq!(
            attachment_name("/d/b.zip", &[h("Content-Type", "application/zip")]),
            Some("b.zip")
        );
        assert_eq!(
            attachment_name("/d/b", &[h("Content-Type", "application/zip")]),
            None
        );
        assert_eq!(
            attachment_name("/x", &[h("Content-Disposition", "inline; filename=a")]),
            None
        );
    }

    #[test]
    fn a_second_content_under_a_name_gets_the_next_edit_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Attachments::new(
            Some(dir.path().to_path_buf()),
            Some(dir.path().to_path_buf()),
        );
        assert_eq!(store.store("a.txt", b"one"), "a.txt");
        assert_eq!(store.store("a.txt", b"one"), "a.txt");
        assert_eq!(store.store("a.txt", b"two"), "a.txt.edit_2");
        assert_eq!(store.load("a.txt.edit_2").unwrap(), b"two");
        assert_eq!(placeholder_name(&placeholder("a b")), Some("a b"));
    }
}
