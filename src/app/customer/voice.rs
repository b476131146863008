//! The customer's voice in the app: each line the engine says is synthesised off the main
//! thread (or read from the author's recording), played from the customer's mouth over
//! the room bed, and its playback position drives the mouth and the subtitle. With no
//! sound card the same path runs on kira's mock backend, advanced by the frame clock, so
//! lips and subtitles keep their timing in silence. The only module that touches kira.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};
use holdspace_core::Band;
use holdspace_core::expression::lipsync::MouthShape;
use holdspace_core::expression::listening::ListenerMove;
use holdspace_core::scenario::model::Tag;
use holdspace_voice::cache::PrefetchControl;
use holdspace_voice::cache::{Rest, Started};
use holdspace_voice::player::CUT_FADE;
use holdspace_voice::{LineRequest, Speaker, VoiceCache, VoiceError};
use kira::backend::cpal::{CpalBackend, CpalBackendSettings};
use kira::backend::mock::MockBackend;

use crate::app::PresentSystems;
use crate::app::customer::anchor::CustomerFace;
use crate::app::customer::lipsync::CustomerMouth;
use crate::app::customer::listening::ListenerReacted;
use crate::app::library::ScenarioLibrary;
use crate::app::notice::Notice;
use crate::app::screens::Screen;
use crate::app::session::runner::{ActiveSession, CustomerSpoke, TurnTakenBack};
use crate::app::trainee::reply::PendingInterruption;

/// Sample rate of the silent output: playback position is all it is for.
const SILENT_RATE: u32 = 16_000;

/// The trainee started speaking (reported by the speech module's voice-activity
/// detector). While the customer talks this is an interruption: a calm or frustrated
/// customer stops, an angry one raises their voice and talks over, and the next turn
/// tells the engine the trainee interrupted.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraineeStartedSpeaking;

/// A line's audio started: how long after the engine said it.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct CustomerVoiceStarted {
    /// The line.
    pub line_id: String,
    /// From the line being said by the engine to its audio starting.
    pub latency: Duration,
    /// Whether the audio came from the cache.
    pub cached: bool,
}

/// The customer cut themselves off or talked over the trainee.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BargeIn {
    /// They stopped talking to listen.
    Yielded,
    /// They carried on, louder.
    TalkedOver,
}

/// What is being said and how far it has got, for the subtitle.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct VoiceProgress {
    /// The line, while it is being voiced or waiting for its audio.
    pub line_id: Option<String>,
    /// Words already said.
    pub said: String,
    /// Words still to come.
    pub rest: String,
}

/// Where the voice goes.
enum Output {
    /// The sound card.
    Device(Box<Speaker<CpalBackend>>),
    /// Nowhere, at the frame clock's pace.
    Silent {
        speaker: Box<Speaker<MockBackend>>,
        /// Frame time not yet rendered (the mock renders whole buffers).
        owed_s: f64,
    },
}

/// Calls the same method on whichever speaker is open.
macro_rules! on_speaker {
    ($output:expr, $s:ident => $body:expr) => {
        match $output {
            Output::Device($s) => $body,
            Output::Silent { speaker: $s, .. } => $body,
        }
    };
}

/// A line being synthesised.
struct PendingLine {
    line_id: String,
    /// The turn it answers: lines of one turn (an answer, then the step's line) are said
    /// one after the other; a line of a later turn cuts in.
    turn: u32,
    text: String,
    band: Band,
    said_at: Instant,
    task: Task<Result<Started, VoiceError>>,
}

