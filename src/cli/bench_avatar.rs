//! `holdspace bench avatar`: the customer avatar's CPU cost per frame (Bevy's animation
//! of the layered clips plus our code layers: body easing, face units, gaze, gestures,
//! fidgeting, and the transform propagation they cause), measured in the headless app at
//! a 90 Hz frame step while the customer changes state every two seconds; and the time
//! from asking for the GLB to the first posed frame.
//!
//! The cost is the difference between frames with the avatar and the same app's frames
//! once it is removed, so the fixed cost of the app's other systems drops out. No GPU:
//! skinning and morphing run on the GPU and are measured by the frame-time benchmark.

use std::time::Instant;

use anyhow::{Result, bail};
use bevy::prelude::*;
use holdspace::app::avatar::Avatar;
use holdspace::app::avatar::headless::HeadlessAvatar;
use holdspace_core::Band;
use holdspace_core::model::Tag;

use super::bench::Row;
use super::bench_voice::distribution;

/// Frames measured per case (ten seconds at 90 Hz).
const FRAMES: usize = 900;

pub(super) fn rows() -> Result<Vec<Row>> {
    let dir = holdspace::app::avatar::default_dir();
    let mut rows = Vec::new();
    for look in ["older_female", "adult_male"] {
        if !dir.join(format!("{look}.glb")).is_file() {
            bail!(
                "{} is missing: build the avatars with `bash scripts/avatar.sh`",
                dir.join(format!("{look}.glb")).display()
            );
        }
        let started = Instant::now();
        let mut avatar = HeadlessAvatar::new(&dir, look, 1.0 / 90.0)?;
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        rows.push(Row {
            name: format!("{look}: GLB requested to first posed frame"),
            runs: 1,
            median_ms: load_ms,
            min_ms: load_ms,
            max_ms: load_ms,
            per_item_us: f64::NAN,
            p95_ms: None,
        });

        let bands = [Band::Calm, Band::Frustrated, Band::Hostile, Band::Uneasy, Band::Angry];
        let tags: [&[Tag]; 5] = [
            &[Tag::OpenPosture, Tag::Nods],
            &[Tag::ArmsCrossed, Tag::Frown],
            &[Tag::PointsAtYou, Tag::LeansIn],
            &[Tag::LooksDown, Tag::Fidgets],
            &[Tag::TurnsAway, Tag::ShakesHead],
        ];
        // Warm up (first frames allocate the animation graph's evaluation buffers).
        for _ in 0..90 {
            avatar.step();
        }
        let mut with = Vec::with_capacity(FRAMES);
        for frame in 0..FRAMES {
            if frame % 180 == 0 {
                let k = (frame / 180) % bands.len();
                avatar.say(bands[k], tags[k]);
            }
            let t = Instant::now();
            avatar.step();
            with.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let world = avatar.app.world_mut();
        let roots: Vec<Entity> = world.query_filtered::<Entity, With<Avatar>>().iter(world).collect();
        for e in roots {
            world.entity_mut(e).despawn();
        }
        for _ in 0..90 {
            avatar.step();
        }
        let mut without = Vec::with_capacity(FRAMES);
        for _ in 0..FRAMES {
            let t = Instant::now();
            avatar.step();
            without.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let median = |v: &[f64]| {
            let mut s = v.to_vec();
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        };
        let cost = median(&with) - median(&without);
        rows.push(distribution(&format!("{look}: frame with the avatar"), with));
        rows.push(distribution(&format!("{look}: same frame, avatar removed"), without));
        rows.push(Row {
            name: format!("{look}: avatar CPU per frame (median difference)"),
            runs: FRAMES,
            median_ms: cost,
            min_ms: cost,
            max_ms: cost,
            per_item_us: f64::NAN,
            p95_ms: None,
        });
    }
    Ok(rows)
}
