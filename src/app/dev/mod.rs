//! For people and tests looking at the app: screenshots and exits on cue (`capture`),
//! the on-screen timing marks (`marks`) and the avatar contact sheet's checks (`sheet`).

pub mod capture;
pub mod marks;
pub mod sheet;
