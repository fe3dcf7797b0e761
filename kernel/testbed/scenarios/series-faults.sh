# Scenario series-faults: the series' chain (shared-BAR layout of the series
# scenario) under stress: the host modules unload and reload 20 times with a
# passing run each time; then the link goes down while a DMA transfer of a
# run is in flight (the eDMA model holds it), once as a hot-unplug the PCI
# core is told about ("down") and once as a loss it is not told about
# ("lost"). Each time the run must end with an error, not hang, the host
# must unbind without waiting for the dead endpoint, the endpoint's NTB
# client must see the link go down and forget the host's buffer, and after
# the link comes back a new run must pass. Then a link cycle while idle. Last,
# another DMAengine client (edma_holder) holds a channel with transfers
# queued while the provider goes away (see holder_drop).
. /testbed/lib.sh

setup() {
	vntb_dma_setup rcar db_count=16 spad_count=128 num_mws=1 mw1=0xF9000 ctrl_bar=0 \
		mw1_bar=2 db_bar=4 dma_bar=2 dma_offset=0xF9000 dma_num_chans=4
}
ktap_check setup setup

D=$NTB_EP_DMA_DBG
EP_DBG=/sys/kernel/debug/ntb_ep_dma/0000:20:00.0	# vNTB's virtual bus on the endpoint
EDMA=/sys/kernel/debug/lb-edma-loopback-epc
run_once() { ntb_ep_dma_run_once; }
modprobe ntb_ep_dma
ktap_check first_run run_once

fails=0
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	rmmod ntb_ep_dma && rmmod dw_edma_aux && rmmod ntb_hw_epf || { fails=$((fails + 1)); log "reload $i: rmmod failed"; break; }
	modprobe ntb_hw_epf && modprobe dw_edma_aux && modprobe ntb_ep_dma || { fails=$((fails + 1)); log "reload $i: modprobe failed"; break; }
	run_once || { fails=$((fails + 1)); log "reload $i: run did not pass: $(cat "$D/result" 2>&1 | xargs)"; }
done
if [ $fails -eq 0 ] && [ $i -eq 20 ]; then
	ktap_ok reload_20_times "20 unload/reload cycles of ntb_ep_dma, dw_edma_aux, ntb_hw_epf, each with a passing run"
else
	ktap_fail reload_20_times "$fails failures in $i cycles"
fi

