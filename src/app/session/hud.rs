//! The session HUD: the customer's line as a subtitle, the options as buttons (and
//! number keys 1–5), a text field for typed replies in open mode, and the escalation
//! meter in practice mode. It only reads session messages and writes `ReplyGiven`.

use bevy::input_focus::{AutoFocus, InputFocus};
use bevy::prelude::*;
use bevy::text::{EditableText, TextCursorStyle};
use holdspace_core::engine::events::OfferedReply;
use holdspace_core::{Mode, TurnInput};

use crate::app::customer::voice::{VoiceOutput, VoiceProgress};
use crate::app::notice::Notice;
use crate::app::screens::Screen;
use crate::app::session::runner::{
    ActiveSession, CustomerSpoke, EscalationChanged, OptionsOffered, ReplyInterpreted, ReplyRefused, SessionEnded,
};
use crate::app::theme::{
    ACCENT, BODY, BUTTON, MUTED, PANEL, SMALL, TEXT, band_color, button, label, overlay_root, text_field_look,
};
use crate::app::trainee::reply::ReplyGiven;
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
                (click_reply, press_number, submit_typed).in_set(AppSystems::RecordInput),
                (show_line, show_options, show_meter, show_status, show_refusals).in_set(PresentSystems::Ui),
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

/// Shows the customer's latest line: in full at once when there is no voice, otherwise
/// word by word as the voice says it (the words ahead stay visible, dimmed).
pub fn show_line(
    mut spoke: MessageReader<CustomerSpoke>,
    active: Res<ActiveSession>,
    progress: Option<Res<VoiceProgress>>,
    voice: Option<Res<VoiceOutput>>,
    mut said: Query<&mut Text, With<Subtitle>>,
    mut rest: Query<&mut TextSpan, With<SubtitleRest>>,
) {
    let name = &active.scenario().scenario.customer.name;
    let mut set = |now: &str, ahead: &str| {
        let close = if ahead.is_empty() { "\"" } else { "" };
        for mut text in &mut said {
            text.0 = format!("{name}: \"{now}{close}");
        }
        for mut span in &mut rest {
            span.0 = if ahead.is_empty() {
                String::new()
            } else {
                format!("{ahead}\"")
            };
        }
    };
    match (progress, voice) {
        (Some(progress), Some(_)) => {
            spoke.clear();
            if progress.is_changed() && progress.line_id.is_some() {
                set(&progress.said, &progress.rest);
            }
        }
        _ => {
            for CustomerSpoke(line) in spoke.read() {
                set(&line.text, "");
            }
        }
    }
}

/// Replaces the option buttons with what is on offer now.
pub fn show_options(
    mut commands: Commands,
    mut offers: MessageReader<OptionsOffered>,
    mut ended: MessageReader<SessionEnded>,
    list: Query<Entity, With<OptionList>>,
    mut offered: ResMut<Offered>,
) {
    // Once the conversation is over there is nothing left to say: the last step's
    // options go, so none can be clicked (the engine would refuse it).
    if ended.read().last().is_some() {
        offered.0.clear();
        for list in &list {
            commands.entity(list).despawn_children();
        }
        offers.clear();
        return;
    }
    let Some(OptionsOffered(options)) = offers.read().last() else {
        return;
    };
    offered.0 = options.clone();
    for list in &list {
        commands.entity(list).despawn_children();
        for (i, option) in options.iter().enumerate() {
            commands.spawn((
                ChildOf(list),
                button(format!("{}. {}", i + 1, option.text), ReplyButton(option.id.clone())),
            ));
        }
    }
}

/// Moves the meter with the engine's escalation.
pub fn show_meter(
    mut changes: MessageReader<EscalationChanged>,
    mut fill: Query<(&mut Node, &mut BackgroundColor), With<MeterFill>>,
    mut text: Query<&mut Text, With<MeterLabel>>,
) {
    let Some(EscalationChanged(change)) = changes.read().last() else {
        return;
    };
    for (mut node, mut color) in &mut fill {
        node.width = percent(change.to * 100.0);
        color.0 = band_color(change.band_to);
    }
    for mut t in &mut text {
        t.0 = format!("Escalation: {}", change.band_to.label());
    }
}

