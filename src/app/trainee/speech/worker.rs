//! The recognition worker thread: opens the recognisers (slow: the Whisper model), then
//! hears each utterance in two stages, the grammar's pick among the offered replies first
//! (echoed at once), then Whisper's transcript and the decision, with the delivery
//! measured from the audio.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};
use std::time::Instant;

use bevy::prelude::*;
use holdspace_core::Delivery;
use holdspace_core::analysis::delivery::{LoudnessBaseline, SpokenReply, measure};
use holdspace_core::analysis::spoken::{OptionGrammar, spoken_words};
use holdspace_speech::listen::{Heard, Listener};

/// One utterance for the worker.
pub(super) struct Job {
    pub id: u64,
    pub grammar: Option<OptionGrammar>,
    pub audio: Vec<f32>,
    pub pause_before_s: Option<f32>,
    /// The customer cut in this many seconds into it.
    pub cut_off_after_s: Option<f32>,
}

/// What the worker sends back.
pub(super) enum Reply {
    /// The recognisers are open (or not), with notices.
    Ready { notices: Vec<String>, can_hear: bool },
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
    },
    /// Recognition failed.
    Failed { id: u64, error: String },
}

/// The worker: opens the recognisers (slow: the Whisper model), then hears each job in
/// two stages. The loudness baseline lives here, where every utterance passes.
pub(super) fn recognition_worker(model: PathBuf, jobs: Receiver<Job>, replies: Sender<Reply>) {
    let mut listener = Listener::open(&model, 1);
    let _ = replies.send(Reply::Ready {
        notices: listener.notices().to_vec(),
        can_hear: listener.can_hear(),
    });
    let mut baseline = LoudnessBaseline::default();
    for job in jobs {
        let t0 = Instant::now();
        let pick = match job.grammar.as_ref() {
            Some(g) => listener.pick(g, &job.audio),
            None => Ok(None),
        };
        let grammar_ms = t0.elapsed().as_secs_f64() * 1000.0;
        let pick = match pick {
            Ok(p) => p,
            Err(e) => {
                let _ = replies.send(Reply::Failed {
                    id: job.id,
                    error: e.to_string(),
                });
                continue;
            }
        };
        let echo = pick.as_ref().map(|p| (p.reply.clone(), p.heard.text.clone()));
        let _ = replies.send(Reply::Picked {
            id: job.id,
            text: echo,
            ms: grammar_ms,
        });
        let t1 = Instant::now();
        let transcript = match listener.transcribe_for(job.grammar.as_ref(), &job.audio) {
            Ok(t) => t,
            Err(e) => {
                warn!("whisper: {e}");
                None
            }
        };
        let whisper_ms = t1.elapsed().as_secs_f64() * 1000.0;
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
        });
    }
}
