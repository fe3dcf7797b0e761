// SPDX-License-Identifier: GPL-2.0
/*
 * Loopback EPC: the host's interrupt controller for the emulated function.
 *
 * MSI and MSI-X go through a private parent domain whose message is
 * (LB_MSI_ADDR, hwirq): a write of D to LB_MSI_ADDR raises hwirq D. That is
 * the only decoder, so EP-raised MSI/MSI-X and eDMA IMWr messages reach the
 * host the same way they do on hardware, multi-MSI data bits included.
 * INTx is one irq_sim line handed out by the bridge's map_irq.
 */
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irq_sim.h>
#include <linux/irqdomain.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include "loopback.h"

static void lb_msi_compose(struct irq_data *d, struct msi_msg *msg)
{
	msg->address_lo = lower_32_bits(LB_MSI_ADDR);
	msg->address_hi = upper_32_bits(LB_MSI_ADDR);
	msg->data = d->hwirq;
}

static struct irq_chip lb_msi_bottom_chip = {
	.name = "loopback-msi",
	.irq_compose_msi_msg = lb_msi_compose,
};

static int lb_msi_alloc(struct irq_domain *d, unsigned int virq,
			unsigned int nr, void *arg)
{
	struct lb_epc *lb = d->host_data;
	unsigned long flags;
	unsigned int i;
	int bit;

	/* Multi-MSI needs a naturally aligned block: the device ORs the vector in. */
	raw_spin_lock_irqsave(&lb->lock, flags);
	bit = bitmap_find_free_region(lb->msi_used, LB_NR_MSI, order_base_2(nr));
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	if (bit < 0)
		return -ENOSPC;
	for (i = 0; i < nr; i++)
		irq_domain_set_info(d, virq + i, bit + i, &lb_msi_bottom_chip, lb,
				    handle_simple_irq, NULL, NULL);
	return 0;
}

static void lb_msi_free(struct irq_domain *d, unsigned int virq,
			unsigned int nr)
{
	struct irq_data *data = irq_domain_get_irq_data(d, virq);
	struct lb_epc *lb = d->host_data;
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&lb->lock, flags);
	bitmap_release_region(lb->msi_used, data->hwirq, order_base_2(nr));
	raw_spin_unlock_irqrestore(&lb->lock, flags);
	for (i = 0; i < nr; i++)
		irq_domain_reset_irq_data(irq_domain_get_irq_data(d, virq + i));
}

static const struct irq_domain_ops lb_msi_parent_ops = {
	.alloc = lb_msi_alloc,
	.free = lb_msi_free,
};

static struct irq_chip lb_pci_msi_chip = {
	.name = "loopback-pci-msi",
	.irq_mask = pci_msi_mask_irq,
	.irq_unmask = pci_msi_unmask_irq,
};

static struct msi_domain_info lb_msi_info = {
	.flags = MSI_FLAG_USE_DEF_DOM_OPS | MSI_FLAG_USE_DEF_CHIP_OPS |
		 MSI_FLAG_MULTI_PCI_MSI | MSI_FLAG_PCI_MSIX,
	.chip = &lb_pci_msi_chip,
};

int lb_irq_init(struct lb_epc *lb)
{
	lb->msi_used = bitmap_zalloc(LB_NR_MSI, GFP_KERNEL);
	if (!lb->msi_used)
		return -ENOMEM;
	lb->msi_fwnode = irq_domain_alloc_named_fwnode("loopback-msi");
	if (!lb->msi_fwnode)
		return -ENOMEM;
	lb->msi_parent = irq_domain_create_linear(lb->msi_fwnode, LB_NR_MSI,
						  &lb_msi_parent_ops, lb);
	if (!lb->msi_parent)
		return -ENOMEM;
	irq_domain_update_bus_token(lb->msi_parent, DOMAIN_BUS_NEXUS);
	lb->msi_domain = pci_msi_create_irq_domain(lb->msi_fwnode, &lb_msi_info,
						   lb->msi_parent);
	if (!lb->msi_domain)
		return -ENOMEM;

	lb->intx_fwnode = irq_domain_alloc_named_fwnode("loopback-intx");
	if (!lb->intx_fwnode)
		return -ENOMEM;
	lb->intx_domain = irq_domain_create_sim(lb->intx_fwnode, 1);
	if (IS_ERR(lb->intx_domain)) {
		int ret = PTR_ERR(lb->intx_domain);

		lb->intx_domain = NULL;
		return ret;
	}
	lb->intx_virq = irq_create_mapping(lb->intx_domain, 0);
	if (!lb->intx_virq)
		return -ENOSPC;
	return 0;
}

void lb_irq_exit(struct lb_epc *lb)
{
	if (lb->intx_virq)
		irq_dispose_mapping(lb->intx_virq);
	if (lb->intx_domain)
		irq_domain_remove_sim(lb->intx_domain);
	if (lb->intx_fwnode)
		irq_domain_free_fwnode(lb->intx_fwnode);
	if (lb->msi_domain)
		irq_domain_remove(lb->msi_domain);
	if (lb->msi_parent)
		irq_domain_remove(lb->msi_parent);
	if (lb->msi_fwnode)
		irq_domain_free_fwnode(lb->msi_fwnode);
	bitmap_free(lb->msi_used);
}

