#!/usr/bin/env bash
# W2: the patrol end to end (issue 4): items/s from POST /api/v1/items to
# stored signals, with `harrier serve` running two in-process workers on
# SQLite, and each item's queue lag (scanned - received) at p50 and p99.
#
#   scripts/bench-patrol.sh                      build --release, then measure
#   HARRIER_BIN=target/release/harrier scripts/bench-patrol.sh   no build
#
# Settings (environment):
#   ITEMS=200000     items pushed (real text: the W1 generator's items)
#   BATCH=1000       items per request
#   CLIENTS=4        concurrent connections
#   WORKERS=2        patrol workers in the server
#   BENCH_DIR=target/bench-w2   data (items, the throw-away data directory)
#
# Needs ../shared/data (the W1 generator reads it); without it, says so and
# exits 0. Rate limits are off for this run only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ITEMS="${ITEMS:-200000}"
BATCH="${BATCH:-1000}"
CLIENTS="${CLIENTS:-4}"
WORKERS="${WORKERS:-2}"
DIR="${BENCH_DIR:-$ROOT/target/bench-w2}"
say() { echo "bench-patrol: $*" >&2; }

if [ ! -d "$ROOT/../shared/data" ]; then
  say "no ../shared/data next to the repository; skipping W2"
  exit 0
fi
if [ -n "${HARRIER_BIN:-}" ]; then
  BIN="$HARRIER_BIN"
else
  cargo build --release -p harrier-cli >&2
  BIN="$ROOT/target/release/harrier"
fi

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
say "generating $ITEMS items into $DIR/items (kept when already there)"
python3 "$ROOT/bench/w1/generate.py" "$DIR/items" --items "$ITEMS" --seed 2 --reuse >/dev/null

DATA="$DIR/data"
rm -rf "$DATA"
export HARRIER_STORAGE__DATA_DIR="$DATA" HARRIER_LIMITS__ENABLED=false HARRIER_LOG=warn
export HARRIER_PATROL__WORKERS="$WORKERS"
KEY="$("$BIN" provider add bench --scopes feed | grep -o 'hk_[a-z0-9_]*')"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
HARRIER_SERVER__LISTEN="127.0.0.1:$PORT" "$BIN" serve >/dev/null 2>"$DIR/serve.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.05
done
LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
say "pushing $ITEMS items in batches of $BATCH over $CLIENTS connections; $WORKERS workers scan them"
RESULT="$(python3 "$ROOT/bench/w2/push.py" --port "$PORT" --key "$KEY" --db "$DATA/harrier.db" \
  --items "$DIR/items/items.jsonl" --limit "$ITEMS" --batch "$BATCH" --clients "$CLIENTS")"
LOAD_AFTER="$(cut -d' ' -f1 /proc/loadavg)"
echo "$RESULT"
python3 - "$RESULT" "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)" "$WORKERS" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"| items | workers (cores) | end to end items/s | push items/s | lag p50 ms | lag p99 ms | lag max ms | signals | cases |")
print(f"|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {r['items']:,} | {sys.argv[5]} ({sys.argv[4]}) | {r['items_per_sec']:,} | {r['push_items_per_sec']:,} | "
      f"{r['lag_p50_ms']:,} | {r['lag_p99_ms']:,} | {r['lag_max_ms']:,} | {r['signals']:,} | {r['cases']:,} |")
goal = "met" if r["items_per_sec"] >= 50_000 else "not met"
print(f"\n- goal (>= 50k items/s end to end): {goal}; load average {sys.argv[2]} before, {sys.argv[3]} after")
PY
