//! A certificate authority made at a stack's start, and the certificates it issues: the local
//! stacks run their NATS server (and, for tests, the API) over TLS with them, as a deployment
//! does with its own CA. Private keys are written readable by their owner only.

use std::path::{Path, PathBuf};

use crate::auth::write_private;

/// A CA whose key lives only in this process.
pub struct LocalCa {
    params: rcgen::CertificateParams,
    key: rcgen::KeyPair,
    pem: String,
}

impl std::fmt::Debug for LocalCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalCa").finish_non_exhaustive()
    }
}

/// A certificate and its key, as files.
#[derive(Clone, Debug)]
pub struct IssuedCertificate {
    /// The PEM certificate.
    pub cert_file: PathBuf,
    /// The PEM private key (readable by its owner only).
    pub key_file: PathBuf,
}

impl LocalCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> Result<LocalCa, rcgen::Error> {
        let key = rcgen::KeyPair::generate()?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let pem = params.clone().self_signed(&key)?.pem();
        Ok(LocalCa { params, key, pem })
    }

    /// The CA's certificate (what clients trust), PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// Writes the CA's certificate to `path`.
    pub fn write_pem(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, &self.pem)
    }

    /// Issues a server certificate for `names` (`localhost`, `127.0.0.1`), written as
    /// `<dir>/<file_stem>-cert.pem` and `<dir>/<file_stem>-key.pem`.
    pub fn issue(
        &self,
        dir: &Path,
        file_stem: &str,
        names: &[&str],
    ) -> std::io::Result<IssuedCertificate> {
        let to_io = std::io::Error::other;
        let key = rcgen::KeyPair::generate().map_err(to_io)?;
        let params = rcgen::CertificateParams::new(
            names
                .iter()
                .map(|name| name.to_string())
                .collect::<Vec<_>>(),
        )
        .map_err(to_io)?;
        let issuer = rcgen::Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(to_io)?;
        let issued = IssuedCertificate {
            cert_file: dir.join(format!("{file_stem}-cert.pem")),
            key_file: dir.join(format!("{file_stem}-key.pem")),
        };
        std::fs::write(&issued.cert_file, cert.pem())?;
        write_private(&issued.key_file, &key.serialize_pem())?;
        Ok(issued)
    }
}

/// The `tls { ... }` block of a `nats-server` configuration serving `certificate`.
pub fn nats_tls_config(certificate: &IssuedCertificate) -> String {
    format!(
        "tls {{\n  cert_file: \"{}\"\n  key_file: \"{}\"\n}}\n",
        certificate.cert_file.display(),
        certificate.key_file.display()
    )
}
