#!/usr/bin/env bash
# Local nginx gateway on 127.0.0.1:$TOIT_GATEWAY_PORT in front of the services,
# run as a plain process with everything under <state dir>/nginx.
#
#   gateway.sh start | stop | status
#
# start renders deploy/nginx/toit.conf.template, checks it (nginx -t) and starts
# nginx, or reloads it when it already runs (e.g. after TOIT_COTATION_REPLICAS changed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
shopt -u patsub_replacement 2>/dev/null || true   # keep "&" literal in ${x//a/b}

CONF_DIR="$TOIT_REPO/deploy/nginx"
NGX_DIR="$TOIT_STATE_DIR/nginx"
CONF="$NGX_DIR/toit.conf"
PID="$NGX_DIR/nginx.pid"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
TOKEN_RATE="${TOIT_GATEWAY_TOKEN_RATE:-10r/m}"

ngx() { "$NGINX" -p "$NGX_DIR/" -e "$NGX_DIR/logs/error.log" -c "$CONF" "$@"; }
running() { pid_alive "$PID" && [[ "$(cat "/proc/$(head -n1 "$PID")/comm" 2>/dev/null)" == nginx ]]; }

render() {
  [[ $TOIT_COTATION_REPLICAS =~ ^[1-9][0-9]*$ ]] || die "TOIT_COTATION_REPLICAS must be >= 1"
  local svc i up="" tpl
  for svc in "${TOIT_SERVICES[@]}"; do
    up+="    upstream toit_$svc {"$'\n'
    if [[ $svc == cotation ]]; then
      for ((i = 0; i < TOIT_COTATION_REPLICAS; i++)); do
        up+="        server 127.0.0.1:$((TOIT_SERVICE_PORT[cotation] + 10 * i));"$'\n'
      done
    else
      up+="        server 127.0.0.1:${TOIT_SERVICE_PORT[$svc]};"$'\n'
    fi
    up+="        keepalive 16;"$'\n'"    }"$'\n'
  done
  up+="    upstream toit_espace_pro {"$'\n'"        server 127.0.0.1:$TOIT_ESPACE_PRO_PORT;"$'\n'
  up+="        keepalive 16;"$'\n'"    }"$'\n'
  tpl="$(<"$CONF_DIR/toit.conf.template")"
  # Workers need the temp dirs, which may sit under a root-only checkout.
  if [[ $(id -u) == 0 ]]; then tpl="${tpl//@USER_DIRECTIVE@/user root;}"; else tpl="${tpl//@USER_DIRECTIVE@/}"; fi
  tpl="${tpl//@PREFIX@/$NGX_DIR}"
  tpl="${tpl//@CONF_DIR@/$CONF_DIR}"
  tpl="${tpl//@PORT@/$TOIT_GATEWAY_PORT}"
  tpl="${tpl//@TOKEN_RATE@/$TOKEN_RATE}"
  [[ ${TOIT_MODE:-demo} =~ ^[a-z]+$ ]] || die "TOIT_MODE must be a word"
  tpl="${tpl//@MODE@/${TOIT_MODE:-demo}}"
  tpl="${tpl//@UPSTREAMS@/${up%$'\n'}}"
  printf '%s\n' "$tpl" >"$CONF.tmp"
  mv -f "$CONF.tmp" "$CONF"
}

start() {
  [[ -x $NGINX ]] || die "nginx not installed (run deploy/local/bootstrap.sh)"
  mkdir -p "$NGX_DIR/logs" "$NGX_DIR/tmp"
  render
  local out
  out="$(ngx -q -t 2>&1)" || { echo "$out" >&2; die "invalid nginx configuration: $CONF"; }
  if running; then
    ngx -s reload </dev/null >/dev/null 2>&1 || die "nginx reload failed (see $NGX_DIR/logs/error.log)"
    return
  fi
  rm -f "$PID"
  out="$(ngx </dev/null 2>&1)" || { echo "$out" >&2; die "nginx failed to start"; }
  local i
  for i in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$TOIT_GATEWAY_PORT") 2>/dev/null && return
    sleep 0.1
  done
  die "nginx started but 127.0.0.1:$TOIT_GATEWAY_PORT is closed (see $NGX_DIR/logs/error.log)"
}

stop() {
  running || { rm -f "$PID"; return 0; }
  local pid i
  pid="$(head -n1 "$PID")"
  kill -QUIT "$pid"   # graceful: finish in-flight requests
  for i in $(seq 100); do pid_running "$pid" || break; sleep 0.1; done
  kill -TERM "$pid" 2>/dev/null || true
  rm -f "$PID"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if running; then echo "gateway: running (pid $(head -n1 "$PID")) on http://127.0.0.1:$TOIT_GATEWAY_PORT/"
    else echo "gateway: stopped"; exit 3; fi ;;
  *) echo "usage: ${0##*/} start|stop|status" >&2; exit 2 ;;
esac
