//! The codecs only the libav backend decodes, through the real pipeline (loopback origin,
//! fragment parser, decoder thread, audio output): 5.1 AAC with every tone on its own
//! channel, or downmixed to stereo; 5.1 AC-3; E-AC-3; WMA 9. The pure backend refuses
//! them with a typed error. Media: `assets/codecs/` (see assets/README.md).
#![cfg(feature = "libav")]

use player_core::decode::Backend;
use player_core::player::{AudioChannels, Config, Event, Player, Sinks};
use player_tests::origin::{Origin, OriginConfig};
use player_tests::support::{CaptureAudio, CapturedAudio, assets_dir, run_to_end, tone_power};

/// 5.1 in WAVE order: FL, FR, FC, LFE, BL, BR.
const SIX: [f64; 6] = [500.0, 700.0, 1000.0, 60.0, 1300.0, 1700.0];
const STEREO: [f64; 2] = [500.0, 700.0];

fn play(origin: &Origin, name: &str, decoder: Backend, channels: AudioChannels) -> CapturedAudio {
    let audio = CaptureAudio::new(false);
    let sinks = Sinks {
        video: Box::new(player_core::sink::NullVideoSink::default()),
        audio: Box::new(audio.clone()),
    };
    let config = Config {
        fast: true,
        decoder,
        audio_channels: channels,
        ..Config::default()
    };
    let player = Player::open(
        &origin.url(&format!("codecs/{name}/Manifest")),
        config,
        sinks,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let events = run_to_end(&player);
    let errors: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::Error { .. }))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    drop(player);
    audio.captured()
}

/// Asserts channel `c` carries tone `want` and none of `others`.
fn assert_tones(a: &CapturedAudio, name: &str, c: usize, want: &[f64], others: &[f64]) {
    let ch = usize::from(a.channels);
    for hz in want {
        let p = tone_power(&a.samples, ch, c, a.rate, *hz, 4096);
        assert!(p > 0.1, "{name}: channel {c} lacks {hz} Hz (power {p:.3})");
    }
    for hz in others {
        let p = tone_power(&a.samples, ch, c, a.rate, *hz, 4096);
        assert!(
            p < 0.01,
            "{name}: channel {c} carries {hz} Hz (power {p:.3})"
        );
    }
}

/// Every channel carries its own tone only.
fn assert_each_channel_its_tone(a: &CapturedAudio, name: &str, tones: &[f64]) {
    assert_eq!(usize::from(a.channels), tones.len(), "{name}: channels");
    for (c, hz) in tones.iter().enumerate() {
        let others: Vec<f64> = tones.iter().copied().filter(|t| t != hz).collect();
        assert_tones(a, name, c, &[*hz], &others);
    }
}

#[test]
fn five_one_aac_plays_every_tone_on_its_own_channel() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let a = play(&origin, "aac51", Backend::Libav, AudioChannels::All);
    assert_eq!(a.rate, 48000);
    assert_each_channel_its_tone(&a, "aac51", &SIX);
    // 4 s of sound, the priming access unit included.
    let frames = a.samples.len() / 6;
    assert!(
        (188 * 1024..=189 * 1024).contains(&frames),
        "{frames} sample frames"
    );
}

#[test]
fn five_one_aac_downmixes_to_stereo_left_right_centre_and_surrounds() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let a = play(&origin, "aac51", Backend::Auto, AudioChannels::Stereo);
    assert_eq!(a.channels, 2);
    // Left: FL, FC, BL. Right: FR, FC, BR. LFE nowhere.
    assert_tones(
        &a,
        "aac51 stereo",
        0,
        &[500.0, 1000.0, 1300.0],
        &[700.0, 1700.0, 60.0],
    );
    assert_tones(
        &a,
        "aac51 stereo",
        1,
        &[700.0, 1000.0, 1700.0],
        &[500.0, 1300.0, 60.0],
    );
    let peak = a.samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    assert!(peak <= 1.0, "the downmix clips: {peak}");
}

#[test]
fn ac3_eac3_and_wma_play_their_tones() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    let a = play(&origin, "ac3", Backend::Libav, AudioChannels::All);
    assert_each_channel_its_tone(&a, "ac3", &SIX);
    let a = play(&origin, "eac3", Backend::Libav, AudioChannels::All);
    assert_each_channel_its_tone(&a, "eac3", &STEREO);
    let a = play(&origin, "wma2", Backend::Auto, AudioChannels::Stereo);
    assert_eq!(a.rate, 44100);
    assert_each_channel_its_tone(&a, "wma2", &STEREO);
}

#[test]
fn the_pure_backend_refuses_them_by_name() {
    let origin = Origin::start(assets_dir(), OriginConfig::default()).expect("origin");
    for (name, why) in [("aac51", "6 channels"), ("ac3", "AC-3"), ("wma2", "WMA")] {
        let config = Config {
            fast: true,
            decoder: Backend::OpenH264,
            ..Config::default()
        };
        let url = origin.url(&format!("codecs/{name}/Manifest"));
        let err = Player::open(&url, config, Sinks::null(true))
            .err()
            .expect(name);
        assert_eq!(err.kind(), "unsupported", "{name}: {err}");
        assert!(err.to_string().contains(why), "{name}: {err}");
    }
}
