//! Listening for the trainee's turn: follows the conversation (is a reply wanted, when
//! did the customer stop), reads the microphone through the voice-activity detector
//! (push-to-talk or open mic) and hands each finished utterance to the worker with the
//! grammar of the replies on offer.

use std::time::Instant;

use bevy::prelude::*;
use holdspace_core::Mode;
use holdspace_core::analysis::spoken::OptionGrammar;
use holdspace_core::engine::events::OfferedReply;
use holdspace_speech::turn::RESUME_WINDOW_S;
use holdspace_speech::vad::{Utterance, VadEvent};

use super::worker::{Job, Work};
use super::{Listen, ListenState, SpeechInput, TraineeTalk, UtteranceTiming};
use crate::app::customer::listening::CustomerCutIn;
use crate::app::customer::voice::{TraineeStartedSpeaking, VoiceOutput};
use crate::app::session::runner::{ActiveSession, OptionsOffered, SessionEnded, TraineeReplied};
use crate::app::trainee::mic::Microphone;
use holdspace_core::expression::listening::PAUSE_S;

/// With recorded files, how long the "trainee" waits after the customer stops.
const FILE_REPLY_PAUSE_S: f64 = 0.8;

/// Follows the conversation: whether a reply is wanted, and when the customer stopped.
pub(super) fn track_turns(
    mut speech: ResMut<SpeechInput>,
    mut offered: MessageReader<OptionsOffered>,
    mut ended: MessageReader<SessionEnded>,
    mut replied: MessageReader<TraineeReplied>,
    active: Res<ActiveSession>,
    voice: Option<ResMut<VoiceOutput>>,
) {
    let speaking = voice.as_ref().is_some_and(|v| v.is_busy());
    if let Some(mut voice) = voice {
        // The trainee's turn comes first: background synthesis waits while they talk and
        // while their reply is recognised.
        voice.set_trainee_busy(speech.vad.in_speech() || speech.current.is_some());
    }
    if speech.customer_speaking && !speaking {
        speech.customer_stopped_s = Some(speech.now_s());
    }
    speech.customer_speaking = speaking;
    // A reply answers the turn before it (the offers that came with it are the next
    // turn's): anything half-heard of it is dropped.
    if replied.read().last().is_some() {
        speech.decided = None;
        speech.current = None;
        speech.pause_job = false;
        speech.ended_meanwhile = None;
        speech.send_at_s = None;
        speech.customer_stopped_s = None;
        if matches!(speech.state, ListenState::Echo { .. } | ListenState::Recognising) {
            speech.state = ListenState::Ready;
        }
    }
    if let Some(OptionsOffered(options)) = offered.read().last() {
        speech.offered = options.clone();
        speech.awaiting = true;
        if !speaking && speech.customer_stopped_s.is_none() {
            // No voice at all: the customer "stops" when the line is shown.
            speech.customer_stopped_s = Some(speech.now_s());
        }
    }
    if active.session().mode() == Mode::Open && active.session().outcome().is_none() {
        speech.awaiting = true;
    }
    if ended.read().last().is_some() || active.session().outcome().is_some() {
        speech.awaiting = false;
    }
    if speech.state == ListenState::Off && speech.can_hear {
        speech.state = ListenState::Ready;
    }
}

