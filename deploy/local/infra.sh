#!/usr/bin/env bash
# Local PostgreSQL + RabbitMQ as plain processes on 127.0.0.1 (no Docker, no systemd).
#
#   infra.sh start | stop | status | env | restart-rabbitmq | psql [psql args...]
#
# DEV ONLY: the postgres superuser is trusted on loopback and each service role
# toit_<svc> has the fixed password toit_<svc>_dev. Never reuse these anywhere real.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# PostgreSQL refuses to run as root and must reach its files as the postgres user,
# which cannot traverse a checkout under /root: its data and socket live in /var/tmp.
PG_TOP="/var/tmp/toit-$(printf %s "$TOIT_STATE_DIR" | sha256sum | cut -c1-10)"
PG_BASE="$PG_TOP/postgres"
PG_DATA="$PG_BASE/data"
PG_RUN="$PG_BASE/run"
PG_LOG="$PG_BASE/postgres.log"
PG_BIN="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)"   # newest installed
[[ -d $PG_BIN ]] || PG_BIN=""

RMQ_DIR="$TOIT_STATE_DIR/rabbitmq"
RMQ_BIN=/usr/lib/rabbitmq/bin
RMQ_PID="$RMQ_DIR/rabbitmq.pid"        # written by the Erlang node itself
RMQ_LAUNCHER="$RMQ_DIR/launcher.pid"   # the rabbitmq-server wrapper script

# pid_is FILE COMM: the pid in FILE is alive and its command name is COMM.
pid_is() { pid_alive "$1" && [[ "$(cat "/proc/$(head -n1 "$1")/comm" 2>/dev/null)" == "$2" ]]; }

# ---------------------------------------------------------------- PostgreSQL
as_pg() { (cd / && runuser -u postgres -- "$@"); }
pg_running() { pid_is "$PG_DATA/postmaster.pid" postgres; }
pg_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$TOIT_PG_PORT" -U postgres -d postgres; }

