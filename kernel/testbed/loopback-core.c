// SPDX-License-Identifier: GPL-2.0
/*
 * Loopback PCI endpoint controller for User-Mode Linux.
 *
 * Registers a pci_epc that endpoint functions (pci-epf-test, pci-epf-vntb,
 * ...) bind to unchanged. On start() a work item brings the "link" up: a
 * software host bridge in the same kernel enumerates the bound function from
 * what it programmed, and host drivers bind to it. See loopback.h for the
 * address map and locking.
 *
 * Test infrastructure only: it models an endpoint controller closely enough
 * for the kernel's own endpoint/NTB tests to pass, no more.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "loopback.h"
#ifdef LOOPBACK_HAVE_EDMA
#include "loopback-edma.h"
#endif

static char *profile = "generic";
module_param(profile, charp, 0444);
MODULE_PARM_DESC(profile, "BAR/IRQ feature profile: generic, rcar (R-Car S4-like), imx8 (i.MX8-like)");

static bool edma = true;
module_param(edma, bool, 0444);
MODULE_PARM_DESC(edma, "Provide the integrated eDMA model as the EP-local dw-edma instance");

/* Trees with BAR sub-range mapping (the series' prerequisite) get it offered. */
#ifdef LB_HAVE_SUBMAP
#define LB_SUBMAP_FEATURES .subrange_mapping = true, .dynamic_inbound_mapping = true,
#else
#define LB_SUBMAP_FEATURES
#endif

static const struct lb_profile lb_profiles[] = {
	{
		/* every BAR programmable, MSI and MSI-X, link-up events */
		.name = "generic",
		.features = {
			.linkup_notifier = true,
			.msi_capable = true,
			.msix_capable = true,
			.align = SZ_4K,
			LB_SUBMAP_FEATURES
		},
	}, {
		/* like pcie-rcar-gen4: odd BARs reserved, BAR4 fixed 256 B */
		.name = "rcar",
		.features = {
			.linkup_notifier = false,
			.msi_capable = true,
			.msix_capable = false,
			.bar[BAR_1] = { .type = BAR_RESERVED, },
			.bar[BAR_3] = { .type = BAR_RESERVED, },
			.bar[BAR_4] = { .type = BAR_FIXED, .fixed_size = 256 },
			.bar[BAR_5] = { .type = BAR_RESERVED, },
			.align = SZ_4K,
			LB_SUBMAP_FEATURES
		},
	}, {
		/* like pci-imx6 (i.MX8Q): odd BARs reserved, 64 KiB alignment */
		.name = "imx8",
		.features = {
			.linkup_notifier = false,
			.msi_capable = true,
			.msix_capable = false,
			.bar[BAR_1] = { .type = BAR_RESERVED, },
			.bar[BAR_3] = { .type = BAR_RESERVED, },
			.bar[BAR_5] = { .type = BAR_RESERVED, },
			.align = SZ_64K,
			LB_SUBMAP_FEATURES
		},
	},
};

static struct workqueue_struct *lb_wq;

static struct lb_epc *to_lb(struct pci_epc *epc)
{
	return epc_get_drvdata(epc);
}

static int lb_write_header(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			   struct pci_epf_header *hdr)
{
	struct lb_epc *lb = to_lb(epc);
	unsigned long flags;

	if (func_no || vfunc_no)
		return -EINVAL;
	raw_spin_lock_irqsave(&lb->lock, flags);
	lb->hdr = *hdr;
	lb->hdr_set = true;
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	return 0;
}

