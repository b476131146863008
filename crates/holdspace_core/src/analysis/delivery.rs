//! How a spoken reply was delivered, measured from its audio: speaking rate, level
//! (absolute and against the trainee's own usual), pitch range, plus the timing facts
//! the capture knows (pause before replying, talking over the customer).
//!
//! Pure: the speech pipeline hands over the utterance's samples and what it counted.

use crate::analysis::Delivery;
use crate::analysis::signal::{active_level_dbfs, envelope_dbfs, pitch_spread_semitones, pitch_track};

/// Frames quieter than this much below the utterance's loudest frame are not speech.
const SPEECH_RANGE_DB: f32 = 35.0;
/// Below this, a frame is silence whatever the peak.
const SPEECH_FLOOR_DBFS: f32 = -60.0;
/// Shorter speech than this gives no rate (one word, a cough).
const MIN_SPEECH_S: f32 = 0.3;
/// Fewer voiced 10 ms frames than this give no pitch range.
const MIN_VOICED_FRAMES: usize = 20;
/// Earlier replies needed before a level is compared with the trainee's usual.
const BASELINE_REPLIES: usize = 2;

/// One spoken reply as the capture saw it.
#[derive(Debug, Clone, Copy)]
pub struct SpokenReply<'a> {
    /// The utterance, mono, −1..=1.
    pub audio: &'a [f32],
    /// Samples per second.
    pub sample_rate: u32,
    /// Words said (from the transcript, or the recognised phrase).
    pub words: u32,
    /// Filler words counted in the transcript; `None` leaves the engine to count them in
    /// the reply's text.
    pub fillers: Option<u32>,
    /// Seconds from the customer's last word to the trainee's first (negative or zero
    /// when they overlapped).
    pub pause_before_s: Option<f32>,
    /// The trainee started while the customer was still speaking.
    pub interrupted: bool,
}

/// The trainee's usual speaking level in this session: the median of their earlier
/// replies' levels. A microphone's gain and distance say nothing about how loud a person
/// is, so "raised" means louder than they themselves usually are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoudnessBaseline {
    levels: Vec<f32>,
}

impl LoudnessBaseline {
    /// The usual level, once there are enough earlier replies.
    pub fn usual_dbfs(&self) -> Option<f32> {
        if self.levels.len() < BASELINE_REPLIES {
            return None;
        }
        let mut sorted = self.levels.clone();
        sorted.sort_by(f32::total_cmp);
        Some(sorted[sorted.len() / 2])
    }

    /// Adds one reply's level.
    pub fn observe(&mut self, level_dbfs: f32) {
        self.levels.push(level_dbfs);
    }
}

/// The span of `audio` that is speech, in samples (first to last speech frame).
pub fn speech_span(audio: &[f32], sample_rate: u32) -> Option<(usize, usize)> {
    let hop = (sample_rate as usize / 100).max(1);
    let levels = envelope_dbfs(audio, hop);
    let peak = levels.iter().copied().reduce(f32::max)?;
    let threshold = (peak - SPEECH_RANGE_DB).max(SPEECH_FLOOR_DBFS);
    let first = levels.iter().position(|l| *l > threshold)?;
    let last = levels.iter().rposition(|l| *l > threshold)?;
    Some((first * hop, ((last + 1) * hop).min(audio.len())))
}

/// Measures one reply and then adds its level to `baseline`.
pub fn measure(reply: &SpokenReply, baseline: &mut LoudnessBaseline) -> Delivery {
    let span = speech_span(reply.audio, reply.sample_rate);
    let speech = span.map(|(a, b)| &reply.audio[a..b]).unwrap_or_default();
    let seconds = speech.len() as f32 / reply.sample_rate.max(1) as f32;
    let words_per_min = (seconds >= MIN_SPEECH_S && reply.words > 0).then(|| reply.words as f32 * 60.0 / seconds);
    let loudness_db = (!speech.is_empty()).then(|| active_level_dbfs(speech, reply.sample_rate));
    let track = pitch_track(speech, reply.sample_rate);
    let voiced = track.iter().flatten().count();
    let pitch_spread_st = (voiced >= MIN_VOICED_FRAMES)
        .then(|| pitch_spread_semitones(&track))
        .flatten();
    let loudness_vs_baseline_db = loudness_db.and_then(|db| baseline.usual_dbfs().map(|usual| db - usual));
    if let Some(db) = loudness_db {
        baseline.observe(db);
    }
    Delivery {
        words_per_min,
        loudness_db,
        pause_before_s: reply.pause_before_s,
        interrupted: reply.interrupted,
        fillers: reply.fillers,
        loudness_vs_baseline_db,
        pitch_spread_st,
        // The headset measures where the trainee looked; the microphone cannot.
        gaze: None,
        // Whether the customer cut in is the conversation's to say, not the audio's.
        cut_off_after_s: None,
    }
}

