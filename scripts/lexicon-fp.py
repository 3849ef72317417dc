#!/usr/bin/env python3
"""Check the default lexicons: schema, false-positive hits on harmless text,
and coverage of the Chinese reference lists.

What: loads every rules/lexicons/*.toml, checks it against the format in
rules/README.md (and that no term is written twice in a file), then counts
for each term how many records of harmless text contain it:

  benign-zh/pos.txt, benign-zh/neg.txt    Chinese product reviews (lines)
  cold/train.csv                          Chinese comments (TEXT column)
  sms-spam/SMSSpamCollection              English SMS, `ham` lines only
  davidson-hate/labeled_data.csv          English tweets (tweet column)

and prints the terms with the most hits per corpus and lexicon, with the
rate per 10,000 records. Terms of kinds substance, slang, service and scam
that hit more than --threshold records per 10,000 in any corpus are listed
at the end as likely false positives (sale, contact_cue, payment and
context_benign are expected to be common words: rules only use them in
combination).

Finally it prints the coverage of our lexicons against the matching lists
in ../shared/data/lexicon-zh/: the share of a list's lines that contain at
least one of our terms for that category.

Why: a term that is common in ordinary text makes false positives; a
category whose lexicon misses most of a public list misses real posts.

What not: the matching here is approximate. Text and terms are NFKC-folded
and lowercased, Latin terms need ASCII word boundaries as in the engine,
and nothing else is normalised (no Traditional-to-Simplified, leetspeak or
separator folding, no pinyin spellings). The engine's own numbers come from
the Rust coverage command, which uses the real normaliser.

Usage: python3 scripts/lexicon-fp.py [--data DIR] [--top N]
           [--threshold PER_10K] [--missed N] [--no-fp] [--no-coverage]
Python 3.11+, standard library only. Exits 2 when a lexicon file is invalid;
skips the data checks with a message when the data folder is missing.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import re
import sys
import tomllib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEXICONS = ROOT / "rules" / "lexicons"
TAXONOMY = ROOT / "taxonomy.toml"
DEFAULT_DATA = ROOT.parent / "shared" / "data"

KNOWN_KINDS = {
    "substance", "slang", "sale", "contact_cue", "payment", "scam", "service",
    "context_benign",
}
RISKY_KINDS = {"substance", "slang", "service", "scam"}
STEP_KEYS = {
    "nfkc", "case_fold", "width", "invisible", "confusables", "separators",
    "repeats", "leet", "traditional_to_simplified", "pinyin",
}
TOP_KEYS = {"id", "category", "description", "steps", "group"}
GROUP_KEYS = {"kind", "lang", "weight", "terms"}
ID_RE = re.compile(r"^[a-z0-9_]{1,64}$")
# Lexicons that must match pinyin spellings (Chinese slang is often typed
# in pinyin or initials there).
NEEDS_PINYIN = {"drugs", "firearms_explosives", "illegal_gambling"}

# lexicon-zh list -> our lexicons (and kinds; None = every kind except
# context_benign) whose terms count as covering a line.
COVERAGE = [
    ("drugs.txt", [("drugs", None)]),
    ("firearms-explosives.txt", [("firearms_explosives", None)]),
    ("gambling.txt", [("illegal_gambling", None)]),
    ("pornography.txt", [("illegal_pornography", None)]),
    ("advertising.txt", [("illegal_services", None), ("common", {"sale"})]),
]
# Lines of a reference list that are outside our category, reported as a
# second figure: lexicon-zh's firearms list also sells crossbows, knives
# and batons, which the taxonomy's firearms_explosives does not cover.
OUT_OF_SCOPE = {
    "firearms-explosives.txt": re.compile(r"弩|刀|军刺|甩棍|电棍|麻醉箭|三步倒"),
}
# Flagged terms at or below this weight have already been down-weighted.
LOW_WEIGHT = 0.4


@dataclass
class Term:
    text: str
    norm: str
    kind: str
    lang: str
    weight: float
    lexicon: str


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def term_regex(norm: str) -> re.Pattern[str]:
    """Latin ends need an ASCII word boundary (as in the engine)."""
    start = r"(?<![a-z0-9])" if is_word(norm[0]) else ""
    end = r"(?![a-z0-9])" if is_word(norm[-1]) else ""
    return re.compile(start + re.escape(norm) + end)


# --- loading and schema ------------------------------------------------------


def load_categories() -> set[str]:
    with TAXONOMY.open("rb") as f:
        data = tomllib.load(f)
    return {c["id"] for c in data.get("category", [])}


def load_lexicons() -> tuple[dict[str, list[Term]], dict[str, dict], list[str]]:
    errors: list[str] = []
    warnings: list[str] = []
    lexicons: dict[str, list[Term]] = {}
    meta: dict[str, dict] = {}
    categories = load_categories() | {"common"}
    files = sorted(LEXICONS.glob("*.toml"))
    if not files:
        errors.append(f"no lexicon files in {LEXICONS}")
    for path in files:
        name = path.name
        try:
            with path.open("rb") as f:
                data = tomllib.load(f)
        except tomllib.TOMLDecodeError as error:
            errors.append(f"{name}: {error}")
            continue
        for key in data:
            if key not in TOP_KEYS:
                errors.append(f"{name}: unknown key {key!r}")
        lex_id = data.get("id")
        if not isinstance(lex_id, str) or not ID_RE.match(lex_id):
            errors.append(f"{name}: id must be [a-z0-9_]+")
            continue
        if lex_id != path.stem:
            errors.append(f"{name}: id {lex_id!r} is not the file stem")
        if lex_id in lexicons:
            errors.append(f"{name}: id {lex_id!r} used twice")
        category = data.get("category")
        if category not in categories:
            errors.append(f"{name}: category {category!r} is not in taxonomy.toml nor 'common'")
        if not isinstance(data.get("description", ""), str):
            errors.append(f"{name}: description must be a string")
        steps = data.get("steps", {})
        for key, value in steps.items():
            if key not in STEP_KEYS:
                errors.append(f"{name}: unknown step {key!r}")
            elif not isinstance(value, bool):
                errors.append(f"{name}: step {key} must be true or false")
        if lex_id in NEEDS_PINYIN and steps.get("pinyin") is not True:
            errors.append(f"{name}: needs [steps] pinyin = true")
        groups = data.get("group", [])
        if not groups:
            errors.append(f"{name}: no [[group]]")
        terms: list[Term] = []
        seen: dict[str, str] = {}
        for index, group in enumerate(groups, 1):
            where = f"{name} group {index}"
            for key in group:
                if key not in GROUP_KEYS:
                    errors.append(f"{where}: unknown key {key!r}")
            kind = group.get("kind")
            lang = group.get("lang")
            weight = group.get("weight")
            if not isinstance(kind, str) or not ID_RE.match(kind):
                errors.append(f"{where}: bad kind {kind!r}")
                continue
            if kind not in KNOWN_KINDS:
                warnings.append(f"{where}: kind {kind!r} is not one the default rules use")
            if lang not in ("zh", "en", "any"):
                errors.append(f"{where}: lang must be zh, en or any, not {lang!r}")
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not 0 <= weight <= 1:
                errors.append(f"{where}: weight must be a number in 0..=1")
                continue
            group_terms = group.get("terms")
            if not isinstance(group_terms, list) or not group_terms:
                errors.append(f"{where}: terms must be a non-empty list")
                continue
            for text in group_terms:
                if not isinstance(text, str) or not text.strip() or len(text.encode()) > 256:
                    errors.append(f"{where}: bad term {text!r}")
                    continue
                if text != text.strip():
                    errors.append(f"{where}: term {text!r} has surrounding spaces")
                if text != text.lower():
                    errors.append(f"{where}: term {text!r} is not lowercase")
                if text != unicodedata.normalize("NFKC", text):
                    errors.append(f"{where}: term {text!r} is not in plain (NFKC) form")
                norm = fold(text.strip())
                if norm in seen:
                    errors.append(f"{where}: term {text!r} duplicates one in {seen[norm]}")
                    continue
                seen[norm] = where
                if lang == "en" and re.search(r"[\u3400-\u9fff]", text):
                    warnings.append(f"{where}: Chinese characters in an en term {text!r}")
                if lang == "zh" and not re.search(r"[\u3400-\u9fff]", text):
                    warnings.append(f"{where}: zh term {text!r} has no Chinese character")
                if (kind in RISKY_KINDS and re.fullmatch(r"[\u3400-\u9fff]", norm)):
                    warnings.append(f"{where}: single Chinese character {text!r} matches almost anything")
                terms.append(Term(text, norm, kind, lang, float(weight), lex_id))
        lexicons[lex_id] = terms
        meta[lex_id] = {"category": category, "steps": steps, "file": name}
    for warning in warnings:
        print(f"warning: {warning}")
    return lexicons, meta, errors


# --- corpora -----------------------------------------------------------------


def read_corpora(data: Path) -> dict[str, list[str]]:
    corpora: dict[str, list[str]] = {}
    for name in ("pos.txt", "neg.txt"):
        path = data / "benign-zh" / name
        if path.exists():
            corpora[f"benign-zh/{name}"] = path.read_text(encoding="utf-8", errors="replace").splitlines()
    path = data / "cold" / "train.csv"
    if path.exists():
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
            corpora["cold/train.csv"] = [row.get("TEXT", "") for row in csv.DictReader(f)]
    path = data / "sms-spam" / "SMSSpamCollection"
    if path.exists():
        lines = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            # Line 1 has two spaces instead of the tab.
            label, _, text = line.partition("\t") if "\t" in line else line.partition("  ")
            if label.strip() == "ham":
                lines.append(text)
        corpora["sms-spam (ham)"] = lines
    path = data / "davidson-hate" / "labeled_data.csv"
    if path.exists():
        with path.open(encoding="utf-8", errors="replace", newline="") as f:
            corpora["davidson-hate"] = [row.get("tweet", "") for row in csv.DictReader(f)]
    return corpora


class Corpus:
    """One corpus as a single folded string, with line starts to map a match
    back to its record."""

    def __init__(self, records: list[str]):
        records = [fold(r).replace("\n", " ") for r in records]
        self.size = len(records)
        self.text = "\n".join(records)
        self.starts = [0]
        for record in records[:-1]:
            self.starts.append(self.starts[-1] + len(record) + 1)

    def records_with(self, pattern: re.Pattern[str], literal: str) -> int:
        if literal not in self.text:
            return 0
        hits = set()
        for match in pattern.finditer(self.text):
            hits.add(bisect.bisect_right(self.starts, match.start()) - 1)
        return len(hits)


def per10k(hits: int, size: int) -> float:
    return 10000.0 * hits / size if size else 0.0


# --- reports -----------------------------------------------------------------


def false_positives(lexicons: dict[str, list[Term]], corpora: dict[str, list[str]], top: int, threshold: float) -> None:
    built = {name: Corpus(records) for name, records in corpora.items()}
    patterns = {}
    for terms in lexicons.values():
        for term in terms:
            patterns.setdefault(term.norm, term_regex(term.norm))
    hits: dict[tuple[str, str], int] = {}
    for name, corpus in built.items():
        for norm, pattern in patterns.items():
            count = corpus.records_with(pattern, norm)
            if count:
                hits[(name, norm)] = count

    print("\n== False positives: records of harmless text containing a term ==")
    for name, corpus in built.items():
        print(f"\n-- {name}: {corpus.size} records")
        for lex_id, terms in lexicons.items():
            rows = sorted(
                ((hits.get((name, t.norm), 0), t) for t in terms),
                key=lambda row: (-row[0], row[1].text),
            )
            rows = [row for row in rows if row[0] > 0][:top]
            if not rows:
                continue
            total = sum(1 for t in terms if hits.get((name, t.norm), 0))
            shown = ", ".join(
                f"{t.text}[{t.kind} {t.weight:g}] {n} ({per10k(n, corpus.size):.1f})" for n, t in rows
            )
            print(f"  {lex_id} ({total} terms hit): {shown}")

    print(f"\n== Likely false positives: kinds {', '.join(sorted(RISKY_KINDS))} "
          f"above {threshold:g} per 10k records in some corpus ==")
    flagged = []
    for lex_id, terms in lexicons.items():
        for term in terms:
            if term.kind not in RISKY_KINDS:
                continue
            rates = {name: per10k(hits.get((name, term.norm), 0), c.size) for name, c in built.items()}
            worst = max(rates, key=rates.get) if rates else None
            if worst and rates[worst] > threshold:
                flagged.append((rates[worst], lex_id, term, worst, hits[(worst, term.norm)]))
    if not flagged:
        print("  none")
    for rate, lex_id, term, worst, count in sorted(flagged, key=lambda row: -row[0]):
        note = "REVIEW: weight above " + f"{LOW_WEIGHT:g}" if term.weight > LOW_WEIGHT else "low weight"
        print(f"  {lex_id}: {term.text} [{term.kind} {term.weight:g}] {rate:.1f}/10k in {worst}"
              f" ({count} records) - {note}")


def coverage(lexicons: dict[str, list[Term]], data: Path, missed: int) -> None:
    folder = data / "lexicon-zh"
    print("\n== Coverage of lexicon-zh lists (lines containing at least one of our terms) ==")
    for file_name, sources in COVERAGE:
        path = folder / file_name
        if not path.exists():
            print(f"  {file_name}: missing, skipped")
            continue
        lines = [fold(line.strip()) for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
        lines = [line for line in lines if line]
        terms = []
        for lex_id, kinds in sources:
            for term in lexicons.get(lex_id, []):
                if term.kind == "context_benign":
                    continue
                if kinds is None or term.kind in kinds:
                    terms.append(term)
        patterns = [(t.norm, term_regex(t.norm)) for t in terms]
        covered = []
        not_covered = []
        for line in lines:
            if any(norm in line and pattern.search(line) for norm, pattern in patterns):
                covered.append(line)
            else:
                not_covered.append(line)
        label = " + ".join(lex if kinds is None else f"{lex}({','.join(sorted(kinds))})" for lex, kinds in sources)
        share = 100.0 * len(covered) / len(lines) if lines else 0.0
        print(f"  {file_name:26} <- {label}: {len(covered)}/{len(lines)} = {share:.1f}%")
        scope = OUT_OF_SCOPE.get(file_name)
        if scope:
            kept = [line for line in lines if not scope.search(line)]
            hit = sum(1 for line in covered if not scope.search(line))
            share = 100.0 * hit / len(kept) if kept else 0.0
            print(f"  {'':26}    without out-of-scope lines ({scope.pattern}): {hit}/{len(kept)} = {share:.1f}%")
        if missed:
            print("    not covered: " + " | ".join(not_covered[:missed]))


def summary(lexicons: dict[str, list[Term]], meta: dict[str, dict]) -> None:
    print("== Lexicons ==")
    for lex_id, terms in lexicons.items():
        by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for term in terms:
            by_kind[term.kind][term.lang] += 1
        kinds = "; ".join(
            f"{kind} " + "/".join(f"{lang} {n}" for lang, n in sorted(langs.items()))
            for kind, langs in sorted(by_kind.items())
        )
        pinyin = " pinyin" if meta[lex_id]["steps"].get("pinyin") else ""
        print(f"  {meta[lex_id]['file']}: {len(terms)} terms{pinyin} ({kinds})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--top", type=int, default=8, help="terms shown per corpus and lexicon")
    parser.add_argument("--threshold", type=float, default=2.0,
                        help="per-10k rate above which a risky-kind term is flagged (2 = 1 in 5,000)")
    parser.add_argument("--missed", type=int, default=0, help="show this many uncovered lines per list")
    parser.add_argument("--no-fp", action="store_true", help="skip the false-positive count")
    parser.add_argument("--no-coverage", action="store_true", help="skip the coverage count")
    args = parser.parse_args()

    lexicons, meta, errors = load_lexicons()
    if errors:
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        return 2
    summary(lexicons, meta)
    if not args.data.is_dir():
        print(f"\nskipped: data folder {args.data} not found (see SOURCES.md); schema checks passed")
        return 0
    if not args.no_fp:
        corpora = read_corpora(args.data)
        if corpora:
            false_positives(lexicons, corpora, args.top, args.threshold)
        else:
            print("\nskipped false positives: no corpus found under", args.data)
    if not args.no_coverage:
        coverage(lexicons, args.data, args.missed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
