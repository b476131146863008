#!/usr/bin/env bash
# Sets up and runs every check a change must pass: formatting, lints (the app's too),
# unit, property, command-line, rendering and VR smoke tests, the shipped scenarios, and
# the documentation. The steps are in scripts/ci, which can also run one alone
# (`bash scripts/ci test`). Safe to run on a fresh Debian machine with the Rust
# toolchain (rustup) installed; scripts/setup.sh installs the system packages.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/ci "$@"
