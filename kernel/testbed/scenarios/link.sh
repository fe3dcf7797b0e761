# Scenario link: the loopback EPC's link control. start() enumerates the
# function, the debugfs knob takes the link down (the host loses the device)
# and up again (it comes back and works), stop() removes the bus, and the
# controller itself can be removed and added again (debugfs "present").
. /testbed/lib.sh

DEV=/sys/bus/pci/devices/0000:10:00.0
setup() {
	load_loopback profile=generic || return 1
	modprobe pci-epf-test && modprobe pci_endpoint_test || return 1
	f=$CFS/functions/pci_epf_test/func1
	mkdir "$f" && echo 0x104c > "$f/vendorid" && echo 0xb500 > "$f/deviceid" || return 1
	echo 4 > "$f/msi_interrupts" && echo 8 > "$f/msix_interrupts" || return 1
	ln -s "$f" "$CFS/controllers/loopback-epc/" || return 1
	echo 1 > "$CFS/controllers/loopback-epc/start" || return 1
	wait_for 10 test -c /dev/pci-endpoint-test.0
}
ktap_check setup setup
ktap_check epc_in_sysfs test -e /sys/class/pci_epc/loopback-epc
ktap_check bar0_before pcitest -b 0

echo down > "$LB_DBG/link"
if [ ! -e "$DEV" ] && [ ! -e /dev/pci-endpoint-test.0 ] && grep -qx down "$LB_DBG/link"; then
	ktap_ok link_forced_down "device removed from the host"
else
	ktap_fail link_forced_down "device still present: $(ls -d $DEV 2>&1)"
fi
echo up > "$LB_DBG/link"
if wait_for 10 test -c /dev/pci-endpoint-test.0; then
	ktap_ok link_back_up
else
	ktap_fail link_back_up "no /dev/pci-endpoint-test.0 after link up"
fi
ktap_check bar0_after_relink pcitest -b 0
ktap_check msi1_after_relink pcitest -m 1

echo 0 > "$CFS/controllers/loopback-epc/start"
if wait_for 10 sh -c "[ ! -e $DEV ]"; then
	ktap_ok stop_removes_bus
else
	ktap_fail stop_removes_bus "device still present after stop"
fi

# The controller goes away (as on an EPC driver unbind) and comes back: the
# pci_epc class device and the configfs group disappear and reappear, and the
# new controller works once the function is linked and started again.
rm "$CFS/controllers/loopback-epc/func1"
echo 0 > "$LB_DBG/present"
if [ ! -e /sys/class/pci_epc/loopback-epc ] && [ ! -e "$CFS/controllers/loopback-epc" ] &&
   grep -qx 0 "$LB_DBG/present"; then
	ktap_ok controller_removed
else
	ktap_fail controller_removed "still there: $(ls -d /sys/class/pci_epc/loopback-epc "$CFS/controllers/loopback-epc" 2>&1 | xargs)"
fi
echo 1 > "$LB_DBG/present"
relink() {
	[ -d "$CFS/controllers/loopback-epc" ] &&
	ln -s "$CFS/functions/pci_epf_test/func1" "$CFS/controllers/loopback-epc/" &&
	echo 1 > "$CFS/controllers/loopback-epc/start" &&
	wait_for 10 test -c /dev/pci-endpoint-test.0
}
if [ -e /sys/class/pci_epc/loopback-epc ] && relink && pcitest -b 0 >/dev/null 2>&1; then
	ktap_ok controller_back "BAR0 test passes through the new controller"
else
	ktap_fail controller_back "$(ls /sys/class/pci_epc 2>&1 | xargs); $(pcitest -b 0 2>&1 | tail -1)"
fi
ktap_check_kernel_log
ktap_finish
