#!/usr/bin/env bash
# The VR smoke test against a real OpenXR runtime, with no GPU and no headset.
#
# Monado 25 (Debian trixie; bookworm has none) runs headless with a simulated headset and
# two simulated simple controllers, behind its null compositor. Its runtime library is an
# IPC client of a newer glibc than the host's, so it cannot load into a bookworm process:
# the host-built app runs inside a trixie chroot instead (a bookworm binary runs on the
# newer glibc). The chroot is built once with debootstrap and cached; the app's own
# bookworm libraries (PocketSphinx 0.8 and flite sonames trixie does not ship) travel
# beside it in a side folder on LD_LIBRARY_PATH.
#
# Usage: tests/xr/smoke.sh HOLDSPACE_BINARY [FRAMES]
#        tests/xr/smoke.sh --prepare   (only build the cached chroot; the test command
#                                       runs this in the background while it compiles)
# Passes only when the app's log shows the session FOCUSED, frames submitted, both
# controllers' poses read, the scripted controller selection taken and a clean exit, and
# the left eye's view, saved near the end, shows a drawn scene (judge_eye.py: a black or
# blank image fails). The image is kept as xr-logs/left-eye.png.
# Everything it starts is stopped by PID and everything it mounts is unmounted, whatever
# happens. Needs root (debootstrap, chroot, mount); CI runs as root.
set -euo pipefail

prepare_only=false
if [ "${1:-}" = "--prepare" ]; then prepare_only=true; else
  binary="$(realpath "${1:?usage: smoke.sh HOLDSPACE_BINARY [FRAMES] | smoke.sh --prepare}")"
fi
frames="${2:-60}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${HOLDSPACE_CACHE:-$HOME/.cache/holdspace}"
root="$cache/xr-root"
# Bump when the package list changes, so a cached chroot is rebuilt.
stamp="monado-service libopenxr1-monado libopenxr-loader1 libopenxr-dev mesa-vulkan-drivers v1"
log_dir="${HOLDSPACE_XR_LOG_DIR:-$cache/xr-logs}"
mkdir -p "$log_dir"

if [ "$(id -u)" != 0 ]; then
  echo "xr smoke: needs root for debootstrap, chroot and mounts (CI runs as root); skipped here" >&2
  exit 1
fi

# --- the trixie chroot with Monado (cached) ---------------------------------------------
if [ "$(cat "$root/.holdspace-stamp" 2>/dev/null)" != "$stamp" ]; then
  command -v debootstrap >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
  }
  # The mirror the host already uses (a CI machine may reach only that one).
  mirror="$(grep -hoE '^(URIs:|deb) +[^ ]*' /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null \
    | awk '{print $2}' | grep -v security | head -1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  echo "xr smoke: building the trixie chroot with Monado from $mirror (once; cached in $root)"
  building="$root.building"
  rm -rf "$building"
  debootstrap --variant=minbase trixie "$building" "$mirror" >"$log_dir/debootstrap.log" 2>&1 \
    || { tail -20 "$log_dir/debootstrap.log" >&2; exit 1; }
  mount -t proc proc "$building/proc"
  mount --bind /dev "$building/dev"
  set +e
  chroot "$building" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -c \
    "apt-get update -qq && apt-get install -y -qq --no-install-recommends $(echo "$stamp" | sed 's/ v[0-9]*$//')" \
    >"$log_dir/chroot-apt.log" 2>&1
  status=$?
  set -e
  umount "$building/dev" "$building/proc"
  if [ "$status" != 0 ]; then tail -20 "$log_dir/chroot-apt.log" >&2; exit 1; fi
  echo "$stamp" >"$building/.holdspace-stamp"
  rm -rf "$root"
  mv "$building" "$root"
fi
# The image judge must be able to fail before its pass means anything.
python3 "$repo/tests/xr/judge_eye.py" --self-test

if $prepare_only; then
  echo "xr smoke: the Monado chroot is ready ($root)"
  exit 0
fi

# --- mounts and processes, undone whatever happens ---------------------------------------
mounts=()
service_pid=""
app_pid=""
# Live processes whose root directory is the chroot: anything this run started there
# (a zombie has exited and is only waiting for its parent to read its status).
in_root_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] || continue
    [ "$(awk '{print $3}' "$p/stat" 2>/dev/null)" = Z ] && continue
    echo "${p#/proc/}"
  done
  true
}
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null || true
  [ -n "$service_pid" ] && wait "$service_pid" 2>/dev/null || true
  # Nothing may outlive the run (a monado-service left behind holds the next run's
  # socket): check, and fail the run if anything had to be killed here.
  local left
  # Monado's children get a moment to follow it out.
  for _ in $(seq 1 30); do
    left="$(in_root_pids | tr '\n' ' ')"
    [ -z "${left// /}" ] && break
    sleep 0.1
  done
  if [ -n "${left// /}" ]; then
    echo "xr smoke FAILED: processes left running in the chroot: $left" >&2
    # shellcheck disable=SC2086
    kill -9 $left 2>/dev/null || true
    leaked=1
  fi
  # Unmount in reverse order; lazily if something still holds one.
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" 2>/dev/null || true
  done
  [ "$leaked" = 0 ] || exit 1
}
leaked=0
trap cleanup EXIT INT TERM

