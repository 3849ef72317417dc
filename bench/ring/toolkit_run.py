#!/usr/bin/env python3
"""Run the QUT coordination-network-toolkit (PyPI coordination-network-toolkit)
on a CSV in its column order and print one JSON line of timings.

  toolkit_run.py --input toolkit.csv --db work.db --network co_tweet \
                 --window 60 --min-weight 1 [--similarity 0.8] [--edges-out edges.csv]

The rows are loaded with the toolkit's own `preprocess_data`, but with the
URL list split and emptied of empty strings first: its `preprocess_csv_files`
turns an empty `urls` cell into the URL "" (`"".split(" ") == [""]`), which
would make every post without a link co-link with every other. Times:
`preprocess_seconds` (loading into its SQLite file), `compute_seconds` (the
network), peak RSS of this process and of its worker processes. Edges are
written without self-loops, as its export does by default.
"""

import argparse
import csv
import json
import os
import resource
import sys
import time

from coordination_network_toolkit import compute_networks as cn
from coordination_network_toolkit.graph import get_edge_rows
from coordination_network_toolkit.preprocess import preprocess_data
from coordination_network_toolkit.similarity import get_similarity_fn_from_min_size

csv.field_size_limit(10**7)


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            message_id, user_id, username, repost_id, reply_id, message, timestamp, urls = row
            yield (message_id, user_id, username, repost_id, reply_id, message, timestamp,
                   [u for u in urls.split(" ") if u])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--network", required=True,
                   choices=["co_tweet", "co_link", "co_post", "co_reply", "co_similar_tweet"])
    p.add_argument("--window", type=int, required=True)
    p.add_argument("--min-weight", type=int, default=1)
    p.add_argument("--similarity", type=float, default=0.8)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--edges-out")
    p.add_argument("--reuse-db", action="store_true", help="skip loading when the database exists")
    a = p.parse_args()

    preprocess_seconds = 0.0
    if not (a.reuse_db and os.path.exists(a.db)):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(a.db + suffix):
                os.remove(a.db + suffix)
        t = time.perf_counter()
        preprocess_data(a.db, rows(a.input))
        preprocess_seconds = time.perf_counter() - t

    t = time.perf_counter()
    if a.network == "co_tweet":
        cn.compute_co_tweet_network(a.db, a.window, min_edge_weight=a.min_weight, n_threads=a.threads)
    elif a.network == "co_link":
        cn.compute_co_link_network(a.db, a.window, min_edge_weight=a.min_weight, n_threads=a.threads)
    elif a.network == "co_post":
        cn.compute_co_post_network(a.db, a.window, min_edge_weight=a.min_weight, n_threads=a.threads)
    elif a.network == "co_reply":
        cn.compute_co_reply_network(a.db, a.window, min_edge_weight=a.min_weight, n_threads=a.threads)
    else:
        cn.compute_co_similar_tweet(
            a.db, a.window, n_threads=a.threads, min_edge_weight=a.min_weight,
            similarity_threshold=a.similarity,
            similarity_function=get_similarity_fn_from_min_size(1))
    compute_seconds = time.perf_counter() - t

    edges = 0
    out = open(a.edges_out, "w", encoding="utf-8", newline="") if a.edges_out else None
    writer = csv.writer(out) if out else None
    if writer:
        writer.writerow(["source", "target", "weight"])
    for user_1, user_2, weight, _ in get_edge_rows(a.db, a.network, loops=False):
        edges += 1
        if writer:
            writer.writerow([user_1, user_2, weight])
    if out:
        out.close()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({
        "engine": "toolkit", "network": a.network, "window": a.window,
        "preprocess_seconds": preprocess_seconds, "compute_seconds": compute_seconds,
        "peak_rss_mb": max(own, children), "edges": edges,
    }))


if __name__ == "__main__":
    sys.exit(main())
