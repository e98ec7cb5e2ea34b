#!/usr/bin/env bash
# Start the whole Toit stack on this machine: PostgreSQL + RabbitMQ (infra.sh),
# the seven services (uv run toit-service ...), then the nginx gateway, and wait
# until every service answers /api/<svc>/healthz through the gateway.
# With a Docker engine, docker compose (docker-compose.yml) does it instead.
#
# Env: TOIT_COTATION_REPLICAS (1), TOIT_GATEWAY_PORT (8000), TOIT_MODE (demo),
#      TOIT_USE_DOCKER (auto|0|1), plus the infra.sh settings.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
HEALTH_TIMEOUT=90

"$TOIT_LOCAL_DIR/bootstrap.sh"
[[ $TOIT_COTATION_REPLICAS =~ ^[1-9][0-9]*$ ]] || die "TOIT_COTATION_REPLICAS must be >= 1"

if docker_available; then
  cd "$TOIT_REPO"
  docker compose up -d --build --wait --wait-timeout 300 --scale "cotation=$TOIT_COTATION_REPLICAS"
  echo "Toit is up: http://127.0.0.1:$TOIT_GATEWAY_PORT/"
  exit 0
fi

"$TOIT_LOCAL_DIR/infra.sh" start
eval "$("$TOIT_LOCAL_DIR/infra.sh" env)"
mkdir -p "$TOIT_RUN_DIR" "$TOIT_LOG_DIR"
(cd "$TOIT_REPO" && uv sync --all-packages --frozen --quiet) || die "uv sync failed"
# Services fetch identite's keys directly, not through the (rate-limited) gateway.
export TOIT_JWKS_URL="${TOIT_JWKS_URL:-http://127.0.0.1:${TOIT_SERVICE_PORT[identite]}/api/identite/jwks}"

# start_instance NAME SERVICE PORT: one background service process, in its own
# process group (so down.sh can stop uv and its child together).
start_instance() {
  local name=$1 svc=$2 port=$3 pidf="$TOIT_RUN_DIR/$1.pid"
  instance_alive "$pidf" && return
  local url_var="TOIT_DATABASE_URL_${svc^^}"
  (
    cd "$TOIT_REPO"
    export TOIT_SERVICE="$svc" TOIT_MODE="${TOIT_MODE:-demo}" TOIT_BUS=amqp
    # X-Forwarded-For is trusted from the gateway only (nginx on loopback), whatever
    # the caller's environment says: the login throttle counts per client address.
    export FORWARDED_ALLOW_IPS=127.0.0.1
    export TOIT_DATABASE_URL="${!url_var}"
    # The portail's pages call identite's public API through the gateway.
    export TOIT_UI_GATEWAY_URL="http://127.0.0.1:$TOIT_GATEWAY_PORT"
    exec setsid uv run --no-sync toit-service run "$svc" --port "$port" \
      </dev/null >>"$TOIT_LOG_DIR/$name.log" 2>&1
  ) &
  echo $! >"$pidf"
}

# wait_healthy URL...: until each URL answers 200; fails early when a started
# instance (names in $names) has exited.
wait_healthy() {
  local urls=("$@") pending url name deadline=$((SECONDS + HEALTH_TIMEOUT))
  while ((${#urls[@]})); do
    pending=()
    for url in "${urls[@]}"; do http_ok "$url" || pending+=("$url"); done
    urls=("${pending[@]+"${pending[@]}"}")
    ((${#urls[@]})) || return 0
    for name in "${names[@]}"; do
      instance_alive "$TOIT_RUN_DIR/$name.pid" && continue
      tail -n 30 "$TOIT_LOG_DIR/$name.log" >&2 || true
      die "service $name exited (log: $TOIT_LOG_DIR/$name.log); deploy/local/down.sh stops the rest"
    done
    if ((SECONDS >= deadline)); then
      printf '  not healthy: %s\n' "${urls[@]}" >&2
      die "services not healthy after ${HEALTH_TIMEOUT}s (logs: $TOIT_LOG_DIR)"
    fi
    sleep 1
  done
}

# 1. One instance of each service, then the gateway.
names=() urls=()
for svc in "${TOIT_SERVICES[@]}"; do
  start_instance "$svc" "$svc" "${TOIT_SERVICE_PORT[$svc]}"
  names+=("$svc")
  urls+=("http://127.0.0.1:$TOIT_GATEWAY_PORT/api/$svc/healthz")
done
# The espace professionnel: stateless, it calls the gateway's public API only.
pidf="$TOIT_RUN_DIR/espace-pro.pid"
if ! instance_alive "$pidf"; then
  (
    cd "$TOIT_REPO"
    export TOIT_MODE="${TOIT_MODE:-demo}" TOIT_UI_GATEWAY_URL="http://127.0.0.1:$TOIT_GATEWAY_PORT"
    exec setsid uv run --no-sync toit-espace-pro --port "$TOIT_ESPACE_PRO_PORT" \
      </dev/null >>"$TOIT_LOG_DIR/espace-pro.log" 2>&1
  ) &
  echo $! >"$pidf"
fi
names+=(espace-pro)
urls+=("http://127.0.0.1:$TOIT_GATEWAY_PORT/pro/healthz")
"$TOIT_LOCAL_DIR/gateway.sh" start
wait_healthy "${urls[@]}"

# 2. Extra cotation replicas, once the first one has migrated the database.
urls=()
for ((i = 1; i < TOIT_COTATION_REPLICAS; i++)); do
  port=$((TOIT_SERVICE_PORT[cotation] + 10 * i))
  start_instance "cotation-$i" cotation "$port"
  names+=("cotation-$i")
  urls+=("http://127.0.0.1:$port/api/cotation/healthz")
done
wait_healthy "${urls[@]+"${urls[@]}"}"
# Replicas left over from a previous run with a larger TOIT_COTATION_REPLICAS.
for pidf in "$TOIT_RUN_DIR"/cotation-*.pid; do
  [[ -e $pidf ]] || continue
  i="${pidf##*/cotation-}"; i="${i%.pid}"
  if ((i >= TOIT_COTATION_REPLICAS)); then stop_instance "$pidf"; fi
done

echo "Toit is up: http://127.0.0.1:$TOIT_GATEWAY_PORT/"
