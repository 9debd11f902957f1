//! rc files (`-R a.rc,b.rc`, default `~/.capturemock/config`) read with the semantics of
//! Python's `ConfigParser(strict=False)` as the reference uses it.
//!
//! Hand-written: no crate reproduces ConfigParser exactly (universal newlines, indentation
//! continuations that keep blank lines, `[DEFAULT]` fallback, `%(name)s` interpolation done at
//! lookup time, Python's notion of white space). The rules followed, all checked against Python
//! by the differential tests in `tests/rc_alterations/`:
//! - `[section]` headers are case-sensitive; everything up to the last `]` is the name.
//! - `key = value` or `key: value` (the first `=` or `:` splits); keys are lower-cased;
//!   values are stripped; an empty value is allowed.
//! - Full-line comments start with `#` or `;`; there are no inline comments.
//! - A line indented deeper than its key line continues the value; blank lines inside a value
//!   are kept, trailing ones dropped.
//! - `[DEFAULT]` values are visible in every section; `[DEFAULT]` itself is not a section.
//! - `%%` is `%`, `%(name)s` is the value of `name` in the same section or `[DEFAULT]`.
//! - Duplicate sections and keys merge, the later value winning; later files override earlier.

mod error;
mod general;
mod interpolate;
mod parse;

pub use error::{Origin, RcError, RcWarning};
pub use general::{GeneralSettings, RemoteAccess};

pub(crate) use parse::py_strip;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name of ConfigParser's default section.
pub const DEFAULT_SECTION: &str = "DEFAULT";

/// One key of a section.
#[derive(Clone, Debug)]
struct Entry {
    /// Lower-cased, as ConfigParser's `optionxform` makes it.
    key: String,
    /// The raw (not yet interpolated) value.
    value: String,
    /// Where the value was last set: a file and line, or `<set at run time>` for
    /// [`RcConfig::set`]. Errors about the value point there.
    origin: Origin,
    /// Lines of a value still being read from the current file.
    /// `None` once joined, and for values given to [`RcConfig::set`].
    lines: Option<Vec<String>>,
}

/// A section's keys in the order they first appeared (ConfigParser's dict order), which
/// `keys` and `items` report. Searched linearly: sections hold a handful of keys.
#[derive(Clone, Debug, Default)]
struct Section {
    entries: Vec<Entry>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// Where a parsed line goes. An index rather than a name, so the parser can keep it across
/// lines while it mutates the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// `[DEFAULT]`: apart from the sections, since it is not one (`has_section` says no) yet
    /// every section sees its keys.
    Defaults,
    Section(usize),
}

/// Loaded rc files: sections of `key = value` options.
#[derive(Clone, Debug, Default)]
pub struct RcConfig {
    /// `[DEFAULT]`'s keys.
    defaults: Section,
    /// The sections in order of first appearance, which [`sections`](Self::sections) reports.
    sections: Vec<(String, Section)>,
    /// Section name to position in `sections`.
    index: HashMap<String, usize>,
    /// Collected rather than printed: the caller decides how to show them.
    warnings: Vec<RcWarning>,
    files: Vec<PathBuf>,
}

impl RcConfig {
    /// An empty configuration (every option at its default).
    pub fn new() -> Self {
        Self::default()
    }

    /// `~/.capturemock/config`, where the reference looks when no rc file is given.
    /// `None` when the home directory is unknown.
    /// (`HOME` unset or empty): then there is no default file, rather than one relative to the
    /// working directory.
    pub fn default_path() -> Option<PathBuf> {
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
        Some(PathBuf::from(home).join(".capturemock").join("config"))
    }

    /// Reads `paths` in order, later files overriding earlier ones. A path that does not
    /// exist is skipped with a warning (see [`warnings`](Self::warnings)), as the reference
    /// does; a file that exists but cannot be read or parsed is an error.
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<RcConfig, RcError> {
        let mut config = RcConfig::new();
        for path in paths {
            let path = path.as_ref();
            if !path.is_file() {
                config
                    .warnings
                    .push(RcWarning::MissingFile(path.to_path_buf()));
                continue;
            }
            config.add_file(path)?;
        }
        Ok(config)
    }

