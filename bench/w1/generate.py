#!/usr/bin/env python3
"""W1 benchmark data: items, planted violations and a grown ruleset (issue 3).

What it writes, into OUT (default ``target/bench-w1/``; refused anywhere else
inside the repository, since only ``target/`` is git-ignored):

``items.jsonl``
    ITEMS lines (default 1,000,000) of
    ``{"id", "text", "lang": "zh"|"en", "account", "ts"}``. The texts are real
    text from ``../shared/data`` (see its SOURCES.md): the COLD comments
    (TEXT column of train, dev and test), the benign-zh product reviews
    (pos.txt and neg.txt, one a line), the SMS Spam Collection (text column)
    and the Davidson tweets (tweet column). Every source line is used once
    per pass; passes are shuffled with the seed and repeated until ITEMS are
    reached (about ten passes for a million items), so the mix is the sources'
    own sizes: about 70 % Chinese, 30 % English. Accounts are drawn from a
    pool of ordinary accounts (a few heavy posters among them); ``ts`` grows
    with the item's position over 30 days from 2026-01-01.
``planted.jsonl``
    About 1 % of the items (exactly round(ITEMS / 100)) carry a planted
    violation: a phrase built from the default lexicons (``rules/lexicons``,
    read here with tomllib, whatever is there when this runs) inserted into
    the real text at a random place. A phrase is an illegal thing or service
    (kinds substance, slang, service, scam; a taxonomy category is drawn
    first, each as likely, then one of its terms), often with sale phrasing, a
    quantity and a price, and a contact (a cue such as 加微信 with a handle,
    a QQ number or a phone number such as 138 0013 8000). About 40 % are
    obfuscated: full-width letters, separators between the characters
    ("冰*毒"), Traditional characters, leetspeak, Cyrillic look-alikes or
    zero-width spaces. Where the default lexicons lack a kind, a small
    built-in list below stands in (and ``source`` says "builtin").
    One line per planted item: id, category, lexicon, kind, term (as in the
    lexicon), written (as it appears in the text), obfuscation, phrase and
    the char offset of the phrase in the text, for precision and recall.
``ruleset/``
    A copy of the repository's ``rules/`` plus, so that the ruleset has at
    least MIN_TERMS (10,000) distinct lexicon terms and MIN_REGEXES (500)
    patterns:

    - ``lexicons/bench_extra_<list>.toml``: one lexicon per list of
      ``../shared/data/lexicon-zh`` (drugs, firearms-explosives, gambling,
      pornography, advertising: all their terms; illegal-site-domains: as
      many as needed to reach MIN_TERMS, in a seeded order), each with the
      taxonomy category matching the list (advertising counts as
      fraud_scams; the domain list, which mixes gambling, pornography and
      other sites, as "common"). Terms already in the default lexicons are
      left out, and so are duplicates.
    - ``patterns/bench_extra.toml``: regexes in the rules/README.md format:
      prices in many currencies and writings, phone numbers per country,
      messenger handles after a cue, URL shapes (suspicious TLDs, short
      links, look-alike brands, IP hosts), "term + quantity" sale patterns
      built from the drug, firearm and gambling lists, order and tracking
      numbers, bank cards after a cue, wallet addresses, identity numbers,
      scam and SMS-spam scripts. They keep to the subset that both Rust's
      regex crate and Hyperscan accept: no backreferences, no lookaround, no
      pattern that matches the empty string; Latin is written lowercase,
      because the default ``on = "normalized"`` text is case-folded.
``terms.txt``, ``regexes.txt``
    For the peers (bench/w1/hs_bench.c, bench/w1/aho_bench.py): every
    distinct lexicon term of ``ruleset/`` lowercased, one a line, and every
    pattern's regex of ``ruleset/``, one a line, in file order.
``stamp.json``
    Seed, size and fingerprints of this script, ``rules/`` and the source
    data; with ``--reuse``, a folder whose stamp matches is left as it is.

Only the Python 3.11 standard library is used; the output is a function of
the seed, ITEMS, this file, ``rules/`` and the source data.

    python3 bench/w1/generate.py [OUT] [--items N] [--seed S] [--reuse]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = (ROOT / ".." / "shared" / "data").resolve()
RULES = ROOT / "rules"
MIN_TERMS = 10_000
MIN_REGEXES = 500
PLANT_SHARE = 0.01
TS_START = 1_767_225_600  # 2026-01-01T00:00:00Z
TS_SPAN = 30 * 86_400

# ---------------------------------------------------------------------------
# Source text
# ---------------------------------------------------------------------------


def load_pool() -> list[tuple[str, str, str]]:
    """(source, lang, text) for every usable line of the four sources."""
    pool: list[tuple[str, str, str]] = []

    def add(source: str, lang: str, text: str) -> None:
        text = text.strip()
        if text:
            pool.append((source, lang, text))

    for split in ("train", "dev", "test"):
        with open(DATA / "cold" / f"{split}.csv", encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                add("cold", "zh", row["TEXT"])
    for name in ("pos", "neg"):
        with open(DATA / "benign-zh" / f"{name}.txt", encoding="utf-8") as f:
            for line in f:
                add("benign-zh", "zh", line)
    with open(DATA / "sms-spam" / "SMSSpamCollection", encoding="utf-8") as f:
        for line in f:
            # label<TAB>text; line 1 has two spaces instead of the tab.
            parts = re.split(r"\t| {2}", line.rstrip("\n"), maxsplit=1)
            if len(parts) == 2:
                add("sms", "en", parts[1])
    with open(DATA / "davidson-hate" / "labeled_data.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            add("davidson", "en", row["tweet"])
    return pool


# ---------------------------------------------------------------------------
# Lexicons
# ---------------------------------------------------------------------------


def read_lexicons(folder: Path) -> list[dict]:
    """Every lexicon file of a ruleset folder, parsed (sorted by file name)."""
    out = []
    for path in sorted((folder / "lexicons").glob("*.toml")):
        with open(path, "rb") as f:
            lex = tomllib.load(f)
        lex["_file"] = path.name
        out.append(lex)
    return out


def lexicon_terms(lexicons: list[dict]) -> list[tuple[dict, dict, str]]:
    """(lexicon, group, term) for every term, in file order."""
    out = []
    for lex in lexicons:
        for group in lex.get("group", []):
            for term in group.get("terms", []):
                if isinstance(term, str) and term.strip():
                    out.append((lex, group, term))
    return out


# Which taxonomy category and term kind each lexicon-zh list stands for.
EXTRA_LISTS = [
    # (file stem, lexicon id, category, kind, weight, description)
    ("drugs", "bench_extra_drugs", "drugs", "substance", 0.6,
     "Bench only: drug names and sale phrases from lexicon-zh/drugs.txt"),
    ("firearms-explosives", "bench_extra_firearms", "firearms_explosives", "substance", 0.6,
     "Bench only: firearm and explosive terms from lexicon-zh/firearms-explosives.txt"),
    ("gambling", "bench_extra_gambling", "illegal_gambling", "service", 0.6,
     "Bench only: gambling terms from lexicon-zh/gambling.txt"),
    ("pornography", "bench_extra_pornography", "illegal_pornography", "service", 0.4,
     "Bench only: pornography terms from lexicon-zh/pornography.txt"),
    ("advertising", "bench_extra_advertising", "fraud_scams", "scam", 0.2,
     "Bench only: spam-advertising terms from lexicon-zh/advertising.txt"),
]
DOMAIN_LIST = ("illegal-site-domains", "bench_extra_domains", "common", "service", 0.5,
               "Bench only: illegal-site domains from lexicon-zh/illegal-site-domains.txt")

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def clean_term(raw: str) -> str:
    term = raw.strip().strip("*").strip()
    term = re.sub(r"\s+", " ", term)
    return term


def term_lang(term: str) -> str:
    return "zh" if HAN.search(term) else "any"


def read_list(stem: str) -> list[str]:
    with open(DATA / "lexicon-zh" / f"{stem}.txt", encoding="utf-8") as f:
        return [clean_term(line) for line in f]


def toml_str(s: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes).
    return json.dumps(s, ensure_ascii=False)


def toml_regex(s: str) -> str:
    if "'" not in s and "\n" not in s:
        return "'" + s + "'"
    return toml_str(s)


def write_lexicon(path: Path, lex_id: str, category: str, kind: str, weight: float,
                  description: str, terms: list[str]) -> None:
    by_lang: dict[str, list[str]] = {}
    for t in terms:
        by_lang.setdefault(term_lang(t), []).append(t)
    lines = [
        "# Generated by bench/w1/generate.py for the W1 benchmark; not part of the",
        "# default ruleset. Source: ../shared/data/lexicon-zh (MIT).",
        f"id = {toml_str(lex_id)}",
        f"category = {toml_str(category)}",
        f"description = {toml_str(description)}",
        "",
    ]
    for lang in sorted(by_lang):
        lines += ["[[group]]", f"kind = {toml_str(kind)}", f"lang = {toml_str(lang)}",
                  f"weight = {weight}", "terms = ["]
        lines += [f"  {toml_str(t)}," for t in by_lang[lang]]
        lines += ["]", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def grow_lexicons(ruleset: Path, rng: random.Random) -> dict[str, int]:
    """Add bench_extra lexicons until the ruleset has MIN_TERMS distinct terms."""
    seen = {t.lower() for _, _, t in lexicon_terms(read_lexicons(ruleset))}
    counts = {"default": len(seen)}
    for stem, lex_id, category, kind, weight, desc in EXTRA_LISTS:
        terms = []
        for t in read_list(stem):
            if t and t.lower() not in seen:
                seen.add(t.lower())
                terms.append(t.lower())
        write_lexicon(ruleset / "lexicons" / f"{lex_id}.toml", lex_id, category, kind,
                      weight, desc, terms)
        counts[lex_id] = len(terms)
    stem, lex_id, category, kind, weight, desc = DOMAIN_LIST
    domains = sorted({t.lower() for t in read_list(stem) if t} - seen)
    rng.shuffle(domains)
    need = max(0, MIN_TERMS - len(seen))
    chosen = domains[:need]
    seen.update(chosen)
    if len(seen) < MIN_TERMS:
        # Still short: the phishing blacklist.
        with open(DATA / "phishing-domains" / "eth-phishing-detect-config.json", encoding="utf-8") as f:
            phishing = sorted({d.lower() for d in json.load(f)["blacklist"]} - seen)
        rng.shuffle(phishing)
        extra = phishing[: MIN_TERMS - len(seen)]
        chosen += extra
        seen.update(extra)
    if chosen:
        write_lexicon(ruleset / "lexicons" / f"{lex_id}.toml", lex_id, category, kind,
                      weight, desc, sorted(chosen))
    counts[lex_id] = len(chosen)
    counts["total"] = len(seen)
    return counts


# ---------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------

# Suffix-written currencies: (id, regex alternation, has Chinese numerals)
SUFFIX_CURRENCIES = [
    ("cny", "元|块|块钱|圆|rmb|cny|人民币", True),
    ("cny_w", "万元|万块|w元", False),
    ("hkd", "港币|港元|港纸|hkd", True),
    ("twd", "台币|新台币|ntd|twd", True),
    ("mop", "澳门元|葡币|mop", True),
    ("usd", "美元|美金|usd|bucks|dollars?", True),
    ("eur", "欧元|eur|euros?", True),
    ("gbp", "英镑|gbp|pounds?|quid", True),
    ("jpy", "日元|日币|jpy|円|yen", True),
    ("krw", "韩元|韩币|krw|won", True),
    ("thb", "泰铢|thb|baht", True),
    ("vnd", "越南盾|vnd|dong", True),
    ("php", "菲律宾比索|php|pesos?", True),
    ("myr", "令吉|马币|myr|ringgit", True),
    ("sgd", "新币|新加坡元|sgd", True),
    ("idr", "印尼盾|idr|rupiah", True),
    ("inr", "卢比|inr|rupees?", True),
    ("rub", "卢布|rub|rubles?|roubles?", True),
    ("aud", "澳元|澳币|aud", True),
    ("cad", "加元|加币|cad", True),
    ("chf", "瑞郎|chf|francs?", True),
    ("aed", "迪拉姆|aed|dirhams?", True),
    ("sar", "里亚尔|sar|riyals?", True),
    ("brl", "雷亚尔|brl|reais", True),
    ("zar", "兰特|zar|rand", True),
    ("try", "里拉|土耳其里拉|lira", True),
    ("mmk", "缅币|缅元|mmk|kyat", True),
    ("khr", "瑞尔|柬币|khr|riel", True),
    ("lak", "基普|老挝币|lak|kip", True),
    ("ngn", "奈拉|ngn|naira", True),
    ("usdt", "usdt|泰达币|u币", False),
    ("btc", "btc|比特币|xbt", False),
    ("eth", "eth|以太坊|以太币", False),
    ("trx", "trx|波场币", False),
    ("points", "积分|金币|钻石|q币|点券", True),
]
# Prefix symbols: (id, regex)
PREFIX_CURRENCIES = [
    ("cny_sym", "(?:¥|￥|rmb|cny)"), ("usd_sym", "(?:us)?\\$"), ("hkd_sym", "hk\\$"),
    ("twd_sym", "nt\\$"), ("sgd_sym", "s\\$"), ("aud_sym", "a\\$"), ("cad_sym", "c\\$"),
    ("eur_sym", "€"), ("gbp_sym", "£"), ("krw_sym", "₩"), ("inr_sym", "(?:₹|rs\\.?)"),
    ("rub_sym", "₽"), ("thb_sym", "฿"), ("vnd_sym", "₫"), ("php_sym", "₱"),
    ("brl_sym", "r\\$"), ("myr_sym", "rm"), ("idr_sym", "rp\\.?"), ("ngn_sym", "₦"),
    ("try_sym", "₺"), ("btc_sym", "₿"),
]
CN_NUM = "[一二三四五六七八九十两百千万]"
GROUPED_CURRENCIES = {"cny", "hkd", "twd", "usd", "eur", "gbp", "jpy", "krw", "usdt", "vnd"}

# Phone numbers per country: (id, regex)
PHONES = [
    ("cn.mobile", r"1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"),
    ("cn.mobile_intl", r"(?:\+|00)86[\s-]?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"),
    ("cn.landline", r"0\d{2,3}-\d{7,8}"),
    ("cn.service400", r"[48]00[\s-]?\d{3}[\s-]?\d{4}"),
    ("hk", r"(?:\+|00)852[\s-]?[5-9]\d{3}[\s-]?\d{4}"),
    ("mo", r"(?:\+|00)853[\s-]?6\d{3}[\s-]?\d{4}"),
    ("tw", r"(?:(?:\+|00)886[\s-]?|0)9\d{2}[\s-]?\d{3}[\s-]?\d{3}"),
    ("nanp", r"(?:\+1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?[2-9]\d{2}[\s.-]\d{4}"),
    ("uk.mobile", r"(?:\+44\s?7\d{3}|07\d{3})\s?\d{3}\s?\d{3}"),
    ("uk.premium", r"09\d{2}\s?\d{3}\s?\d{4}"),
    ("uk.freephone", r"08\d{2}\s?\d{3}\s?\d{4}"),
    ("jp", r"(?:\+81[\s-]?|0)[789]0[\s-]?\d{4}[\s-]?\d{4}"),
    ("kr", r"(?:\+82[\s-]?|0)10[\s-]?\d{4}[\s-]?\d{4}"),
    ("sg", r"\+65[\s-]?[89]\d{3}[\s-]?\d{4}"),
    ("my", r"(?:\+60[\s-]?|0)1\d[\s-]?\d{3,4}[\s-]?\d{4}"),
    ("th", r"\+66[\s-]?[689]\d[\s-]?\d{3}[\s-]?\d{4}"),
    ("vn", r"\+84[\s-]?[35789]\d[\s-]?\d{3}[\s-]?\d{4}"),
    ("ph", r"(?:\+63[\s-]?|0)9\d{2}[\s-]?\d{3}[\s-]?\d{4}"),
    ("id", r"\+62[\s-]?8\d{2}[\s-]?\d{3,4}[\s-]?\d{3,4}"),
    ("mm", r"\+95[\s-]?9[\s-]?\d{3}[\s-]?\d{3,5}"),
    ("kh", r"\+855[\s-]?\d{2}[\s-]?\d{3}[\s-]?\d{3,4}"),
    ("la", r"\+856[\s-]?20[\s-]?\d{4}[\s-]?\d{4}"),
    ("in", r"(?:\+91[\s-]?)[6-9]\d{4}[\s-]?\d{5}"),
    ("pk", r"\+92[\s-]?3\d{2}[\s-]?\d{7}"),
    ("bd", r"\+880[\s-]?1\d{3}[\s-]?\d{6}"),
    ("lk", r"\+94[\s-]?7\d[\s-]?\d{3}[\s-]?\d{4}"),
    ("np", r"\+977[\s-]?9[78]\d[\s-]?\d{7}"),
    ("ae", r"\+971[\s-]?5\d[\s-]?\d{3}[\s-]?\d{4}"),
    ("sa", r"\+966[\s-]?5\d[\s-]?\d{3}[\s-]?\d{4}"),
    ("tr", r"\+90[\s-]?5\d{2}[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}"),
    ("ru", r"(?:\+7|8)[\s-]?9\d{2}[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}"),
    ("ua", r"\+380[\s-]?\d{2}[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}"),
    ("pl", r"\+48[\s-]?\d{3}[\s-]?\d{3}[\s-]?\d{3}"),
    ("de", r"\+49[\s-]?1[5-7]\d[\s-]?\d{7,8}"),
    ("fr", r"\+33[\s-]?[67](?:[\s.-]?\d{2}){4}"),
    ("es", r"\+34[\s-]?[67]\d{2}[\s-]?\d{3}[\s-]?\d{3}"),
    ("it", r"\+39[\s-]?3\d{2}[\s-]?\d{6,7}"),
    ("nl", r"\+31[\s-]?6[\s-]?\d{8}"),
    ("be", r"\+32[\s-]?4\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}"),
    ("ch", r"\+41[\s-]?7[5-9][\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}"),
    ("at", r"\+43[\s-]?6\d{2}[\s-]?\d{6,8}"),
    ("se", r"\+46[\s-]?7\d[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}"),
    ("no", r"\+47[\s-]?[49]\d{2}[\s-]?\d{2}[\s-]?\d{3}"),
    ("dk", r"\+45[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}"),
    ("fi", r"\+358[\s-]?4\d[\s-]?\d{3}[\s-]?\d{4}"),
    ("pt", r"\+351[\s-]?9[1236]\d[\s-]?\d{3}[\s-]?\d{3}"),
    ("gr", r"\+30[\s-]?69\d[\s-]?\d{3}[\s-]?\d{4}"),
    ("ie", r"\+353[\s-]?8[35-9][\s-]?\d{3}[\s-]?\d{4}"),
    ("cz", r"\+420[\s-]?[67]\d{2}[\s-]?\d{3}[\s-]?\d{3}"),
    ("hu", r"\+36[\s-]?[237]0[\s-]?\d{3}[\s-]?\d{4}"),
    ("ro", r"\+40[\s-]?7\d{2}[\s-]?\d{3}[\s-]?\d{3}"),
    ("br", r"\+55[\s-]?\d{2}[\s-]?9\d{4}[\s-]?\d{4}"),
    ("mx", r"\+52[\s-]?1?[\s-]?\d{2}[\s-]?\d{4}[\s-]?\d{4}"),
    ("ar", r"\+54[\s-]?9[\s-]?\d{2}[\s-]?\d{4}[\s-]?\d{4}"),
    ("co", r"\+57[\s-]?3\d{2}[\s-]?\d{3}[\s-]?\d{4}"),
    ("cl", r"\+56[\s-]?9[\s-]?\d{4}[\s-]?\d{4}"),
    ("pe", r"\+51[\s-]?9\d{2}[\s-]?\d{3}[\s-]?\d{3}"),
    ("ng", r"\+234[\s-]?[789][01]\d[\s-]?\d{3}[\s-]?\d{4}"),
    ("ke", r"\+254[\s-]?7\d{2}[\s-]?\d{3}[\s-]?\d{3}"),
    ("za", r"\+27[\s-]?[678]\d[\s-]?\d{3}[\s-]?\d{4}"),
    ("eg", r"\+20[\s-]?1[0125][\s-]?\d{4}[\s-]?\d{4}"),
    ("ma", r"\+212[\s-]?[67]\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}"),
    ("au", r"(?:\+61[\s-]?|0)4\d{2}[\s-]?\d{3}[\s-]?\d{3}"),
    ("nz", r"\+64[\s-]?2\d[\s-]?\d{3}[\s-]?\d{3,4}"),
    ("generic_intl", r"(?:\+|00)[1-9]\d{0,2}[\s-]\d{2,4}[\s-]\d{3,4}[\s-]\d{3,4}"),
    ("cue_zh", r"(?:电话|手机|手机号|联系电话|热线|致电|来电|打电话)\s*[:：]?\s*\+?\d[\d\s-]{6,14}\d"),
    ("cue_en", r"(?:call|phone|tel|mobile|text|ring)\s*(?:me|us|now)?\s*(?:on|at)?\s*[:：]?\s*\+?\d[\d\s-]{6,14}\d"),
]

# Messenger cues: (id, cue alternation, handle shape)
HANDLE_SHAPES = {
    "wechat": r"[a-z][a-z0-9_-]{5,19}",
    "qq": r"[1-9]\d{4,10}",
    "tg": r"@?[a-z][a-z0-9_]{4,31}",
    "line": r"@?[a-z0-9._-]{4,20}",
    "phone": r"\+?\d[\d\s-]{7,15}\d",
    "user": r"@?[a-z0-9_.]{3,30}",
}
HANDLE_CUES = [
    ("wechat.add", "加微信|加微|加个微信|加我微信|添加微信", "wechat"),
    ("wechat.v", "加v|加vx|加wx|加卫星|加薇|加威", "wechat"),
    ("wechat.id", "微信号|微信|wechat id|wechat|weixin", "wechat"),
    ("wechat.slang", "vx|wx|v信|薇信|威信|微x|徽信|卫星|魏信|v❤", "wechat"),
    ("wechat.qq_mix", "vx/qq|v/q|微信同号|同号", "wechat"),
    ("qq.add", "加q|加qq|加扣|加企鹅|加我q", "qq"),
    ("qq.id", "qq号|qq|扣扣|企鹅号|口口|寇寇|球球", "qq"),
    ("qq.group", "qq群|q群|扣群|群号", "qq"),
    ("tg.zh", "飞机|纸飞机|电报|飞机号|飞机群|tg号", "tg"),
    ("tg.en", "telegram|tg|tele|t\\.me", "tg"),
    ("line", "line id|line|賴|赖", "line"),
    ("whatsapp", "whatsapp|whats app|wa|瓦次普", "phone"),
    ("signal", "signal|信号", "phone"),
    ("viber", "viber", "phone"),
    ("zalo", "zalo", "phone"),
    ("kakao", "kakaotalk|kakao|카톡|카카오톡", "line"),
    ("wickr", "wickr me|wickr", "user"),
    ("discord", "discord", "user"),
    ("snapchat", "snapchat|snap|sc", "user"),
    ("instagram", "instagram|insta|ig", "user"),
    ("twitter", "twitter|推特", "user"),
    ("facebook", "facebook|fb|脸书", "user"),
    ("skype", "skype", "user"),
    ("threema", "threema", "user"),
    ("session", "session id", "user"),
    ("potato", "potato|土豆聊天|蝙蝠|bat", "user"),
    ("momo", "陌陌|陌陌号|探探|soul", "user"),
    ("douyin", "抖音号|抖音|快手号|快手", "user"),
    ("dingtalk", "钉钉|钉钉号", "user"),
    ("dm", "dm me|dm|pm me|inbox me|私信|私聊|私我|滴滴我", "user"),
    ("kik", "kik", "user"),
]
HANDLE_LINKS = [
    ("tme", r"t\.me/(?:joinchat/)?[a-z0-9_+-]{5,32}"),
    ("wame", r"wa\.me/\d{8,15}"),
    ("wa_group", r"chat\.whatsapp\.com/[a-z0-9]{10,30}"),
    ("line_me", r"line\.me/(?:r/)?ti/p/[~@a-z0-9_-]{4,40}"),
    ("discord_gg", r"discord(?:\.gg|app\.com/invite)/[a-z0-9-]{2,32}"),
    ("qm_qq", r"qm\.qq\.com/cgi-bin/qm/qr\?k=[a-z0-9_-]{8,64}"),
    ("wechat_u", r"u\.wechat\.com/[a-z0-9_-]{8,64}"),
    ("weixin_qr", r"weixin\.qq\.com/[rg]/[a-z0-9_-]{8,64}"),
    ("instagram", r"instagram\.com/[a-z0-9_.]{2,30}"),
    ("twitter", r"(?:twitter|x)\.com/[a-z0-9_]{2,15}"),
    ("snap", r"snapchat\.com/add/[a-z0-9_.-]{3,15}"),
    ("kakao_open", r"open\.kakao\.com/o/[a-z0-9]{6,12}"),
]

SUSPICIOUS_TLDS = [
    "tk", "ml", "ga", "cf", "gq", "xyz", "top", "club", "online", "site", "website",
    "space", "fun", "icu", "vip", "work", "click", "link", "buzz", "live", "shop",
    "store", "monster", "rest", "cyou", "ltd", "bid", "win", "loan", "date", "review",
    "racing", "download", "stream", "trade", "accountant", "science", "party", "men",
    "faith", "cricket", "gdn", "kim", "ren", "wang", "xin", "cc", "ws", "to", "su",
    "pw", "bet", "casino", "poker", "games", "porn", "sex", "xxx", "adult", "cam",
    "sbs", "cfd", "bond", "quest", "lol", "mom", "hair", "skin", "beauty", "makeup",
    "boats", "autos", "motorcycles", "yachts", "homes", "uno", "asia", "io",
    "ink", "run", "zone", "today", "world", "life", "email",
]
SHORTENERS = [
    "bit\\.ly", "tinyurl\\.com", "t\\.cn", "url\\.cn", "dwz\\.cn", "suo\\.im", "is\\.gd",
    "goo\\.gl", "ow\\.ly", "rebrand\\.ly", "cutt\\.ly", "shorturl\\.at", "rb\\.gy",
    "s\\.id", "v\\.gd", "tiny\\.cc", "bl\\.ink", "t\\.ly", "lnkd\\.in", "buff\\.ly",
    "x\\.co", "qr\\.net", "reurl\\.cc", "ppt\\.cc", "lihi\\.cc",
]
BRANDS = [
    "paypal", "apple", "icloud", "amazon", "alipay", "taobao", "tmall", "jd", "weixin",
    "wechat", "tencent", "icbc", "ccb", "boc", "cmbchina", "abchina", "95559",
    "binance", "metamask", "coinbase", "okx", "huobi", "htx", "tronlink", "ledger",
    "trustwallet", "uniswap", "opensea", "microsoft", "office365", "netflix", "dhl",
    "fedex", "usps", "royalmail", "hmrc", "irs", "sf-express", "12306", "chsi",
]

# Cues before a number: order and tracking numbers, bank cards.
ORDER_CUES = [
    "订单号", "订单编号", "运单号", "快递单号", "物流单号", "交易单号", "流水号", "交易号",
    "取件码", "提货码", "退款单号", "order no\\.?", "order #", "order number", "order id",
    "tracking number", "tracking no\\.?", "tracking id", "awb", "waybill",
    "reference no\\.?", "ref no\\.?", "invoice no\\.?", "transaction id",
]
CARRIER_NUMBERS = [
    ("sf", r"sf\d{12,13}"), ("yto", r"yt\d{13}"), ("jd", r"jd[a-z]{0,2}\d{10,15}"),
    ("ems", r"e[a-z]\d{9}cn"), ("ups", r"1z[0-9a-z]{16}"), ("upu", r"[a-z]{2}\d{9}(?:cn|hk|us|gb|sg|my)"),
    ("zto", r"(?:zto|中通)\s*[:：]?\s*\d{12,15}"), ("sto", r"(?:sto|申通)\s*[:：]?\s*\d{12,15}"),
    ("yunda", r"(?:韵达)\s*[:：]?\s*\d{13,15}"), ("dhl", r"dhl\s*[:：#]?\s*\d{10,11}"),
    ("fedex", r"fedex\s*[:：#]?\s*\d{12,15}"), ("cainiao", r"lp\d{14}"),
]
CARD_CUES = [
    "银行卡", "银行卡号", "卡号", "账号", "帐号", "收款账号", "收款卡", "收款账户", "对公账户",
    "储蓄卡", "信用卡", "借记卡", "打款到", "转账到", "汇款到", "card no\\.?", "card number",
    "account no\\.?", "acc no\\.?", "a/c", "account number", "debit card", "credit card",
]
BANKS = [
    "工商", "建设", "农业", "中国", "招商", "交通", "邮政", "邮储", "民生", "浦发", "兴业",
    "光大", "中信", "平安", "华夏", "广发", "北京", "上海", "宁波", "江苏", "农商", "农村信用社",
]

# "term + quantity": units per list.
QTY_UNITS = {
    "drugs": r"\d+(?:\.\d+)?\s*(?:克|g|kg|公斤|斤|两|粒|颗|片|包|袋|个|条)",
    "firearms-explosives": r"\d+\s*(?:支|把|发|盒|套|个|公斤|kg|米|元|块)",
    "gambling": r"\d+\s*(?:倍|元|块|注|期|万|把|局)",
}
QTY_BUILTIN = {
    # Stand-ins with common street names, used with the lists above.
    "drugs": ["冰毒", "海洛因", "麻古", "摇头丸", "k粉", "氯胺酮", "大麻", "可卡因", "鸦片",
              "吗啡", "杜冷丁", "曲马多", "笑气", "神仙水", "麻果", "白粉", "冰糖", "叶子",
              "邮票", "奶茶", "开心水", "听话水", "迷药", "红冰", "黄冰", "咖啡包", "跳跳糖"],
    "firearms-explosives": ["手枪", "气枪", "猎枪", "仿真枪", "钢珠枪", "子弹", "枪支", "弓弩",
                            "雷管", "炸药", "导火索", "黑火药", "军刺", "麻醉枪"],
    "gambling": ["百家乐", "六合彩", "时时彩", "北京赛车", "幸运飞艇", "快三", "牛牛",
                 "龙虎斗", "炸金花", "斗地主", "老虎机", "轮盘", "真人视讯", "体育投注"],
}
MAX_QTY_TERMS = {"drugs": 50, "firearms-explosives": 30, "gambling": 15}

SCAM_SCRIPTS = [
    ("earn_day_zh", r"(?:日赚|日入|日结|一天赚|每天赚)\s*\d+(?:\.\d+)?\s*(?:元|块|k|w|万|\+)?"),
    ("earn_month_zh", r"(?:月入|月赚|月薪|月收入)\s*(?:过)?\s*\d+(?:\.\d+)?\s*(?:元|块|k|w|万|千)"),
    ("rebate_pct", r"(?:返利|返现|佣金|提成)\s*\d+(?:\.\d+)?\s*%"),
    ("yield_pct", r"(?:收益|回报|利息|年化|日化|月化)\s*(?:率)?\s*\d+(?:\.\d+)?\s*%"),
    ("pct_yield", r"\d+(?:\.\d+)?\s*%\s*(?:返利|收益|利息|回报|佣金)"),
    ("guarantee", r"(?:保本|稳赚|包赚|零风险)\s*[^\s]{0,6}\s*\d+(?:\.\d+)?\s*(?:%|倍)"),
    ("task_order", r"(?:刷单|做单|任务单|点赞)\s*(?:一单|每单|单笔)\s*\d+(?:\.\d+)?\s*(?:元|块)"),
    ("loan_fast", r"(?:无抵押|免息|秒批|秒到)\s*(?:贷款|借款|放款)?\s*\d+\s*(?:万|元|w|k)"),
    ("deposit_bonus", r"(?:首充|充值|首存|存款)\s*\d+\s*(?:送|赠|返)\s*\d+"),
    ("recharge_bonus", r"充\s*\d+\s*送\s*\d+"),
    ("lottery_issue", r"第?\s*\d{3,12}\s*期\s*(?:计划|必中|稳中|内幕)"),
    ("bonus_gift", r"(?:彩金|体验金|注册送)\s*\d+\s*(?:元|块)?"),
    ("earn_en", r"(?:earn|make)\s+(?:up\s+to\s+)?\$?\d[\d,]*\s*(?:usd|dollars?|k)?\s*(?:per|a|/)\s*(?:day|week|hour|month)"),
    ("invest_en", r"(?:invest|deposit)\s+\$?\d[\d,]*\s*(?:usdt|usd|btc)?\s*(?:and|to)\s+(?:get|earn|receive)"),
    ("roi_en", r"\d+(?:\.\d+)?\s*%\s*(?:daily|weekly|monthly|roi|profit|returns?)"),
    ("won_prize", r"(?:won|win|awarded|claim)\s+(?:a\s+)?(?:£|\$|€)\s*\d[\d,]*"),
    ("prize_cash", r"(?:£|\$|€)\s*\d[\d,]*\s*(?:cash|prize|award|bonus|voucher)"),
    ("call_premium", r"call\s+(?:now\s+)?(?:on\s+)?0\d{9,10}"),
    ("text_shortcode", r"(?:text|txt|send|reply)\s+[a-z0-9]{2,12}\s+to\s+\d{5}"),
    ("claim_code", r"(?:claim|redeem|prize|bonus)\s+code\s*[:：]?\s*[a-z0-9]{4,12}"),
    ("rate_pmin", r"\d+(?:\.\d+)?p\s*(?:/|per)\s*(?:min|minute|msg|text)"),
    ("box_po", r"po\s*box\s*\d{3,6}"),
    ("stop_sms", r"(?:stop|unsub)\s*(?:to|2)\s*\d{5}"),
    ("reply_yes", r"reply\s+(?:yes|y|win|now)\s+to\s+\d{4,6}"),
    ("verify_code_zh", r"(?:验证码|校验码|动态码)\s*[:：是为]?\s*\d{4,8}"),
    ("verify_code_en", r"(?:verification|security|otp|one-time)\s+code\s*(?:is)?\s*[:：]?\s*\d{4,8}"),
    ("paid_delete", r"(?:删帖|删除|撤稿|降权)\s*\d+\s*(?:元|块|条|篇|起)"),
    ("fake_doc", r"(?:办证|刻章|办理)\s*(?:各类)?\s*[^\s]{0,6}\s*(?:\d{3,4}元|\d{2,4}块)"),
]
OTHER_PATTERNS = [
    ("wallet", "wallet.eth", r"0x[0-9a-f]{40}", "original"),
    ("wallet", "wallet.tron", r"t[1-9a-hj-np-z]{33}", "original"),
    ("wallet", "wallet.btc_bech32", r"bc1[02-9ac-hj-np-z]{25,59}", "original"),
    ("wallet", "wallet.btc_legacy_cue", r"(?:btc|bitcoin|比特币)\s*(?:地址|address|wallet)?\s*[:：]?\s*[13][1-9a-hj-np-z]{25,34}", "original"),
    ("wallet", "wallet.usdt_cue", r"(?:usdt|trc20|trc-20|erc20|erc-20)\s*(?:地址|address|wallet)?\s*[:：]?\s*(?:0x[0-9a-f]{40}|t[1-9a-hj-np-z]{33})", "original"),
    ("wallet", "wallet.cue_zh", r"(?:钱包地址|收款地址|充值地址|转账地址)\s*[:：]?\s*[0-9a-z]{26,64}", "original"),
    # Hyperscan refuses a {93} repeat here ("Pattern is too large"); a cue and
    # {60,93} find the same addresses.
    ("wallet", "wallet.xmr_cue", r"(?:xmr|monero)\s*[:：]?\s*4[0-9ab][1-9a-hj-np-z]{60,93}", "original"),
    ("wallet", "wallet.ltc", r"(?:ltc|litecoin)\s*[:：]?\s*[lm3][1-9a-hj-np-z]{26,33}", "original"),
    ("id_document", "id.cn", r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dx]", "normalized"),
    ("id_document", "id.cn_cue", r"(?:身份证|身份证号|证件号)\s*[:：]?\s*\d{17}[\dx]", "normalized"),
    ("id_document", "id.hk", r"(?:香港身份证|hkid)\s*[:：]?\s*[a-z]{1,2}\d{6}\(?[\da]\)?", "normalized"),
    ("id_document", "id.passport_cue", r"(?:护照号?|passport(?:\s+no\.?)?)\s*[:：]?\s*[a-z]{1,2}\d{7,8}", "normalized"),
    ("id_document", "id.ssn_cue", r"(?:ssn|social security(?: number)?)\s*[:：#]?\s*\d{3}-\d{2}-\d{4}", "normalized"),
    ("id_document", "id.plate_cn", r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][a-z][\s·-]?[a-z0-9]{5,6}", "normalized"),
    ("email", "email.any", r"[a-z0-9._%+-]{2,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\.[a-z]{2,10}", "original"),
    ("email", "email.cn_free", r"[a-z0-9._-]{3,40}@(?:qq|163|126|sina|sohu|yeah|139|foxmail|aliyun)\.(?:com|cn|net)", "original"),
    ("email", "email.private", r"[a-z0-9._-]{3,40}@(?:protonmail|proton|tutanota|tuta|cock|secmail|guerrillamail|mail2tor)\.[a-z]{2,4}", "original"),
    ("email", "email.cue_zh", r"(?:邮箱|电邮|email|e-mail)\s*[:：]?\s*[a-z0-9._%+-]{2,64}@[a-z0-9.-]{3,255}", "original"),
    ("url", "url.ip_host", r"https?://\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d{2,5})?", "original"),
    ("url", "url.punycode", r"xn--[a-z0-9-]{2,59}\.[a-z]{2,10}", "original"),
    ("url", "url.onion", r"[a-z2-7]{16,56}\.onion", "original"),
    ("url", "url.port_path", r"https?://[a-z0-9.-]{3,64}:\d{4,5}/", "original"),
    ("url", "url.at_trick", r"https?://[a-z0-9.-]{3,64}@[a-z0-9.-]{3,64}", "original"),
    ("url", "url.apk", r"https?://[^\s]{3,100}\.apk", "original"),
    ("url", "url.dl_zh", r"(?:下载地址|网址|链接|官网)\s*[:：]?\s*(?:https?://)?[a-z0-9-]{2,63}\.[a-z]{2,10}", "original"),
]


def regex_escape(term: str) -> str:
    """Escape for both Rust's regex crate and Hyperscan: only the metacharacters."""
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", term)


