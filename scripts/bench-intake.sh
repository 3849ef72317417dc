#!/usr/bin/env bash
# Intake throughput: how many reports per second `harrier serve` stores
# durably through POST /api/v1/reports, with group commit (many reports per
# fsync) and without (one fsync per report), at 64 and 512 clients.
#
#   scripts/bench-intake.sh                          build --release, then measure
#   HARRIER_BIN=target/release/harrier scripts/bench-intake.sh   no build
#
# Settings (environment):
#   DURATION=20         seconds per measurement
#   CLIENTS="64 512"    client (connection) counts
#   MODES="group single"
#   WRK_TIMEOUT=10s     a request slower than this counts as a socket timeout
#   BENCH_DIR=target    where the throw-away data directories go; keep it on a
#                       real disk (not tmpfs), or fsync costs nothing
#   BENCH_OUT=file.md   also write the Markdown summary there
#   BENCH_IDEMPOTENCY=0 send no Idempotency-Key (see scripts/bench/report.lua)
#
# Only loopback is used; every wrk run is bounded by DURATION. Rate limits are
# turned off (HARRIER_LIMITS__ENABLED=false) for this benchmark only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${DURATION:-20}"
CLIENTS="${CLIENTS:-64 512}"
MODES="${MODES:-group single}"
WRK_TIMEOUT="${WRK_TIMEOUT:-10s}"
BENCH_DIR="${BENCH_DIR:-$ROOT/target}"
LUA="$ROOT/scripts/bench/report.lua"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk from Debian" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >&2
fi

if [ -n "${HARRIER_BIN:-}" ]; then
  BIN="$HARRIER_BIN"
else
  cargo build --release -p harrier-cli
  BIN="$ROOT/target/release/harrier"
fi
[ -x "$BIN" ] || { echo "bench: no harrier binary at $BIN" >&2; exit 1; }

# 512 clients plus the server's own files need more than the usual 1024.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "bench: open files limit $(ulimit -n)" >&2

mkdir -p "$BENCH_DIR"
WORK="$(mktemp -d "$BENCH_DIR/bench-intake.XXXXXX")"
SERVER_PID=""
LOG=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "bench: server $SERVER_PID did not stop within 30 s of SIGTERM; killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

cleanup() {
  local rc=$?
  stop_server
  if [ "$rc" -ne 0 ] && [ -n "$LOG" ] && [ -f "$LOG" ]; then
    echo "---- harrier serve log (last 40 lines) ----" >&2
    tail -n 40 "$LOG" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_server MODE -> sets SERVER_PID, PORT, LOG
start_server() {
  local mode=$1 group_commit
  case "$mode" in
    group) group_commit=true ;;
    single) group_commit=false ;;
    *) echo "bench: unknown mode $mode" >&2; exit 2 ;;
  esac
  PORT="$(free_port)"
  local data="$WORK/$mode-data"
  LOG="$WORK/$mode.log"
  # harrier refuses HARRIER_* variables that are not settings: drop HARRIER_BIN.
  HARRIER_SERVER__LISTEN="127.0.0.1:$PORT" \
  HARRIER_STORAGE__DATA_DIR="$data" \
  HARRIER_STORAGE__GROUP_COMMIT="$group_commit" \
  HARRIER_LIMITS__ENABLED=false \
  RUST_LOG=warn \
    env -u HARRIER_BIN -u HARRIER_URL "$BIN" serve >"$LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "bench: harrier serve ($mode) exited before it was ready" >&2
      exit 1
    fi
    if curl -fsS -o /dev/null --max-time 1 2>/dev/null "http://127.0.0.1:$PORT/healthz"; then return 0; fi
    sleep 0.1
  done
  echo "bench: harrier serve ($mode) did not answer /healthz within 30 s" >&2
  exit 1
}

# field NAME LINE -> value of NAME=... in a "BENCH k=v ..." line
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# us -> "12.3 ms"
ms() { awk -v us="$1" 'BEGIN { printf "%.1f ms", us / 1000 }'; }

declare -A RPS P50 P99 NON2XX SOCKERR STATUS
INVALID=0

