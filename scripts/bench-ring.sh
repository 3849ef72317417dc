#!/usr/bin/env bash
# Ring detection benchmarks (issue 5), Harrier and its peers on the same
# inputs in the same run. Peers come from PyPI into a venv here:
# coordination-network-toolkit (QUT), datasketch, rensa.
#
#   W4  near-duplicates: a million short real texts (bench/ring/generate.py
#       texts), 128 permutations, LSH at Jaccard 0.7: inserts plus queries
#       per second and recall of the true pairs (found exactly), Harrier
#       (`harrier bench neardup`) against rensa (all texts) and datasketch
#       (the first W4_SUBSET texts: at ~3k/s a million would take ~10 min;
#       Harrier is measured on the same subset too).
#   W3  co-post and co-link over a million posts (generate.py posts):
#       `harrier analyze coordination --toolkit --similarity 0` one kind at a time against
#       the toolkit's co_tweet, co_link and co_post (our co_activity);
#       seconds, peak RSS, and whether the edge sets are equal.
#   W5  co-similar posts within Δt over 200,000 posts: Harrier's co-post
#       with near-duplicates (Jaccard 0.8) against the toolkit's
#       co_similar_tweet (0.8), and how far the two edge sets agree.
#   SCALE  ten million posts by a million accounts through the whole
#       analysis (all kinds, near-duplicates, contacts, groups, scores):
#       wall time and peak RSS (/usr/bin/time), goal 2 min and 8 GiB.
#
#   scripts/bench-ring.sh                    W4, W3, W5 (SCALE=1 adds the scale run)
#   ONLY="w4 w3" scripts/bench-ring.sh        some of them
#   HARRIER_BIN=path scripts/bench-ring.sh    no cargo build
#
# Settings: W4_TEXTS=1000000 W4_SUBSET=100000 W3_POSTS=1000000 W5_POSTS=200000
# SCALE_POSTS=10000000 SCALE_ACCOUNTS=1000000 SEED=1 THREADS=2
# BENCH_RING_DIR=target/bench-ring (data, venv, results; reused when there).
# Needs ../shared/data (see its SOURCES.md); without it, says so and exits 0.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { echo "bench-ring: $*" >&2; }
if [ ! -d "$ROOT/../shared/data" ]; then
  say "no ../shared/data next to the repository (see ../shared/data/SOURCES.md); skipping"
  exit 0
fi

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
DIR="${BENCH_RING_DIR:-$TARGET/bench-ring}"
ONLY="${ONLY:-w4 w3 w5}"
[ "${SCALE:-0}" = "1" ] && ONLY="$ONLY scale"
SEED="${SEED:-1}"
THREADS="${THREADS:-2}"
W4_TEXTS="${W4_TEXTS:-1000000}"
W4_SUBSET="${W4_SUBSET:-100000}"
W3_POSTS="${W3_POSTS:-1000000}"
W5_POSTS="${W5_POSTS:-200000}"
SCALE_POSTS="${SCALE_POSTS:-10000000}"
SCALE_ACCOUNTS="${SCALE_ACCOUNTS:-1000000}"
mkdir -p "$DIR/results"
RESULTS="$DIR/results"
GEN="$ROOT/bench/ring/generate.py"

VENV="$DIR/venv"
if [ ! -x "$VENV/bin/python" ]; then
  say "creating the venv $VENV"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import coordination_network_toolkit, datasketch, rensa' 2>/dev/null; then
  say "installing coordination-network-toolkit, datasketch and rensa from PyPI"
  "$VENV/bin/pip" install -q coordination-network-toolkit datasketch rensa >&2
fi
PY="$VENV/bin/python"

if [ -n "${HARRIER_BIN:-}" ]; then
  BIN="$HARRIER_BIN"
else
  say "building harrier (release)"
  cargo build --release -p harrier-cli >&2
  BIN="$TARGET/release/harrier"
fi

# json FILE: the last JSON line of a command's output.
last_json() { grep '^{' "$1" | tail -n 1; }

