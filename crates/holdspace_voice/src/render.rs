//! Turns one customer line into [`Speech`]: flite per sentence with the line's prosody,
//! the sigh or tut before it, pauses between sentences, the level set by the band, a
//! soft limiter, the mouth track and the time each subtitle word is reached.

use std::sync::Arc;

use holdspace_core::analysis::signal::{active_level_dbfs, envelope_dbfs};
use holdspace_core::expression::lipsync::{MouthTrack, VisemeKey};
use holdspace_core::expression::prosody::{Prosody, REFERENCE_LEVEL_DBFS};
use holdspace_core::scenario::model::Voice;

use crate::error::VoiceError;
use crate::flite::{self, FliteSettings, Segment, Synthesised};
use crate::nonverbal;

/// A subtitle word and the time, in seconds from the start of the audio, by which it has
/// been said.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedWord {
    /// The word as the author wrote it, punctuation included.
    pub text: String,
    /// When it has been said.
    pub end_s: f32,
}

/// A voiced line: audio, mouth shapes and subtitle timing, all on one clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Speech {
    /// Samples per second.
    pub sample_rate: u32,
    /// Mono samples in −1..=1.
    pub samples: Arc<[f32]>,
    /// Mouth shapes over time.
    pub mouth: MouthTrack,
    /// The line's words with the time each has been said.
    pub words: Vec<TimedWord>,
}

impl Speech {
    /// Length in seconds.
    pub fn duration_s(&self) -> f32 {
        self.samples.len() as f32 / self.sample_rate.max(1) as f32
    }

    /// How many subtitle words have been said by `t` seconds.
    pub fn words_said_by(&self, t: f32) -> usize {
        self.words.partition_point(|w| w.end_s <= t)
    }

    /// The subtitle split at `t`: what has been said and what is still to come.
    pub fn subtitle_at(&self, t: f32) -> (String, String) {
        let n = self.words_said_by(t);
        let said: Vec<&str> = self.words[..n].iter().map(|w| w.text.as_str()).collect();
        let rest: Vec<&str> = self.words[n..].iter().map(|w| w.text.as_str()).collect();
        let mut said = said.join(" ");
        let rest = rest.join(" ");
        if !said.is_empty() && !rest.is_empty() {
            said.push(' ');
        }
        (said, rest)
    }
}

/// Gap between a sigh, tut or breath and the first word.
const LEAD_IN_GAP_S: f32 = 0.12;
/// Peaks above this are rounded off rather than clipped.
const LIMIT_KNEE: f32 = 0.8;

/// One sentence as a synthesiser made it, silence trimmed to a breath at each end.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Mono samples at the synthesiser's rate.
    pub samples: Vec<f32>,
    /// Phone names (ARPAbet, as the lip-sync table knows them) with their end times in
    /// seconds from the sentence's start.
    pub phones: Vec<(String, f32)>,
    /// When each spoken word ends, in seconds from the sentence's start (spoken words:
    /// "£112" may be three).
    pub word_ends: Vec<f32>,
    /// When the last phone ends.
    pub end_s: f32,
}

/// Which synthesiser says a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// Kokoro for a neural voice when it is installed, else flite.
    #[default]
    Auto,
    /// flite, whatever the voice (a neural voice's fallback).
    Flite,
}

/// Synthesises `text` for `voice` with `prosody`: with Kokoro when the voice is a neural
/// one and the model is installed, else with flite.
pub fn render_line(text: &str, voice: &Voice, prosody: &Prosody) -> Result<Speech, VoiceError> {
    render_line_with(Engine::Auto, text, voice, prosody)
}

/// As [`render_line`], with the synthesiser chosen.
pub fn render_line_with(engine: Engine, text: &str, voice: &Voice, prosody: &Prosody) -> Result<Speech, VoiceError> {
    render_line_in_parts(engine, text, voice, prosody, |_| {})
}