static int lb_check_bar(struct lb_epc *lb, struct pci_epf_bar *epf_bar)
{
	const struct pci_epc_bar_desc *desc;
	enum pci_barno barno = epf_bar->barno;
	bool is64 = epf_bar->flags & PCI_BASE_ADDRESS_MEM_TYPE_64;

	if (barno < BAR_0 || barno > BAR_5)
		return -EINVAL;
	desc = &lb->profile->features.bar[barno];
	if (desc->type == BAR_RESERVED) {
		dev_err(lb->dev, "BAR%d is reserved in profile %s\n", barno,
			lb->profile->name);
		return -EINVAL;
	}
	if (desc->type == BAR_FIXED && epf_bar->size != desc->fixed_size) {
		dev_err(lb->dev, "BAR%d has a fixed size of %llu, not %zu\n", barno,
			desc->fixed_size, epf_bar->size);
		return -EINVAL;
	}
	if (desc->only_64bit && !is64)
		return -EINVAL;
	if (is64 && barno == BAR_5)
		return -EINVAL;
	if (epf_bar->flags & PCI_BASE_ADDRESS_SPACE_IO)
		return -EINVAL;
	if (epf_bar->size < 16 || !is_power_of_2(epf_bar->size) ||
	    epf_bar->size > SZ_1G) {
		dev_err(lb->dev, "BAR%d: bad size %zu\n", barno, epf_bar->size);
		return -EINVAL;
	}
	return 0;
}

static int lb_set_bar(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
		      struct pci_epf_bar *epf_bar)
{
	struct lb_epc *lb = to_lb(epc);
	struct lb_bar *bar;
	unsigned long flags;
	int ret;

	if (func_no || vfunc_no)
		return -EINVAL;
	ret = lb_check_bar(lb, epf_bar);
	if (ret)
		return ret;
#ifdef LB_HAVE_SUBMAP
	if (epf_bar->num_submap) {
		u64 total = 0;
		int i;

		if (!epf_bar->submap)
			return -EINVAL;
		if (epf_bar->num_submap > LB_NR_INBOUND) {
			/* as the DesignWare EP does when it runs out of inbound windows */
			dev_err(lb->dev, "BAR%d: %u sub-ranges, at most %d inbound windows per BAR\n",
				epf_bar->barno, epf_bar->num_submap, LB_NR_INBOUND);
			return -ENOSPC;
		}
		for (i = 0; i < epf_bar->num_submap; i++)
			total += epf_bar->submap[i].size;
		if (total != epf_bar->size) {
			dev_err(lb->dev, "BAR%d: sub-ranges cover %llu of %zu bytes\n",
				epf_bar->barno, total, epf_bar->size);
			return -EINVAL;
		}
	}
#endif
	bar = &lb->bar[epf_bar->barno];
	raw_spin_lock_irqsave(&lb->lock, flags);
	if (lb->link_up && bar->host_size &&
	    (epf_bar->size > bar->host_size ||
	     (epf_bar->flags & 0xf) != (bar->flags & 0xf))) {
		/* hardware cannot resize a BAR the host already sized */
		raw_spin_unlock_irqrestore(&lb->lock, flags);
		dev_err(lb->dev, "BAR%d: size/type change after link-up\n",
			epf_bar->barno);
		return -EBUSY;
	}
	if (!lb->link_up) {
		bar->size = epf_bar->size;
		bar->flags = epf_bar->flags;
	}
	bar->set = true;
	/*
	 * Whole-BAR translation; sub-range maps replace this list. Address 0
	 * is what functions pass before they have a buffer (vNTB memory
	 * windows): treat it as "not translated" rather than let the host
	 * scribble over the first page of RAM.
	 */
	bar->in[0].bar_off = 0;
	bar->in[0].size = epf_bar->size;
	bar->in[0].phys = epf_bar->phys_addr;
	bar->nr_in = epf_bar->phys_addr ? 1 : 0;
#ifdef LB_HAVE_SUBMAP
	if (epf_bar->num_submap) {
		u64 off = 0;
		int i;

		/* consecutive sub-ranges covering the whole BAR, in order */
		for (i = 0; i < epf_bar->num_submap; i++) {
			bar->in[i].bar_off = off;
			bar->in[i].size = epf_bar->submap[i].size;
			bar->in[i].phys = epf_bar->submap[i].phys_addr;
			off += epf_bar->submap[i].size;
		}
		bar->nr_in = epf_bar->num_submap;
	}
#endif
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	return 0;
}

