//! The primitive customer: a clean, simple figure behind the counter whose colour and
//! posture follow the engine's band and the line's body-language tags. It stands in for
//! the avatar when the avatar's GLB is missing or broken (or with `--stand-in`).

use bevy::prelude::*;
use holdspace_core::Band;
use holdspace_core::scenario::model::Tag;

use crate::app::PresentSystems;
use crate::app::customer::anchor::FaceAnchor;
use crate::app::customer::lipsync::CustomerMouth;
use crate::app::screens::Screen;
use crate::app::session::runner::{CustomerSpoke, EscalationChanged};
use crate::app::session::scene::CUSTOMER_Z;

/// The posture the figure moves towards (smoothly) and the one it shows now.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Posture {
    /// Forward lean of the upper body, radians.
    pub lean: f32,
    /// Head pitch (positive looks down), radians.
    pub head_pitch: f32,
    /// Head turn away from the trainee, radians.
    pub head_yaw: f32,
    /// Left and right shoulder pitch (raising the arm forward), radians.
    pub arms_forward: [f32; 2],
    /// Left and right arm swing across the body (inward positive), radians.
    pub arms_across: [f32; 2],
    /// Inner-brow angle: negative frowns, positive worries.
    pub brow: f32,
    /// 0 calm … 1 hostile: flush of the face and breathing rate.
    pub arousal: f32,
}

/// The posture the figure is heading for.
#[derive(Component, Debug, Clone, Copy)]
pub struct TargetPosture(pub Posture);

/// The customer's current band, kept for posture and colour.
#[derive(Component, Debug, Clone, Copy)]
pub struct Mood {
    /// Band now.
    pub band: Band,
    /// Escalation now.
    pub escalation: f32,
}

/// Parts that move.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Pivot at the hips.
    Body,
    /// Pivot at the neck.
    Head,
    /// Pivot at a shoulder (0 left, 1 right).
    Shoulder(usize),
    /// An eyebrow (0 left, 1 right).
    Brow(usize),
    /// The torso mesh (breathes).
    Chest,
    /// The mouth, shaped by the voice through the lip-sync hook.
    Mouth,
}

/// Materials that change colour.
#[derive(Resource, Debug, Clone)]
pub struct CustomerMaterials {
    skin: Handle<StandardMaterial>,
}

const SKIN: Color = Color::srgb(0.86, 0.68, 0.56);
const FLUSHED: Color = Color::srgb(0.93, 0.45, 0.38);

impl Posture {
    /// The resting posture for a band.
    pub fn for_band(band: Band) -> Posture {
        let (lean, forward, across, brow, arousal) = match band {
            Band::Calm => (0.0, [0.05, 0.05], [0.0, 0.0], 0.12, 0.0),
            Band::Uneasy => (0.03, [0.55, 0.55], [0.0, 0.0], 0.18, 0.25),
            Band::Frustrated => (0.05, [1.2, 1.2], [0.9, 0.9], -0.12, 0.5),
            Band::Angry => (0.12, [0.4, 1.45], [0.0, 0.15], -0.3, 0.75),
            Band::Hostile => (0.2, [1.3, 1.3], [0.25, 0.25], -0.42, 1.0),
        };
        Posture {
            lean,
            head_pitch: 0.0,
            head_yaw: 0.0,
            arms_forward: forward,
            arms_across: across,
            brow,
            arousal,
        }
    }

    /// Adjusts a band posture for what the line's tags say the body is doing.
    pub fn with_tags(mut self, tags: &[Tag]) -> Posture {
        for tag in tags {
            match tag {
                Tag::ArmsCrossed => {
                    self.arms_forward = [1.2, 1.2];
                    self.arms_across = [0.9, 0.9];
                }
                Tag::PointsAtYou => {
                    self.arms_forward = [0.3, 1.45];
                    self.arms_across = [0.0, 0.15];
                }
                Tag::HandsOnCounter => {
                    self.arms_forward = [0.6, 0.6];
                    self.arms_across = [0.0, 0.0];
                }
                Tag::OpenPosture => {
                    self.arms_forward = [0.35, 0.35];
                    self.arms_across = [-0.3, -0.3];
                }
                Tag::LeansIn => self.lean += 0.12,
                Tag::LooksDown | Tag::Sad | Tag::Tearful | Tag::Embarrassed => self.head_pitch = 0.38,
                Tag::HeadInHands => {
                    self.head_pitch = 0.55;
                    self.arms_forward = [2.2, 2.2];
                    self.arms_across = [0.35, 0.35];
                }
                Tag::TurnsAway => self.head_yaw = 0.7,
                Tag::AvoidsGaze => self.head_yaw = 0.35,
                _ => {}
            }
        }
        self
    }

    fn approach(&mut self, target: &Posture, t: f32) {
        let mix = |a: &mut f32, b: f32| *a += (b - *a) * t;
        mix(&mut self.lean, target.lean);
        mix(&mut self.head_pitch, target.head_pitch);
        mix(&mut self.head_yaw, target.head_yaw);
        mix(&mut self.brow, target.brow);
        mix(&mut self.arousal, target.arousal);
        for i in 0..2 {
            mix(&mut self.arms_forward[i], target.arms_forward[i]);
            mix(&mut self.arms_across[i], target.arms_across[i]);
        }
    }
}

