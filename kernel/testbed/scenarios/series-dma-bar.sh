# Scenario series-dma-bar: the series' vNTB DMA export with the DMA slice
# alone in a BAR of its own (BAR3, generic profile); MW1 alone in BAR2. A BAR
# must be a power of two: with one channel the slice is 16 KiB. ntb_hw_epf +
# dw-edma-aux on the host, ntb_ep_dma run on the host.
. /testbed/lib.sh

HOST_DEV=0000:10:00.0
# vNTB's virtual device must not carry the host function's IDs: both ends
# live in one kernel, and vNTB's own PCI driver would bind the host function.
setup() {
	load_loopback profile=generic || return 1
	modprobe ntb && modprobe pci-epf-vntb || return 1
	f=$CFS/functions/pci_epf_vntb/func1
	mkdir "$f" || return 1
	echo 0x1912 > "$f/vendorid"
	echo 0x0030 > "$f/deviceid"
	echo 0x05 > "$f/baseclass_code"
	echo 0x00 > "$f/subclass_code"
	echo 32 > "$f/msi_interrupts"
	v=$f/pci_epf_vntb.0
	for kv in db_count=16 spad_count=128 num_mws=1 mw1=0x100000 ctrl_bar=0 mw1_bar=2 \
		  db_bar=4 dma_bar=3 dma_offset=0 dma_num_chans=1 vntb_vid=0x1957 \
		  vntb_pid=0x080a vbus_number=0x20; do
		echo "${kv#*=}" > "$v/${kv%%=*}" || { log "cannot set ${kv%%=*}"; return 1; }
	done
	ln -s "$f" "$CFS/controllers/loopback-epc/" || return 1
	modprobe ntb_hw_epf && modprobe dw_edma_aux || return 1
	echo 1 > "$CFS/controllers/loopback-epc/start" || return 1
	wait_for 10 test -e "/sys/bus/pci/devices/$HOST_DEV/driver"
}
ktap_check setup setup
dmesg | grep -E 'exports DMA|ntb_hw_epf|vntb|dw.edma' | tail -8 >&2
modprobe ntb_ep_dma
D=/sys/kernel/debug/ntb_ep_dma/$HOST_DEV
if wait_for 10 grep -q 1 "$D/ready" 2>/dev/null; then
	ktap_ok ntb_ep_dma_ready
	echo 1 > "$D/run"
	if wait_for 10 grep -q 'peer_state: pass' "$D/result"; then
		ktap_ok ntb_ep_dma_run "$(grep -E 'last_status|last_len|peer_state' "$D/result" | xargs)"
	else
		ktap_fail ntb_ep_dma_run "$(cat "$D/result" 2>&1 | xargs)"
	fi
else
	ktap_fail ntb_ep_dma_ready "ready: $(cat "$D/ready" 2>&1); aux devices: $(ls /sys/bus/auxiliary/devices 2>&1 | xargs); dma: $(ls /sys/class/dma 2>&1 | xargs)"
fi
cat "$LB_DBG/stats" >&2
ktap_check_kernel_log
ktap_finish