/// As [`render_line_with`], handing `on_part` the line so far after each of its sentences
/// but the last (lead-in, those sentences and the pause after the last of them; the
/// words not yet said have an infinite time), so that playback can start on the first
/// sentence and carry on into each longer part at the previous one's length while the
/// rest is made. Each part's audio is exactly the start of the whole line's: every
/// sentence is made and levelled alone.
pub fn render_line_in_parts(
    engine: Engine,
    text: &str,
    voice: &Voice,
    prosody: &Prosody,
    on_part: impl FnMut(Speech),
) -> Result<Speech, VoiceError> {
    if engine == Engine::Auto
        && voice.is_neural()
        && let Ok(kokoro) = crate::kokoro::status()
    {
        let controls = crate::kokoro::speak::controls(voice, prosody);
        return assemble(
            text,
            prosody,
            crate::kokoro::model::SAMPLE_RATE,
            |sentence| crate::kokoro::speak::sentence(kokoro, &voice.voice, &voice.respelled(sentence), controls),
            on_part,
        );
    }
    let settings = FliteSettings {
        f0_mean_hz: prosody.f0_mean_hz,
        f0_stddev_hz: prosody.f0_stddev_hz,
        duration_stretch: prosody.duration_stretch,
    };
    let name = voice.flite_voice();
    assemble(
        text,
        prosody,
        flite::SAMPLE_RATE,
        |sentence| {
            flite_sentence(trim_silence(flite::synthesise(
                &spoken_form(&voice.respelled(sentence)),
                name,
                settings,
            )?))
        },
        on_part,
    )
}

/// flite's segments as a [`Sentence`].
fn flite_sentence(made: Synthesised) -> Result<Sentence, VoiceError> {
    // Each word's end: the end of its last phone.
    let mut word_ends: Vec<f32> = Vec::new();
    for seg in &made.segments {
        if let Some(w) = seg.word {
            if word_ends.len() <= w {
                word_ends.resize(w + 1, 0.0);
            }
            word_ends[w] = seg.end_s;
        }
    }
    Ok(Sentence {
        end_s: made.segments.last().map_or(0.0, |s| s.end_s),
        phones: made.segments.iter().map(|s| (s.phone.clone(), s.end_s)).collect(),
        word_ends,
        samples: made.samples,
    })
}

/// A line from its sentences, each made by `say`: the lead-in first, the prosody's pause
/// between sentences, each sentence brought to the band's level, a soft limiter, the
/// mouth track and the subtitle's timing; `on_part` gets the line so far after each
/// sentence that has another after it.
fn assemble(
    text: &str,
    prosody: &Prosody,
    rate: u32,
    mut say: impl FnMut(&str) -> Result<Sentence, VoiceError>,
    mut on_part: impl FnMut(Speech),
) -> Result<Speech, VoiceError> {
    let mut samples: Vec<f32> = Vec::new();
    let mut visemes: Vec<VisemeKey> = Vec::new();
    let mut words = Vec::new();
    let target_db = REFERENCE_LEVEL_DBFS + prosody.gain_db;

    if let Some(kind) = prosody.lead_in {
        let mut sound = nonverbal::render(kind, rate, 1.0);
        // Non-verbal sounds sit about 8 dB under the speech that follows them.
        level_to(&mut sound.samples, rate, target_db - 8.0);
        visemes.extend(sound.visemes);
        samples.extend(sound.samples.iter().map(|s| soft_limit(*s)));
        samples.extend(std::iter::repeat_n(0.0, seconds(rate, LEAD_IN_GAP_S)));
    }

    let sentences = split_sentences(text);
    for (i, sentence) in sentences.iter().enumerate() {
        let mut made = say(sentence)?;
        let offset = samples.len() as f32 / rate as f32;
        visemes.extend(MouthTrack::from_phones(
            made.phones.iter().map(|(p, end)| (p.as_str(), *end)),
            offset,
        ));
        let ends: Vec<f32> = made.word_ends.iter().map(|e| e + offset).collect();
        words.extend(time_words(sentence, &ends, offset + made.end_s));
        // Each sentence alone, so that a part of the line is exactly its start.
        level_to(&mut made.samples, rate, target_db);
        samples.extend(made.samples.iter().map(|s| soft_limit(*s)));
        if i + 1 < sentences.len() {
            samples.extend(std::iter::repeat_n(0.0, seconds(rate, prosody.sentence_pause_s)));
            let to_come = sentences[i + 1..].iter().flat_map(|s| {
                s.split_whitespace().map(|w| TimedWord {
                    text: w.to_owned(),
                    end_s: f32::INFINITY,
                })
            });
            on_part(Speech {
                sample_rate: rate,
                samples: samples.clone().into(),
                mouth: MouthTrack::Visemes(visemes.clone()),
                words: words.iter().cloned().chain(to_come).collect(),
            });
        }
    }
    Ok(Speech {
        sample_rate: rate,
        samples: samples.into(),
        mouth: MouthTrack::Visemes(visemes),
        words,
    })
}