    /// What the reference reads for `-R`: the given files, or the default file when none
    /// are given.
    pub fn load_or_default<P: AsRef<Path>>(paths: &[P]) -> Result<RcConfig, RcError> {
        if paths.is_empty() {
            Self::load_default()
        } else {
            Self::load(paths)
        }
    }

    /// Reads [`default_path`](Self::default_path) if it exists (silently nothing otherwise).
    pub fn load_default() -> Result<RcConfig, RcError> {
        let mut config = RcConfig::new();
        if let Some(path) = Self::default_path().filter(|p| p.is_file()) {
            config.add_file(&path)?;
        }
        Ok(config)
    }

    /// Reads one more file on top of this configuration.
    /// A UTF-8 byte-order mark is skipped with a warning (the reference refuses such a file);
    /// text that is not UTF-8 is an error naming the line.
    pub fn add_file(&mut self, path: &Path) -> Result<(), RcError> {
        let bytes = std::fs::read(path).map_err(|source| RcError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut text = std::str::from_utf8(&bytes).map_err(|e| RcError::NotUtf8 {
            path: path.to_path_buf(),
            line: 1 + bytes
                .get(..e.valid_up_to())
                .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count()),
        })?;
        if let Some(rest) = text.strip_prefix('\u{feff}') {
            self.warnings
                .push(RcWarning::ByteOrderMark(path.to_path_buf()));
            text = rest;
        }
        self.read_text(text, Arc::from(path.display().to_string()))?;
        self.files.push(path.to_path_buf());
        Ok(())
    }

    /// Parses rc text held in memory; `source` names it in errors.
    pub fn add_str(&mut self, text: &str, source: &str) -> Result<(), RcError> {
        self.read_text(text, Arc::from(source))
    }

    /// Parses rc text held in memory into a new configuration.
    pub fn from_str_named(text: &str, source: &str) -> Result<RcConfig, RcError> {
        let mut config = RcConfig::new();
        config.add_str(text, source)?;
        Ok(config)
    }

    /// Warnings collected while loading (missing files, byte-order marks).
    pub fn warnings(&self) -> &[RcWarning] {
        &self.warnings
    }

