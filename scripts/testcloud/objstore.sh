#!/usr/bin/env bash
# Starts the test cloud's object store: Debian's OpenStack Swift with s3api on 127.0.0.1:18080,
# configured like Huawei OBS where Swift can be (10,000 parts, 100 KB minimum part, path style and
# virtual-host style). Facts behind each choice: shared/reference/objstore.md §1.
#
#   bash scripts/testcloud/objstore.sh         # idempotent; ~0.3 s when everything already runs
#   bash scripts/testcloud/objstore.sh stop    # stops it (down.sh calls this); the state is kept
#
# up.sh runs it last. State: $IMAGEDROP_TESTCLOUD_DIR/objstore/{etc,srv/node/d1,log,run}; the
# settings tests and tools need are in objstore/objstore.env (sourceable shell, one VAR=value a line):
#   OBJSTORE_ENDPOINT OBJSTORE_REGION OBJSTORE_BUCKET OBJSTORE_ACCESS_KEY OBJSTORE_SECRET_KEY
#   OBJSTORE_OTHER_ACCESS_KEY OBJSTORE_OTHER_SECRET_KEY OBJSTORE_SWIFT_AUTH_URL OBJSTORE_SWIFT_USER
#   OBJSTORE_SWIFT_KEY OBJSTORE_SWIFT_STORAGE_URL
#
# Processes (each in its own session, pid file in objstore/run, stopped by session like lib.sh does):
#   memcached 127.0.0.1:21211 (tempauth keeps its tokens there and refuses to work without it);
#   object/container/account servers 127.0.0.1:16200/16201/16202, workers = 0 (one process each);
#   proxy 127.0.0.1:18080, 2 workers, pipeline with s3api right before tempauth (s3api multipart is
#   built on SLO, which comes after it).
# Accounts (tempauth: the S3 access key is account:user, so it contains a colon):
#   images:uploader / objstore-secret-key   .admin of AUTH_images (buckets images, images-cold, images-other)
#   other:stranger  / objstore-other-key    .admin of AUTH_other, which has no bucket: S3 bucket names are
#                                           per account here, so it gets 404 NoSuchBucket for `images`
#   images:reader   / objstore-reader-key   no role; a read ACL on `images` only: HEAD works, writes get
#                                           403 AccessDenied (not in the env file: electron/main/testing/objstore.ts)
# Virtual-host style: s3api's storage_domain is objstore.imagedrop.test (Host: images.objstore.imagedrop.test;
# nothing resolves that name: a client connects to 127.0.0.1 and sends the Host header).
# Knobs: OBJSTORE_REGION (cn-north-4: the store stands for OBS in Huawei's cn-north-4), OBJSTORE_MIN_PART (102400), OBJSTORE_PROXY_WORKERS (2).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OS_DIR="$STATE/objstore"
# lib.sh's helpers (start_detached, pid_of, service_pids, stop_service) use RUN and LOG: ours.
RUN="$OS_DIR/run"
LOG="$OS_DIR/log"
ETC="$OS_DIR/etc"
ENV_FILE="$OS_DIR/objstore.env"

PORT=18080
REGION_S3="${OBJSTORE_REGION:-cn-north-4}"
MIN_PART="${OBJSTORE_MIN_PART:-102400}"
PROXY_WORKERS="${OBJSTORE_PROXY_WORKERS:-2}"
STORAGE_DOMAIN="objstore.imagedrop.test"
ENDPOINT="http://127.0.0.1:$PORT"
SERVICES=(memcached swift-object swift-container swift-account swift-proxy)
PACKAGES=(swift swift-proxy swift-object swift-container swift-account python3-swift memcached curl)

# One objstore.sh at a time. fd 9: start_detached closes it for the daemons, and up.sh's own lock
# (also fd 9, another file) is replaced here, not released.
mkdir -p "$OS_DIR"
exec 9>"$STATE/objstore.lock"
flock -w 300 9 || die "another objstore.sh holds $STATE/objstore.lock"

if [[ ${1:-} == stop ]]; then
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_service "${SERVICES[i]}" 10; done
  echo "testcloud: object store down (state kept in $OS_DIR)"
  exit 0
fi
[[ -z ${1:-} ]] || die "usage: $0 [stop]"

# --- packages ---------------------------------------------------------------------------------

ensure_packages() {
  local missing=() line p
  local -A status=()
  # One dpkg-query for all of them (each call costs ~0.1 s on a busy 2-core machine).
  while read -r p line; do status[$p]="$line"; done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null)
  for p in "${PACKAGES[@]}"; do [[ ${status[$p]:-} == installed ]] || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  [[ $EUID -eq 0 ]] || die "missing packages (${missing[*]}) and not root"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The packages' init scripts must not start memcached/swift on the system's own ports.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  local rc=0
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || rc=$?
  if ((rc != 0)); then # stale or missing package lists: refresh, retry once
    apt-get update -qq && rc=0 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  fi
  ((added_policy)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${missing[*]} failed (exit $rc)"
}
ensure_packages
# Swift reads the hash prefix/suffix from this fixed path only; Debian's package ships it.
[[ -r /etc/swift/swift.conf ]] || die "/etc/swift/swift.conf is missing (the swift package ships it)"

