// SPDX-License-Identifier: GPL-2.0
/*
 * Loopback EPC: type-0 config space of the emulated function.
 *
 * The image is built at link-up from what the endpoint function programmed
 * (write_header, set_bar, set_msi, set_msix). A per-byte write mask gives the
 * host exactly the writable bits hardware would: BAR sizing falls out of the
 * mask, capability registers keep their read-only fields.
 */
#include <linux/pci.h>
#include <linux/pci_regs.h>
#include <linux/unaligned.h>
#include "loopback.h"

static void put8(u8 *p, int where, u8 v)
{
	p[where] = v;
}

static void put16(u8 *p, int where, u16 v)
{
	put_unaligned_le16(v, p + where);
}

static void put32(u8 *p, int where, u32 v)
{
	put_unaligned_le32(v, p + where);
}

u16 lb_cfg_read16(struct lb_epc *lb, int where)
{
	return get_unaligned_le16(lb->cfg + where);
}

u32 lb_cfg_read32(struct lb_epc *lb, int where)
{
	return get_unaligned_le32(lb->cfg + where);
}

static void lb_cfg_build_bars(struct lb_epc *lb)
{
	int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct lb_bar *bar = &lb->bar[i];
		int reg = PCI_BASE_ADDRESS_0 + 4 * i;
		u64 mask;

		bar->host_size = 0;
		if (!bar->set || !bar->size)
			continue;
		bar->host_size = bar->size;
		mask = ~(bar->size - 1);
		put32(lb->cfg, reg, bar->flags & 0xf);
		put32(lb->wmask, reg, lower_32_bits(mask) & ~0xfU);
		if ((bar->flags & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
		    i < PCI_STD_NUM_BARS - 1) {
			put32(lb->wmask, reg + 4, upper_32_bits(mask));
			i++;	/* the upper half belongs to this BAR */
		}
	}
}

