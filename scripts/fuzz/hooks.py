"""schemathesis hooks for scripts/fuzz-api: JSON Lines bodies for the import, and a line-by-line
check of what the import refused against what openapi.yaml allows."""
import json
import os

import jsonschema_rs
import schemathesis
import yaml

with open(os.environ["MATCHD_OPENAPI"], encoding="utf-8") as f:
    DOCUMENT = yaml.safe_load(f)


def _line_schema(kind):
    """The schema a line of an import of `kind` must fit (the `kind`-th branch of the body's oneOf)."""
    body = DOCUMENT["paths"]["/v1/import/{kind}"]["post"]["requestBody"]["content"]["application/x-ndjson"]["schema"]
    branch = body["items"]["oneOf"][["talents", "jobs", "courses"].index(kind)]
    return jsonschema_rs.Draft202012Validator({**branch, "components": DOCUMENT["components"]})


LINE_SCHEMAS = {kind: _line_schema(kind) for kind in ("talents", "jobs", "courses")}
# Refusals of a line that fits its schema: something the model or the store lacks, or a conflict.
SEMANTIC = ("embeddings.unknown_", "request.unprocessable", "record.", "job.protected_attribute")


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """An array becomes one JSON line per item; anything else (negative cases) one line."""
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items).encode("utf-8")


@schemathesis.check
def import_lines_match_the_document(ctx, response, case):
    if case.operation.path != "/v1/import/{kind}" or response.status_code != 200:
        return None
    kind = (case.path_parameters or {}).get("kind")
    items = case.body if isinstance(case.body, list) else [case.body]
    if kind not in LINE_SCHEMAS:
        return None
    refused = {e["line"]: e for e in response.json().get("errors", [])}
    for number, item in enumerate(items, start=1):
        fits = LINE_SCHEMAS[kind].is_valid(item)
        error = refused.get(number)
        if not fits and error is None:
            raise AssertionError(f"line {number} breaks the {kind} schema but landed: {json.dumps(item)[:300]}")
        if fits and error is not None and not error.get("code", "").startswith(SEMANTIC):
            raise AssertionError(f"line {number} fits the {kind} schema but was refused with {error}: {json.dumps(item)[:300]}")
    return None