static void lb_clear_bar(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			 struct pci_epf_bar *epf_bar)
{
	struct lb_epc *lb = to_lb(epc);
	struct lb_bar *bar;
	unsigned long flags;

	if (func_no || vfunc_no || epf_bar->barno < BAR_0 || epf_bar->barno > BAR_5)
		return;
	bar = &lb->bar[epf_bar->barno];
	raw_spin_lock_irqsave(&lb->lock, flags);
	bar->nr_in = 0;
	if (!lb->link_up)
		bar->set = false;
	raw_spin_unlock_irqrestore(&lb->lock, flags);
}

static int lb_map_addr(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
		       phys_addr_t addr, u64 pci_addr, size_t size)
{
	struct lb_epc *lb = to_lb(epc);
	unsigned long flags;
	int i, ret = -ENOSPC;

	if (func_no || vfunc_no)
		return -EINVAL;
	if (addr < LB_OB_BASE || size > LB_OB_SIZE ||
	    addr - LB_OB_BASE > LB_OB_SIZE - size) {
		dev_err(lb->dev, "map_addr: %pa (+%zu) is outside the outbound window\n",
			&addr, size);
		return -EINVAL;
	}
	raw_spin_lock_irqsave(&lb->lock, flags);
	for (i = 0; i < LB_NR_OB; i++) {
		struct lb_outbound *ob = &lb->ob[i];

		if (ob->used)
			continue;
		ob->used = true;
		ob->phys = addr;
		ob->pci_addr = pci_addr;
		ob->size = size;
		ret = 0;
		break;
	}
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	if (ret)
		dev_err(lb->dev, "map_addr: all %d outbound windows in use\n", LB_NR_OB);
	return ret;
}

static void lb_unmap_addr(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			  phys_addr_t addr)
{
	struct lb_epc *lb = to_lb(epc);
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&lb->lock, flags);
	for (i = 0; i < LB_NR_OB; i++) {
		if (lb->ob[i].used && lb->ob[i].phys == addr) {
			lb->ob[i].used = false;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&lb->lock, flags);
}

static int lb_set_msi(struct pci_epc *epc, u8 func_no, u8 vfunc_no, u8 mmc)
{
	struct lb_epc *lb = to_lb(epc);
	unsigned long flags;

	if (func_no || vfunc_no || !lb->profile->features.msi_capable || mmc > 5)
		return -EINVAL;
	raw_spin_lock_irqsave(&lb->lock, flags);
	lb->msi_mmc = mmc;
	if (lb->link_up && lb->cfg[LB_CAP_MSI] == PCI_CAP_ID_MSI) {
		u16 ctrl = lb_cfg_read16(lb, LB_CAP_MSI + PCI_MSI_FLAGS);

		ctrl = (ctrl & ~PCI_MSI_FLAGS_QMASK) | (mmc << 1);
		put_unaligned_le16(ctrl, lb->cfg + LB_CAP_MSI + PCI_MSI_FLAGS);
	}
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	return 0;
}

static int lb_get_msi(struct pci_epc *epc, u8 func_no, u8 vfunc_no)
{
	struct lb_epc *lb = to_lb(epc);
	unsigned long flags;
	int ret = -EINVAL;
	u16 ctrl;

	raw_spin_lock_irqsave(&lb->lock, flags);
	if (lb->link_up && lb->cfg[LB_CAP_MSI] == PCI_CAP_ID_MSI) {
		ctrl = lb_cfg_read16(lb, LB_CAP_MSI + PCI_MSI_FLAGS);
		if (ctrl & PCI_MSI_FLAGS_ENABLE)
			ret = (ctrl & PCI_MSI_FLAGS_QSIZE) >> 4;
	}
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	return ret;
}

