# Scenario netlink (issue 7): ntb_ep_dma's generic netlink family driven by
# `epdmactl test run --json` across the loopback vNTB with the DMA export
# (the series scenario's layout: R-Car S4-like profile, MW1 and the DMA slice
# sharing BAR2), exporting both directions: 4 READ channels of the endpoint's
# eDMA (host memory to the endpoint: the host's writes, DMA_MEM_TO_DEV) and 1
# WRITE channel (endpoint memory to the host: the host's reads,
# DMA_DEV_TO_MEM). The loopback EPC maps at most 8 sub-ranges per BAR (MW1,
# the slice header, the register window and one descriptor window per
# channel), so 5 channels are what fits next to MW1.
#
#  * 4 KiB, 64 KiB and 1 MiB x 100 verified writes pass (ntb_ep_dma loaded with
#    buf_size=1 MiB on both sides, which are both in this one kernel), and
#    unverified writes with 8 in flight;
#  * the same verified reads (ntb_ep_dma writes a pattern into the peer's
#    buffer, then every read is compared with it), and unverified reads with 8
#    in flight; the loopback eDMA's counters show that the reads ran on its
#    WRITE channels and the writes on its READ channels;
#  * a request for a channel in the direction it cannot move data is refused
#    with a message that says so, both ways;
#  * malformed requests are refused by the kernel's policy (raw netlink from
#    python3, so that epdmactl's own checks are not what is tested);
#  * a second run on a busy device fails at once with EBUSY; CANCEL ends a run;
#    `epdmactl test watch` prints the completion notification; link down ends a
#    run with an error (ENOLINK or ENODEV).
#
# epdmactl and python3 are the host's, run with chroot in a hostfs view of the
# host's root (/host) with the guest's /sys, /proc, /dev and /tmp bound in. The
# binary is epdma.epdmactl=PATH from the kernel command line if given, else the
# build that tests/bench/stage-userspace leaves in $EPDMA_CACHE/testbed/userspace
# (found next to the result directory epdma.out=$EPDMA_CACHE/testbed/out.XXXXXX),
# else /usr/local/bin/epdmactl (cmake --install). Without one the scenario fails:
# it is what the issue asks to show.
. /testbed/lib.sh

H=/host
SCHEMA=

skip_all() {
	ktap_skip netlink "$1"
	ktap_finish
	exit 0
}

# ---------------- what the kernel under test has ----------------
vntb_ko=$(modinfo -n pci_epf_vntb 2>/dev/null)
[ -n "$vntb_ko" ] && grep -q dma_num_chans "$vntb_ko" ||
	skip_all "kernel under test has no vNTB DMA export (pci-epf-vntb lacks dma_num_chans)"
modinfo -p ntb_ep_dma 2>/dev/null | grep -q '^buf_size' ||
	skip_all "ntb_ep_dma of the kernel under test has no netlink family (no buf_size parameter)"

# ---------------- the host's user space ----------------
host_epdmactl
case $? in
1) skip_all "$HOST_ERR" ;;
2) ktap_fail netlink_epdmactl "$HOST_ERR" "(or pass epdma.epdmactl=PATH, or cmake --install the project)"
   ktap_finish
   exit 1 ;;
esac
mount --bind /sys/kernel/debug $H/sys/kernel/debug 2>/dev/null
# the schemas of the source tree the binary was built from
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$H${EPDMACTL%/cli/epdmactl}/CMakeCache.txt" 2>/dev/null)
for s in "$src/schemas" /usr/local/share/epdma/schemas; do
	[ -f "$H$s/test-result.schema.json" ] && SCHEMA=$s/test-result.schema.json && break
done
log "epdmactl: $EPDMACTL; schema: ${SCHEMA:-none}"
ctl() { chroot $H "$EPDMACTL" "$@"; }
py() { chroot $H python3 "$@"; }

# check-run FILE SIZE COUNT [field=value...]: the JSON of a run, against the schema and
# the figures a user expects
cat > $H/tmp/netlink-check.py <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
schema = sys.argv[2]
if schema:
    import jsonschema
    jsonschema.validate(doc, json.load(open(schema)))
