# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared helpers of the epdmactl CLI tests: run the binary, check exit codes, validate JSON
against the schemas with python3-jsonschema, copy fixture trees to a scratch root."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SCHEMAS = os.path.join(TOP, "schemas")
FIXTURES = os.path.join(HERE, "fixtures")

_validators = {}
failures = []
checks = 0


def validator(name):
    if name not in _validators:
        with open(os.path.join(SCHEMAS, name)) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        _validators[name] = jsonschema.Draft202012Validator(schema)
    return _validators[name]


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}", file=sys.stderr)
    return cond


def run(epdmactl, args, env=None, timeout=60):
    e = dict(os.environ)
    e.pop("EPDMA_ROOT", None)
    e.pop("EPDMA_FAKE_CONFIGFS", None)
    if env:
        e.update(env)
    # EPDMA_GOLDEN_WRAPPER runs every epdmactl under a tool (the valgrind golden tests)
    wrapper = os.environ.get("EPDMA_GOLDEN_WRAPPER", "").split()
    if wrapper:
        timeout *= 10
    return subprocess.run(wrapper + [epdmactl] + args, capture_output=True, text=True, env=e,
                          timeout=timeout)


def check_json(out, schema, what):
    """parse @out, validate against @schema; returns the document or None"""
    try:
        doc = json.loads(out)
    except json.JSONDecodeError as ex:
        check(False, f"{what}: output is not JSON ({ex}): {out[:200]!r}")
        return None
    errs = sorted(validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    check(not errs, f"{what}: does not match {schema}: " +
          "; ".join(f"{list(e.path)}: {e.message}" for e in errs[:3]))
    return doc


# git keeps no empty directory, so the fixture trees hold a placeholder file in each one that
# must exist but be empty (make-fixtures.py, capture-tree.py). No kernel has such a file:
# sysfs, configfs and debugfs would show the directory empty.
PLACEHOLDER = ".keep"


def scratch_copy(fixture):
    """copy a fixture tree (a name under fixtures/ or a path; symlinks kept) into a new
    temporary root as the kernel would show it: without the placeholders; returns its path"""
    tmp = tempfile.mkdtemp(prefix="epdma-golden-")
    root = os.path.join(tmp, "root")
    shutil.copytree(os.path.join(FIXTURES, fixture), root, symlinks=True,
                    ignore=lambda d, names: [n for n in names if n == PLACEHOLDER and
                                             os.path.isfile(os.path.join(d, n))])
    return root


def placeholders(root):
    """the placeholder files under @root, relative to it"""
    return sorted(os.path.relpath(os.path.join(d, PLACEHOLDER), root)
                  for d, _, files in os.walk(root) if PLACEHOLDER in files)


def cleanup(root):
    shutil.rmtree(os.path.dirname(root), ignore_errors=True)


def finish(name):
    print(f"{name}: {checks - len(failures)}/{checks} checks passed")
    return 1 if failures else 0
