//! The controllers through OpenXR actions: one action set with a pointing pose, select
//! and haptics per hand, push-to-talk and recenter. Bindings are suggested for the
//! Khronos simple controller (the only profile simulated runtimes such as Monado's bind,
//! and the fallback every runtime maps), Oculus Touch and Valve Index. Each frame the
//! states are read into [`Controllers`]; [`HapticTick`] messages buzz a hand.

use bevy::prelude::*;
use bevy_mod_openxr::action_binding::{OxrSendActionBindings, OxrSuggestActionBinding};
use bevy_mod_openxr::action_set_attaching::OxrAttachActionSet;
use bevy_mod_openxr::action_set_syncing::{OxrActionSetSyncSet, OxrSyncActionSet};
use bevy_mod_openxr::openxr_session_running;
use bevy_mod_openxr::resources::OxrInstance;
use bevy_mod_openxr::session::OxrSession;
use bevy_mod_xr::session::{XrSessionCreated, XrTrackingRoot, session_available};
use bevy_mod_xr::spaces::{XrSpaceLocationFlags, XrSpaceSyncSet};
use openxr::{Action, ActionSet, Haptic, HapticVibration, Path, Posef};

use crate::app::notice::Notice;
use crate::app::platform::xr::controls::{Controllers, ControlsSystems, Hand, HapticTick};

/// A haptic tick: short and light, felt but not startling.
const TICK_NANOS: i64 = 30_000_000;
const TICK_AMPLITUDE: f32 = 0.5;

/// The action set and its actions.
#[derive(Resource)]
pub struct XrActions {
    set: ActionSet,
    aim: [Action<Posef>; 2],
    select: [Action<bool>; 2],
    haptic: [Action<Haptic>; 2],
    talk: Action<bool>,
    recenter: Action<bool>,
}

/// A controller's pointing space (its aim pose), tracked by bevy_mod_openxr.
#[derive(Component, Debug, Clone, Copy)]
pub struct AimSpace(pub Hand);

/// Registers action creation, bindings, attaching, syncing, reading and haptics.
pub fn plugin(app: &mut App) {
    app.add_systems(Startup, create_actions.run_if(session_available))
        .add_systems(OxrSendActionBindings, suggest_bindings)
        .add_systems(XrSessionCreated, (attach_actions, spawn_aim_spaces))
        .add_systems(
            PreUpdate,
            (
                sync_actions.before(OxrActionSetSyncSet),
                read_controllers
                    .after(OxrActionSetSyncSet)
                    .after(XrSpaceSyncSet)
                    .in_set(ControlsSystems::Read),
            )
                .run_if(openxr_session_running.and_then(resource_exists::<XrActions>)),
        )
        .add_systems(
            Update,
            buzz.run_if(openxr_session_running.and_then(resource_exists::<XrActions>)),
        );
}

fn create_actions(instance: Res<OxrInstance>, mut commands: Commands, mut notices: MessageWriter<Notice>) {
    match build_actions(&instance) {
        Ok(actions) => {
            commands.insert_resource(actions);
        }
        Err(e) => {
            error!("cannot create the controller actions: {e}");
            notices.write(Notice::error(format!(
                "The controllers could not be set up ({e}); look at the panel and use the desktop keys instead."
            )));
        }
    }
}

fn build_actions(instance: &OxrInstance) -> openxr::Result<XrActions> {
    let set = instance.create_action_set("holdspace", "Holdspace", 0)?;
    // One action per hand (no subaction paths): simpler to bind and to read.
    fn pair<T: openxr::ActionTy>(set: &ActionSet, id: &str, label: &str) -> openxr::Result<[Action<T>; 2]> {
        Ok([
            set.create_action(&format!("{id}_left"), &format!("{label} (left)"), &[])?,
            set.create_action(&format!("{id}_right"), &format!("{label} (right)"), &[])?,
        ])
    }
    Ok(XrActions {
        aim: pair(&set, "aim", "Point")?,
        select: pair(&set, "select", "Select")?,
        haptic: pair(&set, "haptic", "Selection tick")?,
        talk: set.create_action("talk", "Push to talk", &[])?,
        recenter: set.create_action("recenter", "Recenter", &[])?,
        set,
    })
}

