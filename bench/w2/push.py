#!/usr/bin/env python3
"""W2 load generator: push feed items to `harrier serve` and wait until the
patrol has scanned them all.

Reads ITEMS (JSON lines of the W1 generator: id, text, lang, account, ts),
turns them into feed items (kind "post"), builds every request body before
the clock starts (batches of BATCH items), then CLIENTS threads each keep
one HTTP/1.1 connection and send their share. Afterwards it polls the
SQLite database (read-only) until the queue is empty, and computes each
item's queue lag (scanned_at - received_at) from the stored rows.

Prints one JSON line: items, seconds_push, seconds_total, items_per_sec
(end to end: first request to last item scanned), push_items_per_sec,
lag_p50_ms, lag_p99_ms, lag_max_ms, signals, cases.

Usage: push.py --port P --key KEY --db PATH --items FILE [--limit N]
               [--batch 1000] [--clients 4]
"""
import argparse
import datetime
import http.client
import json
import sqlite3
import sys
import threading
import time


def stamp(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--items", required=True)
    ap.add_argument("--limit", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()

    items = []
    with open(args.items, encoding="utf-8") as f:
        for line in f:
            if len(items) >= args.limit:
                break
            d = json.loads(line)
            item = {"id": d["id"], "kind": "post", "text": d.get("text", "")}
            for key in ("lang", "account", "ts"):
                if d.get(key) is not None:
                    item[key] = d[key]
            items.append(item)
    bodies = [json.dumps({"items": items[i:i + args.batch]}, ensure_ascii=False).encode()
              for i in range(0, len(items), args.batch)]
    headers = {"Authorization": f"Bearer {args.key}", "Content-Type": "application/json"}
    errors = []
    accepted = [0]
    lock = threading.Lock()

    def client(share):
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        for body in share:
            conn.request("POST", "/api/v1/items", body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 200:
                errors.append(f"{resp.status}: {data[:300]!r}")
                continue
            n = json.loads(data)["accepted"]
            with lock:
                accepted[0] += n
        conn.close()

    shares = [bodies[c::args.clients] for c in range(args.clients)]
    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t_push = time.monotonic()
    if errors:
        sys.exit(f"push failed: {errors[:3]}")

    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    while db.execute("SELECT COUNT(*) FROM item_queue").fetchone()[0] > 0:
        time.sleep(0.02)
    t_done = time.monotonic()

    lags = sorted((stamp(s) - stamp(r)).total_seconds() * 1000
                  for r, s in db.execute("SELECT received_at, scanned_at FROM items"))
    pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else 0.0
    out = {
        "items": len(items),
        "accepted": accepted[0],
        "batch": args.batch,
        "clients": args.clients,
        "seconds_push": round(t_push - t0, 3),
        "seconds_total": round(t_done - t0, 3),
        "items_per_sec": round(len(items) / (t_done - t0)),
        "push_items_per_sec": round(len(items) / (t_push - t0)),
        "lag_p50_ms": round(pick(0.50), 1),
        "lag_p99_ms": round(pick(0.99), 1),
        "lag_max_ms": round(lags[-1] if lags else 0.0, 1),
        "signals": db.execute("SELECT COUNT(*) FROM signals").fetchone()[0],
        "cases": db.execute("SELECT COUNT(*) FROM cases").fetchone()[0],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