/// Live, gentle feedback on one reply's delivery for practice mode: at most one
/// sentence, about the thing most worth changing; `None` when it was fine.
pub fn live_tip(d: &Delivery) -> Option<String> {
    if let Some(talked) = d.cut_off_after_s {
        return Some(format!(
            "They cut in after {talked:.0} s. Stop sooner and let them answer."
        ));
    }
    if d.interrupted {
        return Some("You started while they were still talking. Let them finish.".to_owned());
    }
    if let Some(rel) = d.loudness_vs_baseline_db.filter(|r| *r > 6.0) {
        return Some(format!(
            "That was {rel:.0} dB louder than your usual. Keep your voice level."
        ));
    }
    if d.loudness_vs_baseline_db.is_none() && d.loudness_db.is_some_and(|db| db > -12.0) {
        return Some("Your voice sounded raised. Keep it level.".to_owned());
    }
    if let Some(wpm) = d.words_per_min.filter(|w| *w > 180.0) {
        return Some(format!("Quick: {wpm:.0} words a minute. Slow down a little."));
    }
    if d.pause_before_s.is_some_and(|p| p < 0.2) {
        return Some("You came straight in. A breath first shows you heard them.".to_owned());
    }
    if d.fillers.is_some_and(|f| f >= 3) {
        return Some("A few \"um\"s crept in. It's fine to pause instead.".to_owned());
    }
    if d.loudness_vs_baseline_db.is_some_and(|r| r < -10.0) || d.loudness_db.is_some_and(|db| db < -40.0) {
        return Some("That was quiet. They may not have heard you.".to_owned());
    }
    if let Some(l) = d
        .gaze
        .and_then(|g| g.while_listening)
        .filter(|l| *l < crate::analysis::Gaze::LOOKED_AWAY)
    {
        return Some(format!(
            "You looked at them only {:.0} % of the time they were speaking. Let them see you listening.",
            l * 100.0
        ));
    }
    if d.pitch_spread_st.is_some_and(|s| s < 1.0) {
        return Some("Your voice sounded flat. Let some warmth into it.".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A voice-like buzz with a gliding pitch, `seconds` long, at `amplitude`, with half a
    /// second of silence either side.
    fn buzz(seconds: f32, amplitude: f32, glide_st: f32) -> Vec<f32> {
        let rate = 16_000.0;
        let mut out = vec![0.0; 8_000];
        let n = (seconds * rate) as usize;
        let mut phase = 0.0f32;
        for i in 0..n {
            let t = i as f32 / n as f32;
            let hz = 140.0 * 2f32.powf(glide_st * (std::f32::consts::TAU * t * 2.0).sin() / 12.0);
            phase += std::f32::consts::TAU * hz / rate;
            out.push(amplitude * (0.6 * phase.sin() + 0.3 * (2.0 * phase).sin() + 0.1 * (3.0 * phase).sin()));
        }
        out.extend(std::iter::repeat_n(0.0, 8_000));
        out
    }

    fn reply(audio: &[f32], words: u32) -> SpokenReply<'_> {
        SpokenReply {
            audio,
            sample_rate: 16_000,
            words,
            fillers: None,
            pause_before_s: Some(1.0),
            interrupted: false,
        }
    }

    #[test]
    fn rate_counts_only_the_speech_not_the_silence_around_it() {
        let audio = buzz(2.0, 0.3, 3.0);
        let d = measure(&reply(&audio, 5), &mut LoudnessBaseline::default());
        let wpm = d.words_per_min.unwrap_or_default();
        assert!((wpm - 150.0).abs() < 5.0, "{wpm}");
        let db = d.loudness_db.unwrap_or_default();
        assert!((-19.0..-15.0).contains(&db), "{db}");
        assert!(d.pitch_spread_st.unwrap_or_default() > 1.0, "{d:?}");
        assert_eq!(d.loudness_vs_baseline_db, None);
    }

    #[test]
    fn louder_than_usual_is_measured_against_the_trainees_own_level() {
        let mut baseline = LoudnessBaseline::default();
        let usual = buzz(1.5, 0.02, 2.0);
        for _ in 0..2 {
            measure(&reply(&usual, 4), &mut baseline);
        }
        let loud = buzz(1.5, 0.2, 2.0);
        let d = measure(&reply(&loud, 4), &mut baseline);
        let rel = d.loudness_vs_baseline_db.unwrap_or_default();
        assert!((rel - 20.0).abs() < 1.0, "{rel}");
        assert!(live_tip(&d).is_some_and(|t| t.contains("louder")), "{:?}", live_tip(&d));
    }

    #[test]
    fn a_flat_voice_has_a_small_pitch_range() {
        let flat = buzz(2.0, 0.2, 0.0);
        let lively = buzz(2.0, 0.2, 4.0);
        let mut b = LoudnessBaseline::default();
        let f = measure(&reply(&flat, 5), &mut b).pitch_spread_st.unwrap_or(99.0);
        let l = measure(&reply(&lively, 5), &mut b).pitch_spread_st.unwrap_or(0.0);
        assert!(f < 0.5 && l > 2.0, "flat {f}, lively {l}");
    }

    #[test]
    fn silence_measures_nothing() {
        let d = measure(&reply(&[0.0; 16_000], 3), &mut LoudnessBaseline::default());
        assert_eq!(d.words_per_min, None);
        assert_eq!(d.pitch_spread_st, None);
        assert_eq!(live_tip(&d), None);
    }
}
