//! On the select screen, a session a crash cut short is offered for debrief: everything
//! said before the crash was journaled, so nothing is lost, and the trainee decides
//! whether to look at it now or put it away (it stays in their records either way).

use bevy::prelude::*;

use crate::app::AppSystems;
use crate::app::library::ScenarioLibrary;
use crate::app::notice::Notice;
use crate::app::screens::Screen;
use crate::app::screens::debrief::DebriefSubject;
use crate::app::session::journal::AppRecords;
use crate::app::theme::{ACCENT, BODY, PANEL, SMALL, TEXT, button, label};

/// The offer banner.
#[derive(Component, Debug)]
pub struct InterruptedOffer;

/// "Open its debrief".
#[derive(Component, Debug)]
pub struct OpenInterrupted;

/// "Put it away".
#[derive(Component, Debug)]
pub struct DismissInterrupted;

/// Registers the offer.
pub fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::ScenarioSelect), offer_interrupted)
        .add_systems(
            Update,
            answer_offer
                .in_set(AppSystems::RecordInput)
                .run_if(in_state(Screen::ScenarioSelect)),
        );
}

/// Shows the banner when the latest session of this profile was cut short.
pub fn offer_interrupted(mut commands: Commands, records: Res<AppRecords>) {
    let Some(records) = &records.0 else { return };
    let interrupted = records.interrupted();
    let Some(latest) = interrupted.first() else {
        return;
    };
    let turns = latest.record().turns.len();
    info!("offering interrupted session {} ({turns} turns)", latest.id);
    let more = match interrupted.len() {
        1 => String::new(),
        n => format!(" ({} more are in your records.)", n - 1),
    };
    commands.spawn((
        Name::new("Interrupted session offer"),
        InterruptedOffer,
        DespawnOnExit(Screen::ScenarioSelect),
        Node {
            position_type: PositionType::Absolute,
            right: px(24.0),
            bottom: px(24.0),
            width: px(420.0),
            flex_direction: FlexDirection::Column,
            padding: UiRect::all(px(14.0)),
            row_gap: px(8.0),
            border: UiRect::all(px(2.0)),
            border_radius: BorderRadius::all(px(8.0)),
            ..default()
        },
        BackgroundColor(PANEL),
        BorderColor::all(ACCENT),
        GlobalZIndex(10),
        children![
            label("Your last session was cut short", BODY, ACCENT),
            label(
                format!(
                    "\u{201c}{}\u{201d} stopped after {turns} turn{}. Everything said until then was kept.{more}",
                    latest.record().scenario_title,
                    if turns == 1 { "" } else { "s" }
                ),
                SMALL,
                TEXT
            ),
            (
                Node {
                    column_gap: px(8.0),
                    ..default()
                },
                children![
                    button("Open its debrief", OpenInterrupted),
                    button("Put it away", DismissInterrupted)
                ]
            )
        ],
    ));
}

/// Opens the debrief, or closes the interrupted journals (they stay in the records).
pub fn answer_offer(
    mut commands: Commands,
    open: Query<&Interaction, (Changed<Interaction>, With<OpenInterrupted>)>,
    dismiss: Query<&Interaction, (Changed<Interaction>, With<DismissInterrupted>)>,
    offers: Query<Entity, With<InterruptedOffer>>,
    records: Res<AppRecords>,
    library: Res<ScenarioLibrary>,
    mut notices: MessageWriter<Notice>,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(records) = &records.0 else { return };
    if open.iter().any(|i| *i == Interaction::Pressed) {
        match DebriefSubject::recorded(records, "interrupted", &library) {
            Ok(subject) => {
                commands.insert_resource(subject);
                next.set(Screen::Debrief);
            }
            Err(e) => {
                notices.write(Notice::error(format!("Cannot open it: {e}")));
            }
        }
    }
    if dismiss.iter().any(|i| *i == Interaction::Pressed) {
        for s in records.interrupted() {
            if let Err(e) = records.store.close_interrupted(&s) {
                notices.write(Notice::error(format!("Could not put {} away: {e}", s.id)));
            }
        }
        for e in &offers {
            commands.entity(e).despawn();
        }
    }
}
