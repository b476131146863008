//! How the app was started: the command line's choices, gathered per plugin. `run` inserts
//! each part as its own resource ([`AppConfig::insert`]), so a plugin reads only its own
//! settings and a test sets only the part it exercises; every plugin also initialises its
//! settings to the default, so it runs without them.

use bevy::prelude::*;

use crate::app::customer::avatar::CastingSettings;
use crate::app::customer::voice::VoiceSettings;
use crate::app::dev::capture::CaptureSettings;
use crate::app::platform::xr::XrSettings;
use crate::app::screens::debrief::DebriefSettings;
use crate::app::screens::loading::StartSettings;
use crate::app::session::coach::ConsoleSettings;
use crate::app::session::hud::PlayOptions;
use crate::app::session::journal::RecordsSettings;
use crate::app::session::scene::SceneSettings;
use crate::app::trainee::script::ScriptSettings;
use crate::app::trainee::speech::HearingSettings;
use crate::records::RecordsArgs;

/// The app's start-up options. Only `run` reads the fields at the top (they choose the
/// plugins and the window); the rest are per-plugin resources.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// A headset, the desktop, or whichever is there.
    pub platform: Platform,
    /// Window size in logical pixels.
    pub resolution: (u32, u32),
    /// Print start-up milestones to standard error (`bench startup` reads them).
    pub marks: bool,
    /// What to open first: scenarios folder, scenario, seed, a recorded session.
    pub start: StartSettings,
    /// Guided or open, practice or assessment.
    pub play: PlayOptions,
    /// Profile and folders for session records.
    pub records: RecordsArgs,
    /// Scripted turns (the headless twin of a trainee).
    pub script: ScriptSettings,
    /// Screenshot and exit points of a headless run.
    pub capture: CaptureSettings,
    /// The debrief tab that opens first.
    pub debrief: DebriefSettings,
    /// Sound card or silence.
    pub voice: VoiceSettings,
    /// Microphone use, recorded replies and the Whisper model.
    pub hearing: HearingSettings,
    /// Which avatar plays the customer, and from where.
    pub casting: CastingSettings,
    /// How the camera frames the scene.
    pub scene: SceneSettings,
    /// Headset options: the smoke run and the per-eye image size.
    pub xr: XrSettings,
    /// The coach's console (`--console`).
    pub console: ConsoleSettings,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            platform: Platform::Auto,
            resolution: (1280, 720),
            marks: false,
            start: StartSettings::default(),
            play: PlayOptions::default(),
            records: RecordsArgs::default(),
            script: ScriptSettings::default(),
            capture: CaptureSettings::default(),
            debrief: DebriefSettings::default(),
            voice: VoiceSettings::default(),
            hearing: HearingSettings::default(),
            casting: CastingSettings::default(),
            scene: SceneSettings::default(),
            xr: XrSettings::default(),
            console: ConsoleSettings::default(),
        }
    }
}

impl AppConfig {
    /// Inserts each plugin's settings as its own resource (before the plugins, whose
    /// `init_resource` then keeps them).
    pub fn insert(&self, app: &mut App) {
        app.insert_resource(self.start.clone())
            .insert_resource(self.play)
            .insert_resource(RecordsSettings(self.records.clone()))
            .insert_resource(self.script.clone())
            .insert_resource(self.capture.clone())
            .insert_resource(self.debrief)
            .insert_resource(self.voice)
            .insert_resource(self.hearing.clone())
            .insert_resource(self.casting.clone())
            .insert_resource(self.scene)
            .insert_resource(self.xr)
            .insert_resource(self.console);
    }
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
