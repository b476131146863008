//! The avatar's body language: the engine's state and the line being said become body
//! targets (the pure mapping in `holdspace_core::expression::body`), eased over believable times, and
//! the eased weights drive the animation graph's layers.

use bevy::prelude::*;
use holdspace_core::Band;
use holdspace_core::engine::state::Disclosure;
use holdspace_core::expression::body::{self, BodyCue, BodyStyle, BodyTargets, Gesture};
use holdspace_core::scenario::model::Tag;

use crate::app::PresentSystems;
use crate::app::customer::avatar::CustomerReady;
use crate::app::customer::avatar::rig::AvatarRig;
use crate::app::customer::listening::ListenerReacted;
use crate::app::screens::Screen;
use crate::app::session::runner::{ActiveSession, CustomerSpoke, EscalationChanged, NeedRevealed};
use crate::app::trainee::speech::TraineeTalk;
use holdspace_core::expression::listening::{BrowFlash, ListenerMove};

/// What the body is aiming for and where it is now.
#[derive(Component, Debug, Clone, Default)]
pub struct BodyState {
    /// The targets of the current state and line.
    pub target: BodyTargets,
    /// The eased values shown this frame.
    pub now: BodyTargets,
    /// The tags of the line last said (a posture holds until the next line).
    pub tags: Vec<Tag>,
    /// Head gestures waiting to be played by the gaze layer.
    pub gestures: Vec<Gesture>,
    /// The trainee just stopped talking: any glance away ends (read by the gaze layer).
    pub look_back: bool,
    /// The brows' flash as the trainee stops (played by the face).
    pub brows: BrowFlash,
    /// Whether the weights have been applied once (the first application snaps, so the
    /// avatar does not start in a neutral pose and drift into its mood).
    pub applied: bool,
}

/// The state the body reads, kept so a message about one part (escalation, a line, the
/// need) can recompute the whole.
#[derive(Debug, Clone, Copy)]
struct Reading {
    band: Band,
    escalation: f32,
    trust: f32,
    disclosure: Disclosure,
    style: BodyStyle,
}

/// Registers the body systems.
pub fn plugin(app: &mut App) {
    app.add_message::<ListenerReacted>()
        .add_message::<TraineeTalk>()
        .add_systems(
            Update,
            (read_state, show_listening, ease_body, drive_layers)
                .chain()
                .in_set(PresentSystems::Animate)
                .run_if(in_state(Screen::Session)),
        );
}

fn reading(session: Option<&ActiveSession>) -> Reading {
    match session {
        Some(s) => Reading {
            band: s.session().band(),
            escalation: s.session().escalation(),
            trust: s.session().trust(),
            disclosure: s.session().disclosure(),
            style: s.session().scenario().scenario.customer.body,
        },
        None => Reading {
            band: Band::Uneasy,
            escalation: 0.3,
            trust: 0.2,
            disclosure: Disclosure::Hidden,
            style: BodyStyle::default(),
        },
    }
}

/// Recomputes the targets when the customer speaks, the state changes or the need
/// comes out (and on the first frame of a new avatar).
pub fn read_state(
    session: Option<Res<ActiveSession>>,
    mut spoke: MessageReader<CustomerSpoke>,
    mut changed: MessageReader<EscalationChanged>,
    mut revealed: MessageReader<NeedRevealed>,
    mut bodies: Query<&mut BodyState>,
) {
    let lines: Vec<_> = spoke.read().map(|CustomerSpoke(line)| line.clone()).collect();
    let state_moved = changed.read().count() + revealed.read().count() > 0;
    for mut body in &mut bodies {
        let fresh = !body.applied;
        if lines.is_empty() && !state_moved && !fresh {
            continue;
        }
        for line in &lines {
            body.tags.clone_from(&line.tags);
            let gestures = body::gestures(&line.tags);
            body.gestures.extend(gestures);
        }
        let r = reading(session.as_deref());
        let cue = BodyCue {
            band: lines.last().map_or(r.band, |l| l.band),
            escalation: r.escalation,
            trust: r.trust,
            disclosure: r.disclosure,
            tags: &body.tags,
            style: r.style,
        };
        body.target = body::targets(&cue);
    }
}

