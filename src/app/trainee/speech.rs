//! The trainee speaks: microphone (or `--mic-wav` files) → voice-activity detection →
//! recognition on a worker thread → the words echoed with a short undo window → a
//! `ReplyGiven` with the delivery measured from the audio.
//!
//! Recognition runs in two stages so the trainee sees something fast: the grammar's pick
//! among the offered replies (tens of milliseconds) is echoed at once; Whisper's
//! transcript then confirms it, or turns it into free speech, before the undo window
//! closes. Typed and clicked replies keep working throughout. Without a microphone or a
//! model the app says so and carries on with the rest.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use holdspace_core::analysis::delivery::{LoudnessBaseline, SpokenReply, live_tip, measure};
use holdspace_core::analysis::spoken::{OptionGrammar, spoken_words};
use holdspace_core::engine::events::{OfferedReply, Spoken};
use holdspace_core::{Delivery, Mode, TurnInput};
use holdspace_speech::listen::{Heard, Listener};
use holdspace_speech::vad::{Vad, VadConfig, VadEvent};

use crate::app::customer::voice::{TraineeStartedSpeaking, VoiceOutput};
use crate::app::notice::Notice;
use crate::app::screens::Screen;
use crate::app::session::hud::PlayOptions;
use crate::app::session::runner::{ActiveSession, CustomerSpoke, OptionsOffered, SessionEnded, TraineeReplied};
use crate::app::theme::{ACCENT, MUTED, PANEL, SMALL, TEXT, label};
use crate::app::trainee::mic::{DeviceInput, FileFeed, Microphone};
use crate::app::trainee::reply::ReplyGiven;
use crate::app::{AppSystems, PresentSystems};

