//! Body language: what the customer's body and face should be doing for a state of the
//! conversation. The engine's band, trust and disclosure, the line's tags and the
//! scenario's casting go in; blend weights for the avatar's body clips, face-unit weights
//! (ARKit names) and the code layers' settings (gaze, breathing, fidgeting) come out.
//!
//! Pure: the app smooths these targets over time and applies them to whichever avatar is
//! on screen, so the same state always asks for the same body.

use serde::{Deserialize, Serialize};

use crate::engine::state::{Band, Disclosure};
use crate::scenario::model::Tag;

/// How a customer shows that they are upset, from the scenario's casting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum WhenUpset {
    /// Leans in, points, holds your eye: upset shows as confrontation.
    #[default]
    Confronts,
    /// Turns away, folds in, drops their gaze: upset shows as withdrawal.
    Withdraws,
}

/// Per-scenario body casting: how this customer carries their feelings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyStyle {
    /// Confrontation or withdrawal when upset.
    #[serde(default)]
    pub when_upset: WhenUpset,
    /// Scales gestures and expressions: 0.5 reserved … 1.0 typical … 1.5 animated.
    #[serde(default = "one")]
    pub expressiveness: f32,
}

fn one() -> f32 {
    1.0
}

impl Default for BodyStyle {
    fn default() -> Self {
        BodyStyle {
            when_upset: WhenUpset::Confronts,
            expressiveness: 1.0,
        }
    }
}

/// The looks the avatar build makes (scripts/avatar/build_avatar.py): scenarios cast one
/// with `look:`. Any other name falls back to the first.
pub const LOOKS: [&str; 4] = ["adult_male", "older_female", "young_female", "older_male"];

/// Weights of the arm clips; what is left of 1 goes to the relaxed idle arms.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Arms {
    /// Arms folded across the chest.
    pub crossed: f32,
    /// Pointing at the trainee.
    pub point: f32,
    /// Both hands on the counter.
    pub on_counter: f32,
    /// Open, palms-up hands.
    pub open: f32,
}

/// Weights of the torso clips; the rest is idle.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Torso {
    /// Leaning in over the counter.
    pub lean_in: f32,
    /// Turning the shoulders away.
    pub turn_away: f32,
}

/// Face units by their ARKit names, each 0..1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Face {
    /// `browDownLeft`/`Right`: the frown of anger.
    pub brow_down: f32,
    /// `browInnerUp`: worry, sadness, pleading.
    pub brow_inner_up: f32,
    /// `browOuterUpLeft`/`Right`: surprise, alarm.
    pub brow_outer_up: f32,
    /// `eyeSquintLeft`/`Right`: a hard look.
    pub eye_squint: f32,
    /// `eyeWideLeft`/`Right`: alarm, a glare.
    pub eye_wide: f32,
    /// `noseSneerLeft`/`Right`: flared nostrils, contempt.
    pub nose_sneer: f32,
    /// `mouthPressLeft`/`Right`: lips pressed together.
    pub mouth_press: f32,
    /// `mouthFrownLeft`/`Right`: corners down.
    pub mouth_frown: f32,
    /// `mouthSmileLeft`/`Right`: corners up.
    pub mouth_smile: f32,
    /// `mouthUpperUpLeft`/`Right`: a snarl.
    pub upper_lip_up: f32,
    /// `mouthShrugLower`: the chin pushed up, holding back tears.
    pub chin_raise: f32,
}

