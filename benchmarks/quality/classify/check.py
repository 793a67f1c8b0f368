#!/usr/bin/env python3
"""Validate titles.jsonl (occupation-coder evaluation set). Standard library only.

Checks (any failure -> exit 1):
  * every line is a JSON object with keys id, title, code, split (+ optional description)
  * ids unique and of the form tNNNN
  * code exists in csco2022-occupations-detail.tsv, or is "none"
  * split == "dev" if int(sha1(id).hexdigest(), 16) % 2 == 0 else "test"
  * all 95 digital codes present, each with >= 3 entries
  * >= 1050 title-only entries and >= 210 entries with a description
  * shares roughly as designed: digital 55-65 %, none 2-5 %
  * the same (normalised) title text is never labelled with two different codes
Reports: counts and shares, per-split counts, noise share, duplicate title texts.
"""
import collections
import csv
import hashlib
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REF = "/work/shared/reference"
DETAIL = os.path.join(REF, "csco2022-occupations-detail.tsv")
DIGITAL = os.path.join(REF, "csco2022-digital-occupations.tsv")
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "titles.jsonl")

CITIES = ("北京|上海|广州|深圳|杭州|成都|武汉|南京|苏州|西安|重庆|天津|长沙|郑州|合肥|厦门|宁波|青岛|"
          "济南|大连|沈阳|东莞|佛山|珠海|无锡|昆明|福州|南昌|贵阳|南宁|石家庄|太原|哈尔滨|长春|"
          "宁德|大理|云南|浦东|南山|亦庄|高新区|金水区|华东|华南|华北|远程")
NOISE = {
    "city/location": re.compile(r"[【\[(（|｜][^】\])）]*(" + CITIES + r")|(" + CITIES + r")[】\])）]|^【"),
    "urgency": re.compile(r"急招|急聘|诚聘|热招|高薪|【急|！"),
    "salary": re.compile(r"\d+(\.\d+)?\s*[kK千万](?![a-zA-Z])|\d\s*元|元/[月天时]|\d+/天|薪|\d{4,5}\s*[-–~]\s*\d{4,5}|\d{3,5}\+"),
    "benefits": re.compile(r"双休|五险一金|包吃|包住|提成|补贴|不加班|朝九晚五|月休|轮休|做六休一|多劳多得|三班倒|两班倒|倒班|7[×*]24"),
    "work type": re.compile(r"兼职|实习|全职|日结|兼職|可转正|应届|暑假|寒假|可居家|在家"),
    "trailing 岗位/职位": re.compile(r"(岗位|职位|岗)$"),
    "full-width latin": re.compile(r"[\uFF21-\uFF3A\uFF41-\uFF5A\uFF10-\uFF19]"),
    "traditional chars": re.compile(r"[軟體資訊網與務專經營運設計據庫測試發開語電腦數雲執職應屆實習資總監銷貨車構術師員聯製驗證書檢報課單線類傳頁準區進選辦處對標註維滲護]"),
    "all-English title": re.compile(r"^[A-Za-z0-9 .,&/()'+#\-]+$"),
}
LEVEL = re.compile(r"初级|中级|高级|资深|首席|专家|主管|组长|经理|总监|Senior|Sr\.|Junior|Lead")
MIXED = re.compile(r"[A-Za-z]")


