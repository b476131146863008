//! The debrief screen (first version): the outcome in plain words, the escalation
//! curve as a chart, the turning points with the trainee's words and the reasons,
//! the hidden need and the cues, the reflection prompts, and retry / choose another.

use bevy::prelude::*;
use holdspace_core::Debrief;
use holdspace_core::model::OutcomeKind;

use super::Screen;
use crate::app::AppSystems;
use crate::app::runner::ActiveSession;
use crate::app::theme::{
    ACCENT, BACKGROUND, BODY, ERROR, HEADING, MUTED, PANEL, SMALL, TEXT, band_color, button, label,
};

/// Chart height in pixels.
const CHART_HEIGHT: f32 = 110.0;

/// The debrief being shown, built from the session record when the screen opens.
#[derive(Resource, Debug, Clone)]
pub struct ShownDebrief(pub Debrief);

/// "Try again": the same scenario, seed and mode from the start.
#[derive(Component, Debug)]
pub struct RetryButton;

/// Back to the scenario list.
#[derive(Component, Debug)]
pub struct ChooseAnotherButton;

/// Registers the debrief screen.
pub fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Debrief), spawn_debrief).add_systems(
        Update,
        debrief_buttons
            .in_set(AppSystems::RecordInput)
            .run_if(in_state(Screen::Debrief)),
    );
}

fn outcome_color(kind: Option<OutcomeKind>) -> Color {
    match kind {
        Some(OutcomeKind::Resolved) => Color::srgb(0.45, 0.8, 0.55),
        Some(OutcomeKind::SurfaceOnly) => ACCENT,
        Some(_) => ERROR,
        None => MUTED,
    }
}

fn panel() -> impl Bundle {
    (
        Node {
            flex_direction: FlexDirection::Column,
            padding: UiRect::all(px(12.0)),
            row_gap: px(6.0),
            border_radius: BorderRadius::all(px(8.0)),
            ..default()
        },
        BackgroundColor(PANEL),
    )
}

