//! Whisper-style log-mel features of the last 8 s of audio, the input the end-of-turn
//! model (smart-turn v3) was trained on: the same computation as Hugging Face's
//! `WhisperFeatureExtractor(chunk_length=8)` with `do_normalize=True` (which pipecat's
//! numpy port reproduces), so the model sees what it learnt from.
//!
//! Steps: keep the last 8 s (zeros in front when shorter), normalise to zero mean and
//! unit variance, a centred 400-point STFT every 160 samples with a periodic Hann window,
//! power through 80 Slaney mel filters (0–8 kHz, Slaney area norm), log10, floor at the
//! maximum − 8, and (x + 4) / 4.

use std::sync::{Arc, OnceLock};

use realfft::RealFftPlanner;
use realfft::RealToComplex;

/// Sample rate of the features.
pub const RATE: usize = 16_000;
/// Seconds of audio the features cover.
pub const SECONDS: usize = 8;
/// Mel bands.
pub const MELS: usize = 80;
/// Frames (10 ms each).
pub const FRAMES: usize = SECONDS * RATE / HOP;

const N_FFT: usize = 400;
const HOP: usize = 160;
const BINS: usize = N_FFT / 2 + 1;

/// The filterbank and FFT plan, built once.
struct Tables {
    /// `MELS` rows of `BINS` weights.
    filters: Vec<f64>,
    window: Vec<f64>,
    fft: Arc<dyn RealToComplex<f64>>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| Tables {
        filters: slaney_filters(),
        // Periodic Hann (numpy's hanning(N + 1)[:-1]).
        window: (0..N_FFT)
            .map(|n| 0.5 - 0.5 * (std::f64::consts::TAU * n as f64 / N_FFT as f64).cos())
            .collect(),
        fft: RealFftPlanner::<f64>::new().plan_fft_forward(N_FFT),
    })
}

fn hz_to_mel(hz: f64) -> f64 {
    let logstep = 27.0 / 6.4f64.ln();
    if hz >= 1000.0 {
        15.0 + (hz / 1000.0).ln() * logstep
    } else {
        3.0 * hz / 200.0
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= 15.0 {
        1000.0 * (logstep * (mel - 15.0)).exp()
    } else {
        200.0 * mel / 3.0
    }
}

/// Triangular filters between 82 points evenly spaced in mel from 0 to 8 kHz, each scaled
/// to unit area (Slaney's norm).
fn slaney_filters() -> Vec<f64> {
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(8000.0));
    let points: Vec<f64> = (0..MELS + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (MELS + 1) as f64))
        .collect();
    let fft_freqs: Vec<f64> = (0..BINS).map(|k| 8000.0 * k as f64 / (BINS - 1) as f64).collect();
    let mut filters = vec![0.0; MELS * BINS];
    for m in 0..MELS {
        let (left, centre, right) = (points[m], points[m + 1], points[m + 2]);
        let enorm = 2.0 / (right - left);
        for (k, f) in fft_freqs.iter().enumerate() {
            let down = (f - left) / (centre - left);
            let up = (right - f) / (right - centre);
            filters[m * BINS + k] = down.min(up).max(0.0) * enorm;
        }
    }
    filters
}

/// The features of the last 8 s of `audio` (16 kHz mono), `MELS` rows of `FRAMES`
/// values, row-major: the layout of the model's `[1, 80, 800]` input.
pub fn log_mel(audio: &[f32]) -> Vec<f32> {
    let t = tables();
    let len = SECONDS * RATE;
    let mut x = vec![0.0f64; len];
    let take = audio.len().min(len);
    for (dst, src) in x[len - take..].iter_mut().zip(&audio[audio.len() - take..]) {
        *dst = f64::from(*src);
    }
    let mean = x.iter().sum::<f64>() / len as f64;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / len as f64;
    let scale = 1.0 / (var + 1e-7).sqrt();
    for v in &mut x {
        *v = (*v - mean) * scale;
    }
    // Centred frames: the signal reflected by half a window at each end.
    let pad = N_FFT / 2;
    let mut padded = Vec::with_capacity(len + 2 * pad);
    padded.extend((1..=pad).rev().map(|i| x[i]));
    padded.extend_from_slice(&x);
    padded.extend((1..=pad).map(|i| x[len - 1 - i]));

    let mut input = t.fft.make_input_vec();
    let mut spectrum = t.fft.make_output_vec();
    let mut out = vec![0.0f64; MELS * FRAMES];
    let mut power = vec![0.0f64; BINS];
    // 801 frames are computed by the reference; the last is dropped, so stop at 800.
    for frame in 0..FRAMES {
        let start = frame * HOP;
        for (i, v) in input.iter_mut().enumerate() {
            *v = padded[start + i] * t.window[i];
        }
        if t.fft.process(&mut input, &mut spectrum).is_err() {
            continue;
        }
        for (p, c) in power.iter_mut().zip(&spectrum) {
            *p = c.norm_sqr();
        }
        for m in 0..MELS {
            let row = &t.filters[m * BINS..(m + 1) * BINS];
            let e: f64 = row.iter().zip(&power).map(|(w, p)| w * p).sum();
            out[m * FRAMES + frame] = e.max(1e-10).log10();
        }
    }
    let max = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    out.iter().map(|v| ((v.max(max - 8.0) + 4.0) / 4.0) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slaney_scale_and_filters_match_the_reference() {
        // librosa/transformers values: 1 kHz is mel 15 on the Slaney scale, 8 kHz about 45.2.
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-9);
        assert!((hz_to_mel(8000.0) - 45.245).abs() < 1e-3, "{}", hz_to_mel(8000.0));
        assert!((mel_to_hz(hz_to_mel(3210.0)) - 3210.0).abs() < 1e-6);
        let f = slaney_filters();
        // Every filter has weight somewhere, and the first peaks at its centre bin.
        for m in 0..MELS {
            assert!(
                f[m * BINS..(m + 1) * BINS].iter().any(|w| *w > 0.0),
                "filter {m} is empty"
            );
        }
    }

    #[test]
    fn a_tone_lights_its_band_and_the_shape_is_the_model_input() {
        // 1 s of 1 kHz at the end of the 8 s window: the features are 80 × 800, the last
        // second carries the tone in the band around 1 kHz, the silent start is at the floor.
        let tone: Vec<f32> = (0..RATE)
            .map(|i| 0.3 * (std::f32::consts::TAU * 1000.0 * i as f32 / RATE as f32).sin())
            .collect();
        let f = log_mel(&tone);
        assert_eq!(f.len(), MELS * FRAMES);
        let at = |m: usize, frame: usize| f[m * FRAMES + frame];
        let band = (0..MELS)
            .max_by(|a, b| at(*a, FRAMES - 50).total_cmp(&at(*b, FRAMES - 50)))
            .unwrap_or(0);
        let centre_hz = mel_to_hz(hz_to_mel(8000.0) * (band + 1) as f64 / (MELS + 1) as f64);
        assert!((centre_hz - 1000.0).abs() < 80.0, "band {band} at {centre_hz} Hz");
        let max = f.iter().copied().fold(f32::MIN, f32::max);
        let min = f.iter().copied().fold(f32::MAX, f32::min);
        assert!(
            (max - min - 2.0).abs() < 1e-3,
            "the floor is the maximum − 8 in log10, /4: {max} {min}"
        );
        assert!((at(10, 100) - min).abs() < 1e-6, "silence sits at the floor");
    }
}