static int lb_set_msix(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
		       u16 nr_irqs, enum pci_barno bir, u32 offset)
{
	struct lb_epc *lb = to_lb(epc);
	unsigned long flags;

	if (func_no || vfunc_no || !lb->profile->features.msix_capable ||
	    nr_irqs < 1 || nr_irqs > 2048 || bir > BAR_5 || offset & 7)
		return -EINVAL;
	raw_spin_lock_irqsave(&lb->lock, flags);
	lb->msix_nr = nr_irqs;
	lb->msix_bir = bir;
	lb->msix_off = offset;
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	return 0;
}

static int lb_get_msix(struct pci_epc *epc, u8 func_no, u8 vfunc_no)
{
	struct lb_epc *lb = to_lb(epc);
	unsigned long flags;
	int ret = -EINVAL;
	u16 ctrl;

	raw_spin_lock_irqsave(&lb->lock, flags);
	if (lb->link_up && lb->cfg[LB_CAP_MSIX] == PCI_CAP_ID_MSIX) {
		ctrl = lb_cfg_read16(lb, LB_CAP_MSIX + PCI_MSIX_FLAGS);
		if (ctrl & PCI_MSIX_FLAGS_ENABLE)
			ret = ctrl & PCI_MSIX_FLAGS_QSIZE;
	}
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	return ret;
}

static int lb_raise_irq(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			unsigned int type, u16 interrupt_num)
{
	struct lb_epc *lb = to_lb(epc);

	if (func_no || vfunc_no)
		return -EINVAL;
	switch (type) {
	case PCI_IRQ_INTX:
		return lb_raise_intx(lb);
	case PCI_IRQ_MSI:
		return lb_raise_msi(lb, interrupt_num);
	case PCI_IRQ_MSIX:
		return lb_raise_msix(lb, interrupt_num);
	default:
		return -EINVAL;
	}
}

/* Runs under epc->lock: bringing the link up happens in lb_link_work(). */
static int lb_start(struct pci_epc *epc)
{
	struct lb_epc *lb = to_lb(epc);

	WRITE_ONCE(lb->started, true);
	queue_work(lb_wq, &lb->link_work);
	return 0;
}

static void lb_stop(struct pci_epc *epc)
{
	struct lb_epc *lb = to_lb(epc);

	WRITE_ONCE(lb->started, false);
	queue_work(lb_wq, &lb->link_work);
}

static const struct pci_epc_features *lb_get_features(struct pci_epc *epc,
						      u8 func_no, u8 vfunc_no)
{
	return &to_lb(epc)->profile->features;
}

static const struct pci_epc_ops lb_epc_ops = {
	.write_header = lb_write_header,
	.set_bar = lb_set_bar,
	.clear_bar = lb_clear_bar,
	.map_addr = lb_map_addr,
	.unmap_addr = lb_unmap_addr,
	.set_msi = lb_set_msi,
	.get_msi = lb_get_msi,
	.set_msix = lb_set_msix,
	.get_msix = lb_get_msix,
	.raise_irq = lb_raise_irq,
	.start = lb_start,
	.stop = lb_stop,
	.get_features = lb_get_features,
#if defined(LB_HAVE_AUX) && defined(LOOPBACK_HAVE_EDMA)
	.get_aux_resources = lb_get_aux_resources,
	.delegate_dma_chans = lb_delegate_dma_chans,
	.undelegate_dma_chans = lb_undelegate_dma_chans,
#endif
	.owner = THIS_MODULE,
};

