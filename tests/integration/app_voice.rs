//! The customer's voice in the app, headless with `MinimalPlugins` and the silent output
//! (kira's mock backend advanced by a fixed frame time): the playback position times
//! the subtitle and the mouth, and barge-in yields or talks over by band and reaches the
//! engine as an interruption.

use std::time::{Duration, Instant};

use bevy::ecs::message::{MessageCursor, Messages};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use holdspace::app::customer::anchor::{self, CustomerFace, FaceAnchor};
use holdspace::app::customer::lipsync::{self, CustomerMouth};
use holdspace::app::customer::voice::VoiceSettings;
use holdspace::app::customer::voice::{
    self, BargeIn, CustomerVoiceStarted, TraineeStartedSpeaking, VoiceOutput, VoiceProgress,
};
use holdspace::app::session::runner::{self, ActiveSession};
use holdspace::app::trainee::reply::{self, PendingInterruption, ReplyGiven};
use holdspace::loader::load_scenario;
use holdspace_core::{Mode, TurnInput};

use crate::root;

const FRAME: Duration = Duration::from_millis(20);

/// Runner, voice and lip-sync hook only; no sound card, fixed 20 ms frames.
fn voice_app(scenario: &str) -> App {
    let loaded = load_scenario(scenario, &root().join("scenarios")).expect("shipped scenario loads");
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    holdspace::app::configure_sets(&mut app);
    app.insert_resource(VoiceSettings { audio: false })
        .insert_resource(TimeUpdateStrategy::ManualDuration(FRAME))
        .add_plugins((reply::plugin, runner::plugin, lipsync::plugin, voice::plugin))
        .insert_resource(ActiveSession::start(loaded, 5, Mode::Guided));
    app
}

fn drain<T: Message + Clone>(app: &App, cursor: &mut MessageCursor<T>) -> Vec<T> {
    cursor.read(app.world().resource::<Messages<T>>()).cloned().collect()
}

