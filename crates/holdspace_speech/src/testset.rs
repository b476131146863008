//! The generated speech test set: the offered replies of six four-option steps (with
//! near-misses that share most of their words) and off-list sentences, each said by
//! several synthetic voices at several rates, at 16 kHz; and the scoring of a
//! [`Listener`] on it. The tests and `holdspace bench speech` both use it, so the numbers
//! in docs/performance.md come from the same cases the tests check.
//!
//! Voices: flite (slt, awb, kal, rms; the customer's own engine) and espeak-ng (run as a
//! separate program, so its GPL licence does not reach this crate).

use std::io::Cursor;
use std::process::Command;
use std::time::Instant;

use holdspace_core::Band;
use holdspace_core::analysis::spoken::{OptionGrammar, expanded, spoken_words, word_distance};
use holdspace_core::expression::prosody::Prosody;
use holdspace_core::scenario::model::Voice;

use crate::error::SpeechError;
use crate::listen::{Heard, Listener};
use crate::resample::to_16k;

/// Four offered replies per step: `(id, text)`. Each set has near-misses (the same
/// opening, a different point) so the recogniser must hear the words that matter.
pub const OPTION_SETS: &[[(&str, &str); 4]] = &[
    [
        ("loss", "I'm so sorry for your loss."),
        ("delay", "I'm so sorry for the delay."),
        ("happened", "Can you tell me what happened?"),
        ("order", "Can you tell me your order number?"),
    ],
    [
        ("rush", "Take your time, there's no rush."),
        ("frustrating", "That must be really frustrating."),
        ("matters", "It sounds like the parcel really matters to you."),
        ("late", "It sounds like the delivery was late again."),
    ],
    [
        ("calm", "Please calm down."),
        ("check", "Let me check what I can do for you."),
        ("account", "Let me check your account details."),
        ("help", "What would help most right now?"),
    ],
    [
        ("fix", "I understand, and I want to fix this."),
        ("hear", "I hear you, and I want to help."),
        ("policy", "That's our policy, I'm afraid."),
        ("more", "Could you say a little more about that?"),
    ],
    [
        ("why", "So the bill went up and you weren't told why."),
        ("change", "So the bill went up after the price change."),
        ("paying", "Have you had any trouble paying lately?"),
        ("else", "Is there anything else going on for you?"),
    ],
    [
        ("patient", "Thank you for waiting so patiently."),
        ("calling", "Thank you for calling us today."),
        ("note", "I'll put a note on your account."),
        ("plan", "Would a payment plan help?"),
    ],
];

/// Sentences that are none of the offered replies; said while a set is on offer, each
/// must be rejected (heard as free speech, not as an option).
pub const OFF_LIST: &[&str] = &[
    "What's the weather like today?",
    "I need to put you on hold for a minute.",
    "Have you tried turning it off and on again?",
    "My manager will call you back tomorrow morning.",
    "Do you want to hear about our new broadband deals?",
    "The system is down at the moment.",
    "I can't hear you very well.",
    "We close at six on weekdays.",
    "Can you spell your surname for me?",
    "Let's start again from the beginning.",
    "Our office moved to a new building in March.",
    "I had toast for breakfast this morning.",
];

/// A synthetic speaker.
#[derive(Debug, Clone, PartialEq)]
pub enum TestVoice {
    /// A flite voice at a pace (1 = its own rate).
    Flite {
        /// slt, awb, kal or rms.
        voice: &'static str,
        /// Mean pitch asked for.
        pitch_hz: f32,
        /// 0.5..2, above 1 is faster.
        pace: f32,
    },
    /// An espeak-ng voice at a rate in words per minute.
    Espeak {
        /// An espeak-ng voice name (`en-us`, `en-gb+f3`, …).
        voice: &'static str,
        /// Words per minute.
        wpm: u32,
    },
}

impl TestVoice {
    /// A short label for tables.
    pub fn label(&self) -> String {
        match self {
            TestVoice::Flite { voice, pace, .. } => format!("flite {voice} ×{pace}"),
            TestVoice::Espeak { voice, wpm } => format!("espeak-ng {voice} {wpm} wpm"),
        }
    }

    /// `text` said in this voice, 16 kHz mono.
    pub fn say(&self, text: &str) -> Result<Vec<f32>, SpeechError> {
        match self {
            TestVoice::Flite { voice, pitch_hz, pace } => {
                let v = Voice {
                    voice: (*voice).to_owned(),
                    fallback: None,
                    say_as: Default::default(),
                    base_pitch_hz: *pitch_hz,
                    pace: *pace,
                };
                let speech = holdspace_voice::render_line(text, &v, &Prosody::for_line(&v, Band::Uneasy, &[]))
                    .map_err(|e| SpeechError::Audio(format!("flite: {e}")))?;
                to_16k(&speech.samples, speech.sample_rate)
            }
            TestVoice::Espeak { voice, wpm } => espeak(text, voice, *wpm),
        }
    }
}