/// Registers the figure's systems. `avatar` decides whether it is spawned (it is the
/// fallback when the avatar cannot be shown).
pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (react_to_session, animate_customer, shape_mouth)
            .chain()
            .in_set(PresentSystems::Animate)
            .run_if(in_state(Screen::Session)),
    );
}

/// Spawns the figure behind the counter, facing the trainee.
pub fn spawn_customer(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let mut mat = |c: Color, roughness: f32| {
        materials.add(StandardMaterial {
            base_color: c,
            perceptual_roughness: roughness,
            ..default()
        })
    };
    let skin = mat(SKIN, 0.7);
    let shirt = mat(Color::srgb(0.27, 0.38, 0.55), 0.85);
    let trousers = mat(Color::srgb(0.16, 0.17, 0.2), 0.9);
    let hair = mat(Color::srgb(0.42, 0.38, 0.36), 0.95);
    let dark = mat(Color::srgb(0.08, 0.07, 0.07), 0.4);
    commands.insert_resource(CustomerMaterials { skin: skin.clone() });

    let mut mesh = |m: Mesh| meshes.add(m);
    let torso = mesh(Capsule3d::new(0.17, 0.42).into());
    let hips = mesh(Capsule3d::new(0.16, 0.55).into());
    let head = mesh(Sphere::new(0.115).into());
    let hair_mesh = mesh(Sphere::new(0.12).into());
    let arm = mesh(Capsule3d::new(0.045, 0.5).into());
    let eye = mesh(Sphere::new(0.013).into());
    let brow = mesh(Cuboid::new(0.045, 0.008, 0.01).into());
    let mouth = mesh(Cuboid::new(0.05, 0.008, 0.01).into());
    let neck_mesh = mesh(Cylinder::new(0.045, 0.1).into());

    let start = Posture::for_band(Band::Uneasy);
    commands
        .spawn((
            Name::new("Customer"),
            DespawnOnExit(Screen::Session),
            Transform::from_xyz(0.0, 0.0, CUSTOMER_Z),
            Visibility::default(),
            Mood {
                band: Band::Uneasy,
                escalation: 0.3,
            },
            start,
            TargetPosture(start),
        ))
        .with_children(|root| {
            root.spawn((
                Name::new("Legs"),
                Mesh3d(hips),
                MeshMaterial3d(trousers),
                Transform::from_xyz(0.0, 0.5, 0.0),
            ));
            root.spawn((
                Name::new("Body pivot"),
                Part::Body,
                Transform::from_xyz(0.0, 0.92, 0.0),
                Visibility::default(),
            ))
            .with_children(|body| {
                body.spawn((
                    Name::new("Torso"),
                    Part::Chest,
                    Mesh3d(torso),
                    MeshMaterial3d(shirt.clone()),
                    Transform::from_xyz(0.0, 0.36, 0.0).with_scale(Vec3::new(1.1, 1.0, 0.72)),
                ));
                body.spawn((
                    Name::new("Neck"),
                    Mesh3d(neck_mesh),
                    MeshMaterial3d(skin.clone()),
                    Transform::from_xyz(0.0, 0.69, 0.0),
                ));
                body.spawn((
                    Name::new("Neck pivot"),
                    Part::Head,
                    // The eyes and mouth spawned below, for the voice and eye contact.
                    FaceAnchor::Offsets {
                        eyes: Vec3::new(0.0, 0.125, 0.105),
                        mouth: Vec3::new(0.0, 0.065, 0.11),
                    },
                    Transform::from_xyz(0.0, 0.72, 0.0),
                    Visibility::default(),
                ))
                .with_children(|neck| {
                    neck.spawn((
                        Name::new("Head"),
                        Mesh3d(head),
                        MeshMaterial3d(skin.clone()),
                        Transform::from_xyz(0.0, 0.11, 0.0),
                    ));
                    neck.spawn((
                        Name::new("Hair"),
                        Mesh3d(hair_mesh),
                        MeshMaterial3d(hair),
                        Transform::from_xyz(0.0, 0.14, -0.025).with_scale(Vec3::new(1.02, 0.9, 1.0)),
                    ));
                    for (i, x) in [(0usize, -0.04f32), (1, 0.04)] {
                        neck.spawn((
                            Name::new("Eye"),
                            Mesh3d(eye.clone()),
                            MeshMaterial3d(dark.clone()),
                            Transform::from_xyz(x, 0.125, 0.105),
                        ));
                        neck.spawn((
                            Name::new("Brow"),
                            Part::Brow(i),
                            Mesh3d(brow.clone()),
                            MeshMaterial3d(dark.clone()),
                            Transform::from_xyz(x, 0.155, 0.105),
                        ));
                    }
                    neck.spawn((
                        Name::new("Mouth"),
                        Part::Mouth,
                        Mesh3d(mouth),
                        MeshMaterial3d(dark.clone()),
                        Transform::from_xyz(0.0, 0.065, 0.11),
                    ));
                });
                for (i, x) in [(0usize, -0.22f32), (1, 0.22)] {
                    body.spawn((
                        Name::new("Shoulder"),
                        Part::Shoulder(i),
                        Transform::from_xyz(x, 0.58, 0.0),
                        Visibility::default(),
                    ))
                    .with_children(|shoulder| {
                        shoulder.spawn((
                            Name::new("Arm"),
                            Mesh3d(arm.clone()),
                            MeshMaterial3d(shirt.clone()),
                            Transform::from_xyz(0.0, -0.3, 0.0),
                        ));
                    });
                }
            });
        });
}

