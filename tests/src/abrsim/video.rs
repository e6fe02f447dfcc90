//! Video descriptions: bitrate ladder, chunk durations and exact chunk sizes per level.

use std::path::Path;

/// Most chunks × levels a description may hold.
pub const MAX_VIDEO_CELLS: usize = 10_000_000;

/// Most levels in a ladder.
pub const MAX_LEVELS: usize = 64;

/// A video description that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File or folder.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Malformed JSON.
    #[error("{name}: invalid video JSON: {source}")]
    Json {
        /// Source name.
        name: String,
        /// Cause.
        source: serde_json::Error,
    },
    /// Inconsistent or out-of-range content.
    #[error("{name}: {what}")]
    Invalid {
        /// Source name.
        name: String,
        /// What is wrong, with the index.
        what: String,
    },
}

/// A video as the simulator sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Video {
    /// Ladder bitrates (bit/s), ascending.
    pub bitrates_bps: Vec<u64>,
    /// Media duration of each chunk (seconds).
    pub durations_s: Vec<f64>,
    /// `sizes_bytes[chunk][level]`.
    pub sizes_bytes: Vec<Vec<u64>>,
}

#[derive(serde::Deserialize)]
struct SabreVideo {
    segment_duration_ms: f64,
    bitrates_kbps: Vec<f64>,
    segment_sizes_bits: Vec<Vec<f64>>,
}

#[derive(serde::Deserialize)]
struct LevelListVideo {
    bitrates_bps: Vec<u64>,
    chunk_duration_s: f64,
    /// `chunk_sizes_bytes[level][chunk]`, as in the `abr-eval stdio` init message.
    chunk_sizes_bytes: Vec<Vec<u64>>,
}

impl Video {
    /// Number of chunks.
    pub fn chunks(&self) -> usize {
        self.sizes_bytes.len()
    }

    /// Number of levels.
    pub fn levels(&self) -> usize {
        self.bitrates_bps.len()
    }

    /// Size of `chunk` at `level` (0 when out of range).
    pub fn size(&self, chunk: usize, level: usize) -> u64 {
        self.sizes_bytes
            .get(chunk)
            .and_then(|c| c.get(level))
            .copied()
            .unwrap_or(0)
    }

    /// Duration of `chunk` (0 when out of range).
    pub fn duration(&self, chunk: usize) -> f64 {
        self.durations_s.get(chunk).copied().unwrap_or(0.0)
    }

    /// Utility of `level` in Mbit/s.
    pub fn mbps(&self, level: usize) -> f64 {
        self.bitrates_bps
            .get(level)
            .map_or(0.0, |b| *b as f64 / 1e6)
    }