/// The voice output, its cache and the line on its way.
#[derive(Resource)]
pub struct VoiceOutput {
    output: Output,
    cache: VoiceCache,
    /// Lines on their way, oldest first.
    pending: VecDeque<PendingLine>,
    /// The whole of the line whose first sentence is playing, being made.
    rest: Option<Rest>,
    /// The turn of the line playing now.
    playing: Option<u32>,
    /// Band of the line playing now (decides yielding or talking over).
    band: Band,
    /// Why there is no sound, shown once at the counter.
    silent_reason: Option<String>,
    told: bool,
    /// Steers the background prefetch of the current scenario's lines.
    prefetch: Option<Arc<PrefetchControl>>,
    /// The trainee is talking or their reply is being recognised: the prefetch waits.
    trainee_busy: bool,
    /// What plays is a sound made while listening ("uh-huh", a sigh), not a line: it is
    /// not the customer talking, so the trainee talking over it interrupts nothing and the
    /// subtitle keeps the last line.
    listening_sound: bool,
}

impl VoiceOutput {
    /// Whether the customer is audibly (or, silent, notionally) saying a line now.
    pub fn is_speaking(&self) -> bool {
        !self.listening_sound && on_speaker!(&self.output, s => s.is_speaking())
    }

    /// Where the customer's voice comes from, in world space.
    pub fn mouth_position(&self) -> Vec3 {
        Vec3::from_array(on_speaker!(&self.output, s => s.mouth_position()))
    }

    /// Whether a line is being said or is about to be (its audio is being made).
    pub fn is_busy(&self) -> bool {
        !self.pending.is_empty() || self.is_speaking()
    }

    /// Whether the next line waits for the one playing: both answer the same turn.
    fn next_waits(&self) -> bool {
        self.pending
            .front()
            .is_some_and(|next| self.playing == Some(next.turn) && self.is_speaking())
    }

    /// Whether the app plays through a sound card.
    pub fn has_device(&self) -> bool {
        matches!(self.output, Output::Device(_))
    }

    /// Tells the voice the trainee is talking or being recognised (their turn comes
    /// first: the background prefetch waits meanwhile).
    pub fn set_trainee_busy(&mut self, busy: bool) {
        self.trainee_busy = busy;
    }
}

/// Registers the voice.
pub fn plugin(app: &mut App) {
    app.init_resource::<VoiceSettings>()
        .init_resource::<VoiceProgress>()
        .init_resource::<CustomerFace>()
        .add_message::<TraineeStartedSpeaking>()
        .add_message::<CustomerVoiceStarted>()
        .add_message::<BargeIn>()
        .add_message::<ListenerReacted>()
        .add_systems(Startup, open_output)
        .add_systems(OnEnter(Screen::Session), (start_room, prefetch_lines))
        .add_systems(OnExit(Screen::Session), silence_room)
        .add_systems(
            Update,
            (
                stop_on_take_back,
                request_lines,
                pace_prefetch,
                play_listening_sounds,
                start_ready_lines,
                continue_lines,
                handle_barge_in,
                advance_silent_output,
                place_voice,
                publish_progress,
            )
                .chain()
                .in_set(PresentSystems::Voice)
                .run_if(resource_exists::<VoiceOutput>),
        );
}

/// Whether the voice may use the sound card.
#[derive(Resource, Debug, Clone, Copy)]
pub struct VoiceSettings {
    /// Play the customer's voice through the sound card (off: silent, subtitles still timed).
    pub audio: bool,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        VoiceSettings { audio: true }
    }
}

/// Opens the sound card, or the silent output when there is none (or `--no-audio`).
pub fn open_output(mut commands: Commands, settings: Res<VoiceSettings>) {
    let wanted = settings.audio;
    let device = if wanted {
        Speaker::<CpalBackend>::new(CpalBackendSettings::default()).map_err(|e| e.to_string())
    } else {
        Err("started with --no-audio".to_owned())
    };
    let (output, silent_reason) = match device {
        Ok(speaker) => (Output::Device(Box::new(speaker)), None),
        Err(why) => match Speaker::silent(SILENT_RATE) {
            Ok(speaker) => (
                Output::Silent {
                    speaker: Box::new(speaker),
                    owed_s: 0.0,
                },
                Some(why),
            ),
            Err(e) => {
                // The mock backend cannot fail to open; if it ever does, run without a voice.
                error!("no voice output at all: {e}");
                return;
            }
        },
    };
    if let Some(why) = &silent_reason {
        info!("customer voice is silent: {why}");
    }
    commands.insert_resource(VoiceOutput {
        output,
        cache: VoiceCache::with_disk(holdspace_voice::disk::DiskCache::new(
            holdspace_voice::disk::default_dir(),
        ))
        .with_engine(engine_from_env()),
        pending: VecDeque::new(),
        rest: None,
        playing: None,
        band: Band::Uneasy,
        silent_reason,
        told: false,
        prefetch: None,
        trainee_busy: false,
        listening_sound: false,
    });
}