impl Face {
    /// Every face unit this sets, as (ARKit name, weight), both sides of paired units.
    pub fn units(&self) -> [(&'static str, f32); 19] {
        [
            ("browDownLeft", self.brow_down),
            ("browDownRight", self.brow_down),
            ("browInnerUp", self.brow_inner_up),
            ("browOuterUpLeft", self.brow_outer_up),
            ("browOuterUpRight", self.brow_outer_up),
            ("eyeSquintLeft", self.eye_squint),
            ("eyeSquintRight", self.eye_squint),
            ("eyeWideLeft", self.eye_wide),
            ("eyeWideRight", self.eye_wide),
            ("noseSneerLeft", self.nose_sneer),
            ("noseSneerRight", self.nose_sneer),
            ("mouthPressLeft", self.mouth_press),
            ("mouthPressRight", self.mouth_press),
            ("mouthFrownLeft", self.mouth_frown),
            ("mouthFrownRight", self.mouth_frown),
            ("mouthSmileLeft", self.mouth_smile),
            ("mouthSmileRight", self.mouth_smile),
            ("mouthUpperUpLeft", self.upper_lip_up),
            ("mouthShrugLower", self.chin_raise),
        ]
    }

    fn scaled(mut self, k: f32) -> Face {
        for v in self.fields_mut() {
            *v = (*v * k).clamp(0.0, 1.0);
        }
        self
    }

    fn fields_mut(&mut self) -> [&mut f32; 11] {
        [
            &mut self.brow_down,
            &mut self.brow_inner_up,
            &mut self.brow_outer_up,
            &mut self.eye_squint,
            &mut self.eye_wide,
            &mut self.nose_sneer,
            &mut self.mouth_press,
            &mut self.mouth_frown,
            &mut self.mouth_smile,
            &mut self.upper_lip_up,
            &mut self.chin_raise,
        ]
    }
}

/// Everything the body should be doing; the app eases towards it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BodyTargets {
    /// Arm clip weights.
    pub arms: Arms,
    /// Torso clip weights.
    pub torso: Torso,
    /// Weight of the head-down clip (the rest is a level head).
    pub head_down: f32,
    /// Face units.
    pub face: Face,
    /// 0 holds the trainee's eye … 1 keeps looking away.
    pub gaze_aversion: f32,
    /// Breathing speed relative to calm (1.0 calm … about 1.8 hostile).
    pub breath_rate: f32,
    /// 0 still … 1 restless hands and weight.
    pub fidget: f32,
    /// Blinks per minute.
    pub blinks_per_minute: f32,
}

/// How quickly each part follows a change, seconds (the time constant of [`ease`]): a
/// face changes in a blink, arms take about a second to settle, the torso longer, and
/// breathing and blinking rates drift.
pub const SETTLE: Settle = Settle {
    arms: 0.35,
    torso: 0.5,
    head: 0.4,
    face: 0.18,
    gaze: 0.35,
    rates: 1.5,
};

/// Time constants per part of the body; see [`SETTLE`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settle {
    /// Arm clips.
    pub arms: f32,
    /// Torso clips.
    pub torso: f32,
    /// Head clip.
    pub head: f32,
    /// Face units.
    pub face: f32,
    /// Gaze aversion.
    pub gaze: f32,
    /// Breathing, blinking and fidgeting rates.
    pub rates: f32,
}

impl BodyTargets {
    /// The largest difference between two states in what moves the mesh directly: the
    /// clip weights and the face units (not the rates, which change motion only over
    /// seconds). The latency benchmark reads the first visible reaction from it.
    pub fn visible_change(&self, other: &BodyTargets) -> f32 {
        let (mut a, mut b) = (self.face, other.face);
        let face = a
            .fields_mut()
            .into_iter()
            .zip(b.fields_mut())
            .map(|(x, y)| (*x - *y).abs())
            .fold(0.0, f32::max);
        [
            (self.arms.crossed, other.arms.crossed),
            (self.arms.point, other.arms.point),
            (self.arms.on_counter, other.arms.on_counter),
            (self.arms.open, other.arms.open),
            (self.torso.lean_in, other.torso.lean_in),
            (self.torso.turn_away, other.torso.turn_away),
            (self.head_down, other.head_down),
        ]
        .into_iter()
        .map(|(x, y)| (x - y).abs())
        .fold(face, f32::max)
    }

