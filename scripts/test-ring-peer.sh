#!/usr/bin/env bash
# The ring engine's co-action networks against the QUT coordination-network-
# toolkit (PyPI coordination-network-toolkit, in a venv): on small seeded
# inputs of real text (bench/ring/generate.py), `harrier analyze coordination
# --toolkit` must produce exactly the toolkit's weighted edge sets for
# co_tweet (our co_post), co_link, co_reply and co_post (our co_activity),
# at minimum weights 1 and 2. Exits 1 on any difference.
#
# Needs ../shared/data (see its SOURCES.md); without it, says so and exits 0.
#   HARRIER_BIN=path/to/harrier  use that binary instead of building one
#   RING_PEER_DIR=dir            work folder (default target/ring-peer)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { echo "test-ring-peer: $*" >&2; }
if [ ! -d "$ROOT/../shared/data" ]; then
  say "no ../shared/data next to the repository; skipping"
  exit 0
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
DIR="${RING_PEER_DIR:-$TARGET/ring-peer}"
mkdir -p "$DIR"
VENV="$DIR/venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import coordination_network_toolkit' 2>/dev/null; then
  say "installing coordination-network-toolkit from PyPI into $VENV"
  "$VENV/bin/pip" install -q coordination-network-toolkit==1.5.2 >&2
fi
if [ -n "${HARRIER_BIN:-}" ]; then
  BIN="$HARRIER_BIN"
else
  cargo build -q -p harrier-cli >&2
  BIN="$TARGET/debug/harrier"
fi
failed=0
for seed in 1 2; do
  work="$DIR/seed$seed"
  mkdir -p "$work"
  python3 bench/ring/generate.py posts --n 6000 --accounts 400 --days 2 --rings 8 \
    --ring-share 0.15 --seed "$seed" --out "$work/posts.csv" --toolkit-out "$work/toolkit.csv"
  rm -f "$work"/toolkit.db*  # loaded afresh from this input, then reused per network
  for min_weight in 1 2; do
    "$BIN" analyze coordination --input "$work/posts.csv" --toolkit --similarity 0 --kinds post,link,reply,activity \
      --window 120 --min-weight "$min_weight" --out "$work/harrier" 2>/dev/null
    for pair in "co_post co_tweet" "co_link co_link" "co_reply co_reply" "co_activity co_post"; do
      set -- $pair
      "$VENV/bin/python" bench/ring/toolkit_run.py --input "$work/toolkit.csv" --db "$work/toolkit.db" \
        --reuse-db --network "$2" --window 120 --min-weight "$min_weight" \
        --edges-out "$work/toolkit_$2.csv" >/dev/null 2>&1
      if python3 bench/ring/compare_edges.py --harrier "$work/harrier/edges.csv" --kind "$1" \
           --toolkit "$work/toolkit_$2.csv" --exact >"$work/compare.json"; then
        say "seed $seed, min weight $min_weight: $1 = toolkit $2 ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["toolkit_edges"])' "$work/compare.json") edges)"
      else
        say "seed $seed, min weight $min_weight: $1 differs from toolkit $2: $(cat "$work/compare.json")"
        failed=1
      fi
    done
  done
done
exit "$failed"
