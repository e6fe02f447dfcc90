//! Decryption throughput on a realistic fragment: a 720p H.264 fragment of ~600 KB (50 samples,
//! a few NAL units each, subsample maps with 5 clear bytes per NAL unit) and an AAC-like
//! fragment of whole-sample encrypted frames. Compare with `openssl speed -evp aes-128-ctr`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use player_core::decrypt::{
    Algorithm, ContentKey, Iv, SampleAuxInfo, SampleDecryptor, SampleEncryption, Subsample,
};
use std::hint::black_box;

/// One I-frame of 60 KB, then 49 P/B frames of ~11 KB: ~600 KB in all.
fn video_fragment(cbc: bool) -> (Vec<u8>, Vec<u32>, SampleEncryption) {
    let mut sizes = Vec::new();
    let mut samples = Vec::new();
    for i in 0..50u32 {
        // NAL units of this sample: an AUD, an SEI, then one or three slices.
        let slices: Vec<u32> = if i == 0 {
            vec![20_000, 20_000, 20_011]
        } else {
            vec![11_000 + (i * 37) % 500]
        };
        let mut subsamples = vec![Subsample {
            clear: 4 + 2 + 4 + 30,
            encrypted: 0,
        }];
        let mut size = 40u32;
        for nal in slices {
            let body = nal - 1;
            let enc = if cbc { body / 16 * 16 } else { body };
            subsamples.push(Subsample {
                clear: (4 + 1 + body - enc) as u16,
                encrypted: enc,
            });
            size += 4 + nal;
        }
        sizes.push(size);
        let iv = if cbc {
            vec![i as u8; 16]
        } else {
            vec![i as u8; 8]
        };
        samples.push(SampleAuxInfo {
            iv: Iv::new(&iv).expect("iv"),
            subsamples,
        });
    }
    let total: u32 = sizes.iter().sum();
    let enc = SampleEncryption {
        algorithm: None,
        iv_size: None,
        kid: None,
        samples,
    };
    (vec![0xa5; total as usize], sizes, enc)
}

/// 94 AAC frames of ~370 bytes (2 s at 48 kHz, 128 kb/s), whole-sample encrypted.
fn audio_fragment() -> (Vec<u8>, Vec<u32>, SampleEncryption) {
    let sizes: Vec<u32> = (0..94).map(|i| 360 + (i * 13) % 30).collect();
    let samples = (0..94u8)
        .map(|i| SampleAuxInfo {
            iv: Iv::new(&[i; 8]).expect("iv"),
            subsamples: Vec::new(),
        })
        .collect();
    let total: u32 = sizes.iter().sum();
    let enc = SampleEncryption {
        algorithm: None,
        iv_size: None,
        kid: None,
        samples,
    };
    (vec![0x5a; total as usize], sizes, enc)
}

fn bench(c: &mut Criterion) {
    let dec = SampleDecryptor::new(&ContentKey::new([0x42; 16]));
    let mut group = c.benchmark_group("decrypt");
    for (name, algorithm, (mut data, sizes, enc)) in [
        (
            "ctr_video_720p_fragment",
            Algorithm::AesCtr,
            video_fragment(false),
        ),
        (
            "cbc_video_720p_fragment",
            Algorithm::AesCbc,
            video_fragment(true),
        ),
        ("ctr_audio_fragment", Algorithm::AesCtr, audio_fragment()),
        ("cbc_audio_fragment", Algorithm::AesCbc, audio_fragment()),
    ] {
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                dec.decrypt_samples(algorithm, black_box(&mut data), &sizes, &enc)
                    .expect("decrypts")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