/// Shows the customer listening: the nods and head shakes they make while the trainee
/// talks, and eyes back on the trainee and a flash of the brows the moment they stop.
pub fn show_listening(
    session: Option<Res<ActiveSession>>,
    mut reacted: MessageReader<ListenerReacted>,
    mut talk: MessageReader<TraineeTalk>,
    mut bodies: Query<&mut BodyState>,
) {
    let stopped = talk.read().any(|t| matches!(t, TraineeTalk::Stopped { .. }));
    let gestures: Vec<Gesture> = reacted
        .read()
        .filter_map(|ListenerReacted(m)| match m {
            // People nod as they say "uh-huh", and a sigh moves the head and shoulders:
            // the sound alone would leave a still face on a muted or noisy headset.
            ListenerMove::Nod | ListenerMove::Say(_) => Some(Gesture::Nod),
            ListenerMove::ShakeHead => Some(Gesture::Shake),
            ListenerMove::Breath | ListenerMove::Sigh => Some(Gesture::Breath),
            ListenerMove::CutIn(_) => None,
        })
        .collect();
    if !stopped && gestures.is_empty() {
        return;
    }
    let band = reading(session.as_deref()).band;
    for mut body in &mut bodies {
        body.gestures.extend(gestures.iter().copied());
        body.look_back |= stopped;
        if stopped {
            body.brows = BrowFlash::start(band);
        }
    }
}

/// Eases every weight towards its target (see `BodyTargets::eased`).
pub fn ease_body(time: Res<Time>, mut bodies: Query<&mut BodyState>) {
    let dt = time.delta_secs();
    for mut body in &mut bodies {
        if !body.applied {
            body.now = body.target;
            continue;
        }
        let target = body.target;
        body.now = body.now.eased(&target, dt);
    }
}

/// Writes the eased weights into the animation graph's layers: each layer's idle takes
/// what its clips leave of one; the torso breathes faster as the customer heats up.
pub fn drive_layers(
    mut bodies: Query<(&mut BodyState, &AvatarRig, &mut Visibility)>,
    mut players: Query<&mut AnimationPlayer>,
    mut ready: ResMut<CustomerReady>,
) {
    for (mut body, rig, mut visibility) in &mut bodies {
        let Ok(mut player) = players.get_mut(rig.player) else {
            continue;
        };
        let n = rig.nodes;
        let t = &body.now;
        let arms = [
            (n.crossed, t.arms.crossed),
            (n.point, t.arms.point),
            (n.on_counter, t.arms.on_counter),
            (n.open, t.arms.open),
        ];
        let torso = [(n.lean_in, t.torso.lean_in), (n.turn_away, t.torso.turn_away)];
        let head = [(n.head_down, t.head_down)];
        let layers: [(_, &[_]); 3] = [(n.idle_arms, &arms), (n.idle_torso, &torso), (n.idle_head, &head)];
        for (idle, clips) in layers {
            let used: f32 = clips.iter().map(|(_, w)| w.max(0.0)).sum();
            set_weight(&mut player, idle, (1.0 - used).max(0.0));
            for &(node, w) in clips {
                set_weight(&mut player, node, w.max(0.0));
            }
        }
        for node in n.torso() {
            if let Some(active) = player.animation_mut(node) {
                active.set_speed(t.breath_rate);
            }
        }
        if !body.applied {
            // The clips are weighted: this frame's animation poses the body, so it can
            // be seen.
            body.applied = true;
            *visibility = Visibility::Inherited;
            ready.0 = true;
        }
    }
}

/// Sets a clip's weight; a weight under a thousandth is zero, so Bevy skips the clip
/// rather than blending in a trace of it.
fn set_weight(player: &mut AnimationPlayer, node: bevy::animation::graph::AnimationNodeIndex, w: f32) {
    if let Some(active) = player.animation_mut(node) {
        active.set_weight(if w < 1e-3 { 0.0 } else { w });
    }
}