/// Set to `flite` to have the customer speak with flite whatever voice the scenario
/// casts: for a machine too slow for the neural voice, and for the app's tests, whose
/// sessions would otherwise spend minutes of both cores voicing lines in the background.
pub const ENGINE_VAR: &str = "HOLDSPACE_VOICE_ENGINE";

fn engine_from_env() -> holdspace_voice::Engine {
    if std::env::var(ENGINE_VAR).is_ok_and(|v| v == "flite") {
        holdspace_voice::Engine::Flite
    } else {
        holdspace_voice::Engine::Auto
    }
}

/// Starts the room bed and says, once, why there is no sound if there is none.
fn start_room(mut voice: Option<ResMut<VoiceOutput>>, mut notices: MessageWriter<Notice>) {
    let Some(voice) = voice.as_deref_mut() else {
        notices.write(Notice::error(
            "The customer's voice is unavailable; their lines show as subtitles.",
        ));
        return;
    };
    if let Err(e) = on_speaker!(&mut voice.output, s => s.start_bed()) {
        warn!("room sound: {e}");
    }
    if let (Some(why), false) = (&voice.silent_reason, voice.told) {
        voice.told = true;
        if why.contains("--no-audio") {
            return;
        }
        notices.write(Notice::info(
            "No sound: no audio output device could be opened. The customer's lines show as subtitles, timed as if spoken.",
        ));
        info!("no audio output: {why}");
    }
}

/// Voices the scenario's lines on a background thread while the conversation starts, so
/// most lines are cache hits when they are said (synthesis of a long line takes a few
/// hundred milliseconds on a slow machine; a hit takes none). A thread of its own rather
/// than the compute pool, so a line said now never queues behind the prefetch.
fn prefetch_lines(
    voice: Option<ResMut<VoiceOutput>>,
    active: Option<Res<ActiveSession>>,
    library: Option<Res<ScenarioLibrary>>,
    mut notices: MessageWriter<Notice>,
) {
    let (Some(mut voice), Some(active)) = (voice, active) else {
        return;
    };
    let neural =
        active.scenario().scenario.customer.voice.is_neural() && voice.cache.engine() == holdspace_voice::Engine::Auto;
    if neural && let Err(why) = holdspace_voice::kokoro::installed() {
        info!("neural voice not installed: {why}");
        notices.write(Notice::info(
            "The customer's natural voice is not installed, so they speak with the basic synthesiser. Run bash scripts/voice-model.sh to install it.",
        ));
    }
    if let Some(old) = voice.prefetch.take() {
        old.stop();
    }
    let scenario = Arc::clone(active.scenario());
    let id = scenario.scenario.id.clone();
    // The sounds made while listening first: they are small and must be instant.
    let mut requests = holdspace_voice::cache::listening_requests(&scenario.scenario);
    requests.extend(holdspace_voice::cache::scenario_requests(&scenario.scenario, |audio| {
        recording_path(library.as_deref(), &id, audio)
    }));
    let control = Arc::new(PrefetchControl::default());
    voice.prefetch = Some(Arc::clone(&control));
    let cache = voice.cache.clone();
    let spawned = std::thread::Builder::new()
        .name("voice-prefetch".into())
        .spawn(move || {
            let t = Instant::now();
            // Loading the neural voice takes about a second: here, not when the first
            // line is wanted.
            if neural && let Err(why) = holdspace_voice::kokoro::status() {
                debug!("neural voice unavailable: {why}");
            }
            let made = cache.prefetch(&requests, &control);
            debug!("prefetched {made} of {} lines in {:?}", requests.len(), t.elapsed());
        });
    if let Err(e) = spawned {
        warn!("no line prefetch ({e}); lines are voiced when said");
    }
}