bind() { # bind HOST_PATH: the same path inside the chroot
  mkdir -p "$root$1"
  mount --bind "$1" "$root$1"
  mounts+=("$root$1")
}
mount -t proc proc "$root/proc"; mounts+=("$root/proc")
mount --bind /dev "$root/dev"; mounts+=("$root/dev")
# The repository (scenarios, assets) and the built app and caches, at the same paths.
bind "$repo"
bind "$(dirname "$binary")"
[ -d "$cache/avatars" ] && bind "$cache/avatars"

# The app's bookworm libraries trixie lacks or names differently; glibc and the C++
# runtime stay trixie's (newer, backwards compatible).
side="$root/opt/holdspace-lib"
rm -rf "$side"; mkdir -p "$side"
ldd "$binary" | awk '/=> \//{print $3}' | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libstdc++.so.*|libgcc_s.so.*|ld-linux*) ;;
    *) cp -L "$lib" "$side/" ;;
  esac
done

# Replaces the calling (sub)shell, so that `( run_in_root … ) &` leaves `$!` the PID of
# the program itself, which cleanup can stop.
run_in_root() {
  exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    XDG_RUNTIME_DIR=/tmp/xdg "$@"
}
rm -rf "$root/tmp/xdg"; mkdir -p "$root/tmp/xdg"; chmod 700 "$root/tmp/xdg"

# --- Monado: null compositor, simulated headset and two simple controllers -----------------
(run_in_root XRT_COMPOSITOR_NULL=1 XRT_NO_STDIN=1 SIMULATED_ENABLE=1 \
  SIMULATED_LEFT=simple SIMULATED_RIGHT=simple monado-service) \
  >"$log_dir/monado.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 100); do
  [ -S "$root/tmp/xdg/monado_comp_ipc" ] && break
  kill -0 "$service_pid" 2>/dev/null || { cat "$log_dir/monado.log" >&2; echo "xr smoke: monado-service died" >&2; exit 1; }
  sleep 0.1
done
[ -S "$root/tmp/xdg/monado_comp_ipc" ] || { cat "$log_dir/monado.log" >&2; echo "xr smoke: no Monado socket after 10 s" >&2; exit 1; }
echo "xr smoke: monado-service running (pid $service_pid)"

# --- the app, in XR smoke mode ------------------------------------------------------------
app_log="$log_dir/app.log"
# Written inside the chroot (only the repository, binary and avatars are shared).
eye_in_root="/tmp/holdspace-left-eye.png"
rm -f "$root$eye_in_root" "$log_dir/left-eye.png"
set +e
(
  cd "$repo"
  exec chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root XDG_RUNTIME_DIR=/tmp/xdg \
    LD_LIBRARY_PATH=/opt/holdspace-lib NO_COLOR=1 RUST_BACKTRACE="${RUST_BACKTRACE:-0}" RUST_LOG="${RUST_LOG:-info,wgpu=error,naga=warn}" \
    bash -c "cd '$repo' && exec '$binary' run --xr-smoke $frames --avatars '$cache/avatars' \
      --data-dir /tmp/holdspace-smoke-records --screenshot $eye_in_root ${HOLDSPACE_XR_SMOKE_ARGS:-}"
) >"$app_log" 2>&1 &
app_pid=$!
wait "$app_pid"
status=$?
app_pid=""
set -e

echo "--- app log (session states, frames, controllers) ---"
grep -E 'XR state|holdspace-xr|Failed to initialize openxr|panicked|ERROR' "$app_log" || true
echo "--- end of app log (full log: $app_log) ---"

fail() { echo "xr smoke FAILED: $*" >&2; tail -40 "$app_log" >&2; exit 1; }
[ "$status" = 0 ] || fail "the app exited with status $status"
grep -q 'Failed to initialize openxr' "$app_log" && fail "OpenXR did not initialise"
grep -q 'panicked' "$app_log" && fail "the app panicked"
grep -q 'entered XR state FOCUSED' "$app_log" || fail "the session never reached FOCUSED"
grep -qE 'holdspace-xr frames-submitted [1-9]' "$app_log" || fail "no frames were submitted"
grep -qE 'holdspace-xr controller left pose' "$app_log" || fail "the left controller's pose was never read"
grep -qE 'holdspace-xr controller right pose' "$app_log" || fail "the right controller's pose was never read"
grep -qE 'holdspace-xr selected' "$app_log" || fail "the scripted controller selection was not taken"
grep -q 'holdspace-xr exit clean' "$app_log" || fail "the app did not exit cleanly"
[ -s "$root$eye_in_root" ] || fail "the left eye's view was not saved"
cp "$root$eye_in_root" "$log_dir/left-eye.png"
python3 "$repo/tests/xr/judge_eye.py" "$log_dir/left-eye.png" || fail "the left eye's view is not a drawn scene (see $log_dir/left-eye.png)"
echo "xr smoke: passed"
