#!/usr/bin/env python3
"""The JSON Schema and the C validator must agree on every case.

usage: check-agreement.py EPDMACTL SCHEMA CASES_DIR EXAMPLES_DIR

cases/valid/*.json and the shipped examples: both accept.
cases/invalid/*.json: both reject. The Python side is the schema behind a strict JSON loader
  that applies the same file rules as libepdma (UTF-8, size, depth, duplicate keys, no NaN),
  since a schema only ever sees parsed data.
cases/c-only/*.json: rules JSON Schema cannot state (BARs claimed twice, overlapping
  windows, repeated function names): the schema accepts, libepdma must reject.
A file larger than the size limit is generated and must be rejected by both.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 16


class Reject(Exception):
    pass


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            raise Reject(f"duplicate key {k!r}")
    return dict(pairs)


def no_constant(name):
    raise Reject(f"{name} is not JSON")


def depth(v):
    if isinstance(v, dict):
        return 1 + max((depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((depth(x) for x in v), default=0)
    return 0


def strict_load(path):
    data = open(path, "rb").read()
    if len(data) > MAX_BYTES:
        raise Reject("too large")
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise Reject(f"not UTF-8: {e}")
    if "\0" in text:
        raise Reject("NUL byte")
    try:
        doc = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except json.JSONDecodeError as e:
        raise Reject(f"not JSON: {e}")
    if depth(doc) > MAX_DEPTH:
        raise Reject("nested too deep")
    return doc


def schema_verdict(validator, path):
    try:
        doc = strict_load(path)
    except Reject as e:
        return False, str(e)
    errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errs:
        e = errs[0]
        return False, "/" + "/".join(str(p) for p in e.path) + ": " + e.message[:200]
    return True, ""


def c_verdicts(epdmactl, files):
    env = dict(os.environ)
    env.pop("EPDMA_ROOT", None)
    env.pop("EPDMA_FAKE_CONFIGFS", None)
    p = subprocess.run([epdmactl, "--json=short", "profile", "validate", *files],
                       capture_output=True, text=True, env=env)
    if p.returncode not in (0, 65):
        sys.exit(f"epdmactl failed ({p.returncode}): {p.stderr}")
    doc = json.loads(p.stdout)
    out = {}
    for f in doc["files"]:
        msg = f["errors"][0]["message"] + " [" + f["errors"][0]["rule"] + "]" if f["errors"] else ""
        out[f["file"]] = (f["valid"], msg)
    return out


def main():
    epdmactl, schema_path, cases, examples = sys.argv[1:5]
    schema = json.load(open(schema_path))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    tmp.write('{"version":1,"name":"big","description":"' + "a" * MAX_BYTES + '"}')
    tmp.close()

    groups = {
        "valid": sorted(glob.glob(f"{cases}/valid/*.json") + glob.glob(f"{examples}/*.json")),
        "invalid": sorted(glob.glob(f"{cases}/invalid/*.json")) + [tmp.name],
        "c-only": sorted(glob.glob(f"{cases}/c-only/*.json")),
    }
    want = {"valid": (True, True), "invalid": (False, False), "c-only": (True, False)}
    allfiles = [f for g in groups.values() for f in g]
    c = c_verdicts(epdmactl, allfiles)
    bad = 0
    for group, files in groups.items():
        for f in files:
            s_ok, s_msg = schema_verdict(validator, f)
            c_ok, c_msg = c[f]
            if (s_ok, c_ok) != want[group]:
                bad += 1
                print(f"DISAGREE {group}/{os.path.basename(f)}: schema "
                      f"{'accepts' if s_ok else 'rejects (' + s_msg + ')'}, libepdma "
                      f"{'accepts' if c_ok else 'rejects (' + c_msg + ')'}")
    os.unlink(tmp.name)
    n = len(allfiles)
    print(f"schema agreement: {n} cases ({len(groups['valid'])} valid, "
          f"{len(groups['invalid'])} invalid, {len(groups['c-only'])} beyond JSON Schema), "
          f"{n - bad} agree, {bad} disagree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
