//! The escalation and trust curves: band-coloured stripes, escalation as band-coloured
//! points joined by a line, trust as a thinner blue line. Each point is a button that
//! opens that turn's detail.

use bevy::prelude::*;
use holdspace_core::Band;
use holdspace_core::debrief::CurvePoint;

use crate::app::screens::debrief::DebriefView;
use crate::app::theme::{MUTED, SMALL, TEXT, Unpainted, band_color, label};

/// Plot size in logical pixels.
const WIDTH: f32 = 600.0;
const HEIGHT: f32 = 170.0;
/// Room for the band names on the left.
const LEFT: f32 = 78.0;
const DOT: f32 = 16.0;
const TRUST_COLOR: Color = Color::srgb(0.45, 0.65, 0.95);

/// A clickable point of the curve: its turn.
#[derive(Component, Debug, Clone, Copy)]
pub struct ChartPoint(pub u32);

fn x_of(turn: u32, last: u32) -> f32 {
    LEFT + 14.0 + (WIDTH - LEFT - 28.0) * turn as f32 / last.max(1) as f32
}

fn y_of(v: f32) -> f32 {
    HEIGHT * (1.0 - v.clamp(0.0, 1.0))
}

/// A straight line between two points, as a rotated thin node.
fn segment(commands: &mut Commands, parent: Entity, from: Vec2, to: Vec2, thickness: f32, color: Color) {
    let d = to - from;
    let length = d.length();
    if length < 0.5 {
        return;
    }
    let mid = (from + to) / 2.0;
    commands.spawn((
        ChildOf(parent),
        Node {
            position_type: PositionType::Absolute,
            left: px(mid.x - length / 2.0),
            top: px(mid.y - thickness / 2.0),
            width: px(length),
            height: px(thickness),
            ..default()
        },
        // UI y grows downwards, so atan2 of the screen delta is the clockwise angle UiTransform wants.
        UiTransform::from_rotation(Rot2::radians(d.y.atan2(d.x))),
        BackgroundColor(color),
        Pickable::IGNORE,
    ));
}

/// Spawns the chart under `parent`.
pub fn spawn(commands: &mut Commands, parent: Entity, curve: &[CurvePoint], turning: &[u32], selected: Option<u32>) {
    let last = curve.last().map_or(1, |p| p.turn);
    let plot = commands
        .spawn((
            ChildOf(parent),
            Name::new("Curve"),
            Node {
                width: px(WIDTH),
                height: px(HEIGHT),
                margin: UiRect::bottom(px(18.0)),
                ..default()
            },
        ))
        .id();
    for (i, band) in [Band::Calm, Band::Uneasy, Band::Frustrated, Band::Angry, Band::Hostile]
        .into_iter()
        .enumerate()
    {
        let top = y_of((i + 1) as f32 * 0.2);
        let [r, g, b] = band.rgb();
        commands.spawn((
            ChildOf(plot),
            Node {
                position_type: PositionType::Absolute,
                left: px(LEFT),
                top: px(top),
                width: px(WIDTH - LEFT),
                height: px(HEIGHT * 0.2),
                ..default()
            },
            BackgroundColor(Color::srgba(r, g, b, 0.13)),
        ));
        commands.spawn((
            ChildOf(plot),
            Node {
                position_type: PositionType::Absolute,
                left: px(0.0),
                top: px(top + HEIGHT * 0.1 - 8.0),
                ..default()
            },
            label(band.label(), SMALL - 2.0, band_color(band)),
        ));
    }
    let point = |p: &CurvePoint, v: f32| Vec2::new(x_of(p.turn, last), y_of(v));
    for pair in curve.windows(2) {
        segment(
            commands,
            plot,
            point(&pair[0], pair[0].trust),
            point(&pair[1], pair[1].trust),
            2.0,
            TRUST_COLOR,
        );
    }
    for pair in curve.windows(2) {
        let color = band_color(pair[1].band);
        segment(
            commands,
            plot,
            point(&pair[0], pair[0].escalation),
            point(&pair[1], pair[1].escalation),
            3.0,
            color,
        );
    }
    for p in curve {
        let at = point(p, p.trust);
        commands.spawn((
            ChildOf(plot),
            Node {
                position_type: PositionType::Absolute,
                left: px(at.x - 4.0),
                top: px(at.y - 4.0),
                width: px(8.0),
                height: px(8.0),
                border_radius: BorderRadius::all(px(4.0)),
                ..default()
            },
            BackgroundColor(TRUST_COLOR),
            Pickable::IGNORE,
        ));
    }
    for p in curve {
        let at = point(p, p.escalation);
        let is_selected = selected == Some(p.turn);
        let ring = turning.contains(&p.turn);
        let size = if is_selected { DOT + 6.0 } else { DOT };
        let mut dot = commands.spawn((
            ChildOf(plot),
            Name::new(format!("Turn {} point", p.turn)),
            Node {
                position_type: PositionType::Absolute,
                left: px(at.x - size / 2.0),
                top: px(at.y - size / 2.0),
                width: px(size),
                height: px(size),
                border: UiRect::all(px(if is_selected || ring { 2.5 } else { 1.0 })),
                border_radius: BorderRadius::all(px(size / 2.0)),
                ..default()
            },
            BackgroundColor(band_color(p.band)),
            BorderColor::all(if is_selected {
                Color::WHITE
            } else if ring {
                TEXT
            } else {
                Color::srgb(0.1, 0.1, 0.1)
            }),
        ));
        if p.turn > 0 {
            dot.insert((Button, Unpainted, ChartPoint(p.turn)));
        }
        commands.spawn((
            ChildOf(plot),
            Node {
                position_type: PositionType::Absolute,
                left: px(at.x - 14.0),
                top: px(HEIGHT + 2.0),
                width: px(28.0),
                justify_content: JustifyContent::Center,
                ..default()
            },
            label(
                if p.turn == 0 {
                    "start".to_owned()
                } else {
                    p.turn.to_string()
                },
                SMALL - 2.0,
                if is_selected { TEXT } else { MUTED },
            ),
        ));
    }
}

/// Clicking a point (or a turning-point button) opens that turn.
pub fn select_point(points: Query<(&Interaction, &ChartPoint), Changed<Interaction>>, mut view: ResMut<DebriefView>) {
    for (interaction, ChartPoint(turn)) in &points {
        if *interaction == Interaction::Pressed && view.selected != Some(*turn) {
            view.selected = Some(*turn);
        }
    }
}