def split_of(id_):
    return "dev" if int(hashlib.sha1(id_.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def norm(t):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", t)).lower()


def pct(a, b):
    return f"{a:5d}  ({100.0 * a / b:5.1f} %)" if b else f"{a:5d}"


def main():
    errors, warnings = [], []
    with open(DETAIL, encoding="utf-8") as f:
        detail = {r["code"]: r["name"] for r in csv.DictReader(f, delimiter="\t")}
    with open(DIGITAL, encoding="utf-8") as f:
        digital = {r["code"]: r["name"] for r in csv.DictReader(f, delimiter="\t")}
    if len(digital) != 95:
        errors.append(f"expected 95 digital codes in {DIGITAL}, found {len(digital)}")

    rows, ids = [], set()
    with open(DATA, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                o = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"line {n}: invalid JSON ({e})")
                continue
            if not isinstance(o, dict):
                errors.append(f"line {n}: not an object")
                continue
            keys = set(o)
            if not {"id", "title", "code", "split"} <= keys or keys - {"id", "title", "description", "code", "split"}:
                errors.append(f"line {n}: bad keys {sorted(keys)}")
                continue
            id_ = o["id"]
            if not re.fullmatch(r"t\d{4,}", id_):
                errors.append(f"line {n}: bad id {id_!r}")
            if id_ in ids:
                errors.append(f"line {n}: duplicate id {id_}")
            ids.add(id_)
            if not isinstance(o["title"], str) or not o["title"].strip():
                errors.append(f"{id_}: empty title")
            if "description" in o and (not isinstance(o["description"], str) or not o["description"].strip()):
                errors.append(f"{id_}: empty description")
            if o["code"] != "none" and o["code"] not in detail:
                errors.append(f"{id_}: unknown code {o['code']}")
            if o["split"] != split_of(id_):
                errors.append(f"{id_}: split {o['split']} does not match sha1 rule ({split_of(id_)})")
            rows.append(o)

    total = len(rows)
    kind = lambda o: "none" if o["code"] == "none" else ("digital" if o["code"] in digital else "non-digital")
    kinds = collections.Counter(kind(o) for o in rows)
    with_desc = sum(1 for o in rows if "description" in o)
    title_only = total - with_desc
    by_code = collections.Counter(o["code"] for o in rows)

    print(f"file: {DATA}")
    print(f"total entries      {total}")
    print(f"  title-only       {pct(title_only, total)}")
    print(f"  with description {pct(with_desc, total)}")
    for k in ("digital", "non-digital", "none"):
        print(f"  {k:<16} {pct(kinds[k], total)}")
    print(f"distinct codes     {len(by_code) - (1 if 'none' in by_code else 0)}"
          f"  (digital {sum(1 for c in by_code if c in digital)}/95,"
          f" non-digital {sum(1 for c in by_code if c != 'none' and c not in digital)})")
    print("per split:")
    for s in ("dev", "test"):
        sub = [o for o in rows if o["split"] == s]
        kc = collections.Counter(kind(o) for o in sub)
        print(f"  {s:<5} {len(sub):5d}  digital {kc['digital']}, non-digital {kc['non-digital']}, "
              f"none {kc['none']}, with description {sum(1 for o in sub if 'description' in o)}, "
              f"digital codes {len({o['code'] for o in sub if o['code'] in digital})}/95")

    # noise
    cats = collections.Counter()
    noisy = 0
    for o in rows:
        hit = [k for k, rx in NOISE.items() if rx.search(o["title"])]
        cats.update(hit)
        noisy += bool(hit)
    lvl = sum(1 for o in rows if LEVEL.search(o["title"]))
    mixed = sum(1 for o in rows if MIXED.search(o["title"]) and not NOISE["all-English title"].search(o["title"]))
    print(f"noise (heuristic): titles with market noise {pct(noisy, total)}")
    for k in NOISE:
        print(f"    {k:<20} {cats[k]}")
    print(f"  (not counted as noise) level/rank words {lvl}, mixed Chinese+Latin {mixed}")

    # coverage of digital codes
    for c in sorted(digital):
        if by_code[c] == 0:
            errors.append(f"digital code {c} {digital[c]} missing")
        elif by_code[c] < 3:
            errors.append(f"digital code {c} {digital[c]} has only {by_code[c]} entries (< 3)")
    if title_only < 1050:
        errors.append(f"only {title_only} title-only entries (< 1050)")
    if with_desc < 210:
        errors.append(f"only {with_desc} entries with description (< 210)")
    if total:
        if not 0.55 <= kinds["digital"] / total <= 0.65:
            errors.append(f"digital share {kinds['digital'] / total:.3f} outside 0.55-0.65")
        if not 0.02 <= kinds["none"] / total <= 0.05:
            errors.append(f"none share {kinds['none'] / total:.3f} outside 0.02-0.05")

    # duplicates
    by_text = collections.defaultdict(list)
    for o in rows:
        by_text[norm(o["title"])].append(o)
    dups = {t: v for t, v in by_text.items() if len(v) > 1}
    conflicts = {t: v for t, v in dups.items() if len({o["code"] for o in v}) > 1}
    exact_title_only = [v for v in dups.values()
                        if sum(1 for o in v if "description" not in o) > 1]
    print(f"duplicate title texts (after NFKC/space/case normalisation): {len(dups)}"
          f" ({sum(len(v) for v in dups.values())} entries; title-only duplicates {len(exact_title_only)},"
          f" conflicting codes {len(conflicts)})")
    for t, v in sorted(dups.items()):
        flag = "CONFLICT" if t in conflicts else "same code"
        print(f"    {flag}: " + "; ".join(f"{o['id']} {o['title']!r} -> {o['code']}"
                                          f"{' (+desc)' if 'description' in o else ''}" for o in v))
    for t, v in conflicts.items():
        errors.append(f"title {v[0]['title']!r} labelled with different codes: {sorted({o['code'] for o in v})}")

    for w in warnings:
        print("WARNING:", w)
    if errors:
        for e in errors:
            print("ERROR:", e)
        print(f"FAILED ({len(errors)} errors)")
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
