#!/usr/bin/env bash
# Install what the browser tests (e2e/) need: Debian's Chromium and the
# npm packages pinned in e2e/package-lock.json. Safe to run again and again.
#
# Playwright's own browser download does not work here, so the tests drive
# Debian's /usr/bin/chromium through playwright-core (see e2e/tests/browser.mjs).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/e2e"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
need=()
[ -x "$CHROMIUM" ] || need+=(chromium)
# A font with Chinese glyphs, so that screenshots of the zh-CN pages (the
# portal's default language) show text instead of boxes. The tests read the
# DOM and pass without it.
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  need+=(fonts-wqy-zenhei)
fi
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup-browser: installing ${need[*]} from Debian" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
# (Debian's launcher script prints a harmless "[: unexpected operator" from
# /etc/chromium.d/dev-shm on machines with much shared memory; hide it.)
if ! version="$("$CHROMIUM" --version 2>/dev/null)"; then
  echo "setup-browser: $CHROMIUM does not run" >&2
  exit 1
fi
echo "setup-browser: $version" >&2

# npm ci only when node_modules is missing or older than the lockfile.
cd "$E2E"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  echo "setup-browser: npm ci in e2e/" >&2
  npm ci --no-audit --no-fund
  touch node_modules
fi
