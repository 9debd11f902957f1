//! The proxy serving HTTPS, for clients that insist on it: a certificate for `localhost` and
//! `127.0.0.1`, made at start-up (rcgen) and written as PEM, so that the client can be told to
//! trust it (`CAPTUREMOCK_SERVER_CA` names the file for a program the command runs).

/// The variable that names the proxy's certificate file for the program under test.
pub const SERVER_CA_VAR: &str = "CAPTUREMOCK_SERVER_CA";

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// Why the proxy cannot serve TLS.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeTlsError {
    /// Making the certificate failed.
    #[error("cannot make a certificate for the proxy")]
    Certificate(#[source] rcgen::Error),
    /// rustls refused it.
    #[error("cannot use the proxy's certificate")]
    Config(#[source] rustls::Error),
    /// Writing its PEM file failed.
    #[error("cannot write the proxy's certificate to {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// What the proxy serves TLS with, and the certificate a client must trust.
#[derive(Clone)]
pub struct ServingTls {
    /// Accepts connections.
    pub acceptor: TlsAcceptor,
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// Where it was written, if it was.
    pub certificate_file: Option<PathBuf>,
}

impl std::fmt::Debug for ServingTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServingTls").finish_non_exhaustive()
    }
}

impl ServingTls {
    /// A fresh self-signed certificate for `localhost` and `127.0.0.1`, written to `pem` when
    /// given.
    pub fn generate(pem: Option<&Path>) -> Result<Self, ServeTlsError> {
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        let certified =
            rcgen::generate_simple_self_signed(names).map_err(ServeTlsError::Certificate)?;
        let certificate_pem = certified.cert.pem();
        if let Some(path) = pem {
            std::fs::write(path, &certificate_pem).map_err(|source| ServeTlsError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let chain = vec![CertificateDer::from(certified.cert.der().to_vec())];
        let key =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(ServeTlsError::Config)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(ServeTlsError::Config)?;
        Ok(ServingTls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            certificate_pem,
            certificate_file: pem.map(Path::to_path_buf),
        })
    }
}