/// Holds the prefetch while the trainee talks, their reply is recognised or a line is
/// being voiced now: on two cores a line synthesised in the background made recognition
/// two to three times slower, and that wait is the customer's silence after a reply.
fn pace_prefetch(voice: Res<VoiceOutput>) {
    if let Some(prefetch) = &voice.prefetch {
        // The rest of a line whose first sentence is playing must not wait behind a
        // prefetched line either: it would leave a gap between the sentences.
        prefetch.hold(voice.trainee_busy || !voice.pending.is_empty() || voice.rest.is_some());
    }
}

/// Stops the voice and the room when the conversation screen closes.
fn silence_room(
    voice: Option<ResMut<VoiceOutput>>,
    mut progress: ResMut<VoiceProgress>,
    mut mouth: ResMut<CustomerMouth>,
    mut interruption: ResMut<PendingInterruption>,
) {
    // An interruption nobody replied after belongs to the conversation that ended.
    interruption.0 = false;
    if let Some(mut voice) = voice {
        voice.pending.clear();
        voice.rest = None;
        voice.playing = None;
        if let Some(prefetch) = voice.prefetch.take() {
            prefetch.stop();
        }
        on_speaker!(&mut voice.output, s => {
            s.stop(CUT_FADE);
            s.stop_bed();
        });
    }
    *progress = VoiceProgress::default();
    mouth.0 = MouthShape::REST;
}

/// The trainee took their reply back: the customer stops mid-word (their "Go on…" follows
/// as a line of its own).
fn stop_on_take_back(mut taken_back: MessageReader<TurnTakenBack>, mut voice: ResMut<VoiceOutput>) {
    if taken_back.read().count() == 0 {
        return;
    }
    voice.pending.clear();
    voice.rest = None;
    on_speaker!(&mut voice.output, s => s.stop(CUT_FADE));
}

/// Starts synthesising each line the engine says, on the compute pool (a line takes tens
/// of milliseconds, too long for a frame).
fn request_lines(
    mut spoke: MessageReader<CustomerSpoke>,
    mut voice: ResMut<VoiceOutput>,
    active: Option<Res<ActiveSession>>,
    library: Option<Res<ScenarioLibrary>>,
    mut progress: ResMut<VoiceProgress>,
) {
    let Some(active) = active else {
        spoke.clear();
        return;
    };
    for CustomerSpoke(line) in spoke.read() {
        let scenario = &active.scenario().scenario;
        let recording = scenario
            .line(&line.line_id)
            .and_then(|l| l.audio.as_deref())
            .and_then(|audio| recording_path(library.as_deref(), &scenario.id, audio));
        let request = LineRequest {
            text: line.text.clone(),
            voice: scenario.customer.voice.clone(),
            band: line.band,
            tags: line.tags.clone(),
            recording,
        };
        // The lines likely after this one go to the front of the background prefetch.
        if let Some(prefetch) = &voice.prefetch {
            let session = active.session();
            prefetch.put_first(holdspace_voice::cache::likely_requests(
                scenario,
                &session.available_replies(),
                line.band,
            ));
        }
        let cache = voice.cache.clone();
        let task = AsyncComputeTaskPool::get().spawn(async move {
            // Cached lines start whole; an uncached neural line starts with its first
            // sentence while the rest is made.
            match cache.start(&request) {
                // A broken recording falls back to the synthesised voice.
                Err(VoiceError::Recording { path, message }) => {
                    warn!(
                        "recorded line {}: {message}; using the synthesised voice",
                        path.display()
                    );
                    cache.start(&LineRequest {
                        recording: None,
                        ..request
                    })
                }
                other => other,
            }
        });
        // A line of the same turn as the one before it (the customer's answer to the
        // reply, then the step's line) follows it; a later turn's replaces what was not
        // yet voiced.
        let follows = voice.pending.back().map(|p| p.turn).or(voice.playing) == Some(line.turn);
        if !follows {
            voice.pending.clear();
            // Until the audio starts the whole line waits, dimmed.
            *progress = VoiceProgress {
                line_id: Some(line.line_id.clone()),
                said: String::new(),
                rest: line.text.clone(),
            };
        }
        voice.pending.push_back(PendingLine {
            line_id: line.line_id.clone(),
            turn: line.turn,
            text: line.text.clone(),
            band: line.band,
            said_at: Instant::now(),
            task,
        });
    }
}