/// Suggested bindings per interaction profile. Every profile gets pointing, select and
/// haptics; push-to-talk and recenter go on the buttons each controller has.
fn suggest_bindings(actions: Res<XrActions>, mut bindings: MessageWriter<OxrSuggestActionBinding>) {
    const SIMPLE: &str = "/interaction_profiles/khr/simple_controller";
    const TOUCH: &str = "/interaction_profiles/oculus/touch_controller";
    const INDEX: &str = "/interaction_profiles/valve/index_controller";
    let mut suggest = |action: openxr::sys::Action, profile: &'static str, paths: &[&'static str]| {
        bindings.write(OxrSuggestActionBinding {
            action,
            interaction_profile: profile.into(),
            bindings: paths.iter().map(|p| (*p).into()).collect(),
        });
    };
    for profile in [SIMPLE, TOUCH, INDEX] {
        suggest(actions.aim[0].as_raw(), profile, &["/user/hand/left/input/aim/pose"]);
        suggest(actions.aim[1].as_raw(), profile, &["/user/hand/right/input/aim/pose"]);
        suggest(actions.haptic[0].as_raw(), profile, &["/user/hand/left/output/haptic"]);
        suggest(actions.haptic[1].as_raw(), profile, &["/user/hand/right/output/haptic"]);
    }
    // The simple controller has only select and menu: menu is push-to-talk there
    // (recentering happens at the start and when the runtime's own recenter fires).
    suggest(
        actions.select[0].as_raw(),
        SIMPLE,
        &["/user/hand/left/input/select/click"],
    );
    suggest(
        actions.select[1].as_raw(),
        SIMPLE,
        &["/user/hand/right/input/select/click"],
    );
    suggest(
        actions.talk.as_raw(),
        SIMPLE,
        &["/user/hand/left/input/menu/click", "/user/hand/right/input/menu/click"],
    );
    for profile in [TOUCH, INDEX] {
        // A float trigger bound to a boolean action: the runtime applies its own threshold.
        suggest(
            actions.select[0].as_raw(),
            profile,
            &["/user/hand/left/input/trigger/value"],
        );
        suggest(
            actions.select[1].as_raw(),
            profile,
            &["/user/hand/right/input/trigger/value"],
        );
    }
    suggest(
        actions.talk.as_raw(),
        TOUCH,
        &["/user/hand/left/input/x/click", "/user/hand/right/input/a/click"],
    );
    suggest(
        actions.recenter.as_raw(),
        TOUCH,
        &["/user/hand/left/input/y/click", "/user/hand/right/input/b/click"],
    );
    suggest(
        actions.talk.as_raw(),
        INDEX,
        &["/user/hand/left/input/a/click", "/user/hand/right/input/a/click"],
    );
    suggest(
        actions.recenter.as_raw(),
        INDEX,
        &["/user/hand/left/input/b/click", "/user/hand/right/input/b/click"],
    );
}

fn attach_actions(actions: Option<Res<XrActions>>, mut attach: MessageWriter<OxrAttachActionSet>) {
    if let Some(actions) = actions {
        attach.write(OxrAttachActionSet(actions.set.clone()));
    }
}

/// One tracked space per controller's aim pose, under the tracking root.
fn spawn_aim_spaces(actions: Option<Res<XrActions>>, session: Res<OxrSession>, mut commands: Commands) {
    let Some(actions) = actions else {
        return;
    };
    for hand in Hand::BOTH {
        match session.create_action_space(&actions.aim[hand.index()], Path::NULL, Isometry3d::IDENTITY) {
            Ok(space) => {
                commands.spawn((
                    Name::new(format!("{} controller aim", hand.name())),
                    space,
                    AimSpace(hand),
                ));
            }
            Err(e) => error!("cannot track the {} controller: {e}", hand.name()),
        }
    }
}

fn sync_actions(actions: Res<XrActions>, mut sync: MessageWriter<OxrSyncActionSet>) {
    sync.write(OxrSyncActionSet(actions.set.clone()));
}

/// Reads the buttons and the aim poses (in world space: the tracking root's placement
/// times the pose in the runtime's space) into [`Controllers`].
pub fn read_controllers(
    actions: Res<XrActions>,
    session: Res<OxrSession>,
    roots: Query<&GlobalTransform, With<XrTrackingRoot>>,
    spaces: Query<(&AimSpace, &Transform, &XrSpaceLocationFlags)>,
    mut controllers: ResMut<Controllers>,
) {
    let root = roots.iter().next().copied().unwrap_or_default();
    let pressed = |a: &Action<bool>| -> (bool, bool) {
        a.state(&session, Path::NULL)
            .map(|s| (s.current_state, s.current_state && s.changed_since_last_sync))
            .unwrap_or((false, false))
    };
    let mut next = Controllers::default();
    for hand in Hand::BOTH {
        let (held, down) = pressed(&actions.select[hand.index()]);
        let state = next.hand_mut(hand);
        state.select = held;
        state.select_pressed = down;
    }
    for (AimSpace(hand), local, flags) in &spaces {
        if flags.position_tracked && flags.rotation_tracked {
            let world = root.mul_transform(*local);
            next.hand_mut(*hand).aim = Some(Ray3d::new(world.translation(), world.forward()));
        }
    }
    next.talk = pressed(&actions.talk).0;
    next.recenter_pressed = pressed(&actions.recenter).1;
    *controllers = next;
}

/// A short vibration on the hand that selected.
fn buzz(actions: Res<XrActions>, session: Res<OxrSession>, mut ticks: MessageReader<HapticTick>) {
    for HapticTick(hand) in ticks.read() {
        let vibration = HapticVibration::new()
            .amplitude(TICK_AMPLITUDE)
            .duration(openxr::Duration::from_nanos(TICK_NANOS))
            .frequency(openxr::FREQUENCY_UNSPECIFIED);
        if let Err(e) = actions.haptic[hand.index()].apply_feedback(&session, Path::NULL, &vibration) {
            warn!("haptic tick on the {} controller failed: {e}", hand.name());
        }
    }
}