say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- W4 ----------------------------------------------------------------------
if [[ " $ONLY " == *" w4 "* ]]; then
  W4="$DIR/w4"; mkdir -p "$W4"
  if [ ! -s "$W4/texts-$W4_TEXTS-$SEED.txt" ]; then
    say "W4: generating $W4_TEXTS texts"
    python3 "$GEN" texts --n "$W4_TEXTS" --seed "$SEED" --out "$W4/texts-$W4_TEXTS-$SEED.txt"
  fi
  TEXTS="$W4/texts-$W4_TEXTS-$SEED.txt"
  TRUTH="$W4/truth-$W4_TEXTS-$SEED.txt"
  TOKENS="$W4/tokens-$W4_TEXTS-$SEED.txt"
  if [ ! -s "$TRUTH" ] || [ ! -s "$TOKENS" ]; then
    say "W4: shingles and the exact true pairs (once per input; a few minutes)"
    "$BIN" bench neardup --texts "$TEXTS" --tokens-out "$TOKENS" --truth-out "$TRUTH" >/dev/null
  fi
  say "W4: harrier, all texts"
  "$BIN" bench neardup --texts "$TEXTS" --truth "$TRUTH" >"$RESULTS/w4-harrier.out"
  last_json "$RESULTS/w4-harrier.out" >"$RESULTS/w4-harrier.json"
  say "W4: harrier at rensa's 16 x 8 banding"
  "$BIN" bench neardup --texts "$TEXTS" --truth "$TRUTH" --bands 16 --rows 8 | grep '^{' >"$RESULTS/w4-harrier-16x8.json"
  say "W4: rensa 16 x 8, all texts"
  "$PY" bench/ring/w4_peers.py --engine rensa --bands 16 --tokens "$TOKENS" --truth "$TRUTH" >"$RESULTS/w4-rensa-16x8.json"
  say "W4: subset of $W4_SUBSET: harrier, rensa 32 x 4, datasketch"
  "$BIN" bench neardup --texts "$TEXTS" --limit "$W4_SUBSET" | grep '^{' >"$RESULTS/w4-harrier-subset.json"
  "$PY" bench/ring/w4_peers.py --engine rensa --bands 32 --tokens "$TOKENS" --truth "$TRUTH" --limit "$W4_SUBSET" >"$RESULTS/w4-rensa-32x4-subset.json"
  "$PY" bench/ring/w4_peers.py --engine datasketch --tokens "$TOKENS" --truth "$TRUTH" --limit "$W4_SUBSET" >"$RESULTS/w4-datasketch-subset.json"
fi

# --- W3 ----------------------------------------------------------------------
posts() { # name n accounts days
  local out="$DIR/$1"; mkdir -p "$out"
  if [ ! -s "$out/posts.csv" ]; then
    say "$1: generating $2 posts by ~$3 accounts over $4 days"
    python3 "$GEN" posts --n "$2" --accounts "$3" --days "$4" --seed "$SEED" \
      --out "$out/posts.csv" --toolkit-out "$out/toolkit.csv" --truth-out "$out/rings.csv"
    rm -f "$out"/toolkit.db*
  fi
}
harrier_kind() { # workdir kind result-name extra-args...
  local work="$1" kind="$2" name="$3"; shift 3
  /usr/bin/time -v "$BIN" analyze coordination --input "$work/posts.csv" --kinds "$kind" --window 60 \
    --min-weight 1 --threads "$THREADS" --out "$work/harrier-$kind" --timings "$@" \
    >"$RESULTS/$name.out" 2>"$RESULTS/$name.err"
  last_json "$RESULTS/$name.out" >"$RESULTS/$name.json"
}
toolkit_net() { # workdir network result-name extra-args...
  local work="$1" net="$2" name="$3"; shift 3
  "$PY" bench/ring/toolkit_run.py --input "$work/toolkit.csv" --db "$work/toolkit.db" --reuse-db \
    --network "$net" --window 60 --min-weight 1 --threads "$THREADS" --edges-out "$work/toolkit-$net.csv" "$@" \
    >"$RESULTS/$name.out" 2>"$RESULTS/$name.err"
  last_json "$RESULTS/$name.out" >"$RESULTS/$name.json"
}
if [[ " $ONLY " == *" w3 "* ]]; then
  posts w3 "$W3_POSTS" 50000 30
  W3="$DIR/w3"
  for pair in "post co_tweet" "link co_link" "activity co_post"; do
    set -- $pair
    say "W3: harrier $1"
    harrier_kind "$W3" "$1" "w3-harrier-$1" --toolkit --similarity 0
    say "W3: toolkit $2"
    toolkit_net "$W3" "$2" "w3-toolkit-$2"
    if [ "$1" != activity ]; then
      python3 bench/ring/compare_edges.py --harrier "$W3/harrier-$1/edges.csv" --kind "co_$1" \
        --toolkit "$W3/toolkit-$2.csv" >"$RESULTS/w3-compare-$1.json" || true
    fi
  done
fi

# --- W5 ----------------------------------------------------------------------
if [[ " $ONLY " == *" w5 "* ]]; then
  posts w5 "$W5_POSTS" 20000 7
  W5="$DIR/w5"
  say "W5: harrier co-post with near-duplicates at 0.8"
  harrier_kind "$W5" post w5-harrier --toolkit --similarity 0.8
  say "W5: toolkit co_similar_tweet at 0.8"
  toolkit_net "$W5" co_similar_tweet w5-toolkit --similarity 0.8
  python3 bench/ring/compare_edges.py --harrier "$W5/harrier-post/edges.csv" --kind co_post \
    --toolkit "$W5/toolkit-co_similar_tweet.csv" >"$RESULTS/w5-compare.json" || true
fi

# --- scale -------------------------------------------------------------------
if [[ " $ONLY " == *" scale "* ]]; then
  posts scale "$SCALE_POSTS" "$SCALE_ACCOUNTS" 30
  say "SCALE: the whole analysis over $SCALE_POSTS posts"
  /usr/bin/time -v "$BIN" analyze coordination --input "$DIR/scale/posts.csv" --window 1h \
    --threads "$THREADS" --out "$DIR/scale/harrier" --timings \
    >"$RESULTS/scale.out" 2>"$RESULTS/scale.err"
  last_json "$RESULTS/scale.out" >"$RESULTS/scale.json"
fi

say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/ring/report.py "$RESULTS"