/// The recording's full path, inside the folder of the scenario's file.
fn recording_path(library: Option<&ScenarioLibrary>, scenario_id: &str, audio: &str) -> Option<PathBuf> {
    crate::loader::recording_file(library?.path_of(scenario_id)?, audio)
}

/// Plays each line as soon as its audio is ready.
fn start_ready_lines(
    mut voice: ResMut<VoiceOutput>,
    mut started: MessageWriter<CustomerVoiceStarted>,
    mut notices: MessageWriter<Notice>,
    mut progress: ResMut<VoiceProgress>,
) {
    let voice = &mut *voice;
    if voice.next_waits() {
        return;
    }
    let Some(pending) = voice.pending.front_mut() else {
        return;
    };
    let Some(result) = check_ready(&mut pending.task) else {
        return;
    };
    let Some(pending) = voice.pending.pop_front() else {
        return;
    };
    *progress = VoiceProgress {
        line_id: Some(pending.line_id.clone()),
        said: String::new(),
        rest: pending.text.clone(),
    };
    let said = result.and_then(|started| {
        let Started { speech, cached, rest } = started;
        on_speaker!(&mut voice.output, s => s.say(speech))?;
        if rest.is_some() {
            on_speaker!(&mut voice.output, s => s.expect_rest());
        }
        Ok((cached, rest))
    });
    match said {
        Ok((cached, rest)) => {
            voice.rest = rest;
            voice.band = pending.band;
            voice.playing = Some(pending.turn);
            voice.listening_sound = false;
            let latency = pending.said_at.elapsed();
            debug!("line {} voiced after {latency:?} (cached: {cached})", pending.line_id);
            started.write(CustomerVoiceStarted {
                line_id: pending.line_id,
                latency,
                cached,
            });
        }
        Err(e) => {
            notices.write(Notice::error(format!("This line could not be voiced: {e}")));
            // Show the words in full: there is no audio to time them.
            progress.said = std::mem::take(&mut progress.rest);
        }
    }
}

/// Carries the line on into each longer part of it as it is made (its first sentence is
/// playing, or has just ended), until the whole is there.
fn continue_lines(mut voice: ResMut<VoiceOutput>, mut notices: MessageWriter<Notice>) {
    let voice = &mut *voice;
    while let Some(result) = voice.rest.as_ref().and_then(|r| r.try_take()) {
        let complete = result.as_ref().map_or(true, |part| part.complete);
        if complete {
            voice.rest = None;
        }
        let carried =
            result.and_then(|part| on_speaker!(&mut voice.output, s => s.continue_with(part.speech, part.complete)));
        if let Err(e) = carried {
            voice.rest = None;
            on_speaker!(&mut voice.output, s => s.stop(CUT_FADE));
            notices.write(Notice::error(format!("The rest of this line could not be voiced: {e}")));
        }
    }
}

