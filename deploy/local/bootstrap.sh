#!/usr/bin/env bash
# Ensure the local toolchain: uv on PATH and, unless a Docker engine answers (then
# docker-compose.yml is used instead), the Debian packages postgresql, rabbitmq-server
# and nginx. Idempotent and silent when everything is already there.
#
#   bootstrap.sh [--uv-only]
#   bootstrap.sh --chromium     (Debian's chromium for the browser tests; make test)
#   bootstrap.sh --npm          (npm, to fetch the optional DSFR skin; make ui-dsfr, make test)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_uv() {
  command -v uv >/dev/null 2>&1 && return
  local py
  py="$(command -v python3 || command -v python)" || die "python3 is needed to install uv"
  # uv comes from PyPI (direct downloads from GitHub are not reachable).
  "$py" -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1 ||
    "$py" -m pip install --quiet --disable-pip-version-check --break-system-packages uv >/dev/null ||
    die "pip install uv failed"
  hash -r
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash >/dev/null 2>&1 || true; fi
  command -v uv >/dev/null 2>&1 && return
  # Installed into a scripts dir that is not on PATH: link it into /usr/local/bin.
  local bin
  bin="$("$py" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/uv"
  [[ -x $bin && -w /usr/local/bin ]] || die "uv installed but not on PATH (looked for $bin)"
  ln -sf "$bin" /usr/local/bin/uv
}

ensure_debian_packages() {
  local missing=()
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get to install them"
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}: run this script as root to install them"

  # infra.sh runs its own instances: no default cluster, no service started by the install.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/toit.conf
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
  fi
  local log rc=0
  log="$(mktemp)"
  {
    apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  } >"$log" 2>&1 || rc=$?
  ((own_policy)) && rm -f "$policy"
  if ((rc)); then
    tail -n 30 "$log" >&2
    rm -f "$log"
    die "apt-get install ${missing[*]} failed"
  fi
  rm -f "$log"
}

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium;
# `playwright install` cannot download a browser here).
ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing chromium and no apt-get to install it"
  [[ $(id -u) == 0 ]] || die "missing chromium: run this script as root to install it"
  local log
  log="$(mktemp)"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; } \
    >"$log" 2>&1 || { tail -n 30 "$log" >&2; rm -f "$log"; die "apt-get install chromium failed"; }
  rm -f "$log"
}

# npm, to fetch the optional DSFR skin at build time (make ui-dsfr; make test checks it).
ensure_npm() {
  command -v npm >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing npm and no apt-get to install it"
  [[ $(id -u) == 0 ]] || die "missing npm: run this script as root to install it"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm; } \
    >/dev/null 2>&1 || die "apt-get install npm failed"
}

case "${1:-}" in
  "") ensure_uv; docker_available || ensure_debian_packages ;;
  --chromium) ensure_chromium ;;
  --npm) ensure_npm ;;
  --uv-only) ensure_uv ;;
  *) echo "usage: ${0##*/} [--uv-only|--chromium|--npm]" >&2; exit 2 ;;
esac
