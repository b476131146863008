//! The trainee's voice in the app, headless: recorded replies (`--mic-wav`'s path: WAV →
//! 16 kHz → voice-activity detection → grammar + Whisper on the worker → echo → engine)
//! drive a whole session, which must end where the same choices clicked end.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use bevy::time::TimeUpdateStrategy;
use holdspace::app::customer::voice::VoiceSettings;
use holdspace::app::customer::{lipsync, voice};
use holdspace::app::screens::Screen;
use holdspace::app::session::runner;
use holdspace::app::session::runner::ActiveSession;
use holdspace::app::trainee::reply;
use holdspace::app::trainee::speech::HearingSettings;
use holdspace::app::trainee::speech::{self, ListenState, SpeechInput};
use holdspace::loader::load_scenario;
use holdspace_core::engine::events::SessionEvent;
use holdspace_core::{LoadedScenario, Mode, Session, TurnInput};
use holdspace_speech::testset::TestVoice;

use crate::root;

const FRAME: Duration = Duration::from_millis(20);
const SEED: u64 = 5;

/// Plays the scenario by clicking the first reply on offer each turn; returns the reply
/// ids, their button texts, and the outcome.
fn clicked(scenario: &Arc<LoadedScenario>) -> (Vec<String>, Vec<String>, Option<String>) {
    let (mut session, mut events) = Session::new(Arc::clone(scenario), SEED, Mode::Guided);
    let (mut ids, mut texts) = (Vec::new(), Vec::new());
    for _ in 0..6 {
        let Some(first) = events.iter().rev().find_map(|e| match e {
            SessionEvent::OptionsOffered { options, .. } => options.first().cloned(),
            _ => None,
        }) else {
            break;
        };
        if session.outcome().is_some() {
            break;
        }
        ids.push(first.id.clone());
        texts.push(first.text.clone());
        events = session
            .respond(TurnInput::choose(first.id))
            .expect("a clicked reply is accepted");
    }
    (ids, texts, session.outcome().map(|o| o.id.clone()))
}

/// The trainee's voice in these tests (not the customer's).
fn trainee() -> TestVoice {
    TestVoice::Flite {
        voice: "awb",
        pitch_hz: 115.0,
        pace: 1.0,
    }
}

/// The trainee's replies, recorded in `dir` (a different voice from the customer's), one
/// WAV file per turn, in order.
fn recorded(texts: &[String], dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let trainee = trainee();
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            // A beat of room after the last word, as a person lets go of push-to-talk
            // (the synthesiser trims its own silence, and Whisper drops a word cut dead).
            let mut audio = trainee.say(text).expect("flite speaks");
            audio.extend(std::iter::repeat_n(0.0, 16_000 * 3 / 10));
            let path = dir.join(format!("turn{i}.wav"));
            holdspace_voice::wav::write_mono(&path, 16_000, &audio).expect("wav written");
            path
        })
        .collect()
}

#[test]
fn a_session_said_from_wav_files_ends_where_the_same_clicks_end() {
    said_from_wav_files(false);
}

/// The same with push-to-talk: each reply is said with the key held while it plays, and
/// the speech starts the instant the key goes down.
#[test]
fn a_session_said_with_push_to_talk_ends_where_the_same_clicks_end() {
    said_from_wav_files(true);
}

