//! Free speech: Whisper tiny.en through whisper.cpp (the `whisper-rs` bindings), fully
//! offline. The model file comes from `scripts/whisper-model.sh`.

use std::path::{Path, PathBuf};

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState};

use crate::error::SpeechError;

/// Where the set-up step puts the model: `$HOLDSPACE_MODELS/ggml-tiny.en.bin`, else
/// `~/.cache/holdspace/models/ggml-tiny.en.bin`.
pub fn default_model_path() -> PathBuf {
    let dir = std::env::var_os("HOLDSPACE_MODELS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/holdspace/models")))
        .unwrap_or_else(|| PathBuf::from("models"));
    dir.join("ggml-tiny.en.bin")
}

/// What Whisper heard in one utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// The words, trimmed; empty when it heard nothing.
    pub text: String,
    /// Whisper's estimate that the audio held no speech (0..1), from the first segment.
    pub no_speech: f32,
    /// How sure Whisper was of the words (0..1): the mean probability of the tokens it
    /// wrote, special tokens left out. Low on mumbled or clipped speech, where the words
    /// may not be what was said.
    pub confidence: f32,
}

/// A loaded Whisper model with one decoding state.
pub struct Transcriber {
    // The state borrows nothing, but is only valid while its context lives; keep both.
    state: WhisperState,
    _context: WhisperContext,
    threads: i32,
}

impl Transcriber {
    /// Loads a ggml model with `threads` decoding threads (the app's: [`app_threads`]).
    pub fn open(path: &Path, threads: i32) -> Result<Transcriber, SpeechError> {
        Transcriber::open_with(path, threads, flash_attention())
    }

    /// As [`Self::open`], choosing whether attention runs as one fused kernel
    /// (`flash_attn`).
    pub fn open_with(path: &Path, threads: i32, flash_attn: bool) -> Result<Transcriber, SpeechError> {
        if !path.is_file() {
            return Err(SpeechError::Model(format!(
                "no Whisper model at {} (run scripts/whisper-model.sh)",
                path.display()
            )));
        }
        // whisper.cpp logs every load and decode to stderr; route it to nowhere.
        whisper_rs::install_logging_hooks();
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false);
        params.flash_attn(flash_attn);
        let context = WhisperContext::new_with_params(path, params)
            .map_err(|e| SpeechError::Model(format!("{}: {e}", path.display())))?;
        let state = context
            .create_state()
            .map_err(|e| SpeechError::Model(format!("{}: {e}", path.display())))?;
        Ok(Transcriber {
            state,
            _context: context,
            threads: threads.max(1),
        })
    }

    /// Transcribes one utterance (16 kHz mono, −1..=1).
    pub fn transcribe(&mut self, audio: &[f32]) -> Result<Transcript, SpeechError> {
        self.transcribe_with(audio, None)
    }

    /// Transcribes one utterance with `prompt` as the text that came before it (Whisper
    /// leans towards its words and spelling).
    pub fn transcribe_with(&mut self, audio: &[f32], prompt: Option<&str>) -> Result<Transcript, SpeechError> {
        self.run(audio, prompt, false)
    }

    /// Transcribes a clip of any length as Whisper was trained to: the full 30 s
    /// context, several segments, the temperature fallback on. About ten times slower
    /// than [`Self::transcribe`] on a short clip, not looping on a long one, and keeping
    /// a phrase said twice (no repeat is cut): for
    /// checking what the customer's voice says (`bench voice-words`), not for replies.
    pub fn transcribe_full(&mut self, audio: &[f32]) -> Result<Transcript, SpeechError> {
        self.run(audio, None, true)
    }

    /// As [`Self::transcribe_full`], with `prompt` (names a listener would already know,
    /// spelled as written) as Whisper's initial prompt.
    pub fn transcribe_full_with(&mut self, audio: &[f32], prompt: &str) -> Result<Transcript, SpeechError> {
        self.run(audio, (!prompt.is_empty()).then_some(prompt), true)
    }

    fn run(&mut self, audio: &[f32], prompt: Option<&str>, full: bool) -> Result<Transcript, SpeechError> {
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        if let Some(prompt) = prompt {
            params.set_initial_prompt(prompt);
        }
        params.set_n_threads(self.threads);
        params.set_language(Some("en"));
        params.set_translate(false);
        params.set_no_context(true);
        params.set_single_segment(!full);
        params.set_no_timestamps(true);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        params.set_suppress_blank(true);
        let seconds = audio.len() as f32 / 16_000.0;
        // The encoder's cost grows with the square of its context, and Whisper pads every
        // clip to 30 s (1500 frames): 3.4 s per reply on one core here. A reply of a few
        // seconds needs a few hundred frames (0.3 s). A shortened context can make the
        // decoder loop, so the output is also capped at what the clip could hold, the
        // temperature fallback (which re-decodes a loop up to five times) is off, and
        // repeats are cut after.
        if !full {
            let ctx = (((seconds + AUDIO_CTX_MARGIN_S) * 50.0) as i32).clamp(MIN_AUDIO_CTX, 1500);
            params.set_audio_ctx(ctx);
            params.set_max_tokens((seconds * MAX_TOKENS_PER_S) as i32 + 8);
            params.set_temperature_inc(0.0);
        }
        // Whisper pads to 30 s internally; very short clips decode badly, so pad to 1 s.
        let padded;
        let audio = if audio.len() < 16_000 {
            padded = [audio, &vec![0.0; 16_000 - audio.len()]].concat();
            &padded[..]
        } else {
            audio
        };
        self.state
            .full(params, audio)
            .map_err(|e| SpeechError::Decode(format!("whisper: {e}")))?;
        let mut text = String::new();
        let mut no_speech = 0.0;
        let (mut sum, mut count) = (0.0_f32, 0_u32);
        for (i, segment) in self.state.as_iter().enumerate() {
            if i == 0 {
                no_speech = segment.no_speech_probability();
            }
            if let Ok(s) = segment.to_str_lossy() {
                text.push_str(&s);
            }
            for t in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(t) else { continue };
                // Special tokens ("<|endoftext|>", "[_TT_150]") are not words heard.
                let special = token
                    .to_str_lossy()
                    .is_ok_and(|w| w.starts_with("<|") || w.starts_with("[_"));
                if !special {
                    sum += token.token_probability();
                    count += 1;
                }
            }
        }
        // A loop is the short context's failing; in the full one, a phrase said twice
        // ("Nineteen years. Nineteen years with you lot…") was said twice.
        let text = if full {
            clean(&text)
        } else {
            without_repeats(&clean(&text))
        };
        Ok(Transcript {
            text,
            no_speech,
            confidence: if count == 0 { 0.0 } else { sum / count as f32 },
        })
    }
}

