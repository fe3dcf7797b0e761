# Scenario ntb: vNTB (pci-epf-vntb, 6.12 plus the series' scratchpad fix) on the
# loopback EPC with the i.MX8-like profile, ntb_hw_epf on the host side, both
# NTB devices in this one kernel. The kernel's NTB test clients then talk
# across the emulated link: ntb_tool (scratchpads, doorbells both ways, memory
# windows with data both ways), ntb_perf (throughput), ntb_pingpong.
. /testbed/lib.sh

HOST_DEV=0000:10:00.0	# ntb_hw_epf on the loopback bus
EP_DEV=0000:20:00.0	# vNTB's virtual PCI bus (vbus_number 0x20)
TOOL=/sys/kernel/debug/ntb_tool

setup() {
	load_loopback profile=imx8 || { log "loopback EPC did not appear"; return 1; }
	modprobe ntb && modprobe pci-epf-vntb || return 1
	f=$CFS/functions/pci_epf_vntb/func1
	mkdir "$f" || return 1
	echo 0x1957 > "$f/vendorid"		# matches ntb_hw_epf's mx8_map entry
	echo 0x0809 > "$f/deviceid"
	echo 0x05 > "$f/baseclass_code"		# memory controller / RAM
	echo 0x00 > "$f/subclass_code"
	v=$f/pci_epf_vntb.0
	echo 4 > "$v/db_count"
	echo 16 > "$v/spad_count"
	echo 1 > "$v/num_mws"
	echo 0x100000 > "$v/mw1"
	echo 0x1957 > "$v/vntb_vid"
	echo 0x080a > "$v/vntb_pid"
	echo 0x20 > "$v/vbus_number"
	ln -s "$f" "$CFS/controllers/loopback-epc/" || return 1
	modprobe ntb_hw_epf || return 1
	echo 1 > "$CFS/controllers/loopback-epc/start" || return 1
	wait_for 10 test -e "/sys/bus/pci/devices/$HOST_DEV/driver" || { log "host function not bound"; return 1; }
	# Both NTB devices appear within a second on an idle machine; 20 s leaves room for a loaded one.
	wait_for 20 ntb_devices_at_least 2 || { log "NTB devices: $(ls /sys/bus/ntb/devices | xargs)"; return 1; }
}
ktap_check setup setup
if [ "$(ls /sys/bus/ntb/devices 2>/dev/null | wc -l)" -lt 2 ]; then
	ktap_check_kernel_log
	ktap_finish
	exit
fi
ktap_ok ntb_devices "$(ls /sys/bus/ntb/devices | xargs)" \
	"host: $(cat /sys/bus/pci/devices/$HOST_DEV/vendor):$(cat /sys/bus/pci/devices/$HOST_DEV/device) bound to $(basename "$(readlink /sys/bus/pci/devices/$HOST_DEV/driver)")"

# ---------------- ntb_tool ----------------
modprobe ntb_tool
H=$TOOL/$HOST_DEV
E=$TOOL/$EP_DEV
if [ ! -d "$H" ] || [ ! -d "$E" ]; then
	ktap_fail ntb_tool_bound "ntb_tool dirs: $(ls $TOOL 2>/dev/null | xargs)"
else
	ktap_ok ntb_tool_bound
fi
echo Y > "$H/link" 2>/dev/null
echo Y > "$E/link" 2>/dev/null
if wait_for 10 grep -q Y "$H/peer0/link" && wait_for 10 grep -q Y "$E/peer0/link"; then
	ktap_ok ntb_link_up
else
	ktap_fail ntb_link_up "host peer link $(cat $H/peer0/link 2>&1), EP peer link $(cat $E/peer0/link 2>&1)"
fi

# scratchpads: what one side writes to its peer's spad, the peer reads locally
spad_test() { # name from-dir to-dir value index
	echo "$4" > "$2/peer0/spad$5" 2>/dev/null
	got=$(cat "$3/spad$5" 2>/dev/null)
	if [ "$((got))" = "$(($4))" ]; then
		ktap_ok "$1" "wrote $4, read $got"
	else
		ktap_fail "$1" "wrote $4 to peer spad$5, peer read '$got'"
	fi
}
spad_test ntb_spad_host_to_ep "$H" "$E" 0x1234abcd 0
spad_test ntb_spad_ep_to_host "$E" "$H" 0x5a5aa5a5 1
spad_test ntb_spad_host_to_ep_last "$H" "$E" 0x0badcafe 15

