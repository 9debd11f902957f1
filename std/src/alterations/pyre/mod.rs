//! Python `re` semantics on top of fancy-regex: patterns are parsed with Python's rules and
//! rewritten into an equivalent fancy-regex pattern (module `emit`); `sub` is implemented here
//! with Python 3.7+'s handling of empty matches, which no Rust crate follows.
//!
//! Checked against Python 3.11 by `tests/rc_alterations/`. What the translation takes care of:
//! Python's `\w` (letters, numbers, `_`; no marks), `\d`, `\s` (with U+001C..U+001F), `\b`
//! and `\B` (never in an empty string); `$` before a final newline and `\Z` as the absolute
//! end; `{` as a literal unless it forms a quantifier; `[`, `&&`, `--`, `~~` as literals in
//! sets; escapes that mean something else to the engine (`\<`, `\>`) or that Python refuses
//! (`\p`, `\z`, `\G`, `\K`, `\h`, `\e`, `\R`, `\g` in patterns, `(?<name>...)`); octal and
//! fixed-length `\x`/`\u`/`\U` escapes; lone surrogates; repeats of zero-width items; group
//! references (forward, open, unknown) and fixed-width look-behinds checked as Python does;
//! verbose mode; Python's case-insensitive equivalence of i, I, U+0130 and U+0131; ASCII-only
//! case folding under `(?a)`; and, in `sub`, Python's empty-match rules.
//!
//! What it cannot match:
//! - captures of a final repetition that matched empty (`(a|)*` on `aa`: Python's group 1 is
//!   empty, ours `a`); [`PyRegex::has_empty_repeat_captures`] tells, and alterations warn;
//! - case-insensitive back-references match only text of the same UTF-8 length and compare
//!   by simple case folding (Python: lower-case forms), so `k` and KELVIN SIGN differ, and
//!   `σ` and `ς` agree; under `(?a)` they still fold beyond ASCII;
//! - `\N{name}` is refused (no name table here);
//! - Unicode versions: Python 3.11 has Unicode 14, the engine a newer one;
//! - engine limits: a very large bounded repeat (`a{1,4000000000}`) is refused at compile time,
//!   and matching gives up ([`MatchError`]) where Python would carry on: a search that
//!   backtracks more than a million steps, or a substitution whose searches together
//!   backtrack more than its budget (see [Bounds](#bounds)).
//!
//! # Bounds
//! Patterns the engine cannot run on its automata alone (look-arounds, back-references and
//! whatever contains them) run on a backtracking machine, which can take exponential time.
//! Two limits keep every call finite, in steps the engine counts (backtracks):
//! - one search: at most [`SEARCH_LIMIT`] (1,000,000) steps;
//! - one substitution (`sub`, one search per match): at most [`SUB_BUDGET`] (4,000,000)
//!   plus [`SUB_BUDGET_PER_BYTE`] (100) per byte of text, beyond the first
//!   [`TIERS`]`[0]` (1,000) steps of each search, which are free (a substitution runs at
//!   most one search per character, so these add at most 1,000 per byte). Without this
//!   budget, a pattern that backtracks almost a million steps before each match took
//!   seconds per few kilobytes of text (found writing the `pyre` fuzz target).
//!
//! The engine does not tell how many steps a search took, so a search is tried with the
//! limits of [`TIERS`] in turn (the larger engines are built on first need) and charged the
//! limit it finished within. Searches of ordinary patterns that find their match within about
//! a thousand characters finish within the first tier and are never charged; a longer scan
//! to a sparse match costs about one step a character and is charged at most 32 times that,
//! which the per-byte allowance covers. The budget only ends substitutions that would run for
//! seconds.

mod ast;
mod emit;
mod parse;
mod template;

pub use parse::PatternError;
pub use template::{Template, TemplateError};

use fancy_regex::{Captures, RegexBuilder, RegexInput, RuntimeError};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Why a pattern that Python accepts still cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// Python itself would refuse the pattern.
    #[error(transparent)]
    Syntax(#[from] PatternError),
    /// The engine refused the translated pattern (typically a repeat count too large
    /// for it).
    #[error("the regex engine cannot build this pattern: {0}")]
    Engine(String),
}

/// Backtracking limits a search is tried with, smallest first: a search that exceeds one is
/// run again with the next (see [Bounds](self#bounds)).
pub const TIERS: [usize; 3] = [1_000, 32_000, SEARCH_LIMIT];
/// Most backtracking steps of one search.
pub const SEARCH_LIMIT: usize = 1_000_000;
/// Backtracking steps one substitution may be charged, plus [`SUB_BUDGET_PER_BYTE`] per byte
/// of its text.
pub const SUB_BUDGET: usize = 4_000_000;
/// See [`SUB_BUDGET`].
pub const SUB_BUDGET_PER_BYTE: usize = 100;

/// A search that ran into the engine's backtracking limit, or a substitution that ran out of
/// its budget (Python would keep going).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("matching gave up: {0}")]
pub struct MatchError(pub String);

