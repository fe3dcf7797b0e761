#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""CLI tests of 'epdmactl profile': golden text and JSON of validate and plan, the plan JSON
format of issue 2, exit codes (0, 1, 2, 65, 66, 69, 75), and a whole apply / re-apply /
diff / export / clear cycle over the fake configfs (EPDMA_FAKE_CONFIGFS), including an apply
whose last operation fails and is rolled back.

usage: test-profile.py EPDMACTL        (GOLDEN_UPDATE=1 rewrites the expected files)
"""
import fcntl
import json
import os
import shutil
import sys
import tempfile

import golden_util as g

EXPECTED = os.path.join(g.HERE, "expected", "profile")
EX = "../../schemas/examples"	# relative: the golden text shows these paths
CASES = "../schema/cases"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"


def golden(name, text):
    path = os.path.join(EXPECTED, name)
    if UPDATE:
        with open(path, "w") as f:
            f.write(text)
        return
    try:
        want = open(path).read()
    except FileNotFoundError:
        g.check(False, f"{name}: no expected file (run with GOLDEN_UPDATE=1)")
        return
    if not g.check(text == want, f"{name}: output differs from the expected file"):
        print(f"--- expected\n{want}--- got\n{text}", file=sys.stderr)


def rc(p, want, what):
    g.check(p.returncode == want, f"{what}: exit {p.returncode}, want {want}; stderr: "
            f"{p.stderr.strip()[:300]}")


def main():
    epdmactl = os.path.abspath(sys.argv[1])
    os.chdir(g.HERE)
    run = lambda args, env=None: g.run(epdmactl, args, env)

    # --- validate ---
    files = [f"{EX}/host-ntb-dma.json", f"{EX}/pci-epf-test.json", f"{EX}/rcar-s4-vntb-dma.json"]
    p = run(["profile", "validate"] + files)
    rc(p, 0, "validate examples")
    golden("validate-ok.txt", p.stdout)
    bad = [f"{CASES}/invalid/msi-33.json", f"{CASES}/invalid/vntb-mw2-beyond.json",
           f"{CASES}/c-only/bar-ctrl-db-same.json", f"{CASES}/invalid/duplicate-key-nested.json"]
    p = run(["profile", "validate"] + bad)
    rc(p, 65, "validate invalid")
    golden("validate-bad.txt", p.stdout)
    p = run(["--json=pretty", "profile", "validate", f"{EX}/pci-epf-test.json"] + bad[:2])
    rc(p, 65, "validate invalid --json")
    golden("validate-bad.json", p.stdout)
    doc = json.loads(p.stdout)
    g.check(doc["version"] == 1 and [f["valid"] for f in doc["files"]] == [True, False, False],
            "validate --json: valid flags")
    e = doc["files"][1]["errors"][0]
    g.check(e["pointer"] == "/functions/0/attributes/msi_interrupts" and e["rule"] == "range",
            "validate --json: pointer and rule of the first error")
    # --json after the subcommand or the file is an option, never a FILE
    p = run(["profile", "validate", "--json=pretty", f"{EX}/pci-epf-test.json"] + bad[:2])
    rc(p, 65, "validate --json after the subcommand")
    g.check(p.stdout == open(os.path.join(EXPECTED, "validate-bad.json")).read(),
            "validate --json after the subcommand: same document as before it")
    p = run(["profile", "validate", "--json=yaml", f"{EX}/pci-epf-test.json"])
    rc(p, 2, "validate --json=yaml")
    g.check("--json takes 'short' or 'pretty'" in p.stderr, f"--json=yaml: says why {p.stderr!r}")
    # a name typed with an escape sequence is quoted back escaped, not replayed to the terminal
    p = run(["profile", "clear", "a\x1b]0;x\x07b", "--yes"])
    rc(p, 65, "clear with a control character in the name")
    g.check("\x1b" not in p.stderr and '"a\\x1b]0;x\\x07b"' in p.stderr,
            f"clear: the bad name is shown escaped: {p.stderr!r}")
    p = run(["profile", "validate", "no-such-file.json", f"{EX}/pci-epf-test.json"])
    rc(p, 66, "validate missing file")
    g.check("no-such-file.json: cannot open: No such file or directory [io]" in p.stdout,
            "validate missing file: message")

    # --- plan against no configfs at all: the plan from scratch ---
    empty = tempfile.mkdtemp(prefix="epdma-golden-")
    p = run(["--root", empty, "profile", "plan", f"{EX}/rcar-s4-vntb-dma.json"])
    rc(p, 0, "plan")
    golden("plan-vntb.txt", p.stdout)
    p = run(["--root", empty, "profile", "plan", f"{EX}/rcar-s4-vntb-dma.json", "--json=short"])
    rc(p, 0, "plan --json")
    golden("plan-vntb.json", p.stdout)
    doc = json.loads(p.stdout)
    g.check(list(doc) == ["version", "operations"], "plan --json: top-level keys")
    ops = doc["operations"]
    g.check(all(set(o) <= {"op", "path", "value"} and o["op"] in
                ("mkdir", "write", "link", "unlink", "rmdir") for o in ops),
            "plan --json: operations carry only op, path, value")
    paths = [o["path"] for o in ops]
    g.check(paths.index("functions/pci_epf_vntb/func1/pci_epf_vntb.*/num_mws") <
            paths.index("functions/pci_epf_vntb/func1/pci_epf_vntb.*/mw1"), "plan: num_mws before mw1")
    g.check(ops[-1] == {"op": "write", "path": "controllers/e65d0000.pcie-ep/start", "value": "1"},
            "plan: start last")
    g.check(ops[-2]["op"] == "link" and all(o["op"] != "link" for o in ops[:-2]),
            "plan: the link after every attribute")
    shutil.rmtree(empty)

    # --- usage errors ---
    for args, what in ((["profile"], "no subcommand"), (["profile", "frob"], "unknown subcommand"),
                       (["--json=wide", "profile", "plan", "x"], "bad --json"),
                       (["profile", "plan"], "plan without file"),
                       (["profile", "clear", "x"], "clear without --yes"),
                       (["nosuchcommand"], "unknown command")):
        rc(run(args), 2, f"usage: {what}")

    # --- the apply cycle over the fake configfs ---
    tmp = tempfile.mkdtemp(prefix="epdma-golden-")
    env = {"EPDMA_ROOT": tmp, "EPDMA_FAKE_CONFIGFS": os.path.join(tmp, "fake.json")}
    seed = f"{EX}/rcar-s4-vntb-dma.json"

    p = run(["profile", "apply", "--dry-run", seed], env)
    rc(p, 0, "apply --dry-run")
    g.check(p.stdout == "rcar-s4-vntb-dma: dry run, 19 operation(s) would be performed\n",
            f"apply --dry-run text: {p.stdout!r}")
    before = open(env["EPDMA_FAKE_CONFIGFS"]).read()

    p = run(["profile", "apply", seed], {**env, "EPDMA_FAKE_FAIL_START": "1"})
    rc(p, 1, "apply with a failing start")
    g.check("operation 19 of 19 failed: write \"1\" to controllers/e65d0000.pcie-ep/start: "
            "Invalid argument; rolled back 18 operation(s), the tree is as before" in p.stderr,
            f"apply failure message: {p.stderr!r}")
    g.check(open(env["EPDMA_FAKE_CONFIGFS"]).read() == before, "failed apply left the tree as before")
    p = run(["--json=short", "profile", "apply", seed], {**env, "EPDMA_FAKE_FAIL_AT": "5"})
    rc(p, 1, "apply with failure at op 5 --json")
    doc = json.loads(p.stdout)
    g.check(doc["failed_operation"] == 5 and doc["rolled_back"] is True and
            doc["error"]["errno"] == 5 and doc["error"]["rule"] == "kernel",
            f"apply --json failure report: {doc}")
    g.check(open(env["EPDMA_FAKE_CONFIGFS"]).read() == before, "failed apply (op 5) left the tree")

    p = run(["profile", "apply", seed], env)
    rc(p, 0, "apply")
    g.check(p.stdout == "rcar-s4-vntb-dma: applied, 19 operation(s)\n", f"apply text: {p.stdout!r}")
    p = run(["profile", "apply", seed], env)
    rc(p, 0, "re-apply")
    g.check(p.stdout == "rcar-s4-vntb-dma: already live, nothing written\n", "re-apply writes nothing")
    p = run(["profile", "plan", seed], env)
    g.check(p.stdout == "nothing to do: the live tree matches the profile\n", "plan when live")
    p = run(["profile", "diff", seed], env)
    rc(p, 0, "diff in sync")

    # another function bound next to it shows in diff, and changes the exit code
    p = run(["profile", "apply", f"{EX}/pci-epf-test.json"], env)
    rc(p, 0, "apply a second profile on the same controller")
    p = run(["profile", "diff", seed], env)
    rc(p, 1, "diff with an extra function")
    golden("diff-extra.txt", p.stdout)
    p = run(["profile", "diff", seed, "--json=short"], env)
    rc(p, 1, "diff FILE --json")
    g.check(p.stdout.startswith('{"version":1'), f"diff FILE --json: JSON {p.stdout[:40]!r}")

    # export re-applies and validates against the schema
    p = run(["profile", "export", "--function", "func1"], env)
    rc(p, 0, "export --function")
    exp = g.check_json(p.stdout, "profile.schema.json", "export")
    expfile = os.path.join(tmp, "exported.json")
    open(expfile, "w").write(p.stdout)
    p = run(["profile", "plan", expfile], env)
    g.check(p.stdout.startswith("nothing to do"), f"exported profile is live: {p.stdout!r}")
    g.check(exp and exp["functions"][0]["driver_attributes"]["mw1"] == "0xf9000",
            "export: mw1 in hex")

    # the lock: a held lock makes apply exit 75
    lockdir = os.path.join(tmp, "run", "epdma")
    with open(os.path.join(lockdir, "apply.lock"), "a") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        p = run(["profile", "apply", seed], env)
        rc(p, 75, "apply while locked")
    # a controller that is not there: 69
    other = tempfile.mkdtemp(prefix="epdma-golden-")
    p = run(["profile", "apply", seed], {"EPDMA_ROOT": other, "EPDMA_FAKE_CONTROLLERS": "x.pcie-ep",
                                         "EPDMA_FAKE_CONFIGFS": os.path.join(other, "f.json")})
    rc(p, 69, "apply to an absent controller")
    shutil.rmtree(other)

    p = run(["profile", "clear", "epf-test", "--yes"], env)
    rc(p, 0, "clear epf-test")
    p = run(["profile", "clear", "rcar-s4-vntb-dma", "--yes"], env)
    rc(p, 0, "clear (the first clear restarted the controller for it)")
    g.check(p.stdout == "rcar-s4-vntb-dma: cleared, 3 operation(s)\n", f"clear text: {p.stdout!r}")
    p = run(["profile", "clear", "rcar-s4-vntb-dma", "--yes"], env)
    rc(p, 66, "clear again")
    p = run(["profile", "export"], env)
    rc(p, 66, "export of an empty tree")
    shutil.rmtree(tmp)
    return g.finish("golden profile")


if __name__ == "__main__":
    sys.exit(main())
