# Scenario series-faults: the series' chain (shared-BAR layout of the series
# scenario) under stress: the host modules unload and reload 20 times with a
# passing run each time, then the link goes down in the middle of a run,
# which must end with an error, not a hang.
. /testbed/lib.sh

HOST_DEV=0000:10:00.0
# vNTB's virtual device must not carry the host function's IDs: both ends
# live in one kernel, and vNTB's own PCI driver would bind the host function.
setup() {
	load_loopback profile=rcar || return 1
	modprobe ntb && modprobe pci-epf-vntb || return 1
	f=$CFS/functions/pci_epf_vntb/func1
	mkdir "$f" || return 1
	echo 0x1912 > "$f/vendorid"
	echo 0x0030 > "$f/deviceid"
	echo 0x05 > "$f/baseclass_code"
	echo 0x00 > "$f/subclass_code"
	echo 32 > "$f/msi_interrupts"
	v=$f/pci_epf_vntb.0
	for kv in db_count=16 spad_count=128 num_mws=1 mw1=0xF9000 ctrl_bar=0 mw1_bar=2 \
		  db_bar=4 dma_bar=2 dma_offset=0xF9000 dma_num_chans=4 vntb_vid=0x1957 \
		  vntb_pid=0x080a vbus_number=0x20; do
		echo "${kv#*=}" > "$v/${kv%%=*}" || { log "cannot set ${kv%%=*}"; return 1; }
	done
	ln -s "$f" "$CFS/controllers/loopback-epc/" || return 1
	modprobe ntb_hw_epf && modprobe dw_edma_aux || return 1
	echo 1 > "$CFS/controllers/loopback-epc/start" || return 1
	wait_for 10 test -e "/sys/bus/pci/devices/$HOST_DEV/driver"
}
ktap_check setup setup

D=/sys/kernel/debug/ntb_ep_dma/$HOST_DEV
run_once() {
	wait_for 10 grep -q 1 "$D/ready" 2>/dev/null || return 1
	echo 1 > "$D/run" || return 1
	wait_for 10 grep -q 'peer_state: pass' "$D/result"
}
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

# link down in the middle of a run: the run must end (with an error), not hang
rm -f /tmp/runrc
(echo 1 > "$D/run" 2>/dev/null; echo $? > /tmp/runrc) &
echo down > "$LB_DBG/link"
if wait_for 15 test -f /tmp/runrc; then
	ktap_ok link_down_during_run "run returned $(cat /tmp/runrc) after the link went down"
else
	ktap_fail link_down_during_run "run still blocked 15 s after the link went down"
fi
echo up > "$LB_DBG/link"
if wait_for 10 test -e "/sys/bus/pci/devices/$HOST_DEV/driver" && run_once; then
	ktap_ok run_after_relink
else
	ktap_fail run_after_relink "$(cat "$D/result" 2>&1 | xargs)"
fi
ktap_check_kernel_log
ktap_finish
