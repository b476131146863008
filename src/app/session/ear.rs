//! The customer's ear: the sentence encoder (`holdspace_understanding`) that hears what
//! a typed or spoken reply means before the engine takes the turn. Loaded once at start;
//! without the model files the customer hears through the lexicon alone, and the app
//! says so.

use std::sync::Arc;

use bevy::prelude::*;
use holdspace_understanding::listener::Hearing;

use crate::app::notice::Notice;

/// The encoder, when it loaded.
#[derive(Resource, Clone, Default)]
pub struct Ear(pub Option<Arc<Hearing>>);

impl Ear {
    /// The listener for `Session::respond_with`.
    pub fn listener(&self) -> Option<&dyn holdspace_core::Listener> {
        self.0.as_deref().map(|h| h as &dyn holdspace_core::Listener)
    }
}

/// Loads the encoder (about a second) and tells the trainee when it is missing.
pub fn plugin(app: &mut App) {
    let (ear, problem) = match Hearing::load() {
        Ok(h) => (Ear(Some(Arc::new(h))), None),
        Err(e) => (Ear(None), Some(e.to_string())),
    };
    app.insert_resource(ear);
    if let Some(problem) = problem {
        warn!("understanding through the lexicon alone: {problem}");
        app.add_systems(Startup, move |mut notices: MessageWriter<Notice>| {
            notices.write(Notice::info(format!(
                "The customer hears keywords only (no sentence encoder: {problem})."
            )));
        });
    }
}