/// A compiled Python regular expression.
/// It holds up to six engines for the one translated pattern: three backtracking limits
/// ([`TIERS`]), each for any match and for non-empty matches only. Only the first is built
/// by [`new`](Self::new); the others are built on first need and then shared, so a pattern
/// that never backtracks much costs one engine.
#[derive(Clone, Debug)]
pub struct PyRegex {
    /// The Python pattern as written, for messages and for finding duplicate alterations.
    pattern: String,
    /// Number of capturing groups, which templates are checked against.
    groups: usize,
    /// Named groups and their numbers, for `\g<name>` in templates.
    names: HashMap<String, usize>,
    /// The engine with the smallest backtracking limit ([`TIERS`]`[0]`).
    regex: fancy_regex::Regex,
    /// The engines with the larger limits, built on first need.
    larger: [OnceLock<Option<fancy_regex::Regex>>; 2],
    /// The same pattern, refusing empty matches, for each tier: used right after an empty
    /// match, where Python wants a non-empty match at the same place before moving on. Built
    /// on first use (building costs as much as the main regex, and most texts never need it).
    not_empty: [OnceLock<Option<fancy_regex::Regex>>; 3],
    /// The fancy-regex pattern, kept to build the other engines from when first needed.
    translated: String,
    /// See [`PyRegex::has_empty_repeat_captures`]; computed once from the parsed pattern.
    empty_repeat_captures: bool,
    /// Text every match contains: when a text lacks it there is nothing to replace.
    required: Option<String>,
}

/// One match: the spans of the whole match and of each group.
/// It borrows the text searched, so a replacement reads its groups without copying them.
pub(crate) struct PyMatch<'t> {
    /// The engine's captures; their group numbers are Python's, since the translation keeps them.
    caps: Captures<'t, str>,
}

impl<'t> PyMatch<'t> {
    /// The text of group `i` (0 = the whole match); `None` if it did not take part.
    pub(crate) fn group(&self, i: usize) -> Option<&'t str> {
        self.caps.get(i).map(|m| m.as_str())
    }
}

impl PyRegex {
    /// Compiles `pattern` as Python's `re.compile(pattern)` would.
    pub fn new(pattern: &str) -> Result<PyRegex, CompileError> {
        Self::with_flags(pattern, parse::Flags::default())
    }

    /// `re.compile(pattern, re.DOTALL)`, as the reference compiles `id_pattern_client`.
    pub fn new_dotall(pattern: &str) -> Result<PyRegex, CompileError> {
        Self::with_flags(pattern, parse::Flags::DOTALL)
    }

    /// Parses, translates and builds the engine of the first tier; the others are built on
    /// first need. The engine refusing the translation (a repeat count too large for it) is
    /// [`CompileError::Engine`].
    fn with_flags(pattern: &str, flags: parse::Flags) -> Result<PyRegex, CompileError> {
        let parsed = parse::parse(pattern, flags)?;
        let translated = emit::emit(&parsed.node, &parsed.group_widths);
        let engine = |e: fancy_regex::Error| CompileError::Engine(e.to_string());
        let regex = RegexBuilder::new(&translated)
            .backtrack_limit(TIERS[0])
            .build()
            .map_err(engine)?;
        Ok(PyRegex {
            pattern: pattern.to_string(),
            groups: parsed.groups,
            names: parsed.names,
            regex,
            larger: Default::default(),
            not_empty: Default::default(),
            translated,
            empty_repeat_captures: ast::has_empty_repeat_captures(
                &parsed.node,
                &parsed.group_widths,
            ),
            required: ast::required_literal(&parsed.node),
        })
    }

    /// The Python pattern.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The fancy-regex pattern it was translated to.
    pub fn translated(&self) -> &str {
        &self.translated
    }

    /// Whether the pattern repeats a group that can match empty text and captures inside
    /// it: the one construct whose captures may differ from Python's (Python keeps the
    /// captures of a final repetition that matched empty, as in `(a|)*` on `aa`).
    pub fn has_empty_repeat_captures(&self) -> bool {
        self.empty_repeat_captures
    }

    /// Number of capturing groups.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Parses a replacement template against this pattern's groups.
    pub fn template(&self, template: &str) -> Result<Template, TemplateError> {
        Template::parse(template, self.groups, &self.names)
    }