size, count = int(sys.argv[3]), int(sys.argv[4])
t = doc["transfer"]
want = {"outcome": "pass", "via": "netlink"}
for kv in sys.argv[5:]:
    k, v = kv.split("=")
    want[k] = v
bad = [f"{k} {doc.get(k)!r}, want {v!r}" for k, v in want.items()
       if k in ("outcome", "via") and doc.get(k) != v]
if t is None:
    bad.append("no transfer figures")
else:
    if t["size"] != size or t["count"] != count:
        bad.append(f"size {t['size']} x {t['count']}, asked {size} x {count}")
    if doc["outcome"] == "pass" and (t["transfers"] != count or t["errors"] or
                                     t["bytes"] != size * count):
        bad.append(f"{t['transfers']} transfers, {t['errors']} errors, {t['bytes']} bytes")
    if doc["outcome"] == "pass":
        lat = t["latency_ns"] or {}
        keys = ("min", "p50", "p99", "max")
        if t["elapsed_ns"] <= 0 or t["throughput_bps"] <= 0:
            bad.append(f"elapsed {t['elapsed_ns']} ns, throughput {t['throughput_bps']} B/s")
        elif not all(lat.get(k, 0) > 0 for k in keys + ("avg",)):
            bad.append(f"latency figures missing or zero: {lat}")
        elif [lat[k] for k in keys] != sorted(lat[k] for k in keys) or \
                not lat["min"] <= lat["avg"] <= lat["max"]:
            bad.append(f"latency figures out of order: {lat}")
        elif lat["min"] * t["transfers"] > t["elapsed_ns"] * t["depth"]:
            bad.append(f"{t['transfers']} transfers of at least {lat['min']} ns "
                       f"cannot fit in {t['elapsed_ns']} ns at depth {t['depth']}")
    for k, v in want.items():
        if k in t and str(t[k]).lower() != v:
            bad.append(f"transfer.{k} {t[k]!r}, want {v}")
if bad:
    print("; ".join(bad))
    sys.exit(1)
lat = t["latency_ns"] or {}
print(f"{t['transfers']} x {size} B via {t['channel_name']}: "
      f"{t['throughput_bps'] / 1048576:.1f} MiB/s, latency p50 {lat.get('p50')} ns, "
      f"p99 {lat.get('p99')} ns (testbed figures, not a board's)")
EOF

# raw generic netlink, to put the kernel's policy to the test
cat > $H/tmp/netlink-raw.py <<'EOF'
import os, socket, struct, sys
NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME = 16, 16, 3, 2
CTRL_ATTR_FAMILY_ID = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
A = dict(DEVICE=2, CHANNEL=3, DIRECTION=4, SIZE=5, COUNT=6, DEPTH=7, VERIFY=8, TRANSFERS=17)
RUN, CANCEL = 2, 3

def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)

def u32(v): return struct.pack("=I", v)
def u8(v): return struct.pack("=B", v)
def s(v): return v.encode() + b"\0"