    /// One step of easing towards `target` over `dt` seconds. Each weight moves on its
    /// own, so a layer's weights (a partition of at most one) stay a partition.
    pub fn eased(&self, target: &BodyTargets, dt: f32) -> BodyTargets {
        let s = SETTLE;
        let e = |a: f32, b: f32, tau: f32| ease(a, b, tau, dt);
        let mut face = self.face;
        let mut target_face = target.face;
        for (now, to) in face.fields_mut().into_iter().zip(target_face.fields_mut()) {
            *now = e(*now, *to, s.face);
        }
        BodyTargets {
            arms: Arms {
                crossed: e(self.arms.crossed, target.arms.crossed, s.arms),
                point: e(self.arms.point, target.arms.point, s.arms),
                on_counter: e(self.arms.on_counter, target.arms.on_counter, s.arms),
                open: e(self.arms.open, target.arms.open, s.arms),
            },
            torso: Torso {
                lean_in: e(self.torso.lean_in, target.torso.lean_in, s.torso),
                turn_away: e(self.torso.turn_away, target.torso.turn_away, s.torso),
            },
            head_down: e(self.head_down, target.head_down, s.head),
            face,
            gaze_aversion: e(self.gaze_aversion, target.gaze_aversion, s.gaze),
            breath_rate: e(self.breath_rate, target.breath_rate, s.rates),
            fidget: e(self.fidget, target.fidget, s.rates),
            blinks_per_minute: e(self.blinks_per_minute, target.blinks_per_minute, s.rates),
        }
    }
}

/// What the body reads: the state of the conversation and the line being said.
#[derive(Debug, Clone, Copy)]
pub struct BodyCue<'a> {
    /// Escalation band.
    pub band: Band,
    /// Escalation, 0..1 (finer than the band, for breathing).
    pub escalation: f32,
    /// Trust, 0..1.
    pub trust: f32,
    /// How far the hidden need has come out.
    pub disclosure: Disclosure,
    /// The tags of the line being said (or last said).
    pub tags: &'a [Tag],
    /// The scenario's casting.
    pub style: BodyStyle,
}

/// The body a state asks for.
pub fn targets(cue: &BodyCue<'_>) -> BodyTargets {
    let mut t = for_band(cue.band, cue.style.when_upset);
    let e = cue.escalation.clamp(0.0, 1.0);
    t.breath_rate = 1.0 + 0.8 * e;
    t.blinks_per_minute = 14.0 + 12.0 * e;

    // Trust softens: the brow lifts, the mouth eases, folded arms loosen.
    let trust = cue.trust.clamp(0.0, 1.0);
    t.face.brow_down *= 1.0 - 0.5 * trust;
    t.face.mouth_press *= 1.0 - 0.5 * trust;
    t.arms.crossed *= 1.0 - 0.6 * trust;
    t.face.mouth_smile = t
        .face
        .mouth_smile
        .max(if cue.band <= Band::Uneasy { 0.3 * trust } else { 0.0 });

    // The thing behind the thing: hinted, the eyes drift and the brow worries; said
    // aloud, the head drops and the face shows the grief or shame under the anger.
    match cue.disclosure {
        Disclosure::Hidden => {}
        Disclosure::Hinted => {
            t.face.brow_inner_up = t.face.brow_inner_up.max(0.3);
            t.gaze_aversion = t.gaze_aversion.max(0.2);
        }
        Disclosure::Revealed => {
            t.arms = Arms::default();
            t.torso = Torso::default();
            t.head_down = 0.7;
            t.face = Face {
                brow_inner_up: 0.8,
                mouth_frown: 0.5,
                chin_raise: 0.35,
                mouth_press: 0.2,
                ..Face::default()
            };
            t.gaze_aversion = 0.65;
            t.fidget = 0.2;
        }
    }

    for tag in cue.tags {
        apply_tag(&mut t, *tag);
    }
    // Tears of relief still smile: relief wins over the sad mouth of the same line.
    if cue.tags.contains(&Tag::Relieved) {
        t.face.mouth_smile = t.face.mouth_smile.max(0.4);
        t.face.mouth_frown *= 0.2;
        t.face.chin_raise *= 0.5;
        t.head_down = t.head_down.min(0.2);
        // Grateful, they look at you again.
        t.gaze_aversion = t.gaze_aversion.min(0.15);
    }
    scale(t, cue.style.expressiveness)
}

