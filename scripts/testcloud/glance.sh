#!/usr/bin/env bash
# Fault injection for glance-api of the Imagedrop test cloud (started the same way as up.sh does).
#   glance.sh kill    SIGKILL the glance-api parent and all its workers at once (a crash mid-upload)
#   glance.sh start   start glance-api only (keystone must be up) and wait until it is healthy
#   glance.sh pids    print the glance-api pids, parent first
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
  kill)
    pids="$(service_pids glance-api)"
    if [[ -n $pids ]]; then
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do [[ -z "$(service_pids glance-api)" ]] && break; sleep 0.05; done
    fi
    rm -f "$RUN/glance-api.pid"
    echo "testcloud: glance-api killed (${pids//$'\n'/ })"
    ;;
  start)
    [[ -f $STATE/glance-api.conf && -e $STATE/glance/initialised ]] || die "no test cloud state in $STATE; run up.sh"
    keystone_healthy || die "keystone is not up; run up.sh"
    start_glance
    wait_glance
    echo "testcloud: glance-api up ($GLANCE_URL)"
    ;;
  pids)
    service_pids glance-api
    ;;
  *)
    echo "usage: $0 kill|start|pids" >&2
    exit 2
    ;;
esac
