# Helpers for testbed scenarios (busybox sh inside the UML guest).
# A scenario records results with ktap_ok/ktap_fail/ktap_skip and ends with
# ktap_finish, which prints the KTAP document (stdout) and returns non-zero
# when a test failed. Diagnostics go to stderr and are kept by the runner.

KTAP_N=0
KTAP_FAILED=0
# Results go straight to the host (hostfs), so a guest crash still leaves them.
KTAP_BODY=/out/ktap.body
: > "$KTAP_BODY"
CFS=/sys/kernel/config/pci_ep
LB_DBG=/sys/kernel/debug/loopback-epc

log() { echo "# $*" >&2; }

# ktap_ok NAME [diagnostic...]
ktap_ok() {
	KTAP_N=$((KTAP_N + 1))
	n=$1; shift
	echo "ok $KTAP_N $n" >> "$KTAP_BODY"
	for d in "$@"; do printf "%s\n" "$d" | sed "s/^/# /" >> "$KTAP_BODY"; done
}

ktap_fail() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAILED=$((KTAP_FAILED + 1))
	n=$1; shift
	for d in "$@"; do printf "%s\n" "$d" | sed "s/^/# /" >> "$KTAP_BODY"; done
	echo "not ok $KTAP_N $n" >> "$KTAP_BODY"
}

ktap_skip() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N $1 # SKIP $2" >> "$KTAP_BODY"
}

# ktap_check NAME COMMAND...: one test from a command's exit status
ktap_check() {
	n=$1; shift
	if out=$("$@" 2>&1); then
		ktap_ok "$n"
	else
		ktap_fail "$n" "command failed: $*" "$(echo "$out" | tail -3)"
	fi
}

# The kernel log must hold no warning, bug or lock report. Two WARNs are
# known and harmless under UML: virt-pci's at boot (no virtio device ID
# configured) and the endpoint core's WARN_ONCE at pci_epc_create() on an
# architecture without generic PCI domains ("doesn't support generic PCI
# domains"; UML has one PCI domain). The file names are matched with any leading path: with
# ccache's base_dir (kernel/testbed/build) they read ../../trees/testbed/arch/um/...
ktap_check_kernel_log() {
	bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Kernel panic|possible recursive locking|circular locking dependency|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|sleeping function called from invalid context|KASAN:|UBSAN:|INFO: task .* blocked|general protection fault|kernel BUG|invalid wait context|turning off the locking correctness validator|hung_task|soft lockup' |
	      grep -v -E -e 'at ([^ ]*/)?arch/um/drivers/virt-pci\.c:' \
		-e 'at ([^ ]*/)?drivers/pci/endpoint/pci-epc-core\.c:[0-9]* __pci_epc_create')
	if [ -z "$bad" ]; then
		ktap_ok kernel_log_clean
	else
		first=$(echo "$bad" | head -1)
		ktap_fail kernel_log_clean "$(echo "$bad" | head -5)" \
			"first report:" "$(dmesg | grep -F -A14 "$first" | grep -E 'at:|held|\+0x' | head -8)"
	fi
}

ktap_finish() {
	echo "KTAP version 1"
	echo "1..$KTAP_N"
	cat "$KTAP_BODY"
	[ "$KTAP_FAILED" -eq 0 ]
}

# wait_for SECONDS TEST-EXPRESSION...: poll every 0.1 s
wait_for() {
	t=$(($1 * 10)); shift
	while [ "$t" -gt 0 ]; do
		if "$@"; then return 0; fi
		sleep 0.1
		t=$((t - 1))
	done
	"$@"
}

# ntb_devices_at_least N / ntb_devices_none: for wait_for. They count on
# every poll; `wait_for 10 test "$(ls ... | wc -l)" -ge 2` would count once,
# before the wait starts, and then wait for nothing.
ntb_devices_at_least() {
	[ "$(ls /sys/bus/ntb/devices 2>/dev/null | wc -l)" -ge "$1" ]
}

ntb_devices_none() {
	[ -z "$(ls /sys/bus/ntb/devices 2>/dev/null)" ]
}

# load_loopback [module params]: the loopback EPC must show up in sysfs and configfs
load_loopback() {
	modprobe pci-epc-loopback "$@" || return 1
	[ -e /sys/class/pci_epc/loopback-epc ] && [ -d "$CFS/controllers/loopback-epc" ]
}