/// Keeps the turn counter current and says when the conversation is over.
pub fn show_status(
    active: Res<ActiveSession>,
    mut ended: MessageReader<SessionEnded>,
    mut status: Query<&mut Text, With<StatusLine>>,
) {
    let ended_now = ended.read().last().cloned();
    if !active.is_changed() && ended_now.is_none() {
        return;
    }
    let scenario = &active.scenario().scenario;
    for mut text in &mut status {
        text.0 = match &ended_now {
            Some(end) => format!("{} - conversation over: {}", scenario.customer.name, end.title),
            None => format!(
                "{} - turn {} - {} mode",
                scenario.customer.name,
                active.session().turn() + 1,
                mode_name(active.session().mode())
            ),
        };
    }
}

/// Tells the trainee when a reply could not be used, or matched nothing.
pub fn show_refusals(
    mut refused: MessageReader<ReplyRefused>,
    mut interpreted: MessageReader<ReplyInterpreted>,
    mut notices: MessageWriter<Notice>,
    active: Res<ActiveSession>,
) {
    for ReplyRefused(why) in refused.read() {
        notices.write(Notice::error(format!("That reply could not be used: {why}.")));
    }
    for r in interpreted.read() {
        if r.reply.is_none() && active.session().mode() == Mode::Open && !r.analysis.intents.is_empty() {
            let heard: Vec<&str> = r.analysis.intents.iter().map(|i| i.label()).collect();
            notices.write(Notice::info(format!(
                "Heard as {}; it did not move the conversation on.",
                heard.join(", ")
            )));
        }
    }
}

/// A click on an option button.
pub fn click_reply(
    buttons: Query<(&Interaction, &ReplyButton), Changed<Interaction>>,
    mut replies: MessageWriter<ReplyGiven>,
) {
    for (interaction, ReplyButton(id)) in &buttons {
        if *interaction == Interaction::Pressed {
            replies.write(ReplyGiven(TurnInput::choose(id.clone())));
        }
    }
}

/// Number keys 1–5 choose options (not while typing in a text field).
pub fn press_number(
    keys: Res<ButtonInput<KeyCode>>,
    offered: Res<Offered>,
    focus: Res<InputFocus>,
    fields: Query<(), With<EditableText>>,
    mut replies: MessageWriter<ReplyGiven>,
) {
    if focus.get().is_some_and(|e| fields.contains(e)) {
        return;
    }
    const KEYS: [(KeyCode, KeyCode); 5] = [
        (KeyCode::Digit1, KeyCode::Numpad1),
        (KeyCode::Digit2, KeyCode::Numpad2),
        (KeyCode::Digit3, KeyCode::Numpad3),
        (KeyCode::Digit4, KeyCode::Numpad4),
        (KeyCode::Digit5, KeyCode::Numpad5),
    ];
    for (i, (digit, numpad)) in KEYS.iter().enumerate() {
        if (keys.just_pressed(*digit) || keys.just_pressed(*numpad))
            && let Some(option) = offered.0.get(i)
        {
            replies.write(ReplyGiven(TurnInput::choose(option.id.clone())));
        }
    }
}

/// Enter in the field, or the "Say it" button, sends the typed reply.
pub fn submit_typed(
    keys: Res<ButtonInput<KeyCode>>,
    send: Query<&Interaction, (Changed<Interaction>, With<SendButton>)>,
    mut fields: Query<&mut EditableText, With<ReplyField>>,
    mut replies: MessageWriter<ReplyGiven>,
) {
    let clicked = send.iter().any(|i| *i == Interaction::Pressed);
    if !(clicked || keys.just_pressed(KeyCode::Enter)) {
        return;
    }
    for mut field in &mut fields {
        if field.is_composing() {
            continue;
        }
        let text = field.value().to_string();
        if !text.trim().is_empty() {
            replies.write(ReplyGiven(TurnInput::say(text.trim())));
            field.clear();
        }
    }
}
