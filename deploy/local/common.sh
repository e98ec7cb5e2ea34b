# shellcheck shell=bash disable=SC2034  # (variables are used by the sourcing scripts)
# Shared settings for the deploy/local/*.sh scripts (sourced, not executed).
# Every value can be overridden from the environment.

TOIT_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOIT_REPO="$(cd "$TOIT_LOCAL_DIR/../.." && pwd)"

TOIT_STATE_DIR="${TOIT_STATE_DIR:-$TOIT_REPO/.data/infra}"
[[ $TOIT_STATE_DIR == /* ]] || TOIT_STATE_DIR="$PWD/$TOIT_STATE_DIR"
TOIT_PG_PORT="${TOIT_PG_PORT:-55432}"
TOIT_AMQP_PORT="${TOIT_AMQP_PORT:-55672}"
TOIT_RABBITMQ_DIST_PORT="${TOIT_RABBITMQ_DIST_PORT:-55673}"
TOIT_EPMD_PORT="${TOIT_EPMD_PORT:-54369}"
TOIT_RABBITMQ_MANAGEMENT="${TOIT_RABBITMQ_MANAGEMENT:-1}"   # management API (tests use it); 0 = off
TOIT_RABBITMQ_MGMT_PORT="${TOIT_RABBITMQ_MGMT_PORT:-55674}"
TOIT_GATEWAY_PORT="${TOIT_GATEWAY_PORT:-8000}"
TOIT_COTATION_REPLICAS="${TOIT_COTATION_REPLICAS:-1}"

# Service name -> local HTTP port: base+1 … base+8 (cotation replica i listens on base+3+10*i).
TOIT_SERVICE_PORT_BASE="${TOIT_SERVICE_PORT_BASE:-8100}"
TOIT_SERVICES=(identite demandes cotation matching observatoire portail notifications abonnements)
declare -A TOIT_SERVICE_PORT=()
for _i in "${!TOIT_SERVICES[@]}"; do
  TOIT_SERVICE_PORT[${TOIT_SERVICES[$_i]}]=$((TOIT_SERVICE_PORT_BASE + _i + 1))
done
unset _i
# The espace professionnel (frontends/espace-pro), served under /pro/ by the gateway.
TOIT_ESPACE_PRO_PORT="${TOIT_ESPACE_PRO_PORT:-$((TOIT_SERVICE_PORT_BASE + 9))}"

die() { echo "${0##*/}: error: $*" >&2; exit 1; }

# True when a Docker engine answers (TOIT_USE_DOCKER=0/1 forces the answer).
docker_available() {
  case "${TOIT_USE_DOCKER:-auto}" in
    0|no|false) return 1 ;;
    1|yes|true) return 0 ;;
  esac
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

# /proc/PID/stat after the command name: "state ppid pgrp ...".
_proc_stat() {
  local line
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
  printf '%s\n' "${line##*) }"
}
# True when process $1 runs (zombies count as gone: PID 1 may be slow to reap them).
pid_running() { local st; st="$(_proc_stat "$1")" && [[ ${st%% *} != Z ]]; }
# True when the pid stored in file $1 runs.
pid_alive() {
  local pid
  [[ -s $1 ]] && pid="$(head -n1 "$1")" && [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid"
}
# True when a non-zombie process is left in process group $1.
group_alive() {
  local f line st pgrp
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r st _ pgrp _ <<<"${line##*) }"
    [[ $pgrp == "$1" && $st != Z ]] && return 0
  done
  return 1
}

# GET $1 and succeed on HTTP 200.
http_ok() {
  if command -v curl >/dev/null 2>&1; then
    [[ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" || true)" == 200 ]]
  else
    python3 - "$1" <<'EOF' >/dev/null 2>&1
import sys, urllib.request
sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=3).status == 200 else 1)
EOF
  fi
}

TOIT_RUN_DIR="$TOIT_STATE_DIR/run"    # service pid files
TOIT_LOG_DIR="$TOIT_STATE_DIR/logs"   # service logs

# The service instance recorded in pid file $1 is alive (and really one of ours).
instance_alive() {
  pid_alive "$1" && tr '\0' ' ' <"/proc/$(head -n1 "$1")/cmdline" 2>/dev/null | grep -qE 'toit-service|toit-espace-pro'
}

# Stop the service instance of pid file $1: its whole process group (uv + python),
# SIGTERM first, SIGKILL after 15 s.
stop_instance() {
  local pid
  if instance_alive "$1"; then
    pid="$(head -n1 "$1")"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do group_alive "$pid" || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}