static u8 lb_cfg_build_caps(struct lb_epc *lb)
{
	u8 first = 0, *prev = &first;

	if (lb->msi_mmc >= 0) {
		*prev = LB_CAP_MSI;
		put8(lb->cfg, LB_CAP_MSI + PCI_CAP_LIST_ID, PCI_CAP_ID_MSI);
		prev = &lb->cfg[LB_CAP_MSI + PCI_CAP_LIST_NEXT];
		put16(lb->cfg, LB_CAP_MSI + PCI_MSI_FLAGS,
		      PCI_MSI_FLAGS_64BIT | (lb->msi_mmc << 1));
		put16(lb->wmask, LB_CAP_MSI + PCI_MSI_FLAGS,
		      PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
		put32(lb->wmask, LB_CAP_MSI + PCI_MSI_ADDRESS_LO, 0xfffffffc);
		put32(lb->wmask, LB_CAP_MSI + PCI_MSI_ADDRESS_HI, 0xffffffff);
		put16(lb->wmask, LB_CAP_MSI + PCI_MSI_DATA_64, 0xffff);
	}
	if (lb->msix_nr > 0) {
		u32 table = lb->msix_off | lb->msix_bir;
		u32 pba = ALIGN(lb->msix_off + lb->msix_nr * PCI_MSIX_ENTRY_SIZE, 8) |
			  lb->msix_bir;

		*prev = LB_CAP_MSIX;
		put8(lb->cfg, LB_CAP_MSIX + PCI_CAP_LIST_ID, PCI_CAP_ID_MSIX);
		prev = &lb->cfg[LB_CAP_MSIX + PCI_CAP_LIST_NEXT];
		put16(lb->cfg, LB_CAP_MSIX + PCI_MSIX_FLAGS, lb->msix_nr - 1);
		put16(lb->wmask, LB_CAP_MSIX + PCI_MSIX_FLAGS,
		      PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		put32(lb->cfg, LB_CAP_MSIX + PCI_MSIX_TABLE, table);
		put32(lb->cfg, LB_CAP_MSIX + PCI_MSIX_PBA, pba);
	}
	*prev = 0;
	return first;
}

/* Called with lb->lock held, before the host bus exists. */
void lb_cfg_build(struct lb_epc *lb)
{
	struct pci_epf_header *h = &lb->hdr;
	u8 caps;

	memset(lb->cfg, 0, sizeof(lb->cfg));
	memset(lb->wmask, 0, sizeof(lb->wmask));

	put16(lb->cfg, PCI_VENDOR_ID, lb->hdr_set ? h->vendorid : 0xffff);
	put16(lb->cfg, PCI_DEVICE_ID, lb->hdr_set ? h->deviceid : 0xffff);
	put8(lb->cfg, PCI_REVISION_ID, h->revid);
	put8(lb->cfg, PCI_CLASS_PROG, h->progif_code);
	put8(lb->cfg, PCI_CLASS_DEVICE, h->subclass_code);
	put8(lb->cfg, PCI_CLASS_DEVICE + 1, h->baseclass_code);
	put8(lb->cfg, PCI_CACHE_LINE_SIZE, h->cache_line_size);
	put8(lb->cfg, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	put16(lb->cfg, PCI_SUBSYSTEM_VENDOR_ID, h->subsys_vendor_id);
	put16(lb->cfg, PCI_SUBSYSTEM_ID, h->subsys_id);
	put8(lb->cfg, PCI_INTERRUPT_PIN, h->interrupt_pin);

	put16(lb->wmask, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
	      PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
	      PCI_COMMAND_INTX_DISABLE);
	put8(lb->wmask, PCI_CACHE_LINE_SIZE, 0xff);
	put8(lb->wmask, PCI_LATENCY_TIMER, 0xff);
	put8(lb->wmask, PCI_INTERRUPT_LINE, 0xff);

	lb_cfg_build_bars(lb);
	caps = lb_cfg_build_caps(lb);
	if (caps) {
		put8(lb->cfg, PCI_CAPABILITY_LIST, caps);
		put16(lb->cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
	}
}

/*
 * Host address -> (BAR, offset), as the function decodes it: only with
 * memory decoding enabled and only inside an enabled BAR. Lock held.
 */
bool lb_cfg_bar_decode(struct lb_epc *lb, u64 addr, int *barno, u64 *off)
{
	int i;

	if (!lb->link_up || !(lb_cfg_read16(lb, PCI_COMMAND) & PCI_COMMAND_MEMORY))
		return false;
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct lb_bar *bar = &lb->bar[i];
		int reg = PCI_BASE_ADDRESS_0 + 4 * i;
		u64 base;

		if (!bar->set || !bar->host_size)
			continue;
		base = lb_cfg_read32(lb, reg) & PCI_BASE_ADDRESS_MEM_MASK;
		if (bar->flags & PCI_BASE_ADDRESS_MEM_TYPE_64)
			base |= (u64)lb_cfg_read32(lb, reg + 4) << 32;
		if (base && addr >= base && addr - base < bar->host_size) {
			*barno = i;
			*off = addr - base;
			return true;
		}
		if (bar->flags & PCI_BASE_ADDRESS_MEM_TYPE_64)
			i++;
	}
	return false;
}

static bool lb_cfg_target(struct pci_bus *bus, unsigned int devfn, int where,
			  int size)
{
	return pci_is_root_bus(bus) && devfn == 0 && where >= 0 &&
	       where + size <= LB_CFG_SIZE && IS_ALIGNED(where, size);
}

static int lb_cfg_read(struct pci_bus *bus, unsigned int devfn, int where,
		       int size, u32 *val)
{
	struct lb_epc *lb = bus->sysdata;
	unsigned long flags;
	u32 v = 0;
	int i;

	if (!lb_cfg_target(bus, devfn, where, size)) {
		*val = ~0U;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	raw_spin_lock_irqsave(&lb->lock, flags);
	for (i = 0; i < size; i++)
		v |= (u32)lb->cfg[where + i] << (8 * i);
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	*val = v;
	return PCIBIOS_SUCCESSFUL;
}

static int lb_cfg_write(struct pci_bus *bus, unsigned int devfn, int where,
			int size, u32 val)
{
	struct lb_epc *lb = bus->sysdata;
	unsigned long flags;
	int i;

	if (!lb_cfg_target(bus, devfn, where, size))
		return PCIBIOS_DEVICE_NOT_FOUND;
	raw_spin_lock_irqsave(&lb->lock, flags);
	for (i = 0; i < size; i++) {
		u8 m = lb->wmask[where + i], b = val >> (8 * i);

		lb->cfg[where + i] = (lb->cfg[where + i] & ~m) | (b & m);
	}
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	return PCIBIOS_SUCCESSFUL;
}

struct pci_ops lb_pci_ops = {
	.read = lb_cfg_read,
	.write = lb_cfg_write,
};