/// `text` said by espeak-ng, 16 kHz mono.
pub fn espeak(text: &str, voice: &str, wpm: u32) -> Result<Vec<f32>, SpeechError> {
    let out = Command::new("espeak-ng")
        .args(["-v", voice, "-s", &wpm.to_string(), "--stdout", text])
        .output()
        .map_err(|e| SpeechError::Audio(format!("espeak-ng: {e} (apt-get install espeak-ng)")))?;
    if !out.status.success() {
        return Err(SpeechError::Audio(format!(
            "espeak-ng failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    // espeak-ng streams its WAV with placeholder lengths; read the samples after the header.
    let mut reader = hound::WavReader::new(Cursor::new(&out.stdout))
        .map_err(|e| SpeechError::Audio(format!("espeak-ng WAV: {e}")))?;
    let rate = reader.spec().sample_rate;
    let samples: Vec<f32> = reader
        .samples::<i16>()
        .map_while(Result::ok)
        .map(|s| f32::from(s) / 32768.0)
        .collect();
    to_16k(&samples, rate)
}

/// Every voice of the full set: the four flite voices at different paces and espeak-ng's
/// US and British voices (male and female variants) at rates from 140 to 200 words a
/// minute.
pub fn all_voices() -> Vec<TestVoice> {
    let mut v = Vec::new();
    for (voice, pitch_hz, pace) in [
        ("slt", 175.0, 0.85),
        ("awb", 115.0, 1.2),
        ("kal", 110.0, 1.0),
        ("rms", 110.0, 1.1),
    ] {
        v.push(TestVoice::Flite { voice, pitch_hz, pace });
    }
    for (voice, wpm) in [
        ("en-us", 140),
        ("en-us", 190),
        ("en-gb", 165),
        ("en-us+f3", 160),
        ("en-gb+f4", 200),
    ] {
        v.push(TestVoice::Espeak { voice, wpm });
    }
    v
}

/// The smaller set the test suite runs (one voice per engine and sex).
pub fn quick_voices() -> Vec<TestVoice> {
    vec![
        TestVoice::Flite {
            voice: "slt",
            pitch_hz: 175.0,
            pace: 1.0,
        },
        TestVoice::Flite {
            voice: "awb",
            pitch_hz: 115.0,
            pace: 1.2,
        },
        TestVoice::Espeak {
            voice: "en-us",
            wpm: 175,
        },
        TestVoice::Espeak {
            voice: "en-gb+f3",
            wpm: 150,
        },
    ]
}

/// The grammar of one option set.
pub fn grammar(set: &[(&str, &str); 4]) -> OptionGrammar {
    let none: &[String] = &[];
    OptionGrammar::new(set.iter().map(|(id, text)| (*id, *text, none)))
}

/// One utterance to recognise.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Which option set is on offer.
    pub set: usize,
    /// What is said.
    pub text: &'static str,
    /// The reply it must be heard as; `None` for an off-list sentence (must be rejected).
    pub expected: Option<&'static str>,
}

/// Every case: each reply of each set, and each off-list sentence against one set.
pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for (set, replies) in OPTION_SETS.iter().enumerate() {
        for (id, text) in replies {
            out.push(Case {
                set,
                text,
                expected: Some(id),
            });
        }
    }
    for (i, text) in OFF_LIST.iter().enumerate() {
        out.push(Case {
            set: i % OPTION_SETS.len(),
            text,
            expected: None,
        });
    }
    out
}

/// A listener's results on the set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    /// On-list utterances.
    pub on_list: u32,
    /// …heard as the right reply.
    pub on_list_right: u32,
    /// Off-list utterances.
    pub off_list: u32,
    /// …not taken for any reply.
    pub off_list_rejected: u32,
    /// Reference words (for the word error rate).
    pub reference_words: u32,
    /// Word edits between the transcripts and the references.
    pub word_errors: u32,
    /// Seconds of audio heard.
    pub audio_s: f64,
    /// CPU seconds in the grammar decoder.
    pub grammar_cpu_s: f64,
    /// CPU seconds in Whisper.
    pub whisper_cpu_s: f64,
    /// Per utterance: milliseconds from the end of the audio to the grammar's pick.
    pub grammar_ms: Vec<f64>,
    /// Per utterance: milliseconds to the transcript (after the pick).
    pub whisper_ms: Vec<f64>,
    /// What went wrong, for the report: `voice: "said" → heard`.
    pub mistakes: Vec<String>,
}

impl Score {
    /// Share of on-list utterances recognised as the right reply.
    pub fn option_accuracy(&self) -> f64 {
        f64::from(self.on_list_right) / f64::from(self.on_list.max(1))
    }

    /// Share of off-list utterances rejected.
    pub fn rejection(&self) -> f64 {
        f64::from(self.off_list_rejected) / f64::from(self.off_list.max(1))
    }

    /// Whisper's word error rate over every utterance.
    pub fn word_error_rate(&self) -> f64 {
        f64::from(self.word_errors) / f64::from(self.reference_words.max(1))
    }
}

/// CPU time this process has used, in seconds.
fn cpu_s() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid, writable timespec; CLOCK_PROCESS_CPUTIME_ID is always supported on Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    if rc != 0 {
        return 0.0;
    }
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Runs `listener` on every case in every voice. Synthesis happens first, so the timings
/// are the recognisers' alone.
pub fn score(listener: &mut Listener, voices: &[TestVoice], cases: &[Case]) -> Result<Score, SpeechError> {
    let grammars: Vec<OptionGrammar> = OPTION_SETS.iter().map(grammar).collect();
    let mut score = Score::default();
    for voice in voices {
        let audio: Vec<Vec<f32>> = cases.iter().map(|c| voice.say(c.text)).collect::<Result<_, _>>()?;
        for (case, audio) in cases.iter().zip(&audio) {
            let g = &grammars[case.set];
            score.audio_s += audio.len() as f64 / 16_000.0;
            let (c0, t0) = (cpu_s(), Instant::now());
            let pick = listener.pick(g, audio)?;
            let (c1, t1) = (cpu_s(), Instant::now());
            let transcript = listener.transcribe_for(Some(g), audio)?;
            let (c2, t2) = (cpu_s(), Instant::now());
            score.grammar_cpu_s += c1 - c0;
            score.whisper_cpu_s += c2 - c1;
            score.grammar_ms.push((t1 - t0).as_secs_f64() * 1000.0);
            score.whisper_ms.push((t2 - t1).as_secs_f64() * 1000.0);
            let heard = crate::listen::decide(Some(g), pick.as_ref(), transcript.as_ref());
            if let Some(t) = &transcript {
                let reference = expanded(&spoken_words(case.text));
                let hyp = expanded(&spoken_words(&t.text));
                score.reference_words += reference.len() as u32;
                score.word_errors += (word_distance(&hyp, &reference) * reference.len() as f32).round() as u32;
            }
            let right = match (case.expected, &heard) {
                (Some(id), Heard::Reply { reply, .. }) => reply == id,
                (Some(_), _) => false,
                (None, Heard::Reply { .. }) => false,
                (None, _) => true,
            };
            match case.expected {
                Some(_) => {
                    score.on_list += 1;
                    score.on_list_right += u32::from(right);
                }
                None => {
                    score.off_list += 1;
                    score.off_list_rejected += u32::from(right);
                }
            }
            if !right {
                score.mistakes.push(format!(
                    "{}: \"{}\" → {heard:?} (grammar {:?}, transcript {:?})",
                    voice.label(),
                    case.text,
                    pick.as_ref().map(|p| p.heard.text.as_str()),
                    transcript.as_ref().map(|t| t.text.as_str()),
                ));
            }
        }
    }
    Ok(score)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::OptionRecogniser;
    use crate::pronounce::Dictionary;
    use crate::whisper::{Transcriber, default_model_path};

    #[test]
    fn every_test_word_can_be_heard_by_the_grammar() {
        let dict =
            Dictionary::load(std::path::Path::new(crate::pronounce::DEBIAN_DICT)).unwrap_or_else(|e| panic!("{e}"));
        for set in OPTION_SETS {
            for word in grammar(set).words() {
                assert!(dict.phones(word).is_some(), "no pronunciation for {word}");
            }
        }
    }

    #[test]
    fn both_engines_speak_at_16k() {
        for voice in [&quick_voices()[0], &quick_voices()[2]] {
            let audio = voice.say("Take your time.").unwrap_or_else(|e| panic!("{e}"));
            let seconds = audio.len() as f32 / 16_000.0;
            assert!((0.4..3.0).contains(&seconds), "{}: {seconds}", voice.label());
        }
    }

    /// The acceptance numbers, on the quick voices: options ≥ 97 % right, off-list
    /// sentences ≥ 95 % rejected. (`holdspace bench speech` runs every voice.)
    #[test]
    fn options_are_recognised_and_off_list_speech_is_rejected() {
        let options = OptionRecogniser::open_default().unwrap_or_else(|e| panic!("{e}"));
        let whisper = Transcriber::open(&default_model_path(), 1)
            .unwrap_or_else(|e| panic!("{e} (the test set needs the Whisper model)"));
        let mut listener = Listener::from_parts(Some(options), Some(whisper));
        let score = score(&mut listener, &quick_voices(), &cases()).unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "options {}/{}, off-list rejected {}/{}, WER {:.3}\n{}",
            score.on_list_right,
            score.on_list,
            score.off_list_rejected,
            score.off_list,
            score.word_error_rate(),
            score.mistakes.join("\n")
        );
        assert!(score.option_accuracy() >= 0.97, "{score:#?}");
        assert!(score.rejection() >= 0.95, "{score:#?}");
        assert!(score.word_error_rate() < 0.35, "{score:#?}");
    }
}
