//! Splitting encoded audio into access units: AC-3 / E-AC-3 elementary streams (each
//! syncframe says its size), and WAV files of WMA (a WAVEFORMATEX, then packets of
//! `nBlockAlign` bytes).

use anyhow::{Context, Result, bail, ensure};

/// One audio stream's access units and what the manifest says about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioTrack {
    /// FourCC: `AC-3`, `EC-3`, `WMA2`, `WMAP`.
    pub fourcc: &'static str,
    /// WAVEFORMATEX wFormatTag (AudioTag).
    pub format_tag: u16,
    pub sample_rate: u32,
    pub channels: u16,
    pub bits_per_sample: u16,
    /// nBlockAlign (PacketSize).
    pub block_align: u16,
    /// Codec-specific bytes (CodecPrivateData).
    pub private_data: Vec<u8>,
    /// Access units with their durations in samples.
    pub units: Vec<(Vec<u8>, u32)>,
}

/// AC-3 bit rates (kbit/s) by frmsizecod / 2.
const AC3_KBPS: [u32; 19] = [
    32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 576, 640,
];

/// The syncframes of an AC-3 (`enhanced` false) or E-AC-3 elementary stream; `channels` is
/// what the manifest announces.
pub fn dolby(data: &[u8], enhanced: bool, channels: u16) -> Result<AudioTrack> {
    let mut units = Vec::new();
    let mut rate = 0;
    let mut at = 0;
    while at < data.len() {
        let h = data.get(at..at + 6).context("truncated syncframe header")?;
        ensure!(h[0] == 0x0B && h[1] == 0x77, "no syncword at byte {at}");
        let (size, samples, r) = if enhanced {
            let size = (((usize::from(h[2] & 7) << 8) | usize::from(h[3])) + 1) * 2;
            let fscod = h[4] >> 6;
            ensure!(fscod != 3, "reduced sample rates are not supported");
            let blocks = [1, 2, 3, 6][usize::from((h[4] >> 4) & 3)];
            (
                size,
                blocks * 256,
                [48000, 44100, 32000][usize::from(fscod)],
            )
        } else {
            let (fscod, code) = (h[4] >> 6, usize::from(h[4] & 0x3f));
            let kbps = *AC3_KBPS.get(code / 2).context("frmsizecod")?;
            let size = match fscod {
                0 => kbps as usize * 4,
                2 => kbps as usize * 6,
                _ => bail!("44.1 kHz AC-3 is not supported"),
            };
            (size, 1536, if fscod == 0 { 48000 } else { 32000 })
        };
        let frame = data.get(at..at + size).context("truncated syncframe")?;
        units.push((frame.to_vec(), samples));
        rate = r;
        at += size;
    }
    ensure!(!units.is_empty(), "no syncframes");
    Ok(AudioTrack {
        fourcc: if enhanced { "EC-3" } else { "AC-3" },
        format_tag: if enhanced { 0xFFFE } else { 0x2000 },
        sample_rate: rate,
        channels,
        bits_per_sample: 16,
        block_align: 1,
        private_data: Vec::new(),
        units,
    })
}

/// The packets of a WAV file holding WMA; `samples` is each packet's length in samples.
pub fn wma_wav(data: &[u8], samples: u32) -> Result<AudioTrack> {
    ensure!(
        data.get(0..4) == Some(b"RIFF") && data.get(8..12) == Some(b"WAVE"),
        "not a WAV file"
    );
    let (mut fmt, mut body) = (None, None);
    let mut at = 12;
    while at + 8 <= data.len() {
        let id = &data[at..at + 4];
        let len = u32::from_le_bytes(data[at + 4..at + 8].try_into()?) as usize;
        let chunk = data.get(at + 8..at + 8 + len).context("truncated chunk")?;
        match id {
            b"fmt " => fmt = Some(chunk),
            b"data" => body = Some(chunk),
            _ => {}
        }
        at += 8 + len + (len & 1);
    }
    let (fmt, body) = (fmt.context("no fmt chunk")?, body.context("no data chunk")?);
    ensure!(fmt.len() >= 18, "WAVEFORMATEX too short");
    let u16_at = |i: usize| u16::from_le_bytes([fmt[i], fmt[i + 1]]);
    let format_tag = u16_at(0);
    let extra_len = usize::from(u16_at(16));
    let fourcc = match format_tag {
        0x0161 => "WMA2",
        0x0162 => "WMAP",
        t => bail!("WAVE format tag {t:#06x} is not WMA"),
    };
    let block_align = u16_at(12);
    ensure!(
        block_align > 0 && body.len() % usize::from(block_align) == 0,
        "data is not whole packets"
    );
    Ok(AudioTrack {
        fourcc,
        format_tag,
        sample_rate: u32::from_le_bytes(fmt[4..8].try_into()?),
        channels: u16_at(2),
        bits_per_sample: u16_at(14),
        block_align,
        private_data: fmt
            .get(18..18 + extra_len)
            .context("cbSize past the chunk")?
            .to_vec(),
        units: body
            .chunks(usize::from(block_align))
            .map(|p| (p.to_vec(), samples))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ac3_frames_are_cut_at_their_sizes() {
        // 48 kHz (fscod 0), frmsizecod 20 (192 kbit/s: 768 bytes).
        let mut frame = vec![0u8; 768];
        frame[..5].copy_from_slice(&[0x0B, 0x77, 0, 0, 20]);
        let stream = [frame.clone(), frame].concat();
        let t = dolby(&stream, false, 2).expect("ac3");
        assert_eq!(
            (t.units.len(), t.units[0].1, t.sample_rate),
            (2, 1536, 48000)
        );
        assert!(dolby(&stream[..700], false, 2).is_err());
    }
}
