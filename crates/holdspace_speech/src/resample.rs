//! Converting a microphone's or a file's sample rate to the 16 kHz the recognisers
//! expect, with rubato's FFT resampler (band-limited, so 48 kHz speech does not alias
//! into the speech band when it comes down to 16 kHz).

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use crate::error::SpeechError;
use crate::vad::RATE;

/// Input frames per resampler call: 1024 frames is 21 ms at 48 kHz, small next to the
/// end-pointing delay.
const CHUNK: usize = 1024;

/// A streaming converter from one rate to 16 kHz mono.
pub struct To16k {
    inner: Option<Fft<f32>>,
    pending: Vec<f32>,
    out: Vec<f32>,
}

impl To16k {
    /// A converter from `from_rate` (passes samples through when it is already 16 kHz).
    pub fn new(from_rate: u32) -> Result<To16k, SpeechError> {
        let inner = if from_rate == RATE {
            None
        } else {
            let fft = Fft::<f32>::new(from_rate as usize, RATE as usize, CHUNK, 1, FixedSync::Input)
                .map_err(|e| SpeechError::Audio(format!("cannot resample {from_rate} Hz to 16 kHz: {e}")))?;
            Some(fft)
        };
        let capacity = inner.as_ref().map_or(0, |r| r.output_frames_max());
        Ok(To16k {
            inner,
            pending: Vec::with_capacity(CHUNK),
            out: vec![0.0; capacity],
        })
    }

    /// Converts what it can of `samples`, appending 16 kHz samples to `into`; the rest
    /// waits for the next call.
    pub fn push(&mut self, samples: &[f32], into: &mut Vec<f32>) -> Result<(), SpeechError> {
        let Some(resampler) = self.inner.as_mut() else {
            into.extend_from_slice(samples);
            return Ok(());
        };
        self.pending.extend_from_slice(samples);
        let mut start = 0;
        while self.pending.len() - start >= CHUNK {
            let input = InterleavedSlice::new(&self.pending[start..start + CHUNK], 1, CHUNK)
                .map_err(|e| SpeechError::Audio(e.to_string()))?;
            let frames = self.out.len();
            let mut output =
                InterleavedSlice::new_mut(&mut self.out, 1, frames).map_err(|e| SpeechError::Audio(e.to_string()))?;
            let (_, written) = resampler
                .process_into_buffer(&input, &mut output, None)
                .map_err(|e| SpeechError::Audio(e.to_string()))?;
            into.extend_from_slice(&self.out[..written]);
            start += CHUNK;
        }
        self.pending.drain(..start);
        Ok(())
    }
}

/// A whole clip at `from_rate` as 16 kHz, aligned (the resampler's delay removed).
pub fn to_16k(samples: &[f32], from_rate: u32) -> Result<Vec<f32>, SpeechError> {
    if from_rate == RATE {
        return Ok(samples.to_vec());
    }
    let mut resampler = Fft::<f32>::new(from_rate as usize, RATE as usize, CHUNK, 1, FixedSync::Input)
        .map_err(|e| SpeechError::Audio(format!("cannot resample {from_rate} Hz to 16 kHz: {e}")))?;
    let needed = resampler.process_all_needed_output_len(samples.len());
    let mut out = vec![0.0; needed];
    let input = InterleavedSlice::new(samples, 1, samples.len()).map_err(|e| SpeechError::Audio(e.to_string()))?;
    let mut output = InterleavedSlice::new_mut(&mut out, 1, needed).map_err(|e| SpeechError::Audio(e.to_string()))?;
    let (_, written) = resampler
        .process_all_into_buffer(&input, &mut output, samples.len(), None)
        .map_err(|e| SpeechError::Audio(e.to_string()))?;
    out.truncate(written);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use holdspace_core::analysis::signal::{median_pitch, pitch_track};

    fn tone(hz: f32, rate: u32, seconds: f32) -> Vec<f32> {
        (0..(rate as f32 * seconds) as usize)
            .map(|i| 0.3 * (std::f32::consts::TAU * hz * i as f32 / rate as f32).sin())
            .collect()
    }

    #[test]
    fn a_clip_keeps_its_length_and_pitch() {
        for rate in [22_050, 44_100, 48_000] {
            let out = to_16k(&tone(200.0, rate, 1.0), rate).unwrap_or_else(|e| panic!("{e}"));
            assert!((out.len() as i64 - 16_000).abs() < 40, "{rate}: {}", out.len());
            let pitch = median_pitch(&pitch_track(&out, 16_000)).unwrap_or_default();
            assert!((pitch - 200.0).abs() < 3.0, "{rate}: {pitch}");
        }
    }

    #[test]
    fn streaming_in_odd_chunks_gives_a_steady_rate() {
        let mut stream = To16k::new(48_000).unwrap_or_else(|e| panic!("{e}"));
        let input = tone(300.0, 48_000, 2.0);
        let mut out = Vec::new();
        for chunk in input.chunks(333) {
            stream.push(chunk, &mut out).unwrap_or_else(|e| panic!("{e}"));
        }
        // All but the last partial chunk is out.
        assert!(out.len() > 31_000 && out.len() <= 32_000, "{}", out.len());
        let mut passthrough = To16k::new(16_000).unwrap_or_else(|e| panic!("{e}"));
        let mut same = Vec::new();
        passthrough
            .push(&[0.1, 0.2], &mut same)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(same, vec![0.1, 0.2]);
    }
}