/// Scales `samples` so that their active level (pauses left out) is `target_db` dBFS;
/// silence is left as it is.
fn level_to(samples: &mut [f32], rate: u32, target_db: f32) {
    let level = active_level_dbfs(samples, rate);
    if level > -100.0 {
        let gain = 10f32.powf((target_db - level) / 20.0);
        for s in samples.iter_mut() {
            *s *= gain;
        }
    }
}

/// A recorded line: the author's audio as is, with the mouth following its loudness and
/// the words spread over it by length.
pub fn recorded_line(text: &str, sample_rate: u32, samples: Vec<f32>) -> Speech {
    let hop = (sample_rate / 100).max(1) as usize;
    let levels_db = envelope_dbfs(&samples, hop);
    let duration = samples.len() as f32 / sample_rate.max(1) as f32;
    let words = spread_words(text, 0.0, duration);
    Speech {
        sample_rate,
        samples: samples.into(),
        mouth: MouthTrack::Envelope {
            hop_s: hop as f32 / sample_rate.max(1) as f32,
            levels_db,
        },
        words,
    }
}

/// Silence kept before the first phone and after the last one of a sentence.
const EDGE_BEFORE_S: f32 = 0.04;
const EDGE_AFTER_S: f32 = 0.06;

/// flite pads every utterance with about 150 ms of silence at each end. Between
/// sentences the prosody's own pause replaces it, and at the start of a line it would
/// only delay the first word, so it is trimmed to a breath.
fn trim_silence(mut made: Synthesised) -> Synthesised {
    let rate = made.sample_rate.max(1) as f32;
    let total = made.samples.len() as f32 / rate;
    let is_pause = |s: &Segment| s.phone == "pau";
    let lead = match made.segments.first() {
        Some(first) if is_pause(first) => first.end_s,
        _ => 0.0,
    };
    let tail = match made.segments.as_slice() {
        [.., before, last] if is_pause(last) => before.end_s,
        _ => total,
    };
    let start = (lead - EDGE_BEFORE_S).max(0.0);
    let end = (tail + EDGE_AFTER_S).min(total).max(start);
    let (from, to) = ((start * rate) as usize, ((end * rate) as usize).min(made.samples.len()));
    made.samples = made.samples[from..to].to_vec();
    let shift = from as f32 / rate;
    let length = made.samples.len() as f32 / rate;
    // Phones now end `shift` earlier; the padding phones shrink to what is kept.
    made.segments.retain_mut(|s| {
        s.end_s = (s.end_s - shift).min(length);
        s.end_s > 0.0
    });
    made
}

fn seconds(rate: u32, s: f32) -> usize {
    (rate as f32 * s.max(0.0)) as usize
}

/// A smooth knee above [`LIMIT_KNEE`]: loud bands stay loud without hard clipping.
fn soft_limit(x: f32) -> f32 {
    let a = x.abs();
    if a <= LIMIT_KNEE {
        x
    } else {
        let room = 1.0 - LIMIT_KNEE;
        x.signum() * (LIMIT_KNEE + room * ((a - LIMIT_KNEE) / room).tanh())
    }
}

