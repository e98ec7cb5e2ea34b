#!/usr/bin/env bash
# Stop what up.sh started: the services (by their pid files), the gateway, the infra.
# With a Docker engine: docker compose down (volumes are kept).
#
#   down.sh [--keep-infra]   (--keep-infra: leave PostgreSQL and RabbitMQ running)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if docker_available; then
  cd "$TOIT_REPO"
  docker compose down
  exit 0
fi

for pidf in "$TOIT_RUN_DIR"/*.pid; do
  [[ -e $pidf ]] && stop_instance "$pidf"
done
"$TOIT_LOCAL_DIR/gateway.sh" stop
[[ ${1:-} == --keep-infra ]] || "$TOIT_LOCAL_DIR/infra.sh" stop