def qty_terms(stem: str, default_terms: list[tuple[dict, dict, str]]) -> list[str]:
    """Short all-Han terms for "term + quantity" patterns of one list."""
    category = {"drugs": "drugs", "firearms-explosives": "firearms_explosives",
                "gambling": "illegal_gambling"}[stem]
    picked: list[str] = []

    def take(t: str) -> None:
        t = t.lower().strip()
        if t and t not in picked and (re.fullmatch(r"[\u4e00-\u9fff]{2,5}", t) or re.fullmatch(r"[a-z]粉", t)):
            picked.append(t)

    for t in QTY_BUILTIN[stem]:
        take(t)
    for lex, group, t in default_terms:
        if lex.get("category") == category and group.get("kind") in ("substance", "slang", "service"):
            take(t)
    for t in read_list(stem):
        take(t)
    return picked[: MAX_QTY_TERMS[stem]]


def build_patterns(default_terms: list[tuple[dict, dict, str]]) -> list[tuple[str, str, str, str]]:
    """(id, kind, regex, on) for every bench_extra pattern."""
    pats: list[tuple[str, str, str, str]] = []

    def add(pid: str, kind: str, regex: str, on: str = "normalized") -> None:
        # Pattern ids are [a-z0-9_.]{1,64} (crates/detect/src/pattern).
        pid = re.sub(r"[^a-z0-9_.]", "_", f"bench.{pid}".lower())[:64]
        pats.append((pid, kind, regex, on))

    num = r"\d+(?:[.,]\d{1,2})?"
    grouped = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"
    mult = r"\d+(?:\.\d+)?\s*(?:k|w|m|万|千|百|十万|百万)"
    for cid, alt, cn in SUFFIX_CURRENCIES:
        add(f"price.{cid}.plain", "price", rf"{num}\s*(?:{alt})")
        if cid in GROUPED_CURRENCIES:
            add(f"price.{cid}.grouped", "price", rf"{grouped}\s*(?:{alt})")
        add(f"price.{cid}.mult", "price", rf"{mult}\s*(?:{alt})")
        if cn:
            add(f"price.{cid}.cn_numeral", "price", rf"{CN_NUM}{{1,6}}\s*(?:{alt})")
    for cid, sym in PREFIX_CURRENCIES:
        add(f"price.{cid}.plain", "price", rf"{sym}\s*{num}")
        add(f"price.{cid}.mult", "price", rf"{sym}\s*{mult}")
    for i, cue in enumerate(["价格", "售价", "单价", "价钱", "报价", "只要", "仅需", "特价", "一口价",
                             "批发价", "出厂价", "price", "only", "just", "cost", "asking"]):
        add(f"price.cue.{i:02d}", "price", rf"{cue}\s*[:：]?\s*(?:¥|￥|\$)?\s*{num}")
    add("price.range_zh", "price", rf"{num}\s*(?:-|~|到|至)\s*{num}\s*(?:元|块)")
    add("price.per_unit_zh", "price", rf"{num}\s*(?:元|块)\s*(?:/|一|每)\s*(?:克|g|个|支|盒|包|斤|粒|张|单)")
    add("price.per_unit_en", "price", rf"\$\s*{num}\s*(?:/|per|a|each)\s*(?:g|gram|oz|ounce|pill|tab|piece)")

    for pid, rx in PHONES:
        add(f"phone.{pid}", "phone", rx)

    for pid, cues, shape in HANDLE_CUES:
        add(f"handle.{pid}", "handle", rf"(?:{cues})\s*[:：]?\s*{HANDLE_SHAPES[shape]}", "original")
    for pid, rx in HANDLE_LINKS:
        add(f"handle.link.{pid}", "handle", rx, "original")

    for tld in SUSPICIOUS_TLDS[:50]:
        add(f"url.tld.{tld}", "url", rf"(?:https?://|www\.)[a-z0-9.-]{{1,64}}\.{tld}(?:[:/?#]|\s|$)", "original")
    for tld in SUSPICIOUS_TLDS[:15]:
        add(f"url.tld_path.{tld}", "url", rf"[a-z0-9-]{{3,63}}\.{tld}/[a-z0-9/_?=&%.-]{{1,64}}", "original")
    for short in SHORTENERS:
        add(f"url.short.{short.replace(chr(92), '')}", "url", rf"(?:https?://)?{short}/[a-z0-9_-]{{3,16}}", "original")
    for brand in BRANDS[:25]:
        add(f"url.brand.{brand}", "url",
            rf"(?:https?://)?[a-z0-9-]{{0,30}}{regex_escape(brand)}[a-z0-9-]{{1,30}}\.(?:com|net|org|cn|top|xyz|vip|cc|info|app|io|me|co)",
            "original")

    default_by_stem = {}
    for stem, unit in QTY_UNITS.items():
        terms = qty_terms(stem, default_terms)
        default_by_stem[stem] = terms
        for i, t in enumerate(terms):
            add(f"qty.{stem}.{i:03d}", "quantity", rf"{regex_escape(t)}\s*{unit}")
    for i, t in enumerate(default_by_stem["drugs"][:10]):
        add(f"qty.drugs_pre.{i:03d}", "quantity",
            rf"\d+(?:\.\d+)?\s*(?:克|g|粒|颗|片|包)\s*{regex_escape(t)}")
    add("qty.sale_zh", "quantity", r"(?:出|卖|售|收|要|拿)\s*\d+(?:\.\d+)?\s*(?:克|g|公斤|kg|斤|两)")
    add("qty.sale_en", "quantity", r"\d+(?:\.\d+)?\s*(?:g|grams?|oz|ounces?|pills?|tabs?)\s+(?:of\s+)?[a-z]{3,15}\s+(?:for|@)\s*\$?\d+")

    for i, cue in enumerate(ORDER_CUES[:16]):
        add(f"order.cue.{i:02d}", "order", rf"{cue}\s*[:：#]?\s*[a-z]{{0,4}}\d{{8,24}}")
    for pid, rx in CARRIER_NUMBERS:
        add(f"order.carrier.{pid}", "order", rx)

    card = r"\d{4}[\s-]?\d{4}[\s-]?\d{4}[\s-]?\d{4}(?:\d{1,3})?"
    for i, cue in enumerate(CARD_CUES[:16]):
        add(f"card.cue.{i:02d}", "card", rf"{cue}\s*[:：]?\s*{card}")
    for i, bank in enumerate(BANKS[:12]):
        add(f"card.bank.{i:02d}", "card", rf"{bank}银行\s*(?:卡号?|账号)?\s*[:：]?\s*\d{{16,19}}")
    add("card.iban_cue", "card", r"iban\s*[:：]?\s*[a-z]{2}\d{2}(?:\s?[a-z0-9]{4}){3,7}")
    add("card.swift_cue", "card", r"(?:swift|bic)\s*(?:code)?\s*[:：]?\s*[a-z]{6}[a-z0-9]{2}(?:[a-z0-9]{3})?")
    add("card.alipay_cue", "card", r"(?:支付宝|alipay)\s*(?:账号|账户|号)?\s*[:：]?\s*(?:1[3-9]\d{9}|[a-z0-9._-]{3,40}@[a-z0-9.-]{3,40})")

    for pid, rx in SCAM_SCRIPTS:
        add(f"script.{pid}", "scam", rx)
    for kind, pid, rx, on in OTHER_PATTERNS:
        add(pid, kind, rx, on)
    return pats


