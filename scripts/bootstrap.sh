#!/usr/bin/env bash
# Install what zonemap needs on a fresh Debian 12 machine: Debian packages (when root) and the
# project's virtualenv. Idempotent: a second run only checks.
#   scripts/bootstrap.sh run   - what `make run` needs
#   scripts/bootstrap.sh test  - what `make test` needs (adds Chromium, GDAL, poppler, fonts)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

packages=(postgresql-15 postgresql-15-postgis-3 fonts-noto-core fonts-dejavu-core)
if [ "$mode" = test ]; then
  packages+=(chromium gdal-bin poppler-utils)
fi
if [ -n "${DATABASE_URL:-}" ] && [ "$mode" = run ]; then
  packages=(fonts-noto-core fonts-dejavu-core)
fi
python=${PYTHON:-python3}
if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  packages+=(python3-venv)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing Debian packages. Install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

stamp=".venv/.zonemap-installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  echo "bootstrap: installing the project into .venv (first run takes about a minute)"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[test]'
  rm -f .venv/.zonemap-installed-*
  touch "$stamp"
fi