/* Link up: enumerate the function on a fresh root bus. link_mutex held. */
static void lb_link_up(struct lb_epc *lb)
{
	struct pci_host_bridge *bridge;
	unsigned long flags;
	struct pci_bus *bus;
	LIST_HEAD(res);

	raw_spin_lock_irqsave(&lb->lock, flags);
	lb_cfg_build(lb);
	lb->link_up = true;
	raw_spin_unlock_irqrestore(&lb->lock, flags);

	pci_add_resource(&res, &lb->win_res);
	pci_add_resource(&res, &lb->busn_res);
	pci_lock_rescan_remove();
	bus = pci_create_root_bus(lb->dev, LB_BUSNR, &lb_pci_ops, lb, &res);
	if (!bus) {
		pci_unlock_rescan_remove();
		pci_free_resource_list(&res);
		raw_spin_lock_irqsave(&lb->lock, flags);
		lb->link_up = false;
		raw_spin_unlock_irqrestore(&lb->lock, flags);
		dev_err(lb->dev, "link up failed: cannot create the root bus\n");
		return;
	}
	bridge = to_pci_host_bridge(bus->bridge);
	bridge->map_irq = lb_map_irq;
	bridge->swizzle_irq = pci_common_swizzle;
	/* UML's pci_root_bus_fwnode() knows only virt-pci: set ours by hand */
	dev_set_msi_domain(&bus->dev, lb->msi_domain);
	pci_scan_child_bus(bus);
	pci_assign_unassigned_bus_resources(bus);
	pci_bus_add_devices(bus);
	pci_unlock_rescan_remove();
	lb->bus = bus;
	lb->stats.links_up++;
	dev_info(lb->dev, "link up\n");
	pci_epc_linkup(lb->epc);
}

/* What pciehp's pci_dev_set_disconnected() does on a surprise removal */
static int lb_set_disconnected(struct pci_dev *pdev, void *unused)
{
	xchg(&pdev->error_state, pci_channel_io_perm_failure);
	return 0;
}

/*
 * Link down. @surprise (LB_DOWN_*, fault injection): the host loses the
 * function before its drivers are told: reads return all ones and writes
 * are dropped. With LB_DOWN_HOTPLUG the PCI core also marks the function
 * disconnected before it removes it, as pciehp does. LB_DOWN_NONE (stop):
 * the drivers unbind while the function still answers.
 */
static void lb_link_down(struct lb_epc *lb, int surprise)
{
	unsigned long flags;

	if (surprise) {
		raw_spin_lock_irqsave(&lb->lock, flags);
		lb->link_up = false;
		raw_spin_unlock_irqrestore(&lb->lock, flags);
	}
	pci_lock_rescan_remove();
	if (surprise == LB_DOWN_HOTPLUG)
		pci_walk_bus(lb->bus, lb_set_disconnected, NULL);
	pci_stop_root_bus(lb->bus);
	pci_remove_root_bus(lb->bus);
	pci_unlock_rescan_remove();
	lb->bus = NULL;
	raw_spin_lock_irqsave(&lb->lock, flags);
	lb->link_up = false;
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	lb->stats.links_down++;
	dev_info(lb->dev, "link down%s\n", surprise == LB_DOWN_HOTPLUG ? " (forced)" :
		 surprise == LB_DOWN_LOST ? " (lost)" : "");
	if (surprise)
		pci_epc_linkdown(lb->epc);
}

static void lb_link_work(struct work_struct *work)
{
	struct lb_epc *lb = container_of(work, struct lb_epc, link_work);
	bool want;

	mutex_lock(&lb->link_mutex);
	want = READ_ONCE(lb->started) && !READ_ONCE(lb->forced_down) && lb->epc;
	if (want && !lb->bus)
		lb_link_up(lb);
	else if (!want && lb->bus)
		lb_link_down(lb, READ_ONCE(lb->forced_down));
	mutex_unlock(&lb->link_mutex);
}

/*
 * debugfs: "link" reads up/down, takes "up", "down" (surprise removal the PCI
 * core is told about, like pciehp) or "lost" (surprise removal it is not
 * told about: drivers only see all-ones reads); "stats"
 */
static ssize_t lb_link_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct lb_epc *lb = file_inode(file)->i_private;
	char buf[8] = {};

	if (copy_from_user(buf, ubuf, min(count, sizeof(buf) - 1)))
		return -EFAULT;
	if (sysfs_streq(buf, "down"))
		WRITE_ONCE(lb->forced_down, LB_DOWN_HOTPLUG);
	else if (sysfs_streq(buf, "lost"))
		WRITE_ONCE(lb->forced_down, LB_DOWN_LOST);
	else if (sysfs_streq(buf, "up"))
		WRITE_ONCE(lb->forced_down, LB_DOWN_NONE);
	else
		return -EINVAL;
	queue_work(lb_wq, &lb->link_work);
	flush_work(&lb->link_work);
	return count;
}

