//! The customer's state: escalation bands and the hidden need's disclosure stage.

use serde::{Deserialize, Serialize};

/// Escalation shown in five bands. Thresholds: calm < 0.2 ≤ uneasy < 0.4 ≤ frustrated
/// < 0.6 ≤ angry < 0.8 ≤ hostile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Band {
    /// Relaxed, cooperative.
    Calm,
    /// Worried or guarded.
    Uneasy,
    /// Irritated, short.
    Frustrated,
    /// Raised voice, accusing.
    Angry,
    /// Shouting, threatening to leave.
    Hostile,
}

impl Band {
    /// All bands, calm first.
    pub const ALL: [Band; 5] = [Band::Calm, Band::Uneasy, Band::Frustrated, Band::Angry, Band::Hostile];

    /// The band for an escalation value in 0..=1.
    pub fn of(escalation: f32) -> Band {
        match escalation {
            e if e < 0.2 => Band::Calm,
            e if e < 0.4 => Band::Uneasy,
            e if e < 0.6 => Band::Frustrated,
            e if e < 0.8 => Band::Angry,
            _ => Band::Hostile,
        }
    }

    /// Position from calm (0) to hostile (4).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The band's display colour (sRGB components, 0..1), shared by the app and the
    /// HTML report so a coach sees the same colours the trainee saw.
    pub fn rgb(self) -> [f32; 3] {
        match self {
            Band::Calm => [0.36, 0.72, 0.52],
            Band::Uneasy => [0.64, 0.76, 0.38],
            Band::Frustrated => [0.93, 0.74, 0.30],
            Band::Angry => [0.93, 0.49, 0.25],
            Band::Hostile => [0.86, 0.22, 0.22],
        }
    }

    /// Lower-case name.
    pub fn label(self) -> &'static str {
        match self {
            Band::Calm => "calm",
            Band::Uneasy => "uneasy",
            Band::Frustrated => "frustrated",
            Band::Angry => "angry",
            Band::Hostile => "hostile",
        }
    }
}

/// How far the hidden need has come out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Disclosure {
    /// Nothing shown yet.
    #[default]
    Hidden,
    /// The customer has given at least one cue.
    Hinted,
    /// The customer has said it.
    Revealed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_thresholds_match_the_documentation() {
        assert_eq!(Band::of(0.0), Band::Calm);
        assert_eq!(Band::of(0.199), Band::Calm);
        assert_eq!(Band::of(0.2), Band::Uneasy);
        assert_eq!(Band::of(0.45), Band::Frustrated);
        assert_eq!(Band::of(0.6), Band::Angry);
        assert_eq!(Band::of(0.8), Band::Hostile);
        assert_eq!(Band::of(1.0), Band::Hostile);
    }
}
