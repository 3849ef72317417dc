#!/usr/bin/env python3
"""Evaluate `harrier analyze coordination` (issue 5) on real data.

  python3 bench/eval/ring_eval.py --harrier target/release/harrier [--work target/ring-eval]

1. IRA trolls among ordinary tweets. ../shared/data/ira-trolls (234,449
   English-language tweets of 1,159 Internet Research Agency accounts,
   2016-09-01 to 2016-11-30, with each account's category) mixed with the
   24,783 Davidson et al. tweets as ordinary background. Davidson's tweets
   carry no account or time, so each is given one of 5,000 background
   accounts and a time in the same three months, at random (seeded).
   Reported: troll accounts that land in groups, the purity of groups by
   account_category (the share of a group's members in its most common
   category, background accounts counting as the category "ordinary"),
   and how many ordinary accounts are grouped.

2. Planted rings. bench/ring/generate.py posts (seeded): ordinary accounts
   post real texts at random times; rings of 5-40 accounts post edited
   copies of one real text in bursts of a few minutes, often with a shared
   link, sometimes with a contact. Ground truth is what was planted.
   Reported: precision, recall and F1 of group membership by account (an
   account is predicted "in a ring" when it is in any group), and by pairs
   of accounts (two accounts are predicted "in the same ring" when they
   are in the same group).

Nothing Harrier finds is used to make the data. Prints a Markdown report.
"""
import argparse
import collections
import csv
import gzip
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))


def run_harrier(binary, posts, out, extra):
    cmd = [binary, "analyze", "coordination", "--input", posts, "--out", out, "--timings"] + extra
    started = time.time()
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"ring_eval: {' '.join(cmd)} failed:\n{done.stderr}")
    timings = json.loads([l for l in done.stdout.splitlines() if l.startswith("{")][-1])
    with open(os.path.join(out, "groups.json")) as f:
        groups = json.load(f)["groups"]
    return groups, timings, time.time() - started, " ".join(cmd[1:])


