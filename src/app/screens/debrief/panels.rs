//! The debrief's first three tabs: what happened (curve + turn detail), the hidden need,
//! and how you spoke (delivery and skills against earlier attempts, progress, next scenario).

use bevy::prelude::*;
use holdspace_core::debrief::DeliverySummary;

use crate::app::screens::debrief::{
    DETAIL, DebriefView, RetryFromTurn, SECTION, ShownDebrief, TrySuggested, chart, delivery_words, panel,
};
use crate::app::theme::{ACCENT, ERROR, MUTED, SMALL, TEXT, band_color, button, cell, label};

/// The width of the tables' first column (what is measured, or the skill).
const NAME_COLUMN: f32 = 230.0;
/// The width of the tables' "this time" column.
const VALUE_COLUMN: f32 = 130.0;

/// "frustrated to angry", or "stayed hostile (+0.05)" when the band held.
fn movement(t: &holdspace_core::debrief::TurningPoint) -> String {
    if t.not_heard {
        "not heard".to_owned()
    } else if t.before.band == t.after.band {
        format!(
            "stayed {} ({:+.2})",
            t.after.band.label(),
            t.after.escalation - t.before.escalation
        )
    } else {
        format!("{} to {}", t.before.band.label(), t.after.band.label())
    }
}

fn column(commands: &mut Commands, parent: Entity, width: f32) -> Entity {
    commands
        .spawn((
            ChildOf(parent),
            Node {
                flex_direction: FlexDirection::Column,
                width: percent(width),
                row_gap: px(10.0),
                ..default()
            },
        ))
        .id()
}

/// The curves, the turning points, and the selected turn in detail.
pub fn what_happened(commands: &mut Commands, root: Entity, shown: &ShownDebrief, view: &DebriefView) {
    let d = &shown.debrief;
    let left = column(commands, root, 52.0);
    let right = column(commands, root, 48.0);
    let chart_panel = commands
        .spawn((ChildOf(left), panel(), Name::new("Escalation chart")))
        .id();
    commands.spawn((
        ChildOf(chart_panel),
        label(
            format!(
                "How {} felt after each turn: escalation (band colours) and trust (blue). Click a point.",
                d.customer.split_whitespace().next().unwrap_or(&d.customer)
            ),
            DETAIL,
            MUTED,
        ),
    ));
    let turning: Vec<u32> = d.turning_points.iter().map(|t| t.turn).collect();
    chart::spawn(commands, chart_panel, &d.curve, &turning, view.selected);

    let list = commands
        .spawn((ChildOf(left), panel(), Name::new("Turning points")))
        .id();
    commands.spawn((ChildOf(list), label("Turning points", SECTION, ACCENT)));
    if d.turning_points.is_empty() {
        commands.spawn((
            ChildOf(list),
            label(
                "No single reply moved the customer much: a steady conversation.",
                DETAIL,
                MUTED,
            ),
        ));
    }
    let row = commands
        .spawn((
            ChildOf(list),
            Node {
                column_gap: px(8.0),
                flex_wrap: FlexWrap::Wrap,
                ..default()
            },
        ))
        .id();
    for t in &d.turning_points {
        let arrow = if t.after.escalation > t.before.escalation {
            "up"
        } else {
            "down"
        };
        commands.spawn((
            ChildOf(row),
            button(
                format!(
                    "Turn {}: {} {arrow} to {}",
                    t.turn,
                    t.before.band.label(),
                    t.after.band.label()
                ),
                chart::ChartPoint(t.turn),
            ),
        ));
    }

    // What the coach did, so the trainee knows which moves were not theirs.
    if !d.coach.is_empty() {
        commands.spawn((ChildOf(list), label("What your coach did", SECTION, ACCENT)));
        for note in &d.coach {
            commands.spawn((ChildOf(list), label(note.text.clone(), DETAIL, TEXT)));
        }
    }

    let detail = commands.spawn((ChildOf(right), panel(), Name::new("Turn detail"))).id();
    let Some(t) = view.selected.and_then(|n| d.turns.iter().find(|t| t.turn == n)) else {
        commands.spawn((ChildOf(detail), label("No turns were taken.", DETAIL, MUTED)));
        return;
    };
    commands.spawn((
        ChildOf(detail),
        label(
            format!("Turn {}: {}", t.turn, movement(t)),
            SECTION,
            band_color(t.after.band),
        ),
    ));
    commands.spawn((
        ChildOf(detail),
        label(
            format!(
                "{} said: \"{}\"",
                d.customer.split_whitespace().next().unwrap_or(&d.customer),
                t.customer_said
            ),
            DETAIL,
            TEXT,
        ),
    ));
    commands.spawn((
        ChildOf(detail),
        label(format!("You said: \"{}\"", t.trainee_said), DETAIL, TEXT),
    ));
    commands.spawn((
        ChildOf(detail),
        label(format!("How: {}", delivery_words(&t.delivery)), DETAIL - 1.0, MUTED),
    ));
    // Where the customer's reply was written for what the trainee did, say so: the
    // reaction was to them, not to whichever way they reached this point.
    for a in &t.answered {
        commands.spawn((
            ChildOf(detail),
            label(
                format!(
                    "{} answered: \"{}\" ({})",
                    d.customer.split_whitespace().next().unwrap_or(&d.customer),
                    a.text,
                    a.why
                ),
                DETAIL - 1.0,
                TEXT,
            ),
        ));
    }
    if t.not_heard {
        // Recognition was unsure of the words: the customer asked again, and nothing in
        // the turn counts for or against the trainee.
        commands.spawn((
            ChildOf(detail),
            label(
                "Not heard: the microphone did not catch these words clearly, so the customer asked you to say it again. This turn is not scored.",
                DETAIL - 1.0,
                MUTED,
            ),
        ));
    } else {
        commands.spawn((ChildOf(detail), label("Why it moved", DETAIL, ACCENT)));
        if t.reasons.is_empty() {
            commands.spawn((
                ChildOf(detail),
                label("Nothing in particular: it barely moved.", DETAIL - 1.0, MUTED),
            ));
        }
        for r in &t.reasons {
            let color = if r.escalation > 0.0 {
                ERROR
            } else {
                Color::srgb(0.55, 0.85, 0.6)
            };
            commands.spawn((
                ChildOf(detail),
                label(format!("{:+.2}  {}", r.escalation, r.note), DETAIL - 1.0, color),
            ));
        }
        if let Some(better) = &t.better_move {
            commands.spawn((
                ChildOf(detail),
                label(format!("Better here: {better}"), DETAIL - 1.0, ACCENT),
            ));
        }
    }
    commands.spawn((
        ChildOf(detail),
        Node {
            margin: UiRect::top(px(6.0)),
            ..default()
        },
        children![button(format!("Retry from turn {}", t.turn), RetryFromTurn(t.turn))],
    ));
}

