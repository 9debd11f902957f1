//! The server's own control message. Everything else a connection carries is traffic, served
//! by the [traffic kinds](crate::traffic).

/// Stops the server (the reference tests `startswith`, so anything may follow).
pub const TERMINATE: &str = "TERMINATE_SERVER";

/// Whether a message asks the server to stop. Tested before any traffic kind sees it, as
/// the reference does.
pub fn is_terminate(message: &str) -> bool {
    message.starts_with(TERMINATE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminate_is_a_prefix_test_like_the_reference() {
        assert!(is_terminate("TERMINATE_SERVER"));
        assert!(is_terminate("TERMINATE_SERVER\n"));
        assert!(is_terminate("TERMINATE_SERVERxyz"));
        assert!(!is_terminate(" TERMINATE_SERVER"));
        assert!(!is_terminate("TERMINATE"));
    }
}
