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
# domains"; UML has one PCI domain).
ktap_check_kernel_log() {
	bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|Kernel panic|possible recursive locking|circular locking dependency|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|sleeping function called from invalid context|KASAN:|UBSAN:|INFO: task .* blocked|general protection fault|kernel BUG|invalid wait context|turning off the locking correctness validator|hung_task|soft lockup' |
	      grep -v -e 'at arch/um/drivers/virt-pci.c:' \
		-e 'at drivers/pci/endpoint/pci-epc-core.c:[0-9]* __pci_epc_create')
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

# load_loopback [module params]: the loopback EPC must show up in sysfs and configfs
load_loopback() {
	modprobe pci-epc-loopback "$@" || return 1
	[ -e /sys/class/pci_epc/loopback-epc ] && [ -d "$CFS/controllers/loopback-epc" ]
}
