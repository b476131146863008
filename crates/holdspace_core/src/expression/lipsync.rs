//! The lip-sync hook: a timeline of mouth shapes (visemes) with times, or a loudness
//! envelope when only audio is known, sampled at the playback position to give a
//! [`MouthShape`] whose fields map onto the avatar's jaw and mouth face units.

use serde::{Deserialize, Serialize};

/// A visible mouth position shared by several phonemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Viseme {
    /// Silence or breath: mouth at rest, lips lightly together.
    Rest,
    /// /p b m/: lips pressed shut.
    Closed,
    /// /f v/: lower lip under the top teeth.
    LipTeeth,
    /// /th dh/: tongue between the teeth.
    TongueTeeth,
    /// /t d n l/: tongue behind the teeth, jaw a little open.
    Alveolar,
    /// /k g ng h/: back of the tongue, jaw half open.
    Velar,
    /// /ch jh sh zh/: lips pushed forward.
    PostAlveolar,
    /// /s z/: teeth nearly together, lips spread.
    Sibilant,
    /// /r er/: lips slightly rounded.
    Rhotic,
    /// /aa ae ah ay aw ax/: jaw wide open.
    Open,
    /// /eh ey/: half open, spread.
    Mid,
    /// /ih iy y/: nearly closed, spread.
    Spread,
    /// /ao ow oy/: open and rounded.
    Round,
    /// /uh uw w/: small and rounded.
    Pucker,
}

impl Viseme {
    /// The viseme for a phone of flite's US English phone set (CMU ARPAbet, lower case).
    /// Unknown phones count as rest.
    pub fn of_phone(phone: &str) -> Viseme {
        match phone {
            "p" | "b" | "m" => Viseme::Closed,
            "f" | "v" => Viseme::LipTeeth,
            "th" | "dh" => Viseme::TongueTeeth,
            "t" | "d" | "n" | "l" => Viseme::Alveolar,
            "k" | "g" | "ng" | "hh" => Viseme::Velar,
            "ch" | "jh" | "sh" | "zh" => Viseme::PostAlveolar,
            "s" | "z" => Viseme::Sibilant,
            "r" | "er" | "axr" => Viseme::Rhotic,
            "aa" | "ae" | "ah" | "ay" | "aw" | "ax" => Viseme::Open,
            "eh" | "ey" => Viseme::Mid,
            "ih" | "iy" | "y" => Viseme::Spread,
            "ao" | "ow" | "oy" => Viseme::Round,
            "uh" | "uw" | "w" => Viseme::Pucker,
            _ => Viseme::Rest,
        }
    }

    /// Whether the phone is a vowel (the mouth is open while it sounds).
    pub fn is_vowel(self) -> bool {
        matches!(
            self,
            Viseme::Open | Viseme::Mid | Viseme::Spread | Viseme::Round | Viseme::Pucker | Viseme::Rhotic
        )
    }

    /// The mouth shape that shows this viseme.
    pub fn shape(self) -> MouthShape {
        let s = |jaw_open, lips_closed, funnel, pucker, stretch, lower_lip_tuck| MouthShape {
            jaw_open,
            lips_closed,
            funnel,
            pucker,
            stretch,
            lower_lip_tuck,
        };
        match self {
            Viseme::Rest => s(0.02, 0.3, 0.0, 0.0, 0.0, 0.0),
            Viseme::Closed => s(0.0, 1.0, 0.0, 0.0, 0.0, 0.0),
            Viseme::LipTeeth => s(0.08, 0.2, 0.0, 0.0, 0.1, 0.8),
            Viseme::TongueTeeth => s(0.15, 0.0, 0.0, 0.0, 0.1, 0.0),
            Viseme::Alveolar => s(0.18, 0.0, 0.0, 0.0, 0.1, 0.0),
            Viseme::Velar => s(0.24, 0.0, 0.0, 0.0, 0.0, 0.0),
            Viseme::PostAlveolar => s(0.14, 0.0, 0.55, 0.2, 0.0, 0.0),
            Viseme::Sibilant => s(0.07, 0.0, 0.0, 0.0, 0.45, 0.0),
            Viseme::Rhotic => s(0.2, 0.0, 0.2, 0.35, 0.0, 0.0),
            Viseme::Open => s(0.62, 0.0, 0.0, 0.0, 0.05, 0.0),
            Viseme::Mid => s(0.4, 0.0, 0.0, 0.0, 0.3, 0.0),
            Viseme::Spread => s(0.24, 0.0, 0.0, 0.0, 0.5, 0.0),
            Viseme::Round => s(0.45, 0.0, 0.6, 0.2, 0.0, 0.0),
            Viseme::Pucker => s(0.2, 0.0, 0.2, 0.7, 0.0, 0.0),
        }
    }
}

