//! The debrief screen: the outcome in plain words at the top, then four tabs: what
//! happened (the escalation and trust curves, each turn clickable for what was said, how,
//! why the customer moved and a better move, with "retry from this turn"), the hidden
//! need and its cues, how you spoke against your earlier attempts with progress per skill
//! and a suggested next scenario, and reflection questions answered by typing.

mod chart;
mod panels;
mod reflect;

use std::sync::Arc;

use bevy::prelude::*;
use holdspace_core::debrief::skills::{Attempt, Progress, SkillScores};
use holdspace_core::scenario::model::OutcomeKind;
use holdspace_core::{Debrief, LoadedScenario, SessionRecord};

use crate::app::library::ScenarioLibrary;
use crate::app::notice::Notice;
use crate::app::screens::Screen;
use crate::app::session::journal::AppRecords;
use crate::app::session::runner::ActiveSession;
use crate::app::theme::{
    ACCENT, BACKGROUND, BODY, BUTTON, BUTTON_SELECTED, ERROR, HEADING, MUTED, PANEL, SMALL, Selected, TEXT, button,
    label,
};
use crate::app::{AppSystems, PresentSystems};
use crate::records::Records;

pub use chart::ChartPoint;
pub use reflect::{ReflectionField, SaveAnswer};

/// The session the debrief is about: the one just played, or one recovered from disk.
#[derive(Resource, Debug, Clone)]
pub struct DebriefSubject {
    /// Its scenario.
    pub scenario: Arc<LoadedScenario>,
    /// What happened.
    pub record: SessionRecord,
    /// Its saved session, when it was recorded.
    pub session_id: Option<String>,
    /// A crash cut it short.
    pub interrupted: bool,
}

impl DebriefSubject {
    /// The debrief subject for a recorded session: `"interrupted"` takes the latest session a
    /// crash cut short (closing its journal, keeping every turn, and exporting it), anything
    /// else is a session id or `"latest"`.
    pub fn recorded(records: &Records, which: &str, library: &ScenarioLibrary) -> Result<DebriefSubject, String> {
        let session = if which == "interrupted" {
            let found = records
                .interrupted()
                .into_iter()
                .next()
                .ok_or_else(|| "there is no interrupted session".to_owned())?;
            records.store.close_interrupted(&found).map_err(|e| e.to_string())?;
            found
        } else {
            records
                .store
                .session(&records.profile, which)
                .map_err(|e| e.to_string())?
        };
        let id = &session.record().scenario_id;
        let scenario = library
            .find(id)
            .ok_or_else(|| format!("scenario \"{id}\" is not in {}", library.dir.display()))?;
        if which == "interrupted"
            && let Err(e) = records.finish(&session.id, Some(&scenario))
        {
            warn!("interrupted session {} kept but not exported: {e}", session.id);
        }
        info!(
            "debrief opened for {} session {} ({} turns)",
            if which == "interrupted" {
                "interrupted"
            } else {
                "recorded"
            },
            session.id,
            session.record().turns.len()
        );
        Ok(DebriefSubject {
            scenario,
            record: session.record().clone(),
            session_id: Some(session.id.clone()),
            interrupted: session.record().outcome.is_none(),
        })
    }

    /// The session that just ended.
    pub fn of(active: &ActiveSession) -> DebriefSubject {
        DebriefSubject {
            scenario: active.scenario().clone(),
            record: active.session().record(),
            session_id: active.session_id().map(str::to_owned),
            interrupted: false,
        }
    }
}

/// What the screen shows, computed once when it opens.
#[derive(Resource, Debug, Clone)]
pub struct ShownDebrief {
    /// The debrief.
    pub debrief: Debrief,
    /// This attempt's skills.
    pub skills: SkillScores,
    /// The trainee's earlier attempts (for comparisons).
    pub earlier: Vec<Attempt>,
    /// Progress across all attempts, this one included.
    pub progress: Option<Progress>,
}

/// The debrief's tabs, in order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Tab {
    /// Curves and turns.
    #[default]
    WhatHappened,
    /// The hidden need and the cues.
    HiddenNeed,
    /// Delivery, skills, progress.
    HowYouSpoke,
    /// Reflection questions.
    Reflect,
}

