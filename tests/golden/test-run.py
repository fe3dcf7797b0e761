#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`epdmactl test run` against a fake debugfs in which a helper process plays ntb_ep_dma.

usage: test-run.py EPDMACTL

The helper watches <debugfs>/ntb_ep_dma/<dev>/run; when "1" is written it waits a little and
writes a new result (pass or fail), or never answers (timeout). A FIFO in place of "run"
models the kernel's blocking write, which must not outlast --timeout. Every JSON output is
validated against schemas/test-result.schema.json; exit codes are asserted.
"""
import multiprocessing
import os
import stat
import subprocess
import sys
import time

import golden_util as g

DEV = "0000:01:00.0"


def result_text(status, state, seq, length=4096, link=1):
    return (f"last_status: {status}\nlast_len: {length if status == 0 else 0}\n"
            f"local_buf_dma: 0xfffff000\nlocal_buf_size: 4096\npeer_ready: 1\n"
            f"peer_state: {state}\npeer_dma: 0x4e11e000\npeer_size: 4096\n"
            f"peer_seq: {seq}\npeer_xfer_len: {length}\nlink_up: {link}\n")


def ntb_ep_dma(devdir, mode, delay=0.1, ready_after=0.0):
    """the fake kernel side: answer one write of "1" to run"""
    if ready_after:
        time.sleep(ready_after)
        with open(os.path.join(devdir, "ready"), "w") as f:
            f.write("1\n")
    run = os.path.join(devdir, "run")
    deadline = time.time() + 20
    while time.time() < deadline:
        with open(run) as f:
            if f.read().strip() == "1":
                break
        time.sleep(0.01)
    else:
        return
    if mode == "silent":
        return
    time.sleep(delay)
    text = {"pass": result_text(0, "pass", 2),
            "fail": result_text(-5, "fail", 2),
            "ktimeout": result_text(-110, "ready", 1),
            "nolink": result_text(-67, "ready", 1, link=0),
            "garbage": "this is not\nthe result format\n"}[mode]
    tmp = os.path.join(devdir, ".result.tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, os.path.join(devdir, "result"))


def ntb_ep_dma_series(devdir, answers, last):
    """answer successive writes to run (seen as mtime changes from @last), one answer each"""
    run = os.path.join(devdir, "run")
    seq = 1
    for answer in answers:
        deadline = time.time() + 20
        while time.time() < deadline:
            m = os.stat(run).st_mtime_ns
            if m != last:
                last = m
                break
            time.sleep(0.002)
        else:
            return
        seq += 1
        if answer == "gone":
            # ntb_ep_dma removes the host's device directory
            import shutil
            shutil.rmtree(devdir)
            return
        ok = answer in ("pass", "pass, unbind")
        text = result_text(0, "pass", seq) if ok else result_text(-5, "fail", seq)
        if answer == "pass, unbind":
            unbind_host(devdir)	# before the result: the next run starts in this state
        tmp = os.path.join(devdir, ".result.tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, os.path.join(devdir, "result"))


def unbind_host(devdir):
    """the first half of a link down in the loopback testbed: the host's PCI function is
    unbound while ntb_ep_dma still shows the host's directory and the endpoint's (vNTB's
    virtual function, bound to pci-vntb)"""
    import shutil
    root = devdir[:devdir.index("/sys/kernel/debug/")]
    shutil.copytree(devdir, os.path.join(os.path.dirname(devdir), "0000:20:00.0"))
    pci = os.path.join(root, "sys/bus/pci/devices/0000:20:00.0")
    os.makedirs(pci)
    os.symlink("../../drivers/pci-vntb", os.path.join(pci, "driver"))
    os.unlink(os.path.join(root, "sys/devices/pci0000:00/0000:00:00.0/0000:01:00.0/driver"))


def series(epdmactl, name, answers, count, want_rc):
    root, devdir = setup()
    time.sleep(0.01)	# the run file's mtime must change visibly on the first write
    # the baseline is taken here, not in the child: a loaded machine may start the child
    # after epdmactl's first write, which it would then never see
    last = os.stat(os.path.join(devdir, "run")).st_mtime_ns
    p = multiprocessing.Process(target=ntb_ep_dma_series, args=(devdir, answers, last))
    p.start()
    r = g.run(epdmactl, ["--root", root, "test", "run", "--json", "--count", str(count),
                         "--timeout", "5"])
    p.join(5)
    if p.is_alive():
        p.terminate()
    doc = g.check_json(r.stdout, "test-result.schema.json", f"{name}: JSON")
    g.check(r.returncode == want_rc, f"{name}: exit {r.returncode}, want {want_rc}")
    g.cleanup(root)
    return doc


def setup(ready="1"):
    root = g.scratch_copy("host-dma")
    devdir = os.path.join(root, "sys/kernel/debug/ntb_ep_dma", DEV)
    with open(os.path.join(devdir, "ready"), "w") as f:
        f.write(ready + "\n")
    with open(os.path.join(devdir, "result"), "w") as f:
        f.write(result_text(0, "pass", 1))
    return root, devdir


def case(epdmactl, name, mode, want_rc, want_outcome, args=(), ready="1", ready_after=0.0,
         helper=True, prepare=None, user=None):
    root, devdir = setup(ready)
    if prepare:
        prepare(root, devdir)
    p = None
    if helper:
        p = multiprocessing.Process(target=ntb_ep_dma, args=(devdir, mode),
                                    kwargs={"ready_after": ready_after})
        p.start()
    cmd = ["--root", root, "test", "run", "--json"] + list(args)
    t0 = time.time()
    if user:
        r = subprocess.run(user + [epdmactl] + cmd, capture_output=True, text=True, timeout=60)
    else:
        r = g.run(epdmactl, cmd)
    elapsed = time.time() - t0
    if p:
        p.join(5)
        if p.is_alive():
            p.terminate()
    doc = g.check_json(r.stdout, "test-result.schema.json", f"{name}: JSON")
    g.check(r.returncode == want_rc, f"{name}: exit {r.returncode}, want {want_rc} "
            f"(stderr: {r.stderr.strip()})")
    if doc:
        g.check(doc["outcome"] == want_outcome,
                f"{name}: outcome {doc['outcome']}, want {want_outcome}")
    g.cleanup(root)
    return doc, r, elapsed


def main():
    epdmactl = os.path.abspath(sys.argv[1])

    doc, r, _ = case(epdmactl, "pass", "pass", 0, "pass")
    if doc:
        g.check(doc["passed"] is True and doc["error"] is None, "pass: passed, no error")
        g.check(doc["device"] == DEV, "pass: device named")
        g.check(doc["result"] and doc["result"]["peer_seq"] == 2 and
                doc["result"]["peer_state"] == "pass" and doc["result"]["last_len"] == 4096,
                "pass: the new result (seq 2) is reported, not the old one")

    doc, r, _ = case(epdmactl, "fail", "fail", 1, "fail")
    if doc:
        g.check(doc["error"] and doc["error"]["errno"] == 5 and doc["error"]["name"] == "EIO",
                f"fail: errno 5 EIO from last_status -5 ({doc['error']})")
        g.check(doc["result"]["peer_state"] == "fail", "fail: peer state fail")

    doc, r, el = case(epdmactl, "timeout", "silent", 75, "timeout", args=["--timeout", "0.5"])
    g.check(0.45 <= el < 5, f"timeout: returned after {el:.2f}s for --timeout 0.5")
    if doc:
        g.check(doc["error"]["name"] == "ETIMEDOUT" and doc["stage"] == "result",
                "timeout: ETIMEDOUT while waiting for the result")
        g.check(doc.get("timeout") == {"by": "epdmactl", "ms": 500},
                f"timeout: epdmactl's --timeout 0.5 ended it ({doc.get('timeout')})")

    # the kernel gave up on one of its own 5 s waits (last_status -ETIMEDOUT), well within the
    # --timeout: the report names the kernel's limit, not ours (E2E-FINDINGS open 4)
    doc, r, el = case(epdmactl, "kernel timeout", "ktimeout", 75, "timeout",
                      args=["--timeout", "10"])
    if doc:
        g.check(doc.get("timeout") == {"by": "kernel", "ms": 5000},
                f"kernel timeout: the kernel's limit ({doc.get('timeout')})")
        g.check("kernel" in doc["error"]["message"] and "10000 ms" not in doc["error"]["message"],
                f"kernel timeout: the message blames the kernel ({doc['error']['message']})")
    doc, r, _ = case(epdmactl, "pass has no timeout", "pass", 0, "pass")
    if doc:
        g.check(doc["version"] == 3 and doc.get("timeout") is None, "pass: version 3, timeout null")

    # the link went down during the run: the kernel's -ENOLINK is "unavailable" (69), not a
    # failed transfer
    doc, r, _ = case(epdmactl, "link lost during the run", "nolink", 69, "error")
    if doc:
        g.check(doc["error"]["name"] == "ENOLINK" and "link" in doc["error"]["message"],
                f"link lost: ENOLINK, the message says so ({doc['error']})")

    doc, r, el = case(epdmactl, "peer not ready", "silent", 75, "timeout", ready="0",
                      args=["--timeout", "0.3"], helper=False)
    if doc:
        g.check(doc["stage"] == "ready", "peer not ready: stage ready")

    case(epdmactl, "peer ready late", "pass", 0, "pass", ready="0", ready_after=0.3,
         args=["--timeout", "10"])

    # the kernel blocks in write(2) until the transfer is verified: a FIFO that nobody reads
    # blocks the same way, and --timeout must still win
    def fifo(root, devdir):
        os.unlink(os.path.join(devdir, "run"))
        os.mkfifo(os.path.join(devdir, "run"))
    doc, r, el = case(epdmactl, "blocking run", None, 75, "timeout", args=["--timeout", "0.4"],
                      helper=False, prepare=fifo)
    g.check(el < 3, f"blocking run: returned after {el:.2f}s for --timeout 0.4")
    if doc:
        g.check(doc["stage"] == "run", "blocking run: stage run")

    doc, r, _ = case(epdmactl, "garbage result", "garbage", 1, "error")
    if doc:
        g.check(doc["error"]["name"] == "EBADMSG" and doc["result"] is None,
                "garbage result: EBADMSG, no result")

    doc, r, _ = case(epdmactl, "no such device", None, 69, "error",
                     args=["--device", "0000:09:00.0"], helper=False)
    if doc:
        g.check(doc["device"] is None and "0000:09:00.0" in doc["error"]["message"],
                "no such device: the message names it")

    def no_debugfs(root, devdir):
        import shutil
        shutil.rmtree(os.path.join(root, "sys/kernel/debug/ntb_ep_dma"))
    doc, r, _ = case(epdmactl, "module not loaded", None, 69, "error", helper=False,
                     prepare=no_debugfs)
    if doc:
        g.check("ntb_ep_dma" in doc["error"]["message"], "module not loaded: says ntb_ep_dma")

    def two(root, devdir):
        import shutil
        shutil.copytree(devdir, os.path.join(os.path.dirname(devdir), "0000:02:00.0"))
    # both sides in one kernel (loopback): without --device the host side (ntb_hw_epf) runs
    doc, r, _ = case(epdmactl, "two devices, host side by default", "pass", 0, "pass",
                     prepare=two)
    if doc:
        g.check(doc["device"] == DEV, f"two devices: the ntb_hw_epf one was chosen ({doc})")

    def two_no_host(root, devdir):
        two(root, devdir)
        os.unlink(os.path.join(root, "sys/devices/pci0000:00/0000:00:00.0/0000:01:00.0/driver"))
    # no host-side device: not a usage error but the link (E2E-FINDINGS open 2)
    doc, r, _ = case(epdmactl, "two devices, no host side", None, 69, "error", helper=False,
                     prepare=two_no_host)
    if doc:
        g.check("no host-side" in doc["error"]["message"] and
                "link" in doc["error"]["message"] and doc["device"] is None,
                f"no host side: says so and names the link ({doc['error']['message']})")

    def two_hosts(root, devdir):
        two(root, devdir)
        pci = os.path.join(root, "sys/bus/pci/devices/0000:02:00.0")
        os.makedirs(pci)
        os.symlink("../../drivers/ntb_hw_epf", os.path.join(pci, "driver"))
    doc, r, _ = case(epdmactl, "two host-side devices", None, 2, "error", helper=False,
                     prepare=two_hosts)
    if doc:
        g.check("--device" in doc["error"]["message"], "ambiguous: says to use --device")

    # the real loopback tree (captured in the testbed) with the link down: the host's PCI
    # function and its ntb_ep_dma device are gone, the endpoint's vNTB side (pci-vntb) is left
    # and is not a host's device: 69 naming the link, not a run on the endpoint side (exit 1)
    live = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "../fixtures/testbed/testbed-live")
    if os.path.isdir(live):
        import shutil
        root = g.scratch_copy(live)
        shutil.rmtree(os.path.join(root, "sys/kernel/debug/ntb_ep_dma/0000:10:00.0"))
        os.unlink(os.path.join(root, "sys/bus/pci/devices/0000:10:00.0"))
        r = g.run(epdmactl, ["--root", root, "test", "run", "--json"])
        doc = g.check_json(r.stdout, "test-result.schema.json", "loopback link down: JSON")
        g.check(r.returncode == 69, f"loopback link down: exit {r.returncode}, want 69")
        if doc:
            m = doc["error"]["message"]
            g.check(doc["device"] is None and "0000:20:00.0 (pci-vntb)" in m and "link" in m,
                    f"loopback link down: names the endpoint side and the link ({m})")
        g.cleanup(root)
    else:
        g.check(False, f"no captured testbed tree at {live}")
    case(epdmactl, "two devices, one chosen", "pass", 0, "pass", args=["--device", DEV],
         prepare=two)

    case(epdmactl, "unsafe device name", None, 2, "error", args=["--device", "../x"],
         helper=False)

    # permission: an unprivileged user cannot write run (mode 0600, owner root)
    if os.geteuid() == 0 and os.path.exists("/usr/bin/setpriv"):
        def lock(root, devdir):
            for d, _, files in os.walk(root):
                os.chmod(d, 0o755)
                for f in files:
                    os.chmod(os.path.join(d, f), 0o644)
            os.chmod(os.path.dirname(root), 0o755)
            os.chmod(os.path.join(devdir, "run"), 0o600)
        case(epdmactl, "permission denied", None, 77, "error", helper=False, prepare=lock,
             user=["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])

    # --count: a series of runs, stopping at the first that does not pass
    doc = series(epdmactl, "count 5", ["pass"] * 5, 5, 0)
    if doc:
        g.check(doc["runs"]["requested"] == 5 and doc["runs"]["passed"] == 5 and
                doc["runs"]["completed"] == 5 and doc["result"]["peer_seq"] == 6,
                f"count 5: five passes, the last result shown ({doc['runs']})")
        d = doc["runs"]["duration_us"]
        g.check(d and d["min"] <= d["median"] <= d["max"], f"count 5: duration spread {d}")
    doc = series(epdmactl, "count 5, third fails", ["pass", "pass", "fail", "pass", "pass"], 5, 1)
    if doc:
        g.check(doc["runs"]["passed"] == 2 and doc["runs"]["completed"] == 3 and
                doc["outcome"] == "fail", f"third fails: stopped after it ({doc['runs']})")
    # the link goes down after two runs, as in the loopback testbed: the host's PCI function
    # is unbound while both ntb_ep_dma directories are still there, then the host's
    # directory goes during the third run. Every run stays on the first run's device
    # (E2E-FINDINGS open 3: looking again found two devices and no host side, exit 2) and the
    # series ends with 69.
    doc = series(epdmactl, "count 5, link down after two", ["pass", "pass, unbind", "gone"],
                 5, 69)
    if doc:
        g.check(doc["runs"]["passed"] == 2 and doc["outcome"] == "error" and
                doc["device"] == DEV and "link" in doc["error"]["message"],
                f"link down after two: same device, 69, the link named ({doc['runs']}, "
                f"{doc['device']}, {doc['error']})")
    doc, r, _ = case(epdmactl, "single run has no runs member", "pass", 0, "pass")
    if doc:
        g.check("runs" not in doc, "without --count the document has no 'runs'")

    # usage
    for bad in ("0", "-1", "x", "100001"):
        r = g.run(epdmactl, ["test", "run", "--count", bad])
        g.check(r.returncode == 2, f"--count {bad} exits 2 (got {r.returncode})")
    r = g.run(epdmactl, ["test", "run", "--timeout", "0"])
    g.check(r.returncode == 2, f"--timeout 0 exits 2 (got {r.returncode})")
    r = g.run(epdmactl, ["test", "run", "--timeout", "abc"])
    g.check(r.returncode == 2, f"--timeout abc exits 2 (got {r.returncode})")
    r = g.run(epdmactl, ["test", "fly"])
    g.check(r.returncode == 2, f"test fly exits 2 (got {r.returncode})")

    # text mode says the outcome on stdout and the reason on stderr
    root, devdir = setup()
    p = multiprocessing.Process(target=ntb_ep_dma, args=(devdir, "fail"))
    p.start()
    r = g.run(epdmactl, ["--root", root, "test", "run"])
    p.join(5)
    g.check(r.returncode == 1 and f"test {DEV}: fail" in r.stdout and "failed" in r.stderr,
            f"text fail: stdout {r.stdout!r} stderr {r.stderr!r}")
    g.cleanup(root)

    netlink_options(epdmactl)
    return g.finish("test run")


def netlink_options(epdmactl):
    """issue 7: the options of a measuring run, their checks, and the JSON of version 2"""
    size_msg = "epdmactl: --size takes bytes from 4 to 16M, a multiple of 4 (suffix K or M), "
    bad = [
        (["--size", "6"], size_msg + "not '6'"),
        (["--size", "0"], size_msg + "not '0'"),
        (["--size", "32M"], size_msg + "not '32M'"),
        (["--size", "16777220"], size_msg + "not '16777220'"),
        (["--size", "-4"], size_msg + "not '-4'"),
        (["--size", "4KiB"], size_msg + "not '4KiB'"),
        (["--depth", "0"], "epdmactl: --depth takes a number from 1 to 64, not '0'"),
        (["--depth", "65"], "epdmactl: --depth takes a number from 1 to 64, not '65'"),
        (["--channel", "256"], "epdmactl: --channel takes a number from 0 to 255, not '256'"),
        (["--channel", "x"], "epdmactl: --channel takes a number from 0 to 255, not 'x'"),
        (["--direction", "up"], "epdmactl: --direction takes write or read, not 'up'"),
        (["--via", "ipc"], "epdmactl: --via takes auto, netlink or debugfs, not 'ipc'"),
        (["--via", "debugfs", "--size", "64K"],
         "epdmactl: --size needs the ntb_ep_dma netlink family, not --via debugfs"),
        (["--via", "debugfs", "--direction", "read"],
         "epdmactl: --direction read needs the ntb_ep_dma netlink family, not --via debugfs"),
        (["--via", "debugfs", "--no-verify"],
         "epdmactl: --no-verify needs the ntb_ep_dma netlink family, not --via debugfs"),
        (["--via", "debugfs", "--depth", "2"],
         "epdmactl: --depth needs the ntb_ep_dma netlink family, not --via debugfs"),
    ]
    for args, msg in bad:
        r = g.run(epdmactl, ["test", "run"] + args)
        g.check(r.returncode == 2 and r.stderr.strip() == msg and r.stdout == "",
                f"{' '.join(args)}: exit 2 and {msg!r} (got {r.returncode}, {r.stderr!r})")

    # a test tree is not the running kernel: netlink is never used for it, and an option only
    # netlink can honour says so (69: unavailable), naming the option
    root, devdir = setup()
    for args, name in ((["--size", "64K"], "--size"), (["--channel", "1"], "--channel"),
                       (["--via", "netlink"], "--via netlink")):
        r = g.run(epdmactl, ["--root", root, "test", "run"] + args)
        want = (f"epdmactl: {name} needs the ntb_ep_dma netlink family, which is not "
                "registered (load the ntb_ep_dma of the epdma series)")
        g.check(r.returncode == 69 and r.stderr.strip() == want,
                f"{' '.join(args)} without netlink: exit 69, {want!r} "
                f"(got {r.returncode}, {r.stderr!r})")
    g.cleanup(root)

    # what debugfs can do anyway is accepted: 4 KiB, one in flight, any channel, write
    doc, r, _ = case(epdmactl, "debugfs-compatible options", "pass", 0, "pass",
                     args=["--size", "4K", "--depth", "1", "--channel", "any",
                           "--direction", "write", "--via", "debugfs"])
    if doc:
        t = doc["transfer"]
        g.check(doc["version"] == 3 and doc["via"] == "debugfs",
                f"version 3 via debugfs ({doc['version']}, {doc.get('via')})")
        g.check(t and t["via"] == "debugfs" and t["size"] == 4096 and t["count"] == 1 and
                t["transfers"] == 1 and t["errors"] == 0 and t["bytes"] == 4096 and
                t["status"] == 0 and t["channel"] is None and t["verify"] is True,
                f"debugfs transfer figures: {t}")
        lat = t and t["latency_ns"]
        g.check(lat and 0 < lat["min"] <= lat["p50"] <= lat["p99"] <= lat["max"],
                f"debugfs latency ordered and non-zero: {lat}")

    doc, r, _ = case(epdmactl, "debugfs fail has figures", "fail", 1, "fail")
    if doc:
        t = doc["transfer"]
        g.check(t and t["transfers"] == 0 and t["errors"] == 1 and t["status"] == -5 and
                t["latency_ns"] is None, f"failed run: no transfer, one error ({t})")

    doc, r, _ = case(epdmactl, "no device has no figures", None, 69, "error",
                     args=["--device", "0000:09:00.0"], helper=False)
    if doc:
        g.check(doc["transfer"] is None, "could not start: transfer is null")

    doc = series(epdmactl, "count 3 figures", ["pass"] * 3, 3, 0)
    if doc:
        t = doc["transfer"]
        g.check(t["count"] == 3 and t["transfers"] == 3 and t["bytes"] == 3 * 4096 and
                t["throughput_bps"] > 0, f"count 3: figures of three runs ({t})")


if __name__ == "__main__":
    sys.exit(main())