/// Sets the target posture and mood from the engine's messages.
pub fn react_to_session(
    mut changes: MessageReader<EscalationChanged>,
    mut spoke: MessageReader<CustomerSpoke>,
    mut customers: Query<(&mut Mood, &mut TargetPosture)>,
) {
    for (mut mood, mut target) in &mut customers {
        for EscalationChanged(change) in changes.read() {
            mood.band = change.band_to;
            mood.escalation = change.to;
            target.0 = Posture::for_band(mood.band);
        }
        for CustomerSpoke(line) in spoke.read() {
            mood.band = line.band;
            target.0 = Posture::for_band(line.band).with_tags(&line.tags);
        }
    }
}

/// Moves the figure towards its target posture over about half a second, breathes
/// faster as escalation rises, and flushes the face as the customer heats up.
pub fn animate_customer(
    time: Res<Time>,
    mut customers: Query<(&mut Posture, &TargetPosture)>,
    mut parts: Query<(&Part, &mut Transform)>,
    colours: Option<Res<CustomerMaterials>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let Ok((mut posture, target)) = customers.single_mut() else {
        return;
    };
    // Exponential smoothing: frame-rate independent, no pops.
    let t = 1.0 - (-5.0 * time.delta_secs()).exp();
    posture.approach(&target.0, t);
    let p = *posture;
    let breaths_per_second = 0.25 + 0.35 * p.arousal;
    let breath = (time.elapsed_secs() * breaths_per_second * std::f32::consts::TAU).sin();
    for (part, mut transform) in &mut parts {
        match part {
            Part::Body => transform.rotation = Quat::from_rotation_x(-p.lean),
            Part::Head => transform.rotation = Quat::from_euler(EulerRot::YXZ, p.head_yaw, p.head_pitch, 0.0),
            Part::Shoulder(i) => {
                // Pitch the hanging arm forward, then swing it towards the body's midline;
                // a slight outward roll keeps resting arms off the torso.
                let inward = if *i == 0 { 1.0 } else { -1.0 };
                transform.rotation = Quat::from_rotation_y(p.arms_across[*i] * inward)
                    * Quat::from_rotation_x(-p.arms_forward[*i])
                    * Quat::from_rotation_z(-0.1 * inward);
            }
            Part::Brow(i) => {
                let side = if *i == 0 { -1.0 } else { 1.0 };
                transform.rotation = Quat::from_rotation_z(p.brow * side);
            }
            Part::Chest => transform.scale = Vec3::new(1.0 + 0.015 * breath, 1.0 + 0.02 * breath, 1.0 + 0.03 * breath),
            // Shaped by `shape_mouth` from the voice.
            Part::Mouth => {}
        }
    }
    // Touch the material only when the flush visibly changes: every `get_mut` re-uploads it.
    if let Some(colours) = colours {
        let flush = SKIN.mix(&FLUSHED, (p.arousal - 0.4).max(0.0) / 0.6);
        let current = materials.get(&colours.skin).map(|m| m.base_color.to_srgba());
        let visible = current.is_none_or(|c| {
            let f = flush.to_srgba();
            (c.red - f.red).abs() + (c.green - f.green).abs() + (c.blue - f.blue).abs() > 0.004
        });
        if visible && let Some(mut skin) = materials.get_mut(&colours.skin) {
            skin.base_color = flush;
        }
    }
}

/// Shapes the figure's mouth from the lip-sync hook: the jaw opens it, pressed lips thin
/// it, rounding narrows it and spreading widens it.
pub fn shape_mouth(mouth: Res<CustomerMouth>, mut parts: Query<(&Part, &mut Transform)>) {
    if !mouth.is_changed() {
        return;
    }
    let m = mouth.0;
    let height = (1.0 + 4.5 * m.jaw_open) * (1.0 - 0.4 * m.lips_closed);
    let width = 1.0 + 0.35 * m.stretch - 0.35 * m.pucker - 0.2 * m.funnel;
    for (part, mut transform) in &mut parts {
        if *part == Part::Mouth {
            transform.scale = Vec3::new(width, height, 1.0);
            // The lower lip drops with the jaw, so the mouth opens downwards.
            transform.translation.y = 0.065 - 0.004 * 4.5 * m.jaw_open;
        }
    }
}
