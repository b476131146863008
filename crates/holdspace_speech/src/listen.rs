//! Hearing one utterance: the grammar's quick pick among the offered replies, Whisper's
//! transcript, and the decision between them.
//!
//! A grammar always picks one of its phrases, even for "what's the weather like". The
//! transcript confirms the pick when it is within half a phrase of it (word edit
//! distance); otherwise the trainee said something else, which goes to the engine as
//! free speech. Without a Whisper model the pick stands alone (grammar-only mode).
//!
//! The grammar can also hear the utterance as it is spoken ([`Listener::listen_along`]):
//! then its pick is ready a millisecond after the last word and Whisper has the machine
//! to itself, instead of sharing it with a whole decode at the moment the trainee stops.

use std::path::Path;
use std::time::Instant;

use holdspace_core::analysis::spoken::{OptionGrammar, spoken_words};

use crate::error::SpeechError;
use crate::options::{OptionRecogniser, Picked};
use crate::whisper::{Transcriber, Transcript};

/// A pick is confirmed when the transcript is at most this far from it (edits per word).
pub const CONFIRM_DISTANCE: f32 = 0.5;
/// When the grammar picked wrongly, a transcript this close to another reply picks that.
pub const TRANSCRIPT_PICK_DISTANCE: f32 = 0.34;
/// Whisper's no-speech probability above which an empty-ish transcript means silence.
const NO_SPEECH: f32 = 0.6;

/// What the trainee said, as the app acts on it.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// One of the offered replies.
    Reply {
        /// Its id.
        reply: String,
        /// The words as heard (the transcript, or the grammar's phrase).
        said: String,
        /// How sure: confirmed by the transcript, or the grammar alone.
        how: Confirmation,
    },
    /// Something else: the transcript, for the engine to match as free speech.
    Free {
        /// The words heard.
        said: String,
        /// How sure Whisper was of them (0..1): the engine answers "Sorry?" to unsure
        /// words that match nothing rather than scoring what may not have been said.
        confidence: f32,
    },
    /// Nothing usable ("Sorry?").
    Nothing,
}

/// How a reply was recognised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Confirmation {
    /// Grammar and transcript agree (the distance, 0 = word for word).
    Agreed(f32),
    /// The grammar missed, but the transcript is close to this reply.
    Transcript(f32),
    /// No transcript to check against (no Whisper model).
    GrammarOnly,
}

/// Decides what was heard from the grammar's pick and the transcript.
pub fn decide(grammar: Option<&OptionGrammar>, pick: Option<&Picked>, transcript: Option<&Transcript>) -> Heard {
    let said = |t: &Transcript| t.text.clone();
    match (grammar, transcript) {
        (Some(grammar), Some(t)) => {
            if spoken_words(&t.text).is_empty() || (t.no_speech > NO_SPEECH && pick.is_none()) {
                return Heard::Nothing;
            }
            if let Some(p) = pick {
                // Whisper sometimes stops after a word or two; a transcript that short
                // cannot overrule the grammar, which heard the whole utterance.
                let phrase_words = p.heard.text.split_whitespace().count();
                if spoken_words(&t.text).len() * 3 <= phrase_words {
                    return Heard::Reply {
                        reply: p.reply.clone(),
                        said: p.heard.text.clone(),
                        how: Confirmation::GrammarOnly,
                    };
                }
            }
            let picked = pick.and_then(|p| grammar.distance_to(&p.reply, &t.text).map(|d| (p.reply.as_str(), d)));
            let closest = grammar.closest(&t.text);
            match (picked, closest) {
                // The transcript is nearer another reply than the grammar's pick (near-miss
                // options differ in a word or two): the transcript heard every word.
                (Some((p, dp)), Some((c, dc))) if c != p && dc < dp && dc <= TRANSCRIPT_PICK_DISTANCE => {
                    return Heard::Reply {
                        reply: c.to_owned(),
                        said: said(t),
                        how: Confirmation::Transcript(dc),
                    };
                }
                (Some((p, dp)), _) if dp <= CONFIRM_DISTANCE => {
                    return Heard::Reply {
                        reply: p.to_owned(),
                        said: said(t),
                        how: Confirmation::Agreed(dp),
                    };
                }
                // The grammar found nothing (it can fail to reach the end of any phrase on
                // an unusual voice): the transcript alone decides.
                (None, Some((c, dc))) if dc <= CONFIRM_DISTANCE => {
                    return Heard::Reply {
                        reply: c.to_owned(),
                        said: said(t),
                        how: Confirmation::Transcript(dc),
                    };
                }
                _ => {}
            }
            free(t)
        }
        (Some(_), None) => match pick {
            Some(p) => Heard::Reply {
                reply: p.reply.clone(),
                said: p.heard.text.clone(),
                how: Confirmation::GrammarOnly,
            },
            None => Heard::Nothing,
        },
        (None, Some(t)) if !spoken_words(&t.text).is_empty() => free(t),
        (None, _) => Heard::Nothing,
    }
}

