#!/usr/bin/env python3
"""Builds zh.jsonl and en.jsonl from the hand-written sources in _src/.

Source line format (one sentence per line; '#' lines are comments):

    P | sentence | span | span | ...      P = job-posting sentence, R = résumé sentence

zh span:  [!]phrase[@k]=COMPETENCY[#kind]
en span:  [!]phrase[@k]=ESCO[;V1][#kind]

  !        the phrase is negated in the sentence ("不要求掌握C++", "no Java required")
  @k       use the k-th (0-based) occurrence of phrase in the sentence; without it the first
           occurrence that does not overlap a span already placed is used
  COMPETENCY / V1   a v1 competency id (models/cn-digital-2022/v1/competencies.jsonl), or '-' (null)
  ESCO     the first 8+ hex digits of an ESCO v1.1.1 skill concept UUID, or '-' (null)
  #kind    t=task s=skill k=knowledge o=tool c=certificate; default: the competency's kind
           (tool->tool, knowledge->knowledge, skill/transversal->skill), for null: skill

Run: python3 build.py   (then python3 check.py)
"""
import csv
import glob
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
V1 = os.path.join(ROOT, "models", "cn-digital-2022", "v1", "competencies.jsonl")
ESCO = os.path.join(ROOT, "benchmarks", "quality", "esco", "data", "skills_en.csv")
ESCO_PREFIX = "http://data.europa.eu/esco/skill/"
KINDS = {"t": "task", "s": "skill", "k": "knowledge", "o": "tool", "c": "certificate"}


def split_of(sid):
    return "dev" if int(hashlib.sha1(sid.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def load_v1():
    out = {}
    with open(V1, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                out[d["id"]] = d["kind"]
    return out


def load_esco():
    uuids = []
    with open(ESCO, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            uuids.append(r["conceptUri"][len(ESCO_PREFIX):])
    return uuids


def default_kind(v1kind):
    return {"tool": "tool", "knowledge": "knowledge"}.get(v1kind, "skill")


def parse_spec(spec, where):
    neg = spec.startswith("!")
    if neg:
        spec = spec[1:]
    phrase, sep, rhs = spec.rpartition("=")
    if not sep or not phrase:
        raise SystemExit(f"{where}: bad span spec {spec!r}")
    kind = None
    if "#" in rhs:
        rhs, k = rhs.split("#", 1)
        if k not in KINDS:
            raise SystemExit(f"{where}: bad kind {k!r}")
        kind = KINDS[k]
    occ = None
    if "@" in phrase and phrase.rsplit("@", 1)[1].isdigit():
        phrase, o = phrase.rsplit("@", 1)
        occ = int(o)
    return phrase, occ, rhs, kind, neg


def place(text, phrase, occ, taken, where):
    starts = []
    i = text.find(phrase)
    while i >= 0:
        starts.append(i)
        i = text.find(phrase, i + 1)
    if not starts:
        raise SystemExit(f"{where}: phrase {phrase!r} not in {text!r}")
    if occ is not None:
        if occ >= len(starts):
            raise SystemExit(f"{where}: phrase {phrase!r} has no occurrence {occ}")
        cands = [starts[occ]]
    else:
        cands = starts
    for s in cands:
        e = s + len(phrase)
        if all(e <= a or s >= b for a, b in taken):
            return s, e
    raise SystemExit(f"{where}: phrase {phrase!r} overlaps another span in {text!r}")


def build(lang, v1, esco):
    records = []
    files = sorted(glob.glob(os.path.join(HERE, "_src", f"{lang}*.txt")))
    n = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            for ln, raw in enumerate(f, 1):
                line = raw.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                where = f"{os.path.basename(path)}:{ln}"
                parts = [p.strip() for p in line.split(" | ")]
                if parts[0] not in ("P", "R") or len(parts) < 2:
                    raise SystemExit(f"{where}: bad line")
                genre = "posting" if parts[0] == "P" else "resume"
                text = parts[1]
                n += 1
                sid = f"{lang}-{n:04d}"
                spans, taken = [], []
                for spec in parts[2:]:
                    if not spec:
                        continue
                    phrase, occ, rhs, kind, neg = parse_spec(spec, where)
                    s, e = place(text, phrase, occ, taken, where)
                    taken.append((s, e))
                    span = {"start": s, "end": e, "text": phrase}
                    if lang == "zh":
                        cid = None if rhs == "-" else rhs
                        if cid is not None and cid not in v1:
                            raise SystemExit(f"{where}: unknown competency {cid!r}")
                        span["competency"] = cid
                        v1id = cid
                    else:
                        e_part, _, v_part = rhs.partition(";")
                        uri = None
                        if e_part and e_part != "-":
                            hits = [u for u in esco if u.startswith(e_part)]
                            if len(hits) != 1:
                                raise SystemExit(f"{where}: ESCO prefix {e_part!r} matches {len(hits)}")
                            uri = ESCO_PREFIX + hits[0]
                        v1id = None if v_part in ("", "-") else v_part
                        if v1id is not None and v1id not in v1:
                            raise SystemExit(f"{where}: unknown competency {v1id!r}")
                        span["competency"] = uri
                        span["competencyV1"] = v1id
                    if kind is None:
                        kind = default_kind(v1.get(v1id)) if v1id else "skill"
                    span["kind"] = kind
                    if neg:
                        span["negated"] = True
                    spans.append(span)
                spans.sort(key=lambda x: x["start"])
                records.append({"id": sid, "text": text, "split": split_of(sid), "genre": genre, "spans": spans})
    out = os.path.join(HERE, f"{lang}.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{lang}: {len(records)} sentences, {sum(len(r['spans']) for r in records)} spans -> {os.path.basename(out)}")


def main():
    v1 = load_v1()
    esco = load_esco() if os.path.exists(ESCO) else []
    build("zh", v1, esco)
    if esco:
        build("en", v1, esco)
    else:
        print("en: skipped, ESCO CSV missing (run benchmarks/quality/esco/fetch)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
