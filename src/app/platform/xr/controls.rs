//! What the trainee's hands are doing this frame, as plain data: where each controller
//! points and which buttons are down. The OpenXR reader (`actions`) fills it from the
//! headset's controllers; tests and the smoke run write it directly, so everything
//! downstream (pointing, selecting, push-to-talk, recentring) runs without a headset.

use bevy::prelude::*;

use crate::app::trainee::talk::TalkHeld;

/// Which hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hand {
    /// The left controller.
    Left,
    /// The right controller.
    Right,
}

impl Hand {
    /// Both hands, left first.
    pub const BOTH: [Hand; 2] = [Hand::Left, Hand::Right];

    /// Index into per-hand arrays.
    pub fn index(self) -> usize {
        match self {
            Hand::Left => 0,
            Hand::Right => 1,
        }
    }

    /// "left" or "right".
    pub fn name(self) -> &'static str {
        match self {
            Hand::Left => "left",
            Hand::Right => "right",
        }
    }
}

/// One controller's state this frame.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HandState {
    /// The pointing ray in world space (the controller's aim pose), when tracked.
    pub aim: Option<Ray3d>,
    /// The select button (trigger) is held.
    pub select: bool,
    /// The select button went down this frame.
    pub select_pressed: bool,
}

/// Both controllers and the shared buttons, this frame.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct Controllers {
    /// Per hand, left then right.
    pub hands: [HandState; 2],
    /// The push-to-talk button is held (either hand).
    pub talk: bool,
    /// The recenter button went down this frame.
    pub recenter_pressed: bool,
}

impl Controllers {
    /// One hand's state.
    pub fn hand(&self, hand: Hand) -> &HandState {
        &self.hands[hand.index()]
    }

    /// One hand's state, to change.
    pub fn hand_mut(&mut self, hand: Hand) -> &mut HandState {
        &mut self.hands[hand.index()]
    }
}

/// A short buzz in one controller (a selection was taken).
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct HapticTick(pub Hand);

/// The order the controller state is made and used in, in `PreUpdate`.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ControlsSystems {
    /// The headset's controllers are read.
    Read,
    /// Scripted input (the smoke run) may replace what was read.
    Script,
    /// Pointing and selecting act on it, after Bevy's own UI focus pass.
    Use,
}

/// The controller state, the haptic messages and the order they are used in.
pub fn plugin(app: &mut App) {
    app.init_resource::<Controllers>()
        .add_message::<HapticTick>()
        .configure_sets(
            PreUpdate,
            (ControlsSystems::Read, ControlsSystems::Script, ControlsSystems::Use)
                .chain()
                .after(bevy::ui::UiSystems::Focus),
        )
        .init_resource::<TalkHeld>()
        .add_systems(
            PreUpdate,
            hold_talk.after(ControlsSystems::Script).before(ControlsSystems::Use),
        );
}

/// The controller's half of push-to-talk.
fn hold_talk(controllers: Res<Controllers>, mut talk: ResMut<TalkHeld>) {
    if talk.controller != controllers.talk {
        talk.controller = controllers.talk;
    }
}
