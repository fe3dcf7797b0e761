#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`epdmactl status` over the trees captured in the UML testbed, and the synthetic fixtures
checked against them.

usage: test-testbed-trees.py EPDMACTL

tests/fixtures/testbed/ holds what the kernel really showed in the e2e guest
(kernel/testbed/e2e/capture-tree.py): `testbed-live` with the default profile applied, the
host side bound and the DMA export up, `testbed-cleared` right after `epdmactl profile
clear`. For both, status must succeed, validate against the schema and say what a user saw
in the guest at that moment. Then the synthetic fixtures of tests/golden/fixtures (which the
golden files are made from) are held against reality: every attribute a fake vNTB function,
controller or DMA export carries must exist in the real tree, so a fake cannot drift into
showing something the kernel does not have. An attribute the capture lacks but a patch of
kernel/patches adds is reported as a stale capture (a note, not a failure).
"""
import os
import re
import sys

import golden_util as g

TESTBED = os.path.join(g.TOP, "tests/fixtures/testbed")
CFS = "sys/kernel/config/pci_ep"


def status(epdmactl, tree):
    # a scratch copy as the kernel showed it: without the placeholders of empty directories
    root = g.scratch_copy(os.path.join(TESTBED, tree))
    r = g.run(epdmactl, ["--root", root, "status", "--json"])
    g.check(r.returncode == 0, f"{tree}: status exit {r.returncode}: {r.stderr}")
    t = g.run(epdmactl, ["--root", root, "status"])
    g.check(t.returncode == 0 and root not in t.stdout, f"{tree}: text status")
    g.check(g.PLACEHOLDER not in r.stdout + t.stdout,
            f"{tree}: status shows a '{g.PLACEHOLDER}' placeholder as a kernel object")
    doc = g.check_json(r.stdout, "status.schema.json", f"{tree} status --json")
    g.cleanup(root)
    return doc


def live_facts(doc):
    c = {x["name"]: x for x in doc["controllers"]}
    g.check(c.get("loopback-epc", {}).get("started") is True, "live: loopback-epc started")
    g.check([f["name"] for f in doc["functions"]] == ["func1"], "live: one function, func1")
    g.check(any(b["controller"] == "loopback-epc" and b["function"].endswith("func1")
                for b in doc["bindings"]), f"live: func1 bound ({doc['bindings']})")
    p = {x["address"]: x for x in doc["pci_functions"]}
    h = p.get("0000:10:00.0", {})
    g.check((h.get("vendor"), h.get("device"), h.get("driver")) ==
            ("0x1912", "0x0030", "ntb_hw_epf"), f"live: host function R-Car S4 on ntb_hw_epf ({h})")
    n = [x for x in doc["ntb_devices"] if x.get("pci_device") == "0000:10:00.0"]
    g.check(n and n[0]["link_up"] is True, f"live: NTB link up ({n})")
    ex = doc["dma_exports"]
    g.check(len(ex) == 1 and len(ex[0]["channels"]) == 4, f"live: one export, 4 channels ({ex})")
    # the locator comes from the ep_dma_v1 device's dma_* attributes (ntb_hw_epf in the
    # series): the profile's slice, one MSI vector per channel after the NTB ones
    loc = ex[0].get("locator") if ex else None
    if g.check(loc is not None, "live: the export's locator is shown (dma_* attributes)"):
        g.check((loc["abi"], loc["bar"], loc["offset"], loc["size"], loc["num_chans"]) ==
                (1, 2, 0xF9000, 0x7000, 4),
                f"live: locator ABI 1, BAR2 at 0xf9000, 0x7000 bytes, 4 channels ({loc})")
        g.check(loc["irq_count"] == 4 and loc["irq_base"] > 0,
                f"live: 4 MSI vectors for the channels, after the NTB ones ({loc})")
    vntb = [f for f in doc["functions"] if f["name"] == "func1"]
    g.check(vntb and vntb[0].get("driver") == "pci_epf_vntb", "live: func1 is pci_epf_vntb")


def cleared_facts(doc):
    c = {x["name"]: x for x in doc["controllers"]}
    g.check(c.get("loopback-epc", {}).get("configfs") is True, "cleared: controller still there")
    g.check(c.get("loopback-epc", {}).get("started") is False, "cleared: controller stopped")
    g.check(doc["functions"] == [] and doc["bindings"] == [],
            f"cleared: no function, no binding ({doc['functions']}, {doc['bindings']})")
    g.check(not [x for x in doc["pci_functions"] if x["address"].startswith(("0000:10:", "0000:20:"))],
            f"cleared: no host function, no vNTB virtual bus ({doc['pci_functions']})")
    g.check(doc["ntb_devices"] == [], f"cleared: no NTB device ({doc['ntb_devices']})")
    g.check(doc["dma_exports"] == [], f"cleared: no DMA export ({doc['dma_exports']})")


def attrs(path):
    """names of the regular files directly in @path"""
    try:
        return {e for e in os.listdir(path) if os.path.isfile(os.path.join(path, e)) and
                not os.path.islink(os.path.join(path, e)) and e != g.PLACEHOLDER}
    except FileNotFoundError:
        return None


# Attributes the kernel has but refuses to read in the captured state, so the capture (which
# keeps what reads) lacks them: vNTB's mwN for N > num_mws read EINVAL ("Invalid num_nws").
UNREADABLE = {"mw2", "mw3", "mw4"}


def in_series(name):
    """does a patch of kernel/patches declare a sysfs attribute @name (XXX_ATTR...(name, ...)"""
    pdir = os.path.join(g.TOP, "kernel/patches")
    pat = re.compile(rf"^\+.*ATTR\w*\(\s*{re.escape(name)}\s*[,)]", re.M)
    for f in sorted(os.listdir(pdir)):
        if f.endswith(".patch"):
            with open(os.path.join(pdir, f), errors="replace") as fh:
                if pat.search(fh.read()):
                    return True
    return False


def only_real(what, fake, real):
    if not g.check(fake is not None and real is not None, f"{what}: directory missing"):
        return
    extra = sorted(fake - real - UNREADABLE)
    # newer than the capture: the series adds them, the capture predates it
    stale = [a for a in extra if in_series(a)]
    if stale:
        print(f"NOTE: {what}: {stale} come with kernel/patches but are not in the captured "
              "tree yet; capture again: kernel/testbed/run e2e, then "
              "kernel/testbed/e2e/update-fixtures", file=sys.stderr)
    extra = [a for a in extra if a not in stale]
    g.check(not extra, f"{what}: the fake has attributes the kernel does not have and the "
            f"series does not add: {extra}")


def fakes_vs_reality():
    live = os.path.join(TESTBED, "testbed-live")
    fake = os.path.join(g.FIXTURES, "ep-vntb")
    rfn = os.path.join(live, CFS, "functions/pci_epf_vntb/func1")
    for fn in sorted(os.listdir(os.path.join(fake, CFS, "functions/pci_epf_vntb"))):
        ffn = os.path.join(fake, CFS, "functions/pci_epf_vntb", fn)
        only_real(f"ep-vntb function {fn}", attrs(ffn), attrs(rfn))
        only_real(f"ep-vntb function {fn}/pci_epf_vntb.0", attrs(os.path.join(ffn, "pci_epf_vntb.0")),
                  attrs(os.path.join(rfn, "pci_epf_vntb.0")))
    rc = os.path.join(live, CFS, "controllers/loopback-epc")
    for c in sorted(os.listdir(os.path.join(fake, CFS, "controllers"))):
        only_real(f"ep-vntb controller {c}", attrs(os.path.join(fake, CFS, "controllers", c)),
                  attrs(rc))
    aux = "sys/bus/auxiliary/devices"
    fx = [os.path.realpath(os.path.join(g.FIXTURES, "host-dma", aux, e))
          for e in os.listdir(os.path.join(g.FIXTURES, "host-dma", aux)) if "ep_dma_v1" in e]
    rx = [os.path.realpath(os.path.join(live, aux, e))
          for e in os.listdir(os.path.join(live, aux)) if "ep_dma_v1" in e]
    g.check(len(fx) == 1 and len(rx) == 1, f"one ep_dma_v1 device in host-dma and live ({fx}, {rx})")
    if len(fx) == 1 and len(rx) == 1:
        only_real("host-dma ep_dma_v1 device", attrs(fx[0]), attrs(rx[0]))


def main():
    epdmactl = os.path.abspath(sys.argv[1])
    if not os.path.isdir(os.path.join(TESTBED, "testbed-live")):
        print("SKIP: no captured testbed trees")
        return 77
    doc = status(epdmactl, "testbed-live")
    if doc:
        live_facts(doc)
    doc = status(epdmactl, "testbed-cleared")
    if doc:
        cleared_facts(doc)
    fakes_vs_reality()
    return g.finish("test-testbed-trees")


if __name__ == "__main__":
    sys.exit(main())
