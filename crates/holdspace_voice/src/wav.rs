//! WAV files in and out through `hound`: recorded lines that override synthesis, and the
//! exact audio the app plays written out by `holdspace say`.

use std::path::Path;

use crate::error::VoiceError;

/// Reads a WAV file as mono samples in −1..=1 (channels are averaged) and its rate.
pub fn read_mono(path: &Path) -> Result<(u32, Vec<f32>), VoiceError> {
    let fail = |message: String| VoiceError::Recording {
        path: path.to_owned(),
        message,
    };
    let mut reader = hound::WavReader::open(path).map_err(|e| fail(e.to_string()))?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(|e| fail(e.to_string()))?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(|e| fail(e.to_string()))?
        }
    };
    if interleaved.is_empty() {
        return Err(fail("the file holds no audio".into()));
    }
    let mono = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    Ok((spec.sample_rate, mono))
}

/// Writes mono samples as 16-bit PCM.
pub fn write_mono(path: &Path, sample_rate: u32, samples: &[f32]) -> Result<(), VoiceError> {
    let fail = |message: String| VoiceError::Write {
        path: path.to_owned(),
        message,
    };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(|e| fail(e.to_string()))?;
    for s in samples {
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        writer.write_sample(v).map_err(|e| fail(e.to_string()))?;
    }
    writer.finalize().map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_audio_reads_back() {
        let dir = std::env::temp_dir().join(format!("holdspace-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("tone.wav");
        let tone: Vec<f32> = (0..1600).map(|i| 0.5 * (i as f32 * 0.1).sin()).collect();
        write_mono(&path, 16_000, &tone).unwrap_or_else(|e| panic!("{e}"));
        let (rate, back) = read_mono(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rate, 16_000);
        assert_eq!(back.len(), tone.len());
        assert!(back.iter().zip(&tone).all(|(a, b)| (a - b).abs() < 1e-4));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_that_is_not_a_wav_names_itself() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let err = read_mono(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("Cargo.toml"), "{err}");
    }
}
