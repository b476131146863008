//! The customer avatar: casting the scenario's look, loading its GLB (built by
//! `scripts/avatar.sh` into [`default_dir`]) and falling back to the primitive stand-in,
//! with a visible notice, when the file is missing or broken.
//!
//! The parts: [`rig`] finds the joints and face units and builds the layered animation
//! graph once the scene is spawned; [`body`] turns the engine's state into eased body
//! targets and clip weights; [`face`] drives the face units (expression, lip sync,
//! blinks); [`gaze`] adds the code layers on top of the clips (eye contact, glances away,
//! nods and shakes, fidgeting); [`mips`] gives its generated textures the mipmaps a PNG
//! cannot carry; [`skin`] lets light into the skin.

pub mod body;
pub mod face;
pub mod gaze;
pub mod mips;
pub mod rig;
pub mod skin;
pub mod standalone;

use std::path::{Path, PathBuf};

use bevy::asset::io::{AssetSource, AssetSourceBuilder};
use bevy::asset::{LoadState, RecursiveDependencyLoadState};
use bevy::gltf::Gltf;
use bevy::prelude::*;
use holdspace_core::expression::body::LOOKS;

use crate::app::customer::stand_in;
use crate::app::notice::Notice;
use crate::app::screens::Screen;
use crate::app::session::runner::ActiveSession;
use crate::app::session::scene::CUSTOMER_Z;

/// The asset source the avatars are read from (`avatars://older_female.glb`).
pub const SOURCE: &str = "avatars";

/// Where `scripts/avatar.sh` puts the avatars: `$HOLDSPACE_AVATARS`, else
/// `~/.cache/holdspace/avatars`.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HOLDSPACE_AVATARS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache").join("holdspace").join("avatars")
}

/// Makes `avatars://` read from `dir`. Must run before the asset plugin is added.
pub fn register_source(app: &mut App, dir: &Path) {
    let dir = dir.to_string_lossy().into_owned();
    app.register_asset_source(SOURCE, AssetSourceBuilder::new(AssetSource::get_default_reader(dir)));
}

/// Who plays the customer this session.
#[derive(Resource, Debug, Clone, PartialEq)]
pub enum Casting {
    /// The avatar of a look, from this file.
    Avatar {
        /// The look's name.
        look: String,
        /// The GLB.
        file: PathBuf,
    },
    /// The primitive figure, for this reason (shown as a notice).
    StandIn {
        /// Why.
        reason: String,
    },
}

/// Whether the customer on screen is ready to be looked at (the avatar loaded and posed,
/// or the stand-in spawned): screenshots wait for it.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CustomerReady(pub bool);

/// The avatar's root entity.
#[derive(Component, Debug)]
pub struct Avatar {
    /// The look it shows.
    pub look: String,
}

/// The GLB still loading for an avatar.
#[derive(Component, Debug)]
struct Loading(Handle<Gltf>);

/// The avatar's body clips by name, from its GLB.
#[derive(Component, Debug, Clone)]
pub struct AvatarClips(pub Vec<(String, Handle<AnimationClip>)>);

impl AvatarClips {
    /// The clip of this name.
    pub fn get(&self, name: &str) -> Option<Handle<AnimationClip>> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, h)| h.clone())
    }
}

/// Registers casting, loading, fallback and the avatar's layers (the rig is built by
/// [`rig::on_ready`], an observer on each avatar).
pub fn plugin(app: &mut App) {
    app.init_resource::<CastingSettings>()
        .init_resource::<CustomerReady>()
        .add_systems(
            OnEnter(Screen::Session),
            (
                cast,
                spawn_avatar.run_if(casting_avatar),
                (stand_in::spawn_customer, mark_ready).run_if(not(casting_avatar)),
            )
                .chain(),
        )
        .add_systems(Update, finish_loading.run_if(in_state(Screen::Session)))
        .add_plugins((body::plugin, face::plugin, gaze::plugin, mips::plugin, skin::plugin));
}

fn casting_avatar(casting: Option<Res<Casting>>) -> bool {
    matches!(casting.as_deref(), Some(Casting::Avatar { .. }))
}

fn mark_ready(mut ready: ResMut<CustomerReady>) {
    ready.0 = true;
}

/// Who may play the customer: where the avatars are, and the command line's choices.
#[derive(Resource, Debug, Clone)]
pub struct CastingSettings {
    /// Where the customer avatars (one GLB per look) are read from.
    pub avatar_dir: PathBuf,
    /// Show the simple stand-in customer instead of the avatar.
    pub stand_in: bool,
    /// Cast this look instead of the scenario's (to preview a look).
    pub look: Option<String>,
}

