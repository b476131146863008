//! `holdspace bench latency`: from the end of the trainee's speech to the customer's
//! reaction, through the app's own path in real time. Recorded replies (WAV files
//! synthesised in a trainee's voice) are fed through `--mic-wav`'s microphone twin at the
//! wall clock's pace; the voice-activity detector, the grammar and Whisper on the speech
//! worker, the sentence encoder (the customer's ear), the engine, the avatar (its GLB,
//! animation and face) and the voice (synthesis and kira's mixer, on the mock backend)
//! all run as they do in the app, headless. Nothing is skipped: the only stand-ins are
//! the microphone (a file) and the sound card (the mock backend, which adds no output
//! buffer).
//!
//! Both ways of talking are timed: push-to-talk (the key is held while each recorded
//! reply plays and released as it ends) and the open microphone (the end-of-turn checks
//! decide). Each turn's timeline, from the last sample of speech:
//! - end of turn: the key's release, or the end-of-turn model's verdict at a pause (or
//!   the silence cap);
//! - text shown: the grammar's pick is echoed on screen;
//! - recognised: Whisper's transcript confirms (or overrules) it;
//! - sent: the reply goes to the engine (as soon as the transcript decides it; a slip is
//!   taken back afterwards, as a correction, so nothing waits for an undo);
//! - decided: the engine has answered (the frame that sends the customer's line);
//! - avatar reacts: the first frame after the end of speech in which the customer's head
//!   moves visibly in a listening reaction (a nod or a breath, [`VISIBLE_RAD`]), or whose
//!   face or clip weights moved visibly ([`VISIBLE`]) from where they were before the
//!   decision, whichever comes first;
//! - voice starts: the reply's audio reached the mixer.
//!
//! Then the open microphone's end-of-turn checks alone (`holdspace_speech::turn`) on the
//! multi-clause set (`holdspace_speech::turnset`: 46 replies said with pauses of
//! 300–600 ms inside them, in four voices): how long after the last word each turn is
//! judged over, and how many were cut at a pause inside them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bevy::prelude::*;
use holdspace::app::customer::avatar::CastingSettings;
use holdspace::app::customer::avatar::CustomerReady;
use holdspace::app::customer::avatar::body::BodyState;
use holdspace::app::customer::avatar::gaze::GazeState;
use holdspace::app::customer::voice::CustomerVoiceStarted;
use holdspace::app::customer::voice::VoiceSettings;
use holdspace::app::customer::{avatar, lipsync, voice};
use holdspace::app::platform::windowless::{self, Gpu};
use holdspace::app::screens::Screen;
use holdspace::app::session::runner;
use holdspace::app::session::runner::{ActiveSession, CustomerSpoke, TraineeReplied};
use holdspace::app::session::scene::{MainCamera, trainee_view};
use holdspace::app::trainee::speech::SpeechRecognised;
use holdspace::app::trainee::speech::{HearingSettings, Listen};
use holdspace::app::trainee::{reply, speech};
use holdspace::app::{AppSystems, notice};
use holdspace_core::engine::events::SessionEvent;
use holdspace_core::expression::body::BodyTargets;
use holdspace_core::{LoadedScenario, Mode, Session, TurnInput};
use holdspace_speech::testset::TestVoice;

use super::Row;
use super::voice::distribution;

/// The frame rate the app is stepped at (a headset's).
const HZ: f64 = 90.0;
/// The smallest change of a face unit or clip weight counted as visible (2 % of its
/// range; the first eased frame after a change of mood moves it by more).
pub(super) const VISIBLE: f32 = 0.02;
/// The smallest head movement counted as visible, radians (about 1.1°: the first frames
/// of a nod move the head by more).
pub(super) const VISIBLE_RAD: f32 = 0.02;
/// The scenario played.
pub(super) const SCENARIO: &str = "delivery_bereavement";
/// Most turns per session.
const MAX_TURNS: usize = 6;

/// One turn's timestamps.
#[derive(Debug, Clone, Default)]
struct Turn {
    speech_end: Option<Instant>,
    detected: Option<Instant>,
    shown: Option<Instant>,
    recognised: Option<Instant>,
    sent: Option<Instant>,
    decided: Option<Instant>,
    line_id: Option<String>,
    /// The customer's weights the frame before the decision.
    before: Option<BodyTargets>,
    pose: Option<Instant>,
    voice: Option<Instant>,
    /// Milliseconds the grammar's pick and Whisper took in the worker.
    grammar_ms: f64,
    whisper_ms: f64,
}

