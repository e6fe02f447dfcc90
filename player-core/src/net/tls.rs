//! TLS trust: extra root certificates from PEM files (added to the platform's, never
//! replacing them; verification cannot be switched off), and certificate failures told
//! apart from other transport errors, in words a user can act on.

use std::error::Error as StdError;
use std::path::Path;

use rustls::CertificateError;

use super::NetError;

/// Largest CA file read: a full system bundle is a few hundred kB.
pub const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads the certificates of a PEM file (one or more `BEGIN CERTIFICATE` blocks).
pub fn read_ca_file(path: &Path) -> Result<Vec<reqwest::Certificate>, NetError> {
    let bad = |reason: String| NetError::CaFile {
        path: path.display().to_string(),
        reason,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| bad(e.to_string()))?
        .len();
    if size > MAX_CA_FILE_BYTES {
        return Err(bad(format!(
            "larger than {MAX_CA_FILE_BYTES} bytes: not a CA file"
        )));
    }
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| bad(format!("not PEM certificates: {}", innermost(&e))))?;
    if certs.is_empty() {
        return Err(bad("holds no PEM certificate (BEGIN CERTIFICATE)".into()));
    }
    Ok(certs)
}

/// The certificate failure behind `e`, if the TLS handshake refused the server's certificate.
pub(crate) fn certificate_error(e: &(dyn StdError + 'static)) -> Option<String> {
    let mut next: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(reason) = rustls_error(err).and_then(describe) {
            return Some(reason);
        }
        // An io::Error hides the error it wraps from `source()` (it gives that error's
        // source): step into it instead.
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => err.source(),
        };
    }
    None
}

fn rustls_error<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    e.downcast_ref::<rustls::Error>()
}

/// What is wrong with the certificate, or `None` when the TLS error is not about it.
fn describe(e: &rustls::Error) -> Option<String> {
    let cert = match e {
        rustls::Error::InvalidCertificate(c) => c,
        rustls::Error::NoCertificatesPresented => {
            return Some("the server presented no certificate".into());
        }
        _ => return None,
    };
    Some(match cert {
        CertificateError::UnknownIssuer => "it is not signed by a trusted authority \
             (for a private CA, add its certificate with --ca-file PEM)"
            .into(),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("it has expired ({e})")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            format!("it is not valid yet ({e})")
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!("it is for another host name ({e})")
        }
        CertificateError::Revoked => "it has been revoked".into(),
        _ => e.to_string(),
    })
}

/// The innermost message of an error chain.
pub(crate) fn innermost(e: &(dyn StdError + 'static)) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message = s.to_string();
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_failures_are_found_inside_io_errors_and_named() {
        let expired = rustls::Error::InvalidCertificate(CertificateError::Expired);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, expired);
        let reason = certificate_error(&io).expect("a certificate error");
        assert!(reason.contains("expired"), "{reason}");
        let nested = std::io::Error::other(io);
        let reason = certificate_error(&nested).expect("inside two io::Errors");
        assert!(reason.contains("expired"), "{reason}");
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let reason = certificate_error(&unknown).expect("a certificate error");
        assert!(reason.contains("--ca-file"), "{reason}");
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(certificate_error(&reset), None);
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        assert_eq!(certificate_error(&alert), None);
    }

    #[test]
    fn ca_files_must_hold_certificates() {
        let dir = std::env::temp_dir().join(format!("sp-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").expect("write");
        let e = read_ca_file(&empty).expect_err("empty");
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
        let missing = read_ca_file(&dir.join("missing.pem")).expect_err("missing");
        assert!(matches!(missing, NetError::CaFile { .. }), "{missing}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
