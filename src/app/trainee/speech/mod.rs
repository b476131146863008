//! The trainee speaks: microphone (or `--mic-wav` files) → voice-activity detection →
//! recognition on a worker thread → the words echoed → a `ReplyGiven` with the delivery
//! measured from the audio, sent as soon as the transcript decides it.
//!
//! Recognition runs in two stages so the trainee sees something fast: the grammar's pick
//! among the offered replies is echoed at once (in guided mode the grammar hears the
//! reply as it is said, so its pick is ready a millisecond after the last word and
//! Whisper need not share the machine with it); Whisper's transcript then confirms it,
//! or turns it into free speech, and the reply goes. Typed and clicked replies keep working throughout. Without a microphone or a
//! model the app says so and carries on with the rest.

mod decide;
mod indicator;
mod turns;
mod worker;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use bevy::prelude::*;
use holdspace_core::Delivery;
use holdspace_core::engine::events::OfferedReply;
use holdspace_speech::listen::Heard;
use holdspace_speech::vad::{Vad, VadConfig};

pub use indicator::SpeechIndicator;

use crate::app::notice::Notice;
use crate::app::screens::Screen;
use crate::app::session::runner::ActiveSession;
use crate::app::trainee::mic::{DeviceInput, FileFeed, Microphone};
use crate::app::{AppSystems, PresentSystems};
use turns::EndedUtterance;
use worker::{Reply, Work, recognition_worker};

/// What the listener is doing, for the indicator and for tests.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenState {
    /// Not listening (no microphone, or not the trainee's turn).
    Off,
    /// Waiting for speech.
    Ready,
    /// Speech is coming in.
    Hearing,
    /// The utterance ended; recognition is running.
    Recognising,
    /// Words recognised, shown until the transcript decides them (Esc drops them).
    Echo {
        /// What will be sent.
        text: String,
        /// The reply it counts as, if one.
        reply: Option<String>,
    },
    /// Nothing usable was heard.
    NotCaught,
}

/// Timestamps of one utterance through the pipeline, for the latency benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct UtteranceTiming {
    /// Stream seconds at the end of the speech.
    pub speech_end_s: f64,
    /// Stream seconds when the detector decided it was over.
    pub detected_s: f64,
    /// Wall time when the utterance reached the worker.
    pub queued: Instant,
    /// Grammar decoding, milliseconds.
    pub grammar_ms: f64,
    /// Whisper, milliseconds.
    pub whisper_ms: f64,
    /// When the grammar's pick arrived back.
    pub picked: Option<Instant>,
    /// When the final decision arrived back.
    pub heard: Option<Instant>,
    /// On an open microphone, when the end-of-turn model said the turn was over (the
    /// utterance was sent at a pause); `None` when silence or a key ended it.
    pub judged: Option<Instant>,
    /// The end-of-turn model's time, milliseconds.
    pub turn_ms: f64,
    /// Judged over at a pause: how long after the last word the reply is held for the
    /// trainee to carry on (the model's verdict sets it).
    pub resume_window_s: f64,
    /// The grammar's pick was heard along as the trainee spoke (ready within a
    /// millisecond), not decoded whole beside Whisper.
    pub picked_along: bool,
}

/// A reply recognised from speech, sent to the engine: what the worker heard and how.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct SpeechRecognised {
    /// The decision.
    pub heard: Heard,
    /// The measured delivery.
    pub delivery: Delivery,
    /// Where the time went.
    pub timing: UtteranceTiming,
}

/// The trainee's talk as the microphone hears it, for whoever listens (the customer's
/// backchannels): time into the turn, pauses inside it, and its end. Only while the
/// microphone counts (push-to-talk held, or open mic).
#[derive(Message, Debug, Clone, Copy, PartialEq)]
pub enum TraineeTalk {
    /// Still talking, this many seconds into the turn (every frame).
    Talking {
        /// Seconds since the turn started.
        talked_s: f32,
    },
    /// A pause inside the turn began (once per pause), this many seconds in.
    Paused {
        /// Seconds since the turn started.
        talked_s: f32,
    },
    /// The turn ended (the reply goes to recognition), this many seconds after it began.
    Stopped {
        /// Seconds from its start to its end being detected.
        talked_s: f32,
    },
}

