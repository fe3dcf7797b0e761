// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which kernel devices matter to epdma, decided from what udev reports about them. Kept
 * free of libudev so that the rules can be tested (and fuzzed) with plain strings.
 */
#include "epdma-private.h"

static const char *const kind_names[] = {
	[EPDMA_DEVICE_OTHER] = "other",		  [EPDMA_DEVICE_CONTROLLER] = "controller",
	[EPDMA_DEVICE_NTB] = "ntb",		  [EPDMA_DEVICE_DMA] = "dma",
	[EPDMA_DEVICE_NTB_FUNCTION] = "ntb-function", [EPDMA_DEVICE_AUXILIARY] = "auxiliary",
};

const char *epdma_device_kind_name(enum epdma_device_kind kind)
{
	return (unsigned int)kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

static int hex16(const char *s, size_t len, uint16_t *out)
{
	unsigned int v = 0;
	size_t i;

	if (len == 0 || len > 4)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = (uint16_t)v;
	return 0;
}

int epdma_parse_pci_id(const char *s, uint16_t *vendor, uint16_t *device)
{
	const char *colon;

	if (!s)
		return -EINVAL;
	colon = strchr(s, ':');
	if (!colon || hex16(s, (size_t)(colon - s), vendor) < 0 ||
	    hex16(colon + 1, strlen(colon + 1), device) < 0)
		return -EINVAL;
	return 0;
}

enum epdma_device_kind epdma_device_classify(const char *subsystem, const char *driver)
{
	if (!subsystem)
		return EPDMA_DEVICE_OTHER;
	if (!strcmp(subsystem, "pci_epc"))
		return EPDMA_DEVICE_CONTROLLER;
	if (!strcmp(subsystem, "ntb"))
		return EPDMA_DEVICE_NTB;
	if (!strcmp(subsystem, "dma"))
		return EPDMA_DEVICE_DMA;
	if (!strcmp(subsystem, "auxiliary"))
		return EPDMA_DEVICE_AUXILIARY;
	/*
	 * Every PCI function is a candidate: before ntb_hw_epf is loaded the NTB function has
	 * no driver, and loading it is exactly what a host profile may ask for. The caller
	 * drops candidates that neither are bound to ntb_hw_epf nor match a host profile.
	 */
	if (!strcmp(subsystem, "pci"))
		return EPDMA_DEVICE_NTB_FUNCTION;
	return EPDMA_DEVICE_OTHER;
}

bool epdma_device_is_ntb_driver(const char *driver)
{
	return driver && !strcmp(driver, "ntb_hw_epf");
}
