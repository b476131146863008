#!/usr/bin/env bash
# Sets up and starts the Holdspace desktop app on the default scenario. Extra arguments
# go to `holdspace run` (e.g. --open, --assessment, --seed 7, --listen open-mic); without
# a display it says how to play in the terminal instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# Built in view: the first build compiles Bevy (20 minutes or so on 2 cores) and cargo's
# progress shows it moving; later builds take seconds.
echo "Building Holdspace (release)…"
cargo build --release --locked
exec "$CARGO_TARGET_DIR/release/holdspace" run --scenario delivery_bereavement "$@"
