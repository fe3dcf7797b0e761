# Scenario bench (issue 7): figures, not a timed test. In one guest, side by side
# for 4 KiB to 1 MiB:
#   * the exported channels, both ways: ntb_ep_dma's netlink runs through
#     `epdmactl test run --json` on the host side of the loopback vNTB with the
#     DMA export of 4 READ and 1 WRITE channel of the endpoint's eDMA: writes
#     (host to endpoint, an eDMA READ channel) and reads (endpoint to host, an
#     eDMA WRITE channel) of the same sizes;
#   * a CPU copy through the NTB memory window: ntb_perf (memcpy into the peer's
#     window, host to endpoint);
#   * the EP-local eDMA: pci-epf-test with -d (pcitest), the rate pci-epf-test
#     logs for each transfer;
# and the latency of one 4 KiB remote-DMA transfer against a vNTB doorbell round
# trip (ntb_pingpong with no delay: host -> endpoint -> host), as a ratio.
# The absolute numbers are the testbed's (UML on a shared machine, every device
# an emulation in one kernel), not a board's: the output says so. A test here
# fails only when a figure could not be taken. tests/bench/testbed-dma runs this
# scenario and prints the table (the "# bench:" lines).
#
# epdmactl is found as in the netlink scenario (tests/bench/stage-userspace).
. /testbed/lib.sh

H=/host
EP_DEV=0000:20:00.0	# vNTB's virtual PCI bus (vbus_number 0x20)
SIZES="4096 16384 65536 262144 1048576"
PERF=/sys/kernel/debug/ntb_perf
PP=/sys/kernel/debug/ntb_pingpong

# bench LINE: a line of the table, kept for the end (the KTAP carries it as a diagnostic)
: > /tmp/bench.table
bench() { printf '%s\n' "$*" >> /tmp/bench.table; }
human() { # bytes -> 4K, 64K, 1M
	if [ "$1" -ge 1048576 ]; then echo "$(($1 / 1048576))M"; else echo "$(($1 / 1024))K"; fi
}

# ---------------- epdmactl through the host's root ----------------
if ! host_epdmactl; then
	ktap_fail bench_epdmactl "$HOST_ERR"
	ktap_finish
	exit 1
fi
ctl() { chroot $H "$EPDMACTL" "$@"; }

# field FILE EXPR: one figure of a run's JSON (python3 of the host)
field() {
	chroot $H python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["transfer"]
print(eval(sys.argv[2], {}, {"t": t, "lat": t["latency_ns"] or {}}))' "$1" "$2" 2>/dev/null
}

# ---------------- phase 1: vNTB with the DMA export (BAR2 of 2 MiB: MW1, then the DMA slice) ----------------
# The slice: header, register window, 4 + 1 descriptor windows (0x8000 bytes)
setup_vntb() {
	modprobe ntb_ep_dma buf_size=1048576 || return 1
	vntb_dma_setup generic db_count=16 spad_count=128 num_mws=1 mw1=0x1F8000 ctrl_bar=0 \
		db_bar=4 mw1_bar=2 dma_bar=2 dma_offset=0x1F8000 dma_num_chans=4 \
		dma_num_wr_chans=1 || return 1
	wait_for 10 grep -q 1 "$NTB_EP_DMA_DBG/ready"
}
ktap_check bench_setup_vntb setup_vntb

# exported channels: unverified runs, one transfer in flight and four; the best of 3 runs
# (a shared host CPU only ever makes a run slower)
dma_run() { # direction size count depth -> "MiB/s p50_ns" or nothing
	ctl --json test run --device "$HOST_DEV" --direction "$1" --size "$2" --count "$3" \
		--depth "$4" --no-verify > /tmp/bench-run.json 2> /tmp/bench-run.err &&
		field /tmp/bench-run.json '"%.1f %d" % (t["throughput_bps"] / 1048576, lat["p50"])'
}
best_of_3() { # direction size count depth -> highest MiB/s of 3 runs, or nothing if one failed
	b=
	for i in 1 2 3; do
		r=$(dma_run "$@") || return 1
		b=$(echo "${r%% *} $b" | awk '{ print ($2 == "" || $1 > $2) ? $1 : $2 }')
	done
	echo "$b"
}
for dir in write read; do
	v=$([ $dir = write ] && echo DMA || echo DMARD)
	for s in $SIZES; do
		n=$((67108864 / s)); [ $n -gt 1000 ] && n=1000; [ $n -lt 64 ] && n=64
		r1=$(best_of_3 $dir "$s" "$n" 1)
		r4=$(best_of_3 $dir "$s" "$n" 4)
		eval "${v}1_$s=\$r1 ${v}4_$s=\$r4"
		if [ -n "$r1" ] && [ -n "$r4" ]; then
			ktap_ok "bench_exported_dma_${dir}_$(human "$s")" \
				"$n x $s B, best of 3: depth 1 $r1 MiB/s, depth 4 $r4 MiB/s"
		else
			ktap_fail "bench_exported_dma_${dir}_$(human "$s")" "$(tail -2 /tmp/bench-run.err)" \
				"$(head -c 400 /tmp/bench-run.json)"
		fi
	done
	[ $dir = read ] && CHAN_RD=$(field /tmp/bench-run.json 't["channel_name"]')
