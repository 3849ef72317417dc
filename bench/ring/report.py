#!/usr/bin/env python3
"""Print the ring benchmarks' tables (Markdown) from scripts/bench-ring.sh's
results folder, with Harrier's ratio to each peer."""
import json
import os
import re
import sys

R = sys.argv[1]


def load(name):
    path = os.path.join(R, name + ".json")
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    with open(path) as f:
        return json.loads(f.read())


def rss_of_time(name):
    """Peak RSS in MB from /usr/bin/time -v's stderr, when there."""
    path = os.path.join(R, name + ".err")
    if not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
    return int(m.group(1)) / 1024 if m else None


def wall_of_time(name):
    path = os.path.join(R, name + ".err")
    if not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", f.read())
    if not m:
        return None
    h, mnt, s = m.groups()
    return int(h or 0) * 3600 + int(mnt) * 60 + float(s)


out = []
h = load("w4-harrier")
if h:
    out += ["### W4: near-duplicates, 128 permutations, LSH at Jaccard 0.7", "",
            "| engine | texts | bands x rows | inserts+queries/s | recall of true pairs | seconds |",
            "|---|---:|---|---:|---:|---:|"]
    rows = [("Harrier (batch band join)", h, f"{h['bands']}x{h['rows']}"),
            ("Harrier at 16x8", load("w4-harrier-16x8"), "16x8"),
            ("rensa RMinHashLSH", load("w4-rensa-16x8"), "16x8"),
            ("Harrier, subset", load("w4-harrier-subset"), "21x6"),
            ("rensa, subset", load("w4-rensa-32x4-subset"), "32x4"),
            ("datasketch MinHashLSH, subset", load("w4-datasketch-subset"), "14x9")]
    for label, d, bands in rows:
        if d:
            out.append(f"| {label} | {d['texts']:,} | {bands} | {d['ops_per_sec']:,.0f} | {d['recall']:.4f} | {d['seconds']:.2f} |")
    r = load("w4-rensa-16x8")
    if r:
        out.append("")
        out.append(f"- Harrier (21x6) / rensa (16x8), all texts: {h['ops_per_sec'] / r['ops_per_sec']:.2f}x, "
                   f"recall {h['recall']:.4f} against {r['recall']:.4f}")
        h16 = load("w4-harrier-16x8")
        if h16:
            out.append(f"- at the same 16x8 banding: {h16['ops_per_sec'] / r['ops_per_sec']:.2f}x, recall {h16['recall']:.4f}")
    hs, ds = load("w4-harrier-subset"), load("w4-datasketch-subset")
    if hs and ds:
        out.append(f"- Harrier / datasketch on the first {ds['texts']:,}: {hs['ops_per_sec'] / ds['ops_per_sec']:.0f}x")
    out.append(f"- true pairs: {h['true_pairs']:,}; Harrier shingling (not in the figures above, the peers get the "
               f"shingles ready): {h['shingle_seconds']:.1f} s")
    out.append("")

w3 = [("post", "co_tweet", "co-post (same text)"), ("link", "co_link", "co-link"),
      ("activity", "co_post", "co-activity (toolkit co_post)")]
if load("w3-harrier-post") or load("w3-toolkit-co_tweet"):
    first = load("w3-harrier-post") or load("w3-harrier-link") or {}
    out += [f"### W3: co-action networks over {first.get('posts', 0):,} posts, Δt = 60 s", "",
            "| network | Harrier analyse s | Harrier read+analyse s | Harrier peak RSS MB | toolkit compute s | toolkit load+compute s | toolkit peak RSS MB | ratio (compute) | ratio (end to end) | edges | same edge set |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for kind, net, label in w3:
        hh, tt, cc = load(f"w3-harrier-{kind}"), load(f"w3-toolkit-{net}"), load(f"w3-compare-{kind}")
        if not hh:
            continue
        hrss = rss_of_time(f"w3-harrier-{kind}") or hh.get("peak_rss_mb")
        edges = hh["edges"].get(f"co_{kind}", 0)
        if tt:
            ratio = tt["compute_seconds"] / hh["analyze_seconds"]
            e2e = (tt["compute_seconds"] + tt["preprocess_seconds"]) / (hh["analyze_seconds"] + hh["read_seconds"])
            same = "–" if not cc else ("yes" if cc["equal"] else f"no ({cc['common_edges']:,} common)")
            out.append(f"| {label} | {hh['analyze_seconds']:.2f} | {hh['analyze_seconds'] + hh['read_seconds']:.2f} | {hrss:,.0f} | "
                       f"{tt['compute_seconds']:.1f} | {tt['compute_seconds'] + tt['preprocess_seconds']:.1f} | {tt['peak_rss_mb']:,.0f} | "
                       f"{ratio:.0f}x | {e2e:.0f}x | {edges:,} | {same} |")
        else:
            out.append(f"| {label} | {hh['analyze_seconds']:.2f} | {hh['analyze_seconds'] + hh['read_seconds']:.2f} | {hrss:,.0f} | not run | | | | | {edges:,} | |")
    out.append("")

h5, t5, c5 = load("w5-harrier"), load("w5-toolkit"), load("w5-compare")
if h5:
    out += [f"### W5: co-similar posts within Δt = 60 s, Jaccard 0.8, {h5['posts']:,} posts", ""]
    line = f"- Harrier: {h5['analyze_seconds']:.2f} s analyse ({h5['analyze_seconds'] + h5['read_seconds']:.2f} s with reading)"
    if t5:
        line += (f"; toolkit co_similar_tweet: {t5['compute_seconds']:.1f} s compute ({t5['preprocess_seconds'] + t5['compute_seconds']:.1f} s with loading); "
                 f"ratio {t5['compute_seconds'] / h5['analyze_seconds']:.0f}x")
    out.append(line)
    if c5:
        out.append(f"- edges: Harrier {c5['harrier_edges']:,}, toolkit {c5['toolkit_edges']:,}, common {c5['common_edges']:,} "
                   f"(Harrier has {c5['recall_of_toolkit_edges']:.1%} of the toolkit's; {c5['precision_against_toolkit']:.1%} of Harrier's are the toolkit's)")
    out.append("")

s = load("scale")
if s:
    wall = wall_of_time("scale")
    rss = rss_of_time("scale")
    out += ["### Scale: the whole analysis", "",
            f"- {s['posts']:,} posts by {s['accounts']:,} accounts: read {s['read_seconds']:.1f} s, analyse {s['analyze_seconds']:.1f} s, "
            f"wall {wall:.1f} s with writing; peak RSS {rss / 1024 if rss else s['peak_rss_mb'] / 1024:.2f} GiB; "
            f"{sum(s['edges'].values()):,} edges, {s['groups']:,} groups",
            f"- phases (start, s): {', '.join(f'{k} {v:.1f}' for k, v in s['phase_starts'].items())}",
            f"- goal (≤ 120 s, ≤ 8 GiB): {'met' if wall and wall <= 120 and (rss or 0) <= 8192 else 'not met'}", ""]
print("\n".join(out))