/// What the probe systems write.
#[derive(Resource, Default)]
struct Probe {
    turns: Vec<Turn>,
    /// The customer's eased weights at the end of the last frame.
    last_now: Option<BodyTargets>,
    /// Frames in which a head gesture became visible (nods, breaths).
    gestures: Vec<Instant>,
    gesturing: bool,
}

impl Probe {
    fn current(&mut self) -> Option<&mut Turn> {
        self.turns.last_mut()
    }
}

/// A recognised utterance opens a turn; its timing says where the time went.
fn stamp_recognised(mut probe: ResMut<Probe>, mut heard: MessageReader<SpeechRecognised>) {
    for r in heard.read() {
        let t = &r.timing;
        // The detector runs on stream time, which the file feed keeps in step with the
        // wall clock: the end of speech was (detected − end) before it was detected.
        let behind = Duration::from_secs_f64((t.detected_s - t.speech_end_s).max(0.0));
        probe.turns.push(Turn {
            speech_end: t.queued.checked_sub(behind),
            // The end-of-turn model's verdict at a pause, else the detector's end.
            detected: Some(t.judged.unwrap_or(t.queued)),
            shown: t.picked,
            recognised: t.heard,
            grammar_ms: t.grammar_ms,
            whisper_ms: t.whisper_ms,
            ..Turn::default()
        });
    }
}

/// The reply goes to the engine.
fn stamp_sent(mut probe: ResMut<Probe>, mut sent: MessageReader<TraineeReplied>) {
    if sent.read().count() > 0
        && let Some(turn) = probe.current()
        && turn.sent.is_none()
    {
        turn.sent = Some(Instant::now());
    }
}

/// The engine's answer: the customer's line (not the "Sorry?" of a missed utterance).
fn stamp_decided(mut probe: ResMut<Probe>, mut spoke: MessageReader<CustomerSpoke>) {
    let lines: Vec<String> = spoke
        .read()
        .filter(|s| !s.0.line_id.starts_with("holdspace/"))
        .map(|s| s.0.line_id.clone())
        .collect();
    let before = probe.last_now;
    if let Some(line) = lines.into_iter().next()
        && let Some(turn) = probe.current()
        && turn.sent.is_some()
        && turn.decided.is_none()
    {
        turn.decided = Some(Instant::now());
        turn.line_id = Some(line);
        turn.before = before;
    }
}

/// The end of the frame: has the customer's pose moved since the decision, and has a
/// listening gesture become visible?
fn stamp_pose(mut probe: ResMut<Probe>, bodies: Query<&BodyState>, gazes: Query<&GazeState>) {
    let moving = gazes.iter().any(|g| g.gesture.length() >= VISIBLE_RAD);
    if moving && !probe.gesturing {
        probe.gestures.push(Instant::now());
    }
    probe.gesturing = moving;
    let Some(body) = bodies.iter().next() else {
        return;
    };
    let now = body.now;
    probe.last_now = Some(now);
    if let Some(turn) = probe.current()
        && turn.pose.is_none()
        && let Some(before) = turn.before
        && now.visible_change(&before) >= VISIBLE
    {
        turn.pose = Some(Instant::now());
    }
}

/// The reply's audio reached the mixer.
fn stamp_voice(mut probe: ResMut<Probe>, mut started: MessageReader<CustomerVoiceStarted>) {
    for s in started.read() {
        if let Some(turn) = probe.current()
            && turn.voice.is_none()
            && turn.line_id.as_deref() == Some(s.line_id.as_str())
        {
            turn.voice = Some(Instant::now());
        }
    }
}

/// The first reply on offer at each turn, to the end, as (id, text): what the recorded
/// trainee says.
pub(super) fn first_replies(scenario: &Arc<LoadedScenario>, seed: u64) -> Vec<(String, String)> {
    let (mut session, mut events) = Session::new(Arc::clone(scenario), seed, Mode::Guided);
    let mut texts = Vec::new();
    while texts.len() < MAX_TURNS && session.outcome().is_none() {
        let Some(first) = events.iter().rev().find_map(|e| match e {
            SessionEvent::OptionsOffered { options, .. } => options.first().cloned(),
            _ => None,
        }) else {
            break;
        };
        texts.push((first.id.clone(), first.text.clone()));
        match session.respond(TurnInput::choose(first.id)) {
            Ok(next) => events = next,
            Err(_) => break,
        }
    }
    texts
}