fn for_band(band: Band, when_upset: WhenUpset) -> BodyTargets {
    let confronts = when_upset == WhenUpset::Confronts;
    let mut t = BodyTargets::default();
    match band {
        Band::Calm => {
            t.arms.open = 0.35;
            t.face.mouth_smile = 0.2;
            t.face.brow_inner_up = 0.1;
            t.gaze_aversion = 0.1;
        }
        Band::Uneasy => {
            t.arms.on_counter = 0.35;
            t.face.brow_inner_up = 0.3;
            t.face.mouth_press = 0.2;
            t.gaze_aversion = 0.2;
            t.fidget = 0.4;
        }
        Band::Frustrated => {
            t.arms.crossed = 0.85;
            t.face.brow_down = 0.45;
            t.face.mouth_press = 0.45;
            t.face.eye_squint = 0.2;
            t.face.mouth_frown = 0.3;
            t.gaze_aversion = if confronts { 0.1 } else { 0.45 };
            t.torso.turn_away = if confronts { 0.0 } else { 0.35 };
            t.fidget = 0.3;
        }
        Band::Angry => {
            if confronts {
                t.arms.point = 0.55;
                t.arms.on_counter = 0.35;
                t.torso.lean_in = 0.6;
            } else {
                t.arms.crossed = 1.0;
                t.torso.turn_away = 0.6;
                t.head_down = 0.25;
            }
            t.face.brow_down = 0.75;
            t.face.eye_squint = 0.4;
            t.face.nose_sneer = 0.35;
            t.face.mouth_press = 0.55;
            t.face.mouth_frown = 0.35;
            t.gaze_aversion = if confronts { 0.0 } else { 0.6 };
            t.fidget = 0.2;
        }
        Band::Hostile => {
            if confronts {
                t.arms.point = 0.9;
                t.torso.lean_in = 1.0;
                t.face.eye_wide = 0.25;
            } else {
                t.arms.crossed = 1.0;
                t.torso.turn_away = 0.9;
                t.head_down = 0.35;
            }
            t.face.brow_down = 1.0;
            t.face.eye_squint = 0.55;
            t.face.nose_sneer = 0.6;
            t.face.mouth_frown = 0.5;
            t.face.upper_lip_up = 0.3;
            t.face.mouth_press = 0.4;
            t.gaze_aversion = if confronts { 0.0 } else { 0.75 };
        }
    }
    t
}

