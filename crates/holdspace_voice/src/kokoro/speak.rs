//! One sentence said by Kokoro, in the shape the line assembler takes
//! ([`crate::render::Sentence`]): the customer's prosody as the model's controls, the
//! phonemes from the lexicon, the model's durations as the phones' and words' times, and
//! the padding silence trimmed to a breath.

use std::collections::VecDeque;
use std::sync::Mutex;

use holdspace_core::expression::prosody::Prosody;
use holdspace_core::scenario::model::Voice;

use crate::error::VoiceError;
use crate::kokoro::model::{Controls, Kokoro, MAX_TOKENS, SAMPLE_RATE};
use crate::kokoro::phones::timed_phones;
use crate::render::{Sentence, spoken_form};

/// The pitch spread (one standard deviation over the mean) that [`Prosody`] gives an
/// uneasy customer: the voice's own liveliness.
const OWN_SPREAD: f32 = 0.11;
/// How much of the prosody's pitch change a neural voice takes. The band factors were
/// set for flite's flat voices; a natural voice that rises by a third sounds strained
/// rather than angry, so it rises by about three quarters of that.
const PITCH_DEPTH: f32 = 0.75;
/// How much of the prosody's change in pitch spread a neural voice takes: Kokoro's voices
/// already move, and doubling it sounds sung.
const SPREAD_DEPTH: f32 = 0.6;
/// How far the audio runs ahead of the model's durations: the voice starts about three
/// frames before the leading pad ends and the last sound ends about as early, measured
/// on the shipped voices (the decoder's convolutions smear each sound back by that much).
/// Every time is moved earlier by it, so the mouth and the words meet the sound.
const AUDIO_LEAD_S: f32 = 0.075;
/// How much of the prosody's change of pace (band and tags, not the voice's own pace) a
/// neural voice takes: Kokoro rounds each phoneme to whole 25 ms frames, so a change of
/// under a tenth barely moves short phonemes (calm measured shorter than uneasy for
/// bm_fable at 1.0), and the bands must be heard to differ.
const PACE_DEPTH: f32 = 1.5;
/// Silence kept before the first phone and after the last one.
const EDGE_BEFORE_S: f32 = 0.04;
const EDGE_AFTER_S: f32 = 0.06;
/// The longest a sentence's last sound is kept at the voice's own pace (phrase-final
/// lengthening makes a final consonant about 150 to 250 ms).
const FINAL_HOLD_S: f32 = 0.25;
/// The fade over a sentence's last samples.
const FADE_OUT_S: f32 = 0.03;
/// A sample this far under the sentence's peak (−40 dB) is where its first sound begins;
/// the line keeps [`ONSET_MARGIN_S`] before it.
const ONSET_FRACTION: f32 = 0.01;
const ONSET_MARGIN_S: f32 = 0.02;

/// The model's controls for a line with this prosody: rate, pitch level and pitch
/// liveliness, relative to the voice's own.
pub fn controls(voice: &Voice, prosody: &Prosody) -> Controls {
    let level = prosody.f0_mean_hz / voice.base_pitch_hz.max(1.0);
    let spread = prosody.f0_stddev_hz / prosody.f0_mean_hz.max(1.0) / OWN_SPREAD;
    // The prosody's stretch is the band's and the tags' over the voice's own pace.
    let pace = voice.pace.clamp(0.5, 2.0);
    let stretch = prosody.duration_stretch * pace;
    let stretch = (1.0 + (stretch - 1.0) * PACE_DEPTH).max(0.3);
    Controls {
        speed: pace / stretch,
        f0_scale: 1.0 + (level - 1.0) * PITCH_DEPTH,
        f0_spread: 1.0 + (spread - 1.0) * SPREAD_DEPTH,
    }
}

/// Sentences said lately, newest last: a line's first sentence is said alone to start
/// at once, and then again as part of the whole line; the second time is free.
static RECENT: Mutex<VecDeque<(String, Sentence)>> = Mutex::new(VecDeque::new());
/// How many recent sentences are kept.
const RECENT_KEPT: usize = 8;

/// Says one sentence (as [`crate::render::split_sentences`] cuts a line) in `voice`.
pub fn sentence(kokoro: &Kokoro, voice: &str, text: &str, controls: Controls) -> Result<Sentence, VoiceError> {
    let key = format!("{}|{voice}|{controls:?}|{text}", kokoro.id());
    if let Some(hit) = RECENT
        .lock()
        .ok()
        .and_then(|r| r.iter().find(|(k, _)| *k == key).map(|(_, s)| s.clone()))
    {
        return Ok(hit);
    }
    let made = synthesise(kokoro, voice, text, controls)?;
    if let Ok(mut recent) = RECENT.lock() {
        if recent.len() >= RECENT_KEPT {
            recent.pop_front();
        }
        recent.push_back((key, made.clone()));
    }
    Ok(made)
}

