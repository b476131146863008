//! Non-verbal sounds made from shaped noise: a sigh, a tut ("tsk-tsk") and an in-breath.
//! Synthesised rather than recorded so they need no asset, follow the line's loudness,
//! and are the same on every run (fixed noise seed).

use holdspace_core::expression::lipsync::{Viseme, VisemeKey};
use holdspace_core::expression::prosody::NonVerbal;

/// A rendered non-verbal sound with its mouth shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sound {
    /// Mono samples in −1..=1 at the requested rate.
    pub samples: Vec<f32>,
    /// Mouth shapes over the sound, from 0 s.
    pub visemes: Vec<VisemeKey>,
}

/// Small deterministic noise source (xorshift32): the same sound every time.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        (x as f32 / u32::MAX as f32) * 2.0 - 1.0
    }
}

/// One-pole filters, enough to colour noise into breath.
struct OnePole {
    last: f32,
    a: f32,
}

impl OnePole {
    fn lowpass(cutoff_hz: f32, rate: u32) -> OnePole {
        let a = (-std::f32::consts::TAU * cutoff_hz / rate as f32).exp();
        OnePole { last: 0.0, a }
    }
    fn run(&mut self, x: f32) -> f32 {
        self.last = (1.0 - self.a) * x + self.a * self.last;
        self.last
    }
}

/// Renders `kind` at `rate` samples per second, peaking near `peak` (linear).
pub fn render(kind: NonVerbal, rate: u32, peak: f32) -> Sound {
    match kind {
        NonVerbal::Sigh => sigh(rate, peak),
        NonVerbal::Tut => tut(rate, peak),
        NonVerbal::Breath => breath(rate, peak),
    }
}

fn seconds(rate: u32, s: f32) -> usize {
    (rate as f32 * s) as usize
}

/// An exhale through a half-open mouth: band-limited noise with a quick rise and a long
/// fall, and a faint low voiced "haah" under it.
fn sigh(rate: u32, peak: f32) -> Sound {
    let n = seconds(rate, 0.95);
    let mut noise = Noise(0x5167_1a2b);
    let mut low = OnePole::lowpass(2200.0, rate);
    let mut lower = OnePole::lowpass(450.0, rate);
    let samples = (0..n)
        .map(|i| {
            let t = i as f32 / rate as f32;
            let env = if t < 0.18 {
                t / 0.18
            } else {
                (1.0 - (t - 0.18) / 0.77).max(0.0).powf(1.6)
            };
            let x = noise.next();
            // Band-pass: low-pass minus a lower low-pass keeps the breathy middle.
            let breathy = low.run(x) - 0.7 * lower.run(x);
            let voiced = 0.25 * (std::f32::consts::TAU * 105.0 * (1.0 - 0.15 * t) * t).sin();
            peak * env * (1.6 * breathy + voiced * env)
        })
        .collect();
    Sound {
        samples,
        visemes: vec![
            VisemeKey {
                start_s: 0.0,
                end_s: 0.12,
                viseme: Viseme::Spread,
            },
            VisemeKey {
                start_s: 0.12,
                end_s: 0.8,
                viseme: Viseme::Velar,
            },
            VisemeKey {
                start_s: 0.8,
                end_s: 0.95,
                viseme: Viseme::Rest,
            },
        ],
    }
}

/// Two dental clicks 160 ms apart: sharp bursts of bright noise, a few ms each.
fn tut(rate: u32, peak: f32) -> Sound {
    let n = seconds(rate, 0.42);
    let mut noise = Noise(0x7a7a_0003);
    let mut smooth = OnePole::lowpass(5000.0, rate);
    let mut samples = vec![0.0; n];
    for onset in [0.04f32, 0.2] {
        let start = seconds(rate, onset);
        for k in 0..seconds(rate, 0.03) {
            let t = k as f32 / rate as f32;
            let x = noise.next();
            // High-pass by subtracting the smoothed signal: a click is bright.
            let bright = x - smooth.run(x);
            if let Some(s) = samples.get_mut(start + k) {
                *s = peak * 1.8 * bright * (-t / 0.004).exp();
            }
        }
    }
    Sound {
        samples,
        visemes: vec![
            VisemeKey {
                start_s: 0.0,
                end_s: 0.05,
                viseme: Viseme::Alveolar,
            },
            VisemeKey {
                start_s: 0.05,
                end_s: 0.2,
                viseme: Viseme::Closed,
            },
            VisemeKey {
                start_s: 0.2,
                end_s: 0.42,
                viseme: Viseme::Alveolar,
            },
        ],
    }
}

/// A quick in-breath through the mouth: soft noise in a smooth hump.
fn breath(rate: u32, peak: f32) -> Sound {
    let n = seconds(rate, 0.38);
    let mut noise = Noise(0x00b3_ea7f);
    let mut low = OnePole::lowpass(3000.0, rate);
    let samples = (0..n)
        .map(|i| {
            let phase = i as f32 / n as f32;
            let env = (std::f32::consts::PI * phase).sin().powi(2);
            peak * 0.7 * env * low.run(noise.next())
        })
        .collect();
    Sound {
        samples,
        visemes: vec![VisemeKey {
            start_s: 0.0,
            end_s: 0.38,
            viseme: Viseme::Mid,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use holdspace_core::analysis::signal::{SILENCE_DBFS, rms_dbfs};

    #[test]
    fn each_sound_is_audible_bounded_and_repeatable() {
        for kind in [NonVerbal::Sigh, NonVerbal::Tut, NonVerbal::Breath] {
            let a = render(kind, 16_000, 0.2);
            assert!(rms_dbfs(&a.samples) > SILENCE_DBFS + 40.0, "{kind:?} is silent");
            assert!(a.samples.iter().all(|s| s.abs() <= 1.0), "{kind:?} clips");
            assert_eq!(a, render(kind, 16_000, 0.2), "{kind:?} differs between runs");
            let length = a.samples.len() as f32 / 16_000.0;
            let mouth_end = a.visemes.last().map_or(0.0, |k| k.end_s);
            assert!(
                (length - mouth_end).abs() < 0.01,
                "{kind:?}: mouth track {mouth_end} for {length} s"
            );
        }
    }

    #[test]
    fn a_sigh_is_longer_and_a_tut_is_mostly_silence() {
        let sigh = render(NonVerbal::Sigh, 16_000, 0.2);
        let tut = render(NonVerbal::Tut, 16_000, 0.2);
        assert!(sigh.samples.len() > tut.samples.len());
        let quiet = tut.samples.iter().filter(|s| s.abs() < 1e-4).count();
        assert!(quiet as f32 > 0.7 * tut.samples.len() as f32);
    }
}
