//! The lip-sync hook: the customer's mouth shape this frame, written by the voice (from
//! the viseme track at the playback position, or the loudness envelope of a recording)
//! and read by whichever customer is on screen — the primitive figure's mouth now, the
//! avatar's jaw and mouth face units when it lands.

use bevy::prelude::*;
use holdspace_core::expression::lipsync::MouthShape;

/// Where the customer's mouth is this frame. At rest when they are silent.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct CustomerMouth(pub MouthShape);

impl Default for CustomerMouth {
    fn default() -> Self {
        CustomerMouth(MouthShape::REST)
    }
}

/// Registers the hook.
pub fn plugin(app: &mut App) {
    app.init_resource::<CustomerMouth>();
}
