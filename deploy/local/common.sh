# Shared settings for the deploy/local/*.sh scripts (sourced, not executed).
# Every value can be overridden from the environment.

TOIT_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOIT_REPO="$(cd "$TOIT_LOCAL_DIR/../.." && pwd)"

TOIT_STATE_DIR="${TOIT_STATE_DIR:-$TOIT_REPO/.data/infra}"
TOIT_PG_PORT="${TOIT_PG_PORT:-55432}"
TOIT_AMQP_PORT="${TOIT_AMQP_PORT:-55672}"
TOIT_RABBITMQ_DIST_PORT="${TOIT_RABBITMQ_DIST_PORT:-55673}"
TOIT_EPMD_PORT="${TOIT_EPMD_PORT:-54369}"
TOIT_RABBITMQ_MANAGEMENT="${TOIT_RABBITMQ_MANAGEMENT:-0}"   # 1 = enable the management UI
TOIT_RABBITMQ_MGMT_PORT="${TOIT_RABBITMQ_MGMT_PORT:-55674}"
TOIT_GATEWAY_PORT="${TOIT_GATEWAY_PORT:-8000}"
TOIT_COTATION_REPLICAS="${TOIT_COTATION_REPLICAS:-1}"

# Service name -> local HTTP port (cotation replica i listens on 8103 + 10*i).
TOIT_SERVICES=(identite demandes cotation matching observatoire portail notifications)
declare -A TOIT_SERVICE_PORT=(
  [identite]=8101 [demandes]=8102 [cotation]=8103 [matching]=8104
  [observatoire]=8105 [portail]=8106 [notifications]=8107
)

die() { echo "${0##*/}: error: $*" >&2; exit 1; }

# True when a Docker engine answers (TOIT_USE_DOCKER=0/1 forces the answer).
docker_available() {
  case "${TOIT_USE_DOCKER:-auto}" in
    0|no|false) return 1 ;;
    1|yes|true) return 0 ;;
  esac
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

# True when the pid stored in file $1 is a live process.
pid_alive() {
  local pid
  [[ -s $1 ]] && pid="$(head -n1 "$1")" && [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
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
