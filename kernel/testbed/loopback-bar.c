// SPDX-License-Identifier: GPL-2.0
/*
 * Loopback EPC: the trapped address regions and where their accesses go.
 *
 * Three logic_iomem regions:
 *   RC window  - host BAR accesses: host address -> BAR (config space) ->
 *                the BAR's current inbound translation -> EP address.
 *   outbound   - EP accesses to its outbound window: EP address -> map_addr()
 *                entry -> PCI address (host memory or the MSI doorbell).
 *   registers  - EP controller registers (the integrated eDMA model).
 * An EP address is RAM (the UML physical memory: DMA address == physical
 * address here) or the register block. Unmapped accesses read all ones and
 * drop writes, like a PCIe completer abort seen through a real bridge.
 */
#include <linux/io.h>
#include <linux/logic_iomem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include "loopback.h"
#ifdef LOOPBACK_HAVE_EDMA
#include "loopback-edma.h"
#endif

enum lb_space { LB_SPACE_RC, LB_SPACE_OB, LB_SPACE_REG };

/* One ioremap() of a region: accesses carry the offset from @base. */
struct lb_mapping {
	struct lb_epc *lb;
	enum lb_space space;
	u64 base;
};

/* lb_ep_rw() etc. need one instance; the regions are global to the kernel. */
static struct lb_epc *lb_region_owner;

static bool lb_is_ram(u64 addr, size_t len)
{
	u64 pfn, last;

	if (!len || addr + len < addr)
		return false;
	last = PHYS_PFN(addr + len - 1);
	for (pfn = PHYS_PFN(addr); pfn <= last; pfn++)
		if (!pfn_valid(pfn))
			return false;
	return true;
}

static bool lb_in(u64 addr, size_t len, u64 base, u64 size)
{
	return addr >= base && len <= size && addr - base <= size - len;
}

static int lb_reg_rw(struct lb_epc *lb, u64 off, void *buf, size_t len,
		     bool write)
{
#ifdef LOOPBACK_HAVE_EDMA
	phys_addr_t rphys;
	size_t rsize;

	if (!lb->edma)
		return -EFAULT;
	lb_edma_reg_region(lb->edma, &rphys, &rsize);
	off = LB_REG_BASE + off - rphys;
	if (off >= rsize || len > rsize - off)
		return -EFAULT;
	/* registers: 1, 2, 4 or 8 byte accesses; split anything else */
	while (len) {
		int sz = (len >= 8 && IS_ALIGNED(off, 8)) ? 8 :
			 (len >= 4 && IS_ALIGNED(off, 4)) ? 4 :
			 (len >= 2 && IS_ALIGNED(off, 2)) ? 2 : 1;
		u64 v = 0;

		if (write) {
			memcpy(&v, buf, sz);
			lb_edma_reg_write(lb->edma, off, sz, v);
		} else {
			v = lb_edma_reg_read(lb->edma, off, sz);
			memcpy(buf, &v, sz);
		}
		buf += sz;
		off += sz;
		len -= sz;
	}
	return 0;
#else
	return -EFAULT;
#endif
}

/**
 * lb_ep_rw - access EP-local memory (RAM or controller registers)
 * @lb: the loopback EPC
 * @addr: EP address
 * @buf: data
 * @len: bytes
 * @write: direction
 *
 * Return: 0, or -EFAULT when nothing on the EP decodes the range.
 */
int lb_ep_rw(struct lb_epc *lb, u64 addr, void *buf, size_t len, bool write)
{
	if (lb_in(addr, len, LB_REG_BASE, LB_REG_SIZE))
		return lb_reg_rw(lb, addr - LB_REG_BASE, buf, len, write);
	if (lb_in(addr, len, LB_OB_BASE, LB_OB_SIZE)) {
		unsigned long flags;
		u64 pci = 0;
		bool hit = false;
		int i;

		raw_spin_lock_irqsave(&lb->lock, flags);
		for (i = 0; i < LB_NR_OB; i++) {
			struct lb_outbound *ob = &lb->ob[i];

			if (ob->used && lb_in(addr, len, ob->phys, ob->size)) {
				pci = ob->pci_addr + (addr - ob->phys);
				hit = true;
				break;
			}
		}
		raw_spin_unlock_irqrestore(&lb->lock, flags);
		return hit ? lb_pci_rw(lb, pci, buf, len, write) : -EFAULT;
	}
	if (!lb_is_ram(addr, len))
		return -EFAULT;
	if (write)
		memcpy(phys_to_virt(addr), buf, len);
	else
		memcpy(buf, phys_to_virt(addr), len);
	return 0;
}

