//! The session HUD: the customer's line as a subtitle, the options as buttons (and
//! number keys 1–5), a text field for typed replies in open mode, and the escalation
//! meter in practice mode. It only reads session messages and writes `ReplyGiven`.
//! This file lays it out; `show` keeps it in step with the session, `input` turns
//! clicks, keys and typing into replies.

mod input;
mod show;

use bevy::input_focus::AutoFocus;
use bevy::prelude::*;
use bevy::text::{EditableText, TextCursorStyle};
use holdspace_core::Mode;
use holdspace_core::engine::events::OfferedReply;

use crate::app::screens::Screen;
use crate::app::session::runner::ActiveSession;
use crate::app::theme::{
    ACCENT, BODY, BUTTON, MUTED, PANEL, SMALL, TEXT, band_color, button, label, overlay_root, text_field_look,
};
use crate::app::{AppSystems, PresentSystems};

/// Practice (meter shown) or assessment (meter hidden), and the mode for new sessions.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayOptions {
    /// Guided or open.
    pub mode: Mode,
    /// Show the escalation meter.
    pub practice: bool,
}

impl Default for PlayOptions {
    fn default() -> Self {
        PlayOptions {
            mode: Mode::Guided,
            practice: true,
        }
    }
}

/// The subtitle text.
#[derive(Component, Debug)]
pub struct Subtitle;

/// The part of the subtitle the customer has not said yet, dimmed until the voice
/// reaches it.
#[derive(Component, Debug)]
pub struct SubtitleRest;

/// Colour of words still to be said: readable, but clearly behind the spoken ones.
const UNSAID: Color = Color::srgba(0.85, 0.86, 0.9, 0.45);

/// The container of option buttons.
#[derive(Component, Debug)]
pub struct OptionList;

/// An option button: its reply id.
#[derive(Component, Debug, Clone)]
pub struct ReplyButton(pub String);

/// The typed-reply field.
#[derive(Component, Debug)]
pub struct ReplyField;

/// The "Say it" button next to the field.
#[derive(Component, Debug)]
pub struct SendButton;

/// The meter's fill bar.
#[derive(Component, Debug)]
pub struct MeterFill;

/// The meter's band label.
#[derive(Component, Debug)]
pub struct MeterLabel;

/// The turn counter and status line.
#[derive(Component, Debug)]
pub struct StatusLine;

/// The options currently on offer, for the number keys.
#[derive(Resource, Debug, Default, Clone)]
pub struct Offered(pub Vec<OfferedReply>);

/// Registers the HUD.
pub fn plugin(app: &mut App) {
    app.init_resource::<PlayOptions>()
        .init_resource::<Offered>()
        .add_systems(OnEnter(Screen::Session), spawn_hud)
        .add_systems(
            Update,
            (
                (input::click_reply, input::press_number, input::submit_typed).in_set(AppSystems::RecordInput),
                (
                    show::show_line,
                    show::show_options,
                    show::show_meter,
                    show::show_status,
                    show::show_refusals,
                )
                    .in_set(PresentSystems::Ui),
            )
                .run_if(in_state(Screen::Session)),
        );
}

/// Builds the HUD for the active session.
pub fn spawn_hud(
    mut commands: Commands,
    active: Res<ActiveSession>,
    options: Res<PlayOptions>,
    mut offered: ResMut<Offered>,
) {
    offered.0.clear();
    let scenario = &active.scenario().scenario;
    let band = active.session().band();
    let root = commands
        .spawn((Name::new("HUD"), DespawnOnExit(Screen::Session), overlay_root()))
        .id();

    // Top bar: who and where, and the meter.
    let top = commands
        .spawn((
            Node {
                width: percent(100.0),
                justify_content: JustifyContent::SpaceBetween,
                align_items: AlignItems::FlexStart,
                ..default()
            },
            ChildOf(root),
        ))
        .id();
    commands.spawn((
        ChildOf(top),
        Node {
            flex_direction: FlexDirection::Column,
            padding: UiRect::axes(px(12.0), px(8.0)),
            border_radius: BorderRadius::all(px(6.0)),
            ..default()
        },
        BackgroundColor(PANEL),
        children![
            label(scenario.title.clone(), BODY, ACCENT),
            (
                StatusLine,
                label(
                    format!(
                        "{} - turn 1 - {} mode",
                        scenario.customer.name,
                        mode_name(active.session().mode())
                    ),
                    SMALL,
                    MUTED
                )
            ),
        ],
    ));
    if options.practice {
        commands.spawn((
            ChildOf(top),
            Name::new("Escalation meter"),
            Node {
                flex_direction: FlexDirection::Column,
                width: px(240.0),
                padding: UiRect::axes(px(12.0), px(8.0)),
                row_gap: px(6.0),
                border_radius: BorderRadius::all(px(6.0)),
                ..default()
            },
            BackgroundColor(PANEL),
            children![
                (MeterLabel, label(format!("Escalation: {}", band.label()), SMALL, TEXT)),
                (
                    Node {
                        width: percent(100.0),
                        height: px(10.0),
                        border_radius: BorderRadius::all(px(5.0)),
                        ..default()
                    },
                    BackgroundColor(BUTTON),
                    children![(
                        MeterFill,
                        Node {
                            width: percent(active.session().escalation() * 100.0),
                            height: percent(100.0),
                            border_radius: BorderRadius::all(px(5.0)),
                            ..default()
                        },
                        BackgroundColor(band_color(band))
                    )],
                ),
            ],
        ));
    }

    // Bottom: subtitle, then options or the text field.
    let bottom = commands
        .spawn((
            Node {
                flex_direction: FlexDirection::Column,
                row_gap: px(10.0),
                width: percent(100.0),
                align_items: AlignItems::Center,
                ..default()
            },
            ChildOf(root),
        ))
        .id();
    commands.spawn((
        ChildOf(bottom),
        Name::new("Subtitle panel"),
        Node {
            width: percent(80.0),
            padding: UiRect::axes(px(18.0), px(12.0)),
            border_radius: BorderRadius::all(px(8.0)),
            ..default()
        },
        BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.72)),
        children![(
            Subtitle,
            label("", BODY + 1.0, TEXT),
            TextLayout::justify(Justify::Center),
            children![(
                SubtitleRest,
                TextSpan::new(""),
                TextFont::from_font_size(BODY + 1.0),
                TextColor(UNSAID)
            )],
        )],
    ));
    match active.session().mode() {
        Mode::Guided => {
            commands.spawn((
                ChildOf(bottom),
                OptionList,
                Node {
                    flex_direction: FlexDirection::Column,
                    row_gap: px(4.0),
                    width: percent(80.0),
                    ..default()
                },
            ));
        }
        Mode::Open => {
            commands.spawn((
                ChildOf(bottom),
                Node {
                    width: percent(80.0),
                    column_gap: px(8.0),
                    align_items: AlignItems::Center,
                    ..default()
                },
                children![
                    (
                        Name::new("Reply field"),
                        ReplyField,
                        EditableText {
                            allow_newlines: false,
                            max_characters: Some(400),
                            ..default()
                        },
                        TextCursorStyle::default(),
                        AutoFocus,
                        Node {
                            flex_grow: 1.0,
                            padding: UiRect::axes(px(10.0), px(8.0)),
                            border: UiRect::all(px(1.0)),
                            border_radius: BorderRadius::all(px(6.0)),
                            ..default()
                        },
                        text_field_look(),
                    ),
                    button("Say it (Enter)", SendButton),
                ],
            ));
        }
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Guided => "guided",
        Mode::Open => "open",
    }
}