for mode in $MODES; do
  start_server "$mode"
  url="http://127.0.0.1:$PORT/api/v1/reports"
  echo "bench: $mode commit: server pid $SERVER_PID on port $PORT, data in $WORK/$mode-data" >&2

  # Warm-up: open the database, fill caches, let the allocator settle.
  wrk -t2 -c16 -d3s --timeout "$WRK_TIMEOUT" -s "$LUA" "$url" >"$WORK/$mode-warmup.txt" 2>&1 || true

  for c in $CLIENTS; do
    out="$WORK/$mode-$c.txt"
    echo "bench: $mode commit, $c clients, ${DURATION}s ..." >&2
    wrk -t2 -c"$c" -d"${DURATION}s" --timeout "$WRK_TIMEOUT" --latency -s "$LUA" "$url" >"$out" 2>&1 || {
      echo "bench: wrk failed ($mode, $c clients):" >&2; cat "$out" >&2; exit 1;
    }
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "bench: harrier serve ($mode) died during the $c-client run" >&2; exit 1
    fi
    line="$(grep '^BENCH ' "$out" || true)"
    if [ -z "$line" ]; then
      echo "bench: no BENCH line from wrk ($mode, $c clients):" >&2; cat "$out" >&2; exit 1
    fi
    # wrk's own summary, for the record.
    sed -n '/Latency Distribution/,/Requests\/sec/p' "$out" | sed "s/^/  [$mode $c] /" >&2
    grep -E '^report.lua: HTTP' "$out" | sed "s/^/  [$mode $c] /" >&2 || true

    ok=$(field ok "$line"); dur=$(field duration_us "$line")
    RPS[$mode,$c]=$(awk -v ok="$ok" -v us="$dur" 'BEGIN { printf "%.0f", ok / (us / 1e6) }')
    P50[$mode,$c]=$(ms "$(field p50_us "$line")")
    P99[$mode,$c]=$(ms "$(field p99_us "$line")")
    NON2XX[$mode,$c]=$(field non2xx "$line")
    STATUS[$mode,$c]=$(field status "$line")
    SOCKERR[$mode,$c]=$(( $(field connect "$line") + $(field read "$line") + $(field write "$line") + $(field timeout "$line") ))
    if [ "${NON2XX[$mode,$c]}" != 0 ]; then
      INVALID=1
      echo "" >&2
      echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
      echo "!! INVALID RUN: $mode commit, $c clients: ${NON2XX[$mode,$c]} non-2xx answers (status:count ${STATUS[$mode,$c]})" >&2
      echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
      echo "" >&2
    fi
    if [ "${SOCKERR[$mode,$c]}" != 0 ]; then
      echo "bench: WARNING: $mode commit, $c clients: ${SOCKERR[$mode,$c]} socket errors ($(grep -o 'Socket errors.*' "$out" || echo "$line"))" >&2
    fi
  done

  du -sh "$WORK/$mode-data" 2>/dev/null | sed "s/^/bench: $mode data dir size: /" >&2 || true
  stop_server
done

commit="$(git rev-parse --short HEAD 2>/dev/null || echo uncommitted)"
if [ "$commit" != uncommitted ] && [ -n "$(git status --porcelain 2>/dev/null | head -1)" ]; then
  commit="$commit (with uncommitted changes)"
fi

summary() {
  echo "## Intake benchmark: POST /api/v1/reports"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- commit: $commit"
  echo "- nproc: $(nproc) (server and wrk -t2 share them)"
  echo "- data dir filesystem: $(df -T "$WORK" 2>/dev/null | awk 'NR == 2 { print $2 }')"
  echo "- ${DURATION}s per row after a 3 s warm-up; wrk timeout $WRK_TIMEOUT; rate limits off"
  echo
  echo "| mode | clients | reports/s | p50 | p99 | non-2xx | socket errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for mode in $MODES; do
    for c in $CLIENTS; do
      local non="${NON2XX[$mode,$c]}"
      [ "$non" = 0 ] || non="**$non** (${STATUS[$mode,$c]})"
      echo "| $mode | $c | ${RPS[$mode,$c]} | ${P50[$mode,$c]} | ${P99[$mode,$c]} | $non | ${SOCKERR[$mode,$c]} |"
    done
  done
  if [[ " $MODES " == *" group "* && " $MODES " == *" single "* ]]; then
    echo
    for c in $CLIENTS; do
      awk -v g="${RPS[group,$c]}" -v s="${RPS[single,$c]}" -v c="$c" \
        'BEGIN { if (s > 0) printf "- group/single at %s clients: %.2fx\n", c, g / s; else printf "- group/single at %s clients: n/a (single is 0)\n", c }'
    done
  fi
  if [ "$INVALID" = 1 ]; then
    echo
    echo "**INVALID: some rows had non-2xx answers; their reports/s count only the 2xx ones.**"
  fi
}

echo >&2
if [ -n "${BENCH_OUT:-}" ]; then
  summary | tee "$BENCH_OUT"
else
  summary
fi
[ "$INVALID" = 0 ]