done
# the 4 KiB latency the ratio uses: 1000 transfers, one at a time
r=$(ctl --json test run --device "$HOST_DEV" --size 4096 --count 1000 --no-verify \
	> /tmp/bench-run.json 2> /tmp/bench-run.err &&
	field /tmp/bench-run.json '"%d %d %d" % (lat["p50"], lat["p99"], lat["avg"])')
DMA_LAT_P50=${r%% *}
if [ -n "$r" ]; then
	ktap_ok bench_exported_dma_4k_latency "p50/p99/avg ns: $r"
else
	ktap_fail bench_exported_dma_4k_latency "$(tail -2 /tmp/bench-run.err)"
fi
CHAN=$(field /tmp/bench-run.json 't["channel_name"]')
rmmod ntb_ep_dma

# CPU copy through the memory window: ntb_perf, host to endpoint, one thread
modprobe ntb_perf total_order=24 || true
if wait_for 10 test -d "$PERF/$HOST_DEV"; then
	for s in $SIZES; do
		o=0; while [ $((1 << o)) -lt "$s" ]; do o=$((o + 1)); done
		echo "$o" > /sys/module/ntb_perf/parameters/chunk_order
		mbs= r=
		for i in 1 2 3; do
			timeout 120 sh -c "echo 0 > $PERF/$HOST_DEV/run" 2> /tmp/perf.err &&
				r=$(grep -E 'copied [0-9]+ bytes in [0-9]+ usecs, [0-9]+ MBytes/s' "$PERF/$HOST_DEV/run") ||
				{ mbs=; break; }
			m=$(echo "$r" | sed 's/.* \([0-9]*\) MBytes\/s.*/\1/')
			[ -n "$mbs" ] && [ "$mbs" -ge "$m" ] || mbs=$m
		done
		if [ -n "$mbs" ]; then
			# ntb_perf's MBytes are 10^6 bytes
			eval "CPU_$s=$(awk -v m="$mbs" 'BEGIN { printf "%.1f", m * 1000000 / 1048576 }')"
			ktap_ok "bench_ntb_perf_$(human "$s")" "chunk $s B, 16 MiB, best of 3: $mbs MBytes/s (last: $(echo "$r" | xargs))"
		else
			ktap_fail "bench_ntb_perf_$(human "$s")" "$(cat /tmp/perf.err) $(cat "$PERF/$HOST_DEV/run" 2>&1 | xargs)"
		fi
	done
else
	ktap_fail bench_ntb_perf "ntb_perf did not bind: $(ls $PERF 2>/dev/null | xargs)"
fi
rmmod ntb_perf 2>/dev/null

# vNTB doorbell round trip: ntb_pingpong with no delay. Both sides start a ping at link up;
# the endpoint polls its doorbells, so pings that arrive within one poll merge into one and
# a single ping goes round: every round trip counts once on each side.
modprobe ntb_pingpong delay_ms=0
sleep 1
h0=$(cat "$PP/$HOST_DEV/count" 2>/dev/null || echo 0)
e0=$(cat "$PP/$EP_DEV/count" 2>/dev/null || echo 0)
t0=$(cut -d' ' -f1 /proc/uptime)
sleep 4
h1=$(cat "$PP/$HOST_DEV/count" 2>/dev/null || echo 0)
e1=$(cat "$PP/$EP_DEV/count" 2>/dev/null || echo 0)
t1=$(cut -d' ' -f1 /proc/uptime)
rmmod ntb_pingpong
DB_RTT=
if [ $((h1 - h0)) -gt 0 ]; then
	DB_RTT=$(awk -v a="$t0" -v b="$t1" -v n=$((h1 - h0)) 'BEGIN { printf "%d", (b - a) * 1e9 / n }')
	ktap_ok bench_doorbell_round_trip "$((h1 - h0)) round trips (host count; endpoint $((e1 - e0))) in $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s: $DB_RTT ns each"
