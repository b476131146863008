//! Replay from the customer's seat: the room seen from behind the counter, a stand-in for
//! the trainee where they stood, and the conversation played back turn by turn with the
//! trainee's words as subtitles and how the customer felt after each. It advances by
//! itself; arrows or buttons step, Escape goes back to the debrief.

use bevy::prelude::*;

use crate::app::screens::Screen;
use crate::app::screens::debrief::DebriefSubject;
use crate::app::session::scene::{MainCamera, TRAINEE_Z, build_room, customer_view, trainee_view};
use crate::app::theme::{ACCENT, BODY, HEADING, MUTED, PANEL, SMALL, TEXT, band_color, button, label, overlay_root};
use crate::app::{AppSystems, PresentSystems};

/// Seconds each turn stays up when playing.
const TURN_SECONDS: f32 = 5.0;

/// Where the replay is.
#[derive(Resource, Debug)]
pub struct ReplayState {
    /// 0 = the customer's opening; n = after the trainee's turn n.
    pub step: usize,
    /// Advancing by itself.
    pub playing: bool,
    timer: Timer,
}

/// The subtitle (the trainee's words).
#[derive(Component, Debug)]
pub struct ReplaySubtitle;

/// The small line above it (what the customer had said).
#[derive(Component, Debug)]
pub struct ReplayContext;

/// The "turn k of n" and feeling line.
#[derive(Component, Debug)]
pub struct ReplayStatus;

/// A replay control: -1 back, +1 forward, 0 play/pause, 99 leave.
#[derive(Component, Debug, Clone, Copy)]
pub struct ReplayControl(pub i32);

/// Registers the replay screen.
pub fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Replay), (spawn_replay, spawn_replay_room, seat_camera))
        .add_systems(OnExit(Screen::Replay), restore_camera)
        .add_systems(
            Update,
            (
                advance.in_set(AppSystems::TickTimers),
                controls.in_set(AppSystems::RecordInput),
                show_step.in_set(PresentSystems::Ui),
            )
                .run_if(in_state(Screen::Replay)),
        );
}

fn seat_camera(mut cameras: Query<&mut Transform, With<MainCamera>>) {
    for mut t in &mut cameras {
        *t = customer_view();
    }
}

fn restore_camera(mut cameras: Query<&mut Transform, With<MainCamera>>) {
    for mut t in &mut cameras {
        *t = trainee_view();
    }
}

/// The room, the trainee's stand-in and the subtitle overlay.
pub fn spawn_replay(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    subject: Option<Res<DebriefSubject>>,
) {
    let mut mat = |r: f32, g: f32, b: f32| {
        materials.add(StandardMaterial {
            base_color: Color::srgb(r, g, b),
            perceptual_roughness: 0.85,
            ..default()
        })
    };
    let jacket = mat(0.16, 0.22, 0.30);
    let skin = mat(0.80, 0.62, 0.50);
    let hair = mat(0.16, 0.12, 0.10);
    let headset = mat(0.05, 0.05, 0.06);
    let body = meshes.add(Capsule3d::new(0.19, 0.5));
    let legs = meshes.add(Capsule3d::new(0.17, 0.6));
    let head = meshes.add(Sphere::new(0.115));
    let arm = meshes.add(Capsule3d::new(0.05, 0.5));
    let band = meshes.add(Cuboid::new(0.03, 0.03, 0.2));
    let parts: [(&str, Handle<Mesh>, Handle<StandardMaterial>, Transform); 7] = [
        ("Legs", legs, jacket.clone(), Transform::from_xyz(0.0, 0.52, 0.0)),
        (
            "Body",
            body,
            jacket.clone(),
            Transform::from_xyz(0.0, 1.22, 0.0).with_scale(Vec3::new(1.1, 1.0, 0.7)),
        ),
        ("Head", head.clone(), skin, Transform::from_xyz(0.0, 1.63, 0.0)),
        (
            "Hair",
            head,
            hair,
            Transform::from_xyz(0.0, 1.67, 0.03).with_scale(Vec3::new(1.03, 0.8, 1.0)),
        ),
        ("Headset", band, headset, Transform::from_xyz(0.12, 1.64, 0.0)),
        (
            "Left arm",
            arm.clone(),
            jacket.clone(),
            Transform::from_xyz(-0.25, 1.15, 0.0),
        ),
        ("Right arm", arm, jacket, Transform::from_xyz(0.25, 1.15, 0.0)),
    ];
    let trainee = commands
        .spawn((
            Name::new("Trainee stand-in"),
            DespawnOnExit(Screen::Replay),
            Transform::from_xyz(0.0, 0.0, TRAINEE_Z + 0.15),
            Visibility::default(),
        ))
        .id();
    for (name, mesh, material, at) in parts {
        commands.spawn((
            ChildOf(trainee),
            Name::new(name),
            Mesh3d(mesh),
            MeshMaterial3d(material),
            at,
        ));
    }

    let customer = subject.as_ref().map_or("the customer".to_owned(), |s| {
        s.scenario
            .scenario
            .customer
            .name
            .split_whitespace()
            .next()
            .unwrap_or("the customer")
            .to_owned()
    });
    commands.insert_resource(ReplayState {
        step: 0,
        playing: true,
        timer: Timer::from_seconds(TURN_SECONDS, TimerMode::Repeating),
    });
    commands.spawn((
        Name::new("Replay overlay"),
        DespawnOnExit(Screen::Replay),
        overlay_root(),
        children![
            (
                Node {
                    flex_direction: FlexDirection::Column,
                    padding: UiRect::all(px(10.0)),
                    border_radius: BorderRadius::all(px(8.0)),
                    row_gap: px(4.0),
                    ..default()
                },
                BackgroundColor(PANEL),
                children![
                    label(
                        format!("Replay from {customer}'s seat: this is what they saw and heard"),
                        BODY,
                        ACCENT
                    ),
                    (ReplayStatus, label("", SMALL, MUTED))
                ]
            ),
            (
                Node {
                    flex_direction: FlexDirection::Column,
                    align_items: AlignItems::Center,
                    row_gap: px(8.0),
                    ..default()
                },
                children![
                    (
                        Node {
                            flex_direction: FlexDirection::Column,
                            align_items: AlignItems::Center,
                            max_width: percent(80.0),
                            padding: UiRect::axes(px(16.0), px(10.0)),
                            border_radius: BorderRadius::all(px(8.0)),
                            row_gap: px(6.0),
                            ..default()
                        },
                        BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.72)),
                        children![
                            (ReplayContext, label("", SMALL, MUTED)),
                            (ReplaySubtitle, label("", HEADING - 4.0, TEXT))
                        ]
                    ),
                    (
                        Node {
                            column_gap: px(8.0),
                            ..default()
                        },
                        children![
                            button("Previous (Left)", ReplayControl(-1)),
                            button("Play / pause (Space)", ReplayControl(0)),
                            button("Next (Right)", ReplayControl(1)),
                            button("Back to the debrief (Esc)", ReplayControl(99))
                        ]
                    ),
                    label(
                        "Your voice was not recorded (replies were clicked or typed), so only your words are shown.",
                        SMALL - 1.0,
                        MUTED
                    )
                ]
            )
        ],
    ));
}