    /// Builds a video from per-level chunk lists (`per_level[level][chunk]`, bytes).
    pub fn from_levels(
        name: &str,
        bitrates_bps: Vec<u64>,
        chunk_duration_s: f64,
        per_level: &[Vec<u64>],
    ) -> Result<Video, VideoError> {
        let invalid = |what: String| VideoError::Invalid {
            name: name.to_string(),
            what,
        };
        if per_level.len() != bitrates_bps.len() {
            return Err(invalid(format!(
                "{} bitrates but {} chunk-size lists",
                bitrates_bps.len(),
                per_level.len()
            )));
        }
        let chunks = per_level.first().map_or(0, Vec::len);
        if let Some(l) = per_level.iter().position(|v| v.len() != chunks) {
            return Err(invalid(format!(
                "level {l} has a different number of chunks than level 0"
            )));
        }
        let sizes = (0..chunks)
            .map(|c| {
                per_level
                    .iter()
                    .map(|v| v.get(c).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        Video {
            durations_s: vec![chunk_duration_s; chunks],
            bitrates_bps,
            sizes_bytes: sizes,
        }
        .validate(name)
    }

    fn validate(self, name: &str) -> Result<Video, VideoError> {
        let invalid = |what: String| VideoError::Invalid {
            name: name.to_string(),
            what,
        };
        let n = self.bitrates_bps.len();
        if n == 0 || self.sizes_bytes.is_empty() {
            return Err(invalid("no levels or no chunks".into()));
        }
        if n > MAX_LEVELS {
            return Err(invalid(format!(
                "{n} levels; at most {MAX_LEVELS} are supported"
            )));
        }
        if n.saturating_mul(self.sizes_bytes.len()) > MAX_VIDEO_CELLS {
            return Err(invalid(format!("more than {MAX_VIDEO_CELLS} chunk sizes")));
        }
        if let Some(i) = (0..n).find(|&i| {
            self.bitrates_bps[i] == 0 || (i > 0 && self.bitrates_bps[i] < self.bitrates_bps[i - 1])
        }) {
            return Err(invalid(format!(
                "bitrate of level {i} is zero or below the level before it"
            )));
        }
        if let Some(c) = self
            .sizes_bytes
            .iter()
            .position(|s| s.len() != n || s.contains(&0))
        {
            return Err(invalid(format!("chunk {c}: needs {n} sizes, all positive")));
        }
        if let Some(c) = self
            .durations_s
            .iter()
            .position(|d| !(d.is_finite() && *d > 0.0 && *d < 3600.0))
        {
            return Err(invalid(format!(
                "chunk {c}: duration must be in (0, 3600) s"
            )));
        }
        Ok(self)
    }

    /// Parses JSON: Sabre (`segment_duration_ms`, `bitrates_kbps`, `segment_sizes_bits`) or
    /// the per-level form (`bitrates_bps`, `chunk_duration_s`, `chunk_sizes_bytes`).
    pub fn parse_json(name: &str, text: &str) -> Result<Video, VideoError> {
        let json = |source| VideoError::Json {
            name: name.to_string(),
            source,
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(json)?;
        if value.get("segment_sizes_bits").is_some() {
            let v: SabreVideo = serde_json::from_value(value).map_err(json)?;
            let bad = |what: String| VideoError::Invalid {
                name: name.to_string(),
                what,
            };
            let bitrates = v
                .bitrates_kbps
                .iter()
                .map(|k| {
                    if k.is_finite() && *k > 0.0 {
                        Ok((k * 1000.0).round() as u64)
                    } else {
                        Err(bad(format!("bitrate {k} kbit/s")))
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut sizes = Vec::with_capacity(v.segment_sizes_bits.len().min(MAX_VIDEO_CELLS));
            for (c, seg) in v.segment_sizes_bits.iter().enumerate() {
                let row = seg
                    .iter()
                    .map(|b| {
                        if b.is_finite() && *b > 0.0 && *b < 8e12 {
                            Ok((b / 8.0).ceil() as u64)
                        } else {
                            Err(bad(format!("segment {c}: size {b} bits")))
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                sizes.push(row);
            }
            Video {
                durations_s: vec![v.segment_duration_ms / 1000.0; sizes.len()],
                bitrates_bps: bitrates,
                sizes_bytes: sizes,
            }
            .validate(name)
        } else {
            let v: LevelListVideo = serde_json::from_value(value).map_err(json)?;
            Video::from_levels(
                name,
                v.bitrates_bps,
                v.chunk_duration_s,
                &v.chunk_sizes_bytes,
            )
        }
    }

    /// Loads a JSON file, or a folder of `video_size_N` files (one byte count per line, one
    /// file per level) with the bitrates and chunk duration given.
    pub fn load(
        path: &Path,
        bitrates_bps: Option<&[u64]>,
        chunk_duration_s: f64,
    ) -> Result<Video, VideoError> {
        let io = |source| VideoError::Io {
            path: path.display().to_string(),
            source,
        };
        let name = path.display().to_string();
        if !path.is_dir() {
            let text = std::fs::read_to_string(path).map_err(io)?;
            return Video::parse_json(&name, &text);
        }
        let Some(bitrates) = bitrates_bps else {
            return Err(VideoError::Invalid {
                name,
                what: "a folder of video_size_N files needs --bitrates-kbps".into(),
            });
        };
        let mut per_level = Vec::with_capacity(bitrates.len());
        for level in 0..bitrates.len() {
            let file = path.join(format!("video_size_{level}"));
            let text = std::fs::read_to_string(&file).map_err(|source| VideoError::Io {
                path: file.display().to_string(),
                source,
            })?;
            let mut sizes = Vec::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let v = line
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| VideoError::Invalid {
                        name: file.display().to_string(),
                        what: format!("line {}: {:?} is not a byte count", i + 1, line.trim()),
                    })?;
                if sizes.len() >= MAX_VIDEO_CELLS {
                    break;
                }
                sizes.push(v);
            }
            per_level.push(sizes);
        }
        Video::from_levels(&name, bitrates.to_vec(), chunk_duration_s, &per_level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sabre_json_is_segment_major_in_bits() {
        let j = r#"{"segment_duration_ms": 3000, "bitrates_kbps": [100, 200],
                    "segment_sizes_bits": [[300000, 600000], [280000, 590001]]}"#;
        let v = Video::parse_json("v", j).expect("must parse");
        assert_eq!(v.bitrates_bps, vec![100_000, 200_000]);
        assert_eq!(v.durations_s, vec![3.0, 3.0]);
        assert_eq!(v.size(1, 1), 73_751);
        assert_eq!(v.size(0, 0), 37_500);
    }

    #[test]
    fn level_lists_are_transposed() {
        let j = r#"{"bitrates_bps": [1, 2], "chunk_duration_s": 4.0,
                    "chunk_sizes_bytes": [[10, 11, 12], [20, 21, 22]]}"#;
        let v = Video::parse_json("v", j).expect("must parse");
        assert_eq!(v.chunks(), 3);
        assert_eq!(v.sizes_bytes[2], vec![12, 22]);
    }

    #[test]
    fn inconsistent_videos_are_rejected_with_the_index() {
        let e = Video::parse_json(
            "v",
            r#"{"bitrates_bps": [2, 1], "chunk_duration_s": 4, "chunk_sizes_bytes": [[1],[1]]}"#,
        )
        .expect_err("must be rejected");
        assert!(e.to_string().contains("level 1"), "{e}");
        let e = Video::parse_json(
            "v",
            r#"{"bitrates_bps": [1, 2], "chunk_duration_s": 4, "chunk_sizes_bytes": [[1, 1],[1]]}"#,
        )
        .expect_err("must be rejected");
        assert!(
            e.to_string().contains("level 1 has a different number"),
            "{e}"
        );
        let e = Video::parse_json(
            "v",
            r#"{"segment_duration_ms": 0, "bitrates_kbps": [1], "segment_sizes_bits": [[8]]}"#,
        )
        .expect_err("must be rejected");
        assert!(e.to_string().contains("duration"), "{e}");
        let e = Video::parse_json(
            "v",
            r#"{"segment_duration_ms": 1000, "bitrates_kbps": [1], "segment_sizes_bits": [[-8]]}"#,
        )
        .expect_err("must be rejected");
        assert!(e.to_string().contains("segment 0"), "{e}");
        assert!(Video::parse_json("v", "{").is_err());
    }
}