fn synthesise(kokoro: &Kokoro, voice: &str, text: &str, controls: Controls) -> Result<Sentence, VoiceError> {
    let lexicon = kokoro.lexicon(voice)?;
    let phonemes = lexicon.phonemes(&spoken_form(text));
    // Tokens, the phoneme characters they are, and for each word the index of the token
    // just past its last phoneme.
    let mut tokens = Vec::new();
    let mut chars = Vec::new();
    let mut word_token_ends = Vec::new();
    let mut words = phonemes.word_ends.iter().peekable();
    for (i, c) in phonemes.text.chars().enumerate() {
        while words.next_if(|end| **end <= i).is_some() {
            word_token_ends.push(tokens.len());
        }
        if let Some(t) = kokoro.token(c) {
            tokens.push(t);
            chars.push(c);
        }
    }
    word_token_ends.extend(words.map(|_| tokens.len()));
    if tokens.len() > MAX_TOKENS - 2 {
        return long_sentence(kokoro, voice, text, controls);
    }
    let voiced = kokoro.run(voice, &tokens, controls)?;

    // Where the phones are: the lead pad is silence; so is whatever follows the last
    // sounding phone (the closing punctuation's frames).
    let lead_s = (voiced.lead_s - AUDIO_LEAD_S).max(0.0);
    let mut ends = Vec::with_capacity(voiced.seconds.len());
    let mut t = lead_s;
    for d in &voiced.seconds {
        t += d;
        ends.push(t);
    }
    let last_phone = chars
        .iter()
        .rposition(|c| crate::kokoro::phones::phone_of(*c).is_some_and(|p| p != "pau"));
    // The model holds a sentence's last consonant for 10 to 28 frames (the "z" of "is."
    // for 0.7 s), and how much of that stays audible varies with the band: the hold is
    // cut to what a speaker would give a final sound, relative to the pace.
    let last_sound = last_phone.map_or(t, |i| {
        let begins = if i == 0 { lead_s } else { ends[i - 1] };
        ends[i].min(begins + FINAL_HOLD_S / controls.speed.max(0.5))
    });
    let peak = voiced.samples.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    // Some first sounds (an "r", an "f") begin up to 140 ms before the pad ends, further
    // ahead than the rest: the line starts before the first sound, wherever it begins.
    let onset = voiced
        .samples
        .iter()
        .position(|x| x.abs() > peak * ONSET_FRACTION)
        .map_or(lead_s, |i| i as f32 / SAMPLE_RATE as f32);
    let start = (lead_s - EDGE_BEFORE_S).min(onset - ONSET_MARGIN_S).max(0.0);
    // The model often holds the last consonant in silence for a few hundred
    // milliseconds: the line ends where the sound does.
    let audible_end = voiced
        .samples
        .iter()
        .rposition(|x| x.abs() > peak * 0.02)
        .map_or(t, |i| i as f32 / SAMPLE_RATE as f32);
    let end = (last_sound.min(audible_end) + EDGE_AFTER_S).min(t);
    let rate = SAMPLE_RATE as f32;
    let (from, to) = (
        (start * rate) as usize,
        ((end * rate) as usize).min(voiced.samples.len()),
    );
    let mut samples = voiced.samples[from.min(to)..to].to_vec();
    // Cut short in a held sound, the end fades rather than clicks.
    let fade = ((FADE_OUT_S * rate) as usize).min(samples.len());
    let at = samples.len() - fade;
    for (k, x) in samples[at..].iter_mut().enumerate() {
        *x *= 0.5 + 0.5 * (std::f32::consts::PI * (k as f32 + 0.5) / fade as f32).cos();
    }
    let length = samples.len() as f32 / rate;

    let mut phones: Vec<(String, f32)> = timed_phones(&chars, &voiced.seconds, lead_s - start)
        .into_iter()
        .map(|(p, e)| (p.to_owned(), e.min(length)))
        .collect();
    phones.insert(0, ("pau".to_owned(), (lead_s - start).min(length)));
    let word_ends = word_token_ends
        .iter()
        .map(|&k| {
            let at = if k == 0 { lead_s } else { ends[k - 1] };
            (at - start).clamp(0.0, length)
        })
        .collect();
    Ok(Sentence {
        samples,
        phones,
        word_ends,
        end_s: (last_sound.min(audible_end) - start).min(length),
    })
}

/// A sentence too long for one call, said in two halves at the comma (or the space)
/// nearest its middle.
fn long_sentence(kokoro: &Kokoro, voice: &str, text: &str, controls: Controls) -> Result<Sentence, VoiceError> {
    let middle = text.len() / 2;
    let cut = text
        .match_indices(',')
        .map(|(i, _)| i + 1)
        .chain(text.match_indices(' ').map(|(i, _)| i))
        .min_by_key(|i| i.abs_diff(middle))
        .filter(|i| *i > 0 && *i < text.len())
        .ok_or_else(|| VoiceError::Text(format!("a sentence with no place to break: {text:?}")))?;
    let first = sentence(kokoro, voice, text[..cut].trim(), controls)?;
    let second = sentence(kokoro, voice, text[cut..].trim(), controls)?;
    let shift = first.samples.len() as f32 / SAMPLE_RATE as f32;
    let mut out = first;
    out.samples.extend(second.samples);
    out.phones
        .extend(second.phones.into_iter().map(|(p, e)| (p, e + shift)));
    out.word_ends.extend(second.word_ends.into_iter().map(|e| e + shift));
    out.end_s = shift + second.end_s;
    Ok(out)
}
