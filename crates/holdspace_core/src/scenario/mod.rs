//! The scenario as an L&D author writes it and the tools around it: the RON format
//! (`model`), parsing and the loaded form (`load`), where an element sits in its source
//! (`locate`), semantic checks (`validate`) with compiler-style `diagnostic`s, the
//! author's own `checks`, coverage (`explore`), one-turn tries (`probe`), flowcharts
//! (`graph`) and the scripted-turns format (`script`).

pub mod checks;
pub mod diagnostic;
pub mod explore;
pub mod graph;
pub mod load;
pub mod locate;
pub mod model;
pub mod probe;
pub mod routes;
pub mod script;
pub mod suggest;
pub mod validate;
