//! `holdspace run` (and `holdspace` alone): the desktop app, with the options that make
//! it scriptable for tests and demos.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use holdspace::app::config::Platform;
use holdspace::app::customer::avatar::CastingSettings;
use holdspace::app::customer::voice::VoiceSettings;
use holdspace::app::dev::capture::CaptureSettings;
use holdspace::app::platform::xr::XrSettings;
use holdspace::app::screens::debrief::DebriefSettings;
use holdspace::app::screens::loading::StartSettings;
use holdspace::app::session::hud::PlayOptions;
use holdspace::app::session::scene::SceneSettings;
use holdspace::app::trainee::script::ScriptSettings;
use holdspace::app::trainee::speech::{HearingSettings, Listen};
use holdspace::app::{AppConfig, run as run_app};
use holdspace_core::Mode;
use holdspace_core::scenario::script::parse_script;

/// Options for the desktop app.
#[derive(Debug, Default, clap::Args)]
pub struct RunArgs {
    /// Start straight in this scenario (id), skipping the select screen.
    #[arg(long)]
    scenario: Option<String>,
    /// Seed for the customer's variation (random if omitted).
    #[arg(long)]
    seed: Option<u64>,
    /// Open mode: no options, type your own replies.
    #[arg(long)]
    open: bool,
    /// Assessment mode: hide the escalation meter.
    #[arg(long)]
    assessment: bool,
    /// Play these scripted turns (the `simulate` format) one every few frames.
    #[arg(long)]
    script: Option<PathBuf>,
    /// Save a PNG screenshot of the window, then exit.
    #[arg(long)]
    screenshot: Option<PathBuf>,
    /// Frames between scripted turns (default 6).
    #[arg(long)]
    script_interval: Option<u32>,
    /// Frames to render before the screenshot (or before exiting).
    #[arg(long)]
    frames: Option<u32>,
    /// Exit once the debrief is on screen (taking the screenshot there, if asked).
    #[arg(long)]
    exit_after_debrief: bool,
    /// Window size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x720", value_parser = parse_size)]
    size: (u32, u32),
    /// Directory of scenarios.
    #[arg(long = "scenarios", default_value = holdspace::loader::DEFAULT_DIR)]
    scenarios: PathBuf,
    /// Open the debrief of the latest session a crash cut short.
    #[arg(long)]
    open_interrupted: bool,
    /// Replay a recorded session ("latest" or its id) from the customer's seat.
    #[arg(long, value_name = "SESSION")]
    replay: Option<String>,
    /// No sound: the customer's lines show as subtitles, timed as if spoken.
    #[arg(long)]
    no_audio: bool,
    /// How to use the microphone: push-to-talk (hold Ctrl), open-mic (use a headset), or off.
    #[arg(long, value_enum, default_value = "push-to-talk")]
    listen: Listen,
    /// Say these recorded replies (WAV files, in order, one per turn) instead of using a
    /// microphone: the whole speech path runs on them.
    #[arg(long, value_name = "WAV", num_args = 1..)]
    mic_wav: Vec<PathBuf>,
    /// The Whisper model for free speech (default: where scripts/whisper-model.sh puts it).
    #[arg(long, value_name = "FILE")]
    whisper_model: Option<PathBuf>,
    /// The folder of the open microphone's end-of-turn model and ONNX Runtime (default:
    /// where scripts/turn-model.sh puts them).
    #[arg(long, value_name = "DIR")]
    turn_model: Option<PathBuf>,
    /// Where the customer avatars are (default: where scripts/avatar.sh puts them,
    /// $HOLDSPACE_AVATARS or ~/.cache/holdspace/avatars).
    #[arg(long, value_name = "DIR")]
    avatars: Option<PathBuf>,
    /// Show the simple stand-in customer instead of the avatar.
    #[arg(long)]
    stand_in: bool,
    /// Cast this look instead of the scenario's: adult_male, older_female, young_female or
    /// older_male.
    #[arg(long, value_name = "LOOK")]
    look: Option<String>,
    /// Frame the customer's head and shoulders (for contact sheets).
    #[arg(long, hide = true)]
    close_up: bool,
    /// The debrief tab to open first (for screenshots of a headless run).
    #[arg(long, value_enum, hide = true)]
    debrief_tab: Option<holdspace::app::screens::debrief::Tab>,
    /// Print start-up milestones and, at exit, the peak memory (for `bench startup`).
    #[arg(long, hide = true)]
    marks: bool,
    /// Start in VR or not at all: exit with the reason when no OpenXR runtime and headset
    /// can be opened. (By default Holdspace starts in VR when it can and falls back to the
    /// desktop with a notice when it cannot.)
    #[arg(long, conflicts_with = "desktop")]
    xr: bool,
    /// Start on the desktop without looking for a headset.
    #[arg(long)]
    desktop: bool,
    /// VR smoke test: play N headset frames of a scripted session (a controller selection
    /// included), log the session states, then exit; the exit status is 0 only if the
    /// session reached FOCUSED and frames were submitted. Implies --xr.
    #[arg(long, value_name = "N", conflicts_with = "desktop")]
    xr_smoke: Option<u32>,
    /// Per-eye image size to ask the OpenXR runtime for, WIDTHxHEIGHT (default: the
    /// runtime's recommendation; smaller for software rendering).
    #[arg(long, value_parser = parse_size, value_name = "WxH")]
    xr_resolution: Option<(u32, u32)>,
    /// Start the coach's console with the app: a coach opens the address it prints in a
    /// browser to watch the session live and steer the customer.
    #[arg(long)]
    console: bool,
    /// The address the console listens on (implies --console). Loopback (the default,
    /// 127.0.0.1:7878) needs no token; any other address prints access tokens to use.
    #[arg(long, value_name = "ADDR")]
    console_listen: Option<std::net::SocketAddr>,
    #[command(flatten)]
    records: holdspace::records::RecordsArgs,
}

