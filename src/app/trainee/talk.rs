//! Push-to-talk as one intent, whatever the trainee holds: Ctrl on the desktop, the
//! controller's talk button in a headset. Each platform writes its own half of
//! [`TalkHeld`]; speech reads only [`TalkHeld::held`], so it knows nothing of keyboards
//! or headsets.

use bevy::prelude::*;

use crate::app::AppSystems;

/// The push-to-talk keys on the desktop.
pub const TALK_KEYS: [KeyCode; 2] = [KeyCode::ControlLeft, KeyCode::ControlRight];

/// Whether the trainee is holding push-to-talk this frame.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TalkHeld {
    /// A talk key is down (desktop).
    pub keys: bool,
    /// A controller's talk button is down (headset), written by the VR controls.
    pub controller: bool,
}

impl TalkHeld {
    /// Held by either.
    pub fn held(&self) -> bool {
        self.keys || self.controller
    }
}

/// Registers the intent and the keyboard's half of it.
pub fn plugin(app: &mut App) {
    app.init_resource::<TalkHeld>()
        .add_systems(Update, read_keys.in_set(AppSystems::TickTimers));
}

/// The keyboard's half.
fn read_keys(keys: Option<Res<ButtonInput<KeyCode>>>, mut talk: ResMut<TalkHeld>) {
    let down = keys.is_some_and(|k| k.any_pressed(TALK_KEYS));
    if talk.keys != down {
        talk.keys = down;
    }
}
