#!/usr/bin/env bash
# Sets up and starts the Holdspace desktop app on the default scenario. Extra arguments
# go to `holdspace run` (e.g. --open, --assessment, --seed 7, --listen open-mic); without
# a display it says how to play in the terminal instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
exec cargo run --release --locked --quiet -- run --scenario delivery_bereavement "$@"
