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

/// The trainee's replies, recorded in `dir` (a different voice from the customer's), one
/// WAV file per turn, in order.
fn recorded(texts: &[String], dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let trainee = TestVoice::Flite {
        voice: "awb",
        pitch_hz: 115.0,
        pace: 1.0,
    };
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let audio = trainee.say(text).expect("flite speaks");
            let path = dir.join(format!("turn{i}.wav"));
            holdspace_voice::wav::write_mono(&path, 16_000, &audio).expect("wav written");
            path
        })
        .collect()
}

#[test]
fn a_session_said_from_wav_files_ends_where_the_same_clicks_end() {
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