/// The hidden need, when it came out, and each cue given and noticed or missed.
pub fn hidden_need(commands: &mut Commands, root: Entity, shown: &ShownDebrief) {
    let d = &shown.debrief;
    let need = &d.hidden_need;
    let found = match (need.revealed_on_turn, need.addressed) {
        (Some(turn), true) => format!("{} told you on turn {turn}, and you met it.", d.customer),
        (Some(turn), false) => format!(
            "{} told you on turn {turn}, but what you did next did not meet it.",
            d.customer
        ),
        (None, _) => format!("{} never told you.", d.customer),
    };
    let left = column(commands, root, 55.0);
    let right = column(commands, root, 45.0);
    commands.spawn((
        ChildOf(left),
        panel(),
        children![
            label("What was really going on", SECTION, ACCENT),
            label(need.summary.clone(), DETAIL + 1.0, TEXT),
            label(
                found,
                DETAIL,
                if need.revealed_on_turn.is_some() { TEXT } else { ERROR }
            ),
            label(
                need.revealed_by
                    .as_ref()
                    .map(|by| format!("What opened them up: {by}"))
                    .unwrap_or_default(),
                DETAIL - 1.0,
                MUTED
            )
        ],
    ));
    let cues = commands
        .spawn((
            ChildOf(right),
            panel(),
            children![label("The cues they gave", SECTION, ACCENT)],
        ))
        .id();
    if d.cues.is_empty() {
        commands.spawn((ChildOf(cues), label("This scenario has no cues.", DETAIL, MUTED)));
    }
    for cue in &d.cues {
        let (status, color) = match (cue.shown_after_turn, cue.noticed_on_turn) {
            (None, _) => ("not given this time".to_owned(), MUTED),
            (Some(_), Some(n)) => (format!("you picked it up on turn {n}"), Color::srgb(0.55, 0.85, 0.6)),
            (Some(0), None) => ("given in the opening line; missed".to_owned(), ERROR),
            (Some(after), None) => (format!("given after turn {after}; missed"), ERROR),
        };
        commands.spawn((ChildOf(cues), label(cue.description.clone(), DETAIL, TEXT)));
        commands.spawn((ChildOf(cues), label(format!("    {status}"), DETAIL - 1.0, color)));
    }
}