/**
 * lb_pci_rw - access the PCI bus as the EP sees it
 * @lb: the loopback EPC
 * @addr: PCI address
 * @buf: data
 * @len: bytes
 * @write: direction
 *
 * Host memory (DMA address == physical address, no IOMMU), or the host's MSI
 * doorbell: a 4-byte write there is a message signalled interrupt.
 *
 * Return: 0, -EIO while the link is down, or -EFAULT for an address nothing
 * decodes.
 */
int lb_pci_rw(struct lb_epc *lb, u64 addr, void *buf, size_t len, bool write)
{
	/* No link, no host: the EP's reads fail and its writes go nowhere */
	if (!READ_ONCE(lb->link_up))
		return -EIO;
	if (lb_in(addr, len, LB_MSI_ADDR, 4) || lb_in(LB_MSI_ADDR, 4, addr, len)) {
		u32 data;

		if (!write || len != 4 || addr != LB_MSI_ADDR)
			return -EFAULT;
		memcpy(&data, buf, 4);
		return lb_msi_write(lb, addr, le32_to_cpu((__force __le32)data));
	}
	if (!lb_is_ram(addr, len))
		return -EFAULT;
	if (write)
		memcpy(phys_to_virt(addr), buf, len);
	else
		memcpy(buf, phys_to_virt(addr), len);
	return 0;
}

/*
 * BAR offset -> EP address through the BAR's current inbound translations.
 * The whole range must fall in one translation. Lock held.
 */
static int lb_bar_ep_addr_locked(struct lb_epc *lb, int barno, u64 off,
				 size_t len, phys_addr_t *phys)
{
	struct lb_bar *bar = &lb->bar[barno];
	unsigned int i;

	if (!bar->set)
		return -ENOENT;
	for (i = 0; i < bar->nr_in; i++) {
		struct lb_inbound *in = &bar->in[i];

		if (lb_in(off, len, in->bar_off, in->size)) {
			*phys = in->phys + (off - in->bar_off);
			return 0;
		}
	}
	return -ENOENT;
}

int lb_bar_ep_addr(struct lb_epc *lb, int barno, u64 off, size_t len,
		   phys_addr_t *phys)
{
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&lb->lock, flags);
	ret = lb_bar_ep_addr_locked(lb, barno, off, len, phys);
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	return ret;
}

/* A host access to the RC window: decode, translate, and do it. */
static void lb_rc_access(struct lb_epc *lb, u64 addr, void *buf, size_t len,
			 bool write)
{
	phys_addr_t ep = 0;
	unsigned long flags;
	int barno, ret = -ENOENT;
	u64 off;

	raw_spin_lock_irqsave(&lb->lock, flags);
	if (lb_cfg_bar_decode(lb, addr, &barno, &off))
		ret = lb_bar_ep_addr_locked(lb, barno, off, len, &ep);
	if (write)
		lb->stats.rc_writes++;
	else
		lb->stats.rc_reads++;
	raw_spin_unlock_irqrestore(&lb->lock, flags);

	if (!ret)
		ret = lb_ep_rw(lb, ep, buf, len, write);
	if (ret) {
		lb->stats.rc_unmapped++;
		dev_dbg_ratelimited(lb->dev, "host %s of %zu at %#llx: nothing decodes it\n",
				    write ? "write" : "read", len, addr);
		if (!write)
			memset(buf, 0xff, len);
	}
}

/* An EP access to its outbound window. */
static void lb_ob_access(struct lb_epc *lb, u64 addr, void *buf, size_t len,
			 bool write)
{
	if (write)
		lb->stats.ob_writes++;
	else
		lb->stats.ob_reads++;
	if (lb_ep_rw(lb, addr, buf, len, write)) {
		lb->stats.ob_unmapped++;
		dev_warn_ratelimited(lb->dev, "EP outbound %s of %zu at %#llx: not mapped\n",
				     write ? "write" : "read", len, addr);
		if (!write)
			memset(buf, 0xff, len);
	}
}

