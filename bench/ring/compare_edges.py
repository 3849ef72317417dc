#!/usr/bin/env python3
"""Compare Harrier's edges of one kind (edges.csv: kind,source,target,weight)
with the toolkit's (source,target,weight). Prints one JSON line; with
--exact, exits 1 unless the two weighted edge sets are equal.

  compare_edges.py --harrier out/edges.csv --kind co_post --toolkit tk_co_tweet.csv [--exact]
"""
import argparse
import csv
import json
import sys


def load(path, kind=None):
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if kind is not None and row["kind"] != kind:
                continue
            out[(row["source"], row["target"])] = int(row["weight"])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--harrier", required=True)
    p.add_argument("--kind", required=True)
    p.add_argument("--toolkit", required=True)
    p.add_argument("--exact", action="store_true")
    a = p.parse_args()
    h = load(a.harrier, a.kind)
    t = load(a.toolkit)
    common = set(h) & set(t)
    same_weight = sum(1 for k in common if h[k] == t[k])
    report = {
        "kind": a.kind, "harrier_edges": len(h), "toolkit_edges": len(t),
        "common_edges": len(common), "same_weight": same_weight,
        "only_harrier": len(set(h) - set(t)), "only_toolkit": len(set(t) - set(h)),
        "recall_of_toolkit_edges": len(common) / len(t) if t else 1.0,
        "precision_against_toolkit": len(common) / len(h) if h else 1.0,
        "equal": h == t,
    }
    print(json.dumps(report))
    if a.exact and h != t:
        diff = [(k, h.get(k), t.get(k)) for k in sorted(set(h) | set(t)) if h.get(k) != t.get(k)]
        for k, hw, tw in diff[:10]:
            print(f"  {k[0]} -> {k[1]}: harrier {hw}, toolkit {tw}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
