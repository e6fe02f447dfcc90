//! The PlayReady Object for the manifest's ProtectionHeader (PlayReady Header Specification
//! §2-3): a WRMHEADER 4.0.0.0 with KID, ALGID AESCTR and CHECKSUM for CTR content, or a 4.3.0.0
//! header with ALGID AESCBC (no checksum is defined for CBC keys, §5) — UTF-16LE inside a
//! PlayReady Object record of type 1.

use super::cipher::SampleEncryptor;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use player_core::manifest::Uuid;

/// The 8-byte AESCTR key checksum: AES-ECB of the KID in PlayReady (little-endian GUID) order.
pub fn checksum(key: &SampleEncryptor, kid: Uuid) -> [u8; 8] {
    let block = key.ecb_block(kid.to_guid_le());
    let mut out = [0u8; 8];
    out.copy_from_slice(&block[..8]);
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The WRMHEADER XML: 4.0.0.0 with a checksum for CTR, 4.3.0.0 for CBC.
pub fn wrm_header(kid: Uuid, checksum: Option<[u8; 8]>, cbc: bool, la_url: &str) -> String {
    let kid_b64 = STANDARD.encode(kid.to_guid_le());
    let ns = "http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader";
    let la = escape(la_url);
    if cbc {
        format!(
            r#"<WRMHEADER xmlns="{ns}" version="4.3.0.0"><DATA><PROTECTINFO><KIDS><KID ALGID="AESCBC" VALUE="{kid_b64}"></KID></KIDS></PROTECTINFO><LA_URL>{la}</LA_URL></DATA></WRMHEADER>"#
        )
    } else {
        let sum = checksum
            .map(|c| format!("<CHECKSUM>{}</CHECKSUM>", STANDARD.encode(c)))
            .unwrap_or_default();
        format!(
            r#"<WRMHEADER xmlns="{ns}" version="4.0.0.0"><DATA><PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO><KID>{kid_b64}</KID>{sum}<LA_URL>{la}</LA_URL></DATA></WRMHEADER>"#
        )
    }
}

/// A PlayReady Object holding one PlayReady Header record.
pub fn playready_object(wrm_header: &str) -> Vec<u8> {
    let utf16: Vec<u8> = wrm_header
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let total = 4 + 2 + 2 + 2 + utf16.len();
    let mut pro = Vec::with_capacity(total);
    pro.extend_from_slice(&(total as u32).to_le_bytes());
    pro.extend_from_slice(&1u16.to_le_bytes()); // one record
    pro.extend_from_slice(&1u16.to_le_bytes()); // type 1: PlayReady Header
    pro.extend_from_slice(&(utf16.len() as u16).to_le_bytes());
    pro.extend_from_slice(&utf16);
    pro
}

#[cfg(test)]
mod tests {
    use super::super::cipher::Mode;
    use super::*;

    #[test]
    fn object_layout_and_header_text() {
        let kid: Uuid = "9eb4050d-e44b-4802-932e-27d75083e266".parse().expect("kid");
        let key = SampleEncryptor::new([0x16; 16], Mode::Ctr);
        let xml = wrm_header(kid, Some(checksum(&key, kid)), false, "http://a/?x=1&y=2");
        assert!(xml.contains("<KID>DQW0nkvkAkiTLifXUIPiZg==</KID>"), "{xml}");
        assert!(xml.contains("<LA_URL>http://a/?x=1&amp;y=2</LA_URL>"));
        let pro = playready_object(&xml);
        assert_eq!(
            u32::from_le_bytes(pro[..4].try_into().expect("4")) as usize,
            pro.len()
        );
        assert_eq!(&pro[4..8], &[1, 0, 1, 0]);
        assert_eq!(
            usize::from(u16::from_le_bytes([pro[8], pro[9]])),
            pro.len() - 10
        );
        assert_eq!(&pro[10..14], &[b'<', 0, b'W', 0]);
        let cbc = wrm_header(kid, None, true, "http://a/");
        assert!(cbc.contains(r#"version="4.3.0.0""#) && !cbc.contains("CHECKSUM"));
    }
}
