//! Measurements on mono audio samples: level (RMS in dBFS), a loudness envelope and a
//! pitch track (YIN). Used to check the customer's voice and, for the trainee, to
//! measure delivery. Pure functions over `&[f32]` in −1..=1.

/// Level of silence: what an all-zero signal measures.
pub const SILENCE_DBFS: f32 = -120.0;

/// RMS level in dBFS (0 dBFS is a full-scale square wave).
pub fn rms_dbfs(samples: &[f32]) -> f32 {
    if samples.is_empty() {
        return SILENCE_DBFS;
    }
    let power = samples.iter().map(|s| f64::from(*s) * f64::from(*s)).sum::<f64>() / samples.len() as f64;
    if power <= 1e-12 {
        SILENCE_DBFS
    } else {
        (10.0 * power.log10()) as f32
    }
}

/// RMS level of the voiced part only: frames more than 40 dB below the loudest frame
/// (pauses, breaths) are left out, so pauses do not make a line read as quieter.
pub fn active_level_dbfs(samples: &[f32], sample_rate: u32) -> f32 {
    let hop = (sample_rate as usize / 100).max(1);
    let levels = envelope_dbfs(samples, hop);
    let Some(peak) = levels.iter().copied().reduce(f32::max) else {
        return SILENCE_DBFS;
    };
    let active: Vec<f32> = levels.into_iter().filter(|l| *l > peak - 40.0).collect();
    if active.is_empty() {
        return SILENCE_DBFS;
    }
    let power = active.iter().map(|db| 10f64.powf(f64::from(*db) / 10.0)).sum::<f64>() / active.len() as f64;
    (10.0 * power.log10()) as f32
}

/// RMS level of each consecutive block of `hop` samples, in dBFS.
pub fn envelope_dbfs(samples: &[f32], hop: usize) -> Vec<f32> {
    samples.chunks(hop.max(1)).map(rms_dbfs).collect()
}

/// Pitch estimates in hertz, one per 10 ms frame that is voiced (`None` when unvoiced or
/// too quiet), by the YIN method (de Cheveigné & Kawahara 2002) over 60–500 Hz.
pub fn pitch_track(samples: &[f32], sample_rate: u32) -> Vec<Option<f32>> {
    let sr = sample_rate as f32;
    let hop = (sample_rate / 100).max(1) as usize;
    let min_lag = (sr / 500.0) as usize;
    let max_lag = (sr / 60.0) as usize;
    let window = max_lag;
    let mut out = Vec::new();
    let mut diff = vec![0.0f32; max_lag + 2];
    let loudest = envelope_dbfs(samples, hop).into_iter().fold(SILENCE_DBFS, f32::max);
    let mut start = 0;
    while start + window + max_lag + 1 < samples.len() {
        let frame = &samples[start..start + window + max_lag + 1];
        if rms_dbfs(&frame[..window]) < loudest - 35.0 {
            out.push(None);
            start += hop;
            continue;
        }
        // Difference function.
        for (lag, d) in diff.iter_mut().enumerate().take(max_lag + 1).skip(1) {
            *d = (0..window).map(|i| (frame[i] - frame[i + lag]).powi(2)).sum();
        }
        // Cumulative mean normalised difference; the first dip under the threshold wins.
        let mut running = 0.0;
        let mut best = None;
        let mut cmnd = vec![1.0f32; max_lag + 1];
        for lag in 1..=max_lag {
            running += diff[lag];
            cmnd[lag] = if running > 0.0 {
                diff[lag] * lag as f32 / running
            } else {
                1.0
            };
        }
        let mut lag = min_lag.max(2);
        while lag < max_lag {
            if cmnd[lag] < 0.15 {
                while lag + 1 < max_lag && cmnd[lag + 1] < cmnd[lag] {
                    lag += 1;
                }
                best = Some(lag);
                break;
            }
            lag += 1;
        }
        out.push(best.map(|lag| {
            // Parabolic interpolation around the dip for sub-sample precision.
            let (a, b, c) = (cmnd[lag - 1], cmnd[lag], cmnd[lag + 1]);
            let denom = a - 2.0 * b + c;
            let shift = if denom.abs() > 1e-9 { 0.5 * (a - c) / denom } else { 0.0 };
            sr / (lag as f32 + shift.clamp(-1.0, 1.0))
        }));
        start += hop;
    }
    out
}

