//! Throw-away TLS for local HTTPS: a CA made for this one world and a certificate for
//! `localhost` and `127.0.0.1` signed by it.
//!
//! Some clients refuse `http://` issuers outright (Okta's Python verifier, okta-spring-boot);
//! with TLS on, both mocks serve HTTPS and the CA is written as PEM so that clients can be told
//! to trust it ([`TlsMaterial::env`]). The CA lives only as long as the `Federation`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::Error;

/// A CA, a server certificate signed by it, and the CA written to a PEM file.
#[derive(Debug)]
pub struct TlsMaterial {
    ca_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
    dir: PathBuf,
}

fn tls_error(err: impl std::fmt::Display) -> Error {
    Error::Config(format!("cannot create the TLS certificates: {err}"))
}

impl TlsMaterial {
    /// Generates the CA and the server certificate and writes `ca.pem` to a fresh folder.
    pub fn generate() -> Result<Self, Error> {
        let ca_key = KeyPair::generate().map_err(tls_error)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "fedmock throw-away CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).map_err(tls_error)?;
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate().map_err(tls_error)?;
        let mut leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(tls_error)?;
        leaf.distinguished_name.push(DnType::CommonName, "localhost");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = leaf.signed_by(&key, &issuer).map_err(tls_error)?;

        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "fedmock-tls-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        let ca_pem = ca_cert.pem();
        std::fs::write(dir.join("ca.pem"), &ca_pem)?;
        Ok(Self { ca_pem, cert_der: cert.der().to_vec(), key_der: key.serialize_der(), dir })
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The file holding the CA certificate.
    pub fn ca_path(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// Environment variables that make common clients trust the CA: Node.js, the AWS CLI and
    /// boto3, Python `requests`, and OpenSSL-based tools.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        let path = self.ca_path();
        ["NODE_EXTRA_CA_CERTS", "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"]
            .into_iter()
            .map(|var| (var, path.clone()))
            .collect()
    }

    /// The TLS server configuration for the certificate (TLS 1.2 and 1.3, HTTP/1.1).
    pub(crate) fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, Error> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()));
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_no_client_auth()
            .with_single_cert(vec![CertificateDer::from(self.cert_der.clone())], key)
            .map_err(tls_error)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    /// The folder the CA file is in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for TlsMaterial {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}