/// Jaw and lip positions in 0..=1, named after the ARKit face units they drive
/// (`jawOpen`, `mouthClose`, `mouthFunnel`, `mouthPucker`, `mouthStretch_L/R`,
/// `mouthRollLower`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct MouthShape {
    /// How far the jaw drops.
    pub jaw_open: f32,
    /// How firmly the lips press together.
    pub lips_closed: f32,
    /// Lips pushed out in a funnel ("oh", "sh").
    pub funnel: f32,
    /// Lips pursed small ("oo", "w").
    pub pucker: f32,
    /// Corners pulled wide ("ee", "s").
    pub stretch: f32,
    /// Lower lip drawn under the teeth ("f", "v").
    pub lower_lip_tuck: f32,
}

impl MouthShape {
    /// The mouth at rest.
    pub const REST: MouthShape = MouthShape {
        jaw_open: 0.02,
        lips_closed: 0.3,
        funnel: 0.0,
        pucker: 0.0,
        stretch: 0.0,
        lower_lip_tuck: 0.0,
    };

    /// Linear blend from `self` (t = 0) to `other` (t = 1).
    pub fn lerp(&self, other: &MouthShape, t: f32) -> MouthShape {
        let t = t.clamp(0.0, 1.0);
        let mix = |a: f32, b: f32| a + (b - a) * t;
        MouthShape {
            jaw_open: mix(self.jaw_open, other.jaw_open),
            lips_closed: mix(self.lips_closed, other.lips_closed),
            funnel: mix(self.funnel, other.funnel),
            pucker: mix(self.pucker, other.pucker),
            stretch: mix(self.stretch, other.stretch),
            lower_lip_tuck: mix(self.lower_lip_tuck, other.lower_lip_tuck),
        }
    }

    /// The same shape with every movement scaled (quiet speech moves the mouth less).
    pub fn scaled(&self, amount: f32) -> MouthShape {
        MouthShape::REST.lerp(self, amount)
    }
}

/// One viseme held from `start_s` to `end_s` of the audio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VisemeKey {
    /// Start, seconds from the start of the audio.
    pub start_s: f32,
    /// End, seconds from the start of the audio.
    pub end_s: f32,
    /// The mouth position.
    pub viseme: Viseme,
}

/// How long neighbouring visemes overlap at most (coarticulation), in seconds.
const BLEND_S: f32 = 0.035;

/// Where the mouth shapes come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MouthTrack {
    /// Visemes with times, from the synthesiser's phoneme segments.
    Visemes(Vec<VisemeKey>),
    /// Loudness in dBFS every `hop_s` seconds, for recorded audio without phonemes.
    Envelope {
        /// Seconds between values.
        hop_s: f32,
        /// RMS level of each hop, dBFS.
        levels_db: Vec<f32>,
    },
}

impl MouthTrack {
    /// Visemes from phone names with end times (flite's `Segment` relation), shifted by
    /// `offset_s`. Each phone starts where the previous one ended.
    pub fn from_phones<'a>(phones: impl IntoIterator<Item = (&'a str, f32)>, offset_s: f32) -> Vec<VisemeKey> {
        let mut start = 0.0;
        let mut keys = Vec::new();
        for (phone, end) in phones {
            if end > start {
                keys.push(VisemeKey {
                    start_s: start + offset_s,
                    end_s: end + offset_s,
                    viseme: Viseme::of_phone(phone),
                });
            }
            start = end;
        }
        keys
    }

    /// The mouth at `t` seconds into the audio. Neighbouring visemes blend over a few
    /// tens of milliseconds at their boundary, as real mouths anticipate the next sound;
    /// the middle of every segment shows its own shape exactly.
    pub fn shape_at(&self, t: f32) -> MouthShape {
        match self {
            MouthTrack::Visemes(keys) => shape_in(keys, t),
            MouthTrack::Envelope { hop_s, levels_db } => {
                if *hop_s <= 0.0 || t < 0.0 {
                    return MouthShape::REST;
                }
                let i = (t / hop_s) as usize;
                let Some(db) = levels_db.get(i) else {
                    return MouthShape::REST;
                };
                // −50 dBFS and below is closed; −20 dBFS and above fully open.
                let open = ((db + 50.0) / 30.0).clamp(0.0, 1.0);
                MouthShape::REST.lerp(&Viseme::Open.shape(), open)
            }
        }
    }

    /// Length of the track in seconds.
    pub fn duration_s(&self) -> f32 {
        match self {
            MouthTrack::Visemes(keys) => keys.last().map_or(0.0, |k| k.end_s),
            MouthTrack::Envelope { hop_s, levels_db } => hop_s * levels_db.len() as f32,
        }
    }
}