fn said_from_wav_files(push_to_talk: bool) {
    let scenario = load_scenario("delivery_bereavement", &root().join("scenarios")).expect("shipped scenario loads");
    let (ids, texts, outcome) = clicked(&scenario);
    assert!(ids.len() >= 2, "a few turns to say: {ids:?}");

    let dir = tempfile::tempdir().expect("temp dir");
    let files = recorded(&texts, dir.path());

    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin));
    holdspace::app::configure_sets(&mut app);
    app.insert_resource(VoiceSettings { audio: false })
        .insert_resource(HearingSettings {
            mic_wav: files,
            files_push_to_talk: push_to_talk,
            ..HearingSettings::default()
        })
        .insert_resource(TimeUpdateStrategy::ManualDuration(FRAME))
        .insert_state(Screen::Session)
        .add_plugins((
            reply::plugin,
            runner::plugin,
            lipsync::plugin,
            voice::plugin,
            speech::plugin,
        ))
        .insert_resource(ActiveSession::start(Arc::clone(&scenario), SEED, Mode::Guided));

    let deadline = Instant::now() + Duration::from_secs(240);
    let mut echoes = Vec::new();
    loop {
        app.update();
        if let Some(speech) = app.world().get_resource::<SpeechInput>()
            && let ListenState::Echo { text, .. } = &speech.state
            && echoes.last() != Some(text)
        {
            echoes.push(text.clone());
        }
        let active = app.world().resource::<ActiveSession>();
        let turns = active.session().record().turns.len();
        if active.session().outcome().is_some() || turns >= ids.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "stuck after {turns} turns; echoes {echoes:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }

    let active = app.world().resource::<ActiveSession>();
    let record = active.session().record();
    let said: Vec<Option<String>> = record.turns.iter().map(|t| t.input.chosen_option.clone()).collect();
    let expected: Vec<Option<String>> = ids.iter().cloned().map(Some).collect();
    assert_eq!(
        said, expected,
        "the spoken replies were heard as the clicked ones (echoed {echoes:?})"
    );
    assert_eq!(
        active.session().outcome().map(|o| o.id.clone()),
        outcome,
        "the same ending"
    );
    for turn in &record.turns {
        let d = &turn.input.delivery;
        assert!(
            d.words_per_min.is_some() && d.loudness_db.is_some(),
            "delivery measured: {d:?}"
        );
        assert!(
            d.pause_before_s.is_some_and(|p| p > 0.5),
            "the files wait their turn: {d:?}"
        );
    }
    let speech = app.world().resource::<SpeechInput>();
    assert_eq!(speech.timings.len(), ids.len(), "one utterance per turn");
    for (turn, timing) in record.turns.iter().zip(&speech.timings) {
        eprintln!(
            "said {:?} → {:?}; {:?}; grammar {:.0} ms, Whisper {:.0} ms",
            turn.input.text,
            turn.input.chosen_option,
            turn.input.delivery.describe(),
            timing.grammar_ms,
            timing.whisper_ms
        );
    }
    // In guided mode the grammar heard each reply as it was said, on an open microphone
    // (where its pick is taken at the pause the turn ends on) as with the key held.
    assert!(
        speech.timings.iter().all(|t| t.picked_along),
        "every pick heard along: {:?}",
        speech.timings.iter().map(|t| t.picked_along).collect::<Vec<_>>()
    );
}

/// "No, sorry, I meant…" said as the customer starts to answer takes the last reply back,
/// and what follows it is taken as the reply meant: the session ends up as if only that
/// had been said. (No voice here, so the customer's line shows at once and the recorded
/// correction starts inside the window.)
#[test]
fn saying_no_sorry_i_meant_takes_the_reply_back_and_gives_the_one_meant() {
    use holdspace::app::customer::voice::{CustomerVoiceStarted, TraineeStartedSpeaking};
    use holdspace::app::trainee::correction;

    let scenario = load_scenario("delivery_bereavement", &root().join("scenarios")).expect("shipped scenario loads");
    let (session, events) = Session::new(Arc::clone(&scenario), SEED, Mode::Guided);
    let options = events
        .iter()
        .rev()
        .find_map(|e| match e {
            SessionEvent::OptionsOffered { options, .. } => Some(options.clone()),
            _ => None,
        })
        .expect("options at the start");
    let slip = options
        .iter()
        .find(|o| o.text.contains("policy") || o.text.contains("ten"))
        .unwrap_or(&options[1]);
    let meant = options.iter().find(|o| o.id != slip.id).expect("another reply");
    drop(session);

    let dir = tempfile::tempdir().expect("temp dir");
    let files = recorded(
        &[slip.text.clone(), format!("No, sorry, I meant: {}", meant.text)],
        dir.path(),
    );

    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin));
    holdspace::app::configure_sets(&mut app);
    app.insert_resource(HearingSettings {
        mic_wav: files,
        ..HearingSettings::default()
    })
    .insert_resource(TimeUpdateStrategy::ManualDuration(FRAME))
    .insert_state(Screen::Session)
    .add_message::<CustomerVoiceStarted>()
    .add_message::<TraineeStartedSpeaking>()
    .add_plugins((reply::plugin, runner::plugin, speech::plugin, correction::plugin))
    .insert_resource(ActiveSession::start(Arc::clone(&scenario), SEED, Mode::Guided));
    let mut taken_back = app
        .world()
        .resource::<bevy::ecs::message::Messages<runner::TurnTakenBack>>()
        .get_cursor();

    let deadline = Instant::now() + Duration::from_secs(240);
    let mut backs = Vec::new();
    loop {
        app.update();
        backs.extend(
            taken_back
                .read(
                    app.world()
                        .resource::<bevy::ecs::message::Messages<runner::TurnTakenBack>>(),
                )
                .cloned(),
        );
        let active = app.world().resource::<ActiveSession>();
        let speech = app.world().resource::<SpeechInput>();
        if backs.len() == 1 && active.session().turn() == 1 && speech.timings.len() == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "stuck: {} turns, {} taken back, {} utterances",
            active.session().turn(),
            backs.len(),
            speech.timings.len()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let active = app.world().resource::<ActiveSession>();
    let turn = &active.session().record().turns[0];
    assert_eq!(
        backs[0].turn.reply.as_deref(),
        Some(slip.id.as_str()),
        "the slip was taken back"
    );
    assert!(
        backs[0].by.to_lowercase().starts_with("no"),
        "by the words: {:?}",
        backs[0].by
    );
    assert_eq!(
        turn.reply.as_deref(),
        Some(meant.id.as_str()),
        "the reply meant is the one taken: heard {:?}",
        turn.input.text
    );
    assert!(
        !turn.input.text.to_lowercase().contains("i meant"),
        "only what was meant is the reply: {:?}",
        turn.input.text
    );
}

