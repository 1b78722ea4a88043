#!/usr/bin/env bash
# Stops the Imagedrop test cloud (the object store, glance-api, then keystone): SIGTERM, then
# SIGKILL after a grace period. Keeps the state dir, so the next up.sh restarts in seconds without
# re-bootstrapping.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ -d $STATE ]]; then
  exec 9>"${STATE%/}.lock"
  flock -w 600 9 || die "another up.sh/down.sh holds ${STATE%/}.lock"
fi
bash "$TESTCLOUD_SCRIPTS/objstore.sh" stop
stop_service glance-api
stop_service keystone
echo "testcloud: down (state kept in $STATE)"
