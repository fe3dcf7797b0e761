# Scenario series-faults: the series' chain (shared-BAR layout of the series
# scenario) under stress: the host modules unload and reload 20 times with a
# passing run each time, then the link goes down in the middle of a run,
# which must end with an error, not a hang.
. /testbed/lib.sh

setup() {
	vntb_dma_setup rcar db_count=16 spad_count=128 num_mws=1 mw1=0xF9000 ctrl_bar=0 \
		mw1_bar=2 db_bar=4 dma_bar=2 dma_offset=0xF9000 dma_num_chans=4
}
ktap_check setup setup

D=$NTB_EP_DMA_DBG
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
