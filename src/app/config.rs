//! How the app was started: which scenario, seed and mode, and the headless-run options
//! that make it testable (`--script`, `--screenshot`, `--frames`, `--exit-after-debrief`).

use std::path::PathBuf;

use bevy::prelude::*;
use holdspace_core::{Mode, TurnInput};

/// The app's start-up options, a resource for the whole run.
#[derive(Resource, Debug, Clone)]
pub struct AppConfig {
    /// Folder of scenario files.
    pub scenarios_dir: PathBuf,
    /// Go straight into this scenario (by id), skipping the select screen.
    pub scenario: Option<String>,
    /// Seed for the customer's variation (random when absent).
    pub seed: Option<u64>,
    /// Guided or open.
    pub mode: Mode,
    /// Practice shows the escalation meter; assessment hides it.
    pub practice: bool,
    /// Scripted turns to play, one every [`AppConfig::script_interval`] frames.
    pub script: Vec<TurnInput>,
    /// Frames between scripted turns (time for the scene to react and be seen).
    pub script_interval: u32,
    /// Save a screenshot here…
    pub screenshot: Option<PathBuf>,
    /// …after this many frames (or when the debrief shows, with `exit_after_debrief`), then exit.
    pub frames: Option<u32>,
    /// Exit once the debrief has been shown (after its screenshot, if one was asked for).
    pub exit_after_debrief: bool,
    /// Window size in logical pixels.
    pub resolution: (u32, u32),
    /// Profile and folders for session records.
    pub records: crate::records::RecordsArgs,
    /// Open the debrief of the latest session a crash cut short, straight away.
    pub open_interrupted: bool,
    /// The debrief tab that opens first (a headless run's stand-in for clicking a tab).
    pub debrief_tab: DebriefTab,
    /// Replay this recorded session ("latest" or an id) from the customer's seat, straight away.
    pub replay: Option<String>,
    /// Play the customer's voice through the sound card (off: silent, subtitles still timed).
    pub audio: bool,
    /// How the microphone is used.
    pub listen: Listen,
    /// Recorded replies to say in turn instead of a microphone (`--mic-wav`).
    pub mic_wav: Vec<PathBuf>,
    /// The Whisper model for free speech.
    pub whisper_model: PathBuf,
    /// Where the customer avatars (one GLB per look) are read from.
    pub avatar_dir: PathBuf,
    /// Show the simple stand-in customer instead of the avatar.
    pub stand_in: bool,
    /// Cast this look instead of the scenario's (to preview a look).
    pub look: Option<String>,
    /// Frame the customer's head and shoulders instead of the trainee's view (for
    /// contact sheets and close inspection).
    pub close_up: bool,
    /// Print start-up milestones to standard error (`bench startup` reads them).
    pub marks: bool,
    /// A headset, the desktop, or whichever is there.
    pub platform: Platform,
    /// `--xr-smoke N`: run N headset frames of a scripted session, then exit (0 only if
    /// the session reached FOCUSED and frames were submitted).
    pub xr_smoke: Option<u32>,
    /// Per-eye image size to ask the runtime for (default: its recommendation).
    pub xr_resolution: Option<(u32, u32)>,
}

/// Where the session is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Platform {
    /// In a headset when an OpenXR runtime is there, else on the desktop with a notice.
    #[default]
    Auto,
    /// In a headset, or not at all (`--xr`).
    Xr,
    /// On the desktop, without looking for a headset (`--desktop`).
    Desktop,
}

/// How the trainee's microphone is used.
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

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            scenarios_dir: PathBuf::from(crate::loader::DEFAULT_DIR),
            scenario: None,
            seed: None,
            mode: Mode::Guided,
            practice: true,
            script: Vec::new(),
            script_interval: 6,
            screenshot: None,
            frames: None,
            exit_after_debrief: false,
            resolution: (1280, 720),
            records: crate::records::RecordsArgs::default(),
            open_interrupted: false,
            replay: None,
            debrief_tab: DebriefTab::WhatHappened,
            audio: true,
            listen: Listen::PushToTalk,
            mic_wav: Vec::new(),
            whisper_model: holdspace_speech::whisper::default_model_path(),
            avatar_dir: crate::app::customer::avatar::default_dir(),
            stand_in: false,
            look: None,
            close_up: false,
            marks: false,
            platform: Platform::Auto,
            xr_smoke: None,
            xr_resolution: None,
        }
    }
}

/// The debrief's tabs, in order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DebriefTab {
    /// Curves and turns.
    #[default]
    WhatHappened,
    /// The hidden need and the cues.
    HiddenNeed,
    /// Delivery, skills, progress.
    HowYouSpoke,
    /// Reflection questions.
    Reflect,
}