/// The tab the debrief opens on (a headless run's stand-in for clicking a tab).
#[derive(Resource, Debug, Clone, Copy, Default)]
pub struct DebriefSettings {
    /// The tab that opens first.
    pub first_tab: Tab,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::WhatHappened, Tab::HiddenNeed, Tab::HowYouSpoke, Tab::Reflect];

    fn title(self) -> &'static str {
        match self {
            Tab::WhatHappened => "What happened",
            Tab::HiddenNeed => "The hidden need",
            Tab::HowYouSpoke => "How you spoke",
            Tab::Reflect => "Reflect",
        }
    }
}

/// Which tab and turn are showing.
#[derive(Resource, Debug, Clone, Default)]
pub struct DebriefView {
    /// The tab.
    pub tab: Tab,
    /// The turn whose detail shows (None: the start).
    pub selected: Option<u32>,
    /// The reflection question showing.
    pub question: usize,
}

/// A tab button.
#[derive(Component, Debug, Clone, Copy)]
pub struct TabButton(pub Tab);

/// The area the tab's content goes in.
#[derive(Component, Debug)]
pub struct DebriefContent;

/// "Try again" from the start with the same seed.
#[derive(Component, Debug)]
pub struct RetryButton;

/// "Retry from this turn".
#[derive(Component, Debug, Clone, Copy)]
pub struct RetryFromTurn(pub u32);

/// "Replay from the customer's seat".
#[derive(Component, Debug)]
pub struct ReplayButton;

/// Back to the scenario list.
#[derive(Component, Debug)]
pub struct ChooseAnotherButton;

/// Start the suggested scenario.
#[derive(Component, Debug, Clone)]
pub struct TrySuggested(pub String);

