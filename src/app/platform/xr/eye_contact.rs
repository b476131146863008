//! Eye contact, from the headset's pose: each frame, is the trainee's head pointing at
//! the customer's face? Summed per turn into the share of time spent looking at them
//! while they spoke and while replying, which goes into the reply's `Delivery` (and so
//! the engine, the debrief and the records). The customer notices too: when the trainee
//! keeps looking away while they talk, [`TraineeAttention`] makes their gaze seek the
//! trainee's eyes.
//!
//! A head direction is not an eye direction: people look at faces with their eyes up to
//! about 15° off where the head points, so that is the cone counted as "looking".

use bevy::prelude::*;
use holdspace_core::Gaze;

use crate::app::AppSystems;
use crate::app::customer::anchor::CustomerFace;
use crate::app::customer::avatar::gaze::TraineeAttention;
use crate::app::customer::voice::VoiceOutput;
use crate::app::platform::xr::stance::HeadPose;
use crate::app::screens::Screen;
use crate::app::session::runner::TraineeReplied;
use crate::app::session::scene::CUSTOMER_Z;
use crate::app::trainee::reply::PendingGaze;

/// Half-angle of the cone around the head's direction that counts as looking at the face.
pub const LOOK_CONE_DEG: f32 = 15.0;
/// Less time than this in a phase is too little to judge it.
const MIN_PHASE_S: f32 = 0.3;
/// Where the customer's face is before any body is shown.
const FALLBACK_FACE: Vec3 = Vec3::new(0.0, 1.58, CUSTOMER_Z);

/// Seconds looked at the customer, and seconds in all, for one phase of a turn.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Share {
    looked: f32,
    total: f32,
}

impl Share {
    fn add(&mut self, dt: f32, looking: bool) {
        self.total += dt;
        if looking {
            self.looked += dt;
        }
    }

    fn ratio(self) -> Option<f32> {
        (self.total >= MIN_PHASE_S).then(|| self.looked / self.total)
    }
}

/// This turn's eye contact so far.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct EyeContact {
    listening: Share,
    replying: Share,
    /// The head points at the face now.
    pub looking: bool,
}

impl EyeContact {
    /// The turn's measure so far.
    pub fn gaze(&self) -> Gaze {
        Gaze {
            while_listening: self.listening.ratio(),
            while_replying: self.replying.ratio(),
        }
    }
}

/// Whether a head at `head` (looking along its forward) looks at `face`.
pub fn looks_at(head: &Transform, face: Vec3) -> bool {
    let to_face = face - head.translation;
    to_face.length_squared() > 1e-6 && head.forward().angle_between(to_face).to_degrees() <= LOOK_CONE_DEG
}

/// Registers the measure: summed during the session, handed to the next reply, and
/// started afresh once the reply has gone.
pub fn plugin(app: &mut App) {
    app.init_resource::<EyeContact>()
        .init_resource::<TraineeAttention>()
        .init_resource::<CustomerFace>()
        .add_systems(
            Update,
            (
                measure
                    .in_set(AppSystems::TickTimers)
                    .after(crate::app::customer::anchor::locate_face),
                start_next_turn.in_set(AppSystems::Present),
            )
                .run_if(in_state(Screen::Session)),
        );
}

/// Adds this frame to the turn's measure and publishes it for the next reply.
pub fn measure(
    time: Res<Time>,
    head: Res<HeadPose>,
    voice: Option<Res<VoiceOutput>>,
    customer: Res<CustomerFace>,
    mut contact: ResMut<EyeContact>,
    mut attention: ResMut<TraineeAttention>,
    mut pending: ResMut<PendingGaze>,
) {
    let Some(head) = head.0 else {
        return;
    };
    let dt = time.delta_secs();
    let face = customer.eyes.unwrap_or(FALLBACK_FACE);
    let looking = looks_at(&head, face);
    let customer_speaking = voice.is_some_and(|v| v.is_busy());
    if customer_speaking {
        contact.listening.add(dt, looking);
    } else {
        contact.replying.add(dt, looking);
    }
    contact.looking = looking;
    attention.looking_away_s = if customer_speaking && !looking {
        attention.looking_away_s + dt
    } else {
        0.0
    };
    pending.0 = Some(contact.gaze());
}

/// After a reply has gone to the engine (carrying the measure), the next turn starts.
fn start_next_turn(mut replies: MessageReader<TraineeReplied>, mut contact: ResMut<EyeContact>) {
    if replies.read().count() > 0 {
        *contact = EyeContact::default();
    }
}
