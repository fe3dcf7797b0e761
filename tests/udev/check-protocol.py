#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check epdmad's socket protocol against schemas/epdmad-protocol.schema.json.

usage: check-protocol.py SCHEMA --requests CORPUS-DIR
       check-protocol.py SCHEMA --replies FILE...

--requests: the IPC fuzz corpus (tests/fuzz/corpus/ipc) states what the C parser accepts
(ok-*) and refuses (bad-*); the schema must agree on every file that is a JSON document at
all. Files the parser refuses below the JSON level (over 4096 bytes, NUL, invalid UTF-8,
not JSON, trailing data) are counted as transport-level and not given to the schema.
--replies: every file is one reply the daemon sent; each must validate.
"""
import json
import os
import sys

import jsonschema


def validator(schema, ref):
    sub = dict(schema)
    sub.pop("oneOf", None)
    sub["$ref"] = "#/$defs/" + ref
    return jsonschema.Draft202012Validator(sub)


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ("--requests", "--replies"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = 0
    if sys.argv[2] == "--requests":
        v = validator(schema, "request")
        checked = transport = 0
        corpus = sys.argv[3]
        for name in sorted(os.listdir(corpus)):
            if not (name.startswith("ok-") or name.startswith("bad-")):
                continue
            with open(os.path.join(corpus, name), "rb") as f:
                raw = f.read()
            try:
                if len(raw) > 4096 or b"\0" in raw:
                    raise ValueError("transport")
                doc = json.loads(raw.decode("utf-8"))
            except ValueError:
                transport += 1
                if name.startswith("ok-"):
                    print(f"{name}: the parser accepts it but it is not a JSON document")
                    bad += 1
                continue
            errors = list(v.iter_errors(doc))
            checked += 1
            if name.startswith("ok-") and errors:
                print(f"{name}: the parser accepts it, the schema does not: {errors[0].message}")
                bad += 1
            if name.startswith("bad-") and not errors:
                print(f"{name}: the parser refuses it, the schema accepts it")
                bad += 1
        print(f"requests: {checked} checked by the schema and the parser alike, "
              f"{transport} refused below the JSON level, {bad} disagreements")
    else:
        v = validator(schema, "reply")
        for path in sys.argv[3:]:
            with open(path) as f:
                doc = json.load(f)
            errors = sorted(v.iter_errors(doc), key=lambda e: e.path)
            if errors:
                print(f"{path}: {errors[0].message} at /{'/'.join(map(str, errors[0].path))}")
                bad += 1
        print(f"replies: {len(sys.argv) - 3} checked, {bad} invalid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
