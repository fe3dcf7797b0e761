// SPDX-License-Identifier: GPL-2.0
/*
 * Loopback EPC: the series' auxiliary resources and eDMA channel delegation,
 * with the semantics of the DWC endpoint implementation: one DMA_CTRL_MMIO
 * entry for the integrated eDMA's register block, one CHAN_DESC entry per
 * linked-list region; delegated channels are taken from the EP-local dw-edma
 * instance like any local user would take them, with their interrupts routed
 * to the host (IMWr).
 *
 * Built only on trees that carry the series (LB_HAVE_AUX) and with the eDMA
 * model (LOOPBACK_HAVE_EDMA).
 */
#include <linux/bitops.h>
#include <linux/dma/edma.h>
#include <linux/dmaengine.h>
#include "loopback.h"
#include "loopback-edma.h"

static struct dw_edma_chip *lb_chip(struct lb_epc *lb)
{
	return lb->edma ? lb_edma_chip(lb->edma) : NULL;
}

int lb_get_aux_resources(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			 struct pci_epc_aux_resource *res, unsigned int num_res)
{
	struct lb_epc *lb = epc_get_drvdata(epc);
	struct dw_edma_chip *chip = lb_chip(lb);
	unsigned int count, i, n;
	phys_addr_t reg_phys;
	size_t reg_size;

	if (func_no || vfunc_no || !chip)
		return -EOPNOTSUPP;
	count = 1 + chip->ll_wr_cnt + chip->ll_rd_cnt;
	if (!num_res)
		return count;
	if (num_res < count)
		return -ENOSPC;

	lb_edma_reg_region(lb->edma, &reg_phys, &reg_size);
	memset(res, 0, count * sizeof(*res));
	res[0].type = PCI_EPC_AUX_DMA_CTRL_MMIO;
	res[0].phys_addr = reg_phys;
	res[0].size = reg_size;
	res[0].bar = NO_BAR;

	n = 1;
	for (i = 0; i < chip->ll_wr_cnt; i++, n++) {
		res[n].type = PCI_EPC_AUX_DMA_CHAN_DESC;
		res[n].phys_addr = chip->ll_region_wr[i].paddr;
		res[n].size = chip->ll_region_wr[i].sz;
		res[n].bar = NO_BAR;
		res[n].u.dma_chan.dir = PCI_EPC_AUX_DMA_DIR_WRITE;
		res[n].u.dma_chan.hw_ch = i;
		res[n].u.dma_chan.chan_id = chip->chan_ids_wr[i];
	}
	for (i = 0; i < chip->ll_rd_cnt; i++, n++) {
		res[n].type = PCI_EPC_AUX_DMA_CHAN_DESC;
		res[n].phys_addr = chip->ll_region_rd[i].paddr;
		res[n].size = chip->ll_region_rd[i].sz;
		res[n].bar = NO_BAR;
		res[n].u.dma_chan.dir = PCI_EPC_AUX_DMA_DIR_READ;
		res[n].u.dma_chan.hw_ch = i;
		res[n].u.dma_chan.chan_id = chip->chan_ids_rd[i];
	}
	return count;
}

/* Hardware channel number of a channel of the local eDMA, or -1 */
static int lb_dma_hw_ch(struct dw_edma_chip *chip, enum pci_epc_aux_dma_dir dir,
			int chan_id)
{
	const int *ids = dir == PCI_EPC_AUX_DMA_DIR_READ ? chip->chan_ids_rd :
							     chip->chan_ids_wr;
	u16 cnt = dir == PCI_EPC_AUX_DMA_DIR_READ ? chip->ll_rd_cnt : chip->ll_wr_cnt;
	int i;

	for (i = 0; i < cnt; i++)
		if (ids[i] == chan_id)
			return i;
	return -1;
}

struct lb_dma_filter {
	struct lb_epc *lb;
	enum pci_epc_aux_dma_dir dir;
	unsigned long candidates;
};

static bool lb_dma_filter_fn(struct dma_chan *chan, void *param)
{
	struct lb_dma_filter *f = param;
	int hw_ch;

	if (chan->device->dev != f->lb->dev)
		return false;
	hw_ch = lb_dma_hw_ch(lb_chip(f->lb), f->dir, chan->chan_id);
	return hw_ch >= 0 && (f->candidates & BIT(hw_ch));
}

static int lb_dma_set_irq_mode(struct dma_chan *chan, enum dw_edma_ch_irq_mode mode)
{
	struct dw_edma_peripheral_config pcfg = { .irq_mode = mode };
	struct dma_slave_config cfg = {
		.peripheral_config = &pcfg,
		.peripheral_size = sizeof(pcfg),
	};

	return dmaengine_slave_config(chan, &cfg);
}

void lb_undelegate_dma_chans(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			     enum pci_epc_aux_dma_dir dir, unsigned long chans)
{
	struct lb_epc *lb = epc_get_drvdata(epc);
	struct dma_chan *chan;
	unsigned int hw_ch;

	if (dir >= PCI_EPC_AUX_DMA_NUM_DIRS)
		return;
	for_each_set_bit(hw_ch, &chans, LB_EDMA_MAX_CHANS) {
		chan = lb->dma_delegated[dir][hw_ch];
		if (WARN_ON(!chan))
			continue;
		if (lb_dma_set_irq_mode(chan, DW_EDMA_CH_IRQ_DEFAULT))
			dev_warn(lb->dev, "eDMA channel %u: cannot restore local interrupts\n",
				 hw_ch);
		dma_release_channel(chan);
		lb->dma_delegated[dir][hw_ch] = NULL;
	}
}

int lb_delegate_dma_chans(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			  enum pci_epc_aux_dma_dir dir, unsigned long candidates,
			  unsigned int max_chans, unsigned long *delegated)
{
	struct lb_epc *lb = epc_get_drvdata(epc);
	struct lb_dma_filter filter = {
		.lb = lb,
		.dir = dir,
		.candidates = candidates & GENMASK(LB_EDMA_MAX_CHANS - 1, 0),
	};
	unsigned long got = 0;
	struct dma_chan *chan;
	dma_cap_mask_t mask;
	unsigned int n = 0;
	int hw_ch, ret;

	if (func_no || vfunc_no || !lb_chip(lb) || dir >= PCI_EPC_AUX_DMA_NUM_DIRS)
		return -EOPNOTSUPP;

	dma_cap_zero(mask);
	dma_cap_set(DMA_SLAVE, mask);
	while (n < max_chans && filter.candidates) {
		chan = dma_request_channel(mask, lb_dma_filter_fn, &filter);
		if (!chan)
			break;
		hw_ch = lb_dma_hw_ch(lb_chip(lb), dir, chan->chan_id);
		if (WARN_ON(hw_ch < 0 || lb->dma_delegated[dir][hw_ch])) {
			dma_release_channel(chan);
			ret = -EIO;
			goto err_undo;
		}
		ret = lb_dma_set_irq_mode(chan, DW_EDMA_CH_IRQ_REMOTE);
		if (ret) {
			dev_err(lb->dev, "eDMA channel %d: cannot route interrupts to the host: %d\n",
				hw_ch, ret);
			dma_release_channel(chan);
			goto err_undo;
		}
		lb->dma_delegated[dir][hw_ch] = chan;
		got |= BIT(hw_ch);
		filter.candidates &= ~BIT(hw_ch);
		n++;
	}
	*delegated = got;
	return n;

err_undo:
	lb_undelegate_dma_chans(epc, func_no, vfunc_no, dir, got);
	return ret;
}
