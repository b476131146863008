#!/usr/bin/env bash
# Unpacks what the open microphone's end-of-turn check runs into
# ${HOLDSPACE_MODELS:-$HOME/.cache/holdspace/models}/turn: the smart-turn v3.2 model
# (smart-turn-v3.2-cpu.onnx, BSD-2-Clause, Daily/pipecat) and the ONNX Runtime library
# that runs it (libonnxruntime.so.1.32.0, MIT, Microsoft), which the app loads at run
# time (ort's load-dynamic: nothing is downloaded or linked when it builds).
#
# Why this way: both come from pinned PyPI wheels checked against the sha256 values below
# (pipecat-ai 1.14.0 ships the model inside its package; onnxruntime 1.32.0's wheel carries
# the plain C library), and the extracted files are checked too. Nothing is fetched when
# the app runs. Without them the open microphone ends a turn on silence alone, and the app
# says so.
#
# Idempotent and cached: a stamp beside the files records the wheels' sha256; when it
# matches, this exits at once. HOLDSPACE_PIPECAT_WHEEL and HOLDSPACE_ONNXRUNTIME_WHEEL may
# name already downloaded wheels (offline machines). Files are unpacked into a temporary
# folder and moved into place, so an interrupted run leaves nothing half-written.
set -euo pipefail
# shellcheck source=scripts/lib/wheel.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/wheel.sh"

PIPECAT_VERSION=1.14.0
PIPECAT_FILE=pipecat_ai-1.14.0-py3-none-any.whl
PIPECAT_SHA256=0352f504b44e78bdf524e45af4bc759601c835b9b7dc195efe5e03384b974a44
MODEL_IN_WHEEL=pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx
MODEL_SHA256=2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f

ORT_VERSION=1.32.0
# The cp311 build whatever python runs this: only its C library is used.
ORT_FILE=onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl
ORT_SHA256=5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d
LIB_IN_WHEEL=onnxruntime/capi/libonnxruntime.so.1.32.0
LIB_SHA256=6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f

t0=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms"; }

models="${HOLDSPACE_MODELS:-$HOME/.cache/holdspace/models}"
out="$models/turn"
stamp="$out/stamp"
want_stamp="pipecat-sha256=$PIPECAT_SHA256 onnxruntime-sha256=$ORT_SHA256"
if [ -s "$out/smart-turn-v3.2-cpu.onnx" ] && [ -s "$out/libonnxruntime.so.1.32.0" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "end-of-turn model up to date: $out ($(elapsed))"
  exit 0
fi
if [ "$(uname -m)" != x86_64 ]; then
  echo "turn-model.sh: the pinned ONNX Runtime is for x86_64 Linux; the open microphone will end turns on silence alone" >&2
  exit 1
fi

mkdir -p "$models"
work="$(mktemp -d "${TMPDIR:-/tmp}/holdspace-turn.XXXXXX")"
trap 'rm -rf "$work"' EXIT

pipecat_download() {
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "pipecat-ai==$PIPECAT_VERSION"
}
ort_download() {
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" \
    --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_28_x86_64 \
    "onnxruntime==$ORT_VERSION"
}
fetch_wheel "$work/$PIPECAT_FILE" "$PIPECAT_SHA256" "${HOLDSPACE_PIPECAT_WHEEL:-}" "pipecat-ai $PIPECAT_VERSION (about 12 MB)" pipecat_download
fetch_wheel "$work/$ORT_FILE" "$ORT_SHA256" "${HOLDSPACE_ONNXRUNTIME_WHEEL:-}" "onnxruntime $ORT_VERSION (about 28 MB)" ort_download

mkdir -p "$work/turn"
python3 - "$work/$PIPECAT_FILE" "$MODEL_IN_WHEEL" "$work/turn/smart-turn-v3.2-cpu.onnx" \
  "$work/$ORT_FILE" "$LIB_IN_WHEEL" "$work/turn/libonnxruntime.so.1.32.0" <<'PY'
import sys, zipfile

args = sys.argv[1:]
for wheel, member, dest in zip(args[0::3], args[1::3], args[2::3]):
    with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest, "wb") as dst:
        dst.write(src.read())
PY
for pair in "smart-turn-v3.2-cpu.onnx $MODEL_SHA256" "libonnxruntime.so.1.32.0 $LIB_SHA256"; do
  read -r file sha <<< "$pair"
  got="$(sha256sum "$work/turn/$file" | cut -d' ' -f1)"
  if [ "$got" != "$sha" ]; then
    echo "turn-model.sh: $file has sha256 $got, expected $sha; refusing to use it" >&2
    exit 1
  fi
done
echo "$want_stamp" > "$work/turn/stamp"
rm -rf "$out"
mv "$work/turn" "$out"
echo "end-of-turn model ready: $out ($(elapsed))"