def write_patterns(path: Path, pats: list[tuple[str, str, str, str]]) -> None:
    ids = [p[0] for p in pats]
    if len(set(ids)) != len(ids):
        raise SystemExit("generate: duplicate pattern ids")
    lines = [
        "# Generated by bench/w1/generate.py for the W1 benchmark; not part of the",
        "# default ruleset. Every regex keeps to what both Rust's regex crate and",
        "# Hyperscan accept (no backreferences, no lookaround).",
        "",
    ]
    for pid, kind, rx, on in pats:
        lines += ["[[pattern]]", f"id = {toml_str(pid)}", f"kind = {toml_str(kind)}",
                  f"regex = {toml_regex(rx)}", f"on = {toml_str(on)}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def ruleset_regexes(ruleset: Path) -> list[str]:
    out = []
    for path in sorted((ruleset / "patterns").glob("*.toml")):
        with open(path, "rb") as f:
            doc = tomllib.load(f)
        for p in doc.get("pattern", []):
            rx = p.get("regex")
            if isinstance(rx, str) and rx:
                out.append(rx)
    return out


# ---------------------------------------------------------------------------
# Planted violations
# ---------------------------------------------------------------------------

BUILTIN = {
    # kind -> (category, lang, terms); used only where rules/lexicons lacks one.
    "substance": [("drugs", "zh", ["冰毒", "海洛因", "麻古", "摇头丸", "k粉", "大麻", "可卡因"]),
                  ("drugs", "en", ["meth", "heroin", "cocaine", "mdma", "ketamine", "weed"]),
                  ("firearms_explosives", "zh", ["仿真枪", "气枪", "手枪", "雷管", "炸药"]),
                  ("firearms_explosives", "en", ["glock", "pistol", "ammo", "ghost gun"])],
    "service": [("illegal_gambling", "zh", ["百家乐", "六合彩", "时时彩", "网上赌场"]),
                ("extortion_paid_deletion", "zh", ["有偿删帖", "代删", "删帖"]),
                ("illegal_services", "zh", ["办证", "代开发票", "收购银行卡"]),
                ("illegal_services", "en", ["fake id", "fake passport", "cvv dumps"])],
    "scam": [("fraud_scams", "zh", ["刷单", "返利", "保本高收益", "兼职日结"]),
             ("fraud_scams", "en", ["guaranteed returns", "double your money", "crypto investment"])],
    "sale": [("common", "zh", ["出货", "到付", "同城", "包邮", "现货", "货到付款"]),
             ("common", "en", ["selling", "for sale", "in stock", "discreet shipping"])],
    "contact_cue": [("common", "zh", ["加微信", "加v", "vx", "扣扣", "加qq", "飞机"]),
                    ("common", "en", ["dm me", "telegram", "whatsapp", "text me", "wickr"])],
}
PRIMARY_KINDS = ("substance", "slang", "service", "scam")

S2T = str.maketrans({
    "药": "藥", "卖": "賣", "货": "貨", "发": "發", "赌": "賭", "钱": "錢", "号": "號", "网": "網",
    "线": "線", "枪": "槍", "弹": "彈", "气": "氣", "单": "單", "删": "刪", "证": "證", "银": "銀",
    "联": "聯", "买": "買", "价": "價", "红": "紅", "开": "開", "码": "碼", "门": "門", "头": "頭",
    "摇": "搖", "叶": "葉", "飞": "飛", "轮": "輪", "盘": "盤", "贷": "貸", "办": "辦", "猎": "獵",
    "军": "軍", "图": "圖", "麦": "麥", "场": "場", "乐": "樂", "彩": "彩", "时": "時", "现": "現",
    "车": "車", "马": "馬", "龙": "龍", "带": "帶", "运": "運", "过": "過", "这": "這", "个": "個",
    "们": "們", "为": "為", "会": "會", "来": "來", "对": "對", "说": "說", "让": "讓", "与": "與",
    "专": "專", "业": "業", "东": "東", "丝": "絲", "两": "兩", "严": "嚴", "丽": "麗", "举": "舉",
    "义": "義", "乌": "烏", "书": "書", "买": "買", "乱": "亂", "争": "爭", "亚": "亞", "亲": "親",
    "从": "從", "仓": "倉", "仪": "儀", "价": "價", "众": "眾", "优": "優", "伙": "夥", "传": "傳",
    "伤": "傷", "体": "體", "侠": "俠", "刘": "劉", "务": "務", "动": "動", "劳": "勞", "势": "勢",
    "区": "區", "华": "華", "协": "協", "卫": "衛", "历": "歷", "压": "壓", "厂": "廠", "县": "縣",
    "参": "參", "双": "雙", "变": "變", "台": "臺", "叶": "葉", "后": "後", "吗": "嗎", "听": "聽",
    "启": "啟", "员": "員", "围": "圍", "国": "國", "图": "圖", "圣": "聖", "场": "場", "坏": "壞",
    "块": "塊", "坚": "堅", "声": "聲", "处": "處", "备": "備", "复": "復", "头": "頭", "夺": "奪",
    "奋": "奮", "奖": "獎", "妇": "婦", "妈": "媽", "学": "學", "宁": "寧", "实": "實", "宝": "寶",
    "审": "審", "宪": "憲", "宫": "宮", "对": "對", "寻": "尋", "导": "導", "将": "將", "尔": "爾",
    "尝": "嘗", "层": "層", "属": "屬", "岁": "歲", "岛": "島", "币": "幣", "师": "師", "帐": "帳",
    "干": "幹", "广": "廣", "庆": "慶", "应": "應", "废": "廢", "库": "庫", "开": "開", "张": "張",
    "强": "強", "归": "歸", "录": "錄", "征": "徵", "忆": "憶", "态": "態", "总": "總", "恋": "戀",
    "悬": "懸", "惊": "驚", "惯": "慣", "战": "戰", "户": "戶", "扑": "撲", "执": "執", "扩": "擴",
    "扫": "掃", "扬": "揚", "护": "護", "报": "報", "担": "擔", "拟": "擬", "拥": "擁", "择": "擇",
    "挂": "掛", "挡": "擋", "挤": "擠", "换": "換", "据": "據", "损": "損", "摄": "攝", "击": "擊",
    "毒": "毒", "粉": "粉", "丸": "丸", "麻": "麻", "冰": "冰", "洛": "洛", "因": "因",
    "醉": "醉", "迷": "迷", "情": "情", "晶": "晶", "顶": "頂", "级": "級", "纯": "純", "质": "質",
    "试": "試", "请": "請", "详": "詳", "询": "詢", "铁": "鐵", "锁": "鎖", "刀": "刀", "钢": "鋼",
    "门": "門", "问": "問", "间": "間", "闻": "聞", "队": "隊", "阳": "陽", "阴": "陰", "陆": "陸",
    "际": "際", "险": "險", "难": "難", "雾": "霧", "须": "須", "颗": "顆", "风": "風", "饭": "飯",
    "验": "驗", "鱼": "魚", "鸡": "雞", "黄": "黃", "齐": "齊", "鸦": "鴉", "片": "片", "吗": "嗎",
    "啡": "啡", "杜": "杜", "冷": "冷", "丁": "丁", "笑": "笑", "仿": "仿", "真": "真", "爆": "爆",
    "炸": "炸", "药": "藥", "雷": "雷", "管": "管", "赛": "賽", "艇": "艇", "视": "視", "讯": "訊",
    "体": "體", "育": "育", "投": "投", "注": "註", "贴": "貼", "帖": "帖", "稿": "稿", "询": "詢",
    "刷": "刷", "返": "返", "利": "利", "收": "收", "购": "購", "卡": "卡", "票": "票",
})
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "g": "9", "b": "8"}
CYRILLIC = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у", "i": "і"}
SEPARATORS = ["*", ".", "-", "_", " ", "·", "|", "/", "~", "#"]


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s)