/// Delivery and skills, this time against earlier attempts; progress and the next scenario.
pub fn how_you_spoke(commands: &mut Commands, root: Entity, shown: &ShownDebrief) {
    let left = column(commands, root, 50.0);
    let right = column(commands, root, 50.0);
    let now = &shown.debrief.delivery;
    let earlier = DeliverySummary::average(shown.earlier.iter().map(|a| &a.delivery));
    let delivery = commands
        .spawn((
            ChildOf(left),
            panel(),
            Name::new("Delivery"),
            children![label("How you spoke", SECTION, ACCENT)],
        ))
        .id();
    let rows = now.rows(earlier.as_ref());
    let compare = match &earlier {
        None => "first attempt".to_owned(),
        Some(e) => format!("your {} earlier", e.attempts),
    };
    commands.spawn((
        ChildOf(delivery),
        Node {
            column_gap: px(10.0),
            ..default()
        },
        children![
            cell("", DETAIL - 1.0, MUTED, Some(NAME_COLUMN)),
            cell("this time", DETAIL - 1.0, MUTED, Some(VALUE_COLUMN)),
            cell(compare, DETAIL - 1.0, MUTED, None)
        ],
    ));
    for row in rows {
        commands.spawn((
            ChildOf(delivery),
            Node {
                column_gap: px(10.0),
                padding: UiRect::vertical(px(3.0)),
                ..default()
            },
            children![
                cell(row.name, DETAIL, TEXT, Some(NAME_COLUMN)),
                cell(row.now, DETAIL, TEXT, Some(VALUE_COLUMN)),
                cell(row.before.unwrap_or_else(|| "–".to_owned()), DETAIL, MUTED, None)
            ],
        ));
    }
    if now.measured_turns == 0 {
        commands.spawn((
            ChildOf(delivery),
            label(
                "Every reply was clicked or typed, so pace, loudness and pauses were not measured. Say your replies aloud to practise delivery.",
                DETAIL - 1.0,
                MUTED,
            ),
        ));
    }

    let skills = commands
        .spawn((
            ChildOf(right),
            panel(),
            Name::new("Skills"),
            children![label("Skills", SECTION, ACCENT)],
        ))
        .id();
    for row in shown.skills.rows(&shown.earlier) {
        let line = commands
            .spawn((
                ChildOf(skills),
                Node {
                    column_gap: px(10.0),
                    padding: UiRect::vertical(px(3.0)),
                    align_items: AlignItems::Center,
                    ..default()
                },
            ))
            .id();
        commands.spawn((ChildOf(line), cell(row.skill.label(), DETAIL, TEXT, Some(NAME_COLUMN))));
        let track = commands
            .spawn((
                ChildOf(line),
                Node {
                    width: px(120.0),
                    height: px(10.0),
                    border_radius: BorderRadius::all(px(5.0)),
                    ..default()
                },
                BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.08)),
            ))
            .id();
        if let Some(v) = row.share {
            commands.spawn((
                ChildOf(track),
                Node {
                    width: percent(v * 100.0),
                    height: percent(100.0),
                    border_radius: BorderRadius::all(px(5.0)),
                    ..default()
                },
                BackgroundColor(Color::srgb(0.45, 0.65, 0.95)),
            ));
        }
        let text = match (row.share, &row.before) {
            (Some(_), Some(before)) => format!("{} (before {before})", row.now),
            _ => row.now.clone(),
        };
        commands.spawn((ChildOf(line), cell(text, DETAIL - 1.0, MUTED, None)));
    }
    if let Some(progress) = &shown.progress {
        let next = commands.spawn((ChildOf(right), panel(), Name::new("Progress"))).id();
        commands.spawn((
            ChildOf(next),
            label(
                match progress.attempts.len() {
                    1 => "Your first attempt".to_owned(),
                    n => format!("Across your {n} attempts"),
                },
                SECTION,
                ACCENT,
            ),
        ));
        if let Some(w) = progress.weakest {
            commands.spawn((
                ChildOf(next),
                label(format!("Weakest lately: {}", w.label()), DETAIL, TEXT),
            ));
        }
        if let Some(s) = &progress.suggestion {
            commands.spawn((ChildOf(next), label(s.why.clone(), DETAIL - 1.0, MUTED)));
            commands.spawn((
                ChildOf(next),
                button(format!("Try \"{}\"", s.title), TrySuggested(s.scenario_id.clone())),
            ));
        }
    } else {
        commands.spawn((
            ChildOf(right),
            label(
                "Sessions are not being saved, so there is no history to compare with.",
                SMALL,
                MUTED,
            ),
        ));
    }
}
