//! ConfigParser's `BasicInterpolation`, done when a value is looked up (not when read).
//! At lookup because a reference may name a key defined further down, in a later file, or in
//! `[DEFAULT]`; the raw value is kept, so `RcConfig::get_raw` and error messages show what
//! was written. Beyond ConfigParser, two limits (references, length) stop values that
//! refer to each other explosively; ConfigParser has only the depth limit.

use super::{Entry, Origin, RcConfig, RcError};

/// ConfigParser's `MAX_INTERPOLATION_DEPTH`.
/// A chain of references deeper than this is [`RcError::InterpolationDepth`], which is also
/// how a key that refers to itself ends.
const MAX_DEPTH: usize = 10;

/// Most `%(name)s` references one lookup expands, counting those inside referenced values.
/// Depth alone does not bound the work: ten keys, each referring eight times to the next,
/// make 8^9 expansions (ConfigParser runs out of time or memory on it). Real rc files use a
/// handful.
pub(super) const MAX_REFERENCES: usize = 10_000;

/// Most bytes an interpolated value may grow to.
/// (1 MiB.) The other half of the bound: a few references to very long values.
pub(super) const MAX_LEN: usize = 1 << 20;

/// What one lookup has used of the limits.
struct Budget<'o> {
    /// `%(name)s` references expanded so far, at every depth.
    references: usize,
    /// Where the value looked up was defined, for the error.
    origin: &'o Origin,
}

impl Budget<'_> {
    /// The error for going past either limit, placed at the value that was looked up rather
    /// than at the one, deep inside, where the limit was hit.
    fn exceeded(&self, section: &str, key: &str) -> RcError {
        RcError::InterpolationTooLarge {
            at: self.origin.clone(),
            section: section.to_string(),
            key: key.to_string(),
        }
    }
}

impl RcConfig {
    /// Expands `%%` and `%(name)s` in the value of `entry`, looked up as `[section] key`.
    /// Errors: a `%` followed by anything but `%` or `(name)s`, a reference to a key that is not
    /// there, a chain deeper than [`MAX_DEPTH`], and more than [`MAX_REFERENCES`] references or
    /// [`MAX_LEN`] bytes.
    pub(super) fn interpolate(
        &self,
        section: &str,
        key: &str,
        entry: &Entry,
    ) -> Result<String, RcError> {
        let mut out = String::new();
        let mut budget = Budget {
            references: 0,
            origin: &entry.origin,
        };
        self.interpolate_into(
            section,
            key,
            &entry.value,
            &entry.origin,
            1,
            &mut budget,
            &mut out,
        )?;
        Ok(out)
    }

    /// Appends the expansion of `rest`, a value defined at `origin` and reached at `depth`, to
    /// `out`. Names are lower-cased and looked up in `section` then `[DEFAULT]`, as ConfigParser
    /// does; a referenced value without `%` is copied as it is.
    #[allow(clippy::too_many_arguments)]
    fn interpolate_into(
        &self,
        section: &str,
        key: &str,
        mut rest: &str,
        origin: &Origin,
        depth: usize,
        budget: &mut Budget<'_>,
        out: &mut String,
    ) -> Result<(), RcError> {
        if depth > MAX_DEPTH {
            return Err(RcError::InterpolationDepth {
                at: origin.clone(),
                section: section.to_string(),
                key: key.to_string(),
            });
        }
        let syntax = |detail: String| RcError::InterpolationSyntax {
            at: origin.clone(),
            section: section.to_string(),
            key: key.to_string(),
            detail,
        };
        while let Some(p) = rest.find('%') {
            out.push_str(&rest[..p]);
            rest = &rest[p..];
            if let Some(after) = rest.strip_prefix("%%") {
                out.push('%');
                rest = after;
            } else if let Some(after) = rest.strip_prefix("%(") {
                // `%\(([^)]+)\)s`: a non-empty name without `)`, then `)s`.
                let name_end = after.find(')').filter(|&n| n > 0);
                let Some(n) = name_end.filter(|&n| after[n..].starts_with(")s")) else {
                    return Err(syntax(format!(
                        "bad interpolation variable reference {rest:?}"
                    )));
                };
                let name = after[..n].to_lowercase();
                rest = &after[n + 2..];
                budget.references += 1;
                if budget.references > MAX_REFERENCES {
                    return Err(budget.exceeded(section, key));
                }
                let Some(referenced) = self.lookup(section, &name) else {
                    return Err(RcError::InterpolationMissing {
                        at: origin.clone(),
                        section: section.to_string(),
                        key: key.to_string(),
                        missing: name,
                    });
                };
                if referenced.value.contains('%') {
                    self.interpolate_into(
                        section,
                        key,
                        &referenced.value,
                        &referenced.origin,
                        depth + 1,
                        budget,
                        out,
                    )?;
                } else {
                    out.push_str(&referenced.value);
                }
                if out.len() > MAX_LEN {
                    return Err(budget.exceeded(section, key));
                }
            } else {
                return Err(syntax(format!(
                    "'%' must be followed by '%' or '(', found {rest:?}"
                )));
            }
        }
        out.push_str(rest);
        Ok(())
    }
}
