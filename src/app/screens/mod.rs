//! The app's screens as a state machine; each screen's file spawns what it shows with
//! `DespawnOnExit`, so leaving a screen cleans it up.

pub mod debrief;
pub mod loading;
pub mod recovery;
pub mod replay;
pub mod select;
pub mod session;

use bevy::prelude::*;

/// Which screen is showing.
#[derive(States, Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Screen {
    /// Reading the scenario library.
    #[default]
    Loading,
    /// Choosing a scenario and a mode.
    ScenarioSelect,
    /// Talking to the customer.
    Session,
    /// Reading the debrief.
    Debrief,
    /// Watching the session again from the customer's seat.
    Replay,
}

/// Registers the state and every screen.
pub fn plugin(app: &mut App) {
    app.init_state::<Screen>();
    app.add_plugins((
        loading::plugin,
        select::plugin,
        session::plugin,
        debrief::plugin,
        replay::plugin,
        recovery::plugin,
    ));
}
