//! The session scene: a small service office with a counter, lit like a real room,
//! seen from a standing trainee's eye height across the counter from the customer.

use bevy::prelude::*;

use crate::app::customer::anchor::CustomerFace;
use crate::app::screens::Screen;

/// Eye height of a standing trainee, metres.
pub const EYE_HEIGHT: f32 = 1.62;
/// Where the trainee stands (the camera), metres from the counter's front edge.
pub const TRAINEE_Z: f32 = 1.0;
/// Where the customer stands: across a 0.6 m counter, about 2 m from the trainee,
/// inside the "social" distance people keep at a service point.
pub const CUSTOMER_Z: f32 = -1.05;

/// The camera everything renders through.
#[derive(Component, Debug)]
pub struct MainCamera;

/// The trainee's view: aimed just below the customer's hands on the counter, so her face
/// sits in the upper third of the frame and her hands above the subtitle and options
/// (aimed at her chest, at 1.22 m, the subtitle covered her hands at 1280 × 720; at
/// 1.1 m, hands resting mid-counter were still under a short subtitle's box). The tallest
/// look's crown stays in frame (tested with the layout in the integration tests).
pub fn trainee_view() -> Transform {
    Transform::from_xyz(0.0, EYE_HEIGHT, TRAINEE_Z).looking_at(Vec3::new(0.0, 1.03, CUSTOMER_Z), Vec3::Y)
}

/// The customer's view, for the replay: from their eyes towards where the trainee stood.
pub fn customer_view() -> Transform {
    Transform::from_xyz(0.0, 1.6, CUSTOMER_Z + 0.1).looking_at(Vec3::new(0.0, 1.3, TRAINEE_Z), Vec3::Y)
}

/// A head-and-shoulders view of the customer from just over the counter, narrow-angle,
/// with the face in the upper half of the frame (clear of the subtitle and options).
/// Until the face is found it aims where an average customer's eyes are.
pub fn close_up_view() -> (Transform, Projection) {
    let transform = close_up_on(1.53);
    let projection = Projection::Perspective(PerspectiveProjection {
        fov: 28f32.to_radians(),
        ..default()
    });
    (transform, projection)
}

/// How far below the eyes the close-up aims: the face in the upper half of the frame and
/// the shoulders below it, clear of the subtitle and options.
pub const CLOSE_UP_AIM_BELOW_EYES: f32 = 0.2;

/// The close-up aimed at a face whose eyes are at `eyes_y` (looks differ in height by
/// 20 cm, more than one fixed aim frames: a tall customer lost the top of his head).
pub fn close_up_on(eyes_y: f32) -> Transform {
    let aim = eyes_y - CLOSE_UP_AIM_BELOW_EYES;
    Transform::from_xyz(0.0, aim + 0.27, CUSTOMER_Z + 1.5).looking_at(Vec3::new(0.0, aim, CUSTOMER_Z), Vec3::Y)
}

/// Aims the close-up at the customer's face the first time it is found, then holds still:
/// following the head would hide the very nods and drops the close-up is there to show.
pub fn frame_close_up(
    settings: Option<Res<SceneSettings>>,
    face: Res<CustomerFace>,
    mut cameras: Query<&mut Transform, With<MainCamera>>,
    mut framed: Local<bool>,
) {
    if *framed || !settings.is_some_and(|s| s.close_up) {
        return;
    }
    let Some(eyes) = face.eyes else {
        return;
    };
    for mut camera in &mut cameras {
        *camera = close_up_on(eyes.y);
    }
    *framed = true;
}

/// How the camera frames the scene.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct SceneSettings {
    /// Frame the customer's head and shoulders instead of the trainee's view (for
    /// contact sheets and close inspection).
    pub close_up: bool,
}

/// Spawns the persistent camera (UI-only screens draw over its clear colour): the
/// trainee's view, or the close-up with `--close-up`.
pub fn spawn_camera(mut commands: Commands, settings: Option<Res<SceneSettings>>) {
    let mut camera = commands.spawn((
        Name::new("Main camera"),
        MainCamera,
        Camera3d::default(),
        trainee_view(),
    ));
    if settings.is_some_and(|s| s.close_up) {
        camera.insert(close_up_view());
    }
}

