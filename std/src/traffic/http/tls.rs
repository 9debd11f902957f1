//! HTTPS upstreams: the TLS client that record mode forwards through (rustls).
//!
//! It trusts the system's certificate authorities (read by rustls-native-certs, which honours
//! `SSL_CERT_FILE` and `SSL_CERT_DIR`) and, when given, the authorities of one more PEM file
//! (`upstream_ca_file`): a local test service with a certificate of its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// Why a TLS connection could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The extra CA file could not be read.
    #[error("cannot read the CA certificates in {}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: rustls::pki_types::pem::Error,
    },
    /// No certificate authority is trusted at all.
    #[error("no trusted certificate authority: the system has none and no CA file was given")]
    NoRoots,
    /// The host is not a name or address a certificate can be checked against.
    #[error("{0:?} is not a host name a certificate can be checked against")]
    BadName(String),
    /// The handshake failed (an untrusted certificate, a name that does not match, ...).
    #[error("TLS handshake with {host} failed")]
    Handshake {
        /// The upstream's host.
        host: String,
        /// What rustls said.
        source: std::io::Error,
    },
}

/// The client configuration: the system's roots, plus those in `extra_ca`.
pub fn client_config(extra_ca: Option<&Path>) -> Result<Arc<ClientConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for error in &native.errors {
        tracing::debug!("a system certificate could not be loaded: {error}");
    }
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = extra_ca {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|source| TlsError::CaFile {
                path: path.to_path_buf(),
                source,
            })?;
        roots.add_parsable_certificates(certs);
    }
    if roots.is_empty() {
        return Err(TlsError::NoRoots);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A TLS connection to `host` over `stream`, its certificate checked against `config`.
pub async fn connect(
    config: Arc<ClientConfig>,
    host: &str,
    stream: TcpStream,
) -> Result<TlsStream<TcpStream>, TlsError> {
    let name = ServerName::try_from(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
    )
    .map_err(|_| TlsError::BadName(host.to_string()))?;
    TlsConnector::from(config)
        .connect(name, stream)
        .await
        .map_err(|source| TlsError::Handshake {
            host: host.to_string(),
            source,
        })
}