def ira_posts(path, seed):
    rng = random.Random(seed)
    category = {}
    rows = []
    with gzip.open(os.path.join(DATA, "ira-trolls", "ira_english_2016q4.csv.gz"), "rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            category[row["account"]] = row["account_category"]
            rows.append((row["account"], row["published_at"], row["content"]))
    start = 1472688000  # 2016-09-01T00:00:00Z
    span = 91 * 86400
    with open(os.path.join(DATA, "davidson-hate", "labeled_data.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            account = f"ordinary{rng.randrange(5000)}"
            category[account] = "ordinary"
            rows.append((account, str(start + rng.randrange(span)), row["tweet"]))
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["account", "time", "text"])
        for account, t, text in rows:
            w.writerow([account, t, " ".join(text.split())])
    return category


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate_ira(args, work):
    posts = os.path.join(work, "ira.csv")
    category = ira_posts(posts, args.seed)
    groups, timings, wall, cmd = run_harrier(args.harrier, posts, os.path.join(work, "ira"), ["--window", args.window])
    trolls = {a for a, c in category.items() if c != "ordinary"}
    ordinary = {a for a, c in category.items() if c == "ordinary"}
    grouped = collections.Counter()
    purity_num = purity_den = 0
    sizes = []
    for g in groups:
        members = g["members"]
        sizes.append(len(members))
        cats = collections.Counter(category.get(m, "?") for m in members)
        purity_num += cats.most_common(1)[0][1]
        purity_den += len(members)
        for m in members:
            grouped[category.get(m, "?")] += 1
    trolls_grouped = sum(v for k, v in grouped.items() if k != "ordinary")
    by_category = collections.Counter(category[a] for a in trolls)
    lines = [
        "### IRA trolls among ordinary tweets", "",
        f"Command: `harrier {cmd}` ({timings['posts']:,} posts, {timings['accounts']:,} accounts; "
        f"{wall:.1f} s wall).", "",
        f"- groups: {len(groups)} (sizes: median {sorted(sizes)[len(sizes) // 2] if sizes else 0}, largest {max(sizes) if sizes else 0})",
        f"- troll accounts in groups: {trolls_grouped} of {len(trolls)} ({trolls_grouped / len(trolls):.1%})",
        f"- ordinary accounts in groups: {grouped['ordinary']} of {len(ordinary)} ({grouped['ordinary'] / len(ordinary):.2%})",
        f"- purity by account_category (members in their group's most common category): {purity_num / max(purity_den, 1):.3f}",
        "", "| account_category | accounts | in groups |", "|---|---:|---:|",
    ]
    for cat, n in sorted(by_category.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {cat} | {n} | {grouped[cat]} |")
    lines.append(f"| ordinary (Davidson, synthetic accounts) | {len(ordinary)} | {grouped['ordinary']} |")
    # Account-level precision/recall of "troll" among grouped accounts.
    tp = trolls_grouped
    fp = grouped["ordinary"]
    fn = len(trolls) - tp
    p, r, f = prf(tp, fp, fn)
    lines += ["", f"- as a troll detector (grouped = troll): precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}", ""]
    return lines, (p, r, f)


def evaluate_planted(args, work):
    posts = os.path.join(work, "planted.csv")
    truth_path = os.path.join(work, "rings.csv")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "ring", "generate.py"), "posts",
                    "--n", str(args.posts), "--accounts", str(args.accounts), "--days", "30",
                    "--rings", "60", "--ring-share", "0.03", "--seed", str(args.seed),
                    "--out", posts, "--truth-out", truth_path], check=True)
    ring_of = {}
    with open(truth_path) as f:
        for row in csv.DictReader(f):
            ring_of[row["account"]] = row["ring"]
    # Accounts that posted at all (a planted member may have skipped every burst).
    posted = set()
    with open(posts, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            posted.add(row["account"])
    ring_of = {a: r for a, r in ring_of.items() if a in posted}
    groups, timings, wall, cmd = run_harrier(args.harrier, posts, os.path.join(work, "planted"), ["--window", args.window])
    group_of = {}
    for g in groups:
        for m in g["members"]:
            group_of[m] = g["id"]
    grouped = set(group_of)
    planted = set(ring_of)
    tp, fp, fn = len(grouped & planted), len(grouped - planted), len(planted - grouped)
    p, r, f = prf(tp, fp, fn)
    # Pairs: same ring vs same group.
    def pairs(assign):
        by = collections.defaultdict(list)
        for a, k in assign.items():
            by[k].append(a)
        out = set()
        for members in by.values():
            members.sort()
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    out.add((members[i], members[j]))
        return out
    true_pairs, found_pairs = pairs(ring_of), pairs(group_of)
    pp, pr, pf = prf(len(true_pairs & found_pairs), len(found_pairs - true_pairs), len(true_pairs - found_pairs))
    lines = [
        "### Planted rings in real background text", "",
        f"Command: `harrier {cmd}` ({timings['posts']:,} posts, {timings['accounts']:,} accounts, "
        f"{len(set(ring_of.values()))} rings with {len(planted)} accounts; seed {args.seed}; {wall:.1f} s wall).", "",
        "| measure | precision | recall | F1 |", "|---|---:|---:|---:|",
        f"| accounts in a group | {p:.3f} | {r:.3f} | {f:.3f} |",
        f"| pairs in the same group | {pp:.3f} | {pr:.3f} | {pf:.3f} |", "",
        f"- groups: {len(groups)}; planted accounts grouped: {tp}; ordinary accounts grouped: {fp}", "",
    ]
    return lines, (p, r, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--harrier", required=True)
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "ring-eval"))
    ap.add_argument("--window", default="1h")
    ap.add_argument("--posts", type=int, default=300000)
    ap.add_argument("--accounts", type=int, default=30000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not os.path.isdir(DATA):
        print(f"ring_eval: no data folder at {DATA}; skipping")
        return 0
    os.makedirs(args.work, exist_ok=True)
    lines, _ = evaluate_ira(args, args.work)
    more, _ = evaluate_planted(args, args.work)
    print("\n".join(lines + more))
    return 0


if __name__ == "__main__":
    sys.exit(main())
