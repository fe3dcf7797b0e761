// SPDX-License-Identifier: GPL-2.0
/*
 * loopback-edma: the loopback EPC's integrated DesignWare eDMA. Glues the
 * software engine (edma_model.c) to UML: register accesses arrive through
 * the EPC's logic_iomem region or its inbound BAR router, doorbells queue
 * work on an ordered workqueue, the engine's local interrupt lines are a
 * private IRQ domain, and the EP-local dw-edma instance is registered on the
 * EPC's parent device exactly as a DesignWare EP controller does it.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dma/edma.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/list.h>
#include <linux/logic_iomem.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pfn.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "edma_model.h"
#include "loopback-edma.h"

static bool edma_lenient_links;
module_param(edma_lenient_links, bool, 0444);
MODULE_PARM_DESC(edma_lenient_links,
		 "eDMA model: follow link elements whatever their cycle bit");

#define LB_EDMA_NR_IRQS		(2 * LB_EDMA_MAX_CHANS)

static_assert((int)LB_EDMA_DIR_WRITE == (int)EDMA_MODEL_WR);
static_assert((int)LB_EDMA_DIR_READ == (int)EDMA_MODEL_RD);
static_assert(LB_EDMA_REG_SIZE == EDMA_MODEL_REG_SIZE);
static_assert(LB_EDMA_MAX_CHANS == EDMA_MODEL_MAX_CH);

struct lb_edma_ll {
	void *vaddr;
	dma_addr_t dma;
	size_t size;
};

struct lb_edma {
	struct list_head node;		/* lb_edma_list, for irq_vector() */
	struct device *parent;
	struct lb_edma_config cfg;
	unsigned int nch[2];
	const struct lb_edma_bus_ops *bus;
	void *ctx;

	struct edma_model *m;
	struct workqueue_struct *wq;
	struct work_struct work;
	bool dying;
	bool hold;			/* debugfs: doorbells wait (a stalled engine) */

	struct lb_edma_ll ll[2][LB_EDMA_MAX_CHANS];

	struct fwnode_handle *fwnode;
	struct irq_domain *irqd;
	unsigned int virq[LB_EDMA_NR_IRQS];

	struct dw_edma_chip chip;
	bool registered;
	struct dentry *debugfs;
};

static LIST_HEAD(lb_edma_list);
static DEFINE_MUTEX(lb_edma_list_lock);

/* ---- memory: default accessors for UML RAM ---- */

static void *ram_span(u64 addr, size_t len)
{
	unsigned long pfn;

	if (!len || addr + len < addr)
		return NULL;
	for (pfn = PHYS_PFN(addr); pfn <= PHYS_PFN(addr + len - 1); pfn++)
		if (!pfn_valid(pfn))
			return NULL;
	return phys_to_virt(addr);
}