# vntb_dma_setup LOOPBACK_PROFILE VNTB_ATTR=VALUE...: the series' chain up to the host
# binding. Loads the loopback EPC with the given BAR profile, creates vNTB function func1 with
# the R-Car S4 IDs and the given driver attributes, binds and starts it, loads ntb_hw_epf and
# dw_edma_aux, and waits for the host function to be bound. vNTB's virtual device must not
# carry the host function's IDs: both ends live in one kernel, and vNTB's own PCI driver would
# bind the host function. Sets HOST_DEV and NTB_EP_DMA_DBG.
HOST_DEV=0000:10:00.0
NTB_EP_DMA_DBG=/sys/kernel/debug/ntb_ep_dma/$HOST_DEV
vntb_dma_setup() {
	local f v kv
	load_loopback "profile=$1" || return 1
	shift
	modprobe ntb && modprobe pci-epf-vntb || return 1
	f=$CFS/functions/pci_epf_vntb/func1
	mkdir "$f" || return 1
	echo 0x1912 > "$f/vendorid"
	echo 0x0030 > "$f/deviceid"
	echo 0x05 > "$f/baseclass_code"
	echo 0x00 > "$f/subclass_code"
	echo 32 > "$f/msi_interrupts"
	v=$f/pci_epf_vntb.0
	for kv in "$@" vntb_vid=0x1957 vntb_pid=0x080a vbus_number=0x20; do
		echo "${kv#*=}" > "$v/${kv%%=*}" || { log "cannot set ${kv%%=*}"; return 1; }
	done
	ln -s "$f" "$CFS/controllers/loopback-epc/" || return 1
	modprobe ntb_hw_epf && modprobe dw_edma_aux || return 1
	echo 1 > "$CFS/controllers/loopback-epc/start" || return 1
	wait_for 10 test -e "/sys/bus/pci/devices/$HOST_DEV/driver"
}

# ntb_ep_dma_run_once: wait for ntb_ep_dma's peer, run one transfer, wait for a pass.
ntb_ep_dma_run_once() {
	wait_for 10 grep -q 1 "$NTB_EP_DMA_DBG/ready" 2>/dev/null || return 1
	echo 1 > "$NTB_EP_DMA_DBG/run" || return 1
	wait_for 10 grep -q 'peer_state: pass' "$NTB_EP_DMA_DBG/result"
}

# ntb_ep_dma_scenario: the KTAP lines of one bring-up run after vntb_dma_setup.
ntb_ep_dma_scenario() {
	local D=$NTB_EP_DMA_DBG
	dmesg | grep -E 'exports DMA|ntb_hw_epf|vntb|dw.edma' | tail -8 >&2
	modprobe ntb_ep_dma
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
}

# host_epdmactl: mount the host's root at $H (hostfs) with the guest's /sys, /proc, /dev and
# /tmp bound in, and set EPDMACTL to the project's epdmactl found there: epdma.epdmactl=PATH on
# the command line, the build tests/bench/stage-userspace made next to the result directory,
# or /usr/local/bin (cmake --install). The host's binary runs as it is with chroot $H.
# Returns 1 (mount) or 2 (no epdmactl) with HOST_ERR saying what is missing.
host_epdmactl() {
	mkdir -p "$H"
	if ! mount -t hostfs hostfs "$H" -o / 2>/dev/null; then
		HOST_ERR="cannot mount the host's root with hostfs"
		return 1
	fi
	for d in sys proc dev tmp; do mount --bind /$d "$H/$d" || true; done
	EPDMACTL=$(sed -n 's/.*epdma\.epdmactl=\([^ ]*\).*/\1/p' /proc/cmdline)
	TB=$(sed -n 's/.*epdma\.out=\([^ ]*\).*/\1/p' /proc/cmdline)
	TB=${TB%/*}
	for c in "$EPDMACTL" "$TB/userspace/cli/epdmactl" /usr/local/bin/epdmactl; do
		if [ -n "$c" ] && [ -x "$H$c" ]; then EPDMACTL=$c; break; fi
		EPDMACTL=
	done
	if [ -z "$EPDMACTL" ]; then
		HOST_ERR="no epdmactl for the guest: run tests/bench/stage-userspace"
		return 2
	fi
}

# epf_test_setup [MSIX]: pci-epf-test bound to the loopback EPC (generic profile) as the TI
# DRA74x that pci_endpoint_test knows by default, 32 MSI (and MSIX MSI-X vectors if given),
# started, and /dev/pci-endpoint-test.0 present on the host side.
epf_test_setup() {
	load_loopback profile=generic || { log "loopback EPC did not appear"; return 1; }
	modprobe pci-epf-test || return 1
	f=$CFS/functions/pci_epf_test/func1
	mkdir "$f" || return 1
	echo 0x104c > "$f/vendorid"	# TI DRA74x: pci_endpoint_test default_data
	echo 0xb500 > "$f/deviceid"
	echo 32 > "$f/msi_interrupts"
	[ -z "${1:-}" ] || echo "$1" > "$f/msix_interrupts"
	ln -s "$f" "$CFS/controllers/loopback-epc/" || return 1
	modprobe pci_endpoint_test || return 1
	echo 1 > "$CFS/controllers/loopback-epc/start" || return 1
	wait_for 10 test -c /dev/pci-endpoint-test.0
}