/// How the microphone is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Listen {
    /// Hold Ctrl while speaking: nothing else the microphone hears counts (the safe
    /// choice with speakers, which the customer's own voice would otherwise trigger).
    #[default]
    PushToTalk,
    /// Always listening; replies end at a pause (use a headset).
    OpenMic,
    /// No microphone: click or type.
    Off,
}

/// Where speech comes from and what recognises it.
#[derive(Resource, Debug, Clone)]
pub struct HearingSettings {
    /// How the microphone is used.
    pub listen: Listen,
    /// Recorded replies to say in turn instead of a microphone (`--mic-wav`).
    pub mic_wav: Vec<PathBuf>,
    /// The Whisper model for free speech.
    pub whisper_model: PathBuf,
    /// The folder of the end-of-turn model and its runtime (the open microphone's).
    pub turn_model: PathBuf,
    /// With recorded files: say each as if push-to-talk were held while it plays (and
    /// released as it ends) instead of on an open microphone (the benchmark's two paths).
    pub files_push_to_talk: bool,
}

impl Default for HearingSettings {
    fn default() -> Self {
        HearingSettings {
            listen: Listen::PushToTalk,
            mic_wav: Vec::new(),
            whisper_model: holdspace_speech::whisper::default_model_path(),
            turn_model: holdspace_speech::turn::default_dir(),
            files_push_to_talk: false,
        }
    }
}

/// The speech input's state, present when a source of speech was opened.
#[derive(Resource)]
pub struct SpeechInput {
    mic: Microphone,
    mode: Listen,
    vad: Vad,
    jobs: Sender<Work>,
    replies: Mutex<Receiver<Reply>>,
    /// Whether the recognisers opened (until the worker says, assume so).
    can_hear: bool,
    /// The state shown to the trainee.
    pub state: ListenState,
    next_id: u64,
    /// The job being recognised and its timing.
    current: Option<(u64, UtteranceTiming)>,
    /// A decision ready to send.
    decided: Option<(Heard, Delivery)>,
    /// Stream time when the customer last stopped speaking.
    customer_stopped_s: Option<f64>,
    /// The pause before the utterance in progress, taken as it started (a line the
    /// customer cuts in with later does not make it a reply with no pause).
    pause_at_start: Option<f32>,
    /// A pause inside the utterance in progress has been reported.
    pause_reported: bool,
    /// The customer cut in on the utterance in progress, this many seconds into it.
    cut_off: Option<f32>,
    /// The job in flight was sent at a pause of the utterance still in progress.
    pause_job: bool,
    /// Silence ended the utterance while its last pause was still being judged: sent
    /// whole only if that judgement finds the turn was not over.
    ended_meanwhile: Option<EndedUtterance>,
    /// A decision made at a pause waits until this stream time (the trainee may carry
    /// on); speech before then voids it.
    send_at_s: Option<f64>,
    /// The end of the utterance in progress has been reported (`TraineeTalk::Stopped`).
    stop_reported: bool,
    customer_speaking: bool,
    /// The utterance the grammar hears along (guided mode): when it started, and how many
    /// of its samples the worker has been given.
    along: Option<(f64, usize)>,
    /// The session wants a reply (options are on offer, the session has not ended).
    awaiting: bool,
    /// The replies on offer now.
    offered: Vec<OfferedReply>,
    buffer: Vec<f32>,
    /// The latest practice tip, shown until this time.
    tip: Option<(String, Instant)>,
    /// Timings of the utterances heard, oldest first (for benchmarks and tests).
    pub timings: VecDeque<UtteranceTiming>,
}

impl SpeechInput {
    /// Stream time in seconds.
    pub fn now_s(&self) -> f64 {
        self.vad.now_s()
    }
}

/// Registers speech input.
pub fn plugin(app: &mut App) {
    app.init_resource::<HearingSettings>()
        .add_message::<SpeechRecognised>()
        .add_message::<TraineeTalk>()
        .add_message::<crate::app::customer::listening::CustomerCutIn>()
        .add_message::<crate::app::trainee::correction::TakeBack>()
        .add_systems(Startup, open_speech)
        .add_systems(
            OnEnter(Screen::Session),
            (reset_for_session, indicator::spawn_indicator),
        )
        .add_systems(
            Update,
            (
                (
                    turns::track_turns,
                    turns::capture,
                    decide::collect_results,
                    decide::commit,
                )
                    .chain()
                    .in_set(AppSystems::RecordInput),
                decide::undo.in_set(AppSystems::RecordInput).before(decide::commit),
            )
                .run_if(resource_exists::<SpeechInput>)
                .run_if(resource_exists::<ActiveSession>)
                .run_if(in_state(Screen::Session)),
        )
        .add_systems(
            Update,
            indicator::show_indicator
                .in_set(PresentSystems::Ui)
                .run_if(in_state(Screen::Session)),
        );
}