impl Default for CastingSettings {
    fn default() -> Self {
        CastingSettings {
            avatar_dir: default_dir(),
            stand_in: false,
            look: None,
        }
    }
}

/// Picks who plays the customer: the scenario's look if its GLB is there, else the
/// stand-in with a notice saying how to build the avatars.
pub fn cast(
    mut commands: Commands,
    config: Res<CastingSettings>,
    session: Option<Res<ActiveSession>>,
    mut ready: ResMut<CustomerReady>,
    mut notices: MessageWriter<Notice>,
) {
    ready.0 = false;
    let wanted = config.look.clone().unwrap_or_else(|| {
        session.map_or_else(
            || LOOKS[0].to_owned(),
            |s| s.session().scenario().scenario.customer.look.clone(),
        )
    });
    // The validator rejects unknown looks; a scenario loaded around it still gets a body.
    let look = if LOOKS.contains(&wanted.as_str()) {
        wanted
    } else {
        LOOKS[0].to_owned()
    };
    let file = config.avatar_dir.join(format!("{look}.glb"));
    let casting = if config.stand_in {
        Casting::StandIn {
            reason: "Showing the simple stand-in customer (--stand-in).".to_owned(),
        }
    } else if file.is_file() {
        Casting::Avatar { look, file }
    } else {
        Casting::StandIn {
            reason: format!(
                "No avatar: {} is missing. Build the avatars with `bash scripts/avatar.sh` (part of the set-up); showing the simple stand-in customer.",
                file.display()
            ),
        }
    };
    // Asked for, the stand-in needs no notice; anything else is a problem to show.
    if let Casting::StandIn { reason } = &casting {
        if config.stand_in {
            info!("{reason}");
        } else {
            notices.write(Notice::error(reason.clone()));
        }
    }
    commands.insert_resource(casting);
}

/// Starts loading the cast look's GLB and spawns the avatar's root behind the counter.
pub fn spawn_avatar(mut commands: Commands, casting: Res<Casting>, assets: Res<AssetServer>) {
    let Casting::Avatar { look, .. } = &*casting else {
        return;
    };
    let handle: Handle<Gltf> = assets.load(format!("{SOURCE}://{look}.glb"));
    commands
        .spawn((
            Name::new("Customer avatar"),
            Avatar { look: look.clone() },
            Loading(handle),
            DespawnOnExit(Screen::Session),
            Transform::from_xyz(0.0, 0.0, CUSTOMER_Z),
            // Hidden until the first pose is applied: before that the skin's joints are
            // not placed, and one frame of a collapsed mesh stretched across the view is
            // a visible glitch (and on a software renderer, minutes of overdraw).
            Visibility::Hidden,
            body::BodyState::default(),
            gaze::GazeState::default(),
        ))
        .observe(rig::on_ready);
}

/// Spawns the avatar's scene once its GLB has loaded, or swaps in the stand-in (with a
/// notice) if it failed to load.
fn finish_loading(
    mut commands: Commands,
    loading: Query<(Entity, &Loading)>,
    assets: Res<AssetServer>,
    gltfs: Res<Assets<Gltf>>,
    mut notices: MessageWriter<Notice>,
) {
    for (entity, Loading(handle)) in &loading {
        let failed = match assets.load_state(handle) {
            LoadState::Failed(e) => Some(e.to_string()),
            _ => match assets.recursive_dependency_load_state(handle) {
                RecursiveDependencyLoadState::Failed(e) => Some(e.to_string()),
                RecursiveDependencyLoadState::Loaded => None,
                _ => continue,
            },
        };
        let loaded = gltfs.get(handle).and_then(|gltf| {
            let scene = gltf.default_scene.clone().or_else(|| gltf.scenes.first().cloned())?;
            let clips = gltf
                .named_animations
                .iter()
                .map(|(name, clip)| (name.to_string(), clip.clone()))
                .collect();
            Some((scene, clips))
        });
        match (failed, loaded) {
            (None, Some((scene, clips))) => {
                commands
                    .entity(entity)
                    .remove::<Loading>()
                    .insert((WorldAssetRoot(scene), AvatarClips(clips)));
            }
            (failed, _) => {
                let why = failed.unwrap_or_else(|| "it holds no scene".to_owned());
                let reason = format!(
                    "The customer avatar could not be loaded ({why}). Rebuild it with `bash scripts/avatar.sh`; showing the simple stand-in customer."
                );
                notices.write(Notice::error(reason.clone()));
                commands.insert_resource(Casting::StandIn { reason });
                commands.entity(entity).despawn();
                commands.run_system_cached(stand_in::spawn_customer);
                commands.run_system_cached(mark_ready);
            }
        }
    }
}