fn shape_in(keys: &[VisemeKey], t: f32) -> MouthShape {
    let Some(i) = keys.iter().position(|k| t >= k.start_s && t < k.end_s) else {
        return MouthShape::REST;
    };
    let key = keys[i];
    let own = key.viseme.shape();
    let window = (BLEND_S).min(0.3 * (key.end_s - key.start_s));
    if window <= 0.0 {
        return own;
    }
    // Half of the blend happens on each side of a boundary.
    let into = t - key.start_s;
    let left = key.end_s - t;
    if into < window {
        let prev = if i > 0 {
            keys[i - 1].viseme.shape()
        } else {
            MouthShape::REST
        };
        let w = 0.5 + 0.5 * into / window;
        prev.lerp(&own, w)
    } else if left < window {
        let next = keys.get(i + 1).map_or(MouthShape::REST, |k| k.viseme.shape());
        let w = 0.5 + 0.5 * left / window;
        next.lerp(&own, w)
    } else {
        own
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track() -> MouthTrack {
        // "mama": m aa m aa, 80 ms each, after 100 ms of silence.
        MouthTrack::Visemes(MouthTrack::from_phones(
            [
                ("pau", 0.1),
                ("m", 0.18),
                ("aa", 0.26),
                ("m", 0.34),
                ("aa", 0.42),
                ("pau", 0.5),
            ],
            0.0,
        ))
    }

    #[test]
    fn vowels_open_the_jaw_and_bilabials_close_the_lips() {
        let t = track();
        let m = t.shape_at(0.14);
        assert!(m.lips_closed > 0.95 && m.jaw_open < 0.05, "{m:?}");
        let a = t.shape_at(0.22);
        assert!(a.jaw_open > 0.5 && a.lips_closed < 0.05, "{a:?}");
    }

    #[test]
    fn boundaries_blend_without_jumps() {
        let t = track();
        let mut last = t.shape_at(0.0);
        let mut s = 0.0;
        while s < 0.5 {
            let now = t.shape_at(s);
            assert!((now.jaw_open - last.jaw_open).abs() < 0.2, "jump at {s}");
            last = now;
            s += 0.002;
        }
    }

    #[test]
    fn outside_the_audio_the_mouth_rests() {
        assert_eq!(track().shape_at(-1.0), MouthShape::REST);
        assert_eq!(track().shape_at(3.0), MouthShape::REST);
        assert!((track().duration_s() - 0.5).abs() < 1e-6);
    }

    #[test]
    fn an_envelope_opens_with_loudness() {
        let t = MouthTrack::Envelope {
            hop_s: 0.01,
            levels_db: vec![-80.0, -35.0, -18.0],
        };
        assert!(t.shape_at(0.005).jaw_open < 0.05);
        let mid = t.shape_at(0.015).jaw_open;
        let loud = t.shape_at(0.025).jaw_open;
        assert!(mid > 0.1 && loud > mid);
    }

    #[test]
    fn every_flite_phone_has_a_viseme() {
        let vowels = [
            "aa", "ae", "ah", "ao", "aw", "ax", "ay", "eh", "er", "ey", "ih", "iy", "ow", "oy", "uh", "uw",
        ];
        for v in vowels {
            assert!(Viseme::of_phone(v).is_vowel(), "{v}");
        }
        for c in [
            "b", "ch", "d", "dh", "f", "g", "hh", "jh", "k", "l", "m", "n", "ng", "p", "r", "s", "sh", "t", "th", "v",
            "w", "y", "z", "zh",
        ] {
            assert_ne!(Viseme::of_phone(c), Viseme::Rest, "{c}");
        }
        assert_eq!(Viseme::of_phone("pau"), Viseme::Rest);
    }
}