doorbells() { sed -n 's/^doorbells \([0-9]*\)$/\1/p' "$EDMA/stats"; }
aborts() { sed -n 's/^aborts \([0-9]*\)$/\1/p' "$EDMA/stats"; }
aborted() { [ "$(aborts)" -gt "$ab" ]; }
rung() { [ "$(doorbells)" -gt "$before" ]; }
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# link_drop HOW: a run whose DMA transfer is in flight when the link goes
# down HOW (down|lost) must fail within 15 s; the host must let go of the
# function quickly; after link up a run must pass.
link_drop() {
	how=$1
	wait_for 10 grep -q 1 "$D/ready" 2>/dev/null
	rm -f /tmp/runrc
	echo 1 > "$EDMA/hold"
	before=$(doorbells)
	(echo 1 > "$D/run" 2>/tmp/runerr; echo $? > /tmp/runrc) &
	if wait_for 10 rung; then
		ktap_ok "dma_in_flight_$how" "doorbells $before -> $(doorbells), transfer held"
	else
		ktap_fail "dma_in_flight_$how" "no doorbell rung within 10 s: $(cat "$D/result" 2>&1 | xargs)"
	fi
	t0=$(now_ms)
	echo "$how" > "$LB_DBG/link"
	t1=$(now_ms)
	if wait_for 15 test -f /tmp/runrc; then
		rc=$(cat /tmp/runrc)
		if [ "$rc" -ne 0 ]; then
			ktap_ok "link_${how}_during_run" "run failed ($(cat /tmp/runerr | xargs)) $(( $(now_ms) - t0 )) ms after the link went $how"
		else
			ktap_fail "link_${how}_during_run" "run reported success although the link went $how"
		fi
	else
		ktap_fail "link_${how}_during_run" "run still blocked 15 s after the link went $how"
	fi
	# The host must not wait out command timeouts on an endpoint that is gone:
	# unbinding ntb_ep_dma, dw_edma_aux and ntb_hw_epf takes the run's DMA
	# timeout (5 s) at most, plus little.
	if [ $((t1 - t0)) -lt 7000 ] && [ ! -e "/sys/bus/pci/devices/$HOST_DEV" ]; then
		ktap_ok "host_unbound_$how" "link $how took $((t1 - t0)) ms"
	else
		ktap_fail "host_unbound_$how" "link $how took $((t1 - t0)) ms; device: $(ls -d /sys/bus/pci/devices/$HOST_DEV 2>&1)"
	fi
	# The endpoint's client must hear of it and forget the host's buffer
	if grep -qx 'link_up: 0' "$EP_DBG/result" && grep -qx 'peer_dma: 0x0' "$EP_DBG/result"; then
		ktap_ok "ep_link_down_$how"
	else
		ktap_fail "ep_link_down_$how" "endpoint side: $(grep -E 'link_up|peer_dma|peer_state' "$EP_DBG/result" 2>&1 | xargs)"
	fi
	# The held transfer now runs without a link: the engine must abort it
	# (reads of host memory fail), not copy from or to host memory
	ab=$(aborts)
	echo 0 > "$EDMA/hold"
	if wait_for 5 aborted; then
		ktap_ok "held_dma_aborted_$how" "aborts $ab -> $(aborts)"
	else
		ktap_fail "held_dma_aborted_$how" "aborts $ab -> $(aborts): $(xargs < "$EDMA/stats")"
	fi
	echo up > "$LB_DBG/link"
	if wait_for 10 test -e "/sys/bus/pci/devices/$HOST_DEV/driver" && run_once; then
		ktap_ok "run_after_relink_$how" "$(grep -E 'last_status|peer_state|peer_seq' "$D/result" | xargs)"
	else
		ktap_fail "run_after_relink_$how" "$(cat "$D/result" 2>&1 | xargs)"
	fi
}
link_drop down
link_drop lost

# idle link cycle: nothing in flight
echo down > "$LB_DBG/link"
echo up > "$LB_DBG/link"
if wait_for 10 test -e "/sys/bus/pci/devices/$HOST_DEV/driver" && run_once; then
	ktap_ok run_after_idle_relink
else
	ktap_fail run_after_idle_relink "$(cat "$D/result" 2>&1 | xargs)"
fi
# A DMAengine client other than ntb_ep_dma (edma_holder) holds a channel of
# the dw-edma-aux provider, with transfers in flight (the model holds the
# first) and queued, and one prepared but not yet submitted, when the
# provider goes away: the link goes down ("down"), the host's PCI function
# is removed ("remove"), or dw_edma_aux is unloaded ("rmmod"). The holder's
# transfers must complete with an error at once, its new calls must fail,
# the provider's channels must leave /sys/class/dma, the holder must still
# unload, and once the provider is back a run of ntb_ep_dma must pass.
H=/sys/kernel/debug/edma_holder
hstat() { sed -n "s/^$1: //p" "$H/status"; }
provider_chans() {
	for c in /sys/class/dma/dma*chan*; do
		[ -e "$c" ] && readlink -f "$c/device"
	done | grep -c "/$HOST_DEV\$"
}
provider_up() { [ "$(provider_chans)" -gt 0 ]; }
provider_gone() { [ "$(provider_chans)" -eq 0 ]; }
queue_done() { [ "$(hstat pending)" = 0 ] && [ "$(hstat submitted)" -ge "$1" ]; }
aborted_n() { [ "$(hstat aborted)" -ge "$1" ] && [ "$(hstat pending)" = 0 ]; }
settled() { [ "$(($(sed -n 's/^done //p' "$EDMA/stats") + $(aborts)))" -gt "$1" ]; }

