#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the synthetic fixture trees under tests/golden/fixtures/.

Each tree is a root prefix (epdmactl --root DIR) holding what Linux 6.12 plus the vNTB DMA
series exposes in sysfs, pci_ep configfs and debugfs, modelled on the kernel source:
  * /sys/class/pci_epc/<epc> -> the controller's class device (pci-epc-core.c)
  * configfs pci_ep/{controllers,functions}, header attributes printed as by pci-ep-cfs.c
    ("0x%04x" ids, "%d" interrupts), the driver group "<driver>.<idr index>", primary/ and
    secondary/ link groups, controllers/<epc>/start
  * /sys/bus/ntb/devices/<pci name> under its PCI function (ntb/core.c)
  * /sys/bus/auxiliary/devices/ntb_hw_epf.ep_dma_v1.<id> under the PCI function (series patch 12)
  * /sys/class/dma/dma<N>chan<M> under the provider device, with in_use, memcpy_count,
    bytes_transferred (dmaengine.c)
  * /sys/module/<name>/{initstate,refcnt}
  * debugfs ntb_ep_dma/<pci name>/{ready,run,result} (series patch 14)
They stand in until the UML testbed captures replace them (same layout, so the golden files
should not change except where the kernel really differs).

Run from anywhere; it rewrites the trees in place. Empty directories get no placeholder when
the code under test ignores regular files there; otherwise '.keep' (ignored by type).
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")


def w(root, rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)


def d(root, rel):
    p = os.path.join(root, rel)
    os.makedirs(p, exist_ok=True)
    if not os.listdir(p):
        open(os.path.join(p, ".keep"), "w").close()


def ln(root, rel, target):
    """symlink at rel pointing to target (relative to the link's directory)"""
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(target, p)


def rel_to(root, link_rel, target_rel):
    """the relative target kernfs writes: up to the target's parent, then its name, so a
    link to an ancestor reads "../../../0000:01:00.0", not "../.." """
    target = os.path.join(root, target_rel)
    up = os.path.relpath(os.path.dirname(target), os.path.dirname(os.path.join(root, link_rel)))
    return os.path.join(up, os.path.basename(target))


def lnr(root, link_rel, target_rel):
    ln(root, link_rel, rel_to(root, link_rel, target_rel))


def module(root, name, refcnt, state="live"):
    w(root, f"sys/module/{name}/initstate", state + "\n")
    w(root, f"sys/module/{name}/refcnt", f"{refcnt}\n")


def builtin_module(root, name):
    # built-in modules with parameters have a directory without initstate
    d(root, f"sys/module/{name}/parameters")


RESULT_PASS = """last_status: 0
last_len: 4096
local_buf_dma: 0xfffff000
local_buf_size: 4096
peer_ready: 1
peer_state: pass
peer_dma: 0x4e11e000
peer_size: 4096
peer_seq: 1
peer_xfer_len: 4096
link_up: 1
"""

RESULT_EP_IDLE = """last_status: 0
last_len: 0
local_buf_dma: 0x4e11e000
local_buf_size: 4096
peer_ready: 1
peer_state: ready
peer_dma: 0xfffff000
peer_size: 4096
peer_seq: 0
peer_xfer_len: 0
link_up: 1
"""