mkdir -p "$ETC" "$OS_DIR/srv/node/d1" "$OS_DIR/cache" "$RUN" "$LOG"

# --- config files -----------------------------------------------------------------------------

ME="$(id -un)"
declare -A changed=()

# put FILE TEXT: writes TEXT to FILE when different; status 0 when FILE changed. No fork when equal.
put() {
  if [[ -f $1 && "$(<"$1")"$'\n' == "$2" ]]; then return 1; fi
  printf '%s' "$2" >"$1.new" && mv "$1.new" "$1"
}
# text VAR <<EOF: a heredoc into VAR, without a subshell.
text() { IFS= read -r -d '' "$1" || true; }

backend_conf() { # NAME PORT EXTRA-SECTIONS
  text conf <<EOF
# Generated by scripts/testcloud/objstore.sh; rewritten on every run.
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $2
# One process: the same throughput as workers = 1 here, for ~60 MB less per server.
workers = 0
devices = $OS_DIR/srv/node
mount_check = false
swift_dir = $ETC
user = $ME
log_name = $1-server
recon_cache_path = $OS_DIR/cache

[pipeline:main]
pipeline = healthcheck recon $1-server

[app:$1-server]
use = egg:swift#$1

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:recon]
use = egg:swift#recon
$3
EOF
  put "$ETC/$1-server.conf" "$conf" && changed[swift-$1]=1
  return 0
}
backend_conf object 16200 $'\n[object-replicator]\n[object-reconstructor]\n[object-updater]\n[object-auditor]'
backend_conf container 16201 $'\n[container-replicator]\n[container-updater]\n[container-auditor]\n[container-sync]'
backend_conf account 16202 $'\n[account-replicator]\n[account-auditor]\n[account-reaper]'

text conf <<EOF
# Generated by scripts/testcloud/objstore.sh; rewritten on every run.
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $PORT
workers = $PROXY_WORKERS
swift_dir = $ETC
user = $ME
log_name = proxy-server

[pipeline:main]
# The SAIO order: s3api right before the auth middleware, slo after it (s3api multipart is SLO).
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl ratelimit s3api tempauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:s3api]
use = egg:swift#s3api
location = $REGION_S3
# OBS's limits, not AWS's (Swift's defaults are 1000 parts and 5 MiB).
max_upload_part_num = 10000
min_segment_size = $MIN_PART
max_parts_listing = 1000
storage_domain = $STORAGE_DOMAIN

[filter:tempauth]
use = egg:swift#tempauth
user_images_uploader = objstore-secret-key .admin $ENDPOINT/v1/AUTH_images
user_images_reader = objstore-reader-key $ENDPOINT/v1/AUTH_images
user_other_stranger = objstore-other-key .admin $ENDPOINT/v1/AUTH_other

[filter:slo]
use = egg:swift#slo
max_manifest_segments = 10000
rate_limit_under_size = 0

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:21211

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:ratelimit]
use = egg:swift#ratelimit
[filter:copy]
use = egg:swift#copy
[filter:container-quotas]
use = egg:swift#container_quotas
[filter:account-quotas]
use = egg:swift#account_quotas
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
[filter:symlink]
use = egg:swift#symlink
EOF
put "$ETC/proxy-server.conf" "$conf" && changed[swift-proxy]=1

# --- rings (Debian's python3, which has swift; one process: 0.5 s, where nine swift-ring-builder calls take 4 s) -----------

if [[ ! -s $ETC/object.ring.gz || ! -s $ETC/container.ring.gz || ! -s $ETC/account.ring.gz ]]; then
  say "building the object store's rings"
  /usr/bin/python3 - "$ETC" <<'EOF' || die "building the Swift rings failed"
import sys
from swift.common.ring import RingBuilder
etc = sys.argv[1]
for name, port in (('account', 16202), ('container', 16201), ('object', 16200)):
    b = RingBuilder(8, 1, 1)  # part power 8, 1 replica, min_part_hours 1
    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port,
               'replication_ip': '127.0.0.1', 'replication_port': port, 'device': 'd1', 'weight': 100})
    b.rebalance()
    b.save(f'{etc}/{name}.builder')
    b.get_ring().save(f'{etc}/{name}.ring.gz')
EOF
  changed[swift-object]=1 changed[swift-container]=1 changed[swift-account]=1 changed[swift-proxy]=1
fi

# --- start --------------------------------------------------------------------------------------

for name in "${!changed[@]}"; do
  if pid_of "$name" >/dev/null; then
    say "$name config changed: restarting it"
    stop_service "$name" 10
  fi
done

# alive NAME: lib.sh's pid_of (the pid file's process runs and names our state dir), without a fork.
alive() {
  local pidfile="$RUN/$1.pid" pid args=()
  [[ -s $pidfile ]] || return 1
  pid="$(<"$pidfile")"
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  mapfile -d '' args </proc/"$pid"/cmdline 2>/dev/null || return 1
  [[ "${args[*]}" == *"$STATE/"* ]]
}