int lb_map_irq(const struct pci_dev *pdev, u8 slot, u8 pin)
{
	struct lb_epc *lb = pdev->bus->sysdata;

	return pin ? lb->intx_virq : 0;
}

/**
 * lb_msi_write - a memory write of @data to PCI address @addr that may be an MSI
 * @lb: the loopback EPC
 * @addr: PCI address written
 * @data: the 32-bit value
 *
 * Return: 0 when the interrupt was delivered, -EINVAL for data no vector
 * owns (counted and dropped, as an unclaimed MSI is on hardware).
 */
int lb_msi_write(struct lb_epc *lb, u64 addr, u32 data)
{
	int ret;

	if (addr != LB_MSI_ADDR)
		return -EFAULT;
	if (data >= LB_NR_MSI || !test_bit(data, lb->msi_used)) {
		lb->stats.msi_dropped++;
		dev_warn_ratelimited(lb->dev, "MSI write of %#x: no such vector\n", data);
		return -EINVAL;
	}
	ret = generic_handle_domain_irq_safe(lb->msi_parent, data);
	if (ret) {
		lb->stats.msi_dropped++;
		return ret;
	}
	return 0;
}

/* A function memory write: an MSI if it hits the doorbell, else memory. */
static int lb_function_write32(struct lb_epc *lb, u64 addr, u32 data)
{
	__le32 v = cpu_to_le32(data);

	if (addr == LB_MSI_ADDR)
		return lb_msi_write(lb, addr, data);
	lb->stats.imwr_mem++;
	return lb_pci_rw(lb, addr, &v, sizeof(v), true);
}

/* Raise MSI number @n (1-based) as the function would: data low bits = n - 1. */
int lb_raise_msi(struct lb_epc *lb, unsigned int n)
{
	unsigned long flags;
	u16 ctrl;
	u32 data;
	u64 addr;
	unsigned int nvec;

	raw_spin_lock_irqsave(&lb->lock, flags);
	if (!lb->link_up || lb->msi_mmc < 0) {
		raw_spin_unlock_irqrestore(&lb->lock, flags);
		return -EIO;
	}
	ctrl = lb_cfg_read16(lb, LB_CAP_MSI + PCI_MSI_FLAGS);
	addr = lb_cfg_read32(lb, LB_CAP_MSI + PCI_MSI_ADDRESS_LO) |
	       (u64)lb_cfg_read32(lb, LB_CAP_MSI + PCI_MSI_ADDRESS_HI) << 32;
	data = lb_cfg_read16(lb, LB_CAP_MSI + PCI_MSI_DATA_64);
	raw_spin_unlock_irqrestore(&lb->lock, flags);

	nvec = 1U << FIELD_GET(PCI_MSI_FLAGS_QSIZE, ctrl);
	if (!(ctrl & PCI_MSI_FLAGS_ENABLE) || n < 1 || n > nvec)
		return -EINVAL;
	if (!(lb_cfg_read16(lb, PCI_COMMAND) & PCI_COMMAND_MASTER))
		return -EIO;
	data = (data & ~(nvec - 1)) | (n - 1);
	lb->stats.msi++;
	return lb_function_write32(lb, addr, data);
}

/* Raise MSI-X vector @n (1-based) from the table in the function's BAR. */
int lb_raise_msix(struct lb_epc *lb, unsigned int n)
{
	u32 entry[PCI_MSIX_ENTRY_SIZE / 4];
	phys_addr_t ep;
	unsigned long flags;
	u16 ctrl;
	int ret;

	raw_spin_lock_irqsave(&lb->lock, flags);
	if (!lb->link_up || lb->msix_nr <= 0) {
		raw_spin_unlock_irqrestore(&lb->lock, flags);
		return -EIO;
	}
	ctrl = lb_cfg_read16(lb, LB_CAP_MSIX + PCI_MSIX_FLAGS);
	raw_spin_unlock_irqrestore(&lb->lock, flags);

	if (!(ctrl & PCI_MSIX_FLAGS_ENABLE) || n < 1 ||
	    n > (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1)
		return -EINVAL;
	if (ctrl & PCI_MSIX_FLAGS_MASKALL)
		return -EAGAIN;
	if (!(lb_cfg_read16(lb, PCI_COMMAND) & PCI_COMMAND_MASTER))
		return -EIO;
	ret = lb_bar_ep_addr(lb, lb->msix_bir,
			     lb->msix_off + (n - 1) * PCI_MSIX_ENTRY_SIZE,
			     sizeof(entry), &ep);
	if (!ret)
		ret = lb_ep_rw(lb, ep, entry, sizeof(entry), false);
	if (ret)
		return ret;
	if (le32_to_cpu((__force __le32)entry[3]) & PCI_MSIX_ENTRY_CTRL_MASKBIT)
		return -EAGAIN;	/* pending bit not modelled */
	lb->stats.msix++;
	return lb_function_write32(lb,
				   le32_to_cpu((__force __le32)entry[0]) |
				   (u64)le32_to_cpu((__force __le32)entry[1]) << 32,
				   le32_to_cpu((__force __le32)entry[2]));
}

int lb_raise_intx(struct lb_epc *lb)
{
	if (!lb->link_up || !lb->hdr.interrupt_pin)
		return -EIO;
	if (lb_cfg_read16(lb, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE)
		return -EIO;
	lb->stats.intx++;
	return irq_set_irqchip_state(lb->intx_virq, IRQCHIP_STATE_PENDING, true);
}