/// Splits text after sentence-ending punctuation, keeping the punctuation (flite uses it
/// for intonation). "I just..." ends a sentence too: the trailing-off is a pause.
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        current.push(*c);
        let ends = matches!(c, '.' | '!' | '?' | '…');
        let next_is_space = chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        let next_is_more = chars.get(i + 1).is_some_and(|n| matches!(n, '.' | '!' | '?'));
        if ends && next_is_space && !next_is_more && !ends_with_title(&current) {
            let s = current.trim();
            if s.chars().any(char::is_alphanumeric) {
                out.push(s.to_owned());
            }
            current.clear();
        }
    }
    let s = current.trim();
    if s.chars().any(char::is_alphanumeric) {
        out.push(s.to_owned());
    }
    out
}

/// What flite should read for a sentence: its US English front end skips "£", so
/// "£174.80" becomes "174 pounds 80" and "£112" "112 pounds". The subtitle keeps the
/// author's text.
pub fn spoken_form(sentence: &str) -> String {
    let mut out = String::with_capacity(sentence.len() + 16);
    let mut rest = sentence;
    while let Some(at) = rest.find('£') {
        out.push_str(&rest[..at]);
        let after = &rest[at + '£'.len_utf8()..];
        let digits = after
            .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
            .unwrap_or(after.len());
        // A trailing full stop ends the sentence, not the amount.
        let amount = after[..digits].trim_end_matches(['.', ',']);
        if amount.is_empty() {
            out.push_str("pounds");
            rest = after;
            continue;
        }
        match amount.split_once('.') {
            Some((whole, pence)) if !pence.is_empty() && pence != "00" => {
                out.push_str(&format!("{whole} pounds {pence}"))
            }
            Some((whole, _)) => out.push_str(&format!("{whole} pounds")),
            None => out.push_str(&format!("{amount} pounds")),
        }
        rest = &after[amount.len()..];
    }
    out.push_str(rest);
    out
}

/// "Mr." and friends end in a full stop but not a sentence.
fn ends_with_title(text: &str) -> bool {
    let last = text.split_whitespace().last().unwrap_or("");
    matches!(last, "Mr." | "Mrs." | "Ms." | "Dr." | "St." | "Mx.")
}

/// Matches the author's words to flite's word end times. Usually one to one; when flite
/// expands or merges tokens ("4" → "four", "£20" → "twenty pounds") the author's words are
/// spread over flite's in order.
fn time_words(sentence: &str, ends: &[f32], sentence_end: f32) -> Vec<TimedWord> {
    let shown: Vec<&str> = sentence.split_whitespace().collect();
    if ends.is_empty() {
        return spread_words(sentence, sentence_end, sentence_end);
    }
    let (m, k) = (shown.len(), ends.len());
    shown
        .iter()
        .enumerate()
        .map(|(j, w)| {
            let index = (((j + 1) * k).div_ceil(m)).clamp(1, k) - 1;
            TimedWord {
                text: (*w).to_owned(),
                end_s: ends[index],
            }
        })
        .collect()
}

