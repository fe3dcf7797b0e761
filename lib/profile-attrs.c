// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Attribute tables of the pci_ep configfs tree. Names, widths and ranges come from
 * drivers/pci/endpoint/pci-ep-cfs.c (the common header, kstrtou8/u16 stores) and the function
 * drivers (pci-epf-vntb.c with the remote-DMA series, pci-epf-ntb.c, pci-epf-test.c).
 * Where the kernel only checks the width, the range here is the one that makes a working
 * function (msi_interrupts 1..32, BARs 0..5), so a profile cannot ask for a broken device.
 */
#include "profile.h"

#define U8  0xffULL
#define U16 0xffffULL
#define U32 0xffffffffULL
#define U63 0x7fffffffffffffffULL

const struct ep_attr_spec ep_header_attrs[] = {
	{ "vendorid", 0, U16, EP_A_HEX, 0 },
	{ "deviceid", 0, U16, EP_A_HEX, 0 },
	{ "revid", 0, U8, EP_A_HEX, 0 },
	{ "progif_code", 0, U8, EP_A_HEX, 0 },
	{ "subclass_code", 0, U8, EP_A_HEX, 0 },
	{ "baseclass_code", 0, U8, EP_A_HEX, 0 },
	{ "cache_line_size", 0, U8, EP_A_HEX, 0 },
	{ "subsys_vendor_id", 0, U16, EP_A_HEX, 0 },
	{ "subsys_id", 0, U16, EP_A_HEX, 0 },
	{ "interrupt_pin", 0, 4, EP_A_HEX, 0 },	/* 0 none, 1..4 INTA..INTD */
	{ "msi_interrupts", 1, 32, 0, 0 },
	{ "msix_interrupts", 1, 2048, 0, 0 },
};
const size_t ep_n_header_attrs = ARRAY_SIZE(ep_header_attrs);

/* Write order matters: num_mws before every mwN* (the stores check N <= num_mws). */
static const struct ep_attr_spec vntb_attrs[] = {
	{ "db_count", 1, 32, 0, 0 },		/* MAX_DB_COUNT */
	{ "spad_count", 0, 4096, 0, 0 },
	{ "num_mws", 1, 4, EP_A_NUM_MWS, 0 },	/* MAX_MW */
	{ "mw1", 1, U63, EP_A_HEX | EP_A_MW, 1 },
	{ "mw2", 1, U63, EP_A_HEX | EP_A_MW, 2 },
	{ "mw3", 1, U63, EP_A_HEX | EP_A_MW, 3 },
	{ "mw4", 1, U63, EP_A_HEX | EP_A_MW, 4 },
	{ "mw1_offset", 0, U32, EP_A_HEX | EP_A_MW, 1 },
	{ "mw2_offset", 0, U32, EP_A_HEX | EP_A_MW, 2 },
	{ "mw3_offset", 0, U32, EP_A_HEX | EP_A_MW, 3 },
	{ "mw4_offset", 0, U32, EP_A_HEX | EP_A_MW, 4 },
	{ "dma_offset", 0, U32, EP_A_HEX, 0 },
	{ "dma_num_chans", 1, 8, 0, 0 },
	{ "vntb_vid", 0, U16, EP_A_HEX, 0 },
	{ "vntb_pid", 0, U16, EP_A_HEX, 0 },
	{ "vbus_number", 0, U8, EP_A_HEX, 0 },
	{ "ctrl_bar", 0, 5, EP_A_BAR, 0 },
	{ "mw1_bar", 0, 5, EP_A_BAR | EP_A_MW, 1 },
	{ "mw2_bar", 0, 5, EP_A_BAR | EP_A_MW, 2 },
	{ "mw3_bar", 0, 5, EP_A_BAR | EP_A_MW, 3 },
	{ "mw4_bar", 0, 5, EP_A_BAR | EP_A_MW, 4 },
	{ "dma_bar", 0, 5, EP_A_BAR, 0 },
	{ "db_bar", 0, 5, EP_A_BAR, 0 },
};

static const struct ep_attr_spec ntb_attrs[] = {
	{ "db_count", 1, 32, 0, 0 },
	{ "spad_count", 0, 4096, 0, 0 },
	{ "num_mws", 1, 4, EP_A_NUM_MWS, 0 },
	{ "mw1", 1, U63, EP_A_HEX | EP_A_MW, 1 },
	{ "mw2", 1, U63, EP_A_HEX | EP_A_MW, 2 },
	{ "mw3", 1, U63, EP_A_HEX | EP_A_MW, 3 },
	{ "mw4", 1, U63, EP_A_HEX | EP_A_MW, 4 },
};

static const struct ep_driver_spec drivers[] = {
	{ "pci_epf_vntb", vntb_attrs, ARRAY_SIZE(vntb_attrs), true },
	{ "pci_epf_ntb", ntb_attrs, ARRAY_SIZE(ntb_attrs), true },
	/* pci_epf_test has no add_cfs(): no subgroup, no driver attributes */
	{ "pci_epf_test", NULL, 0, false },
};

const struct ep_driver_spec *ep_driver_lookup(const char *driver)
{
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		if (!strcmp(drivers[i].name, driver))
			return &drivers[i];
	return NULL;
}

const struct ep_attr_spec *ep_attr_lookup(const struct ep_attr_spec *tab, size_t n,
					  const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tab[i].name, name))
			return &tab[i];
	return NULL;
}
