#!/usr/bin/env bash
# Sets up and runs every check and test of Imagedrop, from a bare Debian 12 / Ubuntu machine:
#   1. Debian packages: Chromium (e2e), qemu-utils (inspector tests), openssl, curl, util-linux,
#      and nodejs + npm when there is no npm (the test cloud's own packages come with
#      scripts/testcloud/up.sh);
#   2. npm ci when node_modules is missing or older than package-lock.json (also installs Node 22
#      from the npm registry as a devDependency: every npm script runs on it);
#   3. the test cloud: a real Keystone + Glance on 127.0.0.1;
#   4. typecheck, lint, format, the build, the installer config and icon checks;
#   5. unit + integration tests (vitest, against the test cloud), then e2e (Playwright, Chromium);
#   6. one closing line: "N passed, N failed, N skipped".
# Usage: bash scripts/test.sh        (npm test and .ci/run call this)
set -uo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 # the browser is Debian's /usr/bin/chromium
T0=$SECONDS
step() { echo "::: [$((SECONDS - T0))s] $*"; }
fail() {
  echo "::: failed at: $*"
  echo "0 passed, 1 failed" # the closing line CI reads
  exit 1
}

step "Debian packages"
need=()
for p in chromium fonts-liberation qemu-utils openssl curl util-linux time; do
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" == installed ]] || need+=("$p")
done
# A bare Debian image has no npm at all: Debian's nodejs + npm are enough to run npm ci, which
# brings Node 22 itself. A machine that already has an npm (of any origin) keeps it.
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if ((${#need[@]})); then
  if [[ $EUID -ne 0 ]]; then fail "missing Debian packages (${need[*]}): run this as root, or apt-get install them"; fi
  apt-get update -qq || fail "apt-get update"
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || fail "apt-get install ${need[*]}"
fi

step "npm packages"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json || -n "${CI:-}" ]]; then
  npm ci --no-audit --no-fund --strict-allow-scripts || fail "npm ci"
fi
export PATH="$PWD/node_modules/.bin:$PATH" # Node 22 and the tools, as npm scripts see them
echo "node for the tests: $(node -v)"

step "test cloud (Keystone + Glance on 127.0.0.1)"
bash scripts/testcloud/up.sh || fail "the test cloud did not start (see the log paths above)"

step "typecheck";        npm run -s typecheck     || fail typecheck
step "lint";             npm run -s lint          || fail lint
step "format";           npm run -s format:check  || fail "format (npm run format fixes it)"
step "build";            npm run -s build >/dev/null || fail build
step "installer config"; npm run -s check:builder || fail "electron-builder config"
step "icons";            npm run -s check:icons   || fail "icons (node scripts/make-icons.ts)"

rm -rf reports/unit.json reports/e2e.json test-results
step "unit + integration tests (vitest; integration against the test cloud)"
npm run -s test:unit
unit_rc=$?
step "end-to-end tests (Playwright in Chromium; the real core and Glance behind the renderer)"
npm run -s test:e2e
e2e_rc=$?
step "done"
UNIT_RC=$unit_rc E2E_RC=$e2e_rc node scripts/ci-summary.mjs # last line: N passed, N failed, N skipped
sum_rc=$?
[[ $unit_rc -eq 0 && $e2e_rc -eq 0 && $sum_rc -eq 0 ]]
