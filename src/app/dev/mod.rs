//! For people and tests looking at the app: screenshots and exits on cue (`capture`) and
//! the on-screen timing marks (`marks`).

pub mod capture;
pub mod marks;
