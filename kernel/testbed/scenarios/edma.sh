# Scenario edma: the DesignWare eDMA model's KUnit suite (edma_model_kunit.ko,
# which carries its own copy of the engine), then the model as the loopback
# EPC's EP-local dw-edma instance: the real dw-edma core probes it and offers
# its 8 write + 8 read channels on the EPC's parent device, and pci-epf-test
# moves data through it (pcitest -d), which the engine's counters must show.
. /testbed/lib.sh

KUNIT_DBG=/sys/kernel/debug/kunit/edma_model

# The suite runs when its module loads; its KTAP is kept in debugfs.
run_kunit() {
	if ! out=$(modprobe edma_model_kunit 2>&1); then
		ktap_fail edma_model_kunit "modprobe edma_model_kunit: $out"
		return
	fi
	if [ ! -r "$KUNIT_DBG/results" ]; then
		ktap_fail edma_model_kunit "no $KUNIT_DBG/results (CONFIG_KUNIT_DEBUGFS?)"
		return
	fi
	# Nest the suite's own KTAP as this test's subtest.
	sed 's/^/    /' "$KUNIT_DBG/results" >> "$KTAP_BODY"
	cases=$(grep -cE '^[[:space:]]+ok [0-9]+ ' "$KUNIT_DBG/results")
	failed=$(grep -cE '^[[:space:]]+not ok [0-9]+ ' "$KUNIT_DBG/results")
	plan=$(sed -n 's/^[[:space:]]*1\.\.\([0-9]*\)$/\1/p' "$KUNIT_DBG/results" | tail -1)
	suite=$(grep -E '^(not )?ok [0-9]+ edma_model' "$KUNIT_DBG/results")
	if [ "$failed" -eq 0 ] && [ "$cases" -ge 20 ] && [ "$cases" = "$plan" ] &&
	   ! echo "$suite" | grep -q '^not ok'; then
		ktap_ok edma_model_kunit "$cases/$plan cases passed"
	else
		ktap_fail edma_model_kunit "$cases passed, $failed failed, plan ${plan:-missing}"
	fi
	rmmod edma_model_kunit 2>/dev/null
}

# The model as the EPC's local dw-edma instance.
check_local_instance() {
	if ! load_loopback; then
		ktap_fail edma_local_instance "the loopback EPC did not appear"
		return
	fi
	parent=$(readlink -f /sys/class/pci_epc/loopback-epc/device 2>/dev/null)
	wr=0
	rd=0
	n=0
	for c in /sys/class/dma/dma*chan*; do
		[ -e "$c" ] || continue
		dev=$(readlink -f "$c/device" 2>/dev/null)
		[ "$dev" = "$parent" ] || continue
		n=$((n + 1))
	done
	dbg=$(ls -d /sys/kernel/debug/lb-edma-* 2>/dev/null | head -1)
	if [ -n "$dbg" ]; then
		wr=$(grep -c '^wr[0-7] ' "$dbg/layout")
		rd=$(grep -c '^rd[0-7] ' "$dbg/layout")
	fi
	if [ "$n" -eq 16 ] && [ "$wr" -eq 8 ] && [ "$rd" -eq 8 ]; then
		ktap_ok edma_local_instance "16 dw-edma channels on $(basename "$parent")"
	else
		ktap_fail edma_local_instance \
			"$n channels on the EPC parent (want 16), layout wr=$wr rd=$rd" \
			"$(ls /sys/class/dma 2>/dev/null | head -4 | xargs)"
	fi
	[ -n "$dbg" ] && cat "$dbg/layout" >&2
}

estat() { sed -n "s/^$1 //p" "$dbg/stats"; }

# One READ and one WRITE through the real dw-edma core on the model.
check_transfers() {
	[ -n "$dbg" ] || { ktap_fail edma_local_transfers "no lb-edma debugfs"; return; }
	f=$CFS/functions/pci_epf_test/func1
	if ! { modprobe pci-epf-test && mkdir "$f" &&
	       echo 0x104c > "$f/vendorid" && echo 0xb500 > "$f/deviceid" &&
	       echo 4 > "$f/msi_interrupts" &&
	       ln -s "$f" "$CFS/controllers/loopback-epc/" &&
	       modprobe pci_endpoint_test &&
	       echo 1 > "$CFS/controllers/loopback-epc/start" &&
	       wait_for 10 test -c /dev/pci-endpoint-test.0; } >&2 2>&1; then
		ktap_fail edma_local_transfers "pci-epf-test on the loopback EPC did not come up"
		return
	fi
	b0=$(estat bytes)
	d0=$(estat done)
	out=$( { pcitest -i 1; pcitest -r -d -s 65536; pcitest -w -d -s 65537; } 2>&1)
	okay=$(echo "$out" | grep -E '^(READ|WRITE)' | grep -v 'NOT OKAY' | grep -c 'OKAY')
	moved=$(( $(estat bytes) - b0 ))
	done_n=$(( $(estat done) - d0 ))
	if [ "$okay" -eq 2 ] && [ "$moved" -eq $((65536 + 65537)) ] &&
	   [ "$done_n" -eq 2 ] && [ "$(estat aborts)" -eq 0 ]; then
		ktap_ok edma_local_transfers "READ and WRITE -d OKAY, $moved bytes, $done_n done"
	else
		ktap_fail edma_local_transfers "$okay of 2 OKAY, $moved bytes (want 131073)," \
			"$done_n done (want 2), $(estat aborts) aborts" "$(echo "$out" | tail -3)"
	fi
}

run_kunit
check_local_instance
check_transfers
[ -n "$dbg" ] && cat "$dbg/stats" >&2
ktap_check_kernel_log
ktap_finish
