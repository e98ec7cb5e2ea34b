#!/usr/bin/env bash
# Fetch the optional DSFR skin (TOIT_UI_THEME=dsfr) from the npm registry through its lock
# file (npm ci: exact version and integrity hash) into src/toit_ui/dsfr/, with its licence
# and terms of use. The DSFR is the French State's design system: its code is under the
# Licence Ouverte 2.0 (Etalab), but its terms reserve its use (Marianne font, State
# identity) to State entities. So it is never committed nor the default: a State-run
# instance fetches it at build time.
#
#   libs/ui/scripts/dsfr-assets.sh      (or: make ui-dsfr)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dest=src/toit_ui/dsfr
wanted="$(node -p "require('./dsfr/package-lock.json').packages['node_modules/@gouvfr/dsfr'].version")"
if [ -f "$dest/VERSION" ] && grep -q "^@gouvfr/dsfr $wanted " "$dest/VERSION"; then
  echo "DSFR $wanted already in $dest"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp dsfr/package.json dsfr/package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --silent)
src="$work/node_modules/@gouvfr/dsfr"
rm -rf "$dest"
mkdir -p "$dest/core" "$dest/fonts"
# The core only (typography, colours, grid; Marianne and Spectral fonts): the pages keep
# Toit's own markup and components, styled by static/toit-dsfr.css over it.
cp "$src/dist/core/core.min.css" "$dest/core/core.min.css"
cp "$src"/dist/fonts/*.woff2 "$src"/dist/fonts/*.woff "$dest/fonts/"
cp "$src/LICENSE.md" "$dest/LICENSE.md"
cp "$src/doc/legal/cgu.md" "$dest/CGU.md" 2>/dev/null || true
echo "@gouvfr/dsfr $wanted (npm, Licence Ouverte 2.0; use reserved to State entities, see CGU.md)" >"$dest/VERSION"
echo "fetched @gouvfr/dsfr $wanted into $dest"