static ssize_t lb_link_read(struct file *file, char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	struct lb_epc *lb = file_inode(file)->i_private;
	const char *s = READ_ONCE(lb->link_up) ? "up\n" : "down\n";

	return simple_read_from_buffer(ubuf, count, ppos, s, strlen(s));
}

static const struct file_operations lb_link_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = lb_link_read,
	.write = lb_link_write,
	.llseek = default_llseek,
};

static int lb_stats_show(struct seq_file *s, void *unused)
{
	struct lb_epc *lb = s->private;
	struct lb_stats *st = &lb->stats;

	seq_printf(s, "profile: %s\n", lb->profile->name);
	seq_printf(s, "link: %s (started %d, forced down %d)\n",
		   lb->link_up ? "up" : "down", lb->started, lb->forced_down);
	seq_printf(s, "links_up: %lu\nlinks_down: %lu\n", st->links_up, st->links_down);
	seq_printf(s, "rc_reads: %lu\nrc_writes: %lu\nrc_unmapped: %lu\n",
		   st->rc_reads, st->rc_writes, st->rc_unmapped);
	seq_printf(s, "ob_reads: %lu\nob_writes: %lu\nob_unmapped: %lu\n",
		   st->ob_reads, st->ob_writes, st->ob_unmapped);
	seq_printf(s, "msi: %lu\nmsix: %lu\nintx: %lu\nmsi_dropped: %lu\nimwr_mem: %lu\n",
		   st->msi, st->msix, st->intx, st->msi_dropped, st->imwr_mem);
	seq_printf(s, "edma: %s\n", lb->edma ? "yes" : "no");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lb_stats);

#ifdef LOOPBACK_HAVE_EDMA
static int lb_edma_local_read(void *ctx, u64 addr, void *buf, size_t len)
{
	return lb_ep_rw(ctx, addr, buf, len, false);
}

static int lb_edma_local_write(void *ctx, u64 addr, const void *buf, size_t len)
{
	return lb_ep_rw(ctx, addr, (void *)buf, len, true);
}

static int lb_edma_pci_read(void *ctx, u64 addr, void *buf, size_t len)
{
	return lb_pci_rw(ctx, addr, buf, len, false);
}

static int lb_edma_pci_write(void *ctx, u64 addr, const void *buf, size_t len)
{
	return lb_pci_rw(ctx, addr, (void *)buf, len, true);
}

static const struct lb_edma_bus_ops lb_edma_bus = {
	.local_read = lb_edma_local_read,
	.local_write = lb_edma_local_write,
	.pci_read = lb_edma_pci_read,
	.pci_write = lb_edma_pci_write,
};

static void lb_edma_setup(struct lb_epc *lb)
{
	struct lb_edma_config cfg = { .reg_phys = LB_REG_BASE + LB_EDMA_REG_OFF };
	struct lb_edma *e;
	int ret;

	if (!edma)
		return;
	e = lb_edma_create(lb->dev, &cfg, &lb_edma_bus, lb);
	if (IS_ERR(e)) {
		dev_err(lb->dev, "eDMA model: %pe, continuing without\n", e);
		return;
	}
	lb->edma = e;
	ret = lb_edma_register(e);
	if (ret) {
		dev_err(lb->dev, "eDMA model: dw-edma probe failed: %d\n", ret);
		lb->edma = NULL;
		lb_edma_destroy(e);
	}
}
#else
static void lb_edma_setup(struct lb_epc *lb)
{
	if (edma)
		dev_info(lb->dev, "built without the eDMA model\n");
}
#endif

/*
 * The controller appears, as when an EPC driver probes: the pci_epc (sysfs
 * class device, configfs group), its outbound window and its eDMA, then the
 * init notification. What the previous instance was told is forgotten.
 * link_mutex held.
 */
