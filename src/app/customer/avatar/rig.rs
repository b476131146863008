//! The avatar's rig, set up once its scene has spawned: the joints the code layers move,
//! the face units by name, and the layered animation graph the body clips play in.
//!
//! The graph has three masked Blend layers, each with its own idle so a layer's weights
//! always sum to one: arms (idle, arms_crossed, point, hands_on_counter, open), torso
//! (idle, lean_in, turn_away) and head (idle, head_down). A layer's clips are masked out
//! of the other layers' bones, so crossing the arms never fights leaning in.

use bevy::animation::{AnimationTargetId, graph::AnimationNodeIndex};
use bevy::mesh::skinning::SkinnedMesh;
use bevy::prelude::*;
use bevy::world_serialization::WorldInstanceReady;

use crate::app::customer::anchor::FaceAnchor;
use crate::app::customer::avatar::{Avatar, AvatarClips};
use crate::app::notice::Notice;

/// The arm layer's bones (the Blender script keys the arm clips on exactly these).
pub const ARM_BONES: [&str; 44] = [
    "clavicle.L",
    "shoulder01.L",
    "upperarm01.L",
    "upperarm02.L",
    "lowerarm01.L",
    "lowerarm02.L",
    "wrist.L",
    "clavicle.R",
    "shoulder01.R",
    "upperarm01.R",
    "upperarm02.R",
    "lowerarm01.R",
    "lowerarm02.R",
    "wrist.R",
    "finger1-1.L",
    "finger1-2.L",
    "finger1-3.L",
    "finger2-1.L",
    "finger2-2.L",
    "finger2-3.L",
    "finger3-1.L",
    "finger3-2.L",
    "finger3-3.L",
    "finger4-1.L",
    "finger4-2.L",
    "finger4-3.L",
    "finger5-1.L",
    "finger5-2.L",
    "finger5-3.L",
    "finger1-1.R",
    "finger1-2.R",
    "finger1-3.R",
    "finger2-1.R",
    "finger2-2.R",
    "finger2-3.R",
    "finger3-1.R",
    "finger3-2.R",
    "finger3-3.R",
    "finger4-1.R",
    "finger4-2.R",
    "finger4-3.R",
    "finger5-1.R",
    "finger5-2.R",
    "finger5-3.R",
];
/// The torso layer's bones.
pub const TORSO_BONES: [&str; 6] = ["root", "spine05", "spine04", "spine03", "spine02", "spine01"];
/// The head layer's bones.
pub const HEAD_BONES: [&str; 4] = ["neck01", "neck02", "neck03", "head"];

/// The body clips every avatar must have.
pub const CLIPS: [&str; 8] = [
    "idle",
    "arms_crossed",
    "point",
    "hands_on_counter",
    "open",
    "lean_in",
    "turn_away",
    "head_down",
];

const ARMS: u32 = 0;
const TORSO: u32 = 1;
const HEAD: u32 = 2;

/// The graph's clip nodes.
#[derive(Debug, Clone, Copy)]
pub struct Nodes {
    /// Idle, arms only.
    pub idle_arms: AnimationNodeIndex,
    /// Arms folded.
    pub crossed: AnimationNodeIndex,
    /// Pointing at the trainee.
    pub point: AnimationNodeIndex,
    /// Hands on the counter.
    pub on_counter: AnimationNodeIndex,
    /// Open hands.
    pub open: AnimationNodeIndex,
    /// Idle, torso only.
    pub idle_torso: AnimationNodeIndex,
    /// Leaning in.
    pub lean_in: AnimationNodeIndex,
    /// Turning away.
    pub turn_away: AnimationNodeIndex,
    /// Idle, head only.
    pub idle_head: AnimationNodeIndex,
    /// Head down.
    pub head_down: AnimationNodeIndex,
}

impl Nodes {
    /// Every clip node.
    pub fn all(&self) -> [AnimationNodeIndex; 10] {
        [
            self.idle_arms,
            self.crossed,
            self.point,
            self.on_counter,
            self.open,
            self.idle_torso,
            self.lean_in,
            self.turn_away,
            self.idle_head,
            self.head_down,
        ]
    }

    /// The torso layer's nodes (they share the breathing speed).
    pub fn torso(&self) -> [AnimationNodeIndex; 3] {
        [self.idle_torso, self.lean_in, self.turn_away]
    }
}

/// A joint the code layers move, with its rest rotation (for joints no clip keys, whose
/// rotation must be written absolutely each frame).
#[derive(Debug, Clone, Copy)]
pub struct Joint {
    /// The joint's entity.
    pub entity: Entity,
    /// Its local rotation in the bind pose.
    pub rest: Quat,
}

/// Everything the avatar's layers drive, found once the scene is ready.
#[derive(Component, Debug, Clone)]
pub struct AvatarRig {
    /// The entity with the `AnimationPlayer`.
    pub player: Entity,
    /// The clip nodes.
    pub nodes: Nodes,
    /// The entity with the face's `MorphWeights`, and the face units' names in order.
    pub face: Option<(Entity, Vec<String>)>,
    /// Upper neck, head, left and right eye.
    pub neck: Joint,
    /// The head.
    pub head: Joint,
    /// Left and right eyes.
    pub eyes: [Joint; 2],
    /// Left and right wrists (fidgeting).
    pub wrists: [Joint; 2],
    /// How many joints the skeleton has.
    pub joint_count: usize,
}

