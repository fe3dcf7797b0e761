#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`epdmactl modules` and libepdma's module loading over a fake module directory.

usage: test-modules.py EPDMACTL

Builds <root>/lib/modules/<release> with three tiny ELF objects that carry a .modinfo
section (enough for depmod to index names and aliases), a modules.builtin, a modprobe.d
blacklist, and a fake /sys/module; then checks the decisions: built in (listed, or a
/sys/module directory without initstate), live, blacklisted (by name and by alias), not
found, loadable (dry run), and a real insert of a non-module failing with a clear message.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import golden_util as g

MODS = ["epdma_plain", "epdma_black"]


def build_root(rel=None):
    tmp = tempfile.mkdtemp(prefix="epdma-modules-")
    root = os.path.join(tmp, "root")
    rel = rel or os.uname().release
    mdir = os.path.join(root, "lib/modules", rel)
    kdir = os.path.join(mdir, "kernel/drivers/epdma")
    os.makedirs(kdir)
    for m in MODS:
        src = os.path.join(tmp, m + ".c")
        with open(src, "w") as f:
            f.write('__attribute__((section(".modinfo"), used)) static const char mi[] = '
                    f'"license=GPL\\0name={m}\\0alias={m}-alias\\0";\n')
        subprocess.run(["cc", "-c", "-o", os.path.join(kdir, m + ".ko"), src], check=True)
    with open(os.path.join(mdir, "modules.builtin"), "w") as f:
        f.write("kernel/drivers/misc/epdma-builtin.ko\n")
    open(os.path.join(mdir, "modules.order"), "w").close()
    subprocess.run(["depmod", "-b", root, rel], check=True, capture_output=True)
    os.makedirs(os.path.join(root, "etc/modprobe.d"))
    with open(os.path.join(root, "etc/modprobe.d/epdma-test.conf"), "w") as f:
        f.write("# test blacklist\nblacklist epdma_black\n")
    for name, files in (("epdma_live", {"initstate": "live\n", "refcnt": "3\n"}),
                        ("epdma_params", {"parameters/debug": "N\n"})):
        for fn, text in files.items():
            p = os.path.join(root, "sys/module", name, fn)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
    return root


def load(epdmactl, root, names, dry=True):
    args = ["--root", root, "modules", "load", "--json"] + (["--dry-run"] if dry else []) + names
    r = g.run(epdmactl, args)
    try:
        doc = json.loads(r.stdout)
    except json.JSONDecodeError:
        g.check(False, f"modules load {names}: not JSON: {r.stdout!r} {r.stderr!r}")
        doc = None
    return r, doc


def action(doc, i=0):
    return doc["modules"][i]["action"] if doc else None


def main():
    epdmactl = os.path.abspath(sys.argv[1])
    if not shutil.which("depmod") or not shutil.which("cc"):
        print("SKIP: needs depmod (kmod) and cc")
        return 77
    root = build_root()
    try:
        for names, want, rc in ((["epdma_plain"], "loaded", 0),
                                (["epdma_plain-alias"], "loaded", 0),
                                (["epdma-plain"], "loaded", 0),
                                (["epdma_live"], "live", 0),
                                (["epdma_builtin"], "builtin", 0),
                                (["epdma-builtin"], "builtin", 0),
                                (["epdma_params"], "builtin", 0),
                                (["epdma_black"], "blacklisted", 77),
                                (["epdma_black-alias"], "blacklisted", 77),
                                (["epdma_nosuch"], "not-found", 66)):
            r, doc = load(epdmactl, root, names)
            g.check(action(doc) == want, f"{names[0]}: action {action(doc)}, want {want}")
            g.check(r.returncode == rc, f"{names[0]}: exit {r.returncode}, want {rc}")
            if rc:
                g.check(names[0].split("-alias")[0].replace("-", "_") in r.stderr,
                        f"{names[0]}: the error names the module: {r.stderr!r}")
        r, doc = load(epdmactl, root, ["epdma_black"])
        g.check("blacklist" in r.stderr, f"blacklisted: says so: {r.stderr!r}")

        # every name gets a verdict; the exit code is the first failure's
        r, doc = load(epdmactl, root, ["epdma_live", "epdma_nosuch", "epdma_plain"])
        g.check(doc and [m["action"] for m in doc["modules"]] ==
                ["live", "not-found", "loaded"], f"mixed list: {doc}")
        g.check(r.returncode == 66, f"mixed list: exit {r.returncode}, want 66")

        # unsafe names never reach libkmod
        r, doc = load(epdmactl, root, ["../../etc/passwd"])
        g.check(action(doc) == "failed" and r.returncode == 65,
                f"unsafe name: {action(doc)} exit {r.returncode}")

        # a real insert of something that is not a kernel module fails with a clear message
        r, doc = load(epdmactl, root, ["epdma_plain"], dry=False)
        g.check(action(doc) == "failed" and r.returncode != 0 and "epdma_plain" in r.stderr,
                f"real insert: {action(doc)} exit {r.returncode} {r.stderr!r}")

        # the state listing
        r = g.run(epdmactl, ["--root", root, "modules", "--json"])
        doc = json.loads(r.stdout) if r.returncode == 0 else None
        g.check(doc and all(m["state"] == "absent" for m in doc["modules"]),
                f"modules listing in a root without epdma modules: {r.stdout!r}")
        ep = g.scratch_copy("ep-vntb")
        r = g.run(epdmactl, ["--root", ep, "modules"])
        g.check(r.returncode == 0 and "pci_epf_vntb   live" in r.stdout and
                "dw_edma        builtin" in r.stdout and "ntb_hw_epf     absent" in r.stdout,
                f"modules listing over ep-vntb: {r.stdout!r}")
        g.cleanup(ep)

        # a tree captured from another kernel: its only module directory is the one meant
        other = build_root("9.9.9-captured")
        r, doc = load(epdmactl, other, ["epdma_plain", "epdma_black", "epdma_builtin"])
        g.check(doc and [m["action"] for m in doc["modules"]] ==
                ["loaded", "blacklisted", "builtin"],
                f"other release: decisions from its module directory ({doc})")
        shutil.rmtree(os.path.dirname(other), ignore_errors=True)

        r = g.run(epdmactl, ["modules", "load"])
        g.check(r.returncode == 2, f"modules load without a name exits 2 ({r.returncode})")
        r = g.run(epdmactl, ["modules", "unload", "x"])
        g.check(r.returncode == 2, f"modules unload exits 2 ({r.returncode})")
    finally:
        shutil.rmtree(os.path.dirname(root), ignore_errors=True)
    return g.finish("modules")


if __name__ == "__main__":
    sys.exit(main())
