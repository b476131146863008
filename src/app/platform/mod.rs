//! Where the app runs: VR through OpenXR (`xr`), a desktop window (set up in `app::run`),
//! or no window at all (`windowless`, the headless twin tests and benchmarks use).

pub mod windowless;
pub mod xr;