static void lb_access(struct lb_mapping *m, unsigned int offset, void *buf,
		      size_t len, bool write)
{
	u64 addr = m->base + offset;

	switch (m->space) {
	case LB_SPACE_RC:
		lb_rc_access(m->lb, addr, buf, len, write);
		break;
	case LB_SPACE_OB:
		lb_ob_access(m->lb, addr, buf, len, write);
		break;
	case LB_SPACE_REG:
		if (lb_reg_rw(m->lb, addr - LB_REG_BASE, buf, len, write) && !write)
			memset(buf, 0xff, len);
		break;
	}
}

static unsigned long lb_io_read(void *priv, unsigned int offset, int size)
{
	u64 v = 0;

	lb_access(priv, offset, &v, size, false);
	return v;	/* little-endian host: the low bytes are the value */
}

static void lb_io_write(void *priv, unsigned int offset, int size,
			unsigned long val)
{
	u64 v = val;

	lb_access(priv, offset, &v, size, true);
}

static void lb_io_set(void *priv, unsigned int offset, u8 value, int size)
{
	u8 chunk[256];

	memset(chunk, value, sizeof(chunk));
	while (size > 0) {
		int n = min_t(int, size, sizeof(chunk));

		lb_access(priv, offset, chunk, n, true);
		offset += n;
		size -= n;
	}
}

static void lb_io_copy_from(void *priv, void *buffer, unsigned int offset,
			    int size)
{
	lb_access(priv, offset, buffer, size, false);
}

static void lb_io_copy_to(void *priv, unsigned int offset, const void *buffer,
			  int size)
{
	lb_access(priv, offset, (void *)buffer, size, true);
}

static void lb_io_unmap(void *priv)
{
	kfree(priv);
}

static const struct logic_iomem_ops lb_io_ops = {
	.read = lb_io_read,
	.write = lb_io_write,
	.set = lb_io_set,
	.copy_from = lb_io_copy_from,
	.copy_to = lb_io_copy_to,
	.unmap = lb_io_unmap,
};

static long lb_map(enum lb_space space, u64 base, unsigned long offset,
		   const struct logic_iomem_ops **ops, void **priv)
{
	struct lb_mapping *m;

	if (!lb_region_owner)
		return -ENODEV;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->lb = lb_region_owner;
	m->space = space;
	m->base = base + offset;
	*ops = &lb_io_ops;
	*priv = m;
	return 0;
}

static long lb_rc_map(unsigned long offset, size_t size,
		      const struct logic_iomem_ops **ops, void **priv)
{
	return lb_map(LB_SPACE_RC, LB_RC_WIN_BASE, offset, ops, priv);
}

static long lb_ob_map(unsigned long offset, size_t size,
		      const struct logic_iomem_ops **ops, void **priv)
{
	return lb_map(LB_SPACE_OB, LB_OB_BASE, offset, ops, priv);
}

static long lb_reg_map(unsigned long offset, size_t size,
		       const struct logic_iomem_ops **ops, void **priv)
{
	return lb_map(LB_SPACE_REG, LB_REG_BASE, offset, ops, priv);
}

static const struct logic_iomem_region_ops lb_rc_region_ops = { .map = lb_rc_map };
static const struct logic_iomem_region_ops lb_ob_region_ops = { .map = lb_ob_map };
static const struct logic_iomem_region_ops lb_reg_region_ops = { .map = lb_reg_map };

/*
 * logic_iomem has no way to remove a region, so the module that registers
 * them cannot be unloaded (it has no exit function).
 */
int lb_regions_init(struct lb_epc *lb)
{
	int ret;

	lb->win_res = (struct resource)DEFINE_RES_MEM_NAMED(LB_RC_WIN_BASE, LB_RC_WIN_SIZE,
							    "loopback host window");
	lb->ob_res = (struct resource)DEFINE_RES_MEM_NAMED(LB_OB_BASE, LB_OB_SIZE,
							   "loopback EP outbound");
	lb->reg_res = (struct resource)DEFINE_RES_MEM_NAMED(LB_REG_BASE, LB_REG_SIZE,
							    "loopback EP registers");
	lb_region_owner = lb;
	ret = logic_iomem_add_region(&lb->win_res, &lb_rc_region_ops);
	if (!ret)
		ret = logic_iomem_add_region(&lb->ob_res, &lb_ob_region_ops);
	if (!ret)
		ret = logic_iomem_add_region(&lb->reg_res, &lb_reg_region_ops);
	return ret;
}