def obfuscate(term: str, rng: random.Random) -> tuple[str, str]:
    """(written, technique) for one term; ("term", "none") if nothing fits."""
    latin = bool(re.search(r"[a-z]", term))
    options = ["separators", "invisible"]
    if latin:
        options += ["fullwidth", "leet", "confusable"]
    if term.translate(S2T) != term:
        options += ["traditional", "traditional"]
    tech = rng.choice(options)
    if tech == "separators":
        sep = rng.choice(SEPARATORS)
        return sep.join(term), tech
    if tech == "invisible":
        return "\u200b".join(term), tech
    if tech == "fullwidth":
        return fullwidth(term), tech
    if tech == "leet":
        out = "".join(LEET.get(c, c) if rng.random() < 0.7 else c for c in term)
        if out == term:
            out = "".join(LEET.get(c, c) for c in term)
        return (out, tech) if out != term else (term, "none")
    if tech == "confusable":
        out = "".join(CYRILLIC.get(c, c) for c in term)
        return (out, tech) if out != term else (term, "none")
    return term.translate(S2T), tech


class Planter:
    def __init__(self, lexicons: list[dict], rng: random.Random):
        self.rng = rng
        # kind -> lang -> [(lexicon id, category, term, source)]
        self.by_kind: dict[str, dict[str, list[tuple[str, str, str, str]]]] = {}
        for lex, group, term in lexicon_terms(lexicons):
            kind = group.get("kind", "")
            lang = group.get("lang", "any")
            langs = ("zh", "en") if lang == "any" else (lang,)
            for lg in langs:
                self.by_kind.setdefault(kind, {}).setdefault(lg, []).append(
                    (lex.get("id", lex["_file"]), lex.get("category", "common"), term, "default"))
        for kind, rows in BUILTIN.items():
            for category, lang, terms in rows:
                if kind in PRIMARY_KINDS:
                    have = any(r[1] == category for r in self.by_kind.get(kind, {}).get(lang, []))
                else:
                    have = bool(self.by_kind.get(kind, {}).get(lang))
                if have:
                    continue
                for term in terms:
                    self.by_kind.setdefault(kind, {}).setdefault(lang, []).append(
                        ("builtin", category, term, "builtin"))
        self.primary: dict[str, list[tuple[str, str, str, str, str]]] = {"zh": [], "en": []}
        for kind in PRIMARY_KINDS:
            for lang in ("zh", "en"):
                for row in self.by_kind.get(kind, {}).get(lang, []):
                    if row[1] != "common":
                        self.primary[lang].append((kind,) + row)

    def pick(self, kind: str, lang: str, category: str) -> str | None:
        """A term of a kind, from the same category where there is one."""
        rows = self.by_kind.get(kind, {}).get(lang) or []
        same = [r for r in rows if r[1] == category]
        generic = [r for r in rows if r[1] == "common"]
        if same or generic:
            return self.rng.choice(same or generic)[2]
        fallback = [t for cat, lg, terms in BUILTIN.get(kind, []) if lg == lang for t in terms]
        return self.rng.choice(fallback) if fallback else None

    def handle(self, lang: str) -> tuple[str, str]:
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 7)))
            sep = rng.choice(["_", "", "-"])
            return f"{name}{sep}{rng.randint(10, 99999)}", "handle"
        if r < 0.55:
            return str(rng.randint(10_000, 3_999_999_999)), "qq"
        if r < 0.85 or lang == "zh":
            a = rng.choice("3456789")
            digits = f"1{a}{rng.randint(0, 9)}{rng.randint(0, 9999):04d}{rng.randint(0, 9999):04d}"
            style = rng.randrange(4)
            if style == 0:
                return f"{digits[:3]} {digits[3:7]} {digits[7:]}", "phone"
            if style == 1:
                return f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}", "phone"
            if style == 2:
                return digits, "phone"
            return fullwidth(digits), "phone"
        return f"+1 ({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}", "phone"

    def price(self, lang: str) -> str:
        rng = self.rng
        n = rng.choice([50, 80, 100, 150, 200, 280, 300, 350, 500, 600, 800, 1200, 1500, 3000])
        if lang == "zh":
            return rng.choice([f"{n}元", f"{n}块", f"¥{n}", f"{n}rmb", f"{n} usdt", f"{n}米"])
        return rng.choice([f"${n}", f"{n} usd", f"{n} usdt", f"£{n}", f"{n}$"])

    def phrase(self, lang: str) -> dict:
        rng = self.rng
        # A category first (each as likely), then one of its terms.
        categories = sorted({row[2] for row in self.primary[lang]})
        category = rng.choice(categories)
        kind, lex_id, category, term, source = rng.choice(
            [row for row in self.primary[lang] if row[2] == category])
        written, tech = (term, "none")
        if rng.random() < 0.4:
            written, tech = obfuscate(term.lower(), rng)
        sale = self.pick("sale", lang, category) if kind != "scam" and rng.random() < 0.7 else None
        cue = self.pick("contact_cue", lang, category) or ("加微信" if lang == "zh" else "dm me")
        contact, contact_kind = self.handle(lang)
        price = self.price(lang) if rng.random() < 0.6 else None
        qty = None
        if category in ("drugs", "firearms_explosives") and rng.random() < 0.6:
            n = rng.choice([1, 2, 3, 5, 10, 20, 50])
            if category == "drugs":
                qty = f"{n}克" if lang == "zh" else f"{n}g"
            else:
                qty = f"{n}支" if lang == "zh" else f"{n} pcs"
        if lang == "zh":
            parts = [p for p in (written, sale, qty, price) if p]
            body = rng.choice(["", " ", "，"]).join(parts)
            text = f"{body}{rng.choice(['，', ' ', '。'])}{cue}{rng.choice(['', ' ', '：'])}{contact}"
        else:
            parts = [p for p in (sale, qty, written, price) if p]
            body = " ".join(parts)
            text = f"{body}{rng.choice([', ', ' - ', ' '])}{cue} {contact}"
        return {
            "category": category, "lexicon": lex_id, "kind": kind, "term": term,
            "written": written, "obfuscation": tech, "source": source, "sale": sale,
            "quantity": qty, "price": price, "contact_cue": cue, "contact": contact,
            "contact_kind": contact_kind, "phrase": text,
        }