    /// Files read successfully, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Section names in the order they first appeared (`[DEFAULT]` is not one of them).
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(name, _)| name.as_str())
    }

    /// Whether `[section]` exists. `[DEFAULT]` does not count, as in ConfigParser.
    pub fn has_section(&self, section: &str) -> bool {
        self.index.contains_key(section)
    }

    /// Whether `key` is set in `[section]` or in `[DEFAULT]` (false if the section is missing;
    /// for `DEFAULT` or an empty name, whether `[DEFAULT]` has it).
    pub fn has_option(&self, section: &str, key: &str) -> bool {
        let key = key.to_lowercase();
        if section.is_empty() || section == DEFAULT_SECTION {
            return self.defaults.get(&key).is_some();
        }
        match self.section(section) {
            None => false,
            Some(s) => s.get(&key).is_some() || self.defaults.get(&key).is_some(),
        }
    }

    /// The value of `key` in `[section]` (or `[DEFAULT]`) with `%` interpolation done.
    /// `Ok(None)` when the section or key is missing.
    pub fn get(&self, section: &str, key: &str) -> Result<Option<String>, RcError> {
        let key = key.to_lowercase();
        let Some(entry) = self.lookup(section, &key) else {
            return Ok(None);
        };
        self.interpolate(section, &key, entry).map(Some)
    }

    /// The value of `key` without interpolation, and where it was defined.
    pub fn get_raw(&self, section: &str, key: &str) -> Option<(&str, &Origin)> {
        self.lookup(section, &key.to_lowercase())
            .map(|e| (e.value.as_str(), &e.origin))
    }

    /// Where `key` of `[section]` (or `[DEFAULT]`) was defined.
    pub fn origin(&self, section: &str, key: &str) -> Option<&Origin> {
        self.get_raw(section, key).map(|(_, o)| o)
    }

    /// The reference's `RcFileHandler.get`: the value from the first of `sections` that
    /// exists and has `key` (directly or through `[DEFAULT]`).
    pub fn get_first(&self, key: &str, sections: &[&str]) -> Result<Option<String>, RcError> {
        match self.first_section_with(key, sections) {
            Some(section) => self.get(section, key),
            None => Ok(None),
        }
    }

    /// The reference's `RcFileHandler.getList`: comma-separated items from EVERY one of
    /// `sections` that has `key`, concatenated, each item stripped (empty items kept).
    pub fn get_list(&self, key: &str, sections: &[&str]) -> Result<Vec<String>, RcError> {
        let mut items = Vec::new();
        for section in sections {
            if !(self.has_section(section) && self.has_option(section, key)) {
                continue;
            }
            let value = self.get(section, key)?.unwrap_or_default();
            let value = py_strip(&value);
            if !value.is_empty() {
                items.extend(value.split(',').map(|item| py_strip(item).to_string()));
            }
        }
        Ok(items)
    }

    /// The reference's `RcFileHandler.getboolean`: the first of `sections` with `key`
    /// decides; `default` when none has it. Accepts ConfigParser's spellings in any case:
    /// `1/0`, `yes/no`, `true/false`, `on/off`.
    pub fn get_bool(&self, key: &str, sections: &[&str], default: bool) -> Result<bool, RcError> {
        let Some(section) = self.first_section_with(key, sections) else {
            return Ok(default);
        };
        let value = self.get(section, key)?.unwrap_or_default();
        match value.to_lowercase().as_str() {
            "1" | "yes" | "true" | "on" => Ok(true),
            "0" | "no" | "false" | "off" => Ok(false),
            _ => Err(RcError::NotABoolean {
                at: self
                    .origin(section, key)
                    .cloned()
                    .unwrap_or_else(unknown_origin),
                section: section.to_string(),
                key: key.to_lowercase(),
                value,
            }),
        }
    }

    /// The reference's `RcFileHandler.getfloat`: the first of `sections` with `key` decides;
    /// `default` when none has it. The value is read as a decimal number (`0.2`, `1e-1`,
    /// `5`); Python's `float` also takes underscores (`1_0`), which are refused here.
    pub fn get_float(&self, key: &str, sections: &[&str], default: f64) -> Result<f64, RcError> {
        let Some(section) = self.first_section_with(key, sections) else {
            return Ok(default);
        };
        let value = self.get(section, key)?.unwrap_or_default();
        py_strip(&value)
            .parse::<f64>()
            .map_err(|_| RcError::NotANumber {
                at: self
                    .origin(section, key)
                    .cloned()
                    .unwrap_or_else(unknown_origin),
                section: section.to_string(),
                key: key.to_lowercase(),
                value,
            })
    }

    /// The keys visible in `[section]`: its own, then `[DEFAULT]`'s (for `DEFAULT`, just
    /// those). Empty when the section is missing.
    pub fn keys(&self, section: &str) -> Vec<String> {
        let own = if section == DEFAULT_SECTION {
            None
        } else {
            match self.section(section) {
                Some(s) => Some(s),
                None => return Vec::new(),
            }
        };
        let mut keys: Vec<String> = own
            .map(|s| s.entries.iter().map(|e| e.key.clone()).collect())
            .unwrap_or_default();
        for e in &self.defaults.entries {
            if !keys.contains(&e.key) {
                keys.push(e.key.clone());
            }
        }
        keys
    }

    /// All options of `[section]`, `[DEFAULT]` ones included, interpolated (the reference's
    /// `getSection`). Empty when the section is missing.
    pub fn items(&self, section: &str) -> Result<Vec<(String, String)>, RcError> {
        let Some(s) = self.section(section) else {
            return Ok(Vec::new());
        };
        let mut keys: Vec<&str> = s.entries.iter().map(|e| e.key.as_str()).collect();
        for e in &self.defaults.entries {
            if s.get(&e.key).is_none() {
                keys.push(&e.key);
            }
        }
        keys.into_iter()
            .map(|k| Ok((k.to_string(), self.get(section, k)?.unwrap_or_default())))
            .collect()
    }

    /// Adds an empty section; returns false if it already exists (the reference's
    /// `add_section`, used for id mappings).
    pub fn add_section(&mut self, section: &str) -> bool {
        if section == DEFAULT_SECTION || self.has_section(section) {
            return false;
        }
        self.open_section(section);
        true
    }

    /// Sets `key` in `[section]` (or `[DEFAULT]`). The value is stored raw: `%` in it is
    /// interpolated on lookup like any other.
    pub fn set(&mut self, section: &str, key: &str, value: &str) -> Result<(), RcError> {
        let target = if section == DEFAULT_SECTION {
            Target::Defaults
        } else {
            Target::Section(
                *self
                    .index
                    .get(section)
                    .ok_or_else(|| RcError::NoSection(section.to_string()))?,
            )
        };
        let origin = unknown_origin();
        self.set_entry(
            target,
            &key.to_lowercase(),
            value.to_string(),
            origin,
            false,
        );
        Ok(())
    }

    /// The first of `sections` that exists and has `key`, its own or through `[DEFAULT]`: the
    /// reference asks its sections in order and takes the first that answers.
    fn first_section_with<'s>(&self, key: &str, sections: &[&'s str]) -> Option<&'s str> {
        sections
            .iter()
            .copied()
            .find(|s| self.has_section(s) && self.has_option(s, key))
    }

    /// A section by name; never `[DEFAULT]`, which is not in the index.
    fn section(&self, name: &str) -> Option<&Section> {
        self.index
            .get(name)
            .and_then(|&i| self.sections.get(i))
            .map(|(_, s)| s)
    }

    /// ConfigParser's lookup chain: the section, then `[DEFAULT]`. Asking for `DEFAULT`
    /// itself gives the defaults.
    fn lookup(&self, section: &str, key: &str) -> Option<&Entry> {
        if section == DEFAULT_SECTION {
            return self.defaults.get(key);
        }
        self.section(section)?
            .get(key)
            .or_else(|| self.defaults.get(key))
    }

    /// The target of a `[name]` header: `[DEFAULT]`, the existing section of that name (strict
    /// mode off, so a repeated section merges into the first), or a new one.
    fn open_section(&mut self, name: &str) -> Target {
        if name == DEFAULT_SECTION {
            return Target::Defaults;
        }
        if let Some(&i) = self.index.get(name) {
            return Target::Section(i);
        }
        self.sections.push((name.to_string(), Section::default()));
        let i = self.sections.len() - 1;
        self.index.insert(name.to_string(), i);
        Target::Section(i)
    }

    fn section_mut(&mut self, target: Target) -> Option<&mut Section> {
        match target {
            Target::Defaults => Some(&mut self.defaults),
            Target::Section(i) => self.sections.get_mut(i).map(|(_, s)| s),
        }
    }

    fn entry_mut(&mut self, target: Target, key: &str) -> Option<&mut Entry> {
        self.section_mut(target)?
            .entries
            .iter_mut()
            .find(|e| e.key == key)
    }

    /// Stores a value, keeping the key's first position when it is overwritten.
    /// `pending` marks a value read from a file, which may still get continuation lines.
    fn set_entry(
        &mut self,
        target: Target,
        key: &str,
        value: String,
        origin: Origin,
        pending: bool,
    ) {
        let lines = pending.then(|| vec![value.clone()]);
        let Some(section) = self.section_mut(target) else {
            return;
        };
        match section.entries.iter_mut().find(|e| e.key == key) {
            Some(entry) => {
                entry.value = value;
                entry.origin = origin;
                entry.lines = lines;
            }
            None => section.entries.push(Entry {
                key: key.to_string(),
                value,
                origin,
                lines,
            }),
        }
    }
}

/// The origin of values set by the program rather than read from a file.
fn unknown_origin() -> Origin {
    Origin {
        source: Arc::from("<set at run time>"),
        line: 0,
    }
}

#[cfg(test)]
mod tests;