# doorbells: ring the peer, the other side sees exactly that bit in its db
# register. ntb_hw_epf rings host doorbell k in slot k+2 of vNTB's doorbell
# BAR; 6.12's vNTB reported it as bit k+1 and polled only db_count slots, so
# its last doorbells never arrived (the series fixes both). The last bit
# tried is the highest one both sides call valid.
db_test() { # name from-dir to-dir bit-value
	echo "c $(cat "$3/db_valid_mask" 2>/dev/null || echo 0xf)" > "$3/db" 2>/dev/null
	echo "s $4" > "$2/peer_db" 2>/dev/null
	if wait_for 3 sh -c "[ \$(( \$(cat $3/db) )) -ne 0 ]"; then
		got=$(($(cat "$3/db")))
		ktap_ok "$1" "rang $4, peer db now $(cat "$3/db")"
		if [ "$got" -eq "$(($4))" ]; then
			ktap_ok "$1_same_bit"
		else
			ktap_fail "$1_same_bit" "rang $4, peer saw $(printf 0x%x "$got")"
		fi
		echo "c $got" > "$3/db" 2>/dev/null
	else
		ktap_fail "$1" "rang $4, peer db reads $(cat "$3/db" 2>&1)"
		ktap_fail "$1_same_bit" "nothing arrived"
	fi
}
last_db() { # from-dir to-dir: the highest doorbell bit valid on both sides
	m=$(( $(cat "$1/db_valid_mask" 2>/dev/null || echo 0) & $(cat "$2/db_valid_mask" 2>/dev/null || echo 0) ))
	b=0
	while [ $((m >> (b + 1))) -ne 0 ]; do b=$((b + 1)); done
	if [ "$m" -eq 0 ]; then echo 0x0; else printf '0x%x' $((1 << b)); fi
}
# vNTB has db_count (4) doorbells: its db_valid_mask must say so
m=$(cat "$E/db_valid_mask" 2>/dev/null)
if [ "$((m))" = 15 ]; then
	ktap_ok ntb_db_ep_valid_mask "$m"
else
	ktap_fail ntb_db_ep_valid_mask "EP db_valid_mask '$m', expected 0xf (db_count 4)"
fi
db_test ntb_db_host_to_ep "$H" "$E" 0x1
db_test ntb_db_host_to_ep_bit1 "$H" "$E" 0x2
db_test ntb_db_host_to_ep_last "$H" "$E" "$(last_db "$H" "$E")"
db_test ntb_db_ep_to_host "$E" "$H" 0x1
db_test ntb_db_ep_to_host_bit1 "$E" "$H" 0x2
db_test ntb_db_ep_to_host_last "$E" "$H" "$(last_db "$E" "$H")"

# memory windows: the inbound side allocates and translates, the other side
# maps its outbound window and writes; data must arrive (and come back)
mw_test() { # name inbound-dir outbound-dir
	size=16384
	pattern="epdma-$1-$(date +%s)"
	echo $size > "$2/peer0/mw_trans0" 2>/dev/null
	echo "0:$size" > "$3/peer0/peer_mw_trans0" 2>/dev/null
	if [ ! -e "$3/peer0/peer_mw0" ] || [ ! -e "$2/peer0/mw0" ]; then
		ktap_fail "$1" "window files missing: $(ls "$2/peer0" "$3/peer0" | xargs)"
		return
	fi
	echo "$pattern" > "$3/peer0/peer_mw0"
	got=$(head -c ${#pattern} "$2/peer0/mw0")
	back="back-$pattern"
	echo "$back" > "$2/peer0/mw0"
	got2=$(head -c ${#back} "$3/peer0/peer_mw0")
	if [ "$got" = "$pattern" ] && [ "$got2" = "$back" ]; then
		ktap_ok "$1" "$size-byte window: wrote and read back ${#pattern}+${#back} bytes"
	else
		ktap_fail "$1" "wrote '$pattern', inbound read '$got'" "wrote '$back', outbound read '$got2'"
	fi
	echo 0:0 > "$3/peer0/peer_mw_trans0" 2>/dev/null	# frees it (ntb_tool 6.12 crashes at unload otherwise)
	echo 0 > "$2/peer0/mw_trans0" 2>/dev/null
}
mw_test ntb_mw_ep_writes_host_memory "$H" "$E"
mw_test ntb_mw_host_writes_ep_memory "$E" "$H"
rmmod ntb_tool

# ---------------- ntb_perf ----------------
modprobe ntb_perf total_order=24
P=/sys/kernel/debug/ntb_perf
if [ -d "$P/$HOST_DEV" ] && [ -d "$P/$EP_DEV" ]; then
	res=
	for dir in "$HOST_DEV" "$EP_DEV"; do
		if timeout 60 sh -c "echo 0 > $P/$dir/run" 2>/tmp/perf.err; then
			r=$(grep -E 'copied [0-9]+ bytes' "$P/$dir/run")
			res="$res $dir: $r;"
			echo "$r" | grep -qE 'copied 16777216 bytes in [0-9]+ usecs, [0-9]+ MBytes/s' || res="${res} BAD"
		else
			res="$res $dir: run failed: $(cat /tmp/perf.err) $(cat "$P/$dir/run" 2>&1 | xargs);BAD"
		fi
	done
	case "$res" in
	*BAD*) ktap_fail ntb_perf "$res" ;;
	*) ktap_ok ntb_perf "$res" ;;
	esac
else
	ktap_fail ntb_perf "ntb_perf dirs: $(ls $P 2>/dev/null | xargs)"
fi
rmmod ntb_perf

# ---------------- ntb_pingpong ----------------
modprobe ntb_pingpong delay_ms=10
sleep 2
PP=/sys/kernel/debug/ntb_pingpong
c1=$(cat "$PP/$HOST_DEV/count" 2>/dev/null || echo 0)
c2=$(cat "$PP/$EP_DEV/count" 2>/dev/null || echo 0)
if [ "$c1" -gt 10 ] && [ "$c2" -gt 10 ]; then
	ktap_ok ntb_pingpong "pings in 2 s: host $c1, EP $c2"
else
	ktap_fail ntb_pingpong "pings in 2 s: host $c1, EP $c2"
fi
rmmod ntb_pingpong

cat "$LB_DBG/stats" >&2
ktap_check_kernel_log
ktap_finish