started=0
start_one() { # NAME PORT CMD...
  local name="$1" port="$2"; shift 2
  alive "$name" && return 0
  port_in_use "$port" && die "127.0.0.1:$port is taken by a process that is not this object store's $name (state $OS_DIR)"
  start_detached "$name" "$LOG/$name.log" "$@"
  started=1
}
# memcached's command line must name the state dir (pid_of checks it): -P is ignored without -d.
start_one memcached 21211 /usr/bin/memcached -l 127.0.0.1 -p 21211 -U 0 -m 64 -c 256 -u "$ME" -P "$RUN/memcached.pidfile"
start_one swift-object 16200 /usr/bin/swift-object-server "$ETC/object-server.conf" -v
start_one swift-container 16201 /usr/bin/swift-container-server "$ETC/container-server.conf" -v
start_one swift-account 16202 /usr/bin/swift-account-server "$ETC/account-server.conf" -v
start_one swift-proxy "$PORT" /usr/bin/swift-proxy-server "$ETC/proxy-server.conf" -v

healthy() { [[ "$(curl -s -m 5 "http://127.0.0.1:$1/healthcheck")" == OK ]]; }
memcached_up() { (exec 3<>/dev/tcp/127.0.0.1/21211) 2>/dev/null; }
wait_healthy() { # NAME PORT
  local deadline=$((SECONDS + HEALTH_TIMEOUT))
  until healthy "$2"; do
    if ! pid_of "$1" >/dev/null || ((SECONDS >= deadline)); then
      tail -n 20 "$LOG/$1.log" >&2 2>/dev/null || true
      die "$1 did not become healthy on 127.0.0.1:$2; see $LOG/$1.log"
    fi
    sleep 0.1
  done
}
# One curl for the four health checks when nothing had to start (the ~0.3 s path).
if ((started)) || [[ "$(curl -s -m 5 "http://127.0.0.1:"{16200,16201,16202,$PORT}/healthcheck)" != OKOKOKOK ]]; then
  until memcached_up; do pid_of memcached >/dev/null || die "memcached exited; see $LOG/memcached.log"; sleep 0.05; done
  wait_healthy swift-object 16200
  wait_healthy swift-container 16201
  wait_healthy swift-account 16202
  wait_healthy swift-proxy "$PORT"
fi

# --- buckets, ACL, env file -----------------------------------------------------------------------

SWIFT_AUTH_URL="$ENDPOINT/auth/v1.0"
STORAGE_URL="$ENDPOINT/v1/AUTH_images"
text conf <<EOF
OBJSTORE_ENDPOINT=$ENDPOINT
OBJSTORE_REGION=$REGION_S3
OBJSTORE_BUCKET=images
OBJSTORE_ACCESS_KEY=images:uploader
OBJSTORE_SECRET_KEY=objstore-secret-key
OBJSTORE_OTHER_ACCESS_KEY=other:stranger
OBJSTORE_OTHER_SECRET_KEY=objstore-other-key
OBJSTORE_SWIFT_AUTH_URL=$SWIFT_AUTH_URL
OBJSTORE_SWIFT_USER=images:uploader
OBJSTORE_SWIFT_KEY=objstore-secret-key
OBJSTORE_SWIFT_STORAGE_URL=$STORAGE_URL
EOF
put "$ENV_FILE" "$conf" || true

# Buckets once per state (and again after a restart, which is cheap); a marker holds what was made.
buckets_key="images images-cold images-other reader-acl $REGION_S3"
if ((started)) || [[ ! -f $OS_DIR/buckets || "$(<"$OS_DIR/buckets")" != "$buckets_key" ]]; then
  token="$(curl -s -m 10 -D - -o /dev/null -H 'X-Auth-User: images:uploader' -H 'X-Auth-Key: objstore-secret-key' \
    "$SWIFT_AUTH_URL" | tr -d '\r' | awk 'tolower($1) == "x-auth-token:" { print $2 }')"
  [[ -n $token ]] || die "tempauth gave no token for images:uploader; see $LOG/swift-proxy.log"
  for bucket in images images-cold images-other; do
    code="$(curl -s -o /dev/null -m 10 -w '%{http_code}' -X PUT -H "X-Auth-Token: $token" "$STORAGE_URL/$bucket")"
    [[ $code == 201 || $code == 202 ]] || die "creating the bucket $bucket answered $code"
  done
  code="$(curl -s -o /dev/null -m 10 -w '%{http_code}' -X POST -H "X-Auth-Token: $token" \
    -H 'X-Container-Read: images:reader' "$STORAGE_URL/images")"
  [[ $code == 204 ]] || die "setting the read ACL on images answered $code"
  echo "$buckets_key" >"$OS_DIR/buckets"
fi

echo "testcloud: object store up (S3 $ENDPOINT, region $REGION_S3, bucket images; $ENV_FILE)"
