//! The sentence encoder for the command line: loaded once per command, or not at all
//! when the author asks for the lexicon alone (`--lexicon-only`), with a note on
//! standard error when it is missing.

use holdspace_understanding::listener::Hearing;

/// The encoder, unless `lexicon_only` or its files are missing (then it says so).
pub fn load(lexicon_only: bool) -> Option<Hearing> {
    if lexicon_only {
        return None;
    }
    match Hearing::load() {
        Ok(h) => Some(h),
        Err(e) => {
            eprintln!("note: the customer hears keywords only (lexicon): {e}");
            None
        }
    }
}

/// The listener to pass to `Session::respond_with`.
pub fn listener(hearing: &Option<Hearing>) -> Option<&dyn holdspace_core::Listener> {
    hearing.as_ref().map(|h| h as &dyn holdspace_core::Listener)
}