/// The transcript as free speech.
fn free(t: &Transcript) -> Heard {
    Heard::Free {
        said: t.text.clone(),
        confidence: t.confidence,
    }
}

/// The offered replies as a prompt: each as written, so the transcript takes their
/// spelling and capitals.
fn prompt_of(grammar: &OptionGrammar) -> String {
    grammar.sentences.join(" ")
}

/// The two recognisers, either of which may be missing.
pub struct Listener {
    options: Option<OptionRecogniser>,
    whisper: Option<Transcriber>,
    notices: Vec<String>,
    /// The utterance the grammar is hearing as it is spoken.
    along: Option<Along>,
}

/// An utterance the grammar hears as it comes in.
struct Along {
    /// When it started (stream seconds): which utterance it is.
    started_s: f64,
    grammar: OptionGrammar,
    /// Everything fed so far.
    audio: Vec<f32>,
    /// Whether the decoder's utterance is open; once a pick is taken it is closed, and
    /// reopened (the audio so far decoded again) if the trainee carries on.
    open: bool,
    /// The pick taken when it was closed, and how much audio it had heard.
    picked: Option<(usize, Option<Picked>)>,
}

impl Listener {
    /// Opens PocketSphinx at Debian's paths and Whisper at `model`; whatever cannot be
    /// opened is left out, with a notice that says what that means for the trainee.
    pub fn open(model: &Path, threads: i32) -> Listener {
        let mut notices = Vec::new();
        let options = match OptionRecogniser::open_default() {
            Ok(o) => Some(o),
            Err(e) => {
                notices.push(format!(
                    "Offered replies cannot be recognised by voice ({e}); install pocketsphinx-en-us."
                ));
                None
            }
        };
        let whisper = match Transcriber::open(model, threads) {
            Ok(w) => Some(w),
            Err(e) => {
                notices.push(format!(
                    "Free speech is off ({e}): only the offered replies are recognised, and anything said is taken as one of them."
                ));
                None
            }
        };
        Listener {
            options,
            whisper,
            notices,
            along: None,
        }
    }

    /// A listener from parts (tests, benchmarks).
    pub fn from_parts(options: Option<OptionRecogniser>, whisper: Option<Transcriber>) -> Listener {
        Listener {
            options,
            whisper,
            notices: Vec::new(),
            along: None,
        }
    }

    /// What could not be opened, for the app to show.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Whether anything can be recognised at all.
    pub fn can_hear(&self) -> bool {
        self.options.is_some() || self.whisper.is_some()
    }

    /// Whether free speech (Whisper) is available.
    pub fn has_free_speech(&self) -> bool {
        self.whisper.is_some()
    }

    /// The grammar's pick alone: fast (tens of milliseconds), for the echo.
    pub fn pick(&mut self, grammar: &OptionGrammar, audio: &[f32]) -> Result<Option<Picked>, SpeechError> {
        self.stop_along();
        pick(self.options.as_mut(), Some(grammar), audio)
    }

    /// Hears more audio of the utterance that started at `started_s` (stream seconds) as
    /// it is spoken, listening for `grammar`'s replies: `samples`, which begin `from`
    /// samples into it (what it already heard, from a job that went ahead of them, is
    /// skipped). A new start, or another grammar, begins afresh; audio after a pick was
    /// taken reopens the utterance; a gap (audio it was never given) ends the hearing
    /// along, and the utterance is decoded whole when it ends.
    pub fn listen_along(
        &mut self,
        started_s: f64,
        grammar: &OptionGrammar,
        from: usize,
        samples: &[f32],
    ) -> Result<(), SpeechError> {
        let heard = self.hear_more(started_s, grammar, from, samples);
        if heard.is_err() {
            // A decoder that failed mid-utterance is not trusted with this one again.
            self.stop_along();
        }
        heard
    }

    fn hear_more(
        &mut self,
        started_s: f64,
        grammar: &OptionGrammar,
        from: usize,
        samples: &[f32],
    ) -> Result<(), SpeechError> {
        let Some(options) = self.options.as_mut() else {
            return Ok(());
        };
        let same = self
            .along
            .as_ref()
            .is_some_and(|a| a.started_s == started_s && a.grammar.jsgf == grammar.jsgf);
        if !same {
            if self.along.as_ref().is_some_and(|a| a.open) {
                // Abandoned (too short, or superseded): closed, its pick unwanted.
                options.finish(grammar)?;
            }
            self.along = None;
            if from > 0 {
                return Ok(());
            }
            options.start(grammar)?;
            self.along = Some(Along {
                started_s,
                grammar: grammar.clone(),
                audio: Vec::new(),
                open: true,
                picked: None,
            });
        }
        let Some(along) = self.along.as_mut() else {
            return Ok(());
        };
        let heard = along.audio.len();
        if from > heard {
            if along.open {
                options.finish(grammar)?;
            }
            self.along = None;
            return Ok(());
        }
        let Some(more) = samples.get(heard - from..).filter(|m| !m.is_empty()) else {
            return Ok(());
        };
        if !along.open {
            // The trainee carried on after a pick was taken at a pause: hear it all again.
            options.start(&along.grammar)?;
            options.feed(&along.audio)?;
            along.open = true;
            along.picked = None;
        }
        options.feed(more)?;
        along.audio.extend_from_slice(more);
        Ok(())
    }

