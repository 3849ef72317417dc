#!/usr/bin/env python3
"""W1 peer: pyahocorasick over the lexicon part of the W1 items.

Builds one ``ahocorasick.Automaton`` from terms.txt (one lowercase literal a
line, written by bench/w1/generate.py), then, for every item of items.jsonl,
runs ``automaton.iter(text)`` over the item's lowercased text and counts the
occurrences, timing each item with ``time.perf_counter_ns``. Lowercasing is
done while loading, outside the timed loop (Hyperscan gets HS_FLAG_CASELESS
instead). Matching is plain substring matching, as Hyperscan's literals.

Prints one line of JSON with the figure names of hs_bench and
``harrier bench detect``: items, bytes (UTF-8), seconds (wall time of the
scan loop), cpu_seconds (CPU time of the loop), items_per_sec,
items_per_cpu_sec, mb_per_sec (10^6 bytes), p50_us, p99_us,
p999_us, max_us, peak_rss_mb (includes the loaded texts and Python itself),
compile_ms (add_word for every term + make_automaton), matches (occurrences)
and items_matched.

    python aho_bench.py --items DIR/items.jsonl --terms DIR/terms.txt [--limit N]

Needs pyahocorasick (PyPI); scripts/bench-detect.sh installs it in a venv.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

try:
    import ahocorasick
except ImportError:
    print("aho_bench: pyahocorasick is not installed (pip install pyahocorasick)", file=sys.stderr)
    sys.exit(3)


def package_version() -> str:
    try:
        from importlib.metadata import version

        return version("pyahocorasick")
    except Exception:  # noqa: BLE001 - the version is only informative
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", required=True)
    ap.add_argument("--terms", required=True)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()

    with open(args.terms, encoding="utf-8") as f:
        terms = [line.rstrip("\n") for line in f if line.strip()]

    t0 = time.perf_counter()
    automaton = ahocorasick.Automaton()
    for i, term in enumerate(terms):
        automaton.add_word(term, i)
    automaton.make_automaton()
    compile_s = time.perf_counter() - t0

    texts: list[str] = []
    nbytes = 0
    with open(args.items, encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            nbytes += len(text.encode("utf-8"))
            texts.append(text.lower())
            if args.limit and len(texts) >= args.limit:
                break
    if not texts:
        print("aho_bench: no items", file=sys.stderr)
        return 1

    lat = [0] * len(texts)
    matches = 0
    items_matched = 0
    clock = time.perf_counter_ns
    it = automaton.iter
    for text in texts[:1000]:  # untimed warm-up, as `harrier bench detect` does
        for _ in it(text):
            pass
    cpu_start = time.process_time()
    start = time.perf_counter()
    for i, text in enumerate(texts):
        a = clock()
        n = 0
        for _ in it(text):
            n += 1
        b = clock()
        lat[i] = b - a
        matches += n
        items_matched += n > 0
    secs = time.perf_counter() - start
    cpu_secs = time.process_time() - cpu_start

    lat.sort()
    n = len(lat)

    def pct(q: float) -> float:
        return round(lat[int((n - 1) * q)] / 1000.0, 2)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({
        "engine": "pyahocorasick", "mode": "literals", "version": package_version(),
        "literals": len(terms), "regexes": 0, "patterns": len(terms),
        "items": n, "bytes": nbytes, "seconds": round(secs, 3),
        "cpu_seconds": round(cpu_secs, 3), "items_per_sec": round(n / secs),
        "items_per_cpu_sec": round(n / cpu_secs), "mb_per_sec": round(nbytes / secs / 1e6, 1),
        "p50_us": pct(0.50), "p99_us": pct(0.99), "p999_us": pct(0.999),
        "max_us": round(lat[-1] / 1000.0, 1), "peak_rss_mb": round(rss_mb, 1),
        "compile_ms": round(compile_s * 1000.0, 1),
        "matches": matches, "items_matched": items_matched,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