/// Opens the microphone (or the files) and starts the recognition worker.
pub fn open_speech(mut commands: Commands, config: Res<HearingSettings>, mut notices: MessageWriter<Notice>) {
    let mic = if !config.mic_wav.is_empty() {
        match FileFeed::open(&config.mic_wav) {
            Ok(feed) => Microphone::Files(feed),
            Err(e) => {
                notices.write(Notice::error(format!("The recorded replies could not be read: {e:#}")));
                return;
            }
        }
    } else if config.listen == Listen::Off {
        return;
    } else {
        match DeviceInput::open() {
            Ok(d) => Microphone::Device(d),
            Err(e) => {
                info!("no microphone: {e:#}");
                notices.write(Notice::info(format!(
                    "No microphone ({e:#}). Click or type your replies; number keys pick options."
                )));
                return;
            }
        }
    };
    let mode = if matches!(mic, Microphone::Files(_)) {
        if config.files_push_to_talk {
            Listen::PushToTalk
        } else {
            Listen::OpenMic
        }
    } else {
        config.listen
    };
    info!("speech input: {} ({mode:?})", mic.label());
    let (jobs, jobs_rx) = channel::<Work>();
    let (replies_tx, replies) = channel::<Reply>();
    let model = config.whisper_model.clone();
    // Only an open microphone needs to judge pauses; push-to-talk's release ends a turn.
    let turn_model = (mode == Listen::OpenMic).then(|| config.turn_model.clone());
    let spawned = std::thread::Builder::new()
        .name("holdspace-speech".to_owned())
        .spawn(move || recognition_worker(model, turn_model, jobs_rx, replies_tx));
    if let Err(e) = spawned {
        notices.write(Notice::error(format!("Speech recognition could not start: {e}")));
        return;
    }
    commands.insert_resource(SpeechInput {
        mic,
        mode,
        vad: Vad::new(vad_config(mode, true)),
        jobs,
        replies: Mutex::new(replies),
        can_hear: true,
        state: ListenState::Off,
        next_id: 0,
        current: None,
        decided: None,
        customer_stopped_s: None,
        pause_at_start: None,
        pause_reported: false,
        cut_off: None,
        pause_job: false,
        ended_meanwhile: None,
        send_at_s: None,
        stop_reported: false,
        customer_speaking: false,
        along: None,
        awaiting: false,
        offered: Vec::new(),
        buffer: Vec::new(),
        tip: None,
        timings: VecDeque::new(),
    });
}

/// How long a silence ends an open-microphone turn that the end-of-turn checks judged
/// unfinished: longer than people pause inside a sentence (300–600 ms), short enough not
/// to leave the customer waiting on a thought that has ended.
pub const TURN_CAP_MS: u32 = 1200;

/// The detector for `mode`: on an open microphone with the end-of-turn model, pauses are
/// judged and silence ends a turn only at the cap; without the model, half a second of
/// silence ends it. Push-to-talk ends at the release.
pub fn vad_config(mode: Listen, ends_turns: bool) -> VadConfig {
    match mode {
        Listen::OpenMic if ends_turns => VadConfig::open_mic(TURN_CAP_MS),
        _ => VadConfig::default(),
    }
}

/// A new session starts with a clean slate.
fn reset_for_session(speech: Option<ResMut<SpeechInput>>) {
    let Some(mut speech) = speech else { return };
    // Whatever the microphone queued while no session was on (the debrief, the select
    // screen) is not a reply to this customer.
    let mut stale = Vec::new();
    speech.mic.read(0.0, &mut stale);
    let config = speech.vad.config();
    speech.vad = Vad::new(config);
    speech.state = ListenState::Off;
    speech.current = None;
    speech.decided = None;
    speech.awaiting = false;
    speech.customer_stopped_s = None;
    speech.pause_at_start = None;
    speech.pause_reported = false;
    speech.cut_off = None;
    speech.pause_job = false;
    speech.ended_meanwhile = None;
    speech.send_at_s = None;
    speech.stop_reported = false;
    speech.customer_speaking = false;
    speech.along = None;
    speech.offered.clear();
}
