/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loopback-edma: the loopback EPC's integrated DesignWare eDMA (v0, unrolled
 * register map), backed by the software engine in edma_model.c.
 *
 * Build (kernel/testbed/Kbuild, owned by the loopback EPC):
 *   pci-epc-loopback-y += loopback-edma.o edma_model.o
 *   obj-m += edma_model_kunit.o	(standalone: it #includes edma_model.c)
 * Nothing here is exported: the glue is linked into pci-epc-loopback.ko.
 *
 * Address spaces, as the engine sees them:
 *   EP-local  - where linked lists are fetched from and the EP side of every
 *               copy (WRITE channel: SAR; READ channel: DAR). In the loopback
 *               this is UML RAM (dma_addr == phys).
 *   PCI bus   - the host side of every copy and the IMWr (MSI) messages.
 *
 * Life cycle, as the EPC uses it:
 *
 *	e = lb_edma_create(parent, &cfg, &bus_ops, ctx);   model, LL memory,
 *							    local IRQ lines
 *	(make accesses to cfg.reg_phys .. + LB_EDMA_REG_SIZE reach
 *	 lb_edma_reg_read/write, both for ioremap() of that range through the
 *	 EPC's logic_iomem region and for host BAR accesses that the inbound
 *	 table routes there)
 *	lb_edma_register(e);	dw_edma_probe(): the EP-local dmaengine
 *				instance (DW_EDMA_CHIP_LOCAL, chip->dev = parent).
 *				@parent must be bound to a driver by then:
 *				dma_async_device_register() reads
 *				parent->driver->owner.
 *	...
 *	lb_edma_unregister(e);	dw_edma_remove()
 *	lb_edma_destroy(e);	stops the engine and frees everything
 *
 * Register accesses may come from any context (dw-edma writes the doorbell
 * under its vc.lock with IRQs off): they only take a raw spinlock. The
 * doorbell queues work; copies, list walks and interrupts run from that work
 * item, in process context, calling the bus ops without any lock held.
 *
 * debugfs: /sys/kernel/debug/lb-edma-<parent>/stats (doorbells, elements,
 * bytes, bytes_wr and bytes_rd per direction, done, aborts, irqs, imwr...)
 * and layout (register block, each channel's LL memory and local IRQ). A
 * scenario can prove a transfer went through the engine, and through
 * channels of which direction, by watching "bytes_wr"/"bytes_rd" grow.
 *
 * Note for pcitest: "pcitest -c -d" cannot pass with unmodified pci-epf-test.
 * dw-edma offers DMA_SLAVE channels only (no DMA_MEMCPY), so pci-epf-test
 * answers COPY with "DMA controller doesn't support MEMCPY" and NOT OKAY,
 * exactly as on DesignWare hardware. READ and WRITE with -d do pass.
 */
#ifndef _LOOPBACK_EDMA_H
#define _LOOPBACK_EDMA_H

#include <linux/types.h>
#include <linux/sizes.h>

struct device;
struct dw_edma_chip;
struct logic_iomem_ops;
struct lb_edma;

/* Size of the register block (v0 unrolled map ends at 0x1124). */
#define LB_EDMA_REG_SIZE	SZ_8K
#define LB_EDMA_MAX_CHANS	8

enum lb_edma_dir {
	LB_EDMA_DIR_WRITE = 0,	/* EP memory -> PCI (dw-edma EDMA_DIR_WRITE) */
	LB_EDMA_DIR_READ = 1,	/* PCI -> EP memory (dw-edma EDMA_DIR_READ) */
};

/**
 * struct lb_edma_bus_ops - how the engine reaches memory (provided by the EPC)
 * @local_read:	read @len bytes of EP-local memory at @addr. NULL: UML RAM
 *		(phys_to_virt after a pfn_valid check).
 * @local_write: write EP-local memory. NULL: UML RAM, as above.
 * @pci_read:	read the PCI bus address space as seen from the EP (host
 *		memory). NULL: UML RAM (loopback host DMA address == phys).
 * @pci_write:	write the PCI bus address space. IMWr messages (done/abort)
 *		arrive here as one 4-byte little-endian write of the 16-bit
 *		data to the programmed address: the EPC's MSI decoder turns a
 *		write to its MSI address into the host interrupt. NULL: RAM.
 *
 * Each returns 0 or a negative errno (-EFAULT for an address nothing
 * decodes); any error aborts the transfer, as a bus error does on hardware.
 * Called from process context (the engine's work item), no lock held; they
 * may sleep.
 */
struct lb_edma_bus_ops {
	int (*local_read)(void *ctx, u64 addr, void *buf, size_t len);
	int (*local_write)(void *ctx, u64 addr, const void *buf, size_t len);
	int (*pci_read)(void *ctx, u64 addr, void *buf, size_t len);
	int (*pci_write)(void *ctx, u64 addr, const void *buf, size_t len);
};

/**
 * struct lb_edma_config - shape of the integrated eDMA
 * @reg_phys:	EP "physical" address of the register block inside the
 *		EPC's trapped controller MMIO (LB_EDMA_REG_SIZE bytes). The
 *		glue ioremap()s it for the local dw-edma instance, so the EPC's
 *		logic_iomem region must cover it before lb_edma_register().
 * @wr_chans:	write channels, 1..8 (0: 8)
 * @rd_chans:	read channels, 1..8 (0: 8)
 * @ll_size:	linked-list memory per channel (0: PAGE_SIZE, like DWC)
 * @lenient_links: follow link elements whatever their cycle bit (default:
 *		databook rule, a link element is consumed only when its CB
 *		equals the channel's CCS)
 */
struct lb_edma_config {
	phys_addr_t reg_phys;
	unsigned int wr_chans;
	unsigned int rd_chans;
	size_t ll_size;
	bool lenient_links;
};

/* Create the engine; ERR_PTR on failure. @parent is the EPC's parent device. */
struct lb_edma *lb_edma_create(struct device *parent,
			       const struct lb_edma_config *cfg,
			       const struct lb_edma_bus_ops *ops, void *ctx);
void lb_edma_destroy(struct lb_edma *e);

/* Register / remove the EP-local dw-edma dmaengine instance. */
int lb_edma_register(struct lb_edma *e);
void lb_edma_unregister(struct lb_edma *e);

/*
 * Register access, @off relative to reg_phys, @size 1, 2, 4 or 8. Out-of-
 * range reads return all ones; out-of-range writes are dropped.
 */
u64 lb_edma_reg_read(struct lb_edma *e, unsigned int off, int size);
void lb_edma_reg_write(struct lb_edma *e, unsigned int off, int size, u64 val);

/*
 * The same, as logic_iomem ops: an EPC region's map() callback may hand out
 * *ops = &lb_edma_iomem_ops, *priv = e, and return offset - reg_phys offset.
 */
extern const struct logic_iomem_ops lb_edma_iomem_ops;

/* Where things are, for inbound routing and the series' aux resources. */
void lb_edma_reg_region(struct lb_edma *e, phys_addr_t *phys, size_t *size);
bool lb_edma_owns(struct lb_edma *e, phys_addr_t phys, size_t size);
/* Per-channel LL memory: EP-local phys (== dma addr), size, kernel vaddr. */
int lb_edma_ll_region(struct lb_edma *e, enum lb_edma_dir dir, unsigned int ch,
		      phys_addr_t *phys, size_t *size, void **vaddr);
unsigned int lb_edma_chan_count(struct lb_edma *e, enum lb_edma_dir dir);
/* The local dw-edma chip (NULL before lb_edma_register()). */
struct dw_edma_chip *lb_edma_chip(struct lb_edma *e);

#endif /* _LOOPBACK_EDMA_H */
