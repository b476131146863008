#!/usr/bin/env bash
# Every benchmark on this machine in one run (about 6 minutes on 2 cores): builds the
# release binary, runs `holdspace bench all` (under Xvfb when there is no display, since
# start-up is measured in a window), regenerates the table in docs/performance.md, keeps
# the JSON and the frames the frame benchmark rendered in bench-results/, and compares
# the medians with the previous run's.
#
# Needs what setup.sh installs: the avatars, the Whisper model, flite, PocketSphinx,
# Mesa's Vulkan drivers and Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/holdspace/target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/holdspace"
out="${BENCH_OUT:-bench-results}"
mkdir -p "$out"
previous="$(ls -t "$out"/bench-*.json 2>/dev/null | head -1 || true)"
json="$out/bench-$(date -u +%Y%m%dT%H%M%SZ).json"
run=("$bin" bench all --json-out "$json" --png-dir "$out" --update-doc docs/performance.md)
if [ -n "$previous" ]; then
    run+=(--compare "$previous")
fi
if [ -n "${DISPLAY:-}" ]; then
    "${run[@]}"
else
    xvfb-run -a -s "-screen 0 1920x1080x24" "${run[@]}"
fi
echo "results: $json"