/// Spawns the room for the replay (a separate system so `build_room` keeps its own parameters).
pub fn spawn_replay_room(
    commands: Commands,
    meshes: ResMut<Assets<Mesh>>,
    materials: ResMut<Assets<StandardMaterial>>,
) {
    build_room(commands, meshes, materials, Screen::Replay);
}

fn advance(time: Res<Time>, state: Option<ResMut<ReplayState>>, subject: Option<Res<DebriefSubject>>) {
    let (Some(mut state), Some(subject)) = (state, subject) else {
        return;
    };
    if state.playing && state.timer.tick(time.delta()).just_finished() {
        if state.step < subject.record.turns.len() {
            state.step += 1;
        } else {
            state.playing = false;
        }
    }
}

fn controls(
    keys: Res<ButtonInput<KeyCode>>,
    buttons: Query<(&Interaction, &ReplayControl), Changed<Interaction>>,
    state: Option<ResMut<ReplayState>>,
    subject: Option<Res<DebriefSubject>>,
    mut next: ResMut<NextState<Screen>>,
) {
    let (Some(mut state), Some(subject)) = (state, subject) else {
        return;
    };
    let mut pressed: Vec<i32> = buttons
        .iter()
        .filter(|(i, _)| **i == Interaction::Pressed)
        .map(|(_, c)| c.0)
        .collect();
    for (key, control) in [
        (KeyCode::ArrowLeft, -1),
        (KeyCode::ArrowRight, 1),
        (KeyCode::Space, 0),
        (KeyCode::Escape, 99),
    ] {
        if keys.just_pressed(key) {
            pressed.push(control);
        }
    }
    let last = subject.record.turns.len();
    for control in pressed {
        match control {
            -1 => {
                state.step = state.step.saturating_sub(1);
                state.timer.reset();
            }
            1 => {
                state.step = (state.step + 1).min(last);
                state.timer.reset();
            }
            0 => state.playing = !state.playing,
            _ => next.set(Screen::Debrief),
        }
    }
}

/// Shows the current step: what the customer had said, the trainee's words, how they felt after.
fn show_step(
    state: Option<Res<ReplayState>>,
    subject: Option<Res<DebriefSubject>>,
    mut subtitle: Query<&mut Text, (With<ReplaySubtitle>, Without<ReplayContext>, Without<ReplayStatus>)>,
    mut context: Query<&mut Text, (With<ReplayContext>, Without<ReplaySubtitle>, Without<ReplayStatus>)>,
    mut status: Query<
        (&mut Text, &mut TextColor),
        (With<ReplayStatus>, Without<ReplaySubtitle>, Without<ReplayContext>),
    >,
) {
    let (Some(state), Some(subject)) = (state, subject) else {
        return;
    };
    if !state.is_changed() && !subject.is_changed() {
        return;
    }
    let record = &subject.record;
    let name = subject
        .scenario
        .scenario
        .customer
        .name
        .split_whitespace()
        .next()
        .unwrap_or("They")
        .to_owned();
    let (said, heard, band, line) = match state.step.checked_sub(1).and_then(|i| record.turns.get(i)) {
        None => (
            record.turns.first().map_or(String::new(), |t| t.customer_said.clone()),
            "(you have not spoken yet)".to_owned(),
            record.start.band,
            format!("Before you spoke: {name} was {}", record.start.band.label()),
        ),
        Some(t) => (
            t.customer_said.clone(),
            format!("\u{201c}{}\u{201d}", t.words()),
            t.after.band,
            format!(
                "Turn {} of {}: after hearing this, {name} went from {} to {}",
                t.turn,
                record.turns.len(),
                t.before.band.label(),
                t.after.band.label()
            ),
        ),
    };
    for mut t in &mut subtitle {
        t.0 = heard.clone();
    }
    for mut t in &mut context {
        t.0 = format!("{name} had said: \u{201c}{said}\u{201d}");
    }
    for (mut t, mut c) in &mut status {
        t.0 = line.clone();
        c.0 = band_color(band);
    }
}