    /// The grammar's pick of `audio`, the utterance that started at `started_s`, from
    /// what it heard along the way (plus any audio it had not heard yet): a millisecond,
    /// not a decode. `None` when it was not hearing that utterance with that grammar
    /// (then [`Self::hear`] decodes it whole).
    pub fn pick_along(
        &mut self,
        started_s: f64,
        grammar: &OptionGrammar,
        audio: &[f32],
    ) -> Option<Result<Option<Picked>, SpeechError>> {
        let options = self.options.as_mut()?;
        let along = self.along.as_mut()?;
        let heard = along.audio.len();
        if along.started_s != started_s
            || along.grammar.jsgf != grammar.jsgf
            || audio.len() < heard
            || audio[..heard] != along.audio[..]
        {
            return None;
        }
        if !along.open
            && let Some((at, pick)) = &along.picked
            && *at == audio.len()
        {
            return Some(Ok(pick.clone()));
        }
        let result = (|| {
            if !along.open {
                options.start(grammar)?;
                options.feed(&along.audio)?;
                along.open = true;
            }
            options.feed(&audio[heard..])?;
            along.audio.extend_from_slice(&audio[heard..]);
            along.open = false;
            options.finish(grammar)
        })();
        match &result {
            Ok(pick) => along.picked = Some((audio.len(), pick.clone())),
            // A decoder that failed mid-utterance is not trusted with this one again.
            Err(_) => self.along = None,
        }
        Some(result)
    }

    /// Closes an utterance the grammar was hearing along, before a whole decode.
    fn stop_along(&mut self) {
        if let Some(along) = self.along.take()
            && along.open
            && let Some(options) = self.options.as_mut()
        {
            let _ = options.finish(&along.grammar);
        }
    }

    /// Whisper's transcript of an utterance whose pick is already made (heard along the
    /// way, [`Self::pick_along`]): Whisper alone, with the whole machine.
    pub fn hear_picked(
        &mut self,
        grammar: Option<&OptionGrammar>,
        audio: &[f32],
        pick: Result<Option<Picked>, SpeechError>,
        pick_ms: f64,
    ) -> Hearing {
        let t = Instant::now();
        let transcript = transcribe(self.whisper.as_mut(), grammar, audio);
        Hearing {
            pick,
            transcript,
            pick_ms,
            whisper_ms: t.elapsed().as_secs_f64() * 1000.0,
        }
    }

    /// The grammar's pick and Whisper's transcript of one utterance, the pick on a thread
    /// of its own while Whisper runs on this one: the answer waits for the slower of the
    /// two rather than both. (With Whisper on two threads, picking first and then
    /// transcribing was slower in the app: voice 638 against 552 ms p50.) `on_pick` gets
    /// the pick the moment it is made, for the echo.
    pub fn hear(
        &mut self,
        grammar: Option<&OptionGrammar>,
        audio: &[f32],
        on_pick: impl FnOnce(&Result<Option<Picked>, SpeechError>, f64) + Send,
    ) -> Hearing {
        self.stop_along();
        let Listener { options, whisper, .. } = self;
        let options = options.as_mut();
        std::thread::scope(|scope| {
            let picking = scope.spawn(move || {
                let t = Instant::now();
                let pick = pick(options, grammar, audio);
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                on_pick(&pick, ms);
                (pick, ms)
            });
            let t = Instant::now();
            let transcript = transcribe(whisper.as_mut(), grammar, audio);
            let whisper_ms = t.elapsed().as_secs_f64() * 1000.0;
            let (pick, pick_ms) = picking
                .join()
                .unwrap_or_else(|_| (Err(SpeechError::Decode("the grammar recogniser crashed".into())), 0.0));
            Hearing {
                pick,
                transcript,
                pick_ms,
                whisper_ms,
            }
        })
    }

    /// Whisper's transcript with the offered replies as its prompt, so their words are
    /// the ones it expects (an off-list sentence is still transcribed as said).
    pub fn transcribe_for(
        &mut self,
        grammar: Option<&OptionGrammar>,
        audio: &[f32],
    ) -> Result<Option<Transcript>, SpeechError> {
        transcribe(self.whisper.as_mut(), grammar, audio)
    }
}