/// Updates until the line's audio starts (synthesis runs on the compute pool).
fn until_voiced(app: &mut App, started: &mut MessageCursor<CustomerVoiceStarted>) -> CustomerVoiceStarted {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        app.update();
        if let Some(s) = drain(app, started).pop() {
            return s;
        }
        assert!(Instant::now() < deadline, "the line was never voiced");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

#[test]
fn the_voice_times_the_subtitle_and_moves_the_mouth() {
    let mut app = voice_app("delivery_bereavement");
    let mut started = app.world().resource::<Messages<CustomerVoiceStarted>>().get_cursor();
    // The first line may come from the disk cache (an earlier run voiced it) or be
    // synthesised now; either way it is voiced and timed.
    let _first = until_voiced(&mut app, &mut started);
    assert!(
        !app.world().resource::<VoiceOutput>().has_device(),
        "--no-audio runs silent"
    );

    let total = {
        let p = app.world().resource::<VoiceProgress>();
        words(&p.said) + words(&p.rest)
    };
    assert!(total > 10, "the opening line has words");
    let (mut said_over_time, mut open, mut shut) = (Vec::new(), 0, 0);
    for _ in 0..1000 {
        app.update();
        let said = words(&app.world().resource::<VoiceProgress>().said);
        said_over_time.push(said);
        let mouth = app.world().resource::<CustomerMouth>().0;
        open += usize::from(mouth.jaw_open > 0.4);
        shut += usize::from(mouth.lips_closed > 0.9);
        if said == total && !app.world().resource::<VoiceOutput>().is_speaking() {
            break;
        }
    }
    assert!(
        said_over_time.windows(2).all(|w| w[0] <= w[1]),
        "words are revealed in order"
    );
    assert_eq!(said_over_time.last().copied(), Some(total), "the whole line is said");
    let seconds = said_over_time.len() as f32 * FRAME.as_secs_f32();
    // Words arrive over the length of the line, not all at once.
    let distinct = {
        let mut v = said_over_time.clone();
        v.dedup();
        v.len()
    };
    assert!(distinct > total / 2, "only {distinct} steps for {total} words");
    assert!(seconds > 0.2 * total as f32, "{total} words in {seconds} s");
    assert!(open > 5 && shut > 2, "mouth open {open} frames, shut {shut} frames");
    assert_eq!(
        app.world().resource::<CustomerMouth>().0,
        holdspace_core::expression::lipsync::MouthShape::REST
    );
}

/// Interrupting a customer who is not yet angry: they stop; the next reply reaches the
/// engine as interrupted.
#[test]
fn a_customer_who_is_not_angry_stops_when_interrupted() {
    let mut app = voice_app("delivery_bereavement");
    let mut started = app.world().resource::<Messages<CustomerVoiceStarted>>().get_cursor();
    let mut barge = app.world().resource::<Messages<BargeIn>>().get_cursor();
    until_voiced(&mut app, &mut started);
    for _ in 0..25 {
        app.update();
    }
    assert!(app.world().resource::<VoiceOutput>().is_speaking());
    app.world_mut().write_message(TraineeStartedSpeaking);
    app.update();
    assert_eq!(drain(&app, &mut barge), [BargeIn::Yielded]);
    for _ in 0..15 {
        app.update();
    }
    assert!(!app.world().resource::<VoiceOutput>().is_speaking(), "she stopped");
    assert!(app.world().resource::<PendingInterruption>().0);

    let first = {
        let active = app.world().resource::<ActiveSession>();
        active
            .session()
            .available_replies()
            .first()
            .map(|r| r.id.clone())
            .expect("replies on offer")
    };
    app.world_mut().write_message(ReplyGiven(TurnInput::choose(first)));
    app.update();
    let active = app.world().resource::<ActiveSession>();
    let record = active.session().record();
    assert!(record.turns[0].input.delivery.interrupted, "the engine was told");
    assert!(!app.world().resource::<PendingInterruption>().0, "and the flag cleared");
}

/// An angry customer carries on over the trainee, louder; talking while they are silent
/// is no interruption.
#[test]
fn an_angry_customer_talks_over_and_silence_is_no_interruption() {
    let mut app = voice_app("loyal_customer_unheard");
    let mut started = app.world().resource::<Messages<CustomerVoiceStarted>>().get_cursor();
    let mut barge = app.world().resource::<Messages<BargeIn>>().get_cursor();
    until_voiced(&mut app, &mut started);
    for _ in 0..25 {
        app.update();
    }
    app.world_mut().write_message(TraineeStartedSpeaking);
    app.update();
    assert_eq!(drain(&app, &mut barge), [BargeIn::TalkedOver]);
    for _ in 0..15 {
        app.update();
    }
    assert!(app.world().resource::<VoiceOutput>().is_speaking(), "he carries on");

    // Let him finish, then speak into the silence.
    for _ in 0..2000 {
        app.update();
        if !app.world().resource::<VoiceOutput>().is_speaking() {
            break;
        }
    }
    app.world_mut().resource_mut::<PendingInterruption>().0 = false;
    app.world_mut().write_message(TraineeStartedSpeaking);
    app.update();
    assert!(drain(&app, &mut barge).is_empty());
    assert!(!app.world().resource::<PendingInterruption>().0);
}

/// The voice comes from the rigged avatar's mouth (its eye joints, not the stand-in's
/// head), and follows her when she moves.
#[test]
fn the_voice_comes_from_the_avatar_mouth_and_follows_it() {
    let mut app = voice_app("delivery_bereavement");
    app.add_plugins(anchor::plugin);
    let eyes_at = |x: f32| {
        [
            GlobalTransform::from_xyz(x - 0.032, 1.62, -1.1),
            GlobalTransform::from_xyz(x + 0.032, 1.62, -1.1),
        ]
    };
    let [l, r] = eyes_at(0.0);
    let left = app.world_mut().spawn(l).id();
    let right = app.world_mut().spawn(r).id();
    app.world_mut()
        .spawn((FaceAnchor::Eyes([left, right]), GlobalTransform::default()));
    app.update();
    let mouth = app.world().resource::<VoiceOutput>().mouth_position();
    assert!(mouth.x.abs() < 1e-4 && mouth.y < 1.62 && mouth.y > 1.5, "{mouth}");
    assert_eq!(Some(mouth), app.world().resource::<CustomerFace>().mouth);

    // She steps along the counter: the voice goes with her.
    let [l, r] = eyes_at(0.6);
    *app.world_mut()
        .entity_mut(left)
        .get_mut::<GlobalTransform>()
        .expect("eye") = l;
    *app.world_mut()
        .entity_mut(right)
        .get_mut::<GlobalTransform>()
        .expect("eye") = r;
    app.update();
    let moved = app.world().resource::<VoiceOutput>().mouth_position();
    assert!((moved.x - 0.6).abs() < 1e-4, "{moved}");
}

/// The stand-in's face turns with its neck: the voice comes from where its mouth is drawn.
#[test]
fn the_stand_in_mouth_turns_with_its_neck() {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    holdspace::app::configure_sets(&mut app);
    app.add_plugins(anchor::plugin);
    let neck = Transform::from_xyz(0.0, 1.5, -1.0).with_rotation(Quat::from_rotation_y(std::f32::consts::FRAC_PI_2));
    app.world_mut().spawn((
        FaceAnchor::Offsets {
            eyes: Vec3::new(0.0, 0.125, 0.105),
            mouth: Vec3::new(0.0, 0.065, 0.11),
        },
        GlobalTransform::from(neck),
    ));
    app.update();
    let face = *app.world().resource::<CustomerFace>();
    // Turned a quarter to her left, her face points along +x.
    let mouth = face.mouth.expect("a mouth");
    assert!((mouth - Vec3::new(0.11, 1.565, -1.0)).length() < 1e-4, "{mouth}");
    let eyes = face.eyes.expect("eyes");
    assert!(
        eyes.y > mouth.y && (eyes.y - mouth.y) < anchor::MOUTH_BELOW_EYES,
        "{eyes} {mouth}"
    );
}

/// Two lines of one turn (the customer's answer to the reply, then the step's line) are
/// said one after the other: the second waits for the first instead of cutting it off.
#[test]
fn the_lines_of_one_turn_are_said_one_after_the_other() {
    use holdspace::app::session::runner::CustomerSpoke;
    use holdspace_core::engine::events::Spoken;
    use holdspace_core::engine::state::Band;

    let mut app = voice_app("delivery_bereavement");
    let mut started = app.world().resource::<Messages<CustomerVoiceStarted>>().get_cursor();
    until_voiced(&mut app, &mut started);
    for _ in 0..3000 {
        app.update();
        if !app.world().resource::<VoiceOutput>().is_speaking() {
            break;
        }
    }
    let lines = [
        ("answer/paraphrase_late/any/0", "Mm. Yes. That's it."),
        ("details/any/0", "It's a dress. A black one."),
    ];
    for (id, text) in lines {
        app.world_mut().write_message(CustomerSpoke(Spoken {
            turn: 1,
            line_id: id.to_owned(),
            text: text.to_owned(),
            band: Band::Uneasy,
            tags: Vec::new(),
            cue: None,
            answering: None,
        }));
    }
    let first = until_voiced(&mut app, &mut started);
    assert_eq!(first.line_id, lines[0].0);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut first_heard_frames = 0;
    let second = loop {
        app.update();
        if let Some(s) = drain(&app, &mut started).pop() {
            break s;
        }
        if app.world().resource::<VoiceOutput>().is_speaking() {
            first_heard_frames += 1;
            let progress = app.world().resource::<VoiceProgress>();
            assert_eq!(
                progress.line_id.as_deref(),
                Some(lines[0].0),
                "the subtitle stays on the answer"
            );
        }
        assert!(Instant::now() < deadline, "the step's line was never voiced");
        std::thread::sleep(Duration::from_millis(2));
    };
    assert_eq!(second.line_id, lines[1].0);
    // "Mm. Yes. That's it." takes over a second to say at 20 ms a frame.
    assert!(
        first_heard_frames > 25,
        "the answer played for {first_heard_frames} frames only"
    );
    let progress = app.world().resource::<VoiceProgress>();
    assert_eq!(progress.line_id.as_deref(), Some(lines[1].0));
}