def ep_vntb(root):
    """Endpoint: R-Car S4 controller, the cover letter's vNTB function bound and started,
    an unbound pci_epf_test function, vNTB's virtual PCI bus with its NTB device."""
    epc = "e65d0000.pcie-ep"
    pdev = f"sys/devices/platform/soc/{epc}"
    cdev = f"{pdev}/pci_epc/{epc}"
    w(root, f"{pdev}/uevent", "OF_NAME=pcie-ep\nOF_COMPATIBLE_0=renesas,r8a779f0-pcie-ep\n")
    w(root, f"{cdev}/uevent", "")
    lnr(root, f"{cdev}/subsystem", "sys/class/pci_epc")
    lnr(root, f"{cdev}/device", pdev)
    lnr(root, f"sys/class/pci_epc/{epc}", cdev)
    lnr(root, f"{pdev}/driver", "sys/bus/platform/drivers/rcar-gen4-pcie-ep")
    d(root, "sys/bus/platform/drivers/rcar-gen4-pcie-ep")

    cfs = "sys/kernel/config/pci_ep"
    w(root, f"{cfs}/controllers/{epc}/start", "1\n")
    f = f"{cfs}/functions/pci_epf_vntb/func1"
    hdr = {"vendorid": "0x1912", "deviceid": "0x0030", "revid": "0x0000",
           "progif_code": "0x0000", "subclass_code": "0x0000", "baseclass_code": "0x0000",
           "cache_line_size": "0x0000", "subsys_vendor_id": "0x0000", "subsys_id": "0x0000",
           "interrupt_pin": "0x0000", "msi_interrupts": "32", "msix_interrupts": "0"}
    for k, v in hdr.items():
        w(root, f"{f}/{k}", v + "\n")
    vntb = {"spad_count": "128", "db_count": "16", "vntb_pid": "48", "vntb_vid": "6418",
            "vbus_number": "16", "num_mws": "1", "mw1": "1019904", "mw2": "0", "mw3": "0",
            "mw4": "0", "ctrl_bar": "0", "db_bar": "4", "mw1_bar": "2", "mw2_bar": "-1",
            "mw3_bar": "-1", "mw4_bar": "-1", "mw1_offset": "0", "mw2_offset": "0",
            "mw3_offset": "0", "mw4_offset": "0", "dma_bar": "2", "dma_offset": "1019904",
            "dma_num_chans": "4"}
    for k, v in vntb.items():
        w(root, f"{f}/pci_epf_vntb.0/{k}", v + "\n")
    # the cover letter binds through the function's primary/ group
    lnr(root, f"{f}/primary/{epc}", f"{cfs}/controllers/{epc}")
    d(root, f"{f}/secondary")

    t = f"{cfs}/functions/pci_epf_test/t0"
    for k, v in hdr.items():
        w(root, f"{t}/{k}", {"vendorid": "0x104c", "deviceid": "0xb500",
                             "msi_interrupts": "1"}.get(k, v) + "\n")
    d(root, f"{t}/primary")
    d(root, f"{t}/secondary")
    d(root, f"{cfs}/functions/pci_epf_ntb")

    # vNTB's virtual PCI bus 0x10 and the NTB device on it
    vp = "sys/devices/pci0000:10/0000:10:00.0"
    w(root, f"{vp}/vendor", "0x1912\n")
    w(root, f"{vp}/device", "0x0030\n")
    w(root, f"{vp}/class", "0x068000\n")
    lnr(root, f"{vp}/driver", "sys/bus/pci/drivers/pci-vntb")
    d(root, "sys/bus/pci/drivers/pci-vntb")
    lnr(root, "sys/bus/pci/devices/0000:10:00.0", vp)
    nd = f"{vp}/0000:10:00.0"
    w(root, f"{nd}/uevent", "")
    lnr(root, f"{nd}/driver", "sys/bus/ntb/drivers/ntb_ep_dma")
    d(root, "sys/bus/ntb/drivers/ntb_ep_dma")
    lnr(root, "sys/bus/ntb/devices/0000:10:00.0", nd)

    # the controller's local eDMA channels that were not delegated
    for ch in range(2):
        c = f"{pdev}/dma/dma0chan{ch}"
        w(root, f"{c}/in_use", "0\n")
        w(root, f"{c}/memcpy_count", "0\n")
        w(root, f"{c}/bytes_transferred", "0\n")
        lnr(root, f"{c}/device", pdev)
        lnr(root, f"sys/class/dma/dma0chan{ch}", c)

    dbg = "sys/kernel/debug/ntb_ep_dma/0000:10:00.0"
    w(root, f"{dbg}/ready", "1\n")
    w(root, f"{dbg}/run", "")
    w(root, f"{dbg}/result", RESULT_EP_IDLE)

    module(root, "pci_epf_vntb", 1)
    module(root, "pci_epf_test", 0)
    module(root, "ntb", 2)
    module(root, "ntb_ep_dma", 0)
    builtin_module(root, "dw_edma")


