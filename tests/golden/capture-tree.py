#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture what `epdmactl status` reads from a live system into a fixture tree.

usage: capture-tree.py [--source ROOT] OUTDIR

Run it on an endpoint or host (or in the UML testbed guest) to turn the real kernel's view
into a tests/golden/fixtures/<name> tree: the pci_epc and dma classes, the ntb and auxiliary
buses, the PCI functions bound to ntb_hw_epf / pci-vntb, the modules epdma uses, the whole
pci_ep configfs tree and ntb_ep_dma's debugfs directory. Symlinks keep their relative
targets, and every directory they lead to is captured too (device directories only with
the attributes status reads: reading arbitrary sysfs files can have side effects). Regular
files are read with a size bound; write-only files (ntb_ep_dma's "run") become empty files.
--source reads from a prefix instead of / (used by the round-trip test).
"""
import argparse
import os
import stat
import sys

MAX_ATTR = 4096
# attributes of device directories that libepdma's status reads
DEVICE_ATTRS = {"uevent", "vendor", "device", "class", "current_link_speed",
                "current_link_width", "in_use", "memcpy_count", "bytes_transferred",
                "dma_abi", "dma_bar", "dma_offset", "dma_size", "dma_num_chans",
                "dma_irq_base", "dma_irq_count"}
DEVICE_LINKS = {"driver", "device", "subsystem"}
MODULES = ["pci_epf_vntb", "pci_epf_test", "pci_epf_ntb", "ntb", "ntb_hw_epf", "dw_edma",
           "dw_edma_aux", "ntb_ep_dma"]
NTB_PCI_DRIVERS = {"ntb_hw_epf", "pci-vntb"}


class Capture:
    def __init__(self, src, out):
        self.src = src.rstrip("/")
        self.out = out
        self.done = set()
        self.files = 0

    def s(self, rel):
        return self.src + "/" + rel

    def o(self, rel):
        return os.path.join(self.out, rel)

    def copy_file(self, rel):
        dst = self.o(rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        data = b""
        try:
            fd = os.open(self.s(rel), os.O_RDONLY | os.O_NONBLOCK)
            try:
                data = os.read(fd, MAX_ATTR + 1)[:MAX_ATTR]
            finally:
                os.close(fd)
        except OSError:
            pass	# write-only or unreadable: an empty file keeps the name
        with open(dst, "wb") as f:
            f.write(data)
        self.files += 1

    def copy_link(self, rel):
        """recreate the link; return the source-relative path it leads to (or None)"""
        dst = self.o(rel)
        if os.path.lexists(dst):
            return None
        target = os.readlink(self.s(rel))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.isabs(target):
            # configfs links made with absolute paths: keep them inside the capture
            if target.startswith(self.src + "/"):
                target = target[len(self.src) + 1:]
            t_rel = target.lstrip("/")
            target = os.path.relpath(self.o(t_rel), os.path.dirname(dst))
        os.symlink(target, dst)
        real = os.path.realpath(self.s(rel))
        if not real.startswith(self.src + "/") and self.src:
            return None
        return real[len(self.src) + 1:] if self.src else real.lstrip("/")

    def device_dir(self, rel, depth=0):
        """a sysfs device directory: the attributes status reads and its links"""
        if rel in self.done or depth > 4 or not os.path.isdir(self.s(rel)):
            return
        self.done.add(rel)
        os.makedirs(self.o(rel), exist_ok=True)
        for name in sorted(os.listdir(self.s(rel))):
            p = rel + "/" + name
            if os.path.islink(self.s(p)):
                if name in DEVICE_LINKS:
                    t = self.copy_link(p)
                    if t and name == "device":
                        self.device_dir(t, depth + 1)
                    if t and name == "driver":
                        os.makedirs(self.o(t), exist_ok=True)
            elif name in DEVICE_ATTRS and os.path.isfile(self.s(p)):
                self.copy_file(p)
        # the parent device: status names it (controller parent, NTB's PCI function)
        parent = os.path.dirname(rel)
        if parent.startswith("sys/devices/") and os.path.basename(parent) not in ("dma",
                                                                                  "pci_epc"):
            self.device_dir(parent, depth + 1)
        elif os.path.basename(parent) in ("dma", "pci_epc"):
            self.device_dir(os.path.dirname(parent), depth + 1)

    def class_or_bus(self, rel, keep=lambda name, real: True):
        d = self.s(rel)
        if not os.path.isdir(d):
            return
        os.makedirs(self.o(rel), exist_ok=True)
        for name in sorted(os.listdir(d)):
            p = rel + "/" + name
            if not os.path.islink(self.s(p)):
                continue
            real = os.path.realpath(self.s(p))
            if not keep(name, real):
                continue
            t = self.copy_link(p)
            if t:
                self.device_dir(t)

    def whole_tree(self, rel):
        """configfs / debugfs: every file and link, no side effects on read"""
        d = self.s(rel)
        if not os.path.isdir(d):
            return
        for dirpath, dirnames, filenames in os.walk(d):
            r = os.path.relpath(dirpath, self.src or "/")
            os.makedirs(self.o(r), exist_ok=True)
            for name in dirnames + filenames:
                p = r + "/" + name
                st = os.lstat(self.s(p))
                if stat.S_ISLNK(st.st_mode):
                    self.copy_link(p)
                elif stat.S_ISREG(st.st_mode):
                    self.copy_file(p)
            dirnames[:] = [n for n in dirnames if not os.path.islink(os.path.join(dirpath, n))]
            if not dirnames and not filenames:
                open(self.o(r + "/.keep"), "w").close()

    def run(self):
        self.class_or_bus("sys/class/pci_epc")
        self.class_or_bus("sys/class/dma")
        self.class_or_bus("sys/bus/ntb/devices")
        self.class_or_bus("sys/bus/auxiliary/devices",
                          lambda name, real: name.startswith("ntb_hw_epf."))

        def ntb_pci(name, real):
            drv = os.path.join(real, "driver")
            return os.path.islink(drv) and os.path.basename(os.readlink(drv)) in NTB_PCI_DRIVERS
        self.class_or_bus("sys/bus/pci/devices", ntb_pci)
        for m in MODULES:
            mdir = f"sys/module/{m}"
            if not os.path.isdir(self.s(mdir)):
                continue
            os.makedirs(self.o(mdir), exist_ok=True)
            for a in ("initstate", "refcnt"):
                if os.path.isfile(self.s(f"{mdir}/{a}")):
                    self.copy_file(f"{mdir}/{a}")
            if not os.path.exists(self.s(f"{mdir}/initstate")):
                open(self.o(f"{mdir}/.keep"), "w").close()	# built in
        self.whole_tree("sys/kernel/config/pci_ep")
        self.whole_tree("sys/kernel/debug/ntb_ep_dma")
        os.makedirs(self.o("sys"), exist_ok=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default="", help="read under this prefix instead of /")
    ap.add_argument("outdir")
    a = ap.parse_args()
    if os.path.exists(a.outdir) and os.listdir(a.outdir):
        print(f"{a.outdir} exists and is not empty", file=sys.stderr)
        return 1
    c = Capture(os.path.abspath(a.source) if a.source else "", os.path.abspath(a.outdir))
    c.run()
    print(f"captured {c.files} files into {a.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
