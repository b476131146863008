//! The avatar contact sheet's pictures: the states it shows, the checks each panel must
//! pass, and the grid they are laid out in. Pure (RGB buffers in, RGB buffers out), so
//! the checks are tested on made-up panels; `holdspace contact-sheet` renders the real
//! ones.

use holdspace_core::Band;
use holdspace_core::Disclosure;
use holdspace_core::expression::lipsync::MouthShape;
use holdspace_core::scenario::model::Tag;

/// One state of the customer the sheet shows.
#[derive(Debug, Clone, Copy)]
pub struct SheetState {
    /// Its name, as the sheet's column is captioned.
    pub name: &'static str,
    /// The escalation band.
    pub band: Band,
    /// The tags of the line being said.
    pub tags: &'static [Tag],
    /// Escalation, 0..1.
    pub escalation: f32,
    /// Trust, 0..1.
    pub trust: f32,
    /// How far the hidden need has come out.
    pub disclosure: Disclosure,
    /// The mouth mid-word, or at rest: the hostile customer is caught shouting, so the
    /// sheet shows the teeth and the inside of the mouth too.
    pub mouth: MouthShape,
}

/// An open "ah", shouted: the jaw well down and the lips stretched.
pub const SHOUT: MouthShape = MouthShape {
    jaw_open: 0.6,
    lips_closed: 0.0,
    funnel: 0.0,
    pucker: 0.0,
    stretch: 0.4,
    lower_lip_tuck: 0.0,
};

/// The five states, left to right: the range a trainee meets in a session.
pub const STATES: [SheetState; 5] = [
    SheetState {
        name: "calm",
        band: Band::Calm,
        tags: &[Tag::Relieved, Tag::Nods, Tag::OpenPosture],
        escalation: 0.1,
        trust: 0.7,
        disclosure: Disclosure::Hidden,
        mouth: MouthShape::REST,
    },
    SheetState {
        name: "frustrated",
        band: Band::Frustrated,
        tags: &[Tag::Frown, Tag::ArmsCrossed],
        escalation: 0.45,
        trust: 0.2,
        disclosure: Disclosure::Hidden,
        mouth: MouthShape::REST,
    },
    SheetState {
        name: "angry",
        band: Band::Angry,
        tags: &[Tag::RaisedVoice, Tag::HandsOnCounter, Tag::Frown],
        escalation: 0.7,
        trust: 0.1,
        disclosure: Disclosure::Hidden,
        mouth: MouthShape::REST,
    },
    SheetState {
        name: "hostile",
        band: Band::Hostile,
        tags: &[Tag::RaisedVoice, Tag::PointsAtYou, Tag::LeansIn],
        escalation: 0.95,
        trust: 0.0,
        disclosure: Disclosure::Hidden,
        mouth: SHOUT,
    },
    SheetState {
        name: "need revealed",
        band: Band::Uneasy,
        tags: &[Tag::LooksDown, Tag::Sigh],
        escalation: 0.35,
        trust: 0.55,
        disclosure: Disclosure::Revealed,
        mouth: MouthShape::REST,
    },
];

/// An RGB picture, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

impl Panel {
    /// A panel of one colour.
    pub fn filled(width: usize, height: usize, colour: [u8; 3]) -> Panel {
        Panel {
            width,
            height,
            rgb: colour.repeat(width * height),
        }
    }

    /// The pixel at (x, y).
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Sets the pixel at (x, y).
    pub fn set(&mut self, x: usize, y: usize, colour: [u8; 3]) {
        let i = (y * self.width + x) * 3;
        self.rgb[i..i + 3].copy_from_slice(&colour);
    }
}

/// Why a panel is not a picture of the customer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PanelFault {
    /// Nearly black: nothing was drawn, or the light failed.
    #[error("black (mean luminance {mean:.1} of 255)")]
    Black {
        /// Mean luminance.
        mean: f32,
    },
    /// One flat colour: a blank frame, or the customer missing from it.
    #[error("blank (luminance spread {spread:.1}, below {MIN_SPREAD})")]
    Blank {
        /// The 5th to 95th percentile luminance spread.
        spread: f32,
    },
    /// A notice banner across the top, over the customer's head.
    #[error("a notice banner covers the top")]
    Banner,
}

