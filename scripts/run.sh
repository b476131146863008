#!/usr/bin/env bash
# Sets up and starts Holdspace on the default scenario (terminal play for now; the
# desktop/VR app arrives with the Bevy issue). Extra arguments go to `holdspace play`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/holdspace/target}"
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust with rustup (https://rustup.rs) and run this again" >&2
  exit 1
fi
exec cargo run --release --locked --quiet -- play "${@:-delivery_bereavement}"
