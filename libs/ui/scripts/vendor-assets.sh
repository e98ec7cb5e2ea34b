#!/usr/bin/env bash
# Refresh the vendored static assets of toit_ui from the npm registry, through the
# lock file (npm ci: exact versions and integrity hashes), with their licence files.
# The copies are committed: `make run` and `make test` never need npm or a network.
#
#   libs/ui/scripts/vendor-assets.sh      (or: make ui-assets)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp package.json package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --silent)
dest=src/toit_ui/static/vendor/htmx
mkdir -p "$dest"
cp "$work/node_modules/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$work/node_modules/htmx.org/LICENSE" "$dest/LICENSE"
version="$(node -p "require('$work/node_modules/htmx.org/package.json').version")"
echo "htmx.org $version (npm, 0BSD)" >"$dest/VERSION"
echo "vendored htmx.org $version into $dest"