static int ram_read(u64 addr, void *buf, size_t len)
{
	void *p = ram_span(addr, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int ram_write(u64 addr, const void *buf, size_t len)
{
	void *p = ram_span(addr, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static int lb_local_read(void *ctx, u64 addr, void *buf, size_t len)
{
	struct lb_edma *e = ctx;

	if (e->bus->local_read)
		return e->bus->local_read(e->ctx, addr, buf, len);
	return ram_read(addr, buf, len);
}

static int lb_local_write(void *ctx, u64 addr, const void *buf, size_t len)
{
	struct lb_edma *e = ctx;

	if (e->bus->local_write)
		return e->bus->local_write(e->ctx, addr, buf, len);
	return ram_write(addr, buf, len);
}

static int lb_pci_read(void *ctx, u64 addr, void *buf, size_t len)
{
	struct lb_edma *e = ctx;

	if (e->bus->pci_read)
		return e->bus->pci_read(e->ctx, addr, buf, len);
	return ram_read(addr, buf, len);
}

static int lb_pci_write(void *ctx, u64 addr, const void *buf, size_t len)
{
	struct lb_edma *e = ctx;

	if (e->bus->pci_write)
		return e->bus->pci_write(e->ctx, addr, buf, len);
	return ram_write(addr, buf, len);
}

/* ---- engine scheduling and local interrupts ---- */

static unsigned int lb_hwirq(struct lb_edma *e, enum edma_model_dir dir,
			     unsigned int ch)
{
	/* dw-edma's layout for nr_irqs == wr + rd: write lines, then read */
	return dir == EDMA_MODEL_WR ? ch : e->nch[LB_EDMA_DIR_WRITE] + ch;
}

static void lb_raise_irq(void *ctx, enum edma_model_dir dir, unsigned int ch)
{
	struct lb_edma *e = ctx;

	generic_handle_domain_irq_safe(e->irqd, lb_hwirq(e, dir, ch));
}

static void lb_kick(void *ctx)
{
	struct lb_edma *e = ctx;

	/* Called under dw-edma's locks with IRQs off: only queue. */
	if (!READ_ONCE(e->dying) && !READ_ONCE(e->hold))
		queue_work(e->wq, &e->work);
}

static void lb_edma_work(struct work_struct *work)
{
	struct lb_edma *e = container_of(work, struct lb_edma, work);

	edma_model_run(e->m);
}

static const struct edma_model_ops lb_model_ops = {
	.local_read = lb_local_read,
	.local_write = lb_local_write,
	.pci_read = lb_pci_read,
	.pci_write = lb_pci_write,
	.raise_irq = lb_raise_irq,
	.kick = lb_kick,
};

static int lb_irq_map(struct irq_domain *d, unsigned int virq,
		      irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &dummy_irq_chip, handle_simple_irq);
	irq_set_chip_data(virq, d->host_data);
	return 0;
}

static const struct irq_domain_ops lb_irq_domain_ops = {
	.map = lb_irq_map,
	.xlate = irq_domain_xlate_onecell,
};

static void lb_irqs_free(struct lb_edma *e)
{
	unsigned int i;

	for (i = 0; i < LB_EDMA_NR_IRQS; i++) {
		if (e->virq[i])
			irq_dispose_mapping(e->virq[i]);
		e->virq[i] = 0;
	}
	if (e->irqd)
		irq_domain_remove(e->irqd);
	e->irqd = NULL;
	if (e->fwnode)
		irq_domain_free_fwnode(e->fwnode);
	e->fwnode = NULL;
}

static int lb_irqs_alloc(struct lb_edma *e)
{
	unsigned int i, n = e->nch[0] + e->nch[1];

	e->fwnode = irq_domain_alloc_named_fwnode(dev_name(e->parent));
	if (!e->fwnode)
		return -ENOMEM;
	e->irqd = irq_domain_create_linear(e->fwnode, LB_EDMA_NR_IRQS,
					   &lb_irq_domain_ops, e);
	if (!e->irqd)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		e->virq[i] = irq_create_mapping(e->irqd, i);
		if (!e->virq[i])
			return -ENOSPC;
	}
	return 0;
}

/* ---- LL memory ---- */

static void lb_ll_free(struct lb_edma *e)
{
	struct lb_edma_ll *ll;
	int dir, ch;

	for (dir = 0; dir < 2; dir++) {
		for (ch = 0; ch < LB_EDMA_MAX_CHANS; ch++) {
			ll = &e->ll[dir][ch];
			if (ll->vaddr)
				dma_free_coherent(e->parent, ll->size, ll->vaddr,
						  ll->dma);
			ll->vaddr = NULL;
		}
	}
}

static int lb_ll_alloc(struct lb_edma *e)
{
	struct lb_edma_ll *ll;
	unsigned int ch;
	int dir;

	for (dir = 0; dir < 2; dir++) {
		for (ch = 0; ch < e->nch[dir]; ch++) {
			ll = &e->ll[dir][ch];
			ll->size = e->cfg.ll_size;
			ll->vaddr = dma_alloc_coherent(e->parent, ll->size,
						       &ll->dma, GFP_KERNEL);
			if (!ll->vaddr)
				return -ENOMEM;
		}
	}
	return 0;
}

/* ---- debugfs ---- */

static int lb_stats_show(struct seq_file *s, void *unused)
{
	struct lb_edma *e = s->private;
	struct edma_model_stats st;

	edma_model_get_stats(e->m, &st);
	seq_printf(s, "doorbells %llu\ndoorbells_ignored %llu\nruns %llu\n",
		   st.doorbells, st.doorbells_ignored, st.runs);
	seq_printf(s, "elements %llu\nlinks %llu\nbytes %llu\n",
		   st.elements, st.links, st.bytes);
	seq_printf(s, "bytes_wr %llu\nbytes_rd %llu\n", st.bytes_wr, st.bytes_rd);
	seq_printf(s, "done %llu\naborts %llu\nirqs %llu\nimwr %llu\nimwr_dropped %llu\n",
		   st.done, st.aborts, st.irqs, st.imwr, st.imwr_dropped);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lb_stats);

static int lb_layout_show(struct seq_file *s, void *unused)
{
	struct lb_edma *e = s->private;
	unsigned int ch;
	int dir;

	seq_printf(s, "regs %pa %#x\n", &e->cfg.reg_phys, LB_EDMA_REG_SIZE);
	for (dir = 0; dir < 2; dir++)
		for (ch = 0; ch < e->nch[dir]; ch++)
			seq_printf(s, "%s%u ll %pad %#zx irq %u\n",
				   dir == LB_EDMA_DIR_WRITE ? "wr" : "rd", ch,
				   &e->ll[dir][ch].dma, e->ll[dir][ch].size,
				   e->virq[lb_hwirq(e, dir, ch)]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lb_layout);

/*
 * "hold": 1 stalls the engine (doorbells are latched but no transfer runs),
 * so a fault test can act while a transfer is in flight; 0 runs what was
 * rung in the meantime.
 */
static int lb_hold_get(void *data, u64 *val)
{
	struct lb_edma *e = data;

	*val = READ_ONCE(e->hold);
	return 0;
}

static int lb_hold_set(void *data, u64 val)
{
	struct lb_edma *e = data;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(e->hold, val);
	if (!val && !READ_ONCE(e->dying))
		queue_work(e->wq, &e->work);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(lb_hold_fops, lb_hold_get, lb_hold_set, "%llu\n");

/* ---- public API ---- */

struct lb_edma *lb_edma_create(struct device *parent,
			       const struct lb_edma_config *cfg,
			       const struct lb_edma_bus_ops *ops, void *ctx)
{
	static const struct lb_edma_bus_ops ram_ops;
	struct edma_model_cfg mcfg = { };
	struct lb_edma *e;
	char name[64];
	int ret;

	if (!parent || !cfg || cfg->wr_chans > LB_EDMA_MAX_CHANS ||
	    cfg->rd_chans > LB_EDMA_MAX_CHANS || !cfg->reg_phys ||
	    !IS_ALIGNED(cfg->reg_phys, SZ_4K))
		return ERR_PTR(-EINVAL);

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&e->node);
	e->parent = parent;
	e->cfg = *cfg;
	e->nch[LB_EDMA_DIR_WRITE] = cfg->wr_chans ?: LB_EDMA_MAX_CHANS;
	e->nch[LB_EDMA_DIR_READ] = cfg->rd_chans ?: LB_EDMA_MAX_CHANS;
	if (!e->cfg.ll_size)
		e->cfg.ll_size = PAGE_SIZE;
	e->cfg.ll_size = PAGE_ALIGN(e->cfg.ll_size);
	e->bus = ops ?: &ram_ops;
	e->ctx = ctx;
	INIT_WORK(&e->work, lb_edma_work);

	mcfg.wr_chans = e->nch[LB_EDMA_DIR_WRITE];
	mcfg.rd_chans = e->nch[LB_EDMA_DIR_READ];
	mcfg.lenient_links = cfg->lenient_links || edma_lenient_links;
	e->m = edma_model_create(&mcfg, &lb_model_ops, e);
	if (IS_ERR(e->m)) {
		ret = PTR_ERR(e->m);
		e->m = NULL;
		goto err;
	}

	e->wq = alloc_ordered_workqueue("lb-edma-%s", 0, dev_name(parent));
	if (!e->wq) {
		ret = -ENOMEM;
		goto err;
	}
	ret = lb_ll_alloc(e);
	if (ret) {
		dev_err(parent, "eDMA model: no linked-list memory\n");
		goto err;
	}
	ret = lb_irqs_alloc(e);
	if (ret) {
		dev_err(parent, "eDMA model: no local interrupt lines (%d)\n", ret);
		goto err;
	}

	mutex_lock(&lb_edma_list_lock);
	list_add_tail(&e->node, &lb_edma_list);
	mutex_unlock(&lb_edma_list_lock);

	snprintf(name, sizeof(name), "lb-edma-%s", dev_name(parent));
	e->debugfs = debugfs_create_dir(name, NULL);
	debugfs_create_file("stats", 0444, e->debugfs, e, &lb_stats_fops);
	debugfs_create_file("layout", 0444, e->debugfs, e, &lb_layout_fops);
	debugfs_create_file_unsafe("hold", 0600, e->debugfs, e, &lb_hold_fops);
	return e;

err:
	lb_irqs_free(e);
	lb_ll_free(e);
	if (e->wq)
		destroy_workqueue(e->wq);
	edma_model_destroy(e->m);
	kfree(e);
	return ERR_PTR(ret);
}

void lb_edma_destroy(struct lb_edma *e)
{
	if (IS_ERR_OR_NULL(e))
		return;
	lb_edma_unregister(e);
	debugfs_remove_recursive(e->debugfs);

	mutex_lock(&lb_edma_list_lock);
	list_del(&e->node);
	mutex_unlock(&lb_edma_list_lock);

	/* No new runs; let a running one finish its interrupts. */
	WRITE_ONCE(e->dying, true);
	cancel_work_sync(&e->work);
	destroy_workqueue(e->wq);

	lb_irqs_free(e);
	lb_ll_free(e);
	edma_model_destroy(e->m);
	kfree(e);
}

static int lb_edma_irq_vector(struct device *dev, unsigned int nr)
{
	struct lb_edma *e;
	int irq = -ENODEV;

	mutex_lock(&lb_edma_list_lock);
	list_for_each_entry(e, &lb_edma_list, node) {
		if (e->parent != dev)
			continue;
		irq = nr < e->nch[0] + e->nch[1] ? e->virq[nr] : -EINVAL;
		break;
	}
	mutex_unlock(&lb_edma_list_lock);
	return irq;
}

static const struct dw_edma_plat_ops lb_edma_plat_ops = {
	.irq_vector = lb_edma_irq_vector,
};

int lb_edma_register(struct lb_edma *e)
{
	struct dw_edma_chip *chip = &e->chip;
	unsigned int ch;
	int ret;

	if (e->registered)
		return -EBUSY;
	/*
	 * dma_async_device_register() takes its module owner from
	 * chip->dev->driver: the EPC's parent must be bound to a driver, as
	 * a DesignWare controller's platform device always is.
	 */
	if (!e->parent->driver) {
		dev_err(e->parent, "eDMA model: the EPC parent has no driver bound, dmaengine needs one\n");
		return -ENODEV;
	}

	memset(chip, 0, sizeof(*chip));
	chip->dev = e->parent;
	chip->ops = &lb_edma_plat_ops;
	chip->flags = DW_EDMA_CHIP_LOCAL;
	chip->mf = EDMA_MF_EDMA_UNROLL;
	chip->nr_irqs = e->nch[0] + e->nch[1];
	chip->ll_wr_cnt = e->nch[LB_EDMA_DIR_WRITE];
	chip->ll_rd_cnt = e->nch[LB_EDMA_DIR_READ];
	for (ch = 0; ch < chip->ll_wr_cnt; ch++) {
		chip->ll_region_wr[ch].paddr = e->ll[LB_EDMA_DIR_WRITE][ch].dma;
		chip->ll_region_wr[ch].vaddr.mem = e->ll[LB_EDMA_DIR_WRITE][ch].vaddr;
		chip->ll_region_wr[ch].sz = e->ll[LB_EDMA_DIR_WRITE][ch].size;
	}
	for (ch = 0; ch < chip->ll_rd_cnt; ch++) {
		chip->ll_region_rd[ch].paddr = e->ll[LB_EDMA_DIR_READ][ch].dma;
		chip->ll_region_rd[ch].vaddr.mem = e->ll[LB_EDMA_DIR_READ][ch].vaddr;
		chip->ll_region_rd[ch].sz = e->ll[LB_EDMA_DIR_READ][ch].size;
	}

	chip->reg_base = ioremap(e->cfg.reg_phys, LB_EDMA_REG_SIZE);
	if (!chip->reg_base) {
		dev_err(e->parent, "eDMA model: cannot map registers at %pa\n",
			&e->cfg.reg_phys);
		return -ENOMEM;
	}
	/* Reading back the channel counts proves the mapping reaches us. */
	if (readl(chip->reg_base + EDMA_M_CTRL) !=
	    (e->nch[0] | e->nch[1] << 16)) {
		dev_err(e->parent, "eDMA model: registers at %pa are not the model's\n",
			&e->cfg.reg_phys);
		ret = -ENODEV;
		goto err_unmap;
	}

	ret = dw_edma_probe(chip);
	if (ret) {
		dev_err(e->parent, "eDMA model: dw_edma_probe failed (%d)\n", ret);
		goto err_unmap;
	}
	e->registered = true;
	return 0;

err_unmap:
	iounmap(chip->reg_base);
	chip->reg_base = NULL;
	return ret;
}

void lb_edma_unregister(struct lb_edma *e)
{
	if (IS_ERR_OR_NULL(e) || !e->registered)
		return;
	dw_edma_remove(&e->chip);
	/* A run still in flight must not raise IRQs into a freed instance. */
	flush_work(&e->work);
	iounmap(e->chip.reg_base);
	e->chip.reg_base = NULL;
	e->registered = false;
}

u64 lb_edma_reg_read(struct lb_edma *e, unsigned int off, int size)
{
	return edma_model_reg_read(e->m, off, size);
}

void lb_edma_reg_write(struct lb_edma *e, unsigned int off, int size, u64 val)
{
	edma_model_reg_write(e->m, off, size, val);
}

static unsigned long lb_iomem_read(void *priv, unsigned int offset, int size)
{
	struct lb_edma *e = priv;

	return edma_model_reg_read(e->m, offset, size);
}

static void lb_iomem_write(void *priv, unsigned int offset, int size,
			   unsigned long val)
{
	struct lb_edma *e = priv;

	edma_model_reg_write(e->m, offset, size, val);
}

const struct logic_iomem_ops lb_edma_iomem_ops = {
	.read = lb_iomem_read,
	.write = lb_iomem_write,
};

void lb_edma_reg_region(struct lb_edma *e, phys_addr_t *phys, size_t *size)
{
	*phys = e->cfg.reg_phys;
	*size = LB_EDMA_REG_SIZE;
}

bool lb_edma_owns(struct lb_edma *e, phys_addr_t phys, size_t size)
{
	return phys >= e->cfg.reg_phys && size <= LB_EDMA_REG_SIZE &&
	       phys - e->cfg.reg_phys <= LB_EDMA_REG_SIZE - size;
}

int lb_edma_ll_region(struct lb_edma *e, enum lb_edma_dir dir, unsigned int ch,
		      phys_addr_t *phys, size_t *size, void **vaddr)
{
	struct lb_edma_ll *ll;

	if ((dir != LB_EDMA_DIR_WRITE && dir != LB_EDMA_DIR_READ) ||
	    ch >= e->nch[dir])
		return -EINVAL;
	ll = &e->ll[dir][ch];
	if (phys)
		*phys = ll->dma;
	if (size)
		*size = ll->size;
	if (vaddr)
		*vaddr = ll->vaddr;
	return 0;
}

unsigned int lb_edma_chan_count(struct lb_edma *e, enum lb_edma_dir dir)
{
	return dir == LB_EDMA_DIR_WRITE || dir == LB_EDMA_DIR_READ ?
	       e->nch[dir] : 0;
}

struct dw_edma_chip *lb_edma_chip(struct lb_edma *e)
{
	return e->registered ? &e->chip : NULL;
}