def host_dma(root):
    """Host: the R-Car S4 NTB function bound to ntb_hw_epf with link up, the ep_dma_v1
    auxiliary device bound to dw-edma-aux and its four channels, ntb_ep_dma after a pass."""
    br = "sys/devices/pci0000:00/0000:00:00.0"
    w(root, f"{br}/vendor", "0x1912\n")
    w(root, f"{br}/device", "0x0031\n")
    lnr(root, f"{br}/driver", "sys/bus/pci/drivers/pcieport")
    d(root, "sys/bus/pci/drivers/pcieport")
    lnr(root, "sys/bus/pci/devices/0000:00:00.0", br)

    pd = f"{br}/0000:01:00.0"
    w(root, f"{pd}/vendor", "0x1912\n")
    w(root, f"{pd}/device", "0x0030\n")
    w(root, f"{pd}/class", "0x000000\n")
    w(root, f"{pd}/current_link_speed", "16.0 GT/s PCIe\n")
    w(root, f"{pd}/current_link_width", "4\n")
    lnr(root, f"{pd}/driver", "sys/bus/pci/drivers/ntb_hw_epf")
    d(root, "sys/bus/pci/drivers/ntb_hw_epf")
    lnr(root, "sys/bus/pci/devices/0000:01:00.0", pd)

    nd = f"{pd}/0000:01:00.0"
    w(root, f"{nd}/uevent", "")
    lnr(root, f"{nd}/driver", "sys/bus/ntb/drivers/ntb_ep_dma")
    d(root, "sys/bus/ntb/drivers/ntb_ep_dma")
    lnr(root, "sys/bus/ntb/devices/0000:01:00.0", nd)

    ad = f"{pd}/ntb_hw_epf.ep_dma_v1.0"
    w(root, f"{ad}/uevent", "MODALIAS=auxiliary:ntb_hw_epf.ep_dma_v1\n")
    lnr(root, f"{ad}/driver", "sys/bus/auxiliary/drivers/dw_edma_aux.ep_dma_v1")
    d(root, "sys/bus/auxiliary/drivers/dw_edma_aux.ep_dma_v1")
    lnr(root, "sys/bus/auxiliary/devices/ntb_hw_epf.ep_dma_v1.0", ad)

    for ch in range(4):
        c = f"{pd}/dma/dma1chan{ch}"
        w(root, f"{c}/in_use", "0\n")
        w(root, f"{c}/memcpy_count", "0\n")
        w(root, f"{c}/bytes_transferred", "4096\n" if ch == 0 else "0\n")
        lnr(root, f"{c}/device", pd)
        lnr(root, f"sys/class/dma/dma1chan{ch}", c)
    # an unrelated provider (a platform DMA controller) must not count as exported
    od = "sys/devices/platform/soc/e7350000.dma-controller"
    lnr(root, f"{od}/driver", "sys/bus/platform/drivers/rcar-dmac")
    d(root, "sys/bus/platform/drivers/rcar-dmac")
    c = f"{od}/dma/dma0chan0"
    w(root, f"{c}/in_use", "1\n")
    w(root, f"{c}/memcpy_count", "12\n")
    w(root, f"{c}/bytes_transferred", "49152\n")
    lnr(root, f"{c}/device", od)
    lnr(root, "sys/class/dma/dma0chan0", c)

    dbg = "sys/kernel/debug/ntb_ep_dma/0000:01:00.0"
    w(root, f"{dbg}/ready", "1\n")
    w(root, f"{dbg}/run", "")
    w(root, f"{dbg}/result", RESULT_PASS)

    module(root, "ntb", 2)
    module(root, "ntb_hw_epf", 0)
    module(root, "dw_edma", 1)
    module(root, "dw_edma_aux", 0)
    module(root, "ntb_ep_dma", 0)


def empty(root):
    """A machine with none of it: no pci_ep configfs, no NTB, no modules."""
    d(root, "sys")


def main():
    for name, fn in (("ep-vntb", ep_vntb), ("host-dma", host_dma), ("empty", empty)):
        root = os.path.join(OUT, name)
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        fn(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