/// Registers the debrief screen.
pub fn plugin(app: &mut App) {
    app.init_resource::<DebriefSettings>()
        .init_resource::<DebriefView>()
        .add_systems(OnEnter(Screen::Debrief), (prepare_debrief, spawn_debrief).chain())
        .add_systems(
            Update,
            (
                (
                    tab_buttons,
                    chart::select_point,
                    action_buttons,
                    reflect::save_answer,
                    reflect::step_question,
                )
                    .in_set(AppSystems::RecordInput),
                (rebuild_content, paint_tabs).chain().in_set(PresentSystems::Ui),
            )
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

/// A rounded panel laid out as a column.
pub(super) fn panel() -> impl Bundle {
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

/// Builds the debrief data from the subject and the trainee's history.
pub fn prepare_debrief(
    mut commands: Commands,
    subject: Option<Res<DebriefSubject>>,
    active: Option<Res<ActiveSession>>,
    records: Option<Res<AppRecords>>,
    library: Option<Res<ScenarioLibrary>>,
    settings: Res<DebriefSettings>,
    mut view: ResMut<DebriefView>,
) {
    // A session that just ended is the subject unless a recovered one was chosen.
    let subject = match (subject, active) {
        (Some(s), _) => s.clone(),
        (None, Some(a)) => DebriefSubject::of(&a),
        (None, None) => return,
    };
    let debrief = Debrief::build(&subject.scenario, &subject.record);
    let skills = SkillScores::of(&subject.record);
    let records = records.as_ref().and_then(|r| r.0.as_ref());
    let all = records
        .and_then(|r| holdspace_records::history::attempts(&r.store, &r.profile).ok())
        .unwrap_or_default();
    let earlier: Vec<Attempt> = all
        .iter()
        .filter(|a| Some(&a.session_id) != subject.session_id.as_ref())
        .filter(|a| {
            subject
                .session_id
                .as_ref()
                .is_none_or(|id| a.session_id.as_str() < id.as_str())
        })
        .cloned()
        .collect();
    let catalogue: Vec<_> = library
        .map(|l| {
            l.entries
                .iter()
                .filter_map(|e| match &e.status {
                    crate::app::library::EntryStatus::Ready(s) => Some(crate::records::info(s)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let progress = records.map(|_| Progress::build(all, &catalogue));
    *view = DebriefView {
        tab: settings.first_tab,
        selected: debrief
            .turning_points
            .first()
            .map(|t| t.turn)
            .or_else(|| debrief.turns.last().map(|t| t.turn)),
        question: 0,
    };
    commands.insert_resource(subject);
    commands.insert_resource(ShownDebrief {
        debrief,
        skills,
        earlier,
        progress,
    });
}

/// Lays out the header, the tab bar and the content area.
pub fn spawn_debrief(mut commands: Commands, shown: Option<Res<ShownDebrief>>, subject: Option<Res<DebriefSubject>>) {
    let (Some(shown), Some(subject)) = (shown, subject) else {
        return;
    };
    let d = &shown.debrief;
    let kind = d.outcome.as_ref().map(|o| o.kind);
    let root = commands
        .spawn((
            Name::new("Debrief screen"),
            DespawnOnExit(Screen::Debrief),
            Node {
                width: percent(100.0),
                height: percent(100.0),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(px(18.0)),
                row_gap: px(10.0),
                ..default()
            },
            BackgroundColor(BACKGROUND),
        ))
        .id();
    let outcome_text = match (&d.outcome, subject.interrupted) {
        (Some(o), _) => o.debrief.clone(),
        (None, true) => format!(
            "The app stopped after {} turn{}; everything said until then was kept. Here is what it shows.",
            subject.record.turns.len(),
            if subject.record.turns.len() == 1 { "" } else { "s" }
        ),
        (None, false) => "The conversation was not finished.".to_owned(),
    };
    let header = commands
        .spawn((
            ChildOf(root),
            panel(),
            Name::new("Outcome"),
            children![
                label(
                    format!("{} · {}", d.title, d.headline()),
                    HEADING - 2.0,
                    outcome_color(kind)
                ),
                label(outcome_text, SMALL + 1.0, TEXT)
            ],
        ))
        .id();
    let _ = header;
    let bar = commands
        .spawn((
            ChildOf(root),
            Node {
                column_gap: px(8.0),
                align_items: AlignItems::Center,
                ..default()
            },
        ))
        .id();
    for tab in Tab::ALL {
        commands.spawn((ChildOf(bar), button(tab.title(), TabButton(tab))));
    }
    commands.spawn((
        ChildOf(bar),
        Node {
            flex_grow: 1.0,
            ..default()
        },
    ));
    let name = d.customer.split_whitespace().next().unwrap_or(&d.customer).to_owned();
    commands.spawn((ChildOf(bar), button("Try again", RetryButton)));
    commands.spawn((ChildOf(bar), button(format!("Replay from {name}'s seat"), ReplayButton)));
    commands.spawn((ChildOf(bar), button("Choose another", ChooseAnotherButton)));
    commands.spawn((
        ChildOf(root),
        DebriefContent,
        Name::new("Debrief content"),
        Node {
            flex_grow: 1.0,
            column_gap: px(14.0),
            ..default()
        },
    ));
}

/// Rebuilds the tab's content when the tab, the selected turn or the question changes.
pub fn rebuild_content(
    mut commands: Commands,
    view: Res<DebriefView>,
    shown: Option<Res<ShownDebrief>>,
    subject: Option<Res<DebriefSubject>>,
    content: Query<Entity, With<DebriefContent>>,
    added: Query<(), Added<DebriefContent>>,
) {
    let (Some(shown), Some(subject)) = (shown, subject) else {
        return;
    };
    if !view.is_changed() && added.is_empty() {
        return;
    }
    for root in &content {
        commands.entity(root).despawn_children();
        match view.tab {
            Tab::WhatHappened => panels::what_happened(&mut commands, root, &shown, &view),
            Tab::HiddenNeed => panels::hidden_need(&mut commands, root, &shown),
            Tab::HowYouSpoke => panels::how_you_spoke(&mut commands, root, &shown),
            Tab::Reflect => reflect::spawn(&mut commands, root, &shown, &subject, &view),
        }
    }
}

fn tab_buttons(tabs: Query<(&Interaction, &TabButton), Changed<Interaction>>, mut view: ResMut<DebriefView>) {
    for (interaction, TabButton(tab)) in &tabs {
        if *interaction == Interaction::Pressed && view.tab != *tab {
            view.tab = *tab;
        }
    }
}

/// Shows which tab is open.
fn paint_tabs(
    mut commands: Commands,
    view: Res<DebriefView>,
    mut tabs: Query<(Entity, &TabButton, &mut BackgroundColor, Option<&Selected>)>,
) {
    for (entity, TabButton(tab), mut bg, selected) in &mut tabs {
        let on = *tab == view.tab;
        if on && selected.is_none() {
            commands.entity(entity).insert(Selected);
        } else if !on && selected.is_some() {
            commands.entity(entity).remove::<Selected>();
        }
        if on {
            bg.0 = BUTTON_SELECTED;
        } else if selected.is_some() {
            bg.0 = BUTTON;
        }
    }
}

/// Try again, retry from a turn, replay, choose another, try the suggested scenario.
pub fn action_buttons(
    mut commands: Commands,
    retry: Query<&Interaction, (Changed<Interaction>, With<RetryButton>)>,
    from_turn: Query<(&Interaction, &RetryFromTurn), Changed<Interaction>>,
    replay: Query<&Interaction, (Changed<Interaction>, With<ReplayButton>)>,
    another: Query<&Interaction, (Changed<Interaction>, With<ChooseAnotherButton>)>,
    suggested: Query<(&Interaction, &TrySuggested), Changed<Interaction>>,
    subject: Option<Res<DebriefSubject>>,
    library: Option<Res<ScenarioLibrary>>,
    mut notices: MessageWriter<Notice>,
    mut next: ResMut<NextState<Screen>>,
) {
    let pressed = |i: &Interaction| *i == Interaction::Pressed;
    let Some(subject) = subject else { return };
    if retry.iter().any(pressed) {
        commands.insert_resource(ActiveSession::start(
            subject.scenario.clone(),
            subject.record.seed,
            subject.record.mode,
        ));
        commands.remove_resource::<DebriefSubject>();
        next.set(Screen::Session);
    }
    for (_, RetryFromTurn(turn)) in from_turn.iter().filter(|(i, _)| pressed(i)) {
        match ActiveSession::retry(
            subject.scenario.clone(),
            &subject.record,
            *turn,
            subject.session_id.clone(),
        ) {
            Ok(active) => {
                info!("retrying {} from turn {turn}", subject.record.scenario_id);
                commands.insert_resource(active);
                commands.remove_resource::<DebriefSubject>();
                next.set(Screen::Session);
            }
            Err(e) => {
                notices.write(Notice::error(format!("Cannot retry from turn {turn}: {e}")));
            }
        }
    }
    if replay.iter().any(pressed) {
        next.set(Screen::Replay);
    }
    if another.iter().any(pressed) {
        commands.remove_resource::<ActiveSession>();
        commands.remove_resource::<DebriefSubject>();
        next.set(Screen::ScenarioSelect);
    }
    for (_, TrySuggested(id)) in suggested.iter().filter(|(i, _)| pressed(i)) {
        match library.as_ref().and_then(|l| l.find(id)) {
            Some(scenario) => {
                commands.insert_resource(ActiveSession::start(
                    scenario,
                    crate::app::random_seed(),
                    subject.record.mode,
                ));
                commands.remove_resource::<DebriefSubject>();
                next.set(Screen::Session);
            }
            None => {
                notices.write(Notice::error(format!(
                    "Scenario \"{id}\" is not in the library any more."
                )));
            }
        }
    }
}

/// Text for a turn's delivery, or why there is none.
pub(super) fn delivery_words(d: &holdspace_core::Delivery) -> String {
    let how = d.describe();
    if how.is_empty() {
        "clicked or typed: no delivery measured".to_owned()
    } else {
        how.join(" · ")
    }
}

/// Body text sizes used by the panels.
pub(super) const DETAIL: f32 = SMALL;
/// Section headings in panels.
pub(super) const SECTION: f32 = BODY;