    /// Python's `pattern.sub(f, text)`: every non-overlapping match, left to right, replaced
    /// by `f(match)`. After an empty match, a non-empty match at the same position is taken
    /// if there is one, else the search moves on one character (`x*` on `abxc` gives
    /// `-a-b--c-`).
    pub(crate) fn sub_with(
        &self,
        text: &str,
        mut f: impl FnMut(&PyMatch<'_>) -> String,
    ) -> Result<String, MatchError> {
        if self.required.as_deref().is_some_and(|r| !text.contains(r)) {
            return Ok(text.to_string());
        }
        let mut budget = Budget::for_text(text);
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut pos = 0;
        let mut after_empty = false;
        loop {
            let caps = if after_empty {
                let input = RegexInput::new(text).from_pos(pos).anchored(true);
                let mut found = self.search(Variant::NotEmpty, &mut budget, |re| {
                    re.captures_input(input.clone())
                })?;
                if found.is_none() {
                    let Some(c) = text.get(pos..).and_then(|rest| rest.chars().next()) else {
                        break;
                    };
                    let from = pos + c.len_utf8();
                    found = self.search(Variant::Main, &mut budget, |re| {
                        re.captures_from_pos(text, from)
                    })?;
                }
                found
            } else {
                self.search(Variant::Main, &mut budget, |re| {
                    re.captures_from_pos(text, pos)
                })?
            };
            let Some(caps) = caps else { break };
            let Some(m) = caps.get(0) else { break };
            let (start, end) = (m.start(), m.end());
            out.push_str(text.get(copied..start).unwrap_or(""));
            out.push_str(&f(&PyMatch { caps }));
            copied = end;
            after_empty = start == end;
            pos = end;
        }
        out.push_str(text.get(copied..).unwrap_or(""));
        Ok(out)
    }

    /// The engine of `variant` with backtracking limit `TIERS[tier]`; `None` when it cannot
    /// be built (if the main pattern builds, so do the others; were the not-empty variant
    /// ever refused, an empty match would simply be followed by a search one character
    /// further).
    fn engine(&self, variant: Variant, tier: usize) -> Option<&fancy_regex::Regex> {
        let build = |limit: usize, not_empty: bool| {
            RegexBuilder::new(&self.translated)
                .backtrack_limit(limit)
                .find_not_empty(not_empty)
                .build()
                .ok()
        };
        let limit = *TIERS.get(tier)?;
        match variant {
            Variant::Main if tier == 0 => Some(&self.regex),
            Variant::Main => self
                .larger
                .get(tier - 1)?
                .get_or_init(|| build(limit, false))
                .as_ref(),
            Variant::NotEmpty => self
                .not_empty
                .get(tier)?
                .get_or_init(|| build(limit, true))
                .as_ref(),
        }
    }

    /// Runs one search with the smallest limit of [`TIERS`] it finishes within, charging
    /// `budget` for the tiers beyond the first (see [Bounds](self#bounds)).
    fn search<'t>(
        &self,
        variant: Variant,
        budget: &mut Budget,
        run: impl Fn(&fancy_regex::Regex) -> fancy_regex::Result<Option<Captures<'t, str>>>,
    ) -> Result<Option<Captures<'t, str>>, MatchError> {
        let mut last = None;
        for (tier, &limit) in TIERS.iter().enumerate() {
            if tier > 0 {
                budget.charge(limit)?;
            }
            let Some(engine) = self.engine(variant, tier) else {
                return match variant {
                    Variant::NotEmpty => Ok(None),
                    Variant::Main => Err(MatchError(format!(
                        "the regex engine with backtracking limit {limit} could not be built"
                    ))),
                };
            };
            match run(engine) {
                Err(e @ fancy_regex::Error::RuntimeError(RuntimeError::BacktrackLimitExceeded)) => {
                    last = Some(e);
                }
                other => return other.map_err(|e| MatchError(e.to_string())),
            }
        }
        Err(MatchError(last.map_or_else(String::new, |e| e.to_string())))
    }

    /// Python's `pattern.match(text)`: a match anchored at the start, as the group texts
    /// (index 0 = the whole match).
    pub fn match_prefix(&self, text: &str) -> Result<Option<Vec<Option<String>>>, MatchError> {
        let input = RegexInput::new(text).anchored(true);
        // One search: bounded by the last tier's limit, no budget needed beyond it.
        let mut budget = Budget { left: usize::MAX };
        let caps = self.search(Variant::Main, &mut budget, |re| {
            re.captures_input(input.clone())
        })?;
        Ok(caps.map(|c| {
            (0..=self.groups)
                .map(|i| c.get(i).map(|m| m.as_str().to_string()))
                .collect()
        }))
    }

    /// Python's `pattern.sub(template, text)`.
    pub fn sub(&self, template: &Template, text: &str) -> Result<String, MatchError> {
        self.sub_with(text, |m| template.expand(|g| m.group(g)))
    }
}

/// Which engine a search runs on.
#[derive(Clone, Copy)]
enum Variant {
    /// The pattern.
    Main,
    /// The pattern, refusing empty matches.
    NotEmpty,
}

/// Backtracking steps a substitution may still be charged.
struct Budget {
    /// Steps still allowed; `usize::MAX` for a lone search, which only the last tier bounds.
    left: usize,
}

impl Budget {
    /// The budget of one substitution over `text`: [`SUB_BUDGET`] plus [`SUB_BUDGET_PER_BYTE`]
    /// per byte, saturating.
    fn for_text(text: &str) -> Budget {
        Budget {
            left: SUB_BUDGET.saturating_add(text.len().saturating_mul(SUB_BUDGET_PER_BYTE)),
        }
    }

    /// Takes `steps` off the budget. Running out is a [`MatchError`]: the substitution stops
    /// there instead of running for seconds, and the alteration leaves the text unchanged.
    fn charge(&mut self, steps: usize) -> Result<(), MatchError> {
        self.left = self.left.checked_sub(steps).ok_or_else(|| {
            MatchError("the substitution ran out of its backtracking budget".to_string())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
