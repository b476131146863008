//! The HUD follows the session: the subtitle (the words said so far, then the rest), the
//! options on offer, the escalation meter, the status line and refused replies.

use bevy::prelude::*;
use holdspace_core::Mode;

use super::{MeterFill, MeterLabel, Offered, OptionList, ReplyButton, StatusLine, Subtitle, SubtitleRest, mode_name};
use crate::app::customer::voice::{VoiceOutput, VoiceProgress};
use crate::app::notice::Notice;
use crate::app::session::runner::{
    ActiveSession, CustomerSpoke, EscalationChanged, OptionsOffered, ReplyInterpreted, ReplyRefused, SessionEnded,
};
use crate::app::theme::{band_color, button};

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
