#!/usr/bin/env bash
# Browser tests of the public portal: build harrier, start `harrier serve` on a
# free loopback port with a throw-away data directory, and run e2e/tests/ with
# Node's test runner driving Debian's Chromium.
#
#   scripts/e2e.sh                      build with cargo, then test
#   HARRIER_BIN=path/to/harrier scripts/e2e.sh   test that binary, no build
#
# Extra arguments go to `node --test` (e.g. --test-name-pattern=language).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup-browser.sh

if [ -n "${HARRIER_BIN:-}" ]; then
  BIN="$HARRIER_BIN"
else
  cargo build -p harrier-cli
  BIN="$ROOT/target/debug/harrier"
fi
[ -x "$BIN" ] || { echo "e2e: no harrier binary at $BIN" >&2; exit 1; }

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/harrier-e2e.XXXXXX")"
LOG="$WORK/server.log"
SERVER_PID=""

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$LOG" ]; then
    echo "---- harrier serve log (last 80 lines) ----" >&2
    tail -n 80 "$LOG" >&2 || true
    echo "-------------------------------------------" >&2
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A staff admin (its one-time password goes to the console test), another
# for the TOTP test, and a
# provider whose key pushes one feed item once the server is up.
STAFF_LINE="$(HARRIER_STORAGE__DATA_DIR="$WORK/data" env -u HARRIER_BIN -u HARRIER_URL \
  "$BIN" staff add e2e-admin --role admin 2>/dev/null | grep 'one-time password')"
export E2E_STAFF_NAME="e2e-admin"
E2E_STAFF_PASSWORD="${STAFF_LINE##*: }"
export E2E_STAFF_PASSWORD
# A second admin for the TOTP test (e2e/tests/totp.test.mjs): the tests run
# side by side and each one's codes may be used only once.
TOTP_LINE="$(HARRIER_STORAGE__DATA_DIR="$WORK/data" env -u HARRIER_BIN -u HARRIER_URL \
  "$BIN" staff add e2e-totp --role admin 2>/dev/null | grep 'one-time password')"
export E2E_TOTP_NAME="e2e-totp"
E2E_TOTP_PASSWORD="${TOTP_LINE##*: }"
export E2E_TOTP_PASSWORD
# An admin for the case test (e2e/tests/cases.test.mjs), and an intake,
# an analyst and an auditor for the XSS test (e2e/tests/xss.test.mjs).
staff_password() {
  local line
  line="$(HARRIER_STORAGE__DATA_DIR="$WORK/data" env -u HARRIER_BIN -u HARRIER_URL \
    "$BIN" staff add "$1" --role "$2" 2>/dev/null | grep 'one-time password')"
  echo "${line##*: }"
}
export E2E_CASES_NAME="e2e-cases"
E2E_CASES_PASSWORD="$(staff_password e2e-cases admin)"
export E2E_CASES_PASSWORD
E2E_XSS_INTAKE_PASSWORD="$(staff_password e2e-xss-intake intake)"
E2E_XSS_ANALYST_PASSWORD="$(staff_password e2e-xss-analyst analyst)"
E2E_XSS_AUDITOR_PASSWORD="$(staff_password e2e-xss-auditor auditor)"
export E2E_XSS_INTAKE_PASSWORD E2E_XSS_ANALYST_PASSWORD E2E_XSS_AUDITOR_PASSWORD
# A moderator and a reviewer for the decision and appeal test
# (e2e/tests/appeal.test.mjs).
E2E_MODERATOR_PASSWORD="$(staff_password e2e-moderator moderator)"
E2E_REVIEWER_PASSWORD="$(staff_password e2e-reviewer reviewer)"
export E2E_MODERATOR_PASSWORD E2E_REVIEWER_PASSWORD
PROVIDER_KEY="$(HARRIER_STORAGE__DATA_DIR="$WORK/data" env -u HARRIER_BIN -u HARRIER_URL \
  "$BIN" provider add e2e-feed --scopes feed 2>/dev/null | grep -o 'hk_[a-z0-9_]*')"

# harrier refuses HARRIER_* variables that are not settings, so the scripts' own
# HARRIER_BIN and HARRIER_URL are taken out of its environment.
HARRIER_SERVER__LISTEN="127.0.0.1:$PORT" \
HARRIER_STORAGE__DATA_DIR="$WORK/data" \
HARRIER_STORAGE__GROUP_COMMIT=true \
RUST_LOG="${RUST_LOG:-warn}" \
  env -u HARRIER_BIN -u HARRIER_URL "$BIN" serve >"$LOG" 2>&1 &
SERVER_PID=$!

URL="http://127.0.0.1:$PORT"
ready=0
for _ in $(seq 300); do   # 30 s
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "e2e: harrier serve exited before it was ready" >&2
    exit 1
  fi
  if curl -fsS -o /dev/null --max-time 1 2>/dev/null "$URL/healthz"; then ready=1; break; fi
  sleep 0.1
done
[ "$ready" = 1 ] || { echo "e2e: $URL/healthz did not answer 200 within 30 s" >&2; exit 1; }
echo "e2e: harrier serve is up at $URL (pid $SERVER_PID)" >&2

# One drug-sale post through the feed API; the in-process workers scan it
# and the console's patrol page (e2e/tests/console.test.mjs) shows its rule.
curl -fsS -o /dev/null -X POST "$URL/api/v1/items" -H "Authorization: Bearer $PROVIDER_KEY" \
  -H 'content-type: application/json' \
  -d '{"items":[{"id":"e2e-1","kind":"post","account":"seller","text":"出冰 100元/克 加微信 bing_88"}]}'

export E2E_PROVIDER_KEY="$PROVIDER_KEY"
rc=0
HARRIER_URL="$URL" node --test "$@" e2e/tests/ || rc=$?
exit "$rc"
