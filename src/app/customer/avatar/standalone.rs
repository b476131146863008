//! A windowless app holding only the avatar and what it reads (the lip-sync hook, the
//! engine's messages, a camera to look at): the avatar's tests and its CPU benchmark
//! drive it frame by frame with a fixed time step, without a GPU; the contact sheet
//! renders it offscreen in the session's room.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bevy::camera::RenderTarget;
use bevy::mesh::skinning::SkinnedMesh;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
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
use crate::app::session::scene::{MainCamera, close_up_on, close_up_view, trainee_view};

/// The image a rendered avatar's close-up draws into.
#[derive(Resource, Clone)]
struct Target(Handle<Image>);

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
        Self::build(dir, look, frame_seconds, None)
    }

    /// As [`HeadlessAvatar::new`], but rendered offscreen (lavapipe without a GPU) into
    /// an image of `size`, in the session's room, through the close-up aimed at the
    /// face: for the contact sheet. Capture it with [`HeadlessAvatar::capture`].
    pub fn rendered(dir: &Path, look: &str, frame_seconds: f32, size: UVec2) -> Result<HeadlessAvatar> {
        let mut me = Self::build(dir, look, frame_seconds, Some(size))?;
        let eyes = match (me.joint("eye.L"), me.joint("eye.R")) {
            (Some(l), Some(r)) => (l.translation() + r.translation()) / 2.0,
            _ => bail!("the {look} avatar has no eye joints"),
        };
        let world = me.app.world_mut();
        let mut q = world.query_filtered::<(&mut Transform, &mut Camera), With<MainCamera>>();
        for (mut t, mut camera) in q.iter_mut(world) {
            *t = close_up_on(eyes.y);
            // Drawn only when captured: a software renderer takes most of a second a frame.
            camera.is_active = false;
        }
        Ok(me)
    }

    fn build(dir: &Path, look: &str, frame_seconds: f32, rendered: Option<UVec2>) -> Result<HeadlessAvatar> {
        use crate::app::platform::windowless::{Gpu, new_app};
        let mut app = new_app(dir, if rendered.is_some() { Gpu::Offscreen } else { Gpu::None });
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
        match rendered {
            None => {
                app.world_mut()
                    .spawn((Name::new("Trainee's eyes"), MainCamera, trainee_view()));
            }
            Some(size) => {
                let image = crate::app::platform::windowless::render_target(size);
                let target = app.world_mut().resource_mut::<Assets<Image>>().add(image);
                let (transform, projection) = close_up_view();
                app.insert_resource(crate::app::session::scene::ambient())
                    .insert_resource(ClearColor(crate::app::theme::BACKGROUND))
                    .insert_resource(Target(target.clone()))
                    .add_systems(Startup, crate::app::session::scene::spawn_room);
                app.world_mut().spawn((
                    Name::new("Close-up"),
                    MainCamera,
                    Camera3d::default(),
                    RenderTarget::Image(target.into()),
                    transform,
                    projection,
                ));
            }
        }
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

    /// Takes what the close-up shows now (only for [`HeadlessAvatar::rendered`]), as
    /// RGB rows.
    pub fn capture(&mut self) -> Result<crate::app::dev::sheet::Panel> {
        let Some(target) = self.app.world().get_resource::<Target>().map(|t| t.0.clone()) else {
            bail!("this avatar is not rendered (use HeadlessAvatar::rendered)");
        };
        self.set_drawing(true);
        // The first frames drawn compile the pipelines (and an unlit frame may come first).
        for _ in 0..3 {
            self.app.update();
        }
        let slot = std::sync::Arc::new(std::sync::Mutex::new(None));
        let put = std::sync::Arc::clone(&slot);
        self.app
            .world_mut()
            .spawn(Screenshot::image(target))
            .observe(move |captured: On<ScreenshotCaptured>| {
                let picture = captured
                    .image
                    .clone()
                    .try_into_dynamic()
                    .map(|d| d.to_rgb8())
                    .map_err(|e| e.to_string());
                if let Ok(mut s) = put.lock() {
                    *s = Some(picture);
                }
            });
        for _ in 0..10 {
            self.app.update();
            if let Some(result) = slot.lock().ok().and_then(|mut s| s.take()) {
                self.set_drawing(false);
                let rgb = result.map_err(|e| anyhow::anyhow!("reading the close-up back: {e}"))?;
                return Ok(crate::app::dev::sheet::Panel {
                    width: rgb.width() as usize,
                    height: rgb.height() as usize,
                    rgb: rgb.into_raw(),
                });
            }
        }
        bail!("the close-up was never read back")
    }

    fn set_drawing(&mut self, on: bool) {
        let world = self.app.world_mut();
        let mut q = world.query_filtered::<&mut Camera, With<MainCamera>>();
        for mut camera in q.iter_mut(world) {
            camera.is_active = on;
        }
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