/// Reads the microphone, runs the detector, and hands finished utterances to the worker.
pub(super) fn capture(
    mut speech: ResMut<SpeechInput>,
    time: Res<Time>,
    talk: Option<Res<crate::app::trainee::talk::TalkHeld>>,
    active: Res<ActiveSession>,
    mut started: MessageWriter<TraineeStartedSpeaking>,
    mut talking: MessageWriter<TraineeTalk>,
    mut cut_in: MessageReader<CustomerCutIn>,
) {
    let speech = &mut *speech;
    if let Some(CustomerCutIn { talked_s }) = cut_in.read().last()
        && speech.vad.in_speech()
    {
        speech.cut_off = Some(*talked_s);
    }
    // The file feed says each reply when it is the trainee's turn, after a short pause.
    if let Microphone::Files(feed) = &mut speech.mic {
        let idle = matches!(speech.state, ListenState::Ready | ListenState::NotCaught);
        let waited = speech
            .customer_stopped_s
            .is_some_and(|t| speech.vad.now_s() - t >= FILE_REPLY_PAUSE_S);
        if idle
            && speech.awaiting
            && !speech.customer_speaking
            && waited
            && !feed.is_playing()
            && !speech.vad.in_speech()
            && let Some(path) = feed.start_next()
        {
            info!("saying {}", path.display());
        }
    }
    let mut buffer = std::mem::take(&mut speech.buffer);
    buffer.clear();
    speech.mic.read(f64::from(time.delta_secs()), &mut buffer);
    // Ctrl on the desktop, the controller's talk button in a headset.
    let talk_held = match &speech.mic {
        // A recorded reply said with push-to-talk: held while it plays.
        Microphone::Files(feed) => feed.is_playing(),
        _ => talk.is_some_and(|t| t.held()),
    };
    let listening = match speech.mode {
        Listen::PushToTalk => talk_held,
        Listen::OpenMic => true,
        Listen::Off => false,
    };
    let mut events = if listening {
        speech.vad.push(&buffer)
    } else {
        // Not listening: the room is still heard, for the floor the next turn is heard against.
        speech.vad.hear_room(&buffer);
        Vec::new()
    };
    if speech.mode == Listen::PushToTalk && !talk_held && speech.vad.in_speech() {
        events.extend(speech.vad.finish());
    }
    speech.buffer = buffer;
    // Where the trainee is in their turn, for the customer listening to it.
    if let (Some(talked), Some(silence)) = (speech.vad.talked_s(), speech.vad.silence_s()) {
        let talked_s = talked as f32;
        talking.write(TraineeTalk::Talking { talked_s });
        let paused = silence as f32 >= PAUSE_S;
        if paused && !speech.pause_reported {
            talking.write(TraineeTalk::Paused { talked_s });
        }
        speech.pause_reported = paused;
    }
    for event in events {
        match event {
            VadEvent::Started(at) => {
                started.write(TraineeStartedSpeaking);
                speech.pause_at_start = match (speech.customer_stopped_s, speech.customer_speaking) {
                    (_, true) => Some(0.0),
                    (Some(stopped), false) => Some((at - stopped).max(0.0) as f32),
                    (None, false) => None,
                };
                speech.pause_reported = false;
                speech.stop_reported = false;
                speech.cut_off = None;
                if !matches!(speech.state, ListenState::Echo { .. } | ListenState::Recognising) {
                    speech.state = ListenState::Hearing;
                }
                debug!("speech started at {at:.2} s");
            }
            VadEvent::Dropped => {
                if speech.state == ListenState::Hearing {
                    speech.state = ListenState::Ready;
                }
            }
            VadEvent::Paused(so_far) => {
                // Is the turn over? Asked of the audio so far; the utterance goes on
                // meanwhile, and the answer is dropped if the trainee does.
                if speech.awaiting && speech.current.is_none() && speech.decided.is_none() {
                    let grammar =
                        (active.session().mode() == Mode::Guided).then(|| grammar_for(&active, &speech.offered));
                    let (pause_before_s, cut_off_after_s) = (speech.pause_at_start, speech.cut_off);
                    send(speech, so_far, grammar, pause_before_s, cut_off_after_s, true);
                }
            }
            VadEvent::Resumed => {
                // They carried on: whatever was being judged or held at the pause is void.
                let held = speech.send_at_s.take().is_some();
                if held {
                    speech.decided = None;
                }
                if std::mem::take(&mut speech.pause_job) || held {
                    speech.current = None;
                    speech.stop_reported = false;
                    speech.state = ListenState::Hearing;
                }
            }
            VadEvent::Ended(utterance) => {
                if !std::mem::replace(&mut speech.stop_reported, true) {
                    talking.write(TraineeTalk::Stopped {
                        talked_s: (utterance.detected_s - utterance.started_s) as f32,
                    });
                }
                if !speech.awaiting {
                    if speech.state == ListenState::Hearing {
                        speech.state = ListenState::Ready;
                    }
                    continue;
                }
                let grammar = (active.session().mode() == Mode::Guided).then(|| grammar_for(&active, &speech.offered));
                let ended = EndedUtterance {
                    utterance,
                    grammar,
                    pause_before_s: speech.pause_at_start.take(),
                    cut_off_after_s: speech.cut_off.take(),
                };
                // Silence (or the key) ended it while its last pause is still being
                // judged: that is the same audio (speech resuming would have voided the
                // judgement), so the judgement stands, and the whole utterance goes only
                // if it finds the turn was not over. Starting again would make the
                // trainee wait for a second recognition.
                if speech.pause_job {
                    speech.ended_meanwhile = Some(ended);
                    continue;
                }
                if speech.current.is_some() {
                    // Still busy with the last reply.
                    if speech.state == ListenState::Hearing {
                        speech.state = ListenState::Ready;
                    }
                    continue;
                }
                send_ended(speech, ended);
            }
        }
    }
    // After the events: a pause's audio ends where its pause began, which may be before
    // the last of what was just read; the worker takes what its job has beyond what it
    // was given, and skips what it already has.
    hear_along(speech, &active);
}

