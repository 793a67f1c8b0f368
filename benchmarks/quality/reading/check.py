#!/usr/bin/env python3
"""Validates the reading evaluation sets zh.jsonl and en.jsonl (python3 stdlib only).

Checks, per file:
  - every line is a JSON object with id, text, split, spans (and genre posting|resume);
    ids are unique and follow <lang>-NNNN
  - split == "dev" if int(sha1(id utf-8).hexdigest(), 16) % 2 == 0 else "test"
  - every span: 0 <= start < end <= len(text) in Unicode code points, text[start:end] == span text,
    no surrounding whitespace, kind in skill|knowledge|tool|task|certificate, negated absent or true
  - spans sorted by start and not overlapping
  - zh: competency is null or an id in models/cn-digital-2022/v1/competencies.jsonl
  - en: competency is null or an ESCO skill concept URI in benchmarks/quality/esco/data/skills_en.csv,
        competencyV1 present and null or a v1 id
  - counts: zh >= 320 sentences, en >= 160 sentences; no duplicate sentence texts
Prints a summary; exits 1 on any failure.

Run: python3 check.py   (the ESCO CSV comes from benchmarks/quality/esco/fetch)
"""
import collections
import csv
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
V1 = os.path.join(ROOT, "models", "cn-digital-2022", "v1", "competencies.jsonl")
ESCO = os.path.join(ROOT, "benchmarks", "quality", "esco", "data", "skills_en.csv")
KINDS = {"skill", "knowledge", "tool", "task", "certificate"}
MIN_SENTENCES = {"zh": 320, "en": 160}

errors = []


def err(msg):
    errors.append(msg)


def expected_split(sid):
    return "dev" if int(hashlib.sha1(sid.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def load_v1():
    ids = set()
    with open(V1, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                ids.add(json.loads(line)["id"])
    return ids


def load_esco():
    if not os.path.exists(ESCO):
        return None
    with open(ESCO, encoding="utf-8", newline="") as f:
        return {r["conceptUri"] for r in csv.DictReader(f)}


def check_file(lang, v1, esco):
    path = os.path.join(HERE, f"{lang}.jsonl")
    if not os.path.exists(path):
        err(f"{lang}: {path} missing")
        return None
    recs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                err(f"{lang}:{n}: empty line")
                continue
            try:
                recs.append((n, json.loads(line)))
            except json.JSONDecodeError as e:
                err(f"{lang}:{n}: bad JSON: {e}")
    seen_ids, seen_texts = set(), {}
    stats = collections.Counter()
    per_split = collections.defaultdict(collections.Counter)
    kinds = collections.Counter()
    for n, r in recs:
        where = f"{lang}:{n}"
        if not isinstance(r, dict):
            err(f"{where}: not an object")
            continue
        for k in ("id", "text", "split", "spans"):
            if k not in r:
                err(f"{where}: missing {k}")
        sid, text, spans = r.get("id"), r.get("text"), r.get("spans")
        if not isinstance(sid, str) or not re.fullmatch(lang + r"-\d{4}", sid):
            err(f"{where}: bad id {sid!r}")
            continue
        where = f"{lang}:{sid}"
        if sid in seen_ids:
            err(f"{where}: duplicate id")
        seen_ids.add(sid)
        if not isinstance(text, str) or not text.strip():
            err(f"{where}: empty text")
            continue
        if text in seen_texts:
            err(f"{where}: same text as {seen_texts[text]}")
        seen_texts[text] = sid
        split = r.get("split")
        if split != expected_split(sid):
            err(f"{where}: split {split!r}, expected {expected_split(sid)!r}")
        genre = r.get("genre")
        if genre not in (None, "posting", "resume"):
            err(f"{where}: bad genre {genre!r}")
        if not isinstance(spans, list):
            err(f"{where}: spans not a list")
            continue
        stats["sentences"] += 1
        per_split[split]["sentences"] += 1
        if genre == "resume":
            stats["resume"] += 1
        prev_end, prev_start = -1, -1
        for i, s in enumerate(spans):
            sw = f"{where} span {i}"
            if not isinstance(s, dict):
                err(f"{sw}: not an object")
                continue
            st, en, stext = s.get("start"), s.get("end"), s.get("text")
            if not (isinstance(st, int) and isinstance(en, int) and 0 <= st < en <= len(text)):
                err(f"{sw}: bad offsets {st!r}..{en!r} (len {len(text)})")
                continue
            if text[st:en] != stext:
                err(f"{sw}: text[{st}:{en}]={text[st:en]!r} != {stext!r}")
            if stext != stext.strip():
                err(f"{sw}: span text has surrounding whitespace {stext!r}")
            if st < prev_start:
                err(f"{sw}: spans not sorted by start")
            if st < prev_end:
                err(f"{sw}: overlaps previous span")
            prev_start, prev_end = st, max(prev_end, en)
            kind = s.get("kind")
            if kind not in KINDS:
                err(f"{sw}: bad kind {kind!r}")
            kinds[kind] += 1
            if "negated" in s and s["negated"] is not True:
                err(f"{sw}: negated must be true when present")
            if "competency" not in s:
                err(f"{sw}: missing competency")
            comp = s.get("competency")
            if lang == "zh":
                if comp is not None and comp not in v1:
                    err(f"{sw}: unknown v1 competency {comp!r}")
            else:
                if comp is not None and (esco is None or comp not in esco):
                    err(f"{sw}: unknown ESCO skill URI {comp!r}")
                if "competencyV1" not in s:
                    err(f"{sw}: missing competencyV1")
                cv1 = s.get("competencyV1")
                if cv1 is not None and cv1 not in v1:
                    err(f"{sw}: unknown v1 competency {cv1!r}")
                if cv1 is None:
                    stats["v1_null"] += 1
            stats["spans"] += 1
            per_split[split]["spans"] += 1
            if comp is None:
                stats["null"] += 1
                per_split[split]["null"] += 1
            if s.get("negated"):
                stats["negated"] += 1
                per_split[split]["negated"] += 1
    if stats["sentences"] < MIN_SENTENCES[lang]:
        err(f"{lang}: {stats['sentences']} sentences, need >= {MIN_SENTENCES[lang]}")
    return stats, per_split, kinds


def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "-"


def main():
    v1 = load_v1()
    esco = load_esco()
    if esco is None:
        err(f"ESCO CSV missing: {ESCO} (run benchmarks/quality/esco/fetch)")
    for lang in ("zh", "en"):
        res = check_file(lang, v1, esco)
        if res is None:
            continue
        stats, per_split, kinds = res
        print(f"{lang}.jsonl: {stats['sentences']} sentences ({pct(stats['resume'], stats['sentences'])} résumé), "
              f"{stats['spans']} spans, null competency {stats['null']} ({pct(stats['null'], stats['spans'])}), "
              f"negated {stats['negated']}")
        if lang == "en":
            print(f"  competencyV1 null: {stats['v1_null']} ({pct(stats['v1_null'], stats['spans'])})")
        for sp in ("dev", "test"):
            c = per_split[sp]
            print(f"  {sp:4}: {c['sentences']} sentences, {c['spans']} spans, null {c['null']} "
                  f"({pct(c['null'], c['spans'])}), negated {c['negated']}")
        print("  kinds: " + ", ".join(f"{k} {kinds[k]}" for k in sorted(KINDS)))
    if errors:
        print(f"\nFAILED: {len(errors)} problem(s)")
        for e in errors[:200]:
            print("  " + e)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