/// One long turn said with pauses between its clauses (`pause_s` of room silence each),
/// recorded as one WAV file in `dir`.
fn monologue(clauses: &[&str], pause_s: f32, dir: &std::path::Path) -> std::path::PathBuf {
    let trainee = trainee();
    let gap = vec![0.0f32; (pause_s * 16_000.0) as usize];
    let mut audio = Vec::new();
    for (i, clause) in clauses.iter().enumerate() {
        if i > 0 {
            audio.extend_from_slice(&gap);
        }
        // The synthesiser's own leading and trailing silence off: the pauses are `pause_s`.
        let said = trainee.say(clause).expect("flite speaks");
        let (a, b) = holdspace_core::analysis::delivery::speech_span(&said, 16_000).expect("speech in it");
        audio.extend_from_slice(&said[a..b]);
    }
    let path = dir.join("monologue.wav");
    holdspace_voice::wav::write_mono(&path, 16_000, &audio).expect("wav written");
    path
}

/// What happened while the customer listened to one recorded turn.
struct Listened {
    reactions: Vec<holdspace_core::expression::listening::ListenerMove>,
    lines: Vec<holdspace_core::engine::events::Spoken>,
    app: App,
}

/// Plays `file` as the trainee's first reply to the bereavement scenario's customer,
/// started at `escalation` with the author's `listening` style, until the turn is taken.
fn listen_to(
    file: std::path::PathBuf,
    escalation: f32,
    listening: holdspace_core::expression::listening::ListeningStyle,
) -> Listened {
    use bevy::ecs::message::Messages;
    use holdspace::app::customer::listening::{self, ListenerReacted};

    let mut scenario =
        (*load_scenario("delivery_bereavement", &root().join("scenarios")).expect("shipped scenario loads")).clone();
    let t = &mut scenario.scenario.customer.temperament;
    t.start_escalation = escalation;
    t.min_escalation = escalation;
    t.max_escalation = escalation;
    scenario.scenario.customer.listening = listening;
    let scenario = Arc::new(scenario);

    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin));
    holdspace::app::configure_sets(&mut app);
    app.insert_resource(VoiceSettings { audio: false })
        .insert_resource(HearingSettings {
            mic_wav: vec![file],
            ..HearingSettings::default()
        })
        .insert_resource(TimeUpdateStrategy::ManualDuration(FRAME))
        .insert_state(Screen::Session)
        .add_plugins((
            reply::plugin,
            runner::plugin,
            lipsync::plugin,
            voice::plugin,
            speech::plugin,
            listening::plugin,
        ))
        .insert_resource(ActiveSession::start(Arc::clone(&scenario), SEED, Mode::Guided));
    let mut reacted = app.world().resource::<Messages<ListenerReacted>>().get_cursor();
    let mut spoke = app.world().resource::<Messages<runner::CustomerSpoke>>().get_cursor();
    let (mut reactions, mut lines) = (Vec::new(), Vec::new());
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        app.update();
        let world = app.world();
        reactions.extend(
            reacted
                .read(world.resource::<Messages<ListenerReacted>>())
                .map(|ListenerReacted(m)| m.clone()),
        );
        lines.extend(
            spoke
                .read(world.resource::<Messages<runner::CustomerSpoke>>())
                .map(|runner::CustomerSpoke(l)| l.clone()),
        );
        if world.resource::<ActiveSession>().session().turn() >= 1 {
            break;
        }
        assert!(Instant::now() < deadline, "no turn taken; reactions {reactions:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
    Listened { reactions, lines, app }
}

