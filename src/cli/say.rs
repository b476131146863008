//! `holdspace say`: voices one customer line exactly as the app would (same voice, band,
//! tags and recording) and writes it as WAV, so authors and reviewers can listen.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use holdspace::loader::load_scenario_file;
use holdspace_core::Band;
use holdspace_voice::{LineRequest, Speaker, VoiceCache, wav};
use kira::backend::cpal::{CpalBackend, CpalBackendSettings};

/// A band on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BandArg {
    /// Calm.
    Calm,
    /// Uneasy.
    Uneasy,
    /// Frustrated.
    Frustrated,
    /// Angry.
    Angry,
    /// Hostile.
    Hostile,
}

impl From<BandArg> for Band {
    fn from(b: BandArg) -> Band {
        match b {
            BandArg::Calm => Band::Calm,
            BandArg::Uneasy => Band::Uneasy,
            BandArg::Frustrated => Band::Frustrated,
            BandArg::Angry => Band::Angry,
            BandArg::Hostile => Band::Hostile,
        }
    }
}

/// What to say and where to put it.
#[derive(Debug, clap::Args)]
pub struct SayArgs {
    /// Scenario file or id.
    scenario: String,
    /// The line's id (see --list), e.g. `opening/frustrated/0` or `need/revealed`.
    #[arg(long, required_unless_present = "list")]
    line: Option<String>,
    /// Say it in this band (default: the band it is written for; uneasy for `Any`,
    /// the reveal and the outcomes).
    #[arg(long, value_enum, conflicts_with = "all_bands")]
    band: Option<BandArg>,
    /// Write one file per band, `NAME.calm.wav` … `NAME.hostile.wav`.
    #[arg(long)]
    all_bands: bool,
    /// WAV file to write.
    #[arg(long, required_unless_present_any = ["list", "play"])]
    out: Option<PathBuf>,
    /// Also play it through the speakers.
    #[arg(long)]
    play: bool,
    /// List the scenario's line ids with their text, and stop.
    #[arg(long)]
    list: bool,
}

/// Runs `holdspace say`.
pub fn run(args: SayArgs, dir: &Path) -> Result<ExitCode> {
    let (path, loaded) = load_scenario_file(&args.scenario, dir)?;
    let scenario = &loaded.scenario;
    if args.list {
        for line in scenario.lines() {
            println!("{:<28} {}", line.id, line.line.text);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(id) = args.line.as_deref() else {
        bail!("give --line ID (see --list)");
    };
    let Some(found) = scenario.lines().into_iter().find(|l| l.id == id) else {
        bail!(
            "{} has no line \"{id}\"; `holdspace say {} --list` shows them",
            path.display(),
            scenario.id
        );
    };
    let recording = match &found.line.audio {
        Some(audio) => {
            let file = path.parent().unwrap_or(Path::new(".")).join(audio);
            if file.is_file() {
                Some(file)
            } else {
                eprintln!(
                    "recorded audio {} is missing: using the synthesised voice",
                    file.display()
                );
                None
            }
        }
        None => None,
    };
    let bands: Vec<Band> = if args.all_bands {
        Band::ALL.to_vec()
    } else {
        vec![args.band.map(Band::from).or(found.band).unwrap_or(Band::Uneasy)]
    };
    // The same cache the app reads, so what is written is what a session plays.
    let cache = VoiceCache::with_disk(holdspace_voice::disk::DiskCache::new(
        holdspace_voice::disk::default_dir(),
    ));
    for band in bands {
        let request = LineRequest {
            text: found.line.text.clone(),
            voice: scenario.customer.voice.clone(),
            band,
            tags: found.line.tags.clone(),
            recording: recording.clone(),
        };
        let (speech, _) = cache.voice(&request).with_context(|| format!("voicing {id}"))?;
        if let Some(out) = &args.out {
            let out = if args.all_bands {
                band_file(out, band)
            } else {
                out.clone()
            };
            wav::write_mono(&out, speech.sample_rate, &speech.samples)?;
            println!(
                "{}: {id} ({}, {} voice, {}, {:.2} s) -> {}",
                scenario.id,
                band.label(),
                scenario.customer.voice.voice,
                holdspace_voice::cache::engine_label(&scenario.customer.voice),
                speech.duration_s(),
                out.display()
            );
        }
        if args.play {
            play(speech)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `x.wav` → `x.hostile.wav`.
fn band_file(out: &Path, band: Band) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "line".into());
    out.with_file_name(format!("{stem}.{}.wav", band.label()))
}

fn play(speech: Arc<holdspace_voice::Speech>) -> Result<()> {
    let mut speaker = Speaker::<CpalBackend>::new(CpalBackendSettings::default())
        .context("no audio output device could be opened (write the line with --out and play the file instead)")?;
    let seconds = speech.duration_s();
    speaker.say(speech)?;
    std::thread::sleep(Duration::from_secs_f32(seconds + 0.3));
    Ok(())
}
