//! Voiced lines kept on disk between runs, so a line synthesised once (by the set-up's
//! warm-up, `holdspace voices warm`, or an earlier session) starts at once next time.
//! The neural voice takes about half a line's length to synthesise on a slow machine,
//! so without this every session would start cold.
//!
//! One file per line, named by a hash of everything that changes the audio (text, voice,
//! prosody, the synthesiser and its model's sha256): a JSON header line (rate, the mouth
//! track, the subtitle's timing) and then the samples as 16-bit PCM. Written to a
//! temporary name and renamed, so a crash never leaves half a file; a file that cannot be
//! read is treated as missing and made again. Oldest files go first once the folder
//! passes its size limit.

use std::io::Write;
use std::path::{Path, PathBuf};

use holdspace_core::expression::lipsync::MouthTrack;

use crate::render::{Speech, TimedWord};

/// Marks the file format; a file without it is ignored.
const MAGIC: &str = "holdspace-line-1";
/// The folder is trimmed back to this once it grows past it (about 1,700 typical lines).
const LIMIT_BYTES: u64 = 512 * 1024 * 1024;

/// Where lines are kept: `$HOLDSPACE_VOICE_CACHE`, else `~/.cache/holdspace/voice-lines`.
pub fn default_dir() -> PathBuf {
    std::env::var_os("HOLDSPACE_VOICE_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/holdspace/voice-lines")))
        .unwrap_or_else(|| PathBuf::from("voice-lines"))
}

/// A stable 64-bit hash (FNV-1a) of `text`, as 16 hex digits: the same on every run and
/// machine, unlike the standard library's hasher.
pub fn stable_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The folder of kept lines.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
}

impl DiskCache {
    /// Lines kept in `dir` (made when the first line is written).
    pub fn new(dir: impl Into<PathBuf>) -> DiskCache {
        DiskCache { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.line", stable_hash(key)))
    }

    /// Whether a line is kept under `key` (without reading it).
    pub fn has(&self, key: &str) -> bool {
        self.path(key).is_file()
    }

    /// The line kept under `key`, if there is a readable one.
    pub fn get(&self, key: &str) -> Option<Speech> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let newline = bytes.iter().position(|b| *b == b'\n')?;
        let header: serde_json::Value = serde_json::from_slice(&bytes[..newline]).ok()?;
        if header.get("format")?.as_str()? != MAGIC || header.get("key")?.as_str()? != key {
            return None;
        }
        let rate = u32::try_from(header.get("rate")?.as_u64()?).ok()?;
        let mouth: MouthTrack = serde_json::from_value(header.get("mouth")?.clone()).ok()?;
        let words = header
            .get("words")?
            .as_array()?
            .iter()
            .map(|w| {
                Some(TimedWord {
                    text: w.get(0)?.as_str()?.to_owned(),
                    end_s: w.get(1)?.as_f64()? as f32,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let pcm = &bytes[newline + 1..];
        if pcm.len() % 2 != 0 {
            return None;
        }
        let samples: Vec<f32> = pcm
            .chunks_exact(2)
            // The scale `put` wrote with (and the WAV writer's), so a kept line written
            // out again is the same file.
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32767.0)
            .collect();
        Some(Speech {
            sample_rate: rate,
            samples: samples.into(),
            mouth,
            words,
        })
    }

    /// Keeps `speech` under `key`. Failing to write (a full or read-only disk) only
    /// costs the next run a synthesis, so errors are returned for the caller to log.
    pub fn put(&self, key: &str, speech: &Speech) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let words: Vec<serde_json::Value> = speech
            .words
            .iter()
            .map(|w| serde_json::json!([w.text, w.end_s]))
            .collect();
        let header = serde_json::json!({
            "format": MAGIC,
            "key": key,
            "rate": speech.sample_rate,
            "mouth": serde_json::to_value(&speech.mouth).map_err(std::io::Error::other)?,
            "words": words,
        });
        let mut bytes = serde_json::to_vec(&header).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        bytes.reserve(speech.samples.len() * 2);
        for s in speech.samples.iter() {
            let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        let path = self.path(key);
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        {
            let mut file = std::fs::File::create(&temporary)?;
            file.write_all(&bytes)?;
        }
        std::fs::rename(&temporary, &path)?;
        self.trim();
        Ok(())
    }

    /// Bytes the folder holds and how many lines.
    pub fn size(&self) -> (u64, usize) {
        let files = self.files();
        (files.iter().map(|f| f.1).sum(), files.len())
    }

    fn files(&self) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| {
                let e = e.ok()?;
                let path = e.path();
                if path.extension()? != "line" {
                    return None;
                }
                let meta = e.metadata().ok()?;
                Some((path, meta.len(), meta.modified().ok()?))
            })
            .collect()
    }

    /// Removes the oldest lines once the folder is over its limit.
    fn trim(&self) {
        let mut files = self.files();
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        if total <= LIMIT_BYTES {
            return;
        }
        files.sort_by_key(|f| f.2);
        for (path, len, _) in files {
            if total <= LIMIT_BYTES * 3 / 4 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(len);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use holdspace_core::expression::lipsync::{Viseme, VisemeKey};

    #[test]
    fn a_line_comes_back_as_it_was_kept_and_a_damaged_file_is_ignored() {
        let dir = std::env::temp_dir().join(format!("holdspace-disk-{}", std::process::id()));
        let cache = DiskCache::new(&dir);
        let speech = Speech {
            sample_rate: 24_000,
            samples: (0..2400)
                .map(|i| (i as f32 * 0.01).sin() * 0.5)
                .collect::<Vec<_>>()
                .into(),
            mouth: MouthTrack::Visemes(vec![VisemeKey {
                start_s: 0.0,
                end_s: 0.1,
                viseme: Viseme::Open,
            }]),
            words: vec![TimedWord {
                text: "Hello.".into(),
                end_s: 0.1,
            }],
        };
        assert!(cache.get("k").is_none());
        cache.put("k", &speech).unwrap_or_else(|e| panic!("{e}"));
        let back = cache.get("k").unwrap_or_else(|| panic!("kept"));
        assert_eq!(back.sample_rate, 24_000);
        assert_eq!(back.words, speech.words);
        assert_eq!(back.mouth, speech.mouth);
        assert!(
            back.samples
                .iter()
                .zip(speech.samples.iter())
                .all(|(a, b)| (a - b).abs() < 1e-4)
        );
        assert!(cache.get("another key").is_none());
        assert_eq!(cache.size().1, 1);
        std::fs::write(cache.path("k"), b"not a line").unwrap_or_else(|e| panic!("{e}"));
        assert!(cache.get("k").is_none());
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(stable_hash("abc"), "e71fa2190541574b");
    }
}
