//! FragmentDecryptor on hand-built protected fragments: PIFF and CENC boxes, clear
//! fragments, the PlayReady header's defaults and the typed errors.

use super::*;
use crate::decrypt::key::tests::block_on;
use crate::decrypt::{ContentKey, StaticKeys, key_checksum};
use crate::isobmff::piff_senc::PIFF_SAMPLE_ENCRYPTION_UUID;
use crate::isobmff::sample_encryption::tests::{TestSample, payload};
use crate::isobmff::sample_encryption::{Iv, SampleAuxInfo, Subsample};
use crate::isobmff::testutil::{bx, cat, full, words};
use crate::isobmff::{TrackFragment, parse_fragment};
use crate::manifest::PlayReadyKid;

const KID: Uuid = Uuid([0x11; 16]);
const KEY: [u8; 16] = [0x2b; 16];
const IVS: [[u8; 8]; 2] = [[1; 8], [2; 8]];
const CLEAR: [&[u8]; 2] = [b"first sample bytes", b"the second one"];
const WHOLE: [&[Subsample]; 2] = [&[], &[]];

/// A fragment whose traf holds two samples (`samples`, back to back in the mdat) and the
/// extra boxes `protection` (sample encryption and friends).
fn fragment(samples: &[Vec<u8>], protection: &[Vec<u8>]) -> Vec<u8> {
    let traf = |data_offset: u32| {
        // tfhd: default-base-is-moof, default duration; trun: data offset, per-sample sizes.
        let tfhd = full(b"tfhd", 0, 0x02_0008, &words(&[1, 1000]));
        let sizes: Vec<u32> = samples.iter().map(|s| s.len() as u32).collect();
        let fields = [&[samples.len() as u32, data_offset][..], &sizes].concat();
        let trun = full(b"trun", 0, 0x00_0201, &words(&fields));
        bx(b"traf", &cat(&[&tfhd, &trun, &protection.concat()]))
    };
    let moof = |data_offset| {
        bx(
            b"moof",
            &cat(&[&full(b"mfhd", 0, 0, &words(&[1])), &traf(data_offset)]),
        )
    };
    let data_offset = moof(0).len() as u32 + 8;
    cat(&[&moof(data_offset), &bx(b"mdat", &samples.concat())])
}

/// The clear samples encrypted with AES-CTR (symmetric: decrypting encrypts), each whole
/// or with its subsample map.
fn encrypted(maps: [&[Subsample]; 2]) -> Vec<Vec<u8>> {
    let dec = SampleDecryptor::new(&ContentKey::new(KEY));
    (0..2)
        .map(|i| {
            let mut data = CLEAR[i].to_vec();
            let info = SampleAuxInfo {
                iv: Iv::new(&IVS[i]).expect("8-byte IV"),
                subsamples: maps[i].to_vec(),
            };
            dec.decrypt_sample(Algorithm::AesCtr, i, &mut data, &info)
                .expect("encrypt");
            data
        })
        .collect()
}

