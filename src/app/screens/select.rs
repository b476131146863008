//! The scenario select screen: every scenario file with its title, difficulty and
//! summary; broken files in red with their first diagnostic; guided/open and
//! practice/assessment toggles. The list re-reads the folder when a file changes.

use bevy::prelude::*;
use holdspace_core::Mode;

use crate::app::library::{EntryStatus, ScenarioLibrary};
use crate::app::screens::Screen;
use crate::app::screens::loading::StartSettings;
use crate::app::session::hud::PlayOptions;
use crate::app::session::runner::ActiveSession;
use crate::app::theme::{
    ACCENT, BODY, BUTTON, BUTTON_SELECTED, ERROR, HEADING, MUTED, PANEL, SMALL, Selected, TEXT, button, label,
};
use crate::app::{AppSystems, PresentSystems};

/// How often the folder is checked for edits.
const WATCH_SECONDS: f32 = 0.5;

/// The container the cards go in.
#[derive(Component, Debug)]
pub struct ScenarioList;

/// A card that starts a scenario.
#[derive(Component, Debug, Clone)]
pub struct StartScenario(pub String);

/// A toggle for guided or open mode.
#[derive(Component, Debug, Clone, Copy)]
pub struct ModeToggle(pub Mode);

/// A toggle for practice (meter on) or assessment (meter off).
#[derive(Component, Debug, Clone, Copy)]
pub struct PracticeToggle(pub bool);

/// When the folder was last checked, and which library generation is on screen.
#[derive(Resource, Debug)]
pub struct Watch {
    timer: Timer,
    shown: u64,
}

/// Registers the select screen.
pub fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::ScenarioSelect), spawn_select)
        .add_systems(
            Update,
            (
                watch_folder.in_set(AppSystems::TickTimers),
                (choose_scenario, toggle_options).in_set(AppSystems::RecordInput),
                (rebuild_list, paint_toggles).chain().in_set(PresentSystems::Ui),
            )
                .run_if(in_state(Screen::ScenarioSelect)),
        );
}

/// Builds the screen frame; the list fills in on the next update.
pub fn spawn_select(mut commands: Commands) {
    commands.insert_resource(Watch {
        timer: Timer::from_seconds(WATCH_SECONDS, TimerMode::Repeating),
        shown: 0,
    });
    commands.spawn((
        Name::new("Select screen"),
        DespawnOnExit(Screen::ScenarioSelect),
        Node {
            width: percent(100.0),
            height: percent(100.0),
            flex_direction: FlexDirection::Column,
            padding: UiRect::all(px(28.0)),
            row_gap: px(14.0),
            ..default()
        },
        BackgroundColor(crate::app::theme::BACKGROUND),
        children![
            label("Holdspace", HEADING + 6.0, ACCENT),
            label(
                "Choose a conversation. Listen for what is behind what they say.",
                BODY,
                MUTED
            ),
            (
                Node {
                    column_gap: px(8.0),
                    align_items: AlignItems::Center,
                    ..default()
                },
                children![
                    label("Mode:", SMALL, MUTED),
                    button("Guided: options shown", ModeToggle(Mode::Guided)),
                    button("Open: your own words", ModeToggle(Mode::Open)),
                    label("   Meter:", SMALL, MUTED),
                    button("Practice (shown)", PracticeToggle(true)),
                    button("Assessment (hidden)", PracticeToggle(false)),
                ],
            ),
            (
                Name::new("Scenario list"),
                ScenarioList,
                Node {
                    flex_direction: FlexDirection::Column,
                    row_gap: px(10.0),
                    overflow: Overflow::scroll_y(),
                    flex_grow: 1.0,
                    ..default()
                }
            ),
            label(
                "Scenario files are re-read when they change: edit, save, and this list updates.",
                SMALL,
                MUTED
            ),
        ],
    ));
}

/// Re-reads the folder every half second; a change redraws the list.
pub fn watch_folder(time: Res<Time>, mut watch: ResMut<Watch>, mut library: ResMut<ScenarioLibrary>) {
    if watch.timer.tick(time.delta()).just_finished() && library.refresh() {
        info!("scenarios changed on disk: reloaded {} files", library.entries.len());
    }
}