/// Builds the rig and starts the clips when the avatar's scene is ready.
pub fn on_ready(
    ready: On<WorldInstanceReady>,
    mut commands: Commands,
    avatars: Query<(&Avatar, &AvatarClips)>,
    children: Query<&Children>,
    names: Query<&Name>,
    targets: Query<&AnimationTargetId>,
    transforms: Query<&Transform>,
    mut players: Query<&mut AnimationPlayer>,
    morphs: Query<&MorphWeights>,
    skins: Query<&SkinnedMesh>,
    meshes: Res<Assets<Mesh>>,
    mut graphs: ResMut<Assets<AnimationGraph>>,
    mut notices: MessageWriter<Notice>,
) {
    let root = ready.entity;
    let Ok((avatar, clips)) = avatars.get(root) else {
        return;
    };
    let mut joints = std::collections::HashMap::new();
    let mut joint_count = 0;
    let mut player = None;
    let mut face = None;
    for e in children.iter_descendants(root) {
        if let Ok(name) = names.get(e) {
            joints.insert(name.as_str().to_owned(), e);
        }
        if players.contains(e) {
            player = Some(e);
        }
        if let Ok(skin) = skins.get(e) {
            joint_count = joint_count.max(skin.joints.len());
        }
        if let Ok(weights) = morphs.get(e) {
            let unit_names = weights
                .first_mesh()
                .and_then(|h| meshes.get(h))
                .and_then(|m| m.try_morph_target_names().ok().flatten())
                .map(<[String]>::to_vec)
                .unwrap_or_default();
            if !unit_names.is_empty() {
                face = Some((e, unit_names));
            }
        }
    }
    let joint = |name: &str| {
        joints.get(name).map(|&entity| Joint {
            entity,
            rest: transforms.get(entity).map_or(Quat::IDENTITY, |t| t.rotation),
        })
    };
    let (Some(player), Some(neck), Some(head), Some(eye_l), Some(eye_r), Some(wrist_l), Some(wrist_r)) = (
        player,
        joint("neck03"),
        joint("head"),
        joint("eye.L"),
        joint("eye.R"),
        joint("wrist.L"),
        joint("wrist.R"),
    ) else {
        notices.write(Notice::error(
            "The customer avatar has no animation player or is missing neck, head, eye or wrist joints: rebuild it with `bash scripts/avatar.sh`.",
        ));
        return;
    };

    let missing: Vec<&str> = CLIPS.iter().copied().filter(|c| clips.get(c).is_none()).collect();
    if !missing.is_empty() {
        notices.write(Notice::error(format!(
            "The customer avatar lacks the body clips {}: rebuild it with `bash scripts/avatar.sh`.",
            missing.join(", ")
        )));
    }
    let clip = |name: &str| clips.get(name).unwrap_or_default();

    let mut graph = AnimationGraph::new();
    for (bones, group) in [
        (&ARM_BONES[..], ARMS),
        (&TORSO_BONES[..], TORSO),
        (&HEAD_BONES[..], HEAD),
    ] {
        for bone in bones {
            if let Some(id) = joints.get(*bone).and_then(|&e| targets.get(e).ok()) {
                graph.add_target_to_mask_group(*id, group);
            }
        }
    }
    let only = |group: u32| ((1u64 << ARMS) | (1 << TORSO) | (1 << HEAD)) & !(1u64 << group);
    let arms = graph.add_blend(1.0, graph.root);
    let torso = graph.add_blend(1.0, graph.root);
    let head_layer = graph.add_blend(1.0, graph.root);
    let nodes = Nodes {
        idle_arms: graph.add_clip_with_mask(clip("idle"), only(ARMS), 1.0, arms),
        crossed: graph.add_clip_with_mask(clip("arms_crossed"), only(ARMS), 1.0, arms),
        point: graph.add_clip_with_mask(clip("point"), only(ARMS), 1.0, arms),
        on_counter: graph.add_clip_with_mask(clip("hands_on_counter"), only(ARMS), 1.0, arms),
        open: graph.add_clip_with_mask(clip("open"), only(ARMS), 1.0, arms),
        idle_torso: graph.add_clip_with_mask(clip("idle"), only(TORSO), 1.0, torso),
        lean_in: graph.add_clip_with_mask(clip("lean_in"), only(TORSO), 1.0, torso),
        turn_away: graph.add_clip_with_mask(clip("turn_away"), only(TORSO), 1.0, torso),
        idle_head: graph.add_clip_with_mask(clip("idle"), only(HEAD), 1.0, head_layer),
        head_down: graph.add_clip_with_mask(clip("head_down"), only(HEAD), 1.0, head_layer),
    };
    if let Ok(mut p) = players.get_mut(player) {
        for node in nodes.all() {
            // Idles start at full weight, the rest at none; `body` sets them each frame.
            let idle = [nodes.idle_arms, nodes.idle_torso, nodes.idle_head].contains(&node);
            p.play(node).repeat().set_weight(if idle { 1.0 } else { 0.0 });
        }
    }
    commands.entity(player).insert(AnimationGraphHandle(graphs.add(graph)));

    let units = face.as_ref().map_or(0, |(_, n)| n.len());
    info!(
        "avatar ready: look {}, {} joints, {} face units, clips {}",
        avatar.look,
        joint_count,
        units,
        {
            let mut n: Vec<&str> = clips.0.iter().map(|(n, _)| n.as_str()).collect();
            n.sort_unstable();
            n.join(",")
        }
    );
    if face.is_none() {
        notices.write(Notice::error(
            "The customer avatar has no face units: its expressions will not show. Rebuild it with `bash scripts/avatar.sh`.",
        ));
    }
    commands.entity(root).insert((
        FaceAnchor::Eyes([eye_l.entity, eye_r.entity]),
        AvatarRig {
            player,
            nodes,
            face,
            neck,
            head,
            eyes: [eye_l, eye_r],
            wrists: [wrist_l, wrist_r],
            joint_count,
        },
    ));
}
