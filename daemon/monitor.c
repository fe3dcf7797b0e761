// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * udev side of epdmad: one netlink monitor filtered to the subsystems epdma cares about,
 * and a coldplug pass that feeds the devices already present through the same path as a
 * hotplug "add", so start-up and hotplug cannot behave differently.
 *
 * The monitor is subscribed before enumerating: a device that appears in between is seen
 * twice (once by each), which is harmless because reactions are idempotent, while the
 * opposite order could miss it.
 */
#include "epdmad.h"
#include "log.h"
#include "events.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libudev.h>

static const char *const subsystems[] = { "pci_epc", "ntb", "dma", "pci", "auxiliary" };

static struct udev *udev;
static struct udev_monitor *mon;
static struct source mon_src;

static void fill_ids(struct udev_device *d, struct dev_info *info)
{
	struct udev_device *pci = d;
	const char *id;

	if (strcmp(udev_device_get_subsystem(d) ?: "", "pci"))
		pci = udev_device_get_parent_with_subsystem_devtype(d, "pci", NULL);
	if (!pci)
		return;
	id = udev_device_get_property_value(pci, "PCI_ID");
	if (id && epdma_parse_pci_id(id, &info->vendor, &info->device) == 0)
		info->has_ids = true;
}

static bool dev_info_from_udev(struct udev_device *d, struct dev_info *info)
{
	const char *subsystem = udev_device_get_subsystem(d);
	const char *driver = udev_device_get_driver(d);
	const char *syspath = udev_device_get_syspath(d);
	const char *sysname = udev_device_get_sysname(d);

	memset(info, 0, sizeof(*info));
	info->kind = epdma_device_classify(subsystem, driver);
	if (info->kind == EPDMA_DEVICE_OTHER || !syspath || !sysname)
		return false;
	snprintf(info->syspath, sizeof(info->syspath), "%s", syspath);
	snprintf(info->name, sizeof(info->name), "%s", sysname);
	if (!driver)
		driver = udev_device_get_property_value(d, "DRIVER");
	snprintf(info->driver, sizeof(info->driver), "%s", driver ?: "");
	fill_ids(d, info);
	return true;
}

/*
 * Walk what is present now. With @resync, devices we track but udev no longer lists are
 * removed afterwards (used after the monitor lost events).
 */
static int coldplug(bool resync)
{
	struct udev_enumerate *e = udev_enumerate_new(udev);
	struct udev_list_entry *le;
	unsigned int n = 0;

	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(subsystems) / sizeof(subsystems[0]); i++)
		udev_enumerate_add_match_subsystem(e, subsystems[i]);
	if (udev_enumerate_scan_devices(e) < 0) {
		udev_enumerate_unref(e);
		return -EIO;
	}
	if (resync)
		manager_mark_all_stale();
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e)) {
		struct udev_device *d =
			udev_device_new_from_syspath(udev, udev_list_entry_get_name(le));
		struct dev_info info;

		if (!d)
			continue;
		if (dev_info_from_udev(d, &info)) {
			manager_device_event("coldplug", &info);
			n++;
		}
		udev_device_unref(d);
	}
	if (resync)
		manager_drop_stale();
	udev_enumerate_unref(e);
	log_debug("coldplug: %u device(s) of interest present", n);
	return 0;
}

static void on_monitor(struct source *src, uint32_t events)
{
	/* Drain what is queued, but bounded so signals and clients still get their turn. */
	for (int i = 0; i < 256; i++) {
		struct udev_device *d;
		struct dev_info info;
		const char *action;

		errno = 0;
		d = udev_monitor_receive_device(mon);
		if (!d) {
			if (errno == ENOBUFS) {
				events_add(LOG_WARNING, "resync", NULL, NULL, ENOBUFS,
					   "uevents were lost (receive buffer overflow); "
					   "re-enumerating devices");
				coldplug(true);
				continue;
			}
			return;
		}
		action = udev_device_get_action(d);
		if (action && dev_info_from_udev(d, &info))
			manager_device_event(action, &info);
		udev_device_unref(d);
	}
}

void monitor_rescan(void)
{
	if (mon)
		coldplug(true);
}

int monitor_start(void)
{
	int r;

	udev = udev_new();
	if (!udev)
		return -ENOMEM;
	mon = udev_monitor_new_from_netlink(udev, "udev");
	if (!mon)
		return -errno ? -errno : -ENOMEM;
	for (size_t i = 0; i < sizeof(subsystems) / sizeof(subsystems[0]); i++) {
		r = udev_monitor_filter_add_match_subsystem_devtype(mon, subsystems[i], NULL);
		if (r < 0)
			return r;
	}
	/* A burst (rescan, module load) must not overflow the socket; lost events force a
	 * full resync, which is correct but costs a re-enumeration. */
	udev_monitor_set_receive_buffer_size(mon, 8 * 1024 * 1024);
	r = udev_monitor_enable_receiving(mon);
	if (r < 0)
		return r;
	mon_src.fd = udev_monitor_get_fd(mon);
	mon_src.fn = on_monitor;
	r = loop_add(&mon_src);
	if (r < 0)
		return r;
	return coldplug(false);
}

void monitor_stop(void)
{
	if (mon) {
		loop_del(&mon_src);
		udev_monitor_unref(mon);
		mon = NULL;
	}
	udev = udev_unref(udev);
}
