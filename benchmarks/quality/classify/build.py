#!/usr/bin/env python3
"""Build titles.jsonl from the hand-written source files in src/*.txt.

Source format, one entry per line:   code|title[|description]
Lines starting with '#' and blank lines are ignored. `code` is a CSCO-2022
occupation code from /work/shared/reference/csco2022-occupations-detail.tsv
or the literal "none".

Entries are numbered t0001, t0002, ... in (sorted file name, line) order.
split = "dev" if int(sha1(id).hexdigest(), 16) % 2 == 0 else "test".
Standard library only.
"""
import csv
import glob
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DETAIL = "/work/shared/reference/csco2022-occupations-detail.tsv"


def split_of(id_):
    return "dev" if int(hashlib.sha1(id_.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def main():
    with open(DETAIL, encoding="utf-8") as f:
        codes = {r["code"] for r in csv.DictReader(f, delimiter="\t")}
    entries, errors = [], []
    for path in sorted(glob.glob(os.path.join(HERE, "src", "*.txt"))):
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n").rstrip("\r")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                parts = line.split("|")
                if len(parts) not in (2, 3):
                    errors.append(f"{name}:{n}: expected code|title[|description]: {line}")
                    continue
                code, title = parts[0].strip(), parts[1].strip()
                desc = parts[2].strip() if len(parts) == 3 else ""
                if code != "none" and code not in codes:
                    errors.append(f"{name}:{n}: unknown code {code}")
                if not title:
                    errors.append(f"{name}:{n}: empty title")
                entries.append((code, title, desc))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)
    out = os.path.join(HERE, "titles.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for i, (code, title, desc) in enumerate(entries, 1):
            id_ = f"t{i:04d}"
            obj = {"id": id_, "title": title}
            if desc:
                obj["description"] = desc
            obj["code"] = code
            obj["split"] = split_of(id_)
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")
    print(f"wrote {len(entries)} entries to {out}")


if __name__ == "__main__":
    main()
