#!/usr/bin/env bash
# W1: the detection engine's throughput against its peers (issue 3).
#
# Generates (once per seed and size) a million real items with ~1 % planted
# violations and a ruleset grown to >= 10,000 lexicon terms and >= 500
# regexes (bench/w1/generate.py), then measures on ONE core (taskset):
#   - Hyperscan (Debian libhyperscan-dev, bench/w1/hs_bench.c): terms and
#     regexes in one database ("full"), and the terms alone ("literals");
#   - pyahocorasick (PyPI, in a venv): the terms alone, on lowercased text;
#   - Harrier: `harrier bench detect --items DIR/items.jsonl --rules DIR/ruleset`
#     (the full pipeline: normalisation, lexicons, patterns, extractors, the
#     classifier).
# and prints a table with Harrier's ratio to Hyperscan (full) and to
# pyahocorasick (lexicon part).
#
#   scripts/bench-detect.sh                      everything
#   ITEMS=100000 scripts/bench-detect.sh         a smaller run
#   SKIP_HARRIER=1 scripts/bench-detect.sh       peers only (no cargo build)
#   HARRIER_BIN=target/release/harrier scripts/bench-detect.sh   no cargo build
#
# Settings (environment):
#   ITEMS=1000000      items to generate and scan
#   SEED=1             generator seed
#   CPU=1              the core everything is pinned to (taskset -c)
#   BENCH_W1_DIR=target/bench-w1   data, venv, harness and results; must be
#                      outside the git-tracked tree or under target/
#   PEERS="hs-full hs-literals aho"   which peers to run
#   SKIP_HARRIER=1     do not build or run Harrier
#   BENCH_OUT=file.md  also write the Markdown table there
#
# Needs ../shared/data (see its SOURCES.md); without it, says so and exits 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ITEMS="${ITEMS:-1000000}"
SEED="${SEED:-1}"
CPU="${CPU:-1}"
DIR="${BENCH_W1_DIR:-$ROOT/target/bench-w1}"
PEERS="${PEERS:-hs-full hs-literals aho}"
SKIP_HARRIER="${SKIP_HARRIER:-0}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
RESULTS="$DIR/results"
mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.json "$RESULTS"/*.err

say() { echo "bench-detect: $*" >&2; }

if [ ! -d "$ROOT/../shared/data" ]; then
  say "no ../shared/data next to the repository (see ../shared/data/SOURCES.md); skipping W1"
  exit 0
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}

# --- tools -------------------------------------------------------------------
if ! command -v gcc >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1; then
  say "installing gcc and pkg-config from Debian"
  apt_install gcc pkg-config
fi
if ! pkg-config --exists libhs 2>/dev/null; then
  say "installing libhyperscan-dev from Debian"
  apt_install libhyperscan-dev
fi
if command -v taskset >/dev/null 2>&1 && taskset -c "$CPU" true 2>/dev/null; then
  PIN=(taskset -c "$CPU")
else
  say "cannot pin to CPU $CPU (taskset missing or no such core); running unpinned"
  PIN=()
fi

HS_BENCH="$DIR/hs_bench"
if [ ! -x "$HS_BENCH" ] || [ "$ROOT/bench/w1/hs_bench.c" -nt "$HS_BENCH" ]; then
  say "building $HS_BENCH"
  # shellcheck disable=SC2046
  gcc -O2 -Wall -o "$HS_BENCH" "$ROOT/bench/w1/hs_bench.c" $(pkg-config --cflags --libs libhs)
fi

VENV="$DIR/venv"
if [ ! -x "$VENV/bin/python" ]; then
  say "creating the venv $VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    apt_install python3-venv
    python3 -m venv "$VENV"
  fi
fi
if ! "$VENV/bin/python" -c 'import ahocorasick' 2>/dev/null; then
  say "installing pyahocorasick from PyPI into $VENV"
  "$VENV/bin/pip" install -q pyahocorasick >&2
fi

# --- data --------------------------------------------------------------------
say "generating $ITEMS items (seed $SEED) into $DIR (kept when already there)"
python3 "$ROOT/bench/w1/generate.py" "$DIR" --items "$ITEMS" --seed "$SEED" --reuse >&2
python3 - "$DIR/summary.json" >&2 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"bench-detect: {s['items']} items, {s['planted']} planted, {s['text_bytes'] / 1e6:.1f} MB of text; "
      f"ruleset: {s['terms']} distinct lexicon terms, {s['regexes']['total']} regexes "
      f"({s['regexes']['default']} default + {s['regexes']['bench_extra']} bench_extra)")
EOF

# --- Harrier build (before the peers, so the peers run on a quiet machine) ----
BIN=""
if [ "$SKIP_HARRIER" != "1" ]; then
  if [ -n "${HARRIER_BIN:-}" ]; then
    BIN="$HARRIER_BIN"
  else
    say "building harrier (release)"
    cargo build --release -p harrier-cli >&2
    BIN="$ROOT/target/release/harrier"
  fi
fi

# --- the classifier ----------------------------------------------------------
# One classifier in the ruleset, scored on every item: the SMS spam model
# (English character and word n-grams, no jieba), trained here on
# ../shared/data/sms-spam with `harrier train`, and a shadow rule whose only
# condition is its score (so no cheaper condition spares it the work).
if [ -n "$BIN" ] && [ -x "$BIN" ]; then
  mkdir -p "$DIR/ruleset/models" "$DIR/ruleset/rules"
  if [ ! -s "$DIR/ruleset/models/spam.model" ]; then
    say "training the spam classifier into $DIR/ruleset/models/spam.model"
    "$BIN" train --data "$ROOT/../shared/data/sms-spam/SMSSpamCollection" --format sms \
      --out "$DIR/ruleset/models/spam.model" --lambda 1e-6 --balanced false --no-han-words >&2
  fi
  cat >"$DIR/ruleset/rules/bench_classifier.toml" <<'EOF'
# W1 only (scripts/bench-detect.sh): the classifier on every item.
[[rule]]
id = "bench.spam_message"
category = "fraud_scams"
severity = "low"
state = "shadow"
description = "SMS spam classifier score (W1 benchmark)"
all = ["classifier:spam>=0.5"]
must_match = ["WINNER!! You have been selected to receive a £900 prize reward! To claim call 09061701461."]
must_not_match = ["Ok lar... Joking wif u oni..."]
EOF
  "$BIN" rules test --rules "$DIR/ruleset" >&2
fi

# --- peers -------------------------------------------------------------------
LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
say "load average before the runs: $LOAD_BEFORE (items/s are per core only on an otherwise idle core; items/CPU-s is less sensitive)"
run() { # name, command...: the command's last JSON line goes to RESULTS/name.json
  local name="$1"; shift
  say "running $name: ${PIN[*]} $*"
  if "${PIN[@]}" "$@" >"$RESULTS/$name.out" 2>"$RESULTS/$name.err"; then
    grep '^{' "$RESULTS/$name.out" | tail -n 1 >"$RESULTS/$name.json" || true
    [ -s "$RESULTS/$name.json" ] || rm -f "$RESULTS/$name.json"
  else
    say "$name failed (exit $?):"
    tail -n 20 "$RESULTS/$name.err" >&2 || true
  fi
  if [ -s "$RESULTS/$name.err" ]; then grep -i 'refused' "$RESULTS/$name.err" >&2 || true; fi
  rm -f "$RESULTS/$name.out"
}

for peer in $PEERS; do
  case "$peer" in
    hs-full) run hs-full "$HS_BENCH" --items "$DIR/items.jsonl" --terms "$DIR/terms.txt" \
               --regexes "$DIR/regexes.txt" --mode full ;;
    hs-literals) run hs-literals "$HS_BENCH" --items "$DIR/items.jsonl" --terms "$DIR/terms.txt" \
               --mode literals ;;
    aho) run aho "$VENV/bin/python" "$ROOT/bench/w1/aho_bench.py" --items "$DIR/items.jsonl" \
               --terms "$DIR/terms.txt" ;;
    *) say "unknown peer $peer (hs-full, hs-literals, aho)" ;;
  esac
done

# --- Harrier -----------------------------------------------------------------
HARRIER_NOTE=""
if [ "$SKIP_HARRIER" = "1" ]; then
  HARRIER_NOTE="skipped (SKIP_HARRIER=1)"
elif [ ! -x "$BIN" ]; then
  HARRIER_NOTE="no binary at $BIN"
elif ! "$BIN" bench detect --help >/dev/null 2>&1; then
  HARRIER_NOTE="this harrier has no 'bench detect' command yet"
else
  PLANTED_ARGS=()
  if "$BIN" bench detect --help 2>/dev/null | grep -q -- '--planted'; then
    PLANTED_ARGS=(--planted "$DIR/planted.jsonl")
  fi
  run harrier "$BIN" bench detect --items "$DIR/items.jsonl" --rules "$DIR/ruleset" "${PLANTED_ARGS[@]}"
  [ -s "$RESULTS/harrier.json" ] || HARRIER_NOTE="'harrier bench detect' printed no JSON line (see $RESULTS/harrier.err)"
fi
[ -z "$HARRIER_NOTE" ] || say "Harrier not measured: $HARRIER_NOTE"

# --- table -------------------------------------------------------------------
LOAD_AFTER="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
python3 - "$RESULTS" "$HARRIER_NOTE" "${BENCH_OUT:-}" "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)" <<'EOF'
import json, os, sys
results, note, out, load_before, load_after, ncpu = sys.argv[1:7]
rows = [
    ("harrier", "Harrier: full pipeline"),
    ("hs-full", "Hyperscan: terms + regexes"),
    ("hs-literals", "Hyperscan: terms only"),
    ("aho", "pyahocorasick: terms only"),
]
data = {}
for key, _ in rows:
    p = os.path.join(results, key + ".json")
    if os.path.exists(p):
        with open(p) as f:
            data[key] = json.loads(f.read())

def fmt(v, nd=1):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return f"{v:,.{nd}f}"
    return f"{v:,}"

lines = ["| engine | patterns | items/s (1 core) | items/CPU-s | MB/s | p50 µs | p99 µs | peak RSS MB | compile ms | matches (signals) | items matched |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for key, label in rows:
    d = data.get(key)
    if d is None:
        status = note if key == "harrier" else "not run"
        lines.append(f"| {label} | {status} | | | | | | | | | |")
        continue
    pats = d.get("patterns")
    if pats is None and key == "harrier":
        pats = (d["terms"] + d["regexes"]) if "terms" in d and "regexes" in d else "ruleset"
    matches = d.get("matches", d.get("signals"))
    lines.append(
        f"| {label} | {fmt(pats)} | {fmt(int(d['items_per_sec']))} | "
        f"{fmt(int(d['items_per_cpu_sec'])) if 'items_per_cpu_sec' in d else '–'} | {fmt(float(d['mb_per_sec']))} | "
        f"{fmt(float(d['p50_us']), 2)} | {fmt(float(d['p99_us']), 2)} | {fmt(float(d['peak_rss_mb']))} | "
        f"{fmt(float(d['compile_ms']))} | {fmt(matches)} | {fmt(d.get('items_matched', d.get('items_with_signals')))} |")
h = data.get("harrier")
ratios = []
for key, what in (("hs-full", "Hyperscan (terms + regexes)"), ("hs-literals", "Hyperscan (terms only)"),
                  ("aho", "pyahocorasick (terms only)")):
    if h and key in data:
        r = f"- Harrier / {what}: {h['items_per_sec'] / data[key]['items_per_sec']:.2f}x items/s"
        if "items_per_cpu_sec" in h and "items_per_cpu_sec" in data[key]:
            r += f", {h['items_per_cpu_sec'] / data[key]['items_per_cpu_sec']:.2f}x items/CPU-s"
        ratios.append(r)
if h and "planted" in h:
    ratios.append(f"- Harrier found {h.get('planted_found', 0):,} of {h['planted']:,} planted items; "
                  f"{h.get('flagged_not_planted', 0):,} items with a signal were not planted")
if not h:
    ratios.append(f"- Harrier: pending ({note})")
elif "hs-full" in data:
    goal = "met" if h["items_per_sec"] >= 500_000 and h["p99_us"] <= 20 else "not met"
    ratios.append(f"- goal (>= 500k items/s per core, p99 <= 20 µs): {goal}")
ratios.append(f"- load average {load_before} before, {load_after} after the runs; nproc {ncpu}")
text = "\n".join(lines + [""] + ratios) + "\n"
print(text)
if out:
    with open(out, "w") as f:
        f.write(text)
EOF