/// A PIFF sample encryption uuid box for the two samples, without or with an override.
fn piff_box(override_: Option<(u32, u8, [u8; 16])>, samples: &[TestSample<'_>]) -> Vec<u8> {
    let flags = if override_.is_some() { 1 } else { 0 };
    bx(
        b"uuid",
        &cat(&[
            &PIFF_SAMPLE_ENCRYPTION_UUID,
            &payload(flags, override_, samples),
        ]),
    )
}

fn whole_samples() -> [TestSample<'static>; 2] {
    [(&IVS[0], &[]), (&IVS[1], &[])]
}

fn header(checksum: Option<Vec<u8>>) -> PlayReadyHeader {
    PlayReadyHeader {
        version: "4.0.0.0".into(),
        kids: vec![PlayReadyKid {
            kid: KID,
            algid: Some("AESCTR".into()),
            checksum,
        }],
        la_url: None,
        lui_url: None,
        ds_id: None,
    }
}

fn keys(key: [u8; 16]) -> Arc<dyn KeyProvider> {
    let mut keys = StaticKeys::new();
    keys.insert(KID, ContentKey::new(key));
    Arc::new(keys)
}

fn parsed(bytes: &[u8]) -> (Bytes, TrackFragment) {
    let body = Bytes::copy_from_slice(bytes);
    let mut f = parse_fragment(&body, 0).expect("fragment parses");
    (body, f.tracks.remove(0))
}

fn samples_of(body: &Bytes, track: &TrackFragment) -> Vec<Vec<u8>> {
    track
        .samples
        .iter()
        .map(|s| body[s.data.clone()].to_vec())
        .collect()
}

#[test]
fn piff_ctr_uses_the_playready_kid_and_checks_its_checksum() {
    let checksum = key_checksum(&ContentKey::new(KEY), KID).to_vec();
    let d = FragmentDecryptor::new(Some(&header(Some(checksum))), keys(KEY));
    let (body, track) = parsed(&fragment(
        &encrypted(WHOLE),
        &[piff_box(None, &whole_samples())],
    ));
    let (out, kid) = block_on(d.decrypt(body, &track)).expect("decrypts");
    assert_eq!(kid, Some(KID));
    assert_eq!(samples_of(&out, &track), CLEAR.map(<[u8]>::to_vec));

    let wrong = FragmentDecryptor::new(
        Some(&header(Some(
            key_checksum(&ContentKey::new(KEY), KID).to_vec(),
        ))),
        keys([0x77; 16]),
    );
    let (body, track) = parsed(&fragment(
        &encrypted(WHOLE),
        &[piff_box(None, &whole_samples())],
    ));
    assert_eq!(
        block_on(wrong.decrypt(body, &track)),
        Err(FragmentDecryptError::Decrypt(DecryptError::WrongKey {
            kid: KID
        }))
    );
}

#[test]
fn cenc_senc_with_subsamples_and_the_box_kid_override() {
    let sub = |encrypted| Subsample {
        clear: 3,
        encrypted,
    };
    let entries: [TestSample<'_>; 2] = [(&IVS[0], &[(3, 15)]), (&IVS[1], &[(3, 11)])];
    let enc = encrypted([&[sub(15)], &[sub(11)]]);
    assert_eq!(&enc[0][..3], &CLEAR[0][..3]);
    let senc = bx(b"senc", &payload(2, None, &entries));
    // No PlayReady header: the KID comes from nowhere, so the key is unavailable.
    let d = FragmentDecryptor::new(None, keys(KEY));
    let (body, track) = parsed(&fragment(&enc, std::slice::from_ref(&senc)));
    assert_eq!(
        block_on(d.decrypt(body.clone(), &track)),
        Err(FragmentDecryptError::Decrypt(
            DecryptError::KeyUnavailable { kid: Uuid([0; 16]) }
        ))
    );
    let d = FragmentDecryptor::new(Some(&header(None)), keys(KEY));
    let (out, kid) = block_on(d.decrypt(body, &track)).expect("decrypts");
    assert_eq!(kid, Some(KID));
    assert_eq!(samples_of(&out, &track), CLEAR.map(<[u8]>::to_vec));

    // A PIFF override names its own KID, AES-CTR and 8-byte IVs.
    let other = Uuid([0x22; 16]);
    let mut both = StaticKeys::new();
    both.insert(other, ContentKey::new(KEY));
    let d = FragmentDecryptor::new(Some(&header(None)), Arc::new(both));
    let piff = piff_box(Some((1, 8, other.0)), &whole_samples());
    let (body, track) = parsed(&fragment(&encrypted(WHOLE), &[piff]));
    let (out, kid) = block_on(d.decrypt(body, &track)).expect("override");
    assert_eq!(kid, Some(other));
    assert_eq!(samples_of(&out, &track), CLEAR.map(<[u8]>::to_vec));
}

#[test]
fn clear_fragments_come_back_as_they_are() {
    let d = FragmentDecryptor::new(Some(&header(None)), keys(KEY));
    let plain: Vec<Vec<u8>> = CLEAR.iter().map(|s| s.to_vec()).collect();
    let (body, track) = parsed(&fragment(&plain, &[]));
    let (out, kid) = block_on(d.decrypt(body.clone(), &track)).expect("clear");
    assert_eq!(kid, None);
    assert_eq!(out.as_ptr(), body.as_ptr(), "no copy");

    // AlgorithmID 0 in the override: clear too, whatever the header says.
    let (body, track) = parsed(&fragment(&plain, &[piff_box(Some((0, 8, KID.0)), &[])]));
    let (out, kid) = block_on(d.decrypt(body.clone(), &track)).expect("algorithm none");
    assert_eq!((out.as_ptr(), kid), (body.as_ptr(), None));
}

#[test]
fn entries_and_sample_data_must_match_the_track() {
    let d = FragmentDecryptor::new(Some(&header(None)), keys(KEY));
    let one_entry: [TestSample<'_>; 1] = [(&IVS[0], &[])];
    let (body, track) = parsed(&fragment(&encrypted(WHOLE), &[piff_box(None, &one_entry)]));
    assert_eq!(
        block_on(d.decrypt(body, &track)),
        Err(FragmentDecryptError::Decrypt(
            DecryptError::SampleCountMismatch {
                entries: 1,
                samples: 2
            }
        ))
    );

    let (body, track) = parsed(&fragment(
        &encrypted(WHOLE),
        &[piff_box(None, &whole_samples())],
    ));
    let short = body.slice(..body.len() - 1);
    assert_eq!(
        block_on(d.decrypt(short, &track)),
        Err(FragmentDecryptError::Decrypt(
            DecryptError::SampleDataShort {
                needed: body.len() as u64,
                available: body.len() as u64 - 1
            }
        ))
    );

    let broken = bx(
        b"uuid",
        &cat(&[&PIFF_SAMPLE_ENCRYPTION_UUID, &[0, 0, 0, 0, 0, 0, 0, 9]]),
    );
    let (body, track) = parsed(&fragment(&encrypted(WHOLE), &[broken]));
    assert!(matches!(
        block_on(d.decrypt(body, &track)),
        Err(FragmentDecryptError::Box(_))
    ));
}
