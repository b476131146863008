//! `holdspace voices`: the customer's voices. `warm` synthesises a scenario's lines into
//! the disk cache ahead of a session (the neural voice takes about half a line's length
//! to say a line on a slow machine; a cached line starts at once); `compare` writes the
//! flite and neural versions of five lines in three bands side by side, to listen to;
//! `list` shows which voices are installed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use holdspace::loader::{load_scenario_file, recording_file, scenario_paths};
use holdspace_core::Band;
use holdspace_core::expression::prosody::Prosody;
use holdspace_core::scenario::model::{NEURAL_VOICES, VOICES};
use holdspace_voice::cache::{engine_label, listening_requests, scenario_requests};
use holdspace_voice::disk::{DiskCache, default_dir};
use holdspace_voice::{Engine, LineRequest, VoiceCache, render_line_with, wav};

/// What to do with the voices.
#[derive(Debug, clap::Subcommand)]
pub enum VoicesCommand {
    /// Synthesise scenarios' lines into the disk cache, so sessions start with them ready.
    Warm {
        /// Scenario files or ids (default: every scenario in the folder).
        scenarios: Vec<String>,
        /// Only the opening lines, in every band (what the set-up warms).
        #[arg(long)]
        openings: bool,
    },
    /// Write flite and neural versions of five lines in three bands as WAV files, with
    /// each take's pitch, length and level; fails if a band up is not higher, faster
    /// and louder.
    Compare {
        /// Folder for the files (made if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Show the voices scenarios can name and whether the neural voice is installed.
    List,
}

/// Runs `holdspace voices`.
pub fn run(command: VoicesCommand, dir: &Path) -> Result<ExitCode> {
    match command {
        VoicesCommand::Warm { scenarios, openings } => warm(&scenarios, openings, dir),
        VoicesCommand::Compare { out } => compare(&out, dir),
        VoicesCommand::List => {
            match holdspace_voice::kokoro::status() {
                Ok(k) => println!("neural voice: Kokoro-82M installed ({})", k.id()),
                Err(why) => println!("neural voice: not installed ({why}); lines are said with flite"),
            }
            println!("neural voices: {}", NEURAL_VOICES.join(", "));
            println!("flite voices:  {}", VOICES.join(", "));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn warm(args: &[String], openings: bool, dir: &Path) -> Result<ExitCode> {
    let names: Vec<String> = if args.is_empty() {
        scenario_paths(dir)?
            .into_iter()
            .map(|p| p.display().to_string())
            .collect()
    } else {
        args.to_vec()
    };
    let disk = DiskCache::new(default_dir());
    let cache = VoiceCache::with_disk(disk.clone());
    let started = Instant::now();
    for name in names {
        let (path, loaded) = load_scenario_file(&name, dir)?;
        let scenario = &loaded.scenario;
        let t = Instant::now();
        let requests: Vec<LineRequest> = if openings {
            scenario
                .lines()
                .iter()
                .filter(|l| l.id.starts_with("opening/"))
                .flat_map(|l| {
                    // A line written for one band is only said in it.
                    let bands = l.band.map_or(Band::ALL.to_vec(), |b| vec![b]);
                    bands.into_iter().map(|band| LineRequest {
                        text: l.line.text.clone(),
                        voice: scenario.customer.voice.clone(),
                        band,
                        tags: l.line.tags.clone(),
                        recording: None,
                    })
                })
                .collect()
        } else {
            let mut all = listening_requests(scenario);
            all.extend(scenario_requests(scenario, |audio| recording_file(&path, audio)));
            all
        };
        let made = cache.prefetch(&requests, &holdspace_voice::cache::PrefetchControl::default());
        println!(
            "{}: {} lines ready ({} synthesised now) in {:.1} s, {}",
            scenario.id,
            requests.len(),
            made,
            t.elapsed().as_secs_f32(),
            engine_label(&scenario.customer.voice)
        );
    }
    let (bytes, files) = disk.size();
    println!(
        "cache: {files} lines, {:.1} MB in {} ({:.1} s in all)",
        bytes as f64 / 1e6,
        disk.dir().display(),
        started.elapsed().as_secs_f32()
    );
    Ok(ExitCode::SUCCESS)
}

/// The first opening line of each shipped scenario, said calm, frustrated and hostile,
/// by flite and by the neural voice.
/// What a listener would judge a take by, measured on its audio.
struct Heard {
    /// Median pitch of the voiced frames.
    pitch_hz: f32,
    /// Spread of the pitch around it.
    spread_st: f32,
    /// Length of the take.
    seconds: f32,
    /// Level of the speech, pauses left out.
    level_dbfs: f32,
}

impl Heard {
    fn of(samples: &[f32], rate: u32) -> Self {
        use holdspace_core::analysis::signal::{active_level_dbfs, median_pitch, pitch_spread_semitones, pitch_track};
        let track = pitch_track(samples, rate);
        Heard {
            pitch_hz: median_pitch(&track).unwrap_or(f32::NAN),
            spread_st: pitch_spread_semitones(&track).unwrap_or(f32::NAN),
            seconds: samples.len() as f32 / rate.max(1) as f32,
            level_dbfs: active_level_dbfs(samples, rate),
        }
    }

    /// Higher, faster (the same words in less time) and louder than `other`.
    fn above(&self, other: &Heard) -> bool {
        self.pitch_hz > other.pitch_hz && self.seconds < other.seconds && self.level_dbfs > other.level_dbfs
    }
}

impl std::fmt::Display for Heard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pitch {:>5.0} Hz, spread {:>4.1} st, {:>4.2} s, {:>6.1} dBFS",
            self.pitch_hz, self.spread_st, self.seconds, self.level_dbfs
        )
    }
}

fn compare(out: &Path, dir: &Path) -> Result<ExitCode> {
    if let Err(why) = holdspace_voice::kokoro::status() {
        anyhow::bail!("the neural voice is not installed ({why}): run bash scripts/voice-model.sh");
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot make {}", out.display()))?;
    let (mut written, mut unfollowed) = (0, 0);
    for path in scenario_paths(dir)?.into_iter().take(5) {
        let (_, loaded) = load_scenario_file(&path.display().to_string(), dir)?;
        let scenario = &loaded.scenario;
        let Some(line) = scenario.lines().into_iter().find(|l| l.id.starts_with("opening/")) else {
            continue;
        };
        let voice = &scenario.customer.voice;
        println!(
            "{}: \"{}\" ({} / {})",
            scenario.id,
            line.line.text,
            voice.voice,
            voice.flite_voice()
        );
        for (engine, name) in [(Engine::Flite, "flite"), (Engine::Auto, "kokoro")] {
            let mut measured: Vec<Heard> = Vec::new();
            for band in [Band::Calm, Band::Frustrated, Band::Hostile] {
                let prosody = Prosody::for_line(voice, band, &line.line.tags);
                let speech = render_line_with(engine, &line.line.text, voice, &prosody)
                    .with_context(|| format!("voicing {} {}", scenario.id, line.id))?;
                let file = out.join(format!("{}.{}.{name}.wav", scenario.id, band.label()));
                wav::write_mono(&file, speech.sample_rate, &speech.samples)?;
                written += 1;
                let heard = Heard::of(&speech.samples, speech.sample_rate);
                println!("  {name:<6} {:<10} {heard}", band.label());
                measured.push(heard);
            }
            // Each band up should sound higher, faster and louder; say so where it is not.
            for pair in measured.windows(2) {
                if !pair[1].above(&pair[0]) {
                    unfollowed += 1;
                    println!("  {name}: a band up is not higher, faster and louder");
                }
            }
        }
    }
    println!("{written} files in {}", out.display());
    if unfollowed > 0 {
        println!("{unfollowed} step(s) up a band not higher, faster and louder (see above)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