/// Decoding threads for the app's recogniser: `HOLDSPACE_WHISPER_THREADS`, else two
/// (one on a single-core machine). On the 2-core VM, inside the app (its frames and the
/// grammar's pick beside it), two threads took Whisper's own time from 836 to 464 ms
/// (p50) and the customer's voice from 928 to 552 ms after the trainee's last word; the
/// background voice prefetch, which used to make a second thread lose (900–1,450 ms),
/// is held while a reply is recognised.
pub fn app_threads() -> i32 {
    std::env::var("HOLDSPACE_WHISPER_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n: &i32| *n >= 1)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(2) as i32))
}

/// Whether attention is fused (whisper.cpp's own default, which whisper-rs turns off):
/// as fast here, and on the speech test set's quick voices it recognised 96 of 96
/// offered replies (95 unfused) with a word error rate of 0.033 (0.050).
/// `HOLDSPACE_WHISPER_FLASH=0` turns it off.
fn flash_attention() -> bool {
    std::env::var("HOLDSPACE_WHISPER_FLASH").map_or(true, |v| v != "0")
}

/// Seconds of context beyond the clip (Whisper was trained on padded clips). Half a
/// second saved 6 % of the time on the speech test set and lost an offered reply.
const AUDIO_CTX_MARGIN_S: f32 = 1.0;
/// The least context used, in 20 ms encoder frames.
const MIN_AUDIO_CTX: i32 = 128;
/// Tokens a second of speech can produce (fast speech is about 4).
const MAX_TOKENS_PER_S: f32 = 6.0;

/// Cuts a decoder loop: where a run of words is said again straight after itself ("I am
/// afraid. I am afraid. I am…"), allowing one changed word in a run of four or more and a
/// last repeat cut short, only the first saying is kept; so is a word said more than
/// twice in a row. People do repeat themselves, but not whole phrases back to back.
fn without_repeats(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let key = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    let keys: Vec<String> = words.iter().map(|w| key(w)).collect();
    let end = loop_start(&keys).unwrap_or(words.len());
    let mut out: Vec<&str> = Vec::with_capacity(end);
    for i in 0..end {
        let run = i >= 2 && keys[i] == keys[i - 1] && keys[i] == keys[i - 2];
        if !run {
            out.push(words[i]);
        }
    }
    out.join(" ")
}

/// Where the first back-to-back repeat of a run of two or more words begins its second
/// saying, if anywhere. A run may be as long as half the transcript: the decoder can
/// loop on a whole sentence ("No, sorry, I meant, so it was due on Tuesday… No, sorry,
/// I meant, so it was due on Tuesday…", twenty words twice, on another machine's CPU).
fn loop_start(keys: &[String]) -> Option<usize> {
    for i in 0..keys.len() {
        for k in 2..keys.len() {
            let available = keys.len().saturating_sub(i + k).min(k);
            // A long run's second saying, cut short, must still be a phrase: a sentence
            // that merely ends on the words it began with is not a loop.
            let least = if k > 12 { 5 } else { k.min(3) };
            if available < least {
                continue;
            }
            let mismatches = (0..available).filter(|j| keys[i + j] != keys[i + k + j]).count();
            // One changed word in four to twelve; in a longer run, one in eight.
            let allowed = usize::from(k >= 4).max(available / 8);
            if mismatches <= allowed {
                return Some(i + k);
            }
        }
    }
    None
}

/// Drops Whisper's non-speech annotations ("[BLANK_AUDIO]", "(coughs)", "♪") and
/// collapses spaces.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = (depth - 1).max(0),
            '♪' | '*' => {}
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_speech_is_heard_surely_and_gabble_is_not() {
        let mut whisper = Transcriber::open(&default_model_path(), 2)
            .unwrap_or_else(|e| panic!("{e} (scripts/whisper-model.sh fetches it)"));
        let lines = [
            "Take your time, there's no rush.",
            "I'm so sorry, let me look into that for you right now.",
            "What's been going on with the bill?",
        ];
        let mean = |wpm: u32, whisper: &mut Transcriber| {
            let mut sum = 0.0;
            for line in lines {
                let audio = crate::testset::espeak(line, "en-us", wpm).unwrap_or_else(|e| panic!("{e}"));
                sum += whisper.transcribe(&audio).unwrap_or_else(|e| panic!("{e}")).confidence;
            }
            sum / lines.len() as f32
        };
        let clear = mean(150, &mut whisper);
        let gabble = mean(420, &mut whisper);
        assert!(clear > 0.7, "clear speech heard at {clear:.2}");
        assert!(gabble < clear - 0.15, "gabble {gabble:.2} against clear {clear:.2}");
    }

    #[test]
    fn annotations_are_not_words() {
        assert_eq!(clean(" [BLANK_AUDIO]"), "");
        assert_eq!(clean(" Take your time. (coughs) "), "Take your time.");
        assert_eq!(clean("♪ la la ♪"), "la la");
    }

    #[test]
    fn a_decoder_loop_keeps_only_the_first_saying() {
        assert_eq!(
            without_repeats("So the bill went up. So the bill went up. So the bill"),
            "So the bill went up."
        );
        assert_eq!(
            without_repeats("price change, change. Change. Change."),
            "price change, change."
        );
        assert_eq!(
            without_repeats("I hear you, I hear what you say"),
            "I hear you, I hear what you say"
        );
        // A whole sentence looped, as CI's Whisper heard a correction.
        let said = "No, sorry, I meant, so it was due on Tuesday, the tracking keeps saying out for delivery, and you need it by Friday.";
        assert_eq!(without_repeats(&format!("{said} {said}")), said);
        assert_eq!(without_repeats(&format!("{said} {}", &said[..40])), said);
        // Two different sentences that share words are not a loop.
        let two = "I can see the parcel was due on Tuesday and it has not come. I can see why the parcel matters so much to you and I will chase it now.";
        assert_eq!(without_repeats(two), two);
        let ring = "I hear you, it's been a long week and nobody has rung you back once, I hear you";
        assert_eq!(without_repeats(ring), ring);
    }

    #[test]
    fn a_missing_model_is_a_clear_error() {
        let Err(e) = Transcriber::open(Path::new("/nonexistent/ggml-tiny.en.bin"), 1) else {
            panic!("opened a missing file")
        };
        assert!(e.to_string().contains("whisper-model.sh"), "{e}");
    }
}
