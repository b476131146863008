//! The customer at the counter: who is cast (the rigged avatar, or the primitive stand-in
//! it falls back to), their voice and lip sync, how they listen while the trainee talks,
//! and where their face is, which the voice and the headset's eye contact both read.

use bevy::prelude::*;

pub mod anchor;
pub mod avatar;
pub mod lipsync;
pub mod listening;
pub mod stand_in;
pub mod voice;

/// The customer: face anchor, lip-sync hook, voice, the stand-in figure and the avatar.
pub fn plugin(app: &mut App) {
    app.add_plugins((
        lipsync::plugin,
        listening::plugin,
        anchor::plugin,
        voice::plugin,
        stand_in::plugin,
        avatar::plugin,
    ));
}
