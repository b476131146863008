#!/usr/bin/env bash
# Sets up and runs every check a change must pass: formatting, lints, unit, property
# and command-line tests, then validates and explores every shipped scenario.
# Safe to run on a fresh Debian machine with the Rust toolchain (rustup) installed;
# scripts/setup.sh installs the system packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium opens the HTML report in a test, as a coach's browser would; espeak-ng is one
# of the synthetic voices of the speech test set.
# debootstrap builds the Debian trixie chroot the VR smoke test runs Monado in.
HOLDSPACE_EXTRA_PACKAGES="chromium espeak-ng debootstrap" source scripts/setup.sh
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component" || true
done

# Each step says how long the run has taken so far, so a slow CI run shows where.
step() { printf '\n== %s == (%ss in)\n' "$*" "$SECONDS"; }

# The VR smoke test's runtime (Monado in a trixie chroot, cached after the first run)
# is mostly download and unpacking: build it while the code compiles.
xr_log="$(mktemp)"
bash tests/xr/smoke.sh --prepare >"$xr_log" 2>&1 &
xr_prepare=$!

step "format"
cargo fmt --all -- --check

# Lints cover the pure core and the records, voice and speech crates here. Linting the app means type-checking all of Bevy a
# second time (check and build artifacts differ), about ten minutes on a cold 2-core
# machine; run `cargo clippy --workspace --all-targets -- -D warnings` before committing.
step "lints (core, records, voice, speech, understanding)"
cargo clippy -p holdspace_core -p holdspace_records -p holdspace_voice -p holdspace_speech -p holdspace_understanding --all-targets --locked -- -D warnings

step "tests (core unit + property tests; CLI, app-adapter and Xvfb rendering tests)"
cargo test --workspace --locked

# Use the binary the tests just built: `cargo run` resolves features without the test
# dependencies and would compile Bevy a second time.
holdspace="$CARGO_TARGET_DIR/debug/holdspace"

step "VR smoke test: a real OpenXR runtime (Monado, simulated headset and controllers)"
if ! wait "$xr_prepare"; then
  cat "$xr_log" >&2
  echo "the Monado chroot could not be built" >&2
  exit 1
fi
cat "$xr_log"
# 60 frames of a real session at the runtime's recommended size, with a controller
# selection; the log's key lines are printed (the full log stays in ~/.cache/holdspace/xr-logs).
bash tests/xr/smoke.sh "$holdspace" 60

step "shipped scenarios validate without warnings"
"$holdspace" validate --strict scenarios/

step "every outcome of every shipped scenario is reachable"
for file in scenarios/*.ron; do
  id=$(basename "$file" .ron)
  [ "$id" = lexicon ] && continue
  "$holdspace" explore "$id" --check | sed -n '1p'
done

step "core, records, voice, speech and understanding have no Bevy"
for crate in holdspace_core holdspace_records holdspace_voice holdspace_speech holdspace_understanding; do
  if cargo tree -p "$crate" --locked --edges normal | grep -qi bevy; then
    echo "$crate depends on bevy: it must stay free of the engine" >&2
    exit 1
  fi
  echo "ok: $crate has no bevy in its dependency tree"
done