def insert_phrase(text: str, phrase: str, lang: str, rng: random.Random) -> tuple[str, int]:
    if lang == "en":
        spaces = [m.start() for m in re.finditer(" ", text)]
        at = rng.choice([0, len(text)] + spaces)
        pad_l = " " if at > 0 else ""
        pad_r = " " if at < len(text) else ""
        return text[:at] + pad_l + phrase + pad_r + text[at:], at + len(pad_l)
    at = rng.randint(0, len(text))
    return text[:at] + phrase + text[at:], at


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def fingerprint(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(str(p.relative_to(p.anchor)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def source_fingerprint() -> str:
    h = hashlib.sha256()
    for p in sorted(DATA.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(DATA)}:{st.st_size}:{int(st.st_mtime)}\n".encode())
    return h.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", default=str(ROOT / "target" / "bench-w1"))
    ap.add_argument("--items", type=int, default=int(os.environ.get("ITEMS", 1_000_000)))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 1)))
    ap.add_argument("--reuse", action="store_true", help="keep OUT if its stamp matches")
    args = ap.parse_args()

    out = Path(args.out).resolve()
    try:
        inside = out.relative_to(ROOT)
    except ValueError:
        inside = None
    if inside is not None and (not inside.parts or inside.parts[0] != "target"):
        print(f"generate: refusing to write into the repository outside target/: {out}", file=sys.stderr)
        return 2
    if not DATA.is_dir():
        print(f"generate: no source data at {DATA} (see ../shared/data/SOURCES.md); skipping", file=sys.stderr)
        return 3

    rule_files = sorted(p for p in RULES.rglob("*") if p.is_file())
    stamp = {
        "seed": args.seed,
        "items": args.items,
        "generator": fingerprint([Path(__file__).resolve()]),
        "rules": fingerprint(rule_files),
        "sources": source_fingerprint(),
    }
    stamp_path = out / "stamp.json"
    if args.reuse and stamp_path.is_file():
        try:
            old = json.loads(stamp_path.read_text())
        except ValueError:
            old = {}
        if {k: old.get(k) for k in stamp} == stamp:
            print(f"generate: {out} is up to date (seed {args.seed}, {args.items} items)", file=sys.stderr)
            return 0

    out.mkdir(parents=True, exist_ok=True)
    stamp_path.unlink(missing_ok=True)
    rng = random.Random(args.seed)

    # Ruleset: a copy of rules/ plus the bench_extra files.
    ruleset = out / "ruleset"
    if ruleset.exists():
        shutil.rmtree(ruleset)
    shutil.copytree(RULES, ruleset)
    for sub in ("lexicons", "patterns", "rules"):
        (ruleset / sub).mkdir(exist_ok=True)
    default_lexicons = read_lexicons(ruleset)
    default_terms = lexicon_terms(default_lexicons)
    term_counts = grow_lexicons(ruleset, random.Random(args.seed ^ 0x7E5))
    pats = build_patterns(default_terms)
    default_regexes = ruleset_regexes(ruleset)
    write_patterns(ruleset / "patterns" / "bench_extra.toml", pats)
    regexes = ruleset_regexes(ruleset)
    if len(regexes) < MIN_REGEXES:
        print(f"generate: only {len(regexes)} regexes (< {MIN_REGEXES})", file=sys.stderr)
        return 1

    terms: list[str] = []
    seen: set[str] = set()
    for _, _, t in lexicon_terms(read_lexicons(ruleset)):
        t = t.lower()
        if t not in seen:
            seen.add(t)
            terms.append(t)
    if any("\n" in t for t in terms) or any("\n" in r for r in regexes):
        print("generate: a term or regex contains a newline", file=sys.stderr)
        return 1
    (out / "terms.txt").write_text("".join(t + "\n" for t in terms), encoding="utf-8")
    (out / "regexes.txt").write_text("".join(r + "\n" for r in regexes), encoding="utf-8")

    # Items.
    pool = load_pool()
    n = args.items
    order: list[int] = []
    while len(order) < n:
        idx = list(range(len(pool)))
        rng.shuffle(idx)
        order.extend(idx)
    order = order[:n]
    planted_at = set(rng.sample(range(n), round(n * PLANT_SHARE))) if n else set()
    planter = Planter(default_lexicons, random.Random(args.seed ^ 0x91A))
    plant_rng = random.Random(args.seed ^ 0x1A5)
    ordinary = [f"u{k:06d}" for k in range(200_000)]
    heavy = [f"h{k:04d}" for k in range(2_000)]
    sellers = [f"s{k:03d}" for k in range(300)]
    counts: dict[str, int] = {}
    text_bytes = 0
    with open(out / "items.jsonl", "w", encoding="utf-8") as f_items, \
            open(out / "planted.jsonl", "w", encoding="utf-8") as f_planted:
        for i, p in enumerate(order):
            source, lang, text = pool[p]
            item_id = f"w1-{i:07d}"
            if i in planted_at:
                phrase_lang = lang if plant_rng.random() < 0.9 else ("en" if lang == "zh" else "zh")
                rec = planter.phrase(phrase_lang)
                text, at = insert_phrase(text, rec["phrase"], lang, plant_rng)
                account = plant_rng.choice(sellers)
                f_planted.write(json.dumps({"id": item_id, "host_source": source, "host_lang": lang,
                                            "offset": at, **rec}, ensure_ascii=False) + "\n")
                counts["planted"] = counts.get("planted", 0) + 1
            else:
                account = rng.choice(heavy) if rng.random() < 0.2 else rng.choice(ordinary)
            ts = TS_START + (i * TS_SPAN) // max(n, 1) + rng.randrange(60)
            counts[source] = counts.get(source, 0) + 1
            text_bytes += len(text.encode("utf-8"))
            f_items.write(json.dumps({"id": item_id, "text": text, "lang": lang,
                                      "account": account, "ts": ts}, ensure_ascii=False) + "\n")

    summary = {
        **stamp,
        "pool_lines": len(pool),
        "by_source": {k: v for k, v in sorted(counts.items()) if k != "planted"},
        "planted": counts.get("planted", 0),
        "text_bytes": text_bytes,
        "lexicon_terms": term_counts,
        "terms": len(terms),
        "regexes": {"default": len(default_regexes), "bench_extra": len(pats), "total": len(regexes)},
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    stamp_path.write_text(json.dumps(stamp) + "\n")
    print(json.dumps({k: summary[k] for k in ("planted", "text_bytes", "terms", "regexes", "by_source")},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
