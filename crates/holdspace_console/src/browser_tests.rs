//! Browser tests (filled below).
