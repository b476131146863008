//! Session records from the app: opens a journal when a session starts, lets the runner
//! append each turn (synced to disk before the customer answers on screen), closes and
//! exports it when the conversation ends, and sends queued statements to the LRS in the
//! background. Problems become notices; the session always goes on.

use crate::records::{Records, RecordsArgs};
use bevy::prelude::*;

use crate::app::AppSystems;
use crate::app::notice::Notice;
use crate::app::session::runner::{ActiveSession, JournalState, SessionEnded, TurnTaken, TurnTakenBack, drive_session};

/// The records folders and profile the command line chose.
#[derive(Resource, Debug, Clone, Default)]
pub struct RecordsSettings(pub RecordsArgs);

/// The records folder for this run's profile (`None`: records are off, and the trainee was told why).
#[derive(Resource, Debug, Clone)]
pub struct AppRecords(pub Option<Records>);

/// Why records are off or partly off, told to the trainee once the UI is up.
#[derive(Resource, Debug, Clone, Default)]
pub struct RecordsProblems(pub Vec<String>);

/// Registers journaling. The records open while the app is built, so every screen
/// (the first included) can use them.
pub fn plugin(app: &mut App) {
    let settings = app
        .world()
        .get_resource::<RecordsSettings>()
        .cloned()
        .unwrap_or_default();
    let (records, problems) = match Records::open(&settings.0) {
        Ok(r) => {
            info!(
                "recording sessions for profile \"{}\" in {}",
                r.profile,
                r.store.locations().data.display()
            );
            let warnings = r.warnings.clone();
            (Some(r), warnings)
        }
        Err(e) => (None, vec![format!("Sessions will not be saved: {e:#}")]),
    };
    app.insert_resource(AppRecords(records))
        .insert_resource(RecordsProblems(problems));
    app.add_systems(Startup, announce_records).add_systems(
        Update,
        (
            open_journal
                .in_set(AppSystems::Drive)
                .before(drive_session)
                .run_if(resource_exists::<ActiveSession>),
            write_turns
                .in_set(AppSystems::Drive)
                .after(drive_session)
                .run_if(resource_exists::<ActiveSession>),
            close_journal
                .in_set(AppSystems::Present)
                .run_if(resource_exists::<ActiveSession>),
        ),
    );
}

/// Tells the trainee about records problems and sends anything left in the LRS queue.
pub fn announce_records(records: Res<AppRecords>, problems: Res<RecordsProblems>, mut notices: MessageWriter<Notice>) {
    for p in &problems.0 {
        notices.write(Notice::error(p.clone()));
    }
    if let Some(r) = &records.0 {
        r.sync_in_background();
    }
}

/// Starts the journal of a new (or retried) session.
pub fn open_journal(
    mut active: ResMut<ActiveSession>,
    records: Option<Res<AppRecords>>,
    mut notices: MessageWriter<Notice>,
) {
    if !matches!(active.journal, JournalState::NotStarted) {
        return;
    }
    let Some(records) = records.as_ref().and_then(|r| r.0.as_ref()) else {
        active.journal = JournalState::Off;
        return;
    };
    let record = active.session().record();
    active.journal = match records.begin(&record, "app", active.retried_from.clone()) {
        Ok(writer) => {
            info!("journal {}", writer.path().display());
            JournalState::Open(writer)
        }
        Err(e) => {
            notices.write(Notice::error(format!("This session will not be saved: {e}")));
            JournalState::Off
        }
    };
}

/// Appends each turn the engine took to the journal, in the frame it was taken (before
/// anything shows it), so a crash keeps every turn the trainee saw.
/// A turn taken back is marked so too (its line stays: the journal keeps what was said).
pub fn write_turns(
    mut taken: MessageReader<TurnTaken>,
    mut taken_back: MessageReader<TurnTakenBack>,
    mut active: ResMut<ActiveSession>,
    mut notices: MessageWriter<Notice>,
) {
    if taken.is_empty() && taken_back.is_empty() {
        return;
    }
    let JournalState::Open(writer) = &mut active.journal else {
        taken.clear();
        taken_back.clear();
        return;
    };
    // The runner takes back before it takes the reply meant instead, and the journal
    // must keep that order.
    for TurnTakenBack { turn, .. } in taken_back.read() {
        if let Err(e) = writer.taken_back(turn.turn) {
            notices.write(Notice::error(format!("Taking that turn back could not be saved: {e}")));
        }
    }
    for TurnTaken { turn, events } in taken.read() {
        if let Err(e) = writer.turn(turn, events) {
            notices.write(Notice::error(format!("This turn could not be saved: {e}")));
        }
    }
}

/// Ends and exports the journal when the conversation is over.
pub fn close_journal(
    mut ended: MessageReader<SessionEnded>,
    mut active: ResMut<ActiveSession>,
    records: Option<Res<AppRecords>>,
    mut notices: MessageWriter<Notice>,
) {
    if ended.read().last().is_none() {
        return;
    }
    let active = &mut *active;
    let outcome = active.session().outcome().cloned();
    let JournalState::Open(writer) = &mut active.journal else {
        return;
    };
    let id = writer.meta().session_id.clone();
    if let Err(e) = writer.end(outcome.as_ref()) {
        notices.write(Notice::error(format!(
            "The end of this session could not be saved: {e}"
        )));
        return;
    }
    active.journal = JournalState::Closed(id.clone());
    if let Some(records) = records.as_ref().and_then(|r| r.0.as_ref()) {
        match records.finish(&id, Some(active.session().scenario())) {
            Ok(out) => info!(
                "session saved: {}",
                out.record.parent().unwrap_or(&out.record).display()
            ),
            Err(e) => {
                notices.write(Notice::error(format!("The session was saved but not exported: {e}")));
            }
        }
    }
}