/// How long the recognised words stay up, undoable, before they are sent.
pub const UNDO_WINDOW: Duration = Duration::from_millis(1500);
/// Extra time to undo when the transcript changed what was echoed.
const CHANGED_WINDOW: Duration = Duration::from_millis(1000);
/// With recorded files, how long the "trainee" waits after the customer stops.
const FILE_REPLY_PAUSE_S: f64 = 0.8;

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
    /// Words recognised, shown and undoable until `until`.
    Echo {
        /// What will be sent.
        text: String,
        /// The reply it counts as, if one.
        reply: Option<String>,
        /// When it is sent (if the transcript has arrived by then).
        until: Instant,
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

/// One utterance for the worker.
struct Job {
    id: u64,
    grammar: Option<OptionGrammar>,
    audio: Vec<f32>,
    pause_before_s: Option<f32>,
}

/// What the worker sends back.
enum Reply {
    /// The recognisers are open (or not), with notices.
    Ready { notices: Vec<String>, can_hear: bool },
    /// The grammar's pick (stage one).
    Picked {
        id: u64,
        text: Option<(String, String)>,
        ms: f64,
    },
    /// The decision (stage two).
    Heard {
        id: u64,
        heard: Heard,
        delivery: Delivery,
        grammar_ms: f64,
        whisper_ms: f64,
    },
    /// Recognition failed.
    Failed { id: u64, error: String },
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
}

impl Default for HearingSettings {
    fn default() -> Self {
        HearingSettings {
            listen: Listen::PushToTalk,
            mic_wav: Vec::new(),
            whisper_model: holdspace_speech::whisper::default_model_path(),
        }
    }
}

/// The speech input's state, present when a source of speech was opened.
#[derive(Resource)]
pub struct SpeechInput {
    mic: Microphone,
    mode: Listen,
    vad: Vad,
    jobs: Sender<Job>,
    replies: Mutex<Receiver<Reply>>,
    /// Whether the recognisers opened (until the worker says, assume so).
    can_hear: bool,
    /// The state shown to the trainee.
    pub state: ListenState,
    next_id: u64,
    /// The job being recognised and its timing.
    current: Option<(u64, UtteranceTiming)>,
    /// A decision waiting for its undo window to close.
    decided: Option<(Heard, Delivery)>,
    /// Stream time when the customer last stopped speaking.
    customer_stopped_s: Option<f64>,
    customer_speaking: bool,
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

/// The speech indicator's text.
#[derive(Component, Debug)]
pub struct SpeechIndicator;

/// Registers speech input.
pub fn plugin(app: &mut App) {
    app.init_resource::<HearingSettings>()
        .add_message::<SpeechRecognised>()
        .add_systems(Startup, open_speech)
        .add_systems(OnEnter(Screen::Session), (reset_for_session, spawn_indicator))
        .add_systems(
            Update,
            (
                (track_turns, capture, collect_results, commit)
                    .chain()
                    .in_set(AppSystems::RecordInput),
                undo.in_set(AppSystems::RecordInput).before(commit),
            )
                .run_if(resource_exists::<SpeechInput>)
                .run_if(resource_exists::<ActiveSession>)
                .run_if(in_state(Screen::Session)),
        )
        .add_systems(
            Update,
            show_indicator
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
        Listen::OpenMic
    } else {
        config.listen
    };
    info!("speech input: {} ({mode:?})", mic.label());
    let (jobs, jobs_rx) = channel::<Job>();
    let (replies_tx, replies) = channel::<Reply>();
    let model = config.whisper_model.clone();
    let spawned = std::thread::Builder::new()
        .name("holdspace-speech".to_owned())
        .spawn(move || recognition_worker(model, jobs_rx, replies_tx));
    if let Err(e) = spawned {
        notices.write(Notice::error(format!("Speech recognition could not start: {e}")));
        return;
    }
    commands.insert_resource(SpeechInput {
        mic,
        mode,
        vad: Vad::new(VadConfig::default()),
        jobs,
        replies: Mutex::new(replies),
        can_hear: true,
        state: ListenState::Off,
        next_id: 0,
        current: None,
        decided: None,
        customer_stopped_s: None,
        customer_speaking: false,
        awaiting: false,
        offered: Vec::new(),
        buffer: Vec::new(),
        tip: None,
        timings: VecDeque::new(),
    });
}

/// The worker: opens the recognisers (slow: the Whisper model), then hears each job in
/// two stages. The loudness baseline lives here, where every utterance passes.
fn recognition_worker(model: PathBuf, jobs: Receiver<Job>, replies: Sender<Reply>) {
    let mut listener = Listener::open(&model, 1);
    let _ = replies.send(Reply::Ready {
        notices: listener.notices().to_vec(),
        can_hear: listener.can_hear(),
    });
    let mut baseline = LoudnessBaseline::default();
    for job in jobs {
        let t0 = Instant::now();
        let pick = match job.grammar.as_ref() {
            Some(g) => listener.pick(g, &job.audio),
            None => Ok(None),
        };
        let grammar_ms = t0.elapsed().as_secs_f64() * 1000.0;
        let pick = match pick {
            Ok(p) => p,
            Err(e) => {
                let _ = replies.send(Reply::Failed {
                    id: job.id,
                    error: e.to_string(),
                });
                continue;
            }
        };
        let echo = pick.as_ref().map(|p| (p.reply.clone(), p.heard.text.clone()));
        let _ = replies.send(Reply::Picked {
            id: job.id,
            text: echo,
            ms: grammar_ms,
        });
        let t1 = Instant::now();
        let transcript = match listener.transcribe_for(job.grammar.as_ref(), &job.audio) {
            Ok(t) => t,
            Err(e) => {
                warn!("whisper: {e}");
                None
            }
        };
        let whisper_ms = t1.elapsed().as_secs_f64() * 1000.0;
        let heard = holdspace_speech::listen::decide(job.grammar.as_ref(), pick.as_ref(), transcript.as_ref());
        let words = match &heard {
            Heard::Reply { said, .. } | Heard::Free { said, .. } => spoken_words(said).len() as u32,
            Heard::Nothing => 0,
        };
        let delivery = measure(
            &SpokenReply {
                audio: &job.audio,
                sample_rate: holdspace_speech::vad::RATE,
                words,
                fillers: None,
                pause_before_s: job.pause_before_s,
                interrupted: false,
            },
            &mut baseline,
        );
        let _ = replies.send(Reply::Heard {
            id: job.id,
            heard,
            delivery,
            grammar_ms,
            whisper_ms,
        });
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
    speech.customer_speaking = false;
    speech.offered.clear();
}

/// Follows the conversation: whether a reply is wanted, and when the customer stopped.
fn track_turns(
    mut speech: ResMut<SpeechInput>,
    mut offered: MessageReader<OptionsOffered>,
    mut ended: MessageReader<SessionEnded>,
    mut replied: MessageReader<TraineeReplied>,
    active: Res<ActiveSession>,
    voice: Option<Res<VoiceOutput>>,
) {
    let speaking = voice.as_ref().is_some_and(|v| v.is_busy());
    if speech.customer_speaking && !speaking {
        speech.customer_stopped_s = Some(speech.now_s());
    }
    speech.customer_speaking = speaking;
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
    if replied.read().last().is_some() {
        // A clicked or typed reply answers the turn; anything half-heard is dropped.
        speech.decided = None;
        speech.current = None;
        speech.customer_stopped_s = None;
        if matches!(speech.state, ListenState::Echo { .. } | ListenState::Recognising) {
            speech.state = ListenState::Ready;
        }
    }
    if speech.state == ListenState::Off && speech.can_hear {
        speech.state = ListenState::Ready;
    }
}

/// Reads the microphone, runs the detector, and hands finished utterances to the worker.
fn capture(
    mut speech: ResMut<SpeechInput>,
    time: Res<Time>,
    talk: Option<Res<crate::app::trainee::talk::TalkHeld>>,
    active: Res<ActiveSession>,
    mut started: MessageWriter<TraineeStartedSpeaking>,
) {
    let speech = &mut *speech;
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
    let talk_held = talk.is_some_and(|t| t.held());
    let listening = match speech.mode {
        Listen::PushToTalk => talk_held,
        Listen::OpenMic => true,
        Listen::Off => false,
    };
    let mut events = if listening {
        speech.vad.push(&buffer)
    } else {
        Vec::new()
    };
    if speech.mode == Listen::PushToTalk && !talk_held && speech.vad.in_speech() {
        events.extend(speech.vad.finish());
    }
    speech.buffer = buffer;
    for event in events {
        match event {
            VadEvent::Started(at) => {
                started.write(TraineeStartedSpeaking);
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
            VadEvent::Ended(utterance) => {
                if !speech.awaiting || speech.current.is_some() {
                    // Not the trainee's turn, or still busy with the last reply.
                    if speech.state == ListenState::Hearing {
                        speech.state = ListenState::Ready;
                    }
                    continue;
                }
                let grammar = (active.session().mode() == Mode::Guided).then(|| grammar_for(&active, &speech.offered));
                let pause_before_s = match (speech.customer_stopped_s, speech.customer_speaking) {
                    (_, true) => Some(0.0),
                    (Some(stopped), false) => Some((utterance.started_s - stopped).max(0.0) as f32),
                    (None, false) => None,
                };
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
                };
                let job = Job {
                    id,
                    grammar,
                    audio: utterance.samples,
                    pause_before_s,
                };
                if speech.jobs.send(job).is_ok() {
                    speech.current = Some((id, timing));
                    speech.state = ListenState::Recognising;
                }
            }
        }
    }
}

/// The grammar of the replies on offer, with the author's phrasings.
fn grammar_for(active: &ActiveSession, offered: &[OfferedReply]) -> OptionGrammar {
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

/// Takes the worker's answers: echoes the pick, keeps the decision for `commit`.
fn collect_results(
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
fn undo(mut speech: ResMut<SpeechInput>, keys: Option<Res<ButtonInput<KeyCode>>>) {
    let pressed = keys.is_some_and(|k| k.just_pressed(KeyCode::Escape));
    if pressed && matches!(speech.state, ListenState::Echo { .. } | ListenState::Recognising) {
        speech.current = None;
        speech.decided = None;
        speech.state = ListenState::Ready;
    }
}

/// Sends the decision once its undo window has closed; says "Sorry?" for nothing heard.
fn commit(
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

/// Spawns the indicator at the top left, under the scenario's title (the bottom of the
/// screen belongs to the subtitle and the options).
fn spawn_indicator(mut commands: Commands) {
    commands.spawn((
        Name::new("Speech indicator"),
        DespawnOnExit(Screen::Session),
        Node {
            position_type: PositionType::Absolute,
            left: px(16.0),
            top: px(84.0),
            max_width: px(420.0),
            padding: UiRect::axes(px(12.0), px(8.0)),
            border_radius: BorderRadius::all(px(6.0)),
            ..default()
        },
        BackgroundColor(PANEL),
        children![(SpeechIndicator, label("", SMALL, MUTED))],
    ));
}

/// Keeps the indicator's words and colour in step with the listener.
fn show_indicator(
    speech: Option<ResMut<SpeechInput>>,
    mut text: Query<(&mut Text, &mut TextColor), With<SpeechIndicator>>,
) {
    let Some(mut speech) = speech else {
        for (mut t, _) in &mut text {
            if t.0.is_empty() {
                t.0 = "No voice input: click or type your replies".to_owned();
            }
        }
        return;
    };
    if speech.tip.as_ref().is_some_and(|(_, until)| Instant::now() >= *until) {
        speech.tip = None;
    }
    let talk = match speech.mode {
        Listen::PushToTalk => "Hold Ctrl and speak",
        _ => "Listening: just speak",
    };
    let (words, colour) = match &speech.state {
        ListenState::Off => ("Voice input off".to_owned(), MUTED),
        ListenState::Ready if !speech.awaiting => (format!("Mic on. {talk} when it's your turn"), MUTED),
        ListenState::Ready | ListenState::NotCaught => (format!("Mic on. {talk}"), TEXT),
        ListenState::Hearing => ("Hearing you...".to_owned(), ACCENT),
        ListenState::Recognising => ("Working out what you said...".to_owned(), ACCENT),
        ListenState::Echo { text, .. } => (format!("You said: \"{text}\"  (Esc to undo)"), ACCENT),
    };
    let words = match &speech.tip {
        Some((tip, _)) if matches!(speech.state, ListenState::Ready | ListenState::NotCaught) => {
            format!("{words}\n{tip}")
        }
        _ => words,
    };
    for (mut t, mut c) in &mut text {
        if t.0 != words {
            t.0 = words.clone();
        }
        if c.0 != colour {
            c.0 = colour;
        }
    }
}