holder_drop() {
	how=$1
	if ! wait_for 10 provider_up || ! modprobe edma_holder dev="$HOST_DEV"; then
		ktap_fail "holder_loaded_$how" "provider channels: $(provider_chans)"
		return
	fi
	# the channel works: two transfers, data checked
	if echo 2 > "$H/queue" && wait_for 5 queue_done 2 && [ "$(hstat verified)" = 2 ]; then
		ktap_ok "holder_transfers_$how" "$(hstat completed) completed, $(hstat verified) verified"
	else
		ktap_fail "holder_transfers_$how" "$(xargs < "$H/status")"
	fi
	echo 1 > "$EDMA/hold"
	before=$(doorbells)
	echo 3 > "$H/queue"
	echo 1 > "$H/stage"
	if wait_for 10 rung && [ "$(hstat pending)" = 3 ]; then
		ktap_ok "holder_in_flight_$how" "3 pending, doorbells $before -> $(doorbells)"
	else
		ktap_fail "holder_in_flight_$how" "doorbells $before -> $(doorbells); $(xargs < "$H/status")"
	fi
	ab0=$(hstat aborted)
	t0=$(now_ms)
	case $how in
	down) echo down > "$LB_DBG/link" ;;
	remove) echo 1 > "/sys/bus/pci/devices/$HOST_DEV/remove" ;;
	rmmod) rmmod dw_edma_aux ;;
	esac
	if wait_for 10 aborted_n $((ab0 + 3)); then
		ktap_ok "holder_error_completion_$how" \
			"3 transfers aborted within $(( $(now_ms) - t0 )) ms; last_result $(hstat last_result), last_status $(hstat last_status)"
	else
		ktap_fail "holder_error_completion_$how" "$(( $(now_ms) - t0 )) ms: $(xargs < "$H/status")"
	fi
	if wait_for 5 provider_gone; then
		ktap_ok "provider_gone_$how"
	else
		ktap_fail "provider_gone_$how" "$(provider_chans) channels of $HOST_DEV in /sys/class/dma"
	fi
	# new calls fail cleanly; a transfer prepared before the removal and
	# submitted after it completes with an error when issued
	pf=$(hstat prep_failed)
	ab=$(hstat aborted)
	if ! echo 1 > "$H/queue" 2>/dev/null && ! echo 1 > "$H/config" 2>/dev/null &&
	   [ "$(hstat prep_failed)" -gt "$pf" ] && echo 1 > "$H/fire" &&
	   wait_for 5 aborted_n $((ab + 1)); then
		ktap_ok "holder_calls_fail_$how" "prep and config refused; the staged transfer aborted on issue"
	else
		ktap_fail "holder_calls_fail_$how" "$(xargs < "$H/status")"
	fi
	# let the engine finish or abort what it latched while the holder's
	# buffers still exist
	settle=$(($(sed -n 's/^done //p' "$EDMA/stats") + $(aborts)))
	echo 0 > "$EDMA/hold"
	wait_for 5 settled "$settle"
	if rmmod edma_holder; then
		ktap_ok "holder_unloaded_$how"
	else
		ktap_fail "holder_unloaded_$how"
	fi
	case $how in
	down) echo up > "$LB_DBG/link" ;;
	remove) echo 1 > /sys/bus/pci/rescan ;;
	rmmod) modprobe dw_edma_aux ;;
	esac
	if wait_for 10 test -e "/sys/bus/pci/devices/$HOST_DEV/driver" && wait_for 10 provider_up &&
	   run_once; then
		ktap_ok "run_after_holder_$how" "$(grep -E 'last_status|peer_state' "$D/result" | xargs)"
	else
		ktap_fail "run_after_holder_$how" "$(cat "$D/result" 2>&1 | xargs)"
	fi
}
holder_drop down
holder_drop remove
holder_drop rmmod

cat "$LB_DBG/stats" "$EDMA/stats" >&2
ktap_check_kernel_log
ktap_finish
