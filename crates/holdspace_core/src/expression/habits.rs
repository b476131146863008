//! The timing of a body's involuntary habits: blinks, glances away from the person being
//! spoken to, and one-off head gestures (nods and shakes). Deterministic (seeded, no
//! clock): the app advances them by its frame time.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::expression::body::Gesture;

/// How long a blink takes, seconds (lids down and up).
const BLINK_SECONDS: f32 = 0.16;

/// The habits' dice: the engine's generator, seeded per habit so each is the same every
/// run.
#[derive(Debug)]
struct Dice(ChaCha8Rng);

impl Dice {
    fn new(seed: u64) -> Dice {
        Dice(ChaCha8Rng::seed_from_u64(seed))
    }

    fn unit(&mut self) -> f32 {
        self.0.random_range(0.0..1.0)
    }
}

/// When the eyes blink.
#[derive(Debug)]
pub struct Blinks {
    next_in: f32,
    blinking: Option<f32>,
    dice: Dice,
}

impl Default for Blinks {
    fn default() -> Self {
        Blinks {
            next_in: 1.2,
            blinking: None,
            dice: Dice::new(0x9e37_79b9),
        }
    }
}

impl Blinks {
    /// Advances by `dt` seconds at `per_minute` blinks a minute; returns how closed the
    /// lids are, 0..1.
    pub fn step(&mut self, dt: f32, per_minute: f32) -> f32 {
        if let Some(t) = self.blinking.as_mut() {
            *t += dt;
            let t = *t;
            if t >= BLINK_SECONDS {
                self.blinking = None;
                // Gaps vary between half and one and a half of the mean.
                let mean = 60.0 / per_minute.max(1.0);
                self.next_in = mean * (0.5 + self.dice.unit());
                return 0.0;
            }
            // Down fast, up a little slower.
            let down = BLINK_SECONDS * 0.4;
            return if t < down {
                t / down
            } else {
                1.0 - (t - down) / (BLINK_SECONDS - down)
            };
        }
        self.next_in -= dt;
        if self.next_in <= 0.0 {
            self.blinking = Some(0.0);
        }
        0.0
    }
}

/// When the eyes leave the listener: every few seconds briefly, and for longer and
/// further the more the person wants to avoid eye contact.
#[derive(Debug)]
pub struct Glances {
    current: Option<((f32, f32), f32)>,
    next_in: f32,
    dice: Dice,
}

impl Default for Glances {
    fn default() -> Self {
        Glances {
            current: None,
            // A first glance only after a few seconds of holding the trainee's eye.
            next_in: 4.0,
            dice: Dice::new(0x2545_f491),
        }
    }
}

impl Glances {
    /// Ends any glance away now and holds the listener's eye for a moment: the other
    /// person has just stopped talking, and a listener looks at them to take the turn.
    pub fn look_back(&mut self) {
        self.current = None;
        self.next_in = self.next_in.max(1.5);
    }

    /// Advances by `dt` seconds; returns the (yaw, pitch-down) offset from the listener,
    /// radians ((0, 0) while holding eye contact). `aversion` is 0..1.
    pub fn step(&mut self, dt: f32, aversion: f32) -> (f32, f32) {
        if let Some((offset, left)) = self.current.as_mut() {
            *left -= dt;
            if *left > 0.0 {
                return *offset;
            }
            self.current = None;
            self.next_in = (3.0 + 4.0 * self.dice.unit()) * (1.0 - 0.7 * aversion);
        }
        self.next_in -= dt;
        if self.next_in <= 0.0 {
            let side = if self.dice.unit() < 0.5 { -1.0 } else { 1.0 };
            let offset = (
                side * (0.2 + 0.2 * self.dice.unit()) * (1.0 + aversion),
                (0.05 + 0.15 * self.dice.unit()) * (1.0 + aversion),
            );
            let hold = (0.4 + 0.8 * self.dice.unit()) * (1.0 + 3.0 * aversion);
            self.current = Some((offset, hold));
            return offset;
        }
        (0.0, 0.0)
    }
}

/// A nod or head shake playing out.
#[derive(Debug, Clone, Default)]
pub struct Gestures {
    playing: Option<(Gesture, f32)>,
}

impl Gestures {
    /// Starts a gesture (a new one replaces the old).
    pub fn play(&mut self, gesture: Gesture) {
        self.playing = Some((gesture, 0.0));
    }

    /// Advances by `dt`; returns the head's (yaw, pitch-down) offset now, radians.
    pub fn step(&mut self, dt: f32) -> (f32, f32) {
        let Some((gesture, t)) = self.playing.as_mut() else {
            return (0.0, 0.0);
        };
        *t += dt;
        let (length, cycles, amplitude) = match gesture {
            Gesture::Nod => (1.1, 2.0, 0.16),
            Gesture::Shake => (1.4, 2.5, 0.22),
            // One slow lift and back: half a cycle.
            Gesture::Breath => (0.6, 0.5, 0.1),
        };
        let (gesture, t) = (*gesture, *t);
        if t >= length {
            self.playing = None;
            return (0.0, 0.0);
        }
        // A sine that fades: a firm first movement, smaller repeats.
        let v = amplitude * (1.0 - t / length) * (std::f32::consts::TAU * cycles * t / length).sin();
        match gesture {
            Gesture::Nod => (0.0, v.abs()),
            Gesture::Shake => (v, 0.0),
            // Up (a negative pitch-down).
            Gesture::Breath => (0.0, -v.abs()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blinks_come_at_the_asked_rate_and_close_fully() {
        let mut b = Blinks::default();
        let dt = 1.0 / 60.0;
        let (mut blinks, mut closed_max, mut was_closed) = (0, 0.0f32, false);
        for _ in 0..(60 * 60) {
            let lids = b.step(dt, 20.0);
            closed_max = closed_max.max(lids);
            let closed = lids > 0.5;
            if closed && !was_closed {
                blinks += 1;
            }
            was_closed = closed;
        }
        assert!((14..=26).contains(&blinks), "{blinks} blinks in a minute at 20/min");
        assert!(closed_max > 0.9);
    }

    #[test]
    fn glances_come_every_few_seconds_and_aversion_lengthens_them() {
        let share_away = |aversion: f32| {
            let mut g = Glances::default();
            let dt = 1.0 / 30.0;
            let away = (0..30 * 120).filter(|_| g.step(dt, aversion) != (0.0, 0.0)).count();
            away as f32 / (30.0 * 120.0)
        };
        let steady = share_away(0.0);
        let evasive = share_away(0.8);
        assert!(
            (0.05..0.35).contains(&steady),
            "a calm customer looks away {steady:.2} of the time"
        );
        assert!(evasive > 0.45, "an evasive one looks away {evasive:.2} of the time");
    }

    #[test]
    fn a_nod_dips_the_head_and_ends() {
        let mut g = Gestures::default();
        g.play(Gesture::Nod);
        let dips: Vec<f32> = (0..60).map(|_| g.step(1.0 / 30.0).1).collect();
        assert!(dips.iter().cloned().fold(0.0, f32::max) > 0.08);
        assert_eq!(g.step(1.0 / 30.0), (0.0, 0.0), "over after about a second");
    }
}
