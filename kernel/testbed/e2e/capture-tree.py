#!/usr/bin/env python3
"""Capture the real sysfs, pci_ep configfs and debugfs trees epdmactl reads into a root prefix
(epdmactl --root DIR), for the host-side golden tests: the fakes are checked against reality.

  capture-tree.py OUTDIR

What is kept: the directories, the text attributes (first 4 KiB, read as root), and symlinks
with the exact relative targets the kernel shows; the devices that the class/bus links point
to are followed (their own subsystem/driver/power links are recorded, not followed). Binary,
unreadable and write-only attributes are left out; an otherwise empty directory gets a
'.keep' so git keeps it."""
import os
import shutil
import sys
import time

START = [
    "/sys/class/pci_epc",
    "/sys/kernel/config/pci_ep",
    "/sys/bus/ntb/devices", "/sys/bus/ntb/drivers",
    "/sys/bus/auxiliary/devices", "/sys/bus/auxiliary/drivers",
    "/sys/class/dma",
    "/sys/kernel/debug/ntb_ep_dma",
    "/sys/bus/pci/drivers/ntb_hw_epf", "/sys/bus/pci/drivers/pci-vntb",
]
MODULES = ["pci_epc_loopback", "pci_epf_vntb", "ntb", "ntb_hw_epf", "dw_edma", "dw_edma_aux",
           "ntb_ep_dma", "ntb_transport", "ntb_tool"]
NOFOLLOW = {"subsystem", "driver", "module", "firmware_node", "of_node", "iommu",
            "iommu_group", "power", "holders", "drivers", "bus"}
SKIPFILES = {"config", "remove", "rescan", "reset", "rom", "new_id", "remove_id", "bind",
             "unbind", "uevent_seqnum", "driver_override", "run"}
MAXDEPTH = 6


class Capture:
    def __init__(self, out):
        self.out = out
        self.done = set()
        self.todo = []

    def dst(self, path):
        return os.path.join(self.out, path.lstrip("/"))

    def ensure_dir(self, path):
        os.makedirs(self.dst(path), exist_ok=True)

    def copy_file(self, path):
        if os.path.basename(path) in SKIPFILES or path.startswith("/sys/devices") and \
                os.path.basename(path).startswith("resource"):
            return
        try:
            st = os.stat(path)
            if not st.st_mode & 0o444:
                return
            with open(path, "rb") as f:
                data = f.read(4096)
        except OSError:
            return
        if b"\0" in data:
            return
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return
        os.makedirs(os.path.dirname(self.dst(path)), exist_ok=True)
        with open(self.dst(path), "wb") as f:
            f.write(data)

    def link(self, path, follow):
        target = os.readlink(path)
        d = self.dst(path)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if not os.path.lexists(d):
            os.symlink(target, d)
        real = os.path.realpath(path)
        if follow and real.startswith(("/sys/devices/", "/sys/kernel/config/")):
            self.todo.append((real, 0))
        else:
            self.ensure_dir(real)  # the link resolves; contents not needed

    def walk(self, path, depth):
        if path in self.done or depth > MAXDEPTH:
            return
        self.done.add(path)
        if os.path.islink(path):
            self.link(path, True)
            return
        if not os.path.isdir(path):
            if os.path.isfile(path):
                self.copy_file(path)
            return
        self.ensure_dir(path)
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return
        for n in names:
            p = os.path.join(path, n)
            if os.path.islink(p):
                self.link(p, n not in NOFOLLOW and depth < MAXDEPTH)
            elif os.path.isdir(p):
                if n not in NOFOLLOW:
                    self.walk(p, depth + 1)
                else:
                    self.ensure_dir(p)
            else:
                self.copy_file(p)

    def run(self):
        for s in START:
            if os.path.exists(s):
                self.todo.append((s, 0))
        # the PCI functions of the loopback host bridge (bus 0x10) and of vNTB's virtual bus
        for n in sorted(os.listdir("/sys/bus/pci/devices")):
            if n.startswith(("0000:10:", "0000:20:")):
                self.todo.append((f"/sys/bus/pci/devices/{n}", 0))
        for m in MODULES:
            for a in ("initstate", "refcnt"):
                if os.path.exists(f"/sys/module/{m}/{a}"):
                    self.copy_file(f"/sys/module/{m}/{a}")
        while self.todo and len(self.done) < 20000:
            p, d = self.todo.pop(0)
            self.walk(p, d)
        n = 0
        for root, dirs, files in os.walk(self.out):
            if not dirs and not files:
                open(os.path.join(root, ".keep"), "w").close()
            n += len(files)
        return n


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    n = Capture(out).run()
    # where and when: not read by epdmactl (it only looks below sys/)
    with open(os.path.join(out, "CAPTURED"), "w") as f:
        f.write(f"kernel {os.uname().release}\n{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}\n")
    print(f"captured {n} files into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
