#!/usr/bin/env bash
# Sets up and runs the Imagedrop desktop app: npm ci when needed, the build, then Electron.
# Electron's binary is downloaded the first time it runs (from GitHub). Where that is not
# possible, set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron 45.5.0; this script says so.
# Clouds come from clouds.yaml as openstack CLI finds it (or OS_CLIENT_CONFIG_FILE). To try
# Imagedrop without a cloud of your own (Debian/Ubuntu, root):
#   bash scripts/testcloud/up.sh && OS_CLIENT_CONFIG_FILE=/var/tmp/imagedrop-testcloud/clouds.yaml npm start
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
export PATH="$PWD/node_modules/.bin:$PATH"
npm run -s build >/dev/null
echo "imagedrop: starting the desktop app (data folder: ${IMAGEDROP_DATA_DIR:-default})"
set +e
electron . "$@"
rc=$?
set -e
if ((rc != 0)) && [[ ! -d node_modules/electron/dist && -z "${ELECTRON_OVERRIDE_DIST_PATH:-}" ]]; then
  cat >&2 <<'MSG'
imagedrop: Electron's binary could not be downloaded on this machine (it comes from GitHub the
first time the app runs). Either give it an unpacked Electron 45.5.0:
    ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-v45.5.0-linux-x64 npm start
or use the same core from the command line, which needs no Electron:
    npm run --silent cli -- help
MSG
fi
exit "$rc"