else
	ktap_fail bench_doorbell_round_trip "no ping came back: host $h0 -> $h1, endpoint $e0 -> $e1"
fi

# ---------------- phase 2: pci-epf-test on the same loopback EPC (generic profile) ----------------
teardown_vntb() {
	echo 0 > "$CFS/controllers/loopback-epc/start"
	rmmod dw_edma_aux && rmmod ntb_hw_epf || return 1
	rm "$CFS/controllers/loopback-epc/func1" || return 1
	rmdir "$CFS/functions/pci_epf_vntb/func1" || return 1
	rmmod pci_epf_vntb
}
ktap_check bench_teardown_vntb teardown_vntb
ktap_check bench_setup_pci_epf_test epf_test_setup

# best KB/s of pci-epf-test's own timing (the DMA transfer only) over 5 runs
epf_rate() { # op(-r|-w) size label(READ|WRITE)
	from=$(($(dmesg | wc -l) + 1))
	i=0
	while [ $i -lt 5 ]; do
		pcitest "$1" -d -s "$2" > /dev/null 2>&1
		i=$((i + 1))
	done
	dmesg | tail -n "+$from" | sed -n "s/.*$3 => Size: $2 B, DMA: YES, .* Rate: \([0-9]*\) KB\/s.*/\1/p" |
		sort -n | awk '{ v[NR] = $1 } END { if (NR == 5) printf "%.1f", v[5] * 1000 / 1048576 }'
}
if [ -c /dev/pci-endpoint-test.0 ]; then
	pcitest -i 1 > /dev/null 2>&1
	for s in $SIZES; do
		rd=$(epf_rate -w "$s" READ)	# host "write": the endpoint reads host memory
		wr=$(epf_rate -r "$s" WRITE)	# host "read": the endpoint writes host memory
		eval "EPR_$s=\$rd EPW_$s=\$wr"
		if [ -n "$rd" ] && [ -n "$wr" ]; then
			ktap_ok "bench_ep_local_edma_$(human "$s")" "EP reads $rd MiB/s, EP writes $wr MiB/s (best of 5)"
		else
			ktap_fail "bench_ep_local_edma_$(human "$s")" "no rate logged: $(dmesg | tail -3 | xargs)"
		fi
	done
fi

# ---------------- the table ----------------
get() { eval "echo \${$1_$2:--}"; }
bench "testbed figures (UML, every device emulated in one kernel on a shared host CPU), NOT a board's"
bench "MiB/s per size, best of 3 runs (5 for EP-eDMA); exported DMA: epdmactl test run --no-verify," \
	"wr = host to endpoint (${CHAN:-?}), rd = endpoint to host (${CHAN_RD:-?})"
bench "$(printf '%-6s %11s %11s %11s %11s %14s %14s %16s' size 'exp-wr d=1' 'exp-wr d=4' \
	'exp-rd d=1' 'exp-rd d=4' 'EP-eDMA EP-rd' 'EP-eDMA EP-wr' 'CPU copy NTB MW')"
for s in $SIZES; do
	bench "$(printf '%-6s %11s %11s %11s %11s %14s %14s %16s' "$(human "$s")" \
		"$(get DMA1 "$s")" "$(get DMA4 "$s")" "$(get DMARD1 "$s")" "$(get DMARD4 "$s")" \
		"$(get EPR "$s")" "$(get EPW "$s")" "$(get CPU "$s")")"
done
if [ -n "$DMA_LAT_P50" ] && [ -n "$DB_RTT" ]; then
	bench "4 KiB remote-DMA latency p50 $DMA_LAT_P50 ns vs vNTB doorbell round trip $DB_RTT ns:" \
		"ratio doorbell/DMA $(awk -v a="$DB_RTT" -v b="$DMA_LAT_P50" 'BEGIN { printf "%.1f", a / b }')"
else
	bench "4 KiB remote-DMA latency p50 ${DMA_LAT_P50:-?} ns vs vNTB doorbell round trip ${DB_RTT:-?} ns: no ratio"
fi
bench "sources: exported DMA = ntb_ep_dma over netlink; EP-eDMA = pci-epf-test -d (its logged rate);" \
	"CPU copy = ntb_perf (memcpy to the peer's window); doorbell = ntb_pingpong delay_ms=0"
ktap_ok bench_table "$(sed 's/^/bench: /' /tmp/bench.table)"
sed 's/^/# bench: /' /tmp/bench.table >&2
ktap_check_kernel_log
ktap_finish
