//! How the customer's voice follows their state: the band, the line's emotion tags and
//! the scenario's voice settings give pitch, pitch range, pace, loudness and pauses.
//!
//! The numbers are a pure mapping so they can be read, tested and tuned without a
//! synthesiser; the voice crate applies them to flite and to the rendered audio.

use serde::{Deserialize, Serialize};

use crate::Band;
use crate::scenario::model::{Tag, Voice};

/// A short non-verbal sound before a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NonVerbal {
    /// A long breathy exhale.
    Sigh,
    /// A dental click of disapproval ("tsk").
    Tut,
    /// A quick audible in-breath.
    Breath,
}

impl NonVerbal {
    /// The non-verbal sound a line's tags ask for, if any (the first one wins).
    pub fn from_tags(tags: &[Tag]) -> Option<NonVerbal> {
        tags.iter().find_map(|t| match t {
            Tag::Sigh => Some(NonVerbal::Sigh),
            Tag::Tut => Some(NonVerbal::Tut),
            Tag::Breath => Some(NonVerbal::Breath),
            _ => None,
        })
    }
}

/// Everything the synthesiser and the audio renderer need to voice one line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prosody {
    /// Target median pitch in hertz.
    pub f0_mean_hz: f32,
    /// Target pitch spread (one standard deviation) in hertz: flat speech is narrow,
    /// agitated speech wide.
    pub f0_stddev_hz: f32,
    /// Duration multiplier: above 1 is slower.
    pub duration_stretch: f32,
    /// Loudness relative to the voice's reference level, in decibels.
    pub gain_db: f32,
    /// Silence between sentences, in seconds.
    pub sentence_pause_s: f32,
    /// A sigh, tut or breath before the words.
    pub lead_in: Option<NonVerbal>,
}

/// Speech RMS level that a line at 0 dB gain is normalised to, in dBFS. Low enough that
/// the loudest band (+3.5 dB) keeps its peaks below full scale after the limiter.
pub const REFERENCE_LEVEL_DBFS: f32 = -23.0;

impl Prosody {
    /// The prosody for a line said by this voice, in this band, with these tags.
    ///
    /// Calm is slower, lower and a little quieter than neutral; each band up is faster,
    /// higher, louder and more varied. Sadness (tearful, sad, quiet) is slower, lower,
    /// quieter and flatter, with longer pauses: the hidden-need reveal sounds like it.
    pub fn for_line(voice: &Voice, band: Band, tags: &[Tag]) -> Prosody {
        // (pitch factor, spread as a fraction of pitch, stretch, gain dB) per band.
        let (pitch, spread, stretch, gain) = match band {
            Band::Calm => (0.92, 0.09, 1.12, -5.0),
            Band::Uneasy => (1.0, 0.11, 1.03, -3.0),
            Band::Frustrated => (1.09, 0.14, 0.96, -1.0),
            Band::Angry => (1.21, 0.18, 0.9, 1.5),
            Band::Hostile => (1.33, 0.22, 0.84, 3.5),
        };
        let pace = voice.pace.clamp(0.5, 2.0);
        let mut p = Prosody {
            f0_mean_hz: voice.base_pitch_hz * pitch,
            f0_stddev_hz: voice.base_pitch_hz * pitch * spread,
            duration_stretch: stretch / pace,
            gain_db: gain,
            sentence_pause_s: 0.16,
            lead_in: NonVerbal::from_tags(tags),
        };
        let mut sad = false;
        for tag in tags {
            match tag {
                Tag::Sad | Tag::Tearful => sad = true,
                Tag::Quiet => {
                    p.gain_db -= 5.0;
                    p.f0_stddev_hz *= 0.8;
                }
                Tag::RaisedVoice => {
                    p.gain_db += 3.0;
                    p.f0_mean_hz *= 1.06;
                    p.f0_stddev_hz *= 1.15;
                }
                Tag::Flat => p.f0_stddev_hz *= 0.4,
                Tag::Anxious | Tag::Panicked => {
                    p.duration_stretch *= 0.88;
                    p.f0_mean_hz *= 1.06;
                    p.f0_stddev_hz *= 1.1;
                }
                Tag::Relieved => {
                    p.duration_stretch *= 1.05;
                    p.f0_mean_hz *= 0.97;
                }
                Tag::Embarrassed => {
                    p.gain_db -= 2.0;
                    p.duration_stretch *= 1.05;
                }
                Tag::Pause => p.sentence_pause_s += 0.35,
                _ => {}
            }
        }
        if sad {
            p.f0_mean_hz *= 0.9;
            p.f0_stddev_hz *= 0.6;
            p.duration_stretch *= 1.18;
            p.gain_db -= 4.0;
            p.sentence_pause_s += 0.3;
        }
        // Longer pauses for a slower speaker, shorter for a faster one.
        p.sentence_pause_s *= p.duration_stretch;
        p
    }

    /// A stable key for caching rendered audio: equal keys render identical audio.
    pub fn cache_key(&self) -> [u32; 5] {
        [
            self.f0_mean_hz.to_bits(),
            self.f0_stddev_hz.to_bits(),
            self.duration_stretch.to_bits(),
            self.gain_db.to_bits(),
            self.sentence_pause_s.to_bits(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_band_up_is_higher_faster_louder_and_more_varied() {
        let voice = Voice::default();
        let all: Vec<Prosody> = Band::ALL.iter().map(|b| Prosody::for_line(&voice, *b, &[])).collect();
        for pair in all.windows(2) {
            let (lower, upper) = (&pair[0], &pair[1]);
            assert!(upper.f0_mean_hz > lower.f0_mean_hz);
            assert!(upper.f0_stddev_hz > lower.f0_stddev_hz);
            assert!(upper.duration_stretch < lower.duration_stretch);
            assert!(upper.gain_db > lower.gain_db);
        }
    }

    #[test]
    fn a_tearful_reveal_is_slower_quieter_flatter_with_pauses() {
        let voice = Voice::default();
        let plain = Prosody::for_line(&voice, Band::Uneasy, &[]);
        let reveal = Prosody::for_line(&voice, Band::Uneasy, &[Tag::Tearful, Tag::Quiet, Tag::Pause]);
        assert!(reveal.duration_stretch > plain.duration_stretch);
        assert!(reveal.gain_db < plain.gain_db - 6.0);
        assert!(reveal.f0_stddev_hz < plain.f0_stddev_hz);
        assert!(reveal.f0_mean_hz < plain.f0_mean_hz);
        assert!(reveal.sentence_pause_s > plain.sentence_pause_s + 0.6);
    }

    #[test]
    fn voice_settings_scale_pitch_and_pace() {
        let low = Voice {
            base_pitch_hz: 110.0,
            pace: 1.2,
            ..Voice::default()
        };
        let high = Voice {
            base_pitch_hz: 200.0,
            pace: 0.8,
            ..Voice::default()
        };
        let a = Prosody::for_line(&low, Band::Frustrated, &[]);
        let b = Prosody::for_line(&high, Band::Frustrated, &[]);
        assert!(a.f0_mean_hz < b.f0_mean_hz);
        assert!(a.duration_stretch < b.duration_stretch);
    }

    #[test]
    fn sound_tags_become_a_lead_in() {
        let p = Prosody::for_line(&Voice::default(), Band::Angry, &[Tag::Frown, Tag::Tut]);
        assert_eq!(p.lead_in, Some(NonVerbal::Tut));
        assert_eq!(Prosody::for_line(&Voice::default(), Band::Angry, &[]).lead_in, None);
    }
}
