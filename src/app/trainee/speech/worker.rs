//! The recognition worker thread: opens the recognisers (slow: the Whisper model) and, on
//! an open microphone, the end-of-turn model; then hears each utterance in stages. While
//! the trainee speaks, the grammar hears along (guided mode). At a pause inside a turn,
//! first whether the turn is over (smart-turn on the audio so far); then the grammar's
//! pick among the offered replies (echoed at once: heard along, it is ready within a
//! millisecond, else it is decoded beside Whisper) and Whisper's transcript (a turn that
//! trails off on "and" or "the" is not over after all); then the decision, with the
//! delivery measured from the audio.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};
use std::time::Instant;

use bevy::prelude::*;
use holdspace_core::Delivery;
use holdspace_core::analysis::delivery::{LoudnessBaseline, SpokenReply, measure};
use holdspace_core::analysis::spoken::{OptionGrammar, spoken_words, trails_off};
use holdspace_speech::SpeechError;
use holdspace_speech::listen::{Heard, Listener};
use holdspace_speech::options::Picked;
use holdspace_speech::turn::{SmartTurn, bar, resume_window_s};

/// What the worker is given.
pub(super) enum Work {
    /// More audio of the utterance in progress, for the grammar to hear along: all of it
    /// so far with the grammar when it starts (`grammar` is then `Some`), then each
    /// frame's new samples.
    Along {
        started_s: f64,
        grammar: Option<OptionGrammar>,
        /// Where in the utterance's audio `samples` begin.
        from: usize,
        samples: Vec<f32>,
    },
    /// An utterance (or the audio so far at a pause) to hear.
    Hear(Job),
}

/// One utterance for the worker.
pub(super) struct Job {
    pub id: u64,
    /// When it started (stream seconds): the utterance the grammar heard along, if any.
    pub started_s: f64,
    pub grammar: Option<OptionGrammar>,
    pub audio: Vec<f32>,
    pub pause_before_s: Option<f32>,
    /// The customer cut in this many seconds into it.
    pub cut_off_after_s: Option<f32>,
    /// The audio so far at a pause: hear it only if the turn is over.
    pub at_pause: bool,
    /// At a pause: the silence so far, seconds (the end-of-turn bar falls as it lasts).
    pub silence_s: f64,
}

