//! From the worker's answers to a reply: the grammar's pick is echoed at once, Whisper's
//! decision confirms or changes it, the words stay up for an undo window (Esc drops
//! them), then go to the session as a `ReplyGiven`; nothing heard gets a "Sorry?" in
//! character.

use std::time::{Duration, Instant};

use bevy::prelude::*;
use holdspace_core::TurnInput;
use holdspace_core::analysis::delivery::live_tip;
use holdspace_core::engine::events::Spoken;
use holdspace_speech::listen::Heard;

use super::worker::Reply;
use super::{ListenState, SpeechInput, SpeechRecognised};
use crate::app::notice::Notice;
use crate::app::session::hud::PlayOptions;
use crate::app::session::runner::{ActiveSession, CustomerSpoke};
use crate::app::trainee::reply::ReplyGiven;

/// How long the recognised words stay up, undoable, before they are sent.
const UNDO_WINDOW: Duration = Duration::from_millis(1500);
/// Extra time to undo when the transcript changed what was echoed.
const CHANGED_WINDOW: Duration = Duration::from_millis(1000);

/// Takes the worker's answers: echoes the pick, keeps the decision for `commit`.
pub(super) fn collect_results(
    mut speech: ResMut<SpeechInput>,
    mut notices: MessageWriter<Notice>,
    mut recognised: MessageWriter<SpeechRecognised>,
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
            } => {
                for n in said {
                    notices.write(Notice::info(n));
                }
                speech.can_hear = can_hear;
                if !can_hear {
                    speech.state = ListenState::Off;
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
                        until: Instant::now() + UNDO_WINDOW,
                    };
                }
            }
            Reply::Heard {
                id,
                heard,
                delivery,
                grammar_ms,
                whisper_ms,
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
                // Keep the window the pick opened, unless the words changed.
                let until = match &speech.state {
                    ListenState::Echo { reply: r, until, .. } if *r == reply => *until,
                    _ => Instant::now() + CHANGED_WINDOW,
                };
                speech.state = ListenState::Echo { text, reply, until };
                speech.decided = Some((heard, delivery));
            }
            Reply::Failed { id, error } => {
                if speech.current.as_ref().is_some_and(|(c, _)| *c == id) {
                    speech.current = None;
                    speech.state = ListenState::NotCaught;
                    notices.write(Notice::error(format!("Speech recognition failed: {error}")));
                }
            }
        }
    }
}

/// Esc (or Backspace, when not typing) during the echo drops what was heard.
pub(super) fn undo(mut speech: ResMut<SpeechInput>, keys: Option<Res<ButtonInput<KeyCode>>>) {
    let pressed = keys.is_some_and(|k| k.just_pressed(KeyCode::Escape));
    if pressed && matches!(speech.state, ListenState::Echo { .. } | ListenState::Recognising) {
        speech.current = None;
        speech.decided = None;
        speech.state = ListenState::Ready;
    }
}

/// Sends the decision once its undo window has closed; says "Sorry?" for nothing heard.
pub(super) fn commit(
    mut speech: ResMut<SpeechInput>,
    active: Res<ActiveSession>,
    options: Option<Res<PlayOptions>>,
    mut replies: MessageWriter<ReplyGiven>,
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
        }));
        speech.state = ListenState::Ready;
        speech.tip = Some((
            "Didn't catch that. Say it again, or click a reply.".to_owned(),
            Instant::now() + Duration::from_secs(4),
        ));
        return;
    }
    let ListenState::Echo { until, .. } = &speech.state else {
        return;
    };
    if Instant::now() < *until {
        return;
    }
    let Some((heard, delivery)) = speech.decided.take() else {
        return;
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
