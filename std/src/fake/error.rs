//! The std layer's error: the same two kinds as the core, with the message rendered.

/// A failure of a fake, with Fudge's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FakeError {
    /// An expectation was not met (Fudge's `AssertionError`).
    #[error("{0}")]
    Unmet(String),
    /// The fake was declared wrongly (Fudge's `FakeDeclarationError`).
    #[error("{0}")]
    Declaration(String),
}

impl FakeError {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            FakeError::Unmet(m) | FakeError::Declaration(m) => m,
        }
    }

    /// The core's report, rendered now: it borrows the registry, which is let go before the
    /// error reaches the test.
    pub(crate) fn from_report<F, S>(report: &capturemock_core::fake::Report<'_, F, S>) -> Self
    where
        F: capturemock_core::fake::Family,
        S: capturemock_core::fake::RegistryStorage,
    {
        if report.is_unmet() {
            FakeError::Unmet(report.to_string())
        } else {
            FakeError::Declaration(report.to_string())
        }
    }
}
