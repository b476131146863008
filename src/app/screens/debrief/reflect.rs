//! The reflection tab: one question at a time, answered by typing (speaking arrives with
//! the microphone). Each answer is appended to the session's journal and the exports are
//! rewritten, so the coach's report carries it.

use bevy::input_focus::AutoFocus;
use bevy::prelude::*;
use bevy::text::{EditableText, TextCursorStyle};
use holdspace_core::engine::record::ReflectionAnswer;

use crate::app::notice::Notice;
use crate::app::screens::debrief::{DETAIL, DebriefSubject, DebriefView, SECTION, ShownDebrief};
use crate::app::session::journal::AppRecords;
use crate::app::theme::{ACCENT, MUTED, PANEL, TEXT, button, label, text_field_look};

/// The answer field.
#[derive(Component, Debug)]
pub struct ReflectionField;

/// "Save answer".
#[derive(Component, Debug)]
pub struct SaveAnswer;

/// "Previous" (-1) or "Next" (+1) question.
#[derive(Component, Debug, Clone, Copy)]
pub struct StepQuestion(pub i32);

/// Spawns the question, any saved answer, the field and the buttons.
pub fn spawn(
    commands: &mut Commands,
    root: Entity,
    shown: &ShownDebrief,
    subject: &DebriefSubject,
    view: &DebriefView,
) {
    let questions = &shown.debrief.reflection;
    let body = commands
        .spawn((
            ChildOf(root),
            Name::new("Reflection"),
            BackgroundColor(PANEL),
            Node {
                flex_direction: FlexDirection::Column,
                width: percent(100.0),
                padding: UiRect::all(px(16.0)),
                row_gap: px(10.0),
                border_radius: BorderRadius::all(px(8.0)),
                ..default()
            },
        ))
        .id();
    let Some(question) = questions.get(view.question) else {
        commands.spawn((
            ChildOf(body),
            label("This scenario has no reflection questions.", DETAIL, MUTED),
        ));
        return;
    };
    let answered = subject.record.reflections.len();
    commands.spawn((
        ChildOf(body),
        label(
            format!(
                "Question {} of {} ({answered} answered)",
                view.question + 1,
                questions.len()
            ),
            DETAIL,
            MUTED,
        ),
    ));
    commands.spawn((ChildOf(body), label(question.clone(), SECTION + 3.0, TEXT)));
    if let Some(a) = subject.record.reflections.iter().find(|a| &a.question == question) {
        commands.spawn((
            ChildOf(body),
            label(format!("Your answer: {}", a.answer), DETAIL, ACCENT),
        ));
    }
    commands.spawn((
        ChildOf(body),
        Name::new("Reflection field"),
        ReflectionField,
        EditableText {
            allow_newlines: false,
            max_characters: Some(1000),
            ..default()
        },
        TextCursorStyle::default(),
        AutoFocus,
        Node {
            width: percent(100.0),
            min_height: px(44.0),
            padding: UiRect::axes(px(10.0), px(10.0)),
            border: UiRect::all(px(1.0)),
            border_radius: BorderRadius::all(px(6.0)),
            ..default()
        },
        text_field_look(),
    ));
    commands.spawn((
        ChildOf(body),
        Node {
            column_gap: px(10.0),
            ..default()
        },
        children![
            button("Save answer (Enter)", SaveAnswer),
            button("Previous", StepQuestion(-1)),
            button("Next", StepQuestion(1))
        ],
    ));
    commands.spawn((
        ChildOf(body),
        label(
            "Answers are kept with this session and appear in the report your coach can open.",
            DETAIL - 1.0,
            MUTED,
        ),
    ));
}

/// Saves the typed answer to the journal, refreshes the exports and moves on.
pub fn save_answer(
    keys: Res<ButtonInput<KeyCode>>,
    save: Query<&Interaction, (Changed<Interaction>, With<SaveAnswer>)>,
    mut fields: Query<&mut EditableText, With<ReflectionField>>,
    mut subject: Option<ResMut<DebriefSubject>>,
    shown: Option<Res<ShownDebrief>>,
    records: Option<Res<AppRecords>>,
    mut view: ResMut<DebriefView>,
    mut notices: MessageWriter<Notice>,
) {
    let clicked = save.iter().any(|i| *i == Interaction::Pressed);
    if !(clicked || keys.just_pressed(KeyCode::Enter)) {
        return;
    }
    let (Some(subject), Some(shown)) = (subject.as_mut(), shown) else {
        return;
    };
    let Some(question) = shown.debrief.reflection.get(view.question).cloned() else {
        return;
    };
    for mut field in &mut fields {
        if field.is_composing() {
            continue;
        }
        let text = field.value().to_string();
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let answer = ReflectionAnswer {
            question: question.clone(),
            answer: text.to_owned(),
        };
        let saved = match (records.as_ref().and_then(|r| r.0.as_ref()), &subject.session_id) {
            (Some(records), Some(id)) => records
                .store
                .session(&records.profile, id)
                .and_then(|s| records.store.append_reflection(&s, answer.clone()))
                .and_then(|()| records.finish(id, Some(&subject.scenario)).map(|_| ())),
            _ => {
                notices.write(Notice::error(
                    "Sessions are not being saved: this answer is kept until you leave.",
                ));
                Ok(())
            }
        };
        if let Err(e) = saved {
            notices.write(Notice::error(format!("The answer could not be saved: {e}")));
            continue;
        }
        subject.record.reflections.retain(|a| a.question != question);
        subject.record.reflections.push(answer);
        field.clear();
        notices.write(Notice::info("Answer saved."));
        if view.question + 1 < shown.debrief.reflection.len() {
            view.question += 1;
        } else {
            // Same question: rebuild to show the saved answer.
            view.set_changed();
        }
    }
}

/// Moves between questions.
pub fn step_question(
    steps: Query<(&Interaction, &StepQuestion), Changed<Interaction>>,
    shown: Option<Res<ShownDebrief>>,
    mut view: ResMut<DebriefView>,
) {
    let Some(shown) = shown else { return };
    let n = shown.debrief.reflection.len() as i32;
    for (interaction, StepQuestion(d)) in &steps {
        if *interaction == Interaction::Pressed && n > 0 {
            let q = (view.question as i32 + d).clamp(0, n - 1) as usize;
            if q != view.question {
                view.question = q;
            }
        }
    }
}
