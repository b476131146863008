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
# The neural voice takes about half a line's length to make a line on a two-core
# machine: voice the shipped scenarios' opening lines into the disk cache once (about a
# minute the first time; lines already kept are skipped in milliseconds), so the first
# line of a session starts at once.
"$CARGO_TARGET_DIR/release/holdspace" voices warm --openings || echo "warning: the opening lines were not voiced ahead; they will be voiced when said" >&2
exec "$CARGO_TARGET_DIR/release/holdspace" run --scenario delivery_bereavement "$@"
