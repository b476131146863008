//! The HUD's ways of replying: clicking an option, its number key, or typing in open
//! mode; each becomes a `ReplyGiven`.

use bevy::input_focus::InputFocus;
use bevy::prelude::*;
use bevy::text::EditableText;
use holdspace_core::TurnInput;

use super::{Offered, ReplyButton, ReplyField, SendButton};
use crate::app::trainee::reply::ReplyGiven;

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