/// Spawns the room for the session screen.
pub fn spawn_room(commands: Commands, meshes: ResMut<Assets<Mesh>>, materials: ResMut<Assets<StandardMaterial>>) {
    build_room(commands, meshes, materials, Screen::Session);
}

/// Spawns the room, counter and lights, cleaned up when `screen` exits.
pub fn build_room(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    screen: Screen,
) {
    let mut material = |r: f32, g: f32, b: f32, roughness: f32| {
        materials.add(StandardMaterial {
            base_color: Color::srgb(r, g, b),
            perceptual_roughness: roughness,
            ..default()
        })
    };
    let floor = material(0.30, 0.31, 0.33, 0.9);
    let wall = material(0.78, 0.74, 0.66, 0.95);
    let side_wall = material(0.70, 0.67, 0.60, 0.95);
    let counter_body = material(0.36, 0.25, 0.17, 0.7);
    let counter_top = material(0.86, 0.84, 0.80, 0.35);
    let trim = material(0.17, 0.36, 0.42, 0.6);
    let poster = material(0.20, 0.43, 0.55, 0.8);
    let monitor = material(0.05, 0.05, 0.06, 0.3);
    let plant = material(0.22, 0.45, 0.25, 0.9);
    let pot = material(0.55, 0.32, 0.22, 0.8);

    let scene = |name: &'static str| (Name::new(name), DespawnOnExit(screen));
    let mut piece = |name: &'static str, mesh: Mesh, material: &Handle<StandardMaterial>, at: Vec3| {
        commands.spawn((
            scene(name),
            Mesh3d(meshes.add(mesh)),
            MeshMaterial3d(material.clone()),
            Transform::from_translation(at),
        ));
    };

    piece(
        "Floor",
        Cuboid::new(8.0, 0.02, 8.0).into(),
        &floor,
        Vec3::new(0.0, -0.01, -1.0),
    );
    piece(
        "Back wall",
        Cuboid::new(8.0, 3.0, 0.1).into(),
        &wall,
        Vec3::new(0.0, 1.5, -2.6),
    );
    piece(
        "Left wall",
        Cuboid::new(0.1, 3.0, 6.0).into(),
        &side_wall,
        Vec3::new(-2.6, 1.5, -0.5),
    );
    piece(
        "Right wall",
        Cuboid::new(0.1, 3.0, 6.0).into(),
        &side_wall,
        Vec3::new(2.6, 1.5, -0.5),
    );
    // Behind the trainee: only seen from the customer's side, in the replay.
    piece(
        "Front wall",
        Cuboid::new(8.0, 3.0, 0.1).into(),
        &side_wall,
        Vec3::new(0.0, 1.5, 2.6),
    );
    piece(
        "Door",
        Cuboid::new(0.95, 2.1, 0.04).into(),
        &trim,
        Vec3::new(-1.3, 1.05, 2.54),
    );
    piece(
        "Skirting",
        Cuboid::new(8.0, 0.12, 0.12).into(),
        &trim,
        Vec3::new(0.0, 0.06, -2.52),
    );
    // The counter: a solid front panel and a pale worktop at a standing height of 1.05 m.
    piece(
        "Counter body",
        Cuboid::new(2.6, 1.0, 0.6).into(),
        &counter_body,
        Vec3::new(0.0, 0.5, -0.4),
    );
    piece(
        "Counter top",
        Cuboid::new(2.7, 0.05, 0.7).into(),
        &counter_top,
        Vec3::new(0.0, 1.025, -0.4),
    );
    piece(
        "Counter stripe",
        Cuboid::new(2.62, 0.06, 0.02).into(),
        &trim,
        Vec3::new(0.0, 0.85, -0.09),
    );
    // A notice on the back wall: a coloured header over a pale sheet of lines, at eye
    // level where the trainee's view takes it in.
    piece(
        "Poster",
        Cuboid::new(0.9, 0.62, 0.02).into(),
        &poster,
        Vec3::new(-1.25, 1.62, -2.54),
    );
    let sheet = material(0.93, 0.92, 0.88, 0.9);
    piece(
        "Poster sheet",
        Cuboid::new(0.8, 0.4, 0.01).into(),
        &sheet,
        Vec3::new(-1.25, 1.56, -2.525),
    );
    for (i, width) in [0.6f32, 0.45, 0.55].into_iter().enumerate() {
        piece(
            "Poster line",
            Cuboid::new(width, 0.035, 0.005).into(),
            &trim,
            Vec3::new(-1.25 - (0.6 - width) / 2.0, 1.66 - i as f32 * 0.09, -2.518),
        );
    }
    piece(
        "Plant pot",
        Cylinder::new(0.16, 0.35).into(),
        &pot,
        Vec3::new(1.9, 0.175, -2.2),
    );
    piece("Plant", Sphere::new(0.32).into(), &plant, Vec3::new(1.9, 0.62, -2.2));
    // The trainee's screen, turned towards them and lit: a black slab read as a block
    // standing on the counter, not as the desk's monitor.
    let screen = materials.add(StandardMaterial {
        base_color: Color::srgb(0.10, 0.13, 0.17),
        emissive: LinearRgba::rgb(0.22, 0.32, 0.42),
        perceptual_roughness: 0.2,
        ..default()
    });
    let rows = materials.add(StandardMaterial {
        base_color: Color::srgb(0.8, 0.85, 0.9),
        emissive: LinearRgba::rgb(0.55, 0.62, 0.7),
        ..default()
    });
    let facing = Quat::from_rotation_y(-0.4);
    commands
        .spawn((
            scene("Monitor"),
            Mesh3d(meshes.add(Cuboid::new(0.5, 0.32, 0.03))),
            MeshMaterial3d(monitor.clone()),
            Transform::from_xyz(0.85, 1.27, -0.3).with_rotation(facing),
        ))
        .with_children(|monitor| {
            monitor.spawn((
                Name::new("Monitor stand"),
                Mesh3d(meshes.add(Cuboid::new(0.06, 0.2, 0.06))),
                MeshMaterial3d(counter_body.clone()),
                Transform::from_xyz(0.0, -0.17, -0.03),
            ));
            monitor.spawn((
                Name::new("Monitor screen"),
                Mesh3d(meshes.add(Cuboid::new(0.46, 0.28, 0.004))),
                MeshMaterial3d(screen),
                Transform::from_xyz(0.0, 0.0, 0.017),
            ));
            // A few lines of a customer record on it.
            for (i, width) in [0.3f32, 0.22, 0.34, 0.18].into_iter().enumerate() {
                monitor.spawn((
                    Name::new("Monitor text"),
                    Mesh3d(meshes.add(Cuboid::new(width, 0.018, 0.002))),
                    MeshMaterial3d(rows.clone()),
                    Transform::from_xyz(-0.2 + width / 2.0, 0.09 - i as f32 * 0.055, 0.02),
                ));
            }
        });

    commands.spawn((
        scene("Ceiling light"),
        PointLight {
            intensity: 350_000.0,
            range: 12.0,
            shadow_maps_enabled: true,
            color: Color::srgb(1.0, 0.96, 0.9),
            ..default()
        },
        Transform::from_xyz(0.3, 2.8, -0.6),
    ));
    commands.spawn((
        scene("Window light"),
        DirectionalLight {
            illuminance: 2_500.0,
            shadow_maps_enabled: true,
            color: Color::srgb(0.95, 0.97, 1.0),
            ..default()
        },
        Transform::from_xyz(-3.0, 4.0, 2.0).looking_at(Vec3::new(0.0, 1.0, -1.0), Vec3::Y),
    ));
}

/// A soft ambient fill so faces in shadow stay readable.
pub fn ambient() -> GlobalAmbientLight {
    GlobalAmbientLight {
        color: Color::srgb(0.95, 0.92, 0.88),
        brightness: 180.0,
        ..default()
    }
}
