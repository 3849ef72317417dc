#!/usr/bin/env python3
"""W4 peers: datasketch and rensa MinHash LSH on the token sets that
`harrier bench neardup --tokens-out` wrote (the same sets Harrier indexes),
128 permutations, threshold 0.7. For each set in order: build its MinHash,
query the LSH (all earlier sets), insert it. Sets with fewer than 4 tokens
are skipped, as Harrier skips them. Prints one JSON line: inserts plus
queries per second, and recall of the true pairs among the candidates the
LSH returned (candidates are not checked, which only helps the peer's
recall).

  w4_peers.py --engine rensa|datasketch --tokens tok.txt --truth truth.txt [--limit N]

rensa's LSH needs the band count to divide 128 (`--bands`): 32 x 4 (the
nearest to Harrier's 25 x 5 that keeps recall at 0.7, at the price of many
candidates) or 16 x 8 (few candidates, but only ~60 % of the pairs at 0.7
are found). datasketch picks its own bands for the
threshold (14 x 9 at 0.7).
"""
import argparse
import json
import resource
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engine", required=True, choices=["rensa", "datasketch"])
    p.add_argument("--tokens", required=True)
    p.add_argument("--truth", required=True)
    p.add_argument("--limit", type=int)
    p.add_argument("--bands", type=int, default=32, help="rensa's band count (divides 128)")
    a = p.parse_args()
    sets = []
    with open(a.tokens, encoding="ascii") as f:
        for line in f:
            if a.limit is not None and len(sets) >= a.limit:
                break
            sets.append(line.split())
    n = len(sets)
    truth = set()
    with open(a.truth) as f:
        for line in f:
            i, j = map(int, line.split())
            if j < n:
                truth.add((i, j))

    found = 0
    candidates = 0
    if a.engine == "rensa":
        import rensa
        lsh = rensa.RMinHashLSH(threshold=0.7, num_perm=128, num_bands=a.bands)
        t = time.perf_counter()
        for i, tokens in enumerate(sets):
            if len(tokens) < 4:
                continue
            m = rensa.RMinHash(num_perm=128, seed=42)
            m.update(tokens)
            hits = lsh.query(m)
            lsh.insert(i, m)
            candidates += len(hits)
            found += sum(1 for h in hits if (h, i) in truth)
        seconds = time.perf_counter() - t
        bands = f"{a.bands}x{128 // a.bands}"
    else:
        from datasketch import MinHash, MinHashLSH
        lsh = MinHashLSH(threshold=0.7, num_perm=128)
        t = time.perf_counter()
        for i, tokens in enumerate(sets):
            if len(tokens) < 4:
                continue
            m = MinHash(num_perm=128, seed=1)
            m.update_batch([tok.encode() for tok in tokens])
            hits = lsh.query(m)
            lsh.insert(i, m)
            candidates += len(hits)
            found += sum(1 for h in hits if (h, i) in truth)
        seconds = time.perf_counter() - t
        bands = f"{lsh.b}x{lsh.r}"
    print(json.dumps({
        "engine": a.engine, "texts": n, "bands": bands, "seconds": seconds,
        "ops_per_sec": 2 * n / seconds, "texts_per_sec": n / seconds,
        "true_pairs": len(truth), "candidate_pairs": candidates, "found_true_pairs": found,
        "recall": found / len(truth) if truth else 1.0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