/// Both recognisers' answers on one utterance, with how long each took.
#[derive(Debug)]
pub struct Hearing {
    /// The grammar's pick among the offered replies.
    pub pick: Result<Option<Picked>, SpeechError>,
    /// Whisper's transcript (none without the model).
    pub transcript: Result<Option<Transcript>, SpeechError>,
    /// Milliseconds the pick took.
    pub pick_ms: f64,
    /// Milliseconds Whisper took.
    pub whisper_ms: f64,
}

/// The grammar's pick among the offered replies (none without a grammar or recogniser).
fn pick(
    options: Option<&mut OptionRecogniser>,
    grammar: Option<&OptionGrammar>,
    audio: &[f32],
) -> Result<Option<Picked>, SpeechError> {
    match (options, grammar) {
        (Some(o), Some(g)) if !g.phrases.is_empty() => o.recognise(g, audio),
        _ => Ok(None),
    }
}

/// Whisper's transcript, prompted with the offered replies.
fn transcribe(
    whisper: Option<&mut Transcriber>,
    grammar: Option<&OptionGrammar>,
    audio: &[f32],
) -> Result<Option<Transcript>, SpeechError> {
    let prompt = grammar
        .map(prompt_of)
        .filter(|p| !p.is_empty() && std::env::var("HOLDSPACE_NO_PROMPT").is_err());
    whisper.map(|w| w.transcribe_with(audio, prompt.as_deref())).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sphinx::Hypothesis;

    fn grammar() -> OptionGrammar {
        let none: &[String] = &[];
        OptionGrammar::new([
            ("time", "Take your time, there's no rush.", none),
            ("calm", "Please calm down.", none),
            ("happened", "Can you tell me what happened?", none),
            ("number", "Can you tell me your order number?", none),
        ])
    }

    #[test]
    fn hearing_with_neither_recogniser_reports_the_empty_pick_once_and_no_transcript() {
        let mut listener = Listener::from_parts(None, None);
        let calls = std::sync::atomic::AtomicU32::new(0);
        let hearing = listener.hear(Some(&grammar()), &[0.0; 1600], |pick, _| {
            assert!(matches!(pick, Ok(None)));
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        assert_eq!(calls.into_inner(), 1);
        assert!(matches!(hearing.pick, Ok(None)));
        assert!(matches!(hearing.transcript, Ok(None)));
    }

    fn pick(reply: &str) -> Picked {
        Picked {
            reply: reply.to_owned(),
            heard: Hypothesis {
                text: "please calm down".to_owned(),
                score: 0,
                prob: 0,
            },
        }
    }

    fn heard(text: &str) -> Transcript {
        Transcript {
            text: text.to_owned(),
            no_speech: 0.01,
            confidence: 0.9,
        }
    }

    #[test]
    fn an_agreeing_transcript_confirms_the_pick() {
        let g = grammar();
        let h = decide(Some(&g), Some(&pick("calm")), Some(&heard("Please, calm down.")));
        assert!(
            matches!(h, Heard::Reply { ref reply, how: Confirmation::Agreed(d), .. } if reply == "calm" && d == 0.0),
            "{h:?}"
        );
    }

    #[test]
    fn something_else_is_free_speech_not_the_pick() {
        let g = grammar();
        let h = decide(
            Some(&g),
            Some(&pick("calm")),
            Some(&heard("What's the weather like today?")),
        );
        assert_eq!(
            h,
            Heard::Free {
                said: "What's the weather like today?".to_owned(),
                confidence: 0.9
            }
        );
    }

    #[test]
    fn a_wrong_pick_gives_way_to_a_close_transcript() {
        let g = grammar();
        let h = decide(
            Some(&g),
            Some(&pick("number")),
            Some(&heard("Can you tell me what happened?")),
        );
        assert!(
            matches!(h, Heard::Reply { ref reply, how: Confirmation::Transcript(_), .. } if reply == "happened"),
            "{h:?}"
        );
    }

    #[test]
    fn grammar_only_without_a_model_and_nothing_for_silence() {
        let g = grammar();
        let h = decide(Some(&g), Some(&pick("calm")), None);
        assert!(
            matches!(
                h,
                Heard::Reply {
                    how: Confirmation::GrammarOnly,
                    ..
                }
            ),
            "{h:?}"
        );
        assert_eq!(decide(Some(&g), None, None), Heard::Nothing);
        assert_eq!(decide(Some(&g), None, Some(&heard(""))), Heard::Nothing);
        assert_eq!(
            decide(None, None, Some(&heard("I hear you."))),
            Heard::Free {
                said: "I hear you.".to_owned(),
                confidence: 0.9
            }
        );
    }
}
