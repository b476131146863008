//! The listening indicator: what the microphone is doing, the words heard, how to take
//! the last reply back while that is still possible, and the latest practice tip, under
//! the scenario's title.

use std::time::Instant;

use bevy::prelude::*;

use super::{Listen, ListenState, SpeechInput};
use crate::app::screens::Screen;
use crate::app::theme::{ACCENT, MUTED, PANEL, SMALL, TEXT, label};
use crate::app::trainee::correction::CorrectionWindow;

/// The speech indicator's text.
#[derive(Component, Debug)]
pub struct SpeechIndicator;

/// Spawns the indicator at the top left, under the scenario's title (the bottom of the
/// screen belongs to the subtitle and the options).
pub(super) fn spawn_indicator(mut commands: Commands) {
    commands.spawn((
        Name::new("Speech indicator"),
        DespawnOnExit(Screen::Session),
        Node {
            position_type: PositionType::Absolute,
            left: px(16.0),
            top: px(84.0),
            max_width: px(420.0),
            padding: UiRect::axes(px(12.0), px(8.0)),
            border_radius: BorderRadius::all(px(6.0)),
            ..default()
        },
        BackgroundColor(PANEL),
        children![(SpeechIndicator, label("", SMALL, MUTED))],
    ));
}

/// Keeps the indicator's words and colour in step with the listener.
pub(super) fn show_indicator(
    speech: Option<ResMut<SpeechInput>>,
    window: Option<Res<CorrectionWindow>>,
    mut text: Query<(&mut Text, &mut TextColor), With<SpeechIndicator>>,
) {
    let Some(mut speech) = speech else {
        for (mut t, _) in &mut text {
            if t.0.is_empty() {
                t.0 = "No voice input: click or type your replies".to_owned();
            }
        }
        return;
    };
    if speech.tip.as_ref().is_some_and(|(_, until)| Instant::now() >= *until) {
        speech.tip = None;
    }
    let talk = match speech.mode {
        Listen::PushToTalk => "Hold Ctrl and speak",
        _ => "Listening: just speak",
    };
    let (words, colour) = match &speech.state {
        ListenState::Off => ("Voice input off".to_owned(), MUTED),
        ListenState::Ready if !speech.awaiting => (format!("Mic on. {talk} when it's your turn"), MUTED),
        ListenState::Ready | ListenState::NotCaught => (format!("Mic on. {talk}"), TEXT),
        ListenState::Hearing => ("Hearing you...".to_owned(), ACCENT),
        ListenState::Recognising => ("Working out what you said...".to_owned(), ACCENT),
        ListenState::Echo { text, .. } => (format!("You said: \"{text}\"  (Esc to drop it)"), ACCENT),
    };
    let (words, colour) = match window.as_deref() {
        Some(w) if w.is_open() && matches!(speech.state, ListenState::Ready) && !w.text.is_empty() => (
            format!("Sent: \"{}\"\nEsc, or \"no, sorry, I meant...\", takes it back", w.text),
            ACCENT,
        ),
        _ => (words, colour),
    };
    let words = match &speech.tip {
        Some((tip, _)) if matches!(speech.state, ListenState::Ready | ListenState::NotCaught) => {
            format!("{words}\n{tip}")
        }
        _ => words,
    };
    for (mut t, mut c) in &mut text {
        if t.0 != words {
            t.0 = words.clone();
        }
        if c.0 != colour {
            c.0 = colour;
        }
    }
}
