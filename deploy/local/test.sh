#!/usr/bin/env bash
# `make test`: install what is missing, start PostgreSQL and RabbitMQ on loopback
# (unless already running), lint and type-check, run every test, then stop what
# this script started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

deploy/local/bootstrap.sh
deploy/local/bootstrap.sh --chromium
# The optional DSFR skin (never the default) is fetched from npm at build time; its test
# checks that it loads when chosen.
deploy/local/bootstrap.sh --npm
libs/ui/scripts/dsfr-assets.sh
uv sync --all-packages --frozen --quiet

started_here=0
if ! deploy/local/infra.sh status >/dev/null 2>&1; then
  deploy/local/infra.sh start
  started_here=1
fi
cleanup() { ((started_here)) && deploy/local/infra.sh stop || true; }
trap cleanup EXIT
eval "$(deploy/local/infra.sh env)"

echo "== lint: ruff"
uv run ruff check .
uv run ruff format --check .
echo "== types: mypy on libs/ and services/"
uv run mypy libs/contracts/src libs/servicekit/src libs/referentiel/src libs/ui/src frontends/*/src services/*/src
echo "== docker-compose.yml"
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config -q
else
  command -v docker-compose >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose; } >/dev/null
  docker-compose -f docker-compose.yml config -q
fi
echo "== tests"
uv run pytest libs services frontends bench tests-e2e -q -p no:cacheprovider "$@"