/// Where the coach's console listens unless told otherwise: this machine only.
pub const CONSOLE_DEFAULT: &str = "127.0.0.1:7878";

/// The scenario `--xr-smoke` plays unless `--scenario` says otherwise.
const XR_SMOKE_SCENARIO: &str = "delivery_bereavement";

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| format!("expected WIDTHxHEIGHT, got \"{s}\""))?;
    let num = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("\"{v}\" is not a whole number"))
    };
    Ok((num(w)?, num(h)?))
}

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let script = match &args.script {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            parse_script(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => Vec::new(),
    };
    let scenarios = if args.scenarios.as_os_str().is_empty() {
        PathBuf::from(holdspace::loader::DEFAULT_DIR)
    } else {
        args.scenarios
    };
    let mut config = AppConfig {
        platform: if args.xr || args.xr_smoke.is_some() {
            Platform::Xr
        } else if args.desktop {
            Platform::Desktop
        } else {
            Platform::Auto
        },
        resolution: if args.size == (0, 0) { (1280, 720) } else { args.size },
        marks: args.marks,
        start: StartSettings {
            scenarios_dir: scenarios,
            scenario: args.scenario,
            seed: args.seed,
            open_interrupted: args.open_interrupted,
            replay: args.replay,
        },
        play: PlayOptions {
            mode: if args.open { Mode::Open } else { Mode::Guided },
            practice: !args.assessment,
        },
        records: args.records,
        script: ScriptSettings {
            turns: script,
            interval: args.script_interval.unwrap_or(ScriptSettings::default().interval),
        },
        capture: CaptureSettings {
            screenshot: args.screenshot,
            frames: args.frames,
            exit_after_debrief: args.exit_after_debrief,
        },
        debrief: DebriefSettings {
            first_tab: args.debrief_tab.unwrap_or_default(),
        },
        voice: VoiceSettings { audio: !args.no_audio },
        hearing: HearingSettings {
            listen: args.listen,
            mic_wav: args.mic_wav,
            whisper_model: args
                .whisper_model
                .unwrap_or_else(holdspace_speech::whisper::default_model_path),
            turn_model: args.turn_model.unwrap_or_else(holdspace_speech::turn::default_dir),
            files_push_to_talk: false,
        },
        casting: CastingSettings {
            avatar_dir: args
                .avatars
                .unwrap_or_else(holdspace::app::customer::avatar::default_dir),
            stand_in: args.stand_in,
            look: args.look,
        },
        scene: SceneSettings {
            close_up: args.close_up,
        },
        xr: XrSettings {
            smoke: args.xr_smoke,
            resolution: args.xr_resolution,
        },
        console: holdspace::app::session::coach::ConsoleSettings {
            listen: match (args.console_listen, args.console) {
                (Some(addr), _) => Some(addr),
                (None, true) => CONSOLE_DEFAULT.parse().ok(),
                (None, false) => None,
            },
        },
    };
    if config.xr.smoke.is_some() {
        // A real session straight away, the same every time: no sound card or
        // microphone is needed (the selection is the controller's).
        config
            .start
            .scenario
            .get_or_insert_with(|| XR_SMOKE_SCENARIO.to_owned());
        config.start.seed.get_or_insert(1);
        config.voice.audio = false;
        config.hearing.listen = Listen::Off;
    }
    let exit = run_app(config)?;
    if args.marks
        && let Some(kib) = holdspace::app::dev::marks::peak_rss_kib()
    {
        eprintln!("{} peak_rss_kib {kib}", holdspace::app::dev::marks::PREFIX);
    }
    Ok(if exit.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
