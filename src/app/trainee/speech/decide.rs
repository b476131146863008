//! From the worker's answers to a reply: the grammar's pick is echoed at once, Whisper's
//! decision confirms or changes it and goes to the session as a `ReplyGiven` at once (Esc
//! before then drops it; after, `trainee::correction` takes it back); nothing heard gets a
//! "Sorry?" in character. "No, sorry, I meant…" said as the customer starts to answer
//! takes the last reply back, and what follows it is the reply meant instead.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use holdspace_core::TurnInput;
use holdspace_core::analysis::delivery::live_tip;
use holdspace_core::engine::events::Spoken;
use holdspace_speech::listen::Heard;

use super::turns::send_ended;
use super::worker::Reply;
use super::{ListenState, SpeechInput, SpeechRecognised, TraineeTalk, vad_config};
use crate::app::notice::Notice;
use crate::app::session::hud::PlayOptions;
use crate::app::session::runner::{ActiveSession, CustomerSpoke};
use crate::app::trainee::correction::{CorrectionWindow, TakeBack};
use crate::app::trainee::reply::ReplyGiven;
use holdspace_speech::vad::Vad;

/// Takes the worker's answers: echoes the pick, keeps the decision for `commit`.
pub(super) fn collect_results(
    mut speech: ResMut<SpeechInput>,
    mut notices: MessageWriter<Notice>,
    mut recognised: MessageWriter<SpeechRecognised>,
    mut talking: MessageWriter<TraineeTalk>,
) {
    let replies: Vec<Reply> = match speech.replies.lock() {
        Ok(rx) => rx.try_iter().collect(),
        Err(_) => return,
    };
    for reply in replies {
        match reply {
            Reply::Ready {
                notices: said,
                can_hear,
                ends_turns,
            } => {
                for n in said {
                    notices.write(Notice::info(n));
                }
                speech.can_hear = can_hear;
                if !can_hear {
                    speech.state = ListenState::Off;
                }
                // Without the end-of-turn model, pauses cannot be judged: silence ends turns.
                if speech.vad.config() != vad_config(speech.mode, ends_turns) {
                    speech.vad = Vad::new(vad_config(speech.mode, ends_turns));
                }
            }
            Reply::TurnOver { id, ms, window_s } => {
                let Some((current, timing)) = speech.current.as_mut() else {
                    continue;
                };
                if *current != id {
                    continue;
                }
                timing.judged = Some(Instant::now());
                timing.turn_ms = ms;
                timing.resume_window_s = window_s;
                speech.state = ListenState::Recognising;
                if !std::mem::replace(&mut speech.stop_reported, true) {
                    let talked_s = speech.vad.talked_s().unwrap_or_default() as f32;
                    talking.write(TraineeTalk::Stopped { talked_s });
                }
            }
            Reply::NotOver { id, why } => {
                if speech.current.as_ref().is_some_and(|(c, _)| *c == id) {
                    debug!("not the end of the turn: {why}");
                    speech.current = None;
                    speech.pause_job = false;
                    if let Some(ended) = speech.ended_meanwhile.take() {
                        // Silence ended it meanwhile: the whole of it is the reply.
                        send_ended(&mut speech, ended);
                        continue;
                    }
                    speech.stop_reported = false;
                    if speech.vad.in_speech() {
                        speech.state = ListenState::Hearing;
                    }
                }
            }
            Reply::Picked { id, text, ms } => {
                let Some((current, timing)) = speech.current.as_mut() else {
                    continue;
                };
                if *current != id {
                    continue;
                }
                timing.picked = Some(Instant::now());
                timing.grammar_ms = ms;
                if let Some((reply, words)) = text {
                    // The reply as its button reads, rather than the grammar's bare words.
                    let text = speech
                        .offered
                        .iter()
                        .find(|o| o.id == reply)
                        .map_or(words, |o| o.text.clone());
                    speech.state = ListenState::Echo {
                        text,
                        reply: Some(reply),
                    };
                }
            }
            Reply::Heard {
                id,
                heard,
                delivery,
                grammar_ms,
                whisper_ms,
                along,
            } => {
                let Some((current, mut timing)) = speech.current.take() else {
                    continue;
                };
                if current != id {
                    speech.current = Some((current, timing));
                    continue;
                }
                timing.heard = Some(Instant::now());
                timing.grammar_ms = grammar_ms;
                timing.whisper_ms = whisper_ms;
                timing.picked_along = along;
                // Heard at a pause and judged over: sent once the trainee has had the
                // time people take to carry on after a pause inside a sentence.
                let at_pause = std::mem::take(&mut speech.pause_job);
                let ended = speech.ended_meanwhile.take().is_some();
                if at_pause && heard == Heard::Nothing && !ended {
                    // Whisper heard nothing in what was judged a turn: wait for more.
                    speech.state = ListenState::Hearing;
                    continue;
                }
                speech.send_at_s = at_pause.then_some(timing.speech_end_s + timing.resume_window_s);
                recognised.write(SpeechRecognised {
                    heard: heard.clone(),
                    delivery: delivery.clone(),
                    timing: timing.clone(),
                });
                speech.timings.push_back(timing);
                while speech.timings.len() > 64 {
                    speech.timings.pop_front();
                }
                let (text, reply) = match &heard {
                    Heard::Reply { said, reply, .. } => (said.clone(), Some(reply.clone())),
                    Heard::Free { said, .. } => (said.clone(), None),
                    Heard::Nothing => {
                        speech.state = ListenState::NotCaught;
                        continue;
                    }
                };
                speech.state = ListenState::Echo { text, reply };
                speech.decided = Some((heard, delivery));
            }
            Reply::Failed { id, error } => {
                if speech.current.as_ref().is_some_and(|(c, _)| *c == id) {
                    speech.current = None;
                    speech.pause_job = false;
                    speech.ended_meanwhile = None;
                    speech.state = ListenState::NotCaught;
                    notices.write(Notice::error(format!("Speech recognition failed: {error}")));
                }
            }
        }
    }
}

