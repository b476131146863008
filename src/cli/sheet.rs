//! `holdspace contact-sheet`: every look in the sheet's five states (calm, frustrated,
//! angry, hostile, need revealed), rendered offscreen in the session's room through the
//! close-up and laid out one row per look, left to right in that order. Each panel is
//! checked (not black, not flat, no notice banner over the face); the sheet is written
//! whatever they show, so a failing panel can be looked at, and the command fails then.
//! A half-size copy (`avatar-states-half.png`) is what docs/avatar-states.png is made from.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use holdspace::app::customer::avatar::standalone::HeadlessAvatar;
use holdspace::app::customer::lipsync::CustomerMouth;
use holdspace::app::dev::sheet::{self, Panel, STATES};
use holdspace_core::expression::body::{self, BodyCue, BodyStyle, LOOKS};

/// One panel's size: head, shoulders and hands above the counter.
const PANEL: UVec2 = UVec2::new(360, 420);
/// Game time per frame, and frames each state is held before it is taken: long enough
/// for the body to ease into it (time constants under a second) and a gesture to land.
const STEP: f32 = 1.0 / 30.0;
const SETTLE_FRAMES: usize = 75;

/// Renders the sheet into `out/avatar-states.png` from the avatars in `avatars`: every
/// look, or only those named in `only`.
pub fn run(out: &Path, avatars: Option<PathBuf>, only: &[String]) -> Result<ExitCode> {
    let dir = avatars.unwrap_or_else(holdspace::app::customer::avatar::default_dir);
    if let Some(unknown) = only.iter().find(|l| !LOOKS.contains(&l.as_str())) {
        bail!("no look called {unknown:?}; the looks are {}", LOOKS.join(", "));
    }
    // Rows in the order a reader meets the scenarios' customers.
    let looks: Vec<&str> = ["older_female", "adult_male", "young_female", "older_male"]
        .into_iter()
        .filter(|l| only.is_empty() || only.iter().any(|o| o == l))
        .collect();
    for look in &looks {
        let glb = dir.join(format!("{look}.glb"));
        if !glb.is_file() {
            bail!(
                "{} is missing: build the avatars with `bash scripts/avatar.sh`",
                glb.display()
            );
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut rows = Vec::new();
    let mut faults = Vec::new();
    for &look in &looks {
        let mut avatar = HeadlessAvatar::rendered(&dir, look, STEP, PANEL)?;
        let mut row = Vec::new();
        for state in &STATES {
            avatar.say(state.band, state.tags);
            avatar.step();
            // The need's disclosure comes from the engine's session, which this app has
            // not got: the same targets the session would give, set directly.
            avatar.set_targets(body::targets(&BodyCue {
                band: state.band,
                escalation: state.escalation,
                trust: state.trust,
                disclosure: state.disclosure,
                tags: state.tags,
                style: BodyStyle::default(),
            }));
            for _ in 0..SETTLE_FRAMES {
                avatar.step();
            }
            // The mouth as the voice would leave it mid-word (no voice plays here).
            avatar.app.insert_resource(CustomerMouth(state.mouth));
            avatar.step();
            let started = std::time::Instant::now();
            let panel = avatar.capture()?;
            eprintln!(
                "{look}, {}: drawn in {:.1} s",
                state.name,
                started.elapsed().as_secs_f32()
            );
            if let Err(fault) = sheet::check(&panel) {
                faults.push(format!("{look}, {}: {fault}", state.name));
            }
            row.push(panel);
        }
        println!("{look}: {} states taken", row.len());
        rows.push(row);
    }
    let path = out.join("avatar-states.png");
    let grid = sheet::grid(&rows, 6);
    save(&grid, &path)?;
    // The README's copy: half the size, a tenth of a repository's worth of PNG.
    save(&sheet::half(&grid), &out.join("avatar-states-half.png"))?;
    println!(
        "contact sheet: {} (rows {}; columns {})",
        path.display(),
        looks.join(", "),
        STATES.map(|s| s.name).join(", ")
    );
    if !faults.is_empty() {
        eprintln!(
            "{} panel(s) do not show the customer:\n  {}",
            faults.len(),
            faults.join("\n  ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes an RGB panel as PNG (through Bevy's image conversion, so no image crate of our own).
fn save(panel: &Panel, path: &Path) -> Result<()> {
    let rgba: Vec<u8> = panel
        .rgb
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    let image = Image::new(
        Extent3d {
            width: panel.width as u32,
            height: panel.height as u32,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        rgba,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    );
    image
        .try_into_dynamic()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_rgb8()
        .save(path)
        .with_context(|| format!("writing {}", path.display()))
}
