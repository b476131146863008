//! VR without a headset: the platform choice on a machine with no OpenXR runtime (the
//! desktop fallback with its notice, and `--xr` refusing clearly), and the headset's
//! controls driven through their plain-data twin: a controller pointed at an option on
//! the world-space panel hovers it, the trigger picks it (with a haptic tick), and the
//! head's pose becomes the turn's eye-contact measure. The real runtime is exercised by
//! `tests/xr/smoke.sh` (Monado) from the test command.

use std::time::Duration;

use bevy::ecs::message::Messages;
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use bevy::ui::UiGlobalTransform;
use holdspace::app::AppConfig;
use holdspace::app::customer::avatar::CastingSettings;
use holdspace::app::customer::voice::VoiceOutput;
use holdspace::app::customer::voice::VoiceSettings;
use holdspace::app::platform::windowless::{self, Gpu};
use holdspace::app::platform::xr::controls::{Controllers, Hand, HapticTick};
use holdspace::app::platform::xr::panel::{PanelSurface, point_on_panel};
use holdspace::app::platform::xr::stance::HeadPose;
use holdspace::app::platform::xr::{controls, eye_contact, panel, pointer};
use holdspace::app::screens::Screen;
use holdspace::app::screens::loading::StartSettings;
use holdspace::app::session::hud::ReplyButton;
use holdspace::app::session::runner::ActiveSession;
use holdspace::app::session::scene::{CUSTOMER_Z, EYE_HEIGHT, TRAINEE_Z};
use holdspace::app::trainee::speech::{HearingSettings, Listen};

use crate::{root, run_logged};

#[test]
fn with_no_runtime_the_app_runs_on_the_desktop_and_says_why() {
    let dir = crate::scratch("xr_fallback");
    let png = dir.join("fallback.png");
    let mut command = crate::app_under_xvfb();
    command.args([
        "--stand-in",
        "--scenario",
        "delivery_bereavement",
        "--frames",
        "3",
        "--screenshot",
        png.to_str().expect("utf-8"),
    ]);
    let (ok, log) = run_logged(command);
    assert!(ok, "the desktop fallback runs:\n{log}");
    assert!(!log.contains("panicked"), "{log}");
    assert!(
        log.contains("No VR headset: ") && log.contains("Running on the desktop"),
        "the notice says VR did not start and why:\n{log}"
    );
    assert!(png.is_file(), "the desktop window rendered:\n{log}");
    let shot = crate::Shot::open(&png);
    shot.assert_drawn("desktop fallback");
    assert!(shot.has_notice_banner(), "the notice is on screen, not only in the log");
}

