//! Unpublished root package: it owns the top-level `examples/` and `tests/` of the workspace.
