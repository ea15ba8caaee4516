#!/usr/bin/env bash
# Re-vendor the browser libraries served from web/static/vendor/ (maintainer tool, not run by the
# build or CI). zonemap must work air-gapped, so every script and stylesheet a page loads is a
# pinned copy under web/static/vendor/<lib>-<version>/ with the library's licence beside it.
#
# Usage: scripts/vendor_assets.sh            # needs npm and access to the npm registry
# To upgrade a library: change its version below, run the script, update the versions in
# web/assets.py and web/static/vendor/README.md, then run tests/unit/web/.
set -euo pipefail

LEAFLET=1.9.4
JQUERY=3.7.1
VECTORGRID=1.3.0
HEAT=0.2.0
MARKERCLUSTER=1.5.3
FULLSCREEN=3.0.0

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch NAME VERSION: npm pack NAME@VERSION into $WORK/NAME-VERSION/package
fetch() {
    local dir="$WORK/$1-$2"
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
    echo "$dir/package"
}

# fresh NAME VERSION: empty and recreate the vendored folder of one library
fresh() {
    local dest="$VENDOR/$1-$2"
    rm -rf "$dest"
    mkdir -p "$dest"
    echo "$dest"
}

pkg="$(fetch leaflet "$LEAFLET")"
dest="$(fresh leaflet "$LEAFLET")"
cp "$pkg/dist/leaflet.js" "$pkg/dist/leaflet.css" "$pkg/LICENSE" "$dest/"
mkdir -p "$dest/images"
cp "$pkg"/dist/images/*.png "$dest/images/"

pkg="$(fetch jquery "$JQUERY")"
dest="$(fresh jquery "$JQUERY")"
cp "$pkg/dist/jquery.min.js" "$dest/"
cp "$pkg/LICENSE.txt" "$dest/LICENSE"

pkg="$(fetch leaflet.vectorgrid "$VECTORGRID")"
dest="$(fresh leaflet.vectorgrid "$VECTORGRID")"
cp "$pkg/dist/Leaflet.VectorGrid.bundled.min.js" "$dest/"
# The package ships no LICENSE file: its licence (Beerware) is the "Legalese" part of the README.
sed -n '/^## Legalese/,$p' "$pkg/README.md" >"$dest/LICENSE"
grep -q "BEER-WARE" "$dest/LICENSE" || { echo "vectorgrid licence text not found" >&2; exit 1; }

pkg="$(fetch leaflet.heat "$HEAT")"
dest="$(fresh leaflet.heat "$HEAT")"
cp "$pkg/dist/leaflet-heat.js" "$pkg/LICENSE" "$dest/"

pkg="$(fetch leaflet.markercluster "$MARKERCLUSTER")"
dest="$(fresh leaflet.markercluster "$MARKERCLUSTER")"
cp "$pkg/dist/leaflet.markercluster.js" "$pkg/dist/MarkerCluster.css" \
    "$pkg/dist/MarkerCluster.Default.css" "$dest/"
cp "$pkg/MIT-LICENCE.txt" "$dest/LICENSE"

pkg="$(fetch leaflet.fullscreen "$FULLSCREEN")"
dest="$(fresh leaflet.fullscreen "$FULLSCREEN")"
cp "$pkg/Control.FullScreen.js" "$pkg/Control.FullScreen.css" "$pkg/icon-fullscreen.svg" \
    "$pkg/LICENSE" "$dest/"

# Checksums of every vendored file; tests/unit/web/test_assets.py verifies them.
(cd "$VENDOR" && find . -type f ! -name README.md ! -name SHA256SUMS | LC_ALL=C sort \
    | sed 's|^\./||' | xargs sha256sum >SHA256SUMS)

du -sh "$VENDOR"