/// At the pauses of a long reply a calm customer nods and says "uh-huh"; an angry one
/// gives no backchannel (a sigh or a shake of the head at most).
#[test]
fn backchannels_come_at_pauses_when_calm_and_not_when_angry() {
    use holdspace_core::expression::listening::{ListenerMove, ListeningStyle};

    let dir = tempfile::tempdir().expect("temp dir");
    let file = monologue(
        &[
            "So the parcel was meant to come on Tuesday",
            "and it did not arrive at all",
            "and you rang the depot twice",
            "and nobody called you back.",
        ],
        0.4,
        dir.path(),
    );
    let calm = listen_to(file.clone(), 0.1, ListeningStyle::default());
    eprintln!("calm: {:?}", calm.reactions);
    let backchannels = calm.reactions.iter().filter(|m| m.is_backchannel()).count();
    assert!(backchannels >= 2, "calm: {:?}", calm.reactions);
    assert!(
        calm.reactions.iter().any(|m| matches!(m, ListenerMove::Say(_))),
        "a word among the nods: {:?}",
        calm.reactions
    );
    let angry = listen_to(file, 0.7, ListeningStyle::default());
    eprintln!("angry: {:?}", angry.reactions);
    assert!(
        !angry.reactions.iter().any(ListenerMove::is_backchannel),
        "angry: {:?}",
        angry.reactions
    );
    assert!(!angry.reactions.is_empty(), "but not unmoved: {:?}", angry.reactions);
}

/// A hostile customer talks over a trainee who goes on and on about policy, while they
/// are still talking; the turn records it and it counts against the trainee.
#[test]
fn a_hostile_customer_cuts_into_a_long_policy_monologue() {
    use holdspace::app::customer::listening::CUT_IN_LINE;
    use holdspace_core::engine::events::Cause;
    use holdspace_core::expression::listening::ListeningStyle;

    let dir = tempfile::tempdir().expect("temp dir");
    let file = monologue(
        &[
            "I understand, but our policy is very clear on this",
            "parcels are only redelivered after a claim is opened",
            "and the claim has to go through the standard process",
            "which takes up to ten working days from today.",
        ],
        0.3,
        dir.path(),
    );
    let style = ListeningStyle {
        patience_s: 5.0,
        ..ListeningStyle::default()
    };
    let heard = listen_to(file, 0.9, style);
    let cut_in = heard.lines.iter().find(|l| l.line_id == CUT_IN_LINE);
    assert!(cut_in.is_some(), "lines: {:?}", heard.lines);
    let active = heard.app.world().resource::<ActiveSession>();
    let turn = &active.session().record().turns[0];
    eprintln!("heard {:?}; {:?}", turn.input.text, turn.input.delivery.describe());
    assert!(
        turn.input.text.split_whitespace().count() >= 20,
        "the whole monologue is one turn: {:?}",
        turn.input.text
    );
    let after = turn.input.delivery.cut_off_after_s;
    assert!(
        after.is_some_and(|s| (5.0..7.0).contains(&s)),
        "{:?}",
        turn.input.delivery
    );
    assert!(
        turn.reasons.iter().any(|r| r.cause == Cause::TalkedOn),
        "{:#?}",
        turn.reasons
    );
    assert!(
        turn.input.delivery.pause_before_s.is_some_and(|p| p > 0.5),
        "the cut-in does not make the reply one without a pause: {:?}",
        turn.input.delivery
    );
}