/// Esc while the words are being heard or recognised drops them.
pub(super) fn undo(mut speech: ResMut<SpeechInput>, keys: Option<Res<ButtonInput<KeyCode>>>) {
    let pressed = keys.is_some_and(|k| k.just_pressed(KeyCode::Escape));
    if pressed && matches!(speech.state, ListenState::Echo { .. } | ListenState::Recognising) {
        speech.current = None;
        speech.decided = None;
        speech.pause_job = false;
        speech.ended_meanwhile = None;
        // Dropped at a pause: the rest of that utterance is dropped with it.
        if speech.send_at_s.take().is_some() || speech.vad.in_speech() {
            let _ = speech.vad.finish();
        }
        speech.state = ListenState::Ready;
    }
}

/// Sends the decision as soon as it is made; says "Sorry?" for nothing heard. Words that
/// take the last reply back ("no, sorry, I meant…"), begun while it could still be taken
/// back, do so, and the rest of them is the reply.
pub(super) fn commit(
    mut speech: ResMut<SpeechInput>,
    active: Res<ActiveSession>,
    options: Option<Res<PlayOptions>>,
    window: Option<ResMut<CorrectionWindow>>,
    mut replies: MessageWriter<ReplyGiven>,
    mut take_back: MessageWriter<TakeBack>,
    mut spoke: MessageWriter<CustomerSpoke>,
) {
    if speech.state == ListenState::NotCaught && speech.decided.is_none() {
        // In character, then ready for another try.
        spoke.write(CustomerSpoke(Spoken {
            turn: active.session().turn(),
            line_id: "holdspace/sorry".to_owned(),
            text: "Sorry? I didn't catch that.".to_owned(),
            band: active.session().band(),
            tags: Vec::new(),
            cue: None,
            answering: None,
        }));
        speech.state = ListenState::Ready;
        speech.tip = Some((
            "Didn't catch that. Say it again, or click a reply.".to_owned(),
            Instant::now() + Duration::from_secs(4),
        ));
        return;
    }
    if speech.send_at_s.is_some_and(|at| speech.now_s() < at) {
        return;
    }
    let Some((heard, delivery)) = speech.decided.take() else {
        return;
    };
    // A turn judged over at a pause ends here: what the detector still holds of it is
    // the silence after the last word.
    if speech.send_at_s.take().is_some() {
        let _ = speech.vad.finish();
    }
    // Only words begun in time take the last reply back; later, "sorry, I meant" is just
    // words in a new reply.
    let mut window = window;
    let in_time = window.as_mut().is_some_and(|w| std::mem::take(&mut w.heard_in_time));
    let said = match &heard {
        Heard::Reply { said, .. } | Heard::Free { said, .. } => said.as_str(),
        Heard::Nothing => "",
    };
    let heard = match holdspace_core::analysis::scope::correcting(said) {
        Some(rest) if in_time => {
            take_back.write(TakeBack { by: said.to_owned() });
            if let Some(w) = window.as_mut() {
                w.until = None;
            }
            speech.state = ListenState::Ready;
            if !rest.chars().any(char::is_alphanumeric) {
                return;
            }
            // What they meant instead, heard by meaning: the grammar's pick was for the
            // whole utterance, correction included.
            Heard::Free {
                said: rest,
                confidence: match heard {
                    Heard::Free { confidence, .. } => confidence,
                    _ => 1.0,
                },
            }
        }
        _ => heard,
    };
    let input = match heard {
        Heard::Reply { reply, said, .. } => TurnInput {
            text: said,
            chosen_option: Some(reply),
            delivery: delivery.clone(),
            ..TurnInput::default()
        },
        Heard::Free { said, confidence } => TurnInput {
            text: said,
            chosen_option: None,
            delivery: delivery.clone(),
            confidence: Some(confidence),
            ..TurnInput::default()
        },
        Heard::Nothing => return,
    };
    replies.write(ReplyGiven(input));
    speech.state = ListenState::Ready;
    speech.awaiting = false;
    if options.is_some_and(|o| o.practice)
        && let Some(tip) = live_tip(&delivery)
    {
        speech.tip = Some((tip, Instant::now() + Duration::from_secs(5)));
    }
}
