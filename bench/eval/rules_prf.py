#!/usr/bin/env python3
"""Precision, recall and F1 per category of the shipped ruleset.

Input: the W1 items (real harmless text from ../shared/data with about 1%
planted violations, made by bench/w1/generate.py with a stated seed), its
planted.jsonl (id and category of every planted violation) and the live
signals `harrier scan` wrote for the items. An item counts as flagged for a
category when a live signal of that category names it. Planted violations
are the positives of their category; every other item is a negative, so a
harmless review flagged as drugs is a false positive of drugs.

With SMS (the SMS Spam Collection file), items whose text is one of its
spam messages are left out of the negatives: they are real unsolicited
offers, prize and premium-rate scams, and flagging them as fraud is right.
How many of them were flagged, and as what, is printed apart (a recall
figure on real spam the rules were not written from).

Usage: rules_prf.py ITEMS PLANTED SIGNALS [SMS]
"""
import collections
import json
import sys


def sms_spam(path):
    spam = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, _, text = line.rstrip("\n").partition("\t")
            if label == "spam":
                spam.add(text)
    return spam


def main(items_path, planted_path, signals_path, sms_path=None):
    spam = sms_spam(sms_path) if sms_path else set()
    truth = {}
    with open(planted_path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            truth[d["id"]] = d["category"]
    ids = []
    real_spam = set()
    with open(items_path, encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            ids.append(item["id"])
            if item["id"] not in truth and item["text"] in spam:
                real_spam.add(item["id"])
    flagged = collections.defaultdict(set)
    with open(signals_path, encoding="utf-8") as f:
        for line in f:
            s = json.loads(line)
            if s.get("state") == "live":
                flagged[s["category"]].add(s["item"])
    categories = sorted(set(truth.values()) | set(flagged))
    print(f"{len(ids)} items, {sum(1 for i in ids if i in truth)} planted")
    print("| category | planted | flagged | true pos | precision | recall | F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total = collections.Counter()
    loaded = set(ids) - real_spam
    for cat in categories:
        pos = {i for i, c in truth.items() if c == cat and i in loaded}
        got = flagged.get(cat, set()) & loaded
        tp = len(pos & got)
        p = tp / len(got) if got else 0.0
        r = tp / len(pos) if pos else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        total.update(pos=len(pos), got=len(got), tp=tp)
        print(f"| {cat} | {len(pos)} | {len(got)} | {tp} | {p:.3f} | {r:.3f} | {f1:.3f} |")
    p = total["tp"] / total["got"] if total["got"] else 0.0
    r = total["tp"] / total["pos"] if total["pos"] else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"| all | {total['pos']} | {total['got']} | {total['tp']} | {p:.3f} | {r:.3f} | {f1:.3f} |")
    harmless = [i for i in ids if i not in truth and i not in real_spam]
    any_flag = set().union(*flagged.values()) if flagged else set()
    fp = sum(1 for i in harmless if i in any_flag)
    print(f"harmless items flagged: {fp} of {len(harmless)} ({fp / max(1, len(harmless)) * 1e4:.1f} per 10,000)")
    if real_spam:
        by_cat = collections.Counter(c for c, got in flagged.items() for i in got if i in real_spam)
        hit = sum(1 for i in real_spam if i in any_flag)
        cats = ", ".join(f"{c} {n}" for c, n in sorted(by_cat.items()))
        print(f"real SMS spam items (left out of the negatives): {len(real_spam)}, flagged {hit} "
              f"({hit / len(real_spam):.1%}): {cats}")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:])