/// A tag names what the body is doing on this line: it wins over the band's default.
fn apply_tag(t: &mut BodyTargets, tag: Tag) {
    match tag {
        Tag::ArmsCrossed => {
            t.arms = Arms {
                crossed: 1.0,
                ..Arms::default()
            }
        }
        Tag::PointsAtYou => {
            t.arms = Arms {
                point: 1.0,
                ..Arms::default()
            }
        }
        Tag::HandsOnCounter => {
            t.arms = Arms {
                on_counter: 1.0,
                ..Arms::default()
            }
        }
        Tag::OpenPosture => {
            t.arms = Arms {
                open: 1.0,
                ..Arms::default()
            };
            t.torso.turn_away = 0.0;
        }
        Tag::LeansIn => t.torso.lean_in = 1.0,
        Tag::TurnsAway => {
            t.torso.turn_away = 1.0;
            t.gaze_aversion = t.gaze_aversion.max(0.8);
        }
        Tag::LooksDown => {
            t.head_down = t.head_down.max(0.8);
            t.gaze_aversion = t.gaze_aversion.max(0.7);
        }
        Tag::Embarrassed => {
            t.head_down = t.head_down.max(0.35);
            t.gaze_aversion = t.gaze_aversion.max(0.55);
            t.face.brow_inner_up = t.face.brow_inner_up.max(0.3);
        }
        Tag::HeadInHands => {
            t.head_down = 1.0;
            t.arms = Arms::default();
            t.gaze_aversion = 1.0;
        }
        Tag::AvoidsGaze => t.gaze_aversion = t.gaze_aversion.max(0.8),
        Tag::Sad | Tag::Tearful => {
            t.head_down = t.head_down.max(0.5);
            t.face.brow_inner_up = t.face.brow_inner_up.max(0.8);
            t.face.mouth_frown = t.face.mouth_frown.max(0.5);
            t.face.chin_raise = t.face.chin_raise.max(if tag == Tag::Tearful { 0.6 } else { 0.3 });
            t.face.brow_down *= 0.3;
            t.face.mouth_smile = 0.0;
            t.gaze_aversion = t.gaze_aversion.max(0.5);
        }
        Tag::Smile => {
            t.face.mouth_smile = t.face.mouth_smile.max(0.6);
            t.face.mouth_frown = 0.0;
            t.face.mouth_press *= 0.3;
        }
        Tag::Frown => {
            t.face.brow_down = t.face.brow_down.max(0.5);
            t.face.mouth_frown = t.face.mouth_frown.max(0.4);
        }
        Tag::Anxious | Tag::Panicked => {
            let k = if tag == Tag::Panicked { 1.0 } else { 0.6 };
            t.face.eye_wide = t.face.eye_wide.max(0.6 * k);
            t.face.brow_inner_up = t.face.brow_inner_up.max(0.7 * k);
            t.face.brow_outer_up = t.face.brow_outer_up.max(0.4 * k);
            t.fidget = t.fidget.max(0.8 * k);
            t.breath_rate = t.breath_rate.max(1.3 + 0.4 * k);
            t.blinks_per_minute = t.blinks_per_minute.max(24.0 + 8.0 * k);
            t.gaze_aversion = t.gaze_aversion.max(0.3);
        }
        Tag::Flat => {
            t.face = Face {
                mouth_press: 0.2,
                ..Face::default()
            };
            t.gaze_aversion = t.gaze_aversion.max(0.4);
        }
        Tag::Relieved => {
            t.face.mouth_smile = t.face.mouth_smile.max(0.35);
            t.face.brow_down = 0.0;
            t.face.brow_inner_up = t.face.brow_inner_up.max(0.25);
            t.arms.crossed = 0.0;
            t.arms.point = 0.0;
            t.arms.open = t.arms.open.max(0.5);
        }
        Tag::Fidgets => t.fidget = 1.0,
        Tag::Sigh => t.breath_rate = t.breath_rate.max(1.2),
        // Nods and head shakes are gestures the app plays once; the rest are sounds.
        Tag::Nods
        | Tag::ShakesHead
        | Tag::Neutral
        | Tag::RaisedVoice
        | Tag::Quiet
        | Tag::Pause
        | Tag::Tut
        | Tag::Breath => {}
    }
}

/// Expressiveness scales what the body does, not how it breathes or blinks; arm weights
/// stay a partition of one.
fn scale(mut t: BodyTargets, expressiveness: f32) -> BodyTargets {
    let k = expressiveness.clamp(0.3, 1.6);
    let a = &mut t.arms;
    for w in [&mut a.crossed, &mut a.point, &mut a.on_counter, &mut a.open] {
        *w = (*w * k).clamp(0.0, 1.0);
    }
    let total = a.crossed + a.point + a.on_counter + a.open;
    if total > 1.0 {
        for w in [&mut a.crossed, &mut a.point, &mut a.on_counter, &mut a.open] {
            *w /= total;
        }
    }
    let total = t.torso.lean_in + t.torso.turn_away;
    t.torso.lean_in = (t.torso.lean_in * k).clamp(0.0, 1.0);
    t.torso.turn_away = (t.torso.turn_away * k).clamp(0.0, 1.0);
    let scaled = t.torso.lean_in + t.torso.turn_away;
    if scaled > 1.0 && total > 0.0 {
        t.torso.lean_in /= scaled;
        t.torso.turn_away /= scaled;
    }
    t.head_down = t.head_down.clamp(0.0, 1.0);
    t.face = t.face.scaled(k);
    t.gaze_aversion = t.gaze_aversion.clamp(0.0, 1.0);
    t.fidget = (t.fidget * k).clamp(0.0, 1.0);
    t
}

/// Nods and head shakes the line asks for, played once as it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gesture {
    /// A nod (agreement, acknowledgement).
    Nod,
    /// A shake of the head (disagreement, disbelief).
    Shake,
    /// The small lift of the head with an in-breath before speaking.
    Breath,
}