/// What the worker sends back.
pub(super) enum Reply {
    /// The recognisers are open (or not), with notices; `ends_turns`: the end-of-turn
    /// model is open, so pauses can be judged.
    Ready {
        notices: Vec<String>,
        can_hear: bool,
        ends_turns: bool,
    },
    /// At a pause: the turn is over (recognition follows); the reply is held `window_s`
    /// after the last word for the trainee to carry on (longer for a verdict less sure).
    TurnOver { id: u64, ms: f64, window_s: f64 },
    /// At a pause: the turn is not over (the voice had not finished, or the words trail
    /// off); nothing more comes for this job.
    NotOver { id: u64, why: &'static str },
    /// The grammar's pick (stage one).
    Picked {
        id: u64,
        text: Option<(String, String)>,
        ms: f64,
    },
    /// The decision (stage two).
    Heard {
        id: u64,
        heard: Heard,
        delivery: Delivery,
        grammar_ms: f64,
        whisper_ms: f64,
        /// The grammar's pick was heard along as the trainee spoke.
        along: bool,
    },
    /// Recognition failed.
    Failed { id: u64, error: String },
}

/// The worker: opens the recognisers (slow: the Whisper model), then hears each job in
/// two stages. The loudness baseline lives here, where every utterance passes.
pub(super) fn recognition_worker(
    model: PathBuf,
    turn_model: Option<PathBuf>,
    jobs: Receiver<Work>,
    replies: Sender<Reply>,
) {
    let mut listener = Listener::open(&model, holdspace_speech::whisper::app_threads());
    let mut notices = listener.notices().to_vec();
    let mut turns = turn_model.and_then(|dir| match SmartTurn::open(&dir) {
        Ok(t) => Some(t),
        Err(e) => {
            warn!("no end-of-turn model: {e}");
            notices.push(format!(
                "The end-of-turn model could not be opened ({e}): on the open microphone a reply ends after half a second of silence, so pause less inside a sentence."
            ));
            None
        }
    });
    let _ = replies.send(Reply::Ready {
        notices,
        can_hear: listener.can_hear(),
        ends_turns: turns.is_some(),
    });
    let mut baseline = LoudnessBaseline::default();
    // The grammar the utterance in progress is heard along with.
    let mut along_grammar: Option<(f64, OptionGrammar)> = None;
    for work in jobs {
        let job = match work {
            Work::Along {
                started_s,
                grammar,
                from,
                samples,
            } => {
                if let Some(g) = grammar {
                    along_grammar = Some((started_s, g));
                }
                if let Some((at, g)) = &along_grammar
                    && *at == started_s
                    && let Err(e) = listener.listen_along(started_s, g, from, &samples)
                {
                    // The utterance is then decoded whole when it ends, as without this.
                    warn!("hearing along: {e}");
                    along_grammar = None;
                }
                continue;
            }
            Work::Hear(job) => job,
        };
        if job.at_pause
            && let Some(model) = turns.as_mut()
        {
            let t = Instant::now();
            let complete = model.complete(&job.audio);
            let complete = match complete {
                Ok(p) => p,
                Err(e) => {
                    // A model that fails once is not trusted again: the pause ends the
                    // turn now, and later ones are judged by their words alone.
                    warn!("end-of-turn model failed: {e}");
                    turns = None;
                    1.0
                }
            };
            if complete < bar(job.silence_s) {
                let _ = replies.send(Reply::NotOver {
                    id: job.id,
                    why: "the voice had not finished",
                });
                continue;
            }
            let _ = replies.send(Reply::TurnOver {
                id: job.id,
                ms: t.elapsed().as_secs_f64() * 1000.0,
                window_s: resume_window_s(complete),
            });
        }
        let id = job.id;
        let t = Instant::now();
        let along = job
            .grammar
            .as_ref()
            .and_then(|g| listener.pick_along(job.started_s, g, &job.audio));
        let heard_along = along.is_some();
        let hearing = match along {
            // Heard along: the pick is ready now, and Whisper runs alone.
            Some(pick) => {
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                echo(&replies, id, &pick, ms);
                listener.hear_picked(job.grammar.as_ref(), &job.audio, pick, ms)
            }
            // Not heard along (open mode has no grammar; or the utterance began before
            // the replies were offered): the pick is decoded beside Whisper, and the echo
            // goes as soon as it is made, while Whisper still runs.
            None => {
                let echoes = replies.clone();
                listener.hear(job.grammar.as_ref(), &job.audio, move |pick, ms| {
                    echo(&echoes, id, pick, ms);
                })
            }
        };
        let (grammar_ms, whisper_ms) = (hearing.pick_ms, hearing.whisper_ms);
        let pick = match hearing.pick {
            Ok(p) => p,
            Err(e) => {
                let _ = replies.send(Reply::Failed {
                    id: job.id,
                    error: e.to_string(),
                });
                continue;
            }
        };
        let transcript = match hearing.transcript {
            Ok(t) => t,
            Err(e) => {
                warn!("whisper: {e}");
                None
            }
        };
        // Words that stop on "and" or "the": the trainee is still mid-sentence.
        if job.at_pause && transcript.as_ref().is_some_and(|t| trails_off(&t.text)) {
            let _ = replies.send(Reply::NotOver {
                id: job.id,
                why: "the words trail off",
            });
            continue;
        }
        let heard = holdspace_speech::listen::decide(job.grammar.as_ref(), pick.as_ref(), transcript.as_ref());
        let words = match &heard {
            Heard::Reply { said, .. } | Heard::Free { said, .. } => spoken_words(said).len() as u32,
            Heard::Nothing => 0,
        };
        let mut delivery = measure(
            &SpokenReply {
                audio: &job.audio,
                sample_rate: holdspace_speech::vad::RATE,
                words,
                fillers: None,
                pause_before_s: job.pause_before_s,
                interrupted: false,
            },
            &mut baseline,
        );
        delivery.cut_off_after_s = job.cut_off_after_s;
        let _ = replies.send(Reply::Heard {
            id: job.id,
            heard,
            delivery,
            grammar_ms,
            whisper_ms,
            along: heard_along,
        });
    }
}

/// Sends the grammar's pick back for the echo.
fn echo(replies: &Sender<Reply>, id: u64, pick: &Result<Option<Picked>, SpeechError>, ms: f64) {
    if let Ok(pick) = pick {
        let _ = replies.send(Reply::Picked {
            id,
            text: pick.as_ref().map(|p| (p.reply.clone(), p.heard.text.clone())),
            ms,
        });
    }
}