def request(sock, family, cmd, attrs):
    body = struct.pack("=BBH", cmd, 1, 0) + b"".join(attrs)
    sock.send(struct.pack("=IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body)
    while True:
        data = sock.recv(65536)
        n, typ = struct.unpack_from("=IH", data)
        if typ == 2:  # NLMSG_ERROR
            return -struct.unpack_from("=i", data, 16)[0], data
        if typ == family:
            continue

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
sock.setsockopt(270, 11, 1)  # NETLINK_EXT_ACK
sock.bind((0, 0))
body = struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0) + attr(CTRL_ATTR_FAMILY_NAME, s("ntb_ep_dma"))
sock.send(struct.pack("=IHHII", 16 + len(body), GENL_ID_CTRL, NLM_F_REQUEST, 1, 0) + body)
data = sock.recv(65536)
off, fam = 20, None
while off + 4 <= len(data):
    n, t = struct.unpack_from("=HH", data, off)
    if t == CTRL_ATTR_FAMILY_ID:
        fam = struct.unpack_from("=H", data, off + 4)[0]
    off += (n + 3) & ~3
if fam is None:
    sys.exit("no ntb_ep_dma family")
dev = sys.argv[2]
if sys.argv[1] == "cancel":
    err, _ = request(sock, fam, CANCEL, [attr(A["DEVICE"], s(dev))])
    sys.exit(1 if err else 0)
cases = [
    ("no device", [attr(A["COUNT"], u32(1))]),
    ("device name too long", [attr(A["DEVICE"], s("d" * 40))]),
    ("device not terminated", [attr(A["DEVICE"], b"ntb0")]),
    ("size 0", [attr(A["DEVICE"], s(dev)), attr(A["SIZE"], u32(0))]),
    ("size not 4-aligned", [attr(A["DEVICE"], s(dev)), attr(A["SIZE"], u32(4098))]),
    ("size over 16 MiB", [attr(A["DEVICE"], s(dev)), attr(A["SIZE"], u32(32 << 20))]),
    ("size beyond the peer buffer", [attr(A["DEVICE"], s(dev)), attr(A["SIZE"], u32(2 << 20))]),
    ("count 0", [attr(A["DEVICE"], s(dev)), attr(A["COUNT"], u32(0))]),
    ("depth 65", [attr(A["DEVICE"], s(dev)), attr(A["DEPTH"], u32(65))]),
    ("direction 7", [attr(A["DEVICE"], s(dev)), attr(A["DIRECTION"], u8(7))]),
    ("verify as u32", [attr(A["DEVICE"], s(dev)), attr(A["VERIFY"], u32(1))]),
    ("result attribute in a request", [attr(A["DEVICE"], s(dev)), attr(A["TRANSFERS"], u32(1))]),
    ("unknown device", [attr(A["DEVICE"], s("0000:99:00.0"))]),
]
failed = 0
for name, attrs in cases:
    err, data = request(sock, fam, RUN, attrs)
    print(f"{name}: {os.strerror(err) if err else 'ACCEPTED'}")
    failed += err == 0
sys.exit(1 if failed else 0)
EOF

# ---------------- setup: vNTB with the DMA export, both sides' ntb_ep_dma ----------------
dmesg_has() { dmesg | grep -q "$1"; }
# ntb_ep_dma first, with a 1 MiB receive buffer: it binds both NTB devices as they appear.
setup() {
	modprobe ntb_ep_dma buf_size=1048576 || return 1
	# BAR2 (1 MiB): MW1, then the slice: header, register window, 5 descriptor windows
	vntb_dma_setup rcar db_count=16 spad_count=128 num_mws=1 mw1=0xF8000 ctrl_bar=0 \
		mw1_bar=2 db_bar=4 dma_bar=2 dma_offset=0xF8000 dma_num_chans=4 \
		dma_num_wr_chans=1 || { log "host function not bound"; return 1; }
	wait_for 10 dmesg_has '4 read and 1 write channel' ||
		{ log "dw-edma-aux did not take 4 read and 1 write channel"; return 1; }
	wait_for 10 test -d "$NTB_EP_DMA_DBG" || { log "no ntb_ep_dma device $HOST_DEV"; return 1; }
	wait_for 10 grep -q 1 "$NTB_EP_DMA_DBG/ready" || { log "peer not ready"; return 1; }
}
ktap_check setup setup
if ! grep -q 1 "$NTB_EP_DMA_DBG/ready" 2>/dev/null; then
	ktap_check_kernel_log
	ktap_finish
	exit
fi

# ---------------- the runs the issue asks for ----------------
# edma_bytes wr|rd: bytes the loopback eDMA moved on its WRITE or READ channels
edma_bytes() {
	sed -n "s/^bytes_$1 //p" /sys/kernel/debug/lb-edma-*/stats 2>/dev/null | head -1
}
# json_field KEY: a field of the last run's transfer figures
json_field() {
	py -c 'import json, sys; print(json.load(open("/tmp/netlink-run.json"))["transfer"][sys.argv[1]])' "$1" 2>/dev/null
}
run_json() { # name size count [epdmactl options...] -- [check field=value...]
	name=$1 size=$2 count=$3; shift 3
	opts=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts="$opts $1"; shift; done
	[ "${1:-}" = -- ] && shift
	# shellcheck disable=SC2086
	ctl --json test run --device $HOST_DEV --size "$size" --count "$count" $opts \
		> $H/tmp/netlink-run.json 2> /tmp/netlink-run.err
	rc=$?
	if msg=$(py /tmp/netlink-check.py /tmp/netlink-run.json "$SCHEMA" "$size" "$count" "$@" 2>&1) &&
	   [ $rc -eq 0 ]; then
		ktap_ok "$name" "$msg"
	else
		ktap_fail "$name" "exit $rc: $msg" "$(tail -2 /tmp/netlink-run.err)" \
			"$(head -c 600 $H/tmp/netlink-run.json)"
	fi
}
run_json netlink_write_4k_x100_verified 4096 100 -- verify=true direction=write
run_json netlink_write_64k_x100_verified 65536 100 -- verify=true
run_json netlink_write_1m_x100_verified 1048576 100 -- verify=true
run_json netlink_write_64k_x100_depth8_unverified 65536 100 --no-verify --depth 8 -- verify=false depth=8

# reads: the exported WRITE channels of the endpoint's eDMA
wr0=$(edma_bytes wr) rd0=$(edma_bytes rd)
run_json netlink_read_4k_x100_verified 4096 100 --direction read -- verify=true direction=read
RD_CHAN=$(json_field channel)
run_json netlink_read_64k_x100_verified 65536 100 --direction read -- verify=true direction=read
run_json netlink_read_1m_x100_verified 1048576 100 --direction read -- verify=true direction=read
run_json netlink_read_64k_x100_depth8_unverified 65536 100 --direction read --no-verify --depth 8 \
	-- verify=false depth=8 direction=read
wr1=$(edma_bytes wr) rd1=$(edma_bytes rd)
# each verified read also wrote its pattern once (a WRITE of the host, a READ channel)
want=$((4096 * 100 + 65536 * 100 + 1048576 * 100 + 65536 * 100))
if [ -n "$wr0" ] && [ -n "$rd1" ] && [ $((wr1 - wr0)) -eq "$want" ] &&
   [ $((rd1 - rd0)) -eq $((4096 + 65536 + 1048576)) ]; then
	ktap_ok netlink_reads_on_edma_write_channels \
		"eDMA WRITE channels moved $((wr1 - wr0)) B, READ channels $((rd1 - rd0)) B (the patterns)"
else
	ktap_fail netlink_reads_on_edma_write_channels \
		"want $want B on the eDMA WRITE channels and $((4096 + 65536 + 1048576)) B on its READ channels" \
		"got WRITE ${wr0:-?} -> ${wr1:-?}, READ ${rd0:-?} -> ${rd1:-?}"
fi

# a channel asked for in the direction it cannot move data is refused, and says why:
# RD_CHAN is the channel the reads ran on (an eDMA WRITE channel), WR_CHAN the one a write
# takes (an eDMA READ channel)
WR_CHAN=$(ctl --json test run --device $HOST_DEV --size 4096 --count 1 2>/dev/null |
	chroot $H python3 -c 'import json, sys; print(json.load(sys.stdin)["transfer"]["channel"])' 2>/dev/null)
wrong_dir() { # name channel direction what-it-cannot
	ctl --json test run --device $HOST_DEV --channel "$2" --direction "$3" --size 4096 \
		> $H/tmp/netlink-run.json 2> /tmp/netlink-run.err
	rc=$?
	if [ -n "$2" ] && [ $rc -ne 0 ] && grep -q "channel $2 cannot $4 the peer" $H/tmp/netlink-run.json &&
	   py -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d["outcome"] == "pass")' \
		/tmp/netlink-run.json; then
		ktap_ok "$1" "exit $rc: $(grep -o '"message": *"[^"]*"' $H/tmp/netlink-run.json | head -1)"
	else
		ktap_fail "$1" "channel '${2}' --direction $3: exit $rc" "$(head -c 600 $H/tmp/netlink-run.json)"
	fi
}
wrong_dir netlink_write_on_read_channel_refused "$RD_CHAN" write "write to"
wrong_dir netlink_read_on_write_channel_refused "$WR_CHAN" read "read from"

# ---------------- malformed requests ----------------
if out=$(py /tmp/netlink-raw.py policy $HOST_DEV 2>&1); then
	ktap_ok netlink_malformed_requests_refused "$(echo "$out" | tr '\n' ';')"
else
	ktap_fail netlink_malformed_requests_refused "$out"
fi

# ---------------- busy, cancel, notification ----------------
ctl test watch --count 1 --json > $H/tmp/netlink-watch.out 2>&1 &
watch_pid=$!
sleep 0.5
ctl --json test run --device $HOST_DEV --size 65536 --count 100000 --no-verify --timeout 60 \
	> $H/tmp/netlink-long.json 2>&1 &
long_pid=$!
sleep 2
ctl test run --device $HOST_DEV --size 4096 > /tmp/netlink-busy.out 2>&1
rc=$?
if [ $rc -eq 75 ] && grep -q 'already running' /tmp/netlink-busy.out; then
	ktap_ok netlink_second_run_busy "$(tail -1 /tmp/netlink-busy.out)"
else
	ktap_fail netlink_second_run_busy "exit $rc: $(cat /tmp/netlink-busy.out)"
fi
py /tmp/netlink-raw.py cancel $HOST_DEV
wait $long_pid
if grep -q '"status": *-125' $H/tmp/netlink-long.json; then
	ktap_ok netlink_cancel_ends_run
else
	ktap_fail netlink_cancel_ends_run "$(head -c 600 $H/tmp/netlink-long.json)"
fi
wait_for 5 grep -q run-done $H/tmp/netlink-watch.out
if grep -q '"event":"run-done"' $H/tmp/netlink-watch.out &&
   { [ -z "$SCHEMA" ] || py -c 'import json, sys, jsonschema
jsonschema.validate(json.loads(open("/tmp/netlink-watch.out").readline()),
                    json.load(open(sys.argv[1])))' "${SCHEMA%/*}/test-event.schema.json"; }; then
	ktap_ok netlink_watch_notified "$(head -c 300 $H/tmp/netlink-watch.out)"
else
	ktap_fail netlink_watch_notified "$(cat $H/tmp/netlink-watch.out)"
	kill $watch_pid 2>/dev/null
fi

# the log of everything above; the link-down step gets its own check at the end
ktap_check_kernel_log
mark=$(dmesg | wc -l)

# ---------------- link down ends a run with an error ----------------
# On the loopback, as on a real surprise removal, the host function goes away with the link:
# the run ends with ENODEV (device removed) or ENOLINK (link seen down first), never with
# success or as if cancelled.
ctl --json test run --device $HOST_DEV --size 65536 --count 100000 --no-verify --timeout 60 \
	> $H/tmp/netlink-long.json 2>&1 &
long_pid=$!
sleep 2
echo down > "$LB_DBG/link"
wait $long_pid
if grep -q '"status": *-67\|"status": *-19' $H/tmp/netlink-long.json; then
	ktap_ok netlink_link_down_ends_run "$(grep -o '"message":"[^"]*"' $H/tmp/netlink-long.json)"
else
	ktap_fail netlink_link_down_ends_run "$(head -c 600 $H/tmp/netlink-long.json)"
fi

# the kernel log after the link went down (lib.sh's check, on the new lines only)
dmesg() { command dmesg | tail -n "+$((mark + 1))"; }
ktap_check_kernel_log
sed -i '$s/kernel_log_clean$/kernel_log_clean_after_link_down/' "$KTAP_BODY"
ktap_finish
