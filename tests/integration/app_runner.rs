//! The scenario-runner adapter, headless with `MinimalPlugins`: driving a whole scenario
//! through Bevy messages gives the same session as `holdspace simulate`.

use std::sync::Arc;

use bevy::ecs::message::{MessageCursor, Messages};
use bevy::prelude::*;
use holdspace::app::session::runner::{
    self, ActiveSession, CustomerSpoke, EscalationChanged, NeedRevealed, OptionsOffered, SessionEnded, TraineeReplied,
};
use holdspace::loader::load_scenario;
use holdspace_core::scenario::script::parse_script;
use holdspace_core::{LoadedScenario, Mode};
use serde_json::Value;

use crate::{holdspace as holdspace_cli, root, text};

const SCRIPT: &str = "tests/fixtures/scripts/bereavement_listening.txt";

fn scenario() -> Arc<LoadedScenario> {
    load_scenario("delivery_bereavement", &root().join("scenarios")).expect("shipped scenario loads")
}

/// A headless app with only the runner, playing the bereavement scenario (seed 5, guided).
fn runner_app() -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    holdspace::app::configure_sets(&mut app);
    // The ear too: the app hears meaning exactly as `simulate` does.
    app.add_plugins((holdspace::app::session::ear::plugin, runner::plugin))
        .insert_resource(ActiveSession::start(scenario(), 5, Mode::Guided));
    app
}

/// Reads every message of type `T` written since `cursor`.
fn drain<T: Message + Clone>(app: &App, cursor: &mut MessageCursor<T>) -> Vec<T> {
    cursor.read(app.world().resource::<Messages<T>>()).cloned().collect()
}