/// Plays one session said by `voice`, with push-to-talk or on an open microphone;
/// returns its turns.
fn session(scenario: &Arc<LoadedScenario>, seed: u64, voice: &TestVoice, push_to_talk: bool) -> Result<Vec<Turn>> {
    let texts: Vec<String> = first_replies(scenario, seed)
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    let tmp = std::env::temp_dir().join(format!("holdspace-latency-{}-{seed}", std::process::id()));
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let mut files = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let said = voice.say(text).map_err(|e| anyhow::anyhow!("{}: {e}", voice.label()))?;
        // The synthesiser's trailing silence off: with push-to-talk the key is released as
        // the file ends, which must be as the speech ends.
        let audio = match holdspace_core::analysis::delivery::speech_span(&said, 16_000) {
            Some((_, end)) => said[..(end + 800).min(said.len())].to_vec(),
            None => said,
        };
        let path = tmp.join(format!("turn{i}.wav"));
        holdspace_voice::wav::write_mono(&path, 16_000, &audio)?;
        files.push(path);
    }
    let avatar_dir = avatar::default_dir();
    let mut app = windowless::new_app(&avatar_dir, Gpu::None);
    app.insert_resource(VoiceSettings { audio: false })
        .insert_resource(HearingSettings {
            listen: if push_to_talk {
                Listen::PushToTalk
            } else {
                Listen::OpenMic
            },
            mic_wav: files,
            files_push_to_talk: push_to_talk,
            ..HearingSettings::default()
        })
        .insert_resource(CastingSettings {
            avatar_dir,
            ..CastingSettings::default()
        })
        .insert_resource(ActiveSession::start(Arc::clone(scenario), seed, Mode::Guided))
        .init_resource::<Probe>()
        .insert_state(Screen::Session)
        .add_plugins((
            notice::plugin,
            lipsync::plugin,
            reply::plugin,
            // The sentence encoder, as in the app: each reply is heard for its meaning
            // before the engine answers, and the next step's replies are readied.
            holdspace::app::session::ear::plugin,
            runner::plugin,
            voice::plugin,
            avatar::plugin,
            speech::plugin,
            holdspace::app::customer::listening::plugin,
        ))
        .add_systems(
            Update,
            (
                stamp_recognised
                    .after(AppSystems::RecordInput)
                    .before(AppSystems::Drive),
                // After the reply is assembled, or the engine answers it in the same frame
                // before it is seen as sent (and the turn is never timed).
                stamp_sent.after(AppSystems::AssembleReply).before(AppSystems::Drive),
                (stamp_decided, stamp_voice).after(AppSystems::Present),
            ),
        )
        .add_systems(Last, stamp_pose);
    holdspace::app::configure_sets(&mut app);
    app.world_mut()
        .spawn((Name::new("Trainee's eyes"), MainCamera, trainee_view()));
    windowless::finish(&mut app);

    let frame = Duration::from_secs_f64(1.0 / HZ);
    let deadline = Instant::now() + Duration::from_secs(40 + 20 * texts.len() as u64);
    let mut next = Instant::now();
    loop {
        app.update();
        let world = app.world();
        let turns = world.resource::<ActiveSession>().session().record().turns.len();
        let probe = world.resource::<Probe>();
        let last_done = probe
            .turns
            .last()
            .is_none_or(|t| t.voice.is_some() || t.decided.is_none());
        if (turns >= texts.len() || world.resource::<ActiveSession>().session().outcome().is_some()) && last_done {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "{}: stuck after {turns} of {} turns (is the avatar built and the Whisper model there?)",
                voice.label(),
                texts.len()
            );
        }
        next += frame;
        match next.checked_duration_since(Instant::now()) {
            Some(wait) => std::thread::sleep(wait),
            // A slow frame: carry on from now rather than racing to catch up.
            None => next = Instant::now(),
        }
    }
    if !app.world().resource::<CustomerReady>().0 {
        bail!(
            "the avatar never loaded from {}: build it with `bash scripts/avatar.sh`",
            avatar::default_dir().display()
        );
    }
    let mut probe = app.world_mut().remove_resource::<Probe>().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&tmp);
    // The listening reaction comes before the engine's decision: the first gesture after
    // the speech ended counts when it came before the mood change.
    let gestures = std::mem::take(&mut probe.gestures);
    for turn in &mut probe.turns {
        let first = turn
            .speech_end
            .and_then(|end| gestures.iter().copied().find(|g| *g >= end));
        turn.pose = match (turn.pose, first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    Ok(probe.turns)
}

/// Milliseconds from `from` to `to` when both happened.
fn ms(from: Option<Instant>, to: Option<Instant>) -> Option<f64> {
    Some(to?.checked_duration_since(from?)?.as_secs_f64() * 1000.0)
}

/// The trainee voices of the app's path: two espeak-ng voices (their prosody is closer
/// to a person's than flite's, which the end-of-turn model was not trained on) and one
/// flite voice.
fn voices() -> [TestVoice; 3] {
    [
        TestVoice::Espeak {
            voice: "en-us",
            wpm: 165,
        },
        TestVoice::Espeak {
            voice: "en-gb+f3",
            wpm: 155,
        },
        TestVoice::Flite {
            voice: "slt",
            pitch_hz: 190.0,
            pace: 1.1,
        },
    ]
}

pub(super) fn rows(dir: &std::path::Path) -> Result<Vec<Row>> {
    let scenario = holdspace::loader::load_scenario(SCENARIO, dir)?;
    let mut rows = Vec::new();
    // `HOLDSPACE_LATENCY_ONLY=push-to-talk`, `open mic` or `turns` runs that part alone
    // (an A/B of one setting takes two minutes instead of eight).
    let only = std::env::var("HOLDSPACE_LATENCY_ONLY").unwrap_or_default();
    for (push_to_talk, mode) in [(true, "push-to-talk"), (false, "open mic")] {
        if !only.is_empty() && only != mode {
            continue;
        }
        let mut turns = Vec::new();
        for (i, voice) in voices().iter().enumerate() {
            let played = session(&scenario, 5 + i as u64, voice, push_to_talk)?;
            eprintln!("latency: {mode}, {} said {} turns", voice.label(), played.len());
            turns.extend(played);
        }
        let decided: Vec<&Turn> = turns.iter().filter(|t| t.decided.is_some()).collect();
        if decided.is_empty() {
            bail!("{mode}: no spoken turn reached the engine");
        }
        let series = |name: &str, f: &dyn Fn(&Turn) -> Option<f64>| -> Row {
            distribution(
                &format!("{mode}: {name}"),
                decided.iter().filter_map(|t| f(t)).collect(),
            )
        };
        rows.extend([
            series("speech end → end of turn", &|t| ms(t.speech_end, t.detected)),
            series("speech end → avatar reacts", &|t| ms(t.speech_end, t.pose)),
            series("speech end → text shown (grammar)", &|t| ms(t.speech_end, t.shown)),
            series("speech end → recognised (Whisper)", &|t| {
                ms(t.speech_end, t.recognised)
            }),
            series("speech end → sent", &|t| ms(t.speech_end, t.sent)),
            series("speech end → engine decided", &|t| ms(t.speech_end, t.decided)),
            series("speech end → voice starts", &|t| ms(t.speech_end, t.voice)),
            series("engine decided → voice starts", &|t| ms(t.decided, t.voice)),
            // Where the time goes: the recognisers' own time in the worker, beside the app.
            series("grammar's own time (in the app)", &|t| Some(t.grammar_ms)),
            series("Whisper's own time (in the app)", &|t| Some(t.whisper_ms)),
        ]);
    }
    if only.is_empty() || only == "turns" {
        rows.extend(turn_set_rows()?);
    }
    Ok(rows)
}

/// The open microphone's end-of-turn checks on the multi-clause set: when each turn was
/// judged over after its last word, and how many turns were cut at a pause inside them.
fn turn_set_rows() -> Result<Vec<Row>> {
    use holdspace_speech::turn::{SmartTurn, default_dir, turn_ends};
    use holdspace_speech::turnset;
    use holdspace_speech::vad::VadConfig;
    let mut model = SmartTurn::open(&default_dir())?;
    let mut whisper =
        holdspace_speech::whisper::Transcriber::open(&holdspace_speech::whisper::default_model_path(), 1)?;
    let config = VadConfig::open_mic(holdspace::app::trainee::speech::TURN_CAP_MS);
    let (mut detected, mut cuts, mut replies) = (Vec::new(), 0usize, 0usize);
    for voice in turnset::voices() {
        let mut cut_here = 0;
        for (i, reply) in turnset::REPLIES.iter().enumerate() {
            let said = turnset::say(&voice, reply, i)?;
            let ends = turn_ends(&said.audio, config, Some(&mut model), Some(&mut whisper))?;
            let last_start = said.clause_starts_s.last().copied().unwrap_or_default();
            let last_end = said.clause_ends_s.last().copied().unwrap_or_default();
            replies += 1;
            cut_here += ends.iter().filter(|e| e.speech_end_s < last_start).count();
            if let Some(end) = ends.iter().find(|e| e.speech_end_s >= last_start) {
                detected.push((end.detected_s - last_end) * 1000.0);
            }
        }
        eprintln!("latency: multi-clause set, {}: {cut_here} cuts", voice.label());
        cuts += cut_here;
    }
    let mut cut_row = distribution(
        &format!("open mic, {replies} multi-clause replies: cuts at pauses inside them"),
        vec![cuts as f64],
    );
    cut_row.unit = Some("cuts");
    cut_row.runs = replies;
    Ok(vec![
        distribution("open mic, multi-clause replies: last word → end of turn", detected),
        cut_row,
    ])
}