static int lb_epc_add(struct lb_epc *lb)
{
	struct pci_epc *epc;
	unsigned long flags;
	int ret;

	lockdep_assert_held(&lb->link_mutex);
	raw_spin_lock_irqsave(&lb->lock, flags);
	memset(&lb->hdr, 0, sizeof(lb->hdr));
	lb->hdr_set = false;
	memset(lb->bar, 0, sizeof(lb->bar));
	memset(lb->ob, 0, sizeof(lb->ob));
	lb->msi_mmc = -1;
	lb->msix_nr = 0;
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	WRITE_ONCE(lb->started, false);

	epc = devm_pci_epc_create(lb->dev, &lb_epc_ops);
	if (IS_ERR(epc)) {
		dev_err(lb->dev, "pci_epc_create: %pe\n", epc);
		return PTR_ERR(epc);
	}
	epc->max_functions = 1;
	epc_set_drvdata(epc, lb);
	ret = pci_epc_mem_init(epc, LB_OB_BASE, LB_OB_SIZE, PAGE_SIZE);
	if (ret) {
		dev_err(lb->dev, "outbound window: %d\n", ret);
		devm_pci_epc_destroy(lb->dev, epc);
		return ret;
	}
	lb->epc = epc;
	lb_edma_setup(lb);
	pci_epc_init_notify(epc);
	return 0;
}

#if defined(LB_HAVE_AUX) && defined(LOOPBACK_HAVE_EDMA)
static unsigned long lb_delegated_mask(struct lb_epc *lb, int dir)
{
	unsigned long mask = 0;
	int ch;

	for (ch = 0; ch < ARRAY_SIZE(lb->dma_delegated[dir]); ch++)
		if (lb->dma_delegated[dir][ch])
			mask |= BIT(ch);
	return mask;
}
#endif

/*
 * The controller goes away, as when its driver unbinds (the DesignWare
 * dw_pcie_ep_deinit() path): the link goes down the orderly way, functions
 * get the deinit notification, the eDMA is unregistered, then the pci_epc
 * is destroyed with whatever is still linked to it. link_mutex held.
 */
static void lb_epc_remove(struct lb_epc *lb)
{
	struct pci_epc *epc = lb->epc;

	lockdep_assert_held(&lb->link_mutex);
	WRITE_ONCE(lb->started, false);
	if (lb->bus)
		lb_link_down(lb, LB_DOWN_NONE);
	pci_epc_deinit_notify(epc);
#ifdef LB_HAVE_UNBIND_FUNCTIONS
	/*
	 * Functions give back what they use (delegated channels included) while
	 * the engine still works, as dw_pcie_ep_deinit() does on real hardware.
	 */
	pci_epc_unbind_functions(epc);
#endif
#if defined(LB_HAVE_AUX) && defined(LOOPBACK_HAVE_EDMA)
	/* Channels still delegated go with the engine (the EPC core warns) */
	lb_undelegate_dma_chans(epc, 0, 0, PCI_EPC_AUX_DMA_DIR_READ,
				lb_delegated_mask(lb, PCI_EPC_AUX_DMA_DIR_READ));
	lb_undelegate_dma_chans(epc, 0, 0, PCI_EPC_AUX_DMA_DIR_WRITE,
				lb_delegated_mask(lb, PCI_EPC_AUX_DMA_DIR_WRITE));
#endif
#ifdef LOOPBACK_HAVE_EDMA
	if (lb->edma) {
		lb_edma_destroy(lb->edma);
		lb->edma = NULL;
	}
#endif
	pci_epc_mem_exit(epc);
	lb->epc = NULL;
	devm_pci_epc_destroy(lb->dev, epc);
	dev_info(lb->dev, "controller removed\n");
}

/* debugfs "present": 1 while the controller exists; write 0/1 to remove/add it */
static int lb_present_get(void *data, u64 *val)
{
	struct lb_epc *lb = data;

	*val = READ_ONCE(lb->epc) != NULL;
	return 0;
}