/// The one-off head gestures in a line's tags.
pub fn gestures(tags: &[Tag]) -> Vec<Gesture> {
    tags.iter()
        .filter_map(|t| match t {
            Tag::Nods => Some(Gesture::Nod),
            Tag::ShakesHead => Some(Gesture::Shake),
            _ => None,
        })
        .collect()
}

/// Moves `current` towards `target` with a time constant of `tau` seconds: frame-rate
/// independent, no overshoot, so weights never pop.
pub fn ease(current: f32, target: f32, tau: f32, dt: f32) -> f32 {
    if tau <= 0.0 {
        return target;
    }
    current + (target - current) * (1.0 - (-dt / tau).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_mood_is_visible_and_the_rates_alone_are_not() {
        let calm = targets(&cue(Band::Calm));
        let hostile = targets(&cue(Band::Hostile));
        assert_eq!(calm.visible_change(&calm), 0.0);
        assert!(calm.visible_change(&hostile) > 0.3, "{}", calm.visible_change(&hostile));
        assert_eq!(calm.visible_change(&hostile), hostile.visible_change(&calm));
        let faster = BodyTargets {
            breath_rate: calm.breath_rate + 0.5,
            blinks_per_minute: calm.blinks_per_minute + 10.0,
            ..calm
        };
        assert_eq!(calm.visible_change(&faster), 0.0);
        // The first eased frame after a change already moves the face at 90 Hz.
        let first = calm.eased(&hostile, 1.0 / 90.0);
        assert!(first.visible_change(&calm) > 0.01, "{}", first.visible_change(&calm));
    }

    fn cue(band: Band) -> BodyCue<'static> {
        BodyCue {
            band,
            escalation: match band {
                Band::Calm => 0.1,
                Band::Uneasy => 0.3,
                Band::Frustrated => 0.5,
                Band::Angry => 0.7,
                Band::Hostile => 0.9,
            },
            trust: 0.2,
            disclosure: Disclosure::Hidden,
            tags: &[],
            style: BodyStyle::default(),
        }
    }

    #[test]
    fn anger_frowns_and_confronts_while_calm_eases() {
        let calm = targets(&cue(Band::Calm));
        let hostile = targets(&cue(Band::Hostile));
        assert!(hostile.face.brow_down > 0.8 && calm.face.brow_down == 0.0);
        assert!(hostile.face.nose_sneer > 0.4 && hostile.face.eye_squint > 0.4);
        assert!(hostile.arms.point > 0.8 && hostile.torso.lean_in > 0.8);
        assert!(calm.arms.open > 0.0 && calm.face.mouth_smile > 0.0);
        assert!(hostile.breath_rate > calm.breath_rate + 0.5);
        assert!(hostile.gaze_aversion < 0.05, "an angry confronter holds your eye");
    }

    #[test]
    fn a_withdrawing_customer_turns_away_instead_of_pointing() {
        let mut c = cue(Band::Hostile);
        c.style.when_upset = WhenUpset::Withdraws;
        let t = targets(&c);
        assert_eq!(t.arms.point, 0.0);
        assert!(t.torso.turn_away > 0.8 && t.arms.crossed > 0.8);
        assert!(t.gaze_aversion > 0.6);
    }

    #[test]
    fn the_revealed_need_shows_sadness_not_anger() {
        let mut c = cue(Band::Frustrated);
        c.disclosure = Disclosure::Revealed;
        let t = targets(&c);
        assert!(t.head_down > 0.5);
        assert!(t.face.brow_inner_up > 0.7 && t.face.mouth_frown > 0.3);
        assert_eq!(t.face.brow_down, 0.0);
        assert_eq!(t.arms, Arms::default());
        assert!(t.gaze_aversion > 0.5);
    }

    #[test]
    fn tags_name_the_gesture_and_win_over_the_band() {
        let mut c = cue(Band::Frustrated);
        c.tags = &[Tag::PointsAtYou, Tag::LeansIn];
        let t = targets(&c);
        assert_eq!(t.arms.point, 1.0);
        assert_eq!(t.arms.crossed, 0.0);
        assert_eq!(t.torso.lean_in, 1.0);
        assert_eq!(
            gestures(&[Tag::Nods, Tag::Sad, Tag::ShakesHead]),
            vec![Gesture::Nod, Gesture::Shake]
        );
    }

    #[test]
    fn tears_of_relief_smile() {
        let mut c = cue(Band::Calm);
        c.tags = &[Tag::Relieved, Tag::Tearful, Tag::Nods];
        let t = targets(&c);
        assert!(t.face.mouth_smile >= 0.4 && t.face.mouth_frown < 0.2, "{:?}", t.face);
        assert!(t.face.brow_inner_up > 0.5, "moved: the inner brow still lifts");
    }

    #[test]
    fn weights_stay_in_range_for_every_state_and_style() {
        let all_tags = [
            Tag::ArmsCrossed,
            Tag::PointsAtYou,
            Tag::HandsOnCounter,
            Tag::OpenPosture,
            Tag::LeansIn,
            Tag::TurnsAway,
            Tag::HeadInHands,
            Tag::Panicked,
            Tag::Relieved,
        ];
        for band in [Band::Calm, Band::Uneasy, Band::Frustrated, Band::Angry, Band::Hostile] {
            for disclosure in [Disclosure::Hidden, Disclosure::Hinted, Disclosure::Revealed] {
                for k in [0.5, 1.0, 1.6] {
                    for tags in [&all_tags[..0], &all_tags[..3], &all_tags[..]] {
                        let mut c = cue(band);
                        c.disclosure = disclosure;
                        c.tags = tags;
                        c.style.expressiveness = k;
                        let t = targets(&c);
                        let a = t.arms;
                        assert!(
                            a.crossed + a.point + a.on_counter + a.open <= 1.0 + 1e-5,
                            "{band:?} {a:?}"
                        );
                        assert!(t.torso.lean_in + t.torso.turn_away <= 1.0 + 1e-5);
                        for (name, w) in t.face.units() {
                            assert!((0.0..=1.0).contains(&w), "{name} {w}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn expressiveness_scales_the_show() {
        let mut c = cue(Band::Angry);
        c.style.expressiveness = 0.5;
        let reserved = targets(&c);
        c.style.expressiveness = 1.4;
        let animated = targets(&c);
        assert!(animated.face.brow_down > reserved.face.brow_down * 1.8);
        assert!(animated.torso.lean_in > reserved.torso.lean_in);
    }

    #[test]
    fn a_change_of_mood_settles_in_believable_time_without_jumps() {
        let calm = targets(&cue(Band::Calm));
        let hostile = targets(&cue(Band::Hostile));
        let mut now = calm;
        let dt = 1.0 / 60.0;
        let mut largest_step = 0.0f32;
        let mut settled_at = None;
        for frame in 1..=300 {
            let next = now.eased(&hostile, dt);
            largest_step = largest_step.max((next.arms.point - now.arms.point).abs());
            largest_step = largest_step.max((next.face.brow_down - now.face.brow_down).abs());
            now = next;
            if settled_at.is_none() && (now.arms.point - hostile.arms.point).abs() < 0.05 {
                settled_at = Some(frame as f32 * dt);
            }
            let a = now.arms;
            assert!(a.crossed + a.point + a.on_counter + a.open <= 1.0 + 1e-5);
        }
        let t = settled_at.unwrap_or(f32::MAX);
        assert!((0.6..2.0).contains(&t), "the arms settle in {t} s");
        assert!(
            largest_step < 0.1,
            "no pop: the largest step in one frame is {largest_step}"
        );
        assert!(
            (now.face.brow_down - hostile.face.brow_down).abs() < 1e-3,
            "the face has long arrived"
        );
    }

    #[test]
    fn easing_approaches_without_overshoot_at_any_frame_rate() {
        let (mut slow, mut fast) = (0.0f32, 0.0f32);
        for _ in 0..10 {
            slow = ease(slow, 1.0, 0.4, 0.1);
        }
        for _ in 0..100 {
            fast = ease(fast, 1.0, 0.4, 0.01);
        }
        assert!((slow - fast).abs() < 1e-4, "{slow} {fast}");
        assert!(slow < 1.0 && slow > 0.9);
    }
}
