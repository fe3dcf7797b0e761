#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden tests of `epdmactl status` (text and JSON) over the fixture trees.

usage: run-golden.py EPDMACTL [--update]

For each tree in fixtures/, status runs with --root on a scratch copy; the text and the
pretty JSON must equal expected/<tree>.status.{txt,json}, the JSON must validate against
schemas/status.schema.json and carry the same data as the text (checked on a few fields a
user reads), and the exit code must be 0. --update rewrites the expected files.
"""
import os
import shutil
import subprocess
import sys

import golden_util as g

TREES = ["ep-vntb", "host-dma", "empty"]


def compare(path, got, update, what):
    if update:
        with open(path, "w") as f:
            f.write(got)
        return
    try:
        with open(path) as f:
            want = f.read()
    except FileNotFoundError:
        g.check(False, f"{what}: missing {path} (run with --update)")
        return
    if not g.check(got == want, f"{what}: output differs from {os.path.basename(path)}"):
        import difflib
        sys.stderr.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                   "expected", "got"))


def tree_entries(root):
    """every file, link and directory under @root, relative to it"""
    out = set()
    for d, dirs, files in os.walk(root):
        out.update(os.path.relpath(os.path.join(d, n), root) for n in dirs + files)
    return out


def main():
    epdmactl = os.path.abspath(sys.argv[1])
    update = "--update" in sys.argv[2:]
    exp = os.path.join(g.HERE, "expected")
    for tree in TREES:
        root = g.scratch_copy(tree)
        try:
            t = g.run(epdmactl, ["--root", root, "status"])
            g.check(t.returncode == 0, f"{tree}: status exit {t.returncode}: {t.stderr}")
            g.check(root not in t.stdout, f"{tree}: text output leaks the --root prefix")
            g.check(g.PLACEHOLDER not in t.stdout,
                    f"{tree}: status shows a '{g.PLACEHOLDER}' placeholder as a kernel object")
            compare(os.path.join(exp, f"{tree}.status.txt"), t.stdout, update, f"{tree} text")

            j = g.run(epdmactl, ["--root", root, "status", "--json=pretty"])
            g.check(j.returncode == 0, f"{tree}: status --json exit {j.returncode}")
            compare(os.path.join(exp, f"{tree}.status.json"), j.stdout, update, f"{tree} json")
            doc = g.check_json(j.stdout, "status.schema.json", f"{tree} status --json")

            # the global option and the short form give the same document
            s = g.run(epdmactl, ["--json=short", "--root", root, "status"])
            g.check(s.returncode == 0 and "\n" not in s.stdout.rstrip("\n"),
                    f"{tree}: --json=short is not one line")
            d2 = g.check_json(s.stdout, "status.schema.json", f"{tree} --json=short status")
            g.check(doc == d2, f"{tree}: pretty and short JSON differ in content")

            # devices: the same data, one line per device
            dt = g.run(epdmactl, ["--root", root, "devices"])
            g.check(dt.returncode == 0, f"{tree}: devices exit {dt.returncode}: {dt.stderr}")
            compare(os.path.join(exp, f"{tree}.devices.txt"), dt.stdout, update,
                    f"{tree} devices text")
            dj = g.run(epdmactl, ["--root", root, "devices", "--json=pretty"])
            compare(os.path.join(exp, f"{tree}.devices.json"), dj.stdout, update,
                    f"{tree} devices json")
            ddoc = g.check_json(dj.stdout, "devices.schema.json", f"{tree} devices --json")
            if ddoc:
                for d in ddoc["devices"]:
                    g.check(any(l.startswith(d["kind"]) and d["name"] in l
                                for l in dt.stdout.splitlines()),
                            f"{tree}: device {d['kind']} {d['name']} not in text")
                g.check(all(not l.endswith(" ") for l in dt.stdout.splitlines()),
                        f"{tree}: devices text has trailing blanks")

            # text and JSON come from one printer: what one shows, the other shows
            if doc:
                for m in doc["modules"]:
                    g.check(f"{m['name']}" in t.stdout and m["state"] in t.stdout,
                            f"{tree}: module {m['name']} {m['state']} missing from text")
                for c in doc["dma_channels"]:
                    g.check(c["name"] in t.stdout, f"{tree}: channel {c['name']} not in text")
                for b in doc["bindings"]:
                    g.check(f"{b['function']} -> {b['controller']}" in t.stdout,
                            f"{tree}: binding {b} not in text")
        finally:
            g.cleanup(root)

    # the harness shows a tree as the kernel would: the scratch copy status runs on has every
    # file and link of the fixture but none of the placeholders git needs for empty
    # directories (status of a tree with them listed a '.keep' NTB device, for one)
    for tree in TREES:
        src = os.path.join(g.FIXTURES, tree)
        root = g.scratch_copy(tree)
        try:
            g.check(g.placeholders(src), f"{tree}: the fixture has no '{g.PLACEHOLDER}' "
                    "placeholder, so the scratch-copy check below proves nothing")
            g.check(not g.placeholders(root),
                    f"{tree}: scratch copy keeps placeholders {g.placeholders(root)[:3]}")
            g.check(tree_entries(src) - set(g.placeholders(src)) == tree_entries(root),
                    f"{tree}: scratch copy lost or gained entries besides the placeholders")
        finally:
            g.cleanup(root)

    # capture-tree.py (what turns a live system into a fixture) loses nothing status reads
    import subprocess
    import tempfile
    for tree in ("ep-vntb", "host-dma"):
        out = os.path.join(tempfile.mkdtemp(prefix="epdma-capture-"), "cap")
        c = subprocess.run([sys.executable, os.path.join(g.HERE, "capture-tree.py"), "--source",
                            os.path.join(g.FIXTURES, tree), out], capture_output=True, text=True)
        g.check(c.returncode == 0, f"capture {tree}: exit {c.returncode}: {c.stderr}")
        fx, cap = g.scratch_copy(tree), g.scratch_copy(out)
        a = g.run(epdmactl, ["--root", fx, "status", "--json"])
        b = g.run(epdmactl, ["--root", cap, "status", "--json"])
        g.check(a.stdout.replace(fx, "ROOT") == b.stdout.replace(cap, "ROOT"),
                f"capture {tree}: status of the capture differs")
        g.cleanup(fx)
        g.cleanup(cap)
        shutil.rmtree(os.path.dirname(out), ignore_errors=True)

    # facts a user relies on, asserted directly (not only through the golden files)
    root = g.scratch_copy("host-dma")
    try:
        doc = g.check_json(g.run(epdmactl, ["--root", root, "status", "--json"]).stdout,
                           "status.schema.json", "host-dma facts")
        if doc:
            ex = doc["dma_exports"]
            g.check(len(ex) == 1 and ex[0]["channels"] ==
                    ["dma1chan0", "dma1chan1", "dma1chan2", "dma1chan3"],
                    "host-dma: the export lists exactly its four channels, not dma0chan0")
            g.check(ex and ex[0]["driver"] == "dw_edma_aux.ep_dma_v1",
                    "host-dma: the export's frontend driver")
            g.check(doc["ntb_devices"][0]["link_up"] is True, "host-dma: link up from ntb_ep_dma")
            g.check(doc["configfs"]["mounted"] is False, "host-dma: no pci_ep configfs")
        # the link goes down: ntb_ep_dma says so, status follows
        res = os.path.join(root, "sys/kernel/debug/ntb_ep_dma/0000:01:00.0/result")
        with open(res) as f:
            text = f.read().replace("link_up: 1", "link_up: 0")
        with open(res, "w") as f:
            f.write(text)
        doc = g.check_json(g.run(epdmactl, ["--root", root, "status", "--json"]).stdout,
                           "status.schema.json", "host-dma link down")
        if doc:
            g.check(doc["ntb_devices"][0]["link_up"] is False, "host-dma: link down shown")
        # without ntb_ep_dma the ep_dma_v1 device still says the link is up
        shutil.rmtree(os.path.join(root, "sys/kernel/debug/ntb_ep_dma"))
        doc = g.check_json(g.run(epdmactl, ["--root", root, "status", "--json"]).stdout,
                           "status.schema.json", "host-dma without ntb_ep_dma")
        if doc:
            n = doc["ntb_devices"][0]
            g.check(n["link_up"] is True and n["link_source"] == "dma-export",
                    f"host-dma: link up inferred from the export ({n})")
        # a kernel that exports the locator as attributes gets it displayed
        aux = os.path.join(root, "sys/bus/auxiliary/devices/ntb_hw_epf.ep_dma_v1.0")
        for k, v in (("dma_abi", "1"), ("dma_bar", "2"), ("dma_offset", "0xf9000"),
                     ("dma_size", "0x7000"), ("dma_num_chans", "4"), ("dma_irq_base", "28"),
                     ("dma_irq_count", "4")):
            with open(os.path.join(aux, k), "w") as f:
                f.write(v + "\n")
        r = g.run(epdmactl, ["--root", root, "status", "--json"])
        doc = g.check_json(r.stdout, "status.schema.json", "host-dma locator")
        if doc:
            g.check(doc["dma_exports"][0]["locator"] ==
                    {"abi": 1, "bar": 2, "offset": 0xf9000, "size": 0x7000, "num_chans": 4,
                     "irq_base": 28, "irq_count": 4}, "host-dma: locator attributes parsed")
        t = g.run(epdmactl, ["--root", root, "status"])
        g.check("locator: abi 1 bar 2 offset 0xf9000 size 0x7000 channels 4 irqs 28+4"
                in t.stdout, "host-dma: locator in text")
        # a daemon socket makes status say so
        import socket
        os.makedirs(os.path.join(root, "run/epdma"), exist_ok=True)
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(os.path.join(root, "run/epdma/epdmad.sock"))
        doc = g.check_json(g.run(epdmactl, ["--root", root, "status", "--json"]).stdout,
                           "status.schema.json", "host-dma with daemon socket")
        sock.close()
        if doc:
            g.check(doc["daemon"] == {"socket": "/run/epdma/epdmad.sock", "running": True}
                    or doc["daemon"].get("running") is True, "status sees the daemon socket")
    finally:
        g.cleanup(root)

    # status reads configfs through the library's backend: after an apply on the fake kernel
    # model it shows the function, its binding and the started controller; after clear, not
    import subprocess
    import tempfile
    tmp = tempfile.mkdtemp(prefix="epdma-fake-")
    env = {"EPDMA_FAKE_CONFIGFS": os.path.join(tmp, "state"), "EPDMA_ROOT": tmp}
    profile = os.path.join(g.TOP, "schemas/examples/rcar-s4-vntb-dma.json")
    r = g.run(epdmactl, ["profile", "apply", profile], env=env)
    if g.check(r.returncode == 0, f"fake apply: exit {r.returncode}: {r.stderr}"):
        doc = g.check_json(g.run(epdmactl, ["status", "--json"], env=env).stdout,
                           "status.schema.json", "status after fake apply")
        if doc:
            g.check(doc["controllers"][0]["started"] is True, "after apply: controller started")
            g.check([b["function"] for b in doc["bindings"]] == ["pci_epf_vntb/func1"],
                    f"after apply: one binding ({doc['bindings']})")
            f = doc["functions"][0] if doc["functions"] else {}
            g.check(f.get("dma_export") == {"bar": 2, "offset": 0xF9000, "num_chans": 4},
                    f"after apply: DMA export knobs read back ({f.get('dma_export')})")
        r = g.run(epdmactl, ["profile", "clear", "rcar-s4-vntb-dma", "--yes"], env=env)
        g.check(r.returncode == 0, f"fake clear: exit {r.returncode}: {r.stderr}")
        doc = g.check_json(g.run(epdmactl, ["status", "--json"], env=env).stdout,
                           "status.schema.json", "status after clear")
        if doc and r.returncode == 0:
            g.check(doc["functions"] == [] and doc["bindings"] == [] and
                    doc["controllers"][0]["started"] is False, f"after clear: nothing left")
    shutil.rmtree(tmp, ignore_errors=True)

    # a hostile or corrupt tree: oversized and binary attributes, a FIFO, a directory where a
    # file belongs, dangling links and a link loop. status must finish, exit 0 and stay valid.
    root = g.scratch_copy("host-dma")
    try:
        pd = os.path.join(root, "sys/devices/pci0000:00/0000:00:00.0/0000:01:00.0")
        with open(os.path.join(pd, "vendor"), "wb") as f:
            f.write(b"0x1912" * 300000)
        with open(os.path.join(pd, "device"), "wb") as f:
            f.write(b"\x00\xff\x1b[31m\n")
        os.unlink(os.path.join(pd, "current_link_width"))
        os.mkfifo(os.path.join(pd, "current_link_width"))
        os.unlink(os.path.join(pd, "current_link_speed"))
        os.mkdir(os.path.join(pd, "current_link_speed"))
        ch = os.path.join(pd, "dma/dma1chan1")
        os.unlink(os.path.join(ch, "device"))
        os.symlink("../../../nowhere", os.path.join(ch, "device"))
        os.unlink(os.path.join(ch, "in_use"))
        os.symlink("in_use", os.path.join(ch, "in_use"))
        res = os.path.join(root, "sys/kernel/debug/ntb_ep_dma/0000:01:00.0/result")
        with open(res, "wb") as f:
            f.write(b"last_status: 0\npeer_state: \x1b]0;pwned\x07\n")
        with open(os.path.join(root, "sys/module/ntb/refcnt"), "w") as f:
            f.write("-7\n")
        # a directory name is as untrusted as a file's content
        evil = "dma9chan0\x1b[2J\n"
        os.makedirs(os.path.join(root, "sys/class/dma", evil))
        r = g.run(epdmactl, ["--root", root, "status", "--json"], timeout=20)
        g.check(r.returncode == 0, f"hostile tree: exit {r.returncode}: {r.stderr}")
        doc = g.check_json(r.stdout, "status.schema.json", "hostile tree")
        if doc:
            p = doc["pci_functions"][0]
            g.check(p["vendor"] is None and p["link_width"] is None and p["link_speed"] is None,
                    f"hostile tree: unreadable attributes become null ({p})")
            g.check(doc["tests"]["devices"][0]["peer_state"] is None,
                    "hostile tree: an unknown peer state is not passed through")
        t = g.run(epdmactl, ["--root", root, "status"], timeout=20)
        g.check(t.returncode == 0 and "\x1b" not in t.stdout, "hostile tree: no escape "
                "sequence reaches the terminal")
        g.check("  dma9chan0\\x1b[2J\\x0a  device" in t.stdout,
                "hostile tree: a directory name with control characters is shown escaped")
        if doc:
            g.check(any(c["name"] == evil for c in doc["dma_channels"]),
                    "hostile tree: JSON carries the directory name as it is")
    finally:
        g.cleanup(root)

    # the same for a captured pci_ep tree: a FIFO where an attribute belongs must not hang
    # status (configfs is read through the library's backend, not the sysfs helpers)
    root = g.scratch_copy("ep-vntb")
    try:
        attr = os.path.join(root, "sys/kernel/config/pci_ep/functions/pci_epf_vntb/func1/vendorid")
        os.unlink(attr)
        os.mkfifo(attr)
        try:
            r = g.run(epdmactl, ["--root", root, "status", "--json"], timeout=20)
        except subprocess.TimeoutExpired:
            r = None
        g.check(r is not None and r.returncode == 0,
                "FIFO in configfs: status finishes and exits 0")
        doc = g.check_json(r.stdout, "status.schema.json", "FIFO in configfs") if r else None
        if doc:
            f = [f for f in doc["functions"] if f["name"] == "func1"]
            g.check(f and f[0]["vendorid"] is None, f"FIFO in configfs: vendorid is null ({f})")
    finally:
        g.cleanup(root)

    # with epdmad running (when it was built next to epdmactl), status embeds its view
    epdmad = os.path.join(os.path.dirname(os.path.dirname(epdmactl)), "daemon", "epdmad")
    if os.access(epdmad, os.X_OK):
        import subprocess
        import time
        root = g.scratch_copy("ep-vntb")
        pdir = os.path.join(root, "etc/epdma/profiles.d")
        os.makedirs(pdir)
        shutil.copy(os.path.join(g.TOP, "schemas/examples/rcar-s4-vntb-dma.json"), pdir)
        d = subprocess.Popen([epdmad, "--root", root, "-p", pdir, "-n"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            sock = os.path.join(root, "run/epdma/epdmad.sock")
            for _ in range(100):
                if os.path.exists(sock):
                    break
                time.sleep(0.05)
            r = g.run(epdmactl, ["--root", root, "status", "--json"])
            doc = g.check_json(r.stdout, "status.schema.json", "status with epdmad")
            view = doc["daemon"].get("view") if doc else None
            g.check(view is not None and len(view.get("profiles", [])) == 1,
                    f"status with epdmad: the daemon's view with its one profile ({view})")
            t = g.run(epdmactl, ["--root", root, "status"])
            g.check("1 profile(s)" in t.stdout, f"status with epdmad: text summary")
        finally:
            d.terminate()
            d.wait(5)
            g.cleanup(root)

    # usage errors
    r = g.run(epdmactl, ["status", "extra"])
    g.check(r.returncode == 2, f"status with an argument exits 2 (got {r.returncode})")
    r = g.run(epdmactl, ["status", "--json=loud"])
    g.check(r.returncode == 2, f"status --json=loud exits 2 (got {r.returncode})")
    r = g.run(epdmactl, ["--json=loud", "status"])
    g.check(r.returncode == 2 and "'short' or 'pretty'" in r.stderr,
            f"--json=loud before the command exits 2 and says why (got {r.returncode})")
    # the environment's root is checked like --root: a usage error that names the variable
    r = g.run(epdmactl, ["status"], env={"EPDMA_ROOT": "/" + "a" * 5000})
    g.check(r.returncode == 2 and r.stderr.startswith("epdmactl: EPDMA_ROOT=/aaa"),
            f"EPDMA_ROOT too long: exit 2 naming it (got {r.returncode}: {r.stderr[:60]!r})")
    return g.finish("golden status")


if __name__ == "__main__":
    sys.exit(main())