/// Mean luminance under which a panel is black.
pub const MIN_MEAN: f32 = 30.0;
/// Luminance spread (5th to 95th percentile) under which a panel is one flat colour: a
/// face, hair and clothes against a wall span well over 60.
pub const MIN_SPREAD: f32 = 40.0;

fn luminance(p: [u8; 3]) -> f32 {
    0.2126 * f32::from(p[0]) + 0.7152 * f32::from(p[1]) + 0.0722 * f32::from(p[2])
}

/// Whether a panel shows something: not black, not flat, no banner over the top.
pub fn check(panel: &Panel) -> Result<(), PanelFault> {
    let mut lum: Vec<f32> = panel
        .rgb
        .chunks_exact(3)
        .map(|p| luminance([p[0], p[1], p[2]]))
        .collect();
    if lum.is_empty() {
        return Err(PanelFault::Blank { spread: 0.0 });
    }
    let mean = lum.iter().sum::<f32>() / lum.len() as f32;
    if mean < MIN_MEAN {
        return Err(PanelFault::Black { mean });
    }
    lum.sort_by(f32::total_cmp);
    let at = |q: f32| lum[((lum.len() - 1) as f32 * q) as usize];
    let spread = at(0.95) - at(0.05);
    if spread < MIN_SPREAD {
        return Err(PanelFault::Blank { spread });
    }
    if has_banner(panel) {
        return Err(PanelFault::Banner);
    }
    Ok(())
}

/// A notice banner: the theme's panel colour, a dark neutral grey, across most of a band
/// near the top (2 to 7 % of the height, the middle half of the width), where the wall
/// or the customer's hair would be.
fn has_banner(panel: &Panel) -> bool {
    let (y0, y1) = (panel.height * 2 / 100, (panel.height * 7 / 100).max(1));
    let (x0, x1) = (panel.width / 4, panel.width * 3 / 4);
    let (mut grey, mut all) = (0usize, 0usize);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = panel.pixel(x, y);
            let (lo, hi) = (
                p.iter().copied().min().unwrap_or(0),
                p.iter().copied().max().unwrap_or(0),
            );
            all += 1;
            if (24..=110).contains(&lo) && hi <= 110 && hi - lo <= 28 {
                grey += 1;
            }
        }
    }
    grey as f32 / all.max(1) as f32 > 0.55
}

/// Lays panels out in rows (all the same size) with `gap` white pixels between them.
pub fn grid(rows: &[Vec<Panel>], gap: usize) -> Panel {
    let (w, h) = rows
        .first()
        .and_then(|r| r.first())
        .map_or((0, 0), |p| (p.width, p.height));
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = columns * w + columns.saturating_sub(1) * gap;
    let height = rows.len() * h + rows.len().saturating_sub(1) * gap;
    let mut out = Panel::filled(width, height, [255, 255, 255]);
    for (r, row) in rows.iter().enumerate() {
        for (c, panel) in row.iter().enumerate() {
            let (ox, oy) = (c * (w + gap), r * (h + gap));
            for y in 0..h.min(panel.height) {
                let src = &panel.rgb[y * panel.width * 3..(y * panel.width + w.min(panel.width)) * 3];
                let at = ((oy + y) * width + ox) * 3;
                out.rgb[at..at + src.len()].copy_from_slice(src);
            }
        }
    }
    out
}

/// Half the size, each pixel the mean of four: the copy the README shows.
pub fn half(panel: &Panel) -> Panel {
    let (w, h) = (panel.width / 2, panel.height / 2);
    let mut out = Panel::filled(w, h, [0, 0, 0]);
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0u32; 3];
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let p = panel.pixel(2 * x + dx, 2 * y + dy);
                for c in 0..3 {
                    sum[c] += u32::from(p[c]);
                }
            }
            out.set(x, y, sum.map(|v| (v / 4) as u8));
        }
    }
    out
}