#[test]
fn driving_a_scenario_through_messages_matches_simulate() {
    let mut app = runner_app();

    let mut spoke = app.world().resource::<Messages<CustomerSpoke>>().get_cursor();
    let mut offered = app.world().resource::<Messages<OptionsOffered>>().get_cursor();
    let mut changed = app.world().resource::<Messages<EscalationChanged>>().get_cursor();
    let mut revealed = app.world().resource::<Messages<NeedRevealed>>().get_cursor();
    let mut ended = app.world().resource::<Messages<SessionEnded>>().get_cursor();

    app.update();
    let opening = drain(&app, &mut spoke);
    assert_eq!(opening.len(), 1, "the opening line is sent on the first update");
    assert_eq!(drain(&app, &mut offered).len(), 1, "with the first options");

    let mut lines = opening;
    let mut changes = Vec::new();
    let mut reveals = Vec::new();
    let mut ends = Vec::new();
    let turns = parse_script(&std::fs::read_to_string(root().join(SCRIPT)).expect("script")).expect("parses");
    for turn in turns {
        app.world_mut().write_message(TraineeReplied(turn));
        app.update();
        lines.extend(drain(&app, &mut spoke));
        changes.extend(drain(&app, &mut changed));
        reveals.extend(drain(&app, &mut revealed));
        ends.extend(drain(&app, &mut ended));
    }

    // The same seed and script through the command line.
    let out = holdspace_cli(&["simulate", "delivery_bereavement", "--seed", "5", "--inputs", SCRIPT]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let simulated: Value = serde_json::from_str(&stdout).expect("JSON");

    // Through text, as simulate's output went, so f32 values compare as printed.
    let adapter_json =
        serde_json::to_string(&app.world().resource::<ActiveSession>().session().record()).expect("serializes");
    let adapter_record: Value = serde_json::from_str(&adapter_json).expect("JSON");
    assert_eq!(
        adapter_record, simulated["record"],
        "the adapter's session is the simulated session"
    );

    let simulated_lines: Vec<&str> = simulated["record"]["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["CustomerSpoke"]["text"].as_str())
        .collect();
    let adapter_lines: Vec<&str> = lines.iter().map(|CustomerSpoke(s)| s.text.as_str()).collect();
    assert_eq!(
        adapter_lines, simulated_lines,
        "every customer line became a CustomerSpoke message, in order"
    );
    assert_eq!(changes.len(), 3, "one EscalationChanged per turn");
    assert_eq!(reveals.len(), 1, "the need came out once");
    assert_eq!(ends.len(), 1);
    assert_eq!(
        serde_json::to_value(ends[0].kind).expect("kind"),
        simulated["record"]["outcome"]["kind"]
    );
}

#[test]
fn a_reply_not_on_offer_is_refused_without_changing_the_session() {
    let mut app = runner_app();
    let mut refused = app.world().resource::<Messages<runner::ReplyRefused>>().get_cursor();
    app.update();
    app.world_mut()
        .write_message(TraineeReplied(holdspace_core::TurnInput::choose("guarantee_and_call")));
    app.update();
    let refusals = drain(&app, &mut refused);
    assert_eq!(refusals.len(), 1);
    assert!(refusals[0].0.contains("not on offer"), "{:?}", refusals[0]);
    assert_eq!(app.world().resource::<ActiveSession>().session().turn(), 0);
}

/// Every way of replying gives a `ReplyGiven`; the assembler adds the interruption (to
/// that reply only) and the headset's gaze before the engine sees it.
#[test]
fn a_reply_reaches_the_engine_with_the_interruption_and_gaze_measured_around_it() {
    use holdspace::app::trainee::reply::{self, PendingGaze, PendingInterruption, ReplyGiven};
    let mut app = runner_app();
    app.add_plugins(reply::plugin);
    app.update();
    let gaze = holdspace_core::Gaze {
        while_listening: Some(0.25),
        while_replying: Some(0.9),
    };
    app.world_mut().resource_mut::<PendingGaze>().0 = Some(gaze);
    app.world_mut().resource_mut::<PendingInterruption>().0 = true;
    for _ in 0..2 {
        let first = app.world().resource::<ActiveSession>().session().available_replies()[0]
            .id
            .clone();
        app.world_mut()
            .write_message(ReplyGiven(holdspace_core::TurnInput::choose(first)));
        app.update();
    }
    let active = app.world().resource::<ActiveSession>();
    let turns = &active.session().record().turns;
    assert_eq!(turns.len(), 2);
    assert!(turns[0].input.delivery.interrupted, "the first reply talked over her");
    assert!(!turns[1].input.delivery.interrupted, "the second did not");
    assert_eq!(turns[0].input.delivery.gaze, Some(gaze));
}

/// The runner with journaling into `data`.
fn journaling_app(data: &std::path::Path, active: ActiveSession) -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    holdspace::app::configure_sets(&mut app);
    app.insert_resource(holdspace::app::session::journal::RecordsSettings(
        holdspace::records::RecordsArgs {
            profile: Some("sam".into()),
            data_dir: Some(data.to_path_buf()),
            settings: Some(data.join("none.ron")),
        },
    ));
    app.add_plugins((
        holdspace::app::notice::plugin,
        runner::plugin,
        holdspace::app::session::journal::plugin,
    ))
    .insert_resource(active);
    app
}

#[test]
fn the_adapter_journals_each_turn_and_a_retry_resumes_the_exact_state() {
    let data = crate::scratch("adapter_journal");
    let mut app = journaling_app(&data, ActiveSession::start(scenario(), 5, Mode::Guided));
    app.update();
    let turns = parse_script(&std::fs::read_to_string(root().join(SCRIPT)).expect("script")).expect("parses");
    for turn in turns {
        app.world_mut().write_message(TraineeReplied(turn));
        app.update();
    }
    app.update();
    let active = app.world().resource::<ActiveSession>();
    let original = active.session().record();
    let id = active.session_id().expect("journaled").to_owned();
    assert!(
        matches!(active.journal, runner::JournalState::Closed(_)),
        "closed at the end"
    );

    let store = holdspace_records::Store::new(holdspace_records::Locations::resolve(Some(&data), None));
    let stored = store.session("sam", &id).expect("stored");
    assert_eq!(stored.record(), &original, "the journal holds the session exactly");
    assert!(stored.journal.closed);
    assert!(stored.dir.join("report.html").is_file() && stored.dir.join("statements.json").is_file());

    // Retry from turn 2: turn 1 is replayed, the customer is exactly where they were.
    let retry = ActiveSession::retry(scenario(), &original, 2, Some(id.clone())).expect("replays");
    let mut app = journaling_app(&data, retry);
    let mut spoke = app.world().resource::<Messages<CustomerSpoke>>().get_cursor();
    app.update();
    let active = app.world().resource::<ActiveSession>();
    let at = &original.turns[1];
    assert_eq!(
        (
            active.session().escalation(),
            active.session().trust(),
            active.session().step_id()
        ),
        (at.before.escalation, at.before.trust, at.step.as_str())
    );
    let shown = drain(&app, &mut spoke);
    assert_eq!(
        shown.last().map(|CustomerSpoke(s)| s.text.as_str()),
        Some(at.customer_said.as_str())
    );
    let retried = store
        .session("sam", active.session_id().expect("journaled"))
        .expect("stored");
    assert_eq!(
        retried
            .journal
            .meta
            .retried_from
            .as_ref()
            .map(|r| (r.session_id.as_str(), r.turn)),
        Some((id.as_str(), 2))
    );
    assert_eq!(
        retried.record().turns,
        original.turns[..1],
        "the replayed turn is in the new journal"
    );
}

/// A reply taken back (Esc as the customer starts to answer) leaves the engine exactly as
/// if it had never been given, the customer says "Go on…", the reply meant instead is
/// taken normally, and the journal keeps the taken-back turn, marked, out of the record.
#[test]
fn a_reply_taken_back_with_esc_is_as_if_never_given_and_the_journal_marks_it() {
    use bevy::state::app::StatesPlugin;
    use holdspace::app::customer::voice::{CustomerVoiceStarted, TraineeStartedSpeaking};
    use holdspace::app::screens::Screen;
    use holdspace::app::trainee::correction::{self, CorrectionWindow};
    use holdspace::app::trainee::reply::{self, ReplyGiven};

    let data = crate::scratch("taken_back");
    let mut app = journaling_app(&data, ActiveSession::start(scenario(), 5, Mode::Guided));
    app.add_plugins(StatesPlugin)
        .insert_state(Screen::Session)
        .add_message::<CustomerVoiceStarted>()
        .add_message::<TraineeStartedSpeaking>()
        .init_resource::<ButtonInput<KeyCode>>()
        .add_plugins((reply::plugin, correction::plugin));
    let mut spoke = app.world().resource::<Messages<CustomerSpoke>>().get_cursor();
    let mut offered = app.world().resource::<Messages<OptionsOffered>>().get_cursor();
    let mut taken_back = app.world().resource::<Messages<runner::TurnTakenBack>>().get_cursor();
    app.update();
    let first_options = drain(&app, &mut offered);
    let replies: Vec<String> = first_options[0].0.iter().map(|o| o.id.clone()).collect();
    assert!(replies.len() >= 2);

    // The reply the trainee meant, and the slip they take back.
    app.world_mut()
        .write_message(ReplyGiven(holdspace_core::TurnInput::choose(replies[1].clone())));
    app.update();
    app.update();
    assert!(
        app.world().resource::<CorrectionWindow>().is_open(),
        "a turn just taken can be taken back"
    );
    drain(&app, &mut spoke);
    drain(&app, &mut offered);
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .press(KeyCode::Escape);
    app.update();
    // As the input plugin would next frame: the key is let go.
    let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
    keys.release(KeyCode::Escape);
    keys.clear();
    let back = drain(&app, &mut taken_back);
    assert_eq!(back.len(), 1, "Esc took the reply back");
    assert_eq!(back[0].by, "Esc");
    let (fresh, _) = holdspace_core::Session::new(scenario(), 5, Mode::Guided);
    let json = |r: &holdspace_core::SessionRecord| serde_json::to_string(r).expect("json");
    assert_eq!(
        json(&app.world().resource::<ActiveSession>().session().record()),
        json(&fresh.record()),
        "the engine is as if the reply had never been given"
    );
    let said = drain(&app, &mut spoke);
    assert_eq!(
        said.iter()
            .map(|CustomerSpoke(s)| s.line_id.as_str())
            .collect::<Vec<_>>(),
        [runner::GO_ON_LINE],
        "the customer stops and hands the turn back"
    );
    assert_eq!(
        drain(&app, &mut offered),
        first_options,
        "the same replies on offer again"
    );
    assert!(!app.world().resource::<CorrectionWindow>().is_open());

    // The reply meant instead, then the rest of the script to the end.
    app.world_mut()
        .write_message(ReplyGiven(holdspace_core::TurnInput::choose(replies[0].clone())));
    app.update();
    let mut straight = fresh;
    straight
        .respond(holdspace_core::TurnInput::choose(replies[0].clone()))
        .expect("on offer");
    for _ in 0..8 {
        let active = app.world().resource::<ActiveSession>();
        if active.session().outcome().is_some() {
            break;
        }
        let next = active.session().available_replies()[0].id.clone();
        straight
            .respond(holdspace_core::TurnInput::choose(next.clone()))
            .expect("on offer");
        app.world_mut()
            .write_message(ReplyGiven(holdspace_core::TurnInput::choose(next)));
        app.update();
    }
    app.update();
    let active = app.world().resource::<ActiveSession>();
    assert_eq!(json(&active.session().record()), json(&straight.record()));
    let id = active.session_id().expect("journaled").to_owned();
    let store = holdspace_records::Store::new(holdspace_records::Locations::resolve(Some(&data), None));
    let stored = store.session("sam", &id).expect("stored");
    assert_eq!(
        json(stored.record()),
        json(&straight.record()),
        "nothing taken back is scored"
    );
    assert_eq!(
        stored
            .journal
            .taken_back
            .iter()
            .map(|t| t.input.chosen_option.clone())
            .collect::<Vec<_>>(),
        [Some(replies[1].clone())],
        "the journal keeps what was taken back"
    );
}

/// `run --console`'s adapter: the coach's actions sent over HTTP reach the engine through
/// the runner, are journaled, pause the trainee's replies until resumed, end the session,
/// and the journal replays to exactly the session the app had.
#[test]
fn coach_actions_over_http_steer_the_app_and_the_journal_replays_them() {
    use holdspace::app::session::coach::{self, CoachConsole, ConsoleSettings};
    use holdspace::app::session::runner::ReplyRefused;

    let data = crate::scratch("adapter_coach");
    let mut app = journaling_app(&data, ActiveSession::start(scenario(), 5, Mode::Guided));
    app.insert_resource(ConsoleSettings {
        listen: Some("127.0.0.1:0".parse().expect("address")),
    })
    .add_plugins(coach::plugin);
    app.update();
    let port = app.world().resource::<CoachConsole>().0.addr().port();
    let turns = parse_script(&std::fs::read_to_string(root().join(SCRIPT)).expect("script")).expect("parses");
    app.world_mut().write_message(TraineeReplied(turns[0].clone()));
    app.update();
    app.update();
    let id = app
        .world()
        .resource::<ActiveSession>()
        .session_id()
        .expect("journaled")
        .to_owned();

    // Sends one action from another thread while the app keeps running frames.
    let send = |app: &mut App, body: &'static str| -> u16 {
        let url = format!("http://127.0.0.1:{port}/api/live/{id}/coach");
        let client = std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
            agent
                .post(&url)
                .header("x-holdspace-coach", "1")
                .send(body)
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        });
        while !client.is_finished() {
            app.update();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        app.update();
        client.join().expect("client thread")
    };

    let before = app.world().resource::<ActiveSession>().session().escalation();
    assert_eq!(send(&mut app, r#"{"action":"nudge_up"}"#), 200);
    assert!(app.world().resource::<ActiveSession>().session().escalation() > before);

    assert_eq!(send(&mut app, r#"{"action":"pause"}"#), 200);
    let mut refused = app.world().resource::<Messages<ReplyRefused>>().get_cursor();
    app.world_mut().write_message(TraineeReplied(turns[1].clone()));
    app.update();
    assert_eq!(drain(&app, &mut refused).len(), 1, "a reply waits while paused");
    assert_eq!(app.world().resource::<ActiveSession>().session().turn(), 1);
    assert_eq!(send(&mut app, r#"{"action":"resume"}"#), 200);
    assert_eq!(
        send(&mut app, r#"{"action":"hint","text":"Ask what Friday means to her"}"#),
        200
    );
    app.world_mut().write_message(TraineeReplied(turns[1].clone()));
    app.update();
    assert_eq!(app.world().resource::<ActiveSession>().session().turn(), 2);
    assert_eq!(send(&mut app, r#"{"action":"end"}"#), 200);
    app.update();

    let active = app.world().resource::<ActiveSession>();
    assert!(active.session().is_ended());
    let record = active.session().record();
    assert_eq!(record.coach.len(), 5);
    let store = holdspace_records::Store::new(holdspace_records::Locations::resolve(Some(&data), None));
    let stored = store.session("sam", &id).expect("stored");
    assert!(stored.journal.closed, "the coach's end closed the journal");
    assert_eq!(
        stored.record(),
        &record,
        "the journal holds the coached session exactly"
    );
    let (replayed, _) = holdspace_core::Session::replay_record(scenario(), &record).expect("replays");
    assert_eq!(
        serde_json::to_string(&replayed.record()).expect("json"),
        serde_json::to_string(&record).expect("json"),
        "the coach's actions replay deterministically"
    );
    let report = std::fs::read_to_string(stored.dir.join("report.html")).expect("report");
    assert!(
        report.contains("What your coach did") && report.contains("your coach nudged Margaret"),
        "the report says what the coach did"
    );
}
