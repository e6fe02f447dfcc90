//! piff-encrypt → player-core decryption roundtrips (synthetic fragments, and an ffmpeg-made
//! presentation), and an independent cross-check of the CTR and CBC bytes against the
//! `openssl enc` command line. Without ffmpeg or openssl those tests fail under CI and say
//! SKIPPED elsewhere (`./x deps` installs both).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use player_core::decrypt::ctr::apply_ctr;
use player_core::decrypt::{
    Algorithm, ContentKey, DecryptError, Iv, SampleDecryptor, SampleEncryption, key_checksum,
    verify_checksum,
};
use player_core::isobmff::piff_senc::{PIFF_SAMPLE_ENCRYPTION_UUID, parse_piff_senc};
use player_core::isobmff::saiz_saio::{parse_cenc_aux_info, parse_saio, parse_saiz};
use player_core::isobmff::senc::parse_senc;
use player_core::isobmff::{BoxIter, Reader};
use player_core::manifest::Uuid;
use player_tests::piff_encrypt::cipher::{Mode, SampleEncryptor};
use player_tests::piff_encrypt::fragment::{FragmentId, Scheme, encrypt_fragment};
use player_tests::piff_encrypt::manifest::Framing;
use player_tests::piff_encrypt::nal::avc_subsamples;
use player_tests::piff_encrypt::{EncryptOptions, encrypt_presentation};
use player_tests::support::prereq;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const KID: &str = "9eb4050d-e44b-4802-932e-27d75083e266";
const KEY: [u8; 16] = [
    0x16, 0x66, 0x34, 0xc6, 0x75, 0x82, 0x3c, 0x23, 0x5a, 0x4a, 0x94, 0x46, 0xfa, 0xd5, 0x2e, 0x4d,
];
const SCHEMES: [Scheme; 3] = [Scheme::PiffCtr, Scheme::PiffCbc, Scheme::CencCtr];

fn kid() -> Uuid {
    KID.parse().expect("kid")
}

fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

