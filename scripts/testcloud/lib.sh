# shellcheck shell=bash
# Shared helpers for the Imagedrop test cloud (sourced by up.sh, down.sh, glance.sh).
# Knows where the state lives, how each service is started and stopped, and how health is checked.
# Every service runs in its own session (setsid): the pid in <state>/run/NAME.pid is the session
# id, and the session holds exactly that service's processes, so stopping or killing a service
# never needs a match on process names.

TESTCLOUD_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${IMAGEDROP_TESTCLOUD_DIR:-/var/tmp/imagedrop-testcloud}"
RUN="$STATE/run"
LOG="$STATE/log"

KEYSTONE_URL="http://127.0.0.1:5000/v3"
GLANCE_URL="http://127.0.0.1:9292"
REGION="RegionOne"
ADMIN_PASS="imagedrop-admin-pass"
DEMO_PASS="imagedrop-demo-pass"
GLANCE_PASS="imagedrop-glance-pass"
# Seconds to wait for a service to become healthy.
HEALTH_TIMEOUT="${IMAGEDROP_TESTCLOUD_HEALTH_TIMEOUT:-90}"

say() { echo "testcloud: $*" >&2; }
die() { echo "testcloud: ERROR: $*" >&2; exit 1; }

# --- processes -------------------------------------------------------------------------------

# pid_of NAME: prints the pid from $RUN/NAME.pid when that process is alive and is ours
# (its command line names our state dir), else nothing and status 1.
pid_of() {
  local pidfile="$RUN/$1.pid" pid
  [[ -s $pidfile ]] || return 1
  pid="$(<"$pidfile")"
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$STATE/" || return 1
  echo "$pid"
}

# service_pids NAME: every live pid of the service (session leader + workers, also workers
# orphaned by a dead leader), each checked to be ours by its command line.
service_pids() {
  local pidfile="$RUN/$1.pid" sid p
  [[ -s $pidfile ]] || return 0
  sid="$(<"$pidfile")"
  [[ $sid =~ ^[0-9]+$ ]] || return 0
  # Leader first, then the workers.
  for p in "$sid" $(ps -o pid= -s "$sid" 2>/dev/null | grep -vx " *$sid"); do
    tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "$STATE/" && echo "$p"
  done
  return 0
}

# start_detached NAME LOGFILE CMD...: runs CMD in a new session, immune to the caller's
# terminal and shell exit, output appended to LOGFILE, pid in $RUN/NAME.pid.
start_detached() {
  local name="$1" logfile="$2"; shift 2
  mkdir -p "$RUN" "$LOG"
  # Bash without job control does not make the background child a group leader, so setsid
  # does not fork: $! is the service's own pid, and also its process-group and session id.
  # 9>&-: do not hand up.sh's lock descriptor to a daemon, or it would hold the lock forever.
  setsid nohup "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  echo $! >"$RUN/$name.pid"
}

# stop_service NAME [GRACE_SECONDS]: SIGTERM the service, then SIGKILL whatever is left.
stop_service() {
  local name="$1" grace="${2:-15}" pids leader i
  pids="$(service_pids "$name")"
  if [[ -n $pids ]]; then
    # The leader (uwsgi master, glance-api parent) stops its own workers; signalling the
    # workers too would make the master respawn them. Orphaned workers get it directly.
    if leader="$(pid_of "$name")"; then kill -TERM "$leader" 2>/dev/null || true
    # shellcheck disable=SC2086
    else kill -TERM $pids 2>/dev/null || true; fi
    for ((i = 0; i < grace * 10; i++)); do
      [[ -z "$(service_pids "$name")" ]] && break
      sleep 0.1
    done
    pids="$(service_pids "$name")"
    if [[ -n $pids ]]; then
      say "$name did not stop within ${grace}s; sending SIGKILL"
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do [[ -z "$(service_pids "$name")" ]] && break; sleep 0.1; done
    fi
  fi
  rm -f "$RUN/$name.pid"
}

# port_in_use PORT: true when something listens on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- health ------------------------------------------------------------------------------------

keystone_healthy() {
  [[ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$KEYSTONE_URL")" == 200 ]]
}

# admin_token: prints a project-scoped admin token (about 0.3 s: bcrypt).
admin_token() {
  local body
  body='{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"'"$ADMIN_PASS"'"}}},"scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}'
  curl -s -m 10 -D - -o /dev/null -H 'Content-Type: application/json' -d "$body" \
    "$KEYSTONE_URL/auth/tokens" | tr -d '\r' | awk 'tolower($1) == "x-subject-token:" { print $2 }'
}

# glance_healthy TOKEN: an authenticated image list answers 200 (proves keystonemiddleware works).
glance_healthy() {
  [[ -n ${1:-} ]] || return 1
  [[ "$(curl -s -o /dev/null -m 10 -w '%{http_code}' -H "X-Auth-Token: $1" "$GLANCE_URL/v2/images?limit=1")" == 200 ]]
}

# wait_for NAME "LOGFILE..." CHECK...: polls CHECK until it succeeds, the service dies, or the
# timeout; on failure shows the end of each log file and names them.
wait_for() {
  local name="$1" logs="$2"; shift 2
  local deadline=$((SECONDS + HEALTH_TIMEOUT)) why="" f
  until "$@"; do
    if ! pid_of "$name" >/dev/null; then why="$name exited during start-up"
    elif ((SECONDS >= deadline)); then why="$name not healthy after ${HEALTH_TIMEOUT}s"; fi
    if [[ -n $why ]]; then
      for f in $logs; do echo "--- tail $f" >&2; tail -n 15 "$f" >&2 2>/dev/null || true; done
      die "$why; see ${logs// / and }"
    fi
    sleep 0.2
  done
}

# --- glance --------------------------------------------------------------------------------------

# start_glance: starts the eventlet glance-api (the way Debian's init script runs it) unless it
# already runs. Does not wait; see wait_glance.
start_glance() {
  pid_of glance-api >/dev/null && return 0
  if port_in_use 9292; then
    die "127.0.0.1:9292 is taken by a process that is not this test cloud's glance-api (state $STATE)"
  fi
  start_detached glance-api "$LOG/glance-api.console.log" \
    /usr/bin/glance-api --config-file "$STATE/glance-api.conf"
}

wait_glance() {
  local token
  token="$(admin_token)"
  [[ -n $token ]] || die "could not get an admin token from keystone; see $LOG/keystone.log"
  wait_for glance-api "$LOG/glance-api.log $LOG/glance-api.console.log" glance_healthy "$token"
}