/// Plays what the customer says or breathes while listening ("uh-huh", a sigh, a breath
/// before answering), from the cache only: they are prefetched first, and one not voiced
/// yet is left out rather than heard late. Never over a line.
fn play_listening_sounds(
    mut reacted: MessageReader<ListenerReacted>,
    mut voice: ResMut<VoiceOutput>,
    active: Option<Res<ActiveSession>>,
) {
    let Some(active) = active else {
        reacted.clear();
        return;
    };
    for ListenerReacted(reaction) in reacted.read() {
        let (text, tags) = match reaction {
            ListenerMove::Say(word) => (word.clone(), Vec::new()),
            ListenerMove::Sigh => (String::new(), vec![Tag::Sigh]),
            ListenerMove::Breath => (String::new(), vec![Tag::Breath]),
            _ => continue,
        };
        if !voice.pending.is_empty() || voice.is_speaking() {
            continue;
        }
        let request = LineRequest {
            text,
            voice: active.scenario().scenario.customer.voice.clone(),
            band: active.session().band(),
            tags,
            recording: None,
        };
        if !voice.cache.contains(&request) {
            debug!("listening sound {:?} not voiced yet; left out", request.text);
            continue;
        }
        let Ok((speech, _)) = voice.cache.voice(&request) else {
            continue;
        };
        match on_speaker!(&mut voice.output, s => s.say(speech)) {
            Ok(()) => voice.listening_sound = true,
            Err(e) => warn!("listening sound: {e}"),
        }
    }
}

/// Yields or talks over when the trainee starts speaking mid-line, and marks the turn as
/// interrupted for the engine.
fn handle_barge_in(
    mut heard: MessageReader<TraineeStartedSpeaking>,
    mut voice: ResMut<VoiceOutput>,
    mut interruption: ResMut<PendingInterruption>,
    mut barge: MessageWriter<BargeIn>,
) {
    if heard.read().count() == 0 || !voice.is_speaking() {
        return;
    }
    interruption.0 = true;
    let reaction = if voice.band >= Band::Angry {
        BargeIn::TalkedOver
    } else {
        BargeIn::Yielded
    };
    on_speaker!(&mut voice.output, s => match reaction {
        BargeIn::Yielded => s.stop(CUT_FADE),
        BargeIn::TalkedOver => s.talk_over(),
    });
    barge.write(reaction);
}

/// Moves the silent output on by the frame time, as a sound card would by itself.
fn advance_silent_output(mut voice: ResMut<VoiceOutput>, time: Res<Time>) {
    if let Output::Silent { speaker, owed_s } = &mut voice.output {
        *owed_s += time.delta_secs_f64();
        let done = speaker.advance(*owed_s, SILENT_RATE);
        *owed_s -= done;
    }
}

/// Puts the listener at the camera and the voice at the customer's mouth (the avatar's
/// or the stand-in's, from [`CustomerFace`]).
fn place_voice(
    mut voice: ResMut<VoiceOutput>,
    cameras: Query<&GlobalTransform, With<Camera3d>>,
    face: Res<CustomerFace>,
) {
    if let Some(camera) = cameras.iter().next() {
        let (_, rotation, position) = camera.to_scale_rotation_translation();
        on_speaker!(&mut voice.output, s => s.set_listener(position.to_array(), rotation.to_array()));
    }
    if let Some(mouth) = face.mouth {
        on_speaker!(&mut voice.output, s => s.set_mouth(mouth.to_array()));
    }
}

/// Publishes the mouth shape (the lip-sync hook) and the subtitle split for this frame.
fn publish_progress(voice: Res<VoiceOutput>, mut mouth: ResMut<CustomerMouth>, mut progress: ResMut<VoiceProgress>) {
    let shape = on_speaker!(&voice.output, s => s.mouth_shape());
    if mouth.0 != shape {
        mouth.0 = shape;
    }
    // A line on its way replaces the subtitle (request_lines set it), unless it waits
    // for the one playing, whose words keep coming.
    if voice.listening_sound || (!voice.pending.is_empty() && !voice.next_waits()) {
        return;
    }
    let split = on_speaker!(&voice.output, s => match (s.speech(), s.position_s()) {
        (Some(speech), Some(t)) => Some(speech.subtitle_at(t)),
        // Finished (or cut off): everything has been said.
        (Some(speech), None) => Some(speech.subtitle_at(f32::MAX)),
        _ => None,
    });
    if let Some((said, rest)) = split
        && (progress.said != said || progress.rest != rest)
    {
        progress.said = said;
        progress.rest = rest;
    }
}