fn nal(kind: u8, body_len: usize, seed: u8) -> Vec<u8> {
    let mut v = ((body_len + 1) as u32).to_be_bytes().to_vec();
    v.push(0x60 | kind);
    v.extend((0..body_len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    v
}

/// A fragment as ffmpeg lays it out: moof(mfhd, traf(tfhd, trun, tfxd uuid)), mdat.
fn fragment(samples: &[Vec<u8>]) -> Vec<u8> {
    let mfhd = bx(b"mfhd", &[0, 0, 0, 0, 0, 0, 0, 1]);
    let tfhd = bx(b"tfhd", &[0, 0, 0, 0x20, 0, 0, 0, 1, 0x01, 0x01, 0, 0]);
    let mut tfxd = 44u32.to_be_bytes().to_vec();
    tfxd.extend_from_slice(b"uuid");
    tfxd.extend_from_slice(&[
        0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6, 0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57,
        0xb2,
    ]);
    tfxd.extend_from_slice(&[1, 0, 0, 0]);
    tfxd.extend_from_slice(&[0; 16]);
    // trun: data_offset + per-sample duration and size.
    let mut trun_p = vec![0, 0, 0x03, 0x01];
    trun_p.extend_from_slice(&(samples.len() as u32).to_be_bytes());
    trun_p.extend_from_slice(&0i32.to_be_bytes());
    for s in samples {
        trun_p.extend_from_slice(&400_000u32.to_be_bytes());
        trun_p.extend_from_slice(&(s.len() as u32).to_be_bytes());
    }
    let trun = bx(b"trun", &trun_p);
    let traf = bx(b"traf", &[tfhd, trun, tfxd].concat());
    let mut moof = bx(b"moof", &[mfhd, traf].concat());
    let data_offset = (moof.len() + 8) as i32;
    let at = moof.len() - 44 - (samples.len() * 8) - 4;
    moof[at..at + 4].copy_from_slice(&data_offset.to_be_bytes());
    let mdat = bx(b"mdat", &samples.concat());
    [moof, mdat].concat()
}

fn video_samples() -> Vec<Vec<u8>> {
    (0..12u8)
        .map(|i| {
            let mut s = nal(9, 1, i); // AUD
            if i == 0 {
                s.extend(nal(6, 700, i)); // SEI
                s.extend(nal(5, 3000, i)); // IDR slices
                s.extend(nal(5, 1234, i + 1));
            } else {
                s.extend(nal(1, 100 + usize::from(i) * 97, i)); // odd sizes: partial blocks
            }
            s
        })
        .collect()
}

fn audio_samples() -> Vec<Vec<u8>> {
    (0..20u8)
        .map(|i| {
            (0..(300 + usize::from(i) * 7))
                .map(|j| (j as u8) ^ i)
                .collect()
        })
        .collect()
}

/// What the decrypting side reads from an encrypted fragment, with player-core's parsers.
struct Encrypted {
    sizes: Vec<u32>,
    data: std::ops::Range<usize>,
    encryption: SampleEncryption,
}

fn read_encrypted(frag: &[u8], scheme: Scheme) -> Encrypted {
    let (moof_h, moof_p) = BoxIter::new(frag, 0, "")
        .next()
        .expect("a box")
        .expect("moof");
    assert_eq!(&moof_h.kind.0, b"moof");
    let (traf_h, traf_p) = BoxIter::new(moof_p, 8, "moof")
        .map(|b| b.expect("box"))
        .find(|(h, _)| &h.kind.0 == b"traf")
        .expect("traf");
    let mut sizes = Vec::new();
    let mut data_offset = 0i32;
    let (mut piff, mut senc, mut saiz, mut saio) = (None, None, None, None);
    for item in BoxIter::new(traf_p, traf_h.offset + 8, "moof/traf") {
        let (h, p) = item.expect("box");
        let at = h.offset + h.header_len as u64;
        match &h.kind.0 {
            b"trun" => {
                let mut r = Reader::new(p, at, "trun");
                let (_, flags) = r.version_flags().expect("vf");
                assert_eq!(flags & 0x201, 0x201, "data_offset and sample sizes present");
                let n = r.u32().expect("count");
                data_offset = r.i32().expect("data_offset");
                if flags & 0x4 != 0 {
                    r.u32().expect("first_sample_flags");
                }
                for _ in 0..n {
                    if flags & 0x100 != 0 {
                        r.u32().expect("duration");
                    }
                    sizes.push(r.u32().expect("size"));
                    if flags & 0x400 != 0 {
                        r.u32().expect("flags");
                    }
                    if flags & 0x800 != 0 {
                        r.u32().expect("composition offset");
                    }
                }
            }
            b"senc" => senc = Some(parse_senc(p, at, "moof/traf/senc", 8).expect("senc")),
            b"saiz" => saiz = Some(parse_saiz(p, at, "moof/traf/saiz").expect("saiz")),
            b"saio" => saio = Some(parse_saio(p, at, "moof/traf/saio").expect("saio")),
            b"uuid" if h.user_type == Some(PIFF_SAMPLE_ENCRYPTION_UUID) => {
                piff = Some(parse_piff_senc(p, at, "moof/traf/uuid", 8).expect("piff senc"))
            }
            _ => {}
        }
    }
    let encryption = match scheme {
        Scheme::PiffCtr | Scheme::PiffCbc => piff.expect("PIFF sample encryption box"),
        Scheme::CencCtr => {
            let senc = senc.expect("senc");
            let (saiz, saio) = (saiz.expect("saiz"), saio.expect("saio"));
            // The aux info saio points at must be exactly what senc holds.
            let aux = parse_cenc_aux_info(frag, 0, "moof/traf", saio.offsets[0], &saiz, 8)
                .expect("aux info at the saio offset");
            assert_eq!(aux, senc.samples);
            senc
        }
    };
    let start = data_offset as usize;
    let total: usize = sizes.iter().map(|&s| s as usize).sum();
    Encrypted {
        sizes,
        data: start..start + total,
        encryption,
    }
}

fn decrypt(frag: &[u8], scheme: Scheme, key: [u8; 16]) -> Result<Vec<u8>, DecryptError> {
    let enc = read_encrypted(frag, scheme);
    let mut data = frag[enc.data.clone()].to_vec();
    let dec = SampleDecryptor::new(&ContentKey::new(key));
    dec.decrypt_samples(Algorithm::AesCtr, &mut data, &enc.sizes, &enc.encryption)?;
    Ok(data)
}

fn encrypt(frag: &[u8], framing: Framing, scheme: Scheme) -> Vec<u8> {
    let key = SampleEncryptor::new(KEY, scheme.mode());
    let id = FragmentId {
        stream: "video",
        name: "Fragments(video=0)",
    };
    encrypt_fragment(frag, id, framing, scheme, &key, kid())
        .expect("encrypts")
        .bytes
}

#[test]
fn synthetic_fragments_roundtrip_for_every_scheme() {
    for (samples, framing) in [
        (video_samples(), Framing::Avc { length_size: 4 }),
        (audio_samples(), Framing::Whole),
    ] {
        let clear = fragment(&samples);
        let plain = samples.concat();
        for scheme in SCHEMES {
            let enc = encrypt(&clear, framing, scheme);
            let info = read_encrypted(&enc, scheme);
            assert_eq!(info.encryption.samples.len(), samples.len());
            let cipher_data = &enc[info.data.clone()];
            assert_ne!(cipher_data, &plain[..], "{scheme:?} encrypted nothing");
            if let Framing::Avc { .. } = framing {
                // NAL lengths and headers stay readable: the first AUD is untouched.
                assert_eq!(&cipher_data[..6], &plain[..6]);
                let subsampled = info
                    .encryption
                    .samples
                    .iter()
                    .all(|s| !s.subsamples.is_empty());
                assert!(subsampled, "{scheme:?}: video samples carry subsample maps");
            }
            if scheme == Scheme::PiffCbc {
                assert_eq!(info.encryption.algorithm, Some(Algorithm::AesCbc));
                assert_eq!(info.encryption.iv_size, Some(16));
                assert_eq!(info.encryption.kid, Some(kid()));
            }
            let back = decrypt(&enc, scheme, KEY).expect("decrypts");
            assert_eq!(back, plain, "{scheme:?} {framing:?} roundtrip");
            let wrong = decrypt(&enc, scheme, [0; 16]).expect("decrypts to garbage");
            assert_ne!(wrong, plain);
        }
    }
}

#[test]
fn corrupted_subsample_maps_are_reported() {
    let clear = fragment(&video_samples());
    let mut enc = encrypt(&clear, Framing::Avc { length_size: 4 }, Scheme::PiffCtr);
    let info = read_encrypted(&enc, Scheme::PiffCtr);
    // Shrink the first sample in trun: its subsample map no longer adds up.
    let trun_sizes_at = enc.windows(4).position(|w| w == b"trun").expect("trun") + 4 + 12 + 4;
    let first = u32::from_be_bytes(enc[trun_sizes_at..trun_sizes_at + 4].try_into().expect("4"));
    assert_eq!(first, info.sizes[0]);
    enc[trun_sizes_at..trun_sizes_at + 4].copy_from_slice(&(first - 1).to_be_bytes());
    let e = decrypt(&enc, Scheme::PiffCtr, KEY).expect_err("mismatch");
    assert_eq!(
        e,
        DecryptError::SubsampleMismatch {
            sample: 0,
            sample_size: u64::from(first - 1),
            map_size: u64::from(first)
        }
    );
}

/// A scratch directory removed when dropped, also when a test fails.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

fn temp_dir(name: &str) -> TempDir {
    let d = std::env::temp_dir().join(format!("smoothplay-piff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    TempDir(d)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn ffmpeg_presentation_roundtrips_with_a_matching_playready_header() {
    let test = "ffmpeg_presentation_roundtrips_with_a_matching_playready_header";
    if !prereq::tool(test, "ffmpeg", "-version", "ffmpeg") {
        return;
    }
    let src = temp_dir("src");
    make_ffmpeg_presentation(&src);
    for scheme in SCHEMES {
        let dst = temp_dir(&format!("{scheme:?}"));
        let opts = EncryptOptions {
            scheme,
            kid: kid(),
            key: KEY,
            la_url: "http://127.0.0.1:1/rightsmanager.asmx".into(),
        };
        let summary = encrypt_presentation(&src, &dst, &opts).expect("encrypts");
        assert!(
            summary.fragments >= 4 && summary.samples > 100,
            "{summary:?}"
        );
        check_playready_header(&dst, scheme);
        check_fragments_decrypt_to_the_clear_samples(&src, &dst, scheme);
    }
    the_cli_encrypts_and_refuses_a_bad_key_without_echoing_it(&src);
}

/// 4 s of ffmpeg's test picture and a sine, H.264 and AAC in 2 s fragments, as a Smooth
/// Streaming presentation in `dir`.
fn make_ffmpeg_presentation(dir: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .arg("testsrc2=s=320x180:d=4")
        .args([
            "-f", "lavfi", "-i", "sine=d=4", "-c:v", "libx264", "-g", "50", "-c:a", "aac",
        ])
        .args(["-min_frag_duration", "2000000", "-f", "smoothstreaming"])
        .arg(dir)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
}

/// The manifest in `dst` carries a PlayReady Object naming the KID (and, for CTR, the
/// checksum).
fn check_playready_header(dst: &Path, scheme: Scheme) {
    let manifest = std::fs::read_to_string(dst.join("Manifest")).expect("manifest");
    let b64 = manifest
        .split_once("SystemID=\"9A04F079-9840-4286-AB92-E65BE0885F95\">")
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(v, _)| v)
        .expect("ProtectionHeader");
    let pro = STANDARD.decode(b64).expect("base64");
    let units: Vec<u16> = pro[10..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let xml = String::from_utf16(&units).expect("utf-16");
    assert!(xml.contains(&STANDARD.encode(kid().to_guid_le())), "{xml}");
    let key = ContentKey::new(KEY);
    if scheme == Scheme::PiffCbc {
        assert!(
            xml.contains(r#"ALGID="AESCBC""#) && !xml.contains("CHECKSUM"),
            "{xml}"
        );
    } else {
        let sum = xml
            .split_once("<CHECKSUM>")
            .and_then(|(_, r)| r.split_once("</CHECKSUM>"))
            .map(|(v, _)| STANDARD.decode(v).expect("b64"))
            .expect("CHECKSUM");
        assert_eq!(sum, key_checksum(&key, kid()));
        let wrong = ContentKey::new([1; 16]);
        assert_eq!(
            verify_checksum(&wrong, kid(), &sum),
            Err(DecryptError::WrongKey { kid: kid() })
        );
    }
}

/// Every fragment of `src` encrypted into `dst` decrypts back to its clear samples, and its
/// FragmentInfo holds the new moof.
fn check_fragments_decrypt_to_the_clear_samples(src: &Path, dst: &Path, scheme: Scheme) {
    let mut all = Vec::new();
    files(src, &mut all);
    for path in all
        .iter()
        .filter(|p| p.to_string_lossy().contains("Fragments("))
    {
        let rel = path.strip_prefix(src).expect("rel");
        let clear = std::fs::read(path).expect("clear");
        let enc = std::fs::read(dst.join(rel)).expect("encrypted copy");
        let back = decrypt(&enc, scheme, KEY).expect("decrypts");
        let clear_layout = player_tests::piff_encrypt::fragment::layout(&clear).expect("layout");
        let total: usize = clear_layout.sample_sizes.iter().map(|&s| s as usize).sum();
        let plain = &clear[clear_layout.data_start..clear_layout.data_start + total];
        assert!(back == plain, "{scheme:?} {rel:?}: decrypted bytes differ");
        let name = rel.to_string_lossy().replace("Fragments(", "FragmentInfo(");
        let info = std::fs::read(dst.join(name)).expect("FragmentInfo");
        assert_eq!(&enc[..info.len()], &info[..]);
        assert_eq!(
            u32::from_be_bytes(info[..4].try_into().expect("4")) as usize,
            info.len()
        );
    }
}

/// The command-line tool does what `encrypt_presentation` does, and refuses a bad key
/// without echoing it.
fn the_cli_encrypts_and_refuses_a_bad_key_without_echoing_it(src: &Path) {
    let bin = env!("CARGO_BIN_EXE_piff-encrypt");
    let dst = temp_dir("cli");
    let out = Command::new(bin)
        .args([
            "--scheme",
            "cenc-ctr",
            "--key",
            &format!("{KID}:{}", hex::encode(KEY)),
        ])
        .arg(src)
        .arg(&dst)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("samples encrypted"));
    assert!(dst.join("Manifest").is_file());
    let secret = "00112233445566778899aabbccddeeff0011";
    let out = Command::new(bin)
        .args(["--scheme", "piff-ctr", "--key", &format!("{KID}:{secret}")])
        .arg(src)
        .arg(&*temp_dir("cli-bad"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not 16 bytes") && !err.contains(secret),
        "{err}"
    );
}

/// Runs `openssl enc` on `input` and returns its output.
fn openssl(cipher: &str, key: &[u8], iv: &[u8], input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("openssl")
        .args([
            "enc",
            cipher,
            "-nopad",
            "-K",
            &hex::encode(key),
            "-iv",
            &hex::encode(iv),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    let out = child.wait_with_output().expect("output");
    assert!(out.status.success());
    out.stdout
}

/// The 8-byte IV of the CTR cross-checks.
const IV8: [u8; 8] = [0x3a, 0x91, 0x07, 0xfe, 0x55, 0x10, 0xc2, 0x6d];

/// The first CTR counter block for `IV8`: IV ‖ 64-bit block counter 0.
fn counter_block() -> Vec<u8> {
    let mut block = IV8.to_vec();
    block.extend_from_slice(&[0; 8]);
    block
}

/// The AES-128 cipher player-core's CTR takes.
fn core_cipher() -> aes::Aes128 {
    use aes::cipher::{Array, KeyInit};
    aes::Aes128::new(&Array::from(KEY))
}

#[test]
fn ctr_over_a_whole_sample_matches_openssl() {
    if !prereq::tool(
        "ctr_over_a_whole_sample_matches_openssl",
        "openssl",
        "version",
        "openssl",
    ) {
        return;
    }
    // Whole sample (audio): openssl over the sample == encryptor == player-core's CTR.
    let sample: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
    let expected = openssl("-aes-128-ctr", &KEY, &counter_block(), &sample);
    let mut ours = sample.clone();
    SampleEncryptor::new(KEY, Mode::Ctr)
        .encrypt(&IV8, &[], &mut ours)
        .expect("encrypt");
    assert_eq!(ours, expected, "encryptor, whole sample");
    let mut core = sample.clone();
    apply_ctr(&core_cipher(), &Iv::new(&IV8).expect("iv"), &[], &mut core).expect("ctr");
    assert_eq!(core, expected, "player-core, whole sample");
}

#[test]
fn ctr_over_subsamples_matches_openssl_over_the_protected_ranges() {
    let test = "ctr_over_subsamples_matches_openssl_over_the_protected_ranges";
    if !prereq::tool(test, "openssl", "version", "openssl") {
        return;
    }
    // Subsamples (video): openssl over the concatenated protected ranges.
    let sample = video_samples().concat();
    let map = avc_subsamples(&sample, 4, false).expect("map");
    assert!(map.len() > 5);
    let mut protected = Vec::new();
    let mut pos = 0;
    for s in &map {
        pos += usize::from(s.clear);
        protected.extend_from_slice(&sample[pos..pos + s.encrypted as usize]);
        pos += s.encrypted as usize;
    }
    let expected = openssl("-aes-128-ctr", &KEY, &counter_block(), &protected);
    let mut ours = sample.clone();
    SampleEncryptor::new(KEY, Mode::Ctr)
        .encrypt(&IV8, &map, &mut ours)
        .expect("encrypt");
    let mut core = sample.clone();
    apply_ctr(&core_cipher(), &Iv::new(&IV8).expect("iv"), &map, &mut core).expect("ctr");
    for (name, out) in [("encryptor", &ours), ("player-core", &core)] {
        let mut got = Vec::new();
        let mut pos = 0;
        for s in &map {
            assert_eq!(
                &out[pos..pos + usize::from(s.clear)],
                &sample[pos..pos + usize::from(s.clear)],
                "{name}: clear bytes"
            );
            pos += usize::from(s.clear);
            got.extend_from_slice(&out[pos..pos + s.encrypted as usize]);
            pos += s.encrypted as usize;
        }
        assert_eq!(got, expected, "{name}: subsample case");
    }
}

#[test]
fn cbc_whole_blocks_match_openssl_and_the_decryptor_undoes_them() {
    let test = "cbc_whole_blocks_match_openssl_and_the_decryptor_undoes_them";
    if !prereq::tool(test, "openssl", "version", "openssl") {
        return;
    }
    // CBC: whole blocks match openssl; the decryptor undoes openssl's encryption.
    let iv16 = [0x77u8; 16];
    let sample: Vec<u8> = (0..1000u32).map(|i| (i * 13 % 256) as u8).collect();
    let whole = sample.len() / 16 * 16;
    let expected = openssl("-aes-128-cbc", &KEY, &iv16, &sample[..whole]);
    let mut ours = sample.clone();
    SampleEncryptor::new(KEY, Mode::Cbc)
        .encrypt(&iv16, &[], &mut ours)
        .expect("encrypt");
    assert_eq!(&ours[..whole], &expected[..]);
    assert_eq!(&ours[whole..], &sample[whole..], "partial block left clear");
    let mut from_openssl = expected.clone();
    from_openssl.extend_from_slice(&sample[whole..]);
    let info = player_core::decrypt::SampleAuxInfo {
        iv: Iv::new(&iv16).expect("iv"),
        subsamples: Vec::new(),
    };
    SampleDecryptor::new(&ContentKey::new(KEY))
        .decrypt_sample(Algorithm::AesCbc, 0, &mut from_openssl, &info)
        .expect("decrypts");
    assert_eq!(from_openssl, sample);
}