/// Builds the debrief from the finished session and lays it out in two columns.
pub fn spawn_debrief(mut commands: Commands, active: Option<Res<ActiveSession>>) {
    let Some(active) = active else { return };
    let debrief = Debrief::build(active.scenario(), &active.session.record());
    commands.insert_resource(ShownDebrief(debrief.clone()));
    let kind = debrief.outcome.as_ref().map(|o| o.kind);

    let root = commands
        .spawn((
            Name::new("Debrief screen"),
            DespawnOnExit(Screen::Debrief),
            Node {
                width: percent(100.0),
                height: percent(100.0),
                padding: UiRect::all(px(20.0)),
                column_gap: px(16.0),
                ..default()
            },
            BackgroundColor(BACKGROUND),
        ))
        .id();
    let left = commands
        .spawn((
            ChildOf(root),
            Node {
                flex_direction: FlexDirection::Column,
                width: percent(58.0),
                row_gap: px(10.0),
                ..default()
            },
        ))
        .id();
    let right = commands
        .spawn((
            ChildOf(root),
            Node {
                flex_direction: FlexDirection::Column,
                width: percent(42.0),
                row_gap: px(10.0),
                ..default()
            },
        ))
        .id();

    // The outcome, in plain words.
    let outcome_text = debrief
        .outcome
        .as_ref()
        .map(|o| o.debrief.clone())
        .unwrap_or_else(|| "The conversation was not finished.".to_owned());
    commands.spawn((
        ChildOf(left),
        panel(),
        children![
            label(debrief.headline(), HEADING, outcome_color(kind)),
            label(outcome_text, SMALL + 1.0, TEXT)
        ],
    ));

    // The escalation curve: one bar per turn, coloured by band, with trust as a white tick.
    let chart = commands
        .spawn((ChildOf(left), panel(), Name::new("Escalation chart")))
        .id();
    commands.spawn((
        ChildOf(chart),
        label(
            "Escalation after each turn (bars, band colours) and trust (white marks)",
            SMALL,
            MUTED,
        ),
    ));
    let bars = commands
        .spawn((
            ChildOf(chart),
            Node {
                height: px(CHART_HEIGHT + 20.0),
                align_items: AlignItems::FlexEnd,
                column_gap: px(6.0),
                padding: UiRect::top(px(4.0)),
                ..default()
            },
        ))
        .id();
    for point in &debrief.curve {
        let column = commands
            .spawn((
                ChildOf(bars),
                Node {
                    flex_direction: FlexDirection::Column,
                    align_items: AlignItems::Center,
                    width: px(34.0),
                    ..default()
                },
            ))
            .id();
        let well = commands
            .spawn((
                ChildOf(column),
                Node {
                    width: px(26.0),
                    height: px(CHART_HEIGHT),
                    justify_content: JustifyContent::FlexEnd,
                    flex_direction: FlexDirection::Column,
                    ..default()
                },
                BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.05)),
            ))
            .id();
        commands.spawn((
            ChildOf(well),
            Node {
                width: percent(100.0),
                height: percent(point.escalation.max(0.01) * 100.0),
                ..default()
            },
            BackgroundColor(band_color(point.band)),
        ));
        commands.spawn((
            ChildOf(well),
            Node {
                position_type: PositionType::Absolute,
                bottom: percent(point.trust * 100.0),
                left: px(-3.0),
                width: px(32.0),
                height: px(3.0),
                ..default()
            },
            BackgroundColor(Color::WHITE),
        ));
        commands.spawn((
            ChildOf(column),
            label(
                if point.turn == 0 {
                    "start".to_owned()
                } else {
                    point.turn.to_string()
                },
                SMALL - 2.0,
                MUTED,
            ),
        ));
    }

    // Turning points.
    let turning = commands
        .spawn((ChildOf(left), panel(), Name::new("Turning points")))
        .id();
    commands.spawn((ChildOf(turning), label("Turning points", BODY, ACCENT)));
    if debrief.turning_points.is_empty() {
        commands.spawn((
            ChildOf(turning),
            label(
                "No single reply moved the customer much: a steady conversation.",
                SMALL,
                MUTED,
            ),
        ));
    }
    for t in &debrief.turning_points {
        let arrow = format!("Turn {}: {} -> {}", t.turn, t.before.band.label(), t.after.band.label());
        commands.spawn((ChildOf(turning), label(arrow, SMALL + 1.0, band_color(t.after.band))));
        commands.spawn((
            ChildOf(turning),
            label(format!("You said: \"{}\"", t.trainee_said), SMALL, TEXT),
        ));
        for r in t.reasons.iter().take(2) {
            commands.spawn((
                ChildOf(turning),
                label(format!("  {:+.2}  {}", r.escalation, r.note), SMALL - 1.0, MUTED),
            ));
        }
        if let Some(better) = &t.better_move {
            commands.spawn((
                ChildOf(turning),
                label(format!("  Better here: {better}"), SMALL - 1.0, ACCENT),
            ));
        }
    }

    // The hidden need and the cues.
    let need = &debrief.hidden_need;
    let found = match (need.revealed_on_turn, need.addressed) {
        (Some(turn), true) => format!("You found it on turn {turn}, and you met it."),
        (Some(turn), false) => format!("You found it on turn {turn}, but did not act on it."),
        (None, _) => "You did not find it.".to_owned(),
    };
    let need_panel = commands
        .spawn((
            ChildOf(right),
            panel(),
            children![
                label("What was really going on", BODY, ACCENT),
                label(need.summary.clone(), SMALL, TEXT),
                label(found, SMALL, if need.revealed_on_turn.is_some() { TEXT } else { ERROR })
            ],
        ))
        .id();
    for cue in &debrief.cues {
        let (status, color) = match (cue.shown_after_turn, cue.noticed_on_turn) {
            (None, _) => ("not given", MUTED),
            (Some(_), Some(_)) => ("picked up", TEXT),
            (Some(_), None) => ("missed", ERROR),
        };
        commands.spawn((
            ChildOf(need_panel),
            label(format!("- {} ({status})", cue.description), SMALL - 1.0, color),
        ));
    }

    // Reflection.
    let reflect = commands
        .spawn((ChildOf(right), panel(), children![label("To reflect on", BODY, ACCENT)]))
        .id();
    for (i, q) in debrief.reflection.iter().take(5).enumerate() {
        commands.spawn((ChildOf(reflect), label(format!("{}. {q}", i + 1), SMALL - 1.0, TEXT)));
    }

    commands.spawn((
        ChildOf(right),
        Node {
            column_gap: px(10.0),
            ..default()
        },
        children![
            button("Try again", RetryButton),
            button("Choose another scenario", ChooseAnotherButton)
        ],
    ));
}

/// Retry restarts the same scenario with the same seed and mode; the other button goes back to the list.
pub fn debrief_buttons(
    mut commands: Commands,
    retry: Query<&Interaction, (Changed<Interaction>, With<RetryButton>)>,
    another: Query<&Interaction, (Changed<Interaction>, With<ChooseAnotherButton>)>,
    active: Option<Res<ActiveSession>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if retry.iter().any(|i| *i == Interaction::Pressed)
        && let Some(active) = &active
    {
        let record = active.session.record();
        commands.insert_resource(ActiveSession::start(
            active.scenario().clone(),
            record.seed,
            record.mode,
        ));
        next.set(Screen::Session);
    }
    if another.iter().any(|i| *i == Interaction::Pressed) {
        commands.remove_resource::<ActiveSession>();
        next.set(Screen::ScenarioSelect);
    }
}