/// Median of the voiced frames of a pitch track, if any frame is voiced.
pub fn median_pitch(track: &[Option<f32>]) -> Option<f32> {
    let mut voiced: Vec<f32> = track.iter().flatten().copied().collect();
    median(&mut voiced)
}

/// Spread of the voiced pitch in semitones (standard deviation around the median):
/// monotone speech is near 1, lively speech 3–5.
pub fn pitch_spread_semitones(track: &[Option<f32>]) -> Option<f32> {
    let med = median_pitch(track)?;
    let st: Vec<f32> = track.iter().flatten().map(|f| 12.0 * (f / med).log2()).collect();
    if st.len() < 2 {
        return None;
    }
    let mean = st.iter().sum::<f32>() / st.len() as f32;
    Some((st.iter().map(|s| (s - mean).powi(2)).sum::<f32>() / (st.len() - 1) as f32).sqrt())
}

fn median(values: &mut [f32]) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f32::total_cmp);
    Some(values[values.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f32, seconds: f32, amplitude: f32, rate: u32) -> Vec<f32> {
        let n = (seconds * rate as f32) as usize;
        (0..n)
            .map(|i| {
                let t = i as f32 / rate as f32;
                // A few harmonics, like a voice, so the fundamental is not the only peak.
                amplitude
                    * (0.6 * (std::f32::consts::TAU * hz * t).sin()
                        + 0.3 * (std::f32::consts::TAU * 2.0 * hz * t).sin()
                        + 0.1 * (std::f32::consts::TAU * 3.0 * hz * t).sin())
            })
            .collect()
    }

    #[test]
    fn levels_match_the_amplitude() {
        let sine: Vec<f32> = (0..16000).map(|i| (i as f32 * 0.05).sin()).collect();
        assert!((rms_dbfs(&sine) + 3.01).abs() < 0.05);
        let half: Vec<f32> = sine.iter().map(|s| s * 0.5).collect();
        assert!((rms_dbfs(&half) - rms_dbfs(&sine) + 6.02).abs() < 0.05);
        assert_eq!(rms_dbfs(&[0.0; 100]), SILENCE_DBFS);
    }

    #[test]
    fn pauses_do_not_lower_the_active_level() {
        let speech = tone(150.0, 0.5, 0.3, 16000);
        let mut paused = speech.clone();
        paused.extend(std::iter::repeat_n(0.0, 16000));
        paused.extend(&speech);
        let a = active_level_dbfs(&speech, 16000);
        let b = active_level_dbfs(&paused, 16000);
        assert!((a - b).abs() < 0.5, "{a} vs {b}");
        assert!(rms_dbfs(&paused) < a - 2.0);
    }

    #[test]
    fn yin_finds_the_fundamental() {
        for hz in [95.0, 150.0, 240.0, 380.0] {
            let track = pitch_track(&tone(hz, 0.6, 0.4, 16000), 16000);
            let found = median_pitch(&track).unwrap_or(0.0);
            assert!((found - hz).abs() / hz < 0.02, "{hz} Hz read as {found}");
        }
    }

    #[test]
    fn silence_is_unvoiced() {
        let track = pitch_track(&[0.0; 8000], 16000);
        assert!(median_pitch(&track).is_none());
    }

    #[test]
    fn a_glide_spreads_more_than_a_steady_tone() {
        let rate = 16000;
        let mut phase = 0.0f32;
        let glide: Vec<f32> = (0..rate)
            .map(|i| {
                let hz = 120.0 + 120.0 * i as f32 / rate as f32;
                phase += std::f32::consts::TAU * hz / rate as f32;
                0.4 * phase.sin()
            })
            .collect();
        let steady = tone(170.0, 1.0, 0.4, rate);
        let g = pitch_spread_semitones(&pitch_track(&glide, rate)).unwrap_or(0.0);
        let s = pitch_spread_semitones(&pitch_track(&steady, rate)).unwrap_or(99.0);
        assert!(g > 2.5 && s < 0.3, "glide {g}, steady {s}");
    }
}
