/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loopback PCI endpoint controller for User-Mode Linux: internal interfaces.
 *
 * One kernel holds both ends of a PCIe link. The EP side is a real pci_epc
 * that endpoint functions bind to through configfs; the RC side is a software
 * host bridge whose only function is built from what the EP function set up.
 * Every RC access to a BAR and every EP access to the outbound window is an
 * ioremap() cookie that UML's logic_iomem turns into a call into this module,
 * so translations can change at any time, as they do on hardware.
 *
 * Address map (UML "physical" addresses, all outside RAM):
 *   LB_RC_WIN_BASE   host bridge memory window; the RC assigns BARs here
 *   LB_OB_BASE       EP outbound window (pci_epc_mem); map_addr() targets
 *   LB_REG_BASE      EP controller registers (the integrated eDMA block)
 *   LB_MSI_ADDR      where the host's MSI controller listens (PCI address)
 *
 * Locking: @lock (raw, any context) protects the config space image and the
 * inbound/outbound tables. No callback into other code runs under it, except
 * the eDMA model's register accessors, which only take their own raw lock.
 * @link_mutex serialises bus creation and removal (link work).
 */
#ifndef _LOOPBACK_H
#define _LOOPBACK_H

#include <linux/pci.h>
#include <linux/pci-epc.h>
#include <linux/pci-epf.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/sizes.h>

#define LB_DRV_NAME		"loopback-epc"

#define LB_RC_WIN_BASE		0xd0000000ULL
#define LB_RC_WIN_SIZE		SZ_256M
#define LB_OB_BASE		0xc0000000ULL
#define LB_OB_SIZE		SZ_128M
#define LB_REG_BASE		0xcf000000ULL
#define LB_REG_SIZE		SZ_1M
#define LB_EDMA_REG_OFF		0x0	/* eDMA block at the start of LB_REG */
#define LB_MSI_ADDR		0xfee00000ULL

#define LB_BUSNR		0x10
#define LB_NR_MSI		(2048 + 64)	/* parent domain hwirqs */
#define LB_NR_OB		32		/* outbound ATU entries */
#define LB_NR_INBOUND		16		/* translations per BAR (DWC EPs have 8-16 inbound iATU windows) */
#define LB_CFG_SIZE		256

/* Config space layout of the emulated function */
#define LB_CAP_MSI		0x50
#define LB_CAP_MSIX		0x70

struct lb_edma;

/* One inbound translation: BAR offset range -> EP address. */
struct lb_inbound {
	u64 bar_off;
	u64 size;
	phys_addr_t phys;
};

/* What the EP function programmed for one BAR. */
struct lb_bar {
	bool set;		/* set_bar() seen and not cleared */
	u64 size;		/* size asked for (power of two) */
	u64 host_size;		/* size in config space since link-up */
	int flags;		/* PCI_BASE_ADDRESS_* bits */
	unsigned int nr_in;	/* valid entries in @in */
	struct lb_inbound in[LB_NR_INBOUND];
};

struct lb_outbound {
	bool used;
	phys_addr_t phys;	/* EP address inside LB_OB */
	u64 pci_addr;
	size_t size;
};

struct lb_profile {
	const char *name;
	struct pci_epc_features features;
};

struct lb_stats {
	unsigned long rc_reads, rc_writes, rc_unmapped;
	unsigned long ob_reads, ob_writes, ob_unmapped;
	unsigned long msi, msix, intx, msi_dropped, imwr_mem;
	unsigned long links_up, links_down;
};

/* How the debugfs knob took the link down */
enum {
	LB_DOWN_NONE,
	LB_DOWN_HOTPLUG,	/* "down": the PCI core marks the function disconnected */
	LB_DOWN_LOST,		/* "lost": it only sees all-ones reads until removal */
};

struct lb_epc {
	struct device *dev;		/* parent of the EPC and the host bridge */
	struct pci_epc *epc;
	const struct lb_profile *profile;

	raw_spinlock_t lock;
	/* EP side: what the function asked for */
	struct pci_epf_header hdr;
	bool hdr_set;
	struct lb_bar bar[PCI_STD_NUM_BARS];
	int msi_mmc;			/* log2 of vectors, -1 = no MSI cap */
	int msix_nr;			/* 0 = no MSI-X cap */
	enum pci_barno msix_bir;
	u32 msix_off;
	struct lb_outbound ob[LB_NR_OB];

	/* RC side: the function's config space as the host sees it */
	u8 cfg[LB_CFG_SIZE];
	u8 wmask[LB_CFG_SIZE];
	bool link_up;			/* bus present, host may access */

	/* link control */
	struct mutex link_mutex;
	struct work_struct link_work;
	bool started;			/* EPC start() requested */
	int forced_down;		/* debugfs: hold the link down (LB_DOWN_*) */
	struct pci_bus *bus;

	/* interrupts (host side) */
	struct irq_domain *msi_parent;
	struct irq_domain *msi_domain;
	struct fwnode_handle *msi_fwnode;
	unsigned long *msi_used;
	struct irq_domain *intx_domain;
	struct fwnode_handle *intx_fwnode;
	int intx_virq;

	struct resource win_res;
	struct resource ob_res;
	struct resource reg_res;
	struct resource busn_res;

	struct lb_edma *edma;
#if defined(LB_HAVE_AUX) && defined(LOOPBACK_HAVE_EDMA)
	/* channels delegated to the host, per direction and hardware channel */
	struct dma_chan *dma_delegated[PCI_EPC_AUX_DMA_NUM_DIRS][8];
#endif
	struct dentry *debugfs;
	struct lb_stats stats;
};

/* loopback-cfg.c: config space of the emulated function */
void lb_cfg_build(struct lb_epc *lb);
extern struct pci_ops lb_pci_ops;
bool lb_cfg_bar_decode(struct lb_epc *lb, u64 addr, int *barno, u64 *off);
u16 lb_cfg_read16(struct lb_epc *lb, int where);
u32 lb_cfg_read32(struct lb_epc *lb, int where);

/* loopback-bar.c: trapped regions, inbound and outbound routing */
int lb_regions_init(struct lb_epc *lb);
int lb_ep_rw(struct lb_epc *lb, u64 addr, void *buf, size_t len, bool write);
int lb_pci_rw(struct lb_epc *lb, u64 addr, void *buf, size_t len, bool write);
int lb_bar_ep_addr(struct lb_epc *lb, int barno, u64 off, size_t len,
		   phys_addr_t *phys);

/* loopback-msi.c: host interrupt side */
int lb_irq_init(struct lb_epc *lb);
void lb_irq_exit(struct lb_epc *lb);
int lb_msi_write(struct lb_epc *lb, u64 addr, u32 data);
int lb_raise_msi(struct lb_epc *lb, unsigned int n);
int lb_raise_msix(struct lb_epc *lb, unsigned int n);
int lb_raise_intx(struct lb_epc *lb);
int lb_map_irq(const struct pci_dev *pdev, u8 slot, u8 pin);

#if defined(LB_HAVE_AUX) && defined(LOOPBACK_HAVE_EDMA)
/* loopback-dma.c: the series' auxiliary resources and channel delegation */
int lb_get_aux_resources(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			 struct pci_epc_aux_resource *res, unsigned int num_res);
int lb_delegate_dma_chans(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			  enum pci_epc_aux_dma_dir dir, unsigned long candidates,
			  unsigned int max_chans, unsigned long *delegated);
void lb_undelegate_dma_chans(struct pci_epc *epc, u8 func_no, u8 vfunc_no,
			     enum pci_epc_aux_dma_dir dir, unsigned long chans);
#endif

#endif /* _LOOPBACK_H */