pg_start() {
  [[ -n $PG_BIN && -x $PG_BIN/initdb ]] || die "PostgreSQL not installed (run deploy/local/bootstrap.sh)"
  id postgres >/dev/null 2>&1 || die "no 'postgres' system user (is the postgresql package installed?)"
  # /var/tmp is world-writable: refuse a directory someone else prepared for us.
  mkdir -p "$PG_TOP"
  [[ ! -L $PG_TOP && "$(stat -c %u "$PG_TOP")" == "$(id -u)" ]] || die "$PG_TOP is not ours"
  chmod 755 "$PG_TOP"
  mkdir -p "$PG_RUN"
  chown postgres:postgres "$PG_BASE" "$PG_RUN"
  chmod 700 "$PG_BASE"
  mkdir -p "$TOIT_STATE_DIR"
  echo "$PG_BASE" >"$TOIT_STATE_DIR/postgres.path"

  if [[ ! -e $PG_BASE/initialized ]]; then   # first run, or an initdb that was interrupted
    rm -rf "$PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust \
      >"$PG_BASE/initdb.log" 2>&1 || { cat "$PG_BASE/initdb.log" >&2; die "initdb failed"; }
    echo "include 'toit.conf'" >>"$PG_DATA/postgresql.conf"
    touch "$PG_BASE/initialized"
  fi
  # Rewritten on every start so port changes apply; fsync etc. keep their safe defaults.
  cat >"$PG_DATA/toit.conf" <<EOF
# Written by deploy/local/infra.sh
listen_addresses = '127.0.0.1'
port = $TOIT_PG_PORT
unix_socket_directories = '$PG_RUN'
max_connections = 300
shared_buffers = 256MB
# Group commit: with at least commit_siblings other transactions open, a commit
# waits this many microseconds so that one WAL flush covers several commits.
# Every commit is still flushed before it returns (fsync, synchronous_commit on).
commit_delay = 300
commit_siblings = 5
EOF
  cat >"$PG_DATA/pg_hba.conf" <<'EOF'
# Written by deploy/local/infra.sh. DEV ONLY: superuser trusted on loopback.
# TYPE  DATABASE  USER      ADDRESS       METHOD
local   all       postgres                trust
host    all       postgres  127.0.0.1/32  trust
local   all       all                     scram-sha-256
host    all       all       127.0.0.1/32  scram-sha-256
EOF
  chown postgres:postgres "$PG_DATA/toit.conf" "$PG_DATA/pg_hba.conf"

  if ! pg_running; then
    # A killed previous run leaves lock files behind; the server is not running, drop them.
    rm -f "$PG_DATA/postmaster.pid" "$PG_RUN"/.s.PGSQL.*
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s start >/dev/null 2>&1 ||
      { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL failed to start (log: $PG_LOG)"; }
  fi
  local i
  for i in $(seq 60); do
    "$PG_BIN/pg_isready" -q -h "$PG_RUN" -p "$TOIT_PG_PORT" && break
    (( i < 60 )) || die "PostgreSQL not ready after 60 s (log: $PG_LOG)"
    sleep 1
  done
  pg_ensure_databases
}

# One role and one database per service; only the owner (and postgres) may connect.
pg_ensure_databases() {
  local svc sql=""
  for svc in "${TOIT_SERVICES[@]}"; do
    local n="toit_$svc"
    sql+="SELECT 'CREATE ROLE $n LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$n') \\gexec
ALTER ROLE $n WITH LOGIN PASSWORD '${n}_dev';
SELECT 'CREATE DATABASE $n OWNER $n' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$n') \\gexec
ALTER DATABASE $n OWNER TO $n;
REVOKE CONNECT ON DATABASE $n FROM PUBLIC;
"
  done
  pg_psql <<<"$sql" >/dev/null || die "could not create the service roles and databases"
}

pg_stop() {
  if pg_running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 -s stop || die "PostgreSQL did not stop"
  fi
}

# ------------------------------------------------------------------ RabbitMQ
# Run a RabbitMQ/Erlang command with this node's environment (own HOME = own cookie).
rmq() (
  export HOME="$RMQ_DIR/home"
  export RABBITMQ_NODENAME=toit@localhost
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$TOIT_AMQP_PORT"
  export RABBITMQ_DIST_PORT="$TOIT_RABBITMQ_DIST_PORT"
  export ERL_EPMD_PORT="$TOIT_EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
  export RABBITMQ_LOG_BASE="$RMQ_DIR/log"
  export RABBITMQ_PID_FILE="$RMQ_PID"
  export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
  export RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"   # ignore /etc/rabbitmq
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  exec "$@"
)
rmq_running() { pid_is "$RMQ_PID" beam.smp; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

rmq_start() {
  [[ -x $RMQ_BIN/rabbitmq-server ]] || die "RabbitMQ not installed (run deploy/local/bootstrap.sh)"
  mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  : >"$RMQ_DIR/rabbitmq-env.conf"
  {
    echo "# Written by deploy/local/infra.sh"
    echo "vm_memory_high_watermark.relative = 0.4"
    echo "disk_free_limit.absolute = 200MB"
    if [[ $TOIT_RABBITMQ_MANAGEMENT == 1 ]]; then
      echo "management.tcp.ip = 127.0.0.1"
      echo "management.tcp.port = $TOIT_RABBITMQ_MGMT_PORT"
    fi
  } >"$RMQ_DIR/rabbitmq.conf"
  if [[ $TOIT_RABBITMQ_MANAGEMENT == 1 ]]; then
    echo "[rabbitmq_management]." >"$RMQ_DIR/enabled_plugins"
  else
    echo "[]." >"$RMQ_DIR/enabled_plugins"
  fi

  if ! rmq_running; then
    rm -f "$RMQ_PID" "$RMQ_LAUNCHER"
    # setsid: survive the caller's Ctrl-C; all stdio to files so no caller's pipe is held open.
    rmq setsid "$RMQ_BIN/rabbitmq-server" </dev/null >>"$RMQ_DIR/log/startup.log" 2>&1 &
    echo $! >"$RMQ_LAUNCHER"
  fi
  local deadline=$((SECONDS + 60))
  until rmq "$RMQ_BIN/rabbitmqctl" -q -n toit@localhost await_startup --timeout 5 >/dev/null 2>&1; do
    if ! pid_alive "$RMQ_LAUNCHER" && ! rmq_running; then
      tail -n 20 "$RMQ_DIR/log/startup.log" >&2
      die "RabbitMQ exited during startup (logs: $RMQ_DIR/log)"
    fi
    (( SECONDS < deadline )) || die "RabbitMQ not ready after 60 s (logs: $RMQ_DIR/log)"
    sleep 1
  done
  port_open "$TOIT_AMQP_PORT" || die "RabbitMQ started but 127.0.0.1:$TOIT_AMQP_PORT is closed"
}

# rmq_stop [keep-epmd]
rmq_stop() {
  local pid
  if rmq_running; then
    # 'stop <pidfile>' returns once the Erlang VM has exited.
    if ! rmq "$RMQ_BIN/rabbitmqctl" -q -n toit@localhost stop "$RMQ_PID" >/dev/null 2>&1; then
      pid="$(head -n1 "$RMQ_PID")"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 30); do pid_running "$pid" || break; sleep 1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$RMQ_PID" "$RMQ_LAUNCHER"
  [[ ${1:-} == keep-epmd ]] && return 0
  # epmd outlives the node; it is ours since it listens on our private port.
  rmq epmd -port "$TOIT_EPMD_PORT" -kill >/dev/null 2>&1 || true
  for _ in $(seq 50); do port_open "$TOIT_EPMD_PORT" || return 0; sleep 0.1; done
}

# -------------------------------------------------------------------- main
# Print VALUE double-quoted when that is safe, shell-escaped otherwise.
shq() { if [[ $1 =~ ^[][A-Za-z0-9_./:@+=,%\ -]*$ ]]; then printf '"%s"' "$1"; else printf %q "$1"; fi; }

print_env() {
  local svc
  echo "export TOIT_STATE_DIR=$(shq "$TOIT_STATE_DIR")"
  echo "export TOIT_PG_PORT=$TOIT_PG_PORT TOIT_AMQP_PORT=$TOIT_AMQP_PORT"
  echo "export TOIT_RABBITMQ_DIST_PORT=$TOIT_RABBITMQ_DIST_PORT TOIT_EPMD_PORT=$TOIT_EPMD_PORT"
  echo "export TOIT_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$TOIT_PG_PORT/postgres"
  echo "export TOIT_AMQP_URL=amqp://guest:guest@127.0.0.1:$TOIT_AMQP_PORT/"
  if [[ $TOIT_RABBITMQ_MANAGEMENT == 1 ]]; then
    echo "export TOIT_RABBITMQ_API=http://127.0.0.1:$TOIT_RABBITMQ_MGMT_PORT/api"
  fi
  for svc in "${TOIT_SERVICES[@]}"; do
    echo "export TOIT_DATABASE_URL_${svc^^}=postgresql+asyncpg://toit_$svc:toit_${svc}_dev@127.0.0.1:$TOIT_PG_PORT/toit_$svc"
  done
  echo "export TOIT_RABBITMQ_RESTART_CMD=$(shq "$(printf %q "$TOIT_LOCAL_DIR/infra.sh") restart-rabbitmq")"
}

status() {
  local rc=0
  if pg_running; then
    echo "postgres: running (pid $(head -n1 "$PG_DATA/postmaster.pid")) on 127.0.0.1:$TOIT_PG_PORT, files in $PG_BASE"
  else
    echo "postgres: stopped"; rc=3
  fi
  if rmq_running; then
    echo "rabbitmq: running (pid $(head -n1 "$RMQ_PID")) on 127.0.0.1:$TOIT_AMQP_PORT, files in $RMQ_DIR"
  else
    echo "rabbitmq: stopped"; rc=3
  fi
  return $rc
}

case "${1:-}" in
  start) pg_start; rmq_start ;;
  stop) rmq_stop; pg_stop ;;
  status) status ;;
  env) print_env ;;
  restart-rabbitmq) rmq_stop keep-epmd; rmq_start ;;
  psql)
    shift
    [[ -n $PG_BIN ]] || die "PostgreSQL not installed"
    PGHOST="$PG_RUN" PGPORT="$TOIT_PG_PORT" PGUSER="${PGUSER:-postgres}" \
      PGDATABASE="${PGDATABASE:-postgres}" exec "$PG_BIN/psql" "$@" ;;
  *) echo "usage: ${0##*/} start|stop|status|env|restart-rabbitmq|psql [args]" >&2; exit 2 ;;
esac