/// Words spread evenly by character count between `start` and `end`.
fn spread_words(text: &str, start: f32, end: f32) -> Vec<TimedWord> {
    let shown: Vec<&str> = text.split_whitespace().collect();
    let total: usize = shown.iter().map(|w| w.len() + 1).sum();
    let mut so_far = 0;
    shown
        .iter()
        .map(|w| {
            so_far += w.len() + 1;
            TimedWord {
                text: (*w).to_owned(),
                end_s: start + (end - start) * so_far as f32 / total.max(1) as f32,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use holdspace_core::Band;
    use holdspace_core::analysis::signal::{active_level_dbfs, median_pitch, pitch_track};
    use holdspace_core::expression::prosody::NonVerbal;
    use holdspace_core::scenario::model::Tag;

    #[test]
    fn sentences_split_at_their_ends_only() {
        assert_eq!(
            split_sentences("It's my mum's funeral. On Friday. I just... I wanted one thing. Mr. Smith?"),
            [
                "It's my mum's funeral.",
                "On Friday.",
                "I just...",
                "I wanted one thing.",
                "Mr. Smith?"
            ]
        );
        assert_eq!(split_sentences("£4.99 is fine"), ["£4.99 is fine"]);
        assert!(split_sentences("...").is_empty());
    }

    #[test]
    fn a_line_has_words_in_order_and_a_mouth_track_as_long_as_its_audio() {
        let voice = Voice::default();
        let p = Prosody::for_line(&voice, Band::Frustrated, &[]);
        let speech =
            render_line("Where is it? I paid for next-day delivery.", &voice, &p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(speech.words.len(), 8);
        assert!(speech.words.windows(2).all(|w| w[0].end_s <= w[1].end_s));
        assert!((speech.mouth.duration_s() - speech.duration_s()).abs() < 0.05);
        assert_eq!(speech.subtitle_at(0.0).0, "");
        assert_eq!(speech.subtitle_at(speech.duration_s() + 1.0).1, "");
        assert!(speech.samples.iter().all(|s| s.abs() <= 1.0));
    }

    #[test]
    fn the_line_reaches_its_band_level() {
        let voice = Voice::default();
        for band in [Band::Calm, Band::Hostile] {
            let p = Prosody::for_line(&voice, band, &[]);
            let speech = render_line("I want to speak to someone who can actually help me.", &voice, &p)
                .unwrap_or_else(|e| panic!("{e}"));
            let level = active_level_dbfs(&speech.samples, speech.sample_rate);
            let want = REFERENCE_LEVEL_DBFS + p.gain_db;
            assert!((level - want).abs() < 1.0, "{band:?}: {level} dBFS, wanted {want}");
        }
    }

    #[test]
    fn a_sigh_comes_before_the_words() {
        let voice = Voice::default();
        let p = Prosody::for_line(&voice, Band::Uneasy, &[Tag::Sigh]);
        assert_eq!(p.lead_in, Some(NonVerbal::Sigh));
        let plain = render_line("Fine.", &voice, &Prosody { lead_in: None, ..p }).unwrap_or_else(|e| panic!("{e}"));
        let sighed = render_line("Fine.", &voice, &p).unwrap_or_else(|e| panic!("{e}"));
        assert!(sighed.duration_s() > plain.duration_s() + 0.9);
        assert!(sighed.words[0].end_s > 1.0);
    }

    #[test]
    fn pounds_are_read_as_pounds() {
        assert_eq!(
            spoken_form("It's £174.80, and I pay £112."),
            "It's 174 pounds 80, and I pay 112 pounds."
        );
        assert_eq!(
            spoken_form("£5.00 fee, £1,200 total"),
            "5 pounds fee, 1,200 pounds total"
        );
        assert_eq!(spoken_form("no money here"), "no money here");
        assert_eq!(spoken_form("a lone £ sign"), "a lone pounds sign");
    }

    #[test]
    fn the_first_word_starts_within_a_breath() {
        let voice = Voice::default();
        let speech = render_line("Sorry?", &voice, &Prosody::for_line(&voice, Band::Calm, &[]))
            .unwrap_or_else(|e| panic!("{e}"));
        let MouthTrack::Visemes(keys) = &speech.mouth else {
            panic!("visemes")
        };
        let first_phone = keys
            .iter()
            .find(|k| k.viseme != holdspace_core::expression::lipsync::Viseme::Rest)
            .map_or(1.0, |k| k.start_s);
        assert!(first_phone < 0.06, "first phone at {first_phone} s");
        let last = keys.last().map_or(0.0, |k| k.end_s);
        assert!((last - speech.duration_s()).abs() < 0.01);
    }

    #[test]
    fn pitch_follows_the_voice_setting() {
        let low = Voice {
            voice: "rms".into(),
            fallback: None,
            say_as: Default::default(),
            base_pitch_hz: 105.0,
            pace: 1.0,
        };
        let high = Voice {
            voice: "slt".into(),
            fallback: None,
            say_as: Default::default(),
            base_pitch_hz: 200.0,
            pace: 1.0,
        };
        let f0 = |v: &Voice| {
            let s = render_line(
                "I have been waiting all week for this.",
                v,
                &Prosody::for_line(v, Band::Uneasy, &[]),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            median_pitch(&pitch_track(&s.samples, s.sample_rate)).unwrap_or(0.0)
        };
        let (a, b) = (f0(&low), f0(&high));
        assert!(a < 130.0 && b > 170.0, "rms {a} Hz, slt {b} Hz");
    }
}
