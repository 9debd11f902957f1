//! ConfigParser's `BasicInterpolation`, done when a value is looked up (not when read).

use super::{Entry, Origin, RcConfig, RcError};

/// ConfigParser's `MAX_INTERPOLATION_DEPTH`.
const MAX_DEPTH: usize = 10;

impl RcConfig {
    /// Expands `%%` and `%(name)s` in the value of `entry`, looked up as `[section] key`.
    pub(super) fn interpolate(
        &self,
        section: &str,
        key: &str,
        entry: &Entry,
    ) -> Result<String, RcError> {
        let mut out = String::new();
        self.interpolate_into(section, key, &entry.value, &entry.origin, 1, &mut out)?;
        Ok(out)
    }

    fn interpolate_into(
        &self,
        section: &str,
        key: &str,
        mut rest: &str,
        origin: &Origin,
        depth: usize,
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
                        out,
                    )?;
                } else {
                    out.push_str(&referenced.value);
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