/// Draws one card per file when the library has changed since it was last drawn.
pub fn rebuild_list(
    mut commands: Commands,
    library: Res<ScenarioLibrary>,
    mut watch: ResMut<Watch>,
    list: Query<Entity, With<ScenarioList>>,
) {
    if watch.shown == library.generation {
        return;
    }
    let Ok(list) = list.single() else { return };
    watch.shown = library.generation;
    commands.entity(list).despawn_children();
    if library.entries.is_empty() {
        commands.spawn((
            ChildOf(list),
            label(format!("No scenarios in {}.", library.dir.display()), BODY, ERROR),
        ));
    }
    for entry in &library.entries {
        match &entry.status {
            EntryStatus::Ready(s) => {
                let sc = &s.scenario;
                commands.spawn((
                    ChildOf(list),
                    Name::new(format!("Card {}", sc.id)),
                    Button,
                    StartScenario(sc.id.clone()),
                    Node {
                        flex_direction: FlexDirection::Column,
                        padding: UiRect::axes(px(16.0), px(10.0)),
                        row_gap: px(4.0),
                        border_radius: BorderRadius::all(px(8.0)),
                        ..default()
                    },
                    BackgroundColor(BUTTON),
                    children![
                        label(
                            format!("{}   ({}, {})", sc.title, sc.difficulty.label(), sc.customer.name),
                            BODY + 1.0,
                            TEXT
                        ),
                        label(sc.summary.clone(), SMALL, MUTED),
                    ],
                ));
            }
            EntryStatus::Broken { headline, .. } => {
                let name = entry
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                commands.spawn((
                    ChildOf(list),
                    Name::new(format!("Broken {name}")),
                    Node {
                        flex_direction: FlexDirection::Column,
                        padding: UiRect::axes(px(16.0), px(10.0)),
                        row_gap: px(4.0),
                        border: UiRect::all(px(2.0)),
                        border_radius: BorderRadius::all(px(8.0)),
                        ..default()
                    },
                    BackgroundColor(PANEL),
                    BorderColor::all(ERROR),
                    children![
                        label(format!("{name}: cannot be played"), BODY, ERROR),
                        label(headline.clone(), SMALL, TEXT)
                    ],
                ));
            }
        }
    }
}

/// Starts the clicked scenario.
pub fn choose_scenario(
    mut commands: Commands,
    cards: Query<(&Interaction, &StartScenario), Changed<Interaction>>,
    library: Res<ScenarioLibrary>,
    options: Res<PlayOptions>,
    start: Res<StartSettings>,
    mut next: ResMut<NextState<Screen>>,
) {
    for (interaction, StartScenario(id)) in &cards {
        if *interaction == Interaction::Pressed
            && let Some(scenario) = library.find(id)
        {
            commands.insert_resource(ActiveSession::start(scenario, start.session_seed(), options.mode));
            next.set(Screen::Session);
        }
    }
}

/// Switches mode and meter.
pub fn toggle_options(
    modes: Query<(&Interaction, &ModeToggle), Changed<Interaction>>,
    practice: Query<(&Interaction, &PracticeToggle), Changed<Interaction>>,
    mut options: ResMut<PlayOptions>,
) {
    for (interaction, ModeToggle(mode)) in &modes {
        if *interaction == Interaction::Pressed {
            options.mode = *mode;
        }
    }
    for (interaction, PracticeToggle(on)) in &practice {
        if *interaction == Interaction::Pressed {
            options.practice = *on;
        }
    }
}

/// Shows which toggles are on.
pub fn paint_toggles(
    mut commands: Commands,
    options: Res<PlayOptions>,
    mut modes: Query<(Entity, &ModeToggle, &mut BackgroundColor), Without<PracticeToggle>>,
    mut practice: Query<(Entity, &PracticeToggle, &mut BackgroundColor), Without<ModeToggle>>,
) {
    let mut paint = |entity: Entity, on: bool, color: &mut BackgroundColor| {
        color.0 = if on { BUTTON_SELECTED } else { BUTTON };
        if on {
            commands.entity(entity).insert(Selected);
        } else {
            commands.entity(entity).remove::<Selected>();
        }
    };
    for (e, ModeToggle(mode), mut c) in &mut modes {
        paint(e, *mode == options.mode, &mut c);
    }
    for (e, PracticeToggle(on), mut c) in &mut practice {
        paint(e, *on == options.practice, &mut c);
    }
}
