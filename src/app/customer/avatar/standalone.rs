//! A windowless, GPU-less app holding only the avatar and what it reads (the lip-sync
//! hook, the engine's messages, a camera to look at): the avatar's tests and its CPU
//! benchmark drive it frame by frame with a fixed time step.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bevy::mesh::skinning::SkinnedMesh;
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use holdspace_core::Band;
use holdspace_core::engine::events::Spoken;
use holdspace_core::scenario::model::Tag;

use crate::app::customer::avatar::CastingSettings;
use crate::app::customer::avatar::body::BodyState;
use crate::app::customer::avatar::rig::AvatarRig;
use crate::app::customer::avatar::{Avatar, AvatarClips, CustomerReady};
use crate::app::screens::Screen;
use crate::app::session::runner::{CustomerSpoke, EscalationChanged, NeedRevealed};
use crate::app::session::scene::{MainCamera, trainee_view};

/// The avatar alone in a headless app.
pub struct HeadlessAvatar {
    /// The app (step it with [`HeadlessAvatar::step`]).
    pub app: App,
    turn: u32,
    /// Frames, while loading, in which the avatar was visible before its first pose
    /// (should be none: an unposed skin is a glitch).
    pub shown_unposed: u32,
}

impl HeadlessAvatar {
    /// Builds the app for one look read from `dir`, stepping `frame_seconds` of game time
    /// per update, and waits (up to 60 s) for the avatar to load and pose.
    pub fn new(dir: &Path, look: &str, frame_seconds: f32) -> Result<HeadlessAvatar> {
        let mut app = crate::app::platform::windowless::new_app(dir, crate::app::platform::windowless::Gpu::None);
        app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f32(
            frame_seconds,
        )))
        .insert_resource(CastingSettings {
            avatar_dir: dir.to_path_buf(),
            stand_in: false,
            look: Some(look.to_owned()),
        })
        .add_message::<CustomerSpoke>()
        .add_message::<EscalationChanged>()
        .add_message::<NeedRevealed>()
        .add_plugins((
            crate::app::notice::plugin,
            crate::app::customer::lipsync::plugin,
            crate::app::customer::avatar::plugin,
        ))
        .insert_state(Screen::Session);
        crate::app::configure_sets(&mut app);
        app.world_mut()
            .spawn((Name::new("Trainee's eyes"), MainCamera, trainee_view()));
        crate::app::platform::windowless::finish(&mut app);

        let mut me = HeadlessAvatar {
            app,
            turn: 0,
            shown_unposed: 0,
        };
        let started = Instant::now();
        while !me.app.world().resource::<CustomerReady>().0 {
            if started.elapsed() > Duration::from_secs(60) {
                bail!("the {look} avatar did not load within 60 s from {}", dir.display());
            }
            me.app.update();
            if me
                .app
                .world_mut()
                .query::<&Avatar>()
                .iter(me.app.world())
                .next()
                .is_none()
            {
                bail!(
                    "no avatar was spawned for {look} (is {} there?)",
                    dir.join(format!("{look}.glb")).display()
                );
            }
            let ready = me.app.world().resource::<CustomerReady>().0;
            if !ready && me.visibility() != Some(Visibility::Hidden) && me.visibility().is_some() {
                me.shown_unposed += 1;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(me)
    }

    /// The avatar root's visibility (the whole customer), once it is spawned.
    pub fn visibility(&mut self) -> Option<Visibility> {
        let world = self.app.world_mut();
        let mut q = world.query_filtered::<&Visibility, With<Avatar>>();
        q.iter(world).next().copied()
    }

    /// Runs one frame.
    pub fn step(&mut self) {
        self.app.update();
    }

    /// Moves the trainee's eyes (the camera the avatar looks at).
    pub fn move_camera(&mut self, to: Vec3) {
        let world = self.app.world_mut();
        let mut q = world.query_filtered::<&mut Transform, With<MainCamera>>();
        for mut t in q.iter_mut(world) {
            t.translation = to;
        }
    }

    /// The customer says a line in this band with these tags, as the runner would send it.
    pub fn say(&mut self, band: Band, tags: &[Tag]) {
        self.turn += 1;
        self.app.world_mut().write_message(CustomerSpoke(Spoken {
            turn: self.turn,
            line_id: format!("bench/{}", self.turn),
            text: String::new(),
            band,
            tags: tags.to_vec(),
            cue: None,
            answering: None,
        }));
    }

    /// Sets the body's targets directly (for states messages alone cannot reach here,
    /// such as a revealed need, which comes from the engine's session).
    pub fn set_targets(&mut self, targets: holdspace_core::expression::body::BodyTargets) {
        let world = self.app.world_mut();
        let mut q = world.query::<&mut BodyState>();
        for mut b in q.iter_mut(world) {
            b.target = targets;
        }
    }

    /// The avatar's rig.
    pub fn rig(&mut self) -> Result<AvatarRig> {
        let world = self.app.world_mut();
        let mut q = world.query::<&AvatarRig>();
        q.iter(world).next().cloned().context("the avatar has no rig")
    }

    /// The avatar's body state.
    pub fn body(&mut self) -> Result<BodyState> {
        let world = self.app.world_mut();
        let mut q = world.query::<&BodyState>();
        q.iter(world).next().cloned().context("the avatar has no body state")
    }

    /// The names of the body clips the GLB holds.
    pub fn clip_names(&mut self) -> Vec<String> {
        let world = self.app.world_mut();
        let mut q = world.query::<&AvatarClips>();
        let mut names: Vec<String> = q.iter(world).flat_map(|c| c.0.iter().map(|(n, _)| n.clone())).collect();
        names.sort();
        names
    }

    /// How many joints the skin has.
    pub fn skin_joints(&mut self) -> usize {
        let world = self.app.world_mut();
        let mut q = world.query::<&SkinnedMesh>();
        q.iter(world).map(|s| s.joints.len()).max().unwrap_or(0)
    }

    /// A joint's world transform, by name.
    pub fn joint(&mut self, name: &str) -> Option<GlobalTransform> {
        let world = self.app.world_mut();
        let mut q = world.query::<(&Name, &GlobalTransform)>();
        q.iter(world).find(|(n, _)| n.as_str() == name).map(|(_, g)| *g)
    }

    /// The face's current morph weights by face-unit name.
    pub fn face_weights(&mut self) -> Vec<(String, f32)> {
        let Ok(rig) = self.rig() else {
            return Vec::new();
        };
        let Some((entity, names)) = rig.face else {
            return Vec::new();
        };
        let world = self.app.world();
        let Some(weights) = world.get::<MorphWeights>(entity) else {
            return Vec::new();
        };
        names.into_iter().zip(weights.weights().iter().copied()).collect()
    }
}