/// Gives the worker the utterance in progress as it comes, for the grammar to hear along
/// (guided mode, while a reply is wanted): its pick is then ready the moment the trainee
/// stops, and Whisper does not share the machine with a whole decode.
fn hear_along(speech: &mut SpeechInput, active: &ActiveSession) {
    let guided = active.session().mode() == Mode::Guided;
    let Some((started_s, so_far)) = speech.vad.collecting().filter(|_| guided && speech.awaiting) else {
        speech.along = None;
        return;
    };
    let (grammar, from) = match speech.along {
        Some((at, fed)) if at == started_s => (None, fed),
        _ => (Some(grammar_for(active, &speech.offered)), 0),
    };
    if so_far.len() <= from && grammar.is_none() {
        return;
    }
    let samples = so_far.get(from..).unwrap_or_default().to_vec();
    let fed = so_far.len();
    if speech
        .jobs
        .send(Work::Along {
            started_s,
            grammar,
            from,
            samples,
        })
        .is_ok()
    {
        speech.along = Some((started_s, fed));
    }
}

/// An utterance that silence or the key ended, with what goes with it to the worker.
pub(super) struct EndedUtterance {
    utterance: Utterance,
    grammar: Option<OptionGrammar>,
    pause_before_s: Option<f32>,
    cut_off_after_s: Option<f32>,
}

/// Hands an ended utterance to the worker, whole.
pub(super) fn send_ended(speech: &mut SpeechInput, ended: EndedUtterance) {
    let EndedUtterance {
        utterance,
        grammar,
        pause_before_s,
        cut_off_after_s,
    } = ended;
    send(speech, utterance, grammar, pause_before_s, cut_off_after_s, false);
}

/// Hands an utterance (or, `at_pause`, the audio so far) to the worker.
fn send(
    speech: &mut SpeechInput,
    utterance: Utterance,
    grammar: Option<OptionGrammar>,
    pause_before_s: Option<f32>,
    cut_off_after_s: Option<f32>,
    at_pause: bool,
) {
    let id = speech.next_id;
    speech.next_id += 1;
    let timing = UtteranceTiming {
        speech_end_s: utterance.speech_end_s,
        detected_s: utterance.detected_s,
        queued: Instant::now(),
        grammar_ms: 0.0,
        whisper_ms: 0.0,
        picked: None,
        heard: None,
        judged: None,
        turn_ms: 0.0,
        resume_window_s: RESUME_WINDOW_S,
        picked_along: false,
    };
    let job = Job {
        id,
        started_s: utterance.started_s,
        grammar,
        audio: utterance.samples,
        pause_before_s,
        cut_off_after_s,
        at_pause,
        silence_s: utterance.detected_s - utterance.speech_end_s,
    };
    if speech.jobs.send(Work::Hear(job)).is_ok() {
        speech.current = Some((id, timing));
        speech.pause_job = at_pause;
        if !at_pause {
            speech.state = ListenState::Recognising;
        }
    }
}

/// The grammar of the replies on offer, with the author's phrasings.
pub(super) fn grammar_for(active: &ActiveSession, offered: &[OfferedReply]) -> OptionGrammar {
    let scenario = &active.scenario().scenario;
    let replies: Vec<(&str, &str, &[String])> = offered
        .iter()
        .map(|o| {
            let phrasings = scenario
                .steps
                .iter()
                .flat_map(|s| s.replies.iter())
                .find(|r| r.id == o.id && r.text == o.text)
                .map_or(&[][..], |r| r.phrasings.as_slice());
            (o.id.as_str(), o.text.as_str(), phrasings)
        })
        .collect();
    OptionGrammar::new(replies)
}