#[test]
fn insisting_on_vr_with_no_runtime_fails_clearly_without_a_panic() {
    let out = crate::holdspace(&["run", "--xr", "--stand-in", "--frames", "3"]);
    let (_, stderr) = crate::text(&out);
    assert!(!out.status.success(), "--xr with no runtime must fail");
    assert!(
        stderr.contains("VR was asked for (--xr) but cannot start: "),
        "a clear reason:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

const FRAME: Duration = Duration::from_millis(33);

/// The whole app with no window and no GPU, in a session, with the headset's panel,
/// controls and eye contact but no OpenXR: the test is the headset.
fn headset_app() -> App {
    let mut app = windowless::new_app(&holdspace::app::customer::avatar::default_dir(), Gpu::None);
    AppConfig {
        start: StartSettings {
            scenarios_dir: root().join("scenarios"),
            scenario: Some("delivery_bereavement".to_owned()),
            seed: Some(4),
            ..StartSettings::default()
        },
        voice: VoiceSettings { audio: false },
        hearing: HearingSettings {
            listen: Listen::Off,
            ..HearingSettings::default()
        },
        casting: CastingSettings {
            stand_in: true,
            ..CastingSettings::default()
        },
        records: holdspace::records::RecordsArgs {
            data_dir: Some(crate::scratch("xr_records")),
            ..Default::default()
        },
        ..AppConfig::default()
    }
    .insert(&mut app);
    app.insert_resource(TimeUpdateStrategy::ManualDuration(FRAME))
        .add_plugins(holdspace::app::plugin)
        .add_plugins((controls::plugin, panel::plugin, pointer::plugin, eye_contact::plugin));
    windowless::finish(&mut app);
    app
}

/// A head at the trainee's spot looking at the customer's face (or to the side).
fn head(looking_at_customer: bool) -> HeadPose {
    let eye = Vec3::new(0.0, EYE_HEIGHT, TRAINEE_Z);
    let target = if looking_at_customer {
        Vec3::new(0.0, 1.58, CUSTOMER_Z)
    } else {
        eye + Vec3::X
    };
    HeadPose(Some(Transform::from_translation(eye).looking_at(target, Vec3::Y)))
}

/// Steps until the options are laid out on the panel; returns the first one's id and
/// where it is on the panel in world space.
fn first_option(app: &mut App) -> (String, Vec3) {
    for _ in 0..600 {
        app.update();
        let world = app.world_mut();
        let on_screen = world
            .get_resource::<State<Screen>>()
            .is_some_and(|s| *s.get() == Screen::Session);
        let mut buttons = world.query::<(&ReplyButton, &ComputedNode, &UiGlobalTransform, &InheritedVisibility)>();
        let first = buttons
            .iter(world)
            .filter(|(_, node, _, visible)| visible.get() && node.size().x > 1.0)
            .min_by(|a, b| a.2.translation.y.total_cmp(&b.2.translation.y))
            .map(|(ReplyButton(id), _, at, _)| (id.clone(), at.translation));
        let mut panels = world.query_filtered::<&GlobalTransform, With<PanelSurface>>();
        let panel = panels.iter(world).next().copied();
        if on_screen && let (Some((id, px)), Some(panel)) = (first, panel) {
            return (id, point_on_panel(&panel, px));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("the options never appeared on the panel");
}

/// Where the line from `eye` to `target` crosses the panel, in the UI's physical pixels
/// (the inverse of [`point_on_panel`]).
fn ui_px_towards(panel: &GlobalTransform, eye: Vec3, target: Vec3) -> Vec2 {
    let to_local = panel.affine().inverse();
    let (a, b) = (to_local.transform_point3(eye), to_local.transform_point3(target));
    // The panel is the local z = 0 plane.
    let hit = a + (b - a) * (a.z / (a.z - b.z));
    let uv = Vec2::new(hit.x / panel::PANEL_SIZE.x + 0.5, 0.5 - hit.y / panel::PANEL_SIZE.y);
    uv * panel::UI_SIZE.as_vec2() * panel::UI_SCALE
}

/// Where `target` falls on the desktop's 1280 x 720 frame through the trainee's view, in
/// logical pixels (the desktop camera keeps Bevy's default perspective).
fn desktop_px(target: Vec3) -> Vec2 {
    use bevy::camera::CameraProjection;
    let view = holdspace::app::session::scene::trainee_view();
    let projection = PerspectiveProjection {
        aspect_ratio: 1280.0 / 720.0,
        ..default()
    };
    let ndc = projection
        .get_clip_from_view()
        .project_point3(view.compute_affine().inverse().transform_point3(target));
    Vec2::new((ndc.x + 1.0) / 2.0 * 1280.0, (1.0 - ndc.y) / 2.0 * 720.0)
}

#[test]
fn the_panel_and_the_desktop_reply_area_leave_the_customers_face_and_hands_clear() {
    let mut app = headset_app();
    app.insert_resource(head(true));
    first_option(&mut app);
    let world = app.world_mut();
    let mut panels = world.query_filtered::<&GlobalTransform, With<PanelSurface>>();
    let panel = *panels.iter(world).next().expect("the panel");
    // The subtitle's box (the text's parent) is the highest thing in the reply area.
    let mut texts = world.query_filtered::<&ChildOf, With<holdspace::app::session::hud::Subtitle>>();
    let parent = texts.iter(world).next().expect("the subtitle").parent();
    let (node, at) = {
        let mut nodes = world.query::<(&ComputedNode, &UiGlobalTransform)>();
        let (node, at) = nodes.get(world, parent).expect("the subtitle's box");
        (*node, *at)
    };
    let reply_top = at.translation.y - node.size().y / 2.0;
    let scale = panel::UI_SCALE;
    let width = panel::UI_SIZE.x as f32 * scale;
    let eye = Vec3::new(0.0, EYE_HEIGHT, TRAINEE_Z);
    // Her face (eyes to chin) and her hands resting on the counter's far half.
    for (what, target) in [
        ("her eyes", Vec3::new(0.0, 1.55, CUSTOMER_Z)),
        ("her chin", Vec3::new(0.0, 1.45, CUSTOMER_Z + 0.05)),
        ("her right hand", Vec3::new(-0.25, 1.08, -0.72)),
        ("her left hand", Vec3::new(0.25, 1.08, -0.72)),
        ("her hands together", Vec3::new(0.0, 1.08, -0.6)),
    ] {
        let px = ui_px_towards(&panel, eye, target);
        // Above the reply area, with a margin for a subtitle one line longer than this.
        let margin = 40.0 * scale;
        assert!(
            px.y < reply_top - margin,
            "{what} is behind the reply area: at {px:?}, the subtitle's box starts at y {reply_top}"
        );
        // And between the status boxes in the top corners when on the panel at all.
        if px.y > 0.0 {
            assert!(
                (0.3 * width..0.7 * width).contains(&px.x),
                "{what} at {px:?} is under a corner box"
            );
        }
        // The desktop draws the same layout over the trainee's view.
        let on_desktop = desktop_px(target);
        assert!(
            on_desktop.y < (reply_top - margin) / scale,
            "{what} is behind the desktop's reply area: at {on_desktop:?}, the subtitle's box starts at y {}",
            reply_top / scale
        );
    }
    // The top of the tallest look's head (eyes at 1.72 m) stays in the desktop frame.
    let crown = desktop_px(Vec3::new(0.0, 1.72 + 0.13, CUSTOMER_Z));
    assert!(crown.y > 0.0, "the tallest head is cut off at {crown:?}");
}

/// Lets the customer finish their line, then waits a second before replying.
fn listen_then_pause(app: &mut App) {
    for _ in 0..900 {
        app.update();
        let busy = app.world().get_resource::<VoiceOutput>().is_some_and(|v| v.is_busy());
        if !busy {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    for _ in 0..30 {
        app.update();
    }
}

fn aim_right(app: &mut App, at: Vec3, trigger: bool) {
    let origin = Vec3::new(0.25, 1.1, TRAINEE_Z - 0.3);
    let mut controllers = app.world_mut().resource_mut::<Controllers>();
    let hand = controllers.hand_mut(Hand::Right);
    hand.aim = Some(Ray3d::new(
        origin,
        Dir3::new(at - origin).expect("the option is away from the hand"),
    ));
    hand.select = trigger;
    hand.select_pressed = trigger;
}

/// Pulls the right trigger for one frame (returning the haptic ticks of that frame), then
/// lets the reply reach the session.
fn pull_trigger(app: &mut App, at: Vec3) -> Vec<HapticTick> {
    aim_right(app, at, true);
    app.update();
    let ticks = app
        .world()
        .resource::<Messages<HapticTick>>()
        .iter_current_update_messages()
        .copied()
        .collect();
    aim_right(app, at, false);
    for _ in 0..3 {
        app.update();
    }
    ticks
}

fn turns(app: &App) -> usize {
    app.world().resource::<ActiveSession>().session().record().turns.len()
}

#[test]
fn pointing_a_controller_at_an_option_and_pulling_the_trigger_picks_it() {
    let mut app = headset_app();
    app.insert_resource(head(true));
    let (id, at) = first_option(&mut app);
    listen_then_pause(&mut app);

    // Pointing alone hovers the option and says nothing to the customer.
    aim_right(&mut app, at, false);
    app.update();
    let hovered = {
        let world = app.world_mut();
        let mut q = world.query::<(&ReplyButton, &Interaction)>();
        q.iter(world).find(|(b, _)| b.0 == id).map(|(_, i)| *i)
    };
    assert_eq!(hovered, Some(Interaction::Hovered), "the ray highlights the option");
    assert_eq!(turns(&app), 0, "pointing is not choosing");

    // The trigger picks it, once, with a tick in that hand.
    let ticks = pull_trigger(&mut app, at);
    assert_eq!(
        ticks,
        vec![HapticTick(Hand::Right)],
        "a haptic tick in the hand that chose"
    );
    let record = app.world().resource::<ActiveSession>().session().record();
    assert_eq!(record.turns.len(), 1, "one selection, one turn");
    assert_eq!(record.turns[0].input.chosen_option.as_deref(), Some(id.as_str()));

    // Looking at the customer the whole turn: the turn carries full eye contact.
    let gaze = record.turns[0]
        .input
        .delivery
        .gaze
        .expect("eye contact measured in a headset");
    assert_eq!(gaze.while_listening, Some(1.0), "{gaze:?}");
    assert_eq!(gaze.while_replying, Some(1.0), "{gaze:?}");
}

#[test]
fn looking_away_is_measured_into_the_turn_and_the_customer_seeks_attention() {
    let mut app = headset_app();
    app.insert_resource(head(false));
    let (id, at) = first_option(&mut app);
    listen_then_pause(&mut app);
    pull_trigger(&mut app, at);
    let record = app.world().resource::<ActiveSession>().session().record();
    assert_eq!(record.turns[0].input.chosen_option.as_deref(), Some(id.as_str()));
    let gaze = record.turns[0].input.delivery.gaze.expect("measured");
    assert_eq!(gaze.while_listening, Some(0.0), "never looked at them: {gaze:?}");
    assert_eq!(gaze.while_replying, Some(0.0), "never looked at them: {gaze:?}");
    let described = record.turns[0].input.delivery.describe().join("; ");
    assert!(described.contains("eyes on them 0 % while they spoke"), "{described}");

    // While the customer answers and the trainee still looks away, they notice.
    let mut longest = 0.0f32;
    for _ in 0..200 {
        app.update();
        longest = longest.max(
            app.world()
                .resource::<holdspace::app::customer::avatar::gaze::TraineeAttention>()
                .looking_away_s,
        );
    }
    assert!(
        holdspace::app::customer::avatar::gaze::seeking(Some(
            &holdspace::app::customer::avatar::gaze::TraineeAttention {
                looking_away_s: longest
            }
        )) > 0.5,
        "an ignored customer looks for the trainee's eyes (unlooked-at for {longest:.1} s)"
    );
}
