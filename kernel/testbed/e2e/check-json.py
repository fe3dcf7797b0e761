#!/usr/bin/env python3
"""Check an epdmactl JSON document inside the e2e guest.

  check-json.py status FILE [--controller NAME] [--function NAME] [--pci BDF] [--ntb-link] [--dma]
  check-json.py test-result FILE

Validates against the schema installed by `cmake --install` (/usr/local/share/epdma/schemas),
then checks what the journey expects to see. Prints one line on success, the problems on
failure (exit 1)."""
import argparse
import json
import sys

import jsonschema

SCHEMAS = __import__("os").environ.get("EPDMA_SCHEMAS", "/usr/local/share/epdma/schemas")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["status", "test-result"])
    ap.add_argument("file")
    ap.add_argument("--controller")
    ap.add_argument("--function")
    ap.add_argument("--pci")
    ap.add_argument("--ntb", action="store_true")
    ap.add_argument("--ntb-link", action="store_true")
    ap.add_argument("--dma", action="store_true")
    a = ap.parse_args()
    try:
        with open(a.file) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{a.file}: not JSON: {e}")
        return 1
    with open(f"{SCHEMAS}/{a.kind}.schema.json") as f:
        schema = json.load(f)
    errs = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=str)
    if errs:
        for e in errs[:5]:
            print(f"schema: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
        return 1
    bad = []
    said = [f"valid against {a.kind}.schema.json"]
    if a.kind == "test-result":
        res = doc.get("result") or {}
        if doc.get("passed") is not True or doc.get("outcome") != "pass":
            bad.append(f"outcome {doc.get('outcome')!r}, error {doc.get('error')!r}")
        elif res.get("peer_state") not in (None, "pass"):
            bad.append(f"passed but the peer says {res.get('peer_state')!r}")
        else:
            t = doc.get("transfer") or {}
            said.append(f"{doc.get('outcome')} via {doc.get('via')} on {doc.get('device')}: "
                        f"{t.get('transfers')} transfer(s), {t.get('bytes')} bytes, "
                        f"{t.get('errors')} errors")
        return report(bad, said)
    if a.controller:
        c = [c for c in doc["controllers"] if c.get("name") == a.controller]
        if not c:
            bad.append(f"no controller {a.controller}")
        elif c[0].get("started") is not True:
            bad.append(f"controller {a.controller} started={c[0].get('started')}")
        else:
            said.append(f"controller {a.controller} started")
    if a.function:
        fn = [f for f in doc["functions"] if f.get("name") == a.function]
        b = [b for b in doc["bindings"] if b.get("function", "").endswith(a.function)]
        if not fn:
            bad.append(f"no function {a.function}")
        elif not b or (a.controller and b[0].get("controller") != a.controller):
            bad.append(f"function {a.function} bindings {b}")
        else:
            said.append(f"function {fn[0].get('driver')}/{a.function} bound to {b[0].get('controller')}")
    if a.pci:
        p = [p for p in doc["pci_functions"] if p.get("address") == a.pci]
        if not p:
            bad.append(f"no PCI function {a.pci} (have {[x.get('address') for x in doc['pci_functions']]})")
        else:
            said.append(f"PCI {a.pci} {p[0].get('vendor')}:{p[0].get('device')} driver {p[0].get('driver')}")
    if a.ntb or a.ntb_link:
        n = [n for n in doc["ntb_devices"] if n.get("pci_device") == a.pci or n.get("name") == a.pci]
        if not n:
            bad.append(f"no NTB device for {a.pci} (have {doc['ntb_devices']})")
        else:
            said.append(f"NTB {n[0].get('name')} link_up={n[0].get('link_up')}")
            if a.ntb_link and n[0].get("link_up") is None:
                bad.append(f"NTB {n[0].get('name')}: link state unknown")
    if a.dma:
        ex = doc.get("dma_exports") or []
        if not ex:
            bad.append("no dma_exports")
        else:
            # The host's locator comes from the ep_dma_v1 device's sysfs attributes (the
            # series shows them); it must agree with what the EP function says it exports.
            loc = ex[0].get("locator")
            ep = next((f["dma_export"] for f in doc["functions"] if f.get("dma_export")), None)
            if not loc or not ex[0].get("channels"):
                bad.append(f"DMA export without the host's locator or channels: {ex[0]}")
            else:
                differ = {k: (loc[k], ep[k]) for k in loc if ep and k in ep and loc[k] != ep[k]}
                if differ:
                    bad.append(f"host locator and EP export disagree (host, EP): {differ}")
                said.append(f"DMA export {ex[0]['name']} locator {loc} channels {ex[0]['channels']}")
    return report(bad, said)


def report(bad, said):
    if bad:
        print("; ".join(bad))
        return 1
    print("; ".join(said))
    return 0


if __name__ == "__main__":
    sys.exit(main())
