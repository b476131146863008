//! `holdspace bench avatar`: the customer avatar's CPU cost per frame (Bevy's animation
//! of the layered clips plus our code layers: body easing, face units, gaze, gestures,
//! fidgeting, and the transform propagation they cause), measured in the headless app at
//! a 90 Hz frame step while the customer changes state every two seconds; and the time
//! from asking for the GLB to the first posed frame.
//!
//! The cost is the difference between a frame with the avatar and the same frame of a
//! twin app without it, stepped alternately, so the app's other systems and the
//! machine's noise drop out. No GPU:
//! skinning and morphing run on the GPU and are measured by the frame-time benchmark.

use std::time::Instant;

use anyhow::{Result, bail};
use bevy::prelude::*;
use holdspace::app::customer::avatar::Avatar;
use holdspace::app::customer::avatar::standalone::HeadlessAvatar;
use holdspace_core::Band;
use holdspace_core::scenario::model::Tag;

use super::Row;
use super::voice::distribution;

/// Frames measured per case (thirty seconds at 90 Hz).
const FRAMES: usize = 2700;

pub(super) fn rows() -> Result<Vec<Row>> {
    let dir = holdspace::app::customer::avatar::default_dir();
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
            p99_ms: None,
            unit: None,
        });

        // A twin app with the avatar removed runs frame for frame beside it, so both see
        // the same machine noise; the cost is the median of the paired differences.
        let mut twin = HeadlessAvatar::new(&dir, look, 1.0 / 90.0)?;
        let world = twin.app.world_mut();
        let roots: Vec<Entity> = world.query_filtered::<Entity, With<Avatar>>().iter(world).collect();
        for e in roots {
            world.entity_mut(e).despawn();
        }
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
            twin.step();
        }
        let (mut with, mut without, mut cost) = (Vec::new(), Vec::new(), Vec::new());
        for frame in 0..FRAMES {
            if frame % 180 == 0 {
                let k = (frame / 180) % bands.len();
                avatar.say(bands[k], tags[k]);
                twin.say(bands[k], tags[k]);
            }
            let t = Instant::now();
            avatar.step();
            let a = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            twin.step();
            let b = t.elapsed().as_secs_f64() * 1000.0;
            with.push(a);
            without.push(b);
            cost.push(a - b);
        }
        rows.push(distribution(&format!("{look}: frame with the avatar"), with));
        rows.push(distribution(&format!("{look}: same frame, no avatar"), without));
        rows.push(distribution(&format!("{look}: avatar CPU per frame"), cost));
    }
    Ok(rows)
}
