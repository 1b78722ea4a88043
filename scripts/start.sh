#!/usr/bin/env bash
# Sets up and runs Imagedrop: npm ci when needed, the build, then the desktop app (Electron).
#
# Where Electron cannot start (its binary cannot be had: it is downloaded from GitHub the first
# time; or there is no display, as in an SSH session on a build host), it runs `imagedrop serve`
# instead: the same app in a browser, sharing the folder this script was started from. The first
# line on stdout is then the URL to open (with its secret); Ctrl-C stops it.
#
#   bash scripts/start.sh                  the app, or serve where the app cannot start
#   bash scripts/start.sh serve [FLAGS]    serve in any case (--port N, --root DIR, --host ADDR --cert F --key F)
#
# ELECTRON_OVERRIDE_DIST_PATH=/path/to/unpacked/electron-v45.5.0 uses an Electron you have.
# Clouds come from clouds.yaml as openstack CLI finds it (or OS_CLIENT_CONFIG_FILE). To try
# Imagedrop without a cloud of your own (Debian/Ubuntu, root):
#   bash scripts/testcloud/up.sh && OS_CLIENT_CONFIG_FILE=/var/tmp/imagedrop-testcloud/clouds.yaml npm start
set -euo pipefail
started_in="$PWD"
cd "$(dirname "$0")/.."
# Everything but serve's URL goes to stderr, so that the URL is the first line on stdout.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund >&2
fi
export PATH="$PWD/node_modules/.bin:$PATH"

# Why Electron cannot start here, or nothing when it can.
electron_missing() {
  if [[ "$(uname -s)" == Linux && -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
    echo "there is no display (DISPLAY and WAYLAND_DISPLAY are not set)"
    return
  fi
  if [[ -n "${ELECTRON_OVERRIDE_DIST_PATH:-}" ]]; then
    [[ -d "$ELECTRON_OVERRIDE_DIST_PATH" ]] || echo "ELECTRON_OVERRIDE_DIST_PATH=$ELECTRON_OVERRIDE_DIST_PATH is not a folder"
    return
  fi
  # Requiring the package downloads the binary the first time (from GitHub).
  if ! node -e "process.exit(require('node:fs').existsSync(require('electron')) ? 0 : 1)" >&2 2>/dev/null; then
    echo "its binary could not be downloaded (it comes from GitHub the first time the app runs)"
  fi
}

if [[ "${1:-}" == serve ]]; then
  shift
  why=""
else
  why="$(electron_missing)"
  if [[ -z "$why" ]]; then
    npm run -s build >/dev/null
    echo "imagedrop: starting the desktop app (data folder: ${IMAGEDROP_DATA_DIR:-default})" >&2
    exec electron . "$@"
  fi
  cat >&2 <<MSG
imagedrop: the desktop app cannot start here: $why.
Serving the same app to a browser instead (imagedrop serve), with the files of
$started_in. To run the desktop app, give it an unpacked Electron 45.5.0:
    ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-v45.5.0-linux-x64 npm start
MSG
fi

echo "imagedrop: building the web app and the CLI…" >&2
npm run -s build:renderer >/dev/null
npm run -s build:cli >/dev/null
roots=()
[[ " $* " == *" --root"* ]] || roots=(--root "$started_in")
exec node dist/cli/imagedrop.mjs serve "${roots[@]}" "$@"