static int lb_present_set(void *data, u64 val)
{
	struct lb_epc *lb = data;
	int ret = 0;

	if (val > 1)
		return -EINVAL;
	flush_work(&lb->link_work);
	mutex_lock(&lb->link_mutex);
	if (val && !lb->epc)
		ret = lb_epc_add(lb);
	else if (!val && lb->epc)
		lb_epc_remove(lb);
	mutex_unlock(&lb->link_mutex);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(lb_present_fops, lb_present_get, lb_present_set, "%llu\n");

/*
 * The parent device needs a bound driver: dmaengine (the eDMA model's
 * dw-edma instance) takes its module reference through dev->driver.
 */
static int lb_pdev_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver lb_pdrv = {
	.probe = lb_pdev_probe,
	.driver = {
		.name = LB_DRV_NAME,
		.suppress_bind_attrs = true,
	},
};

static int __init lb_init(void)
{
	struct platform_device_info pinfo = {
		.name = LB_DRV_NAME,
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(64),
	};
	struct platform_device *pdev;
	struct lb_epc *lb;
	unsigned int i;
	int ret;

	lb = kzalloc(sizeof(*lb), GFP_KERNEL);
	if (!lb)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(lb_profiles); i++)
		if (!strcmp(profile, lb_profiles[i].name))
			lb->profile = &lb_profiles[i];
	if (!lb->profile) {
		pr_err(LB_DRV_NAME ": unknown profile '%s' (generic, rcar, imx8)\n", profile);
		kfree(lb);
		return -EINVAL;
	}
	raw_spin_lock_init(&lb->lock);
	mutex_init(&lb->link_mutex);
	INIT_WORK(&lb->link_work, lb_link_work);
	lb->msi_mmc = -1;
	lb->busn_res = (struct resource)DEFINE_RES_NAMED(LB_BUSNR, 16, "loopback bus",
							 IORESOURCE_BUS);

	lb_wq = alloc_ordered_workqueue("loopback-epc", 0);
	if (!lb_wq) {
		kfree(lb);
		return -ENOMEM;
	}
	ret = platform_driver_register(&lb_pdrv);
	if (ret) {
		destroy_workqueue(lb_wq);
		kfree(lb);
		return ret;
	}
	pdev = platform_device_register_full(&pinfo);
	if (IS_ERR(pdev)) {
		platform_driver_unregister(&lb_pdrv);
		destroy_workqueue(lb_wq);
		kfree(lb);
		return PTR_ERR(pdev);
	}
	lb->dev = &pdev->dev;
	if (!lb->dev->driver) {
		dev_err(lb->dev, "platform driver did not bind\n");
		return -ENODEV;
	}

	/*
	 * From here on nothing is undone: logic_iomem regions cannot be
	 * removed, so the module stays loaded and @lb lives forever.
	 */
	ret = lb_irq_init(lb);
	if (ret) {
		dev_err(lb->dev, "interrupt domains: %d\n", ret);
		return ret;
	}
	ret = lb_regions_init(lb);
	if (ret) {
		dev_err(lb->dev, "cannot register the trapped regions: %d\n", ret);
		return ret;
	}
	mutex_lock(&lb->link_mutex);
	ret = lb_epc_add(lb);
	mutex_unlock(&lb->link_mutex);
	if (ret)
		return ret;

	lb->debugfs = debugfs_create_dir(LB_DRV_NAME, NULL);
	debugfs_create_file("link", 0600, lb->debugfs, lb, &lb_link_fops);
	debugfs_create_file("stats", 0400, lb->debugfs, lb, &lb_stats_fops);
	debugfs_create_file("present", 0600, lb->debugfs, lb, &lb_present_fops);

	dev_info(lb->dev, "loopback EPC ready, profile %s\n", lb->profile->name);
	return 0;
}
module_init(lb_init);

MODULE_DESCRIPTION("Loopback PCI endpoint controller for UML (epdma testbed)");
MODULE_LICENSE("GPL");
