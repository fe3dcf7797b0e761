/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edma_model: a software DesignWare eDMA (v0 register map, "unrolled"
 * channel layout), enough of it for the 6.12 dw-edma v0 core to drive it.
 *
 * The engine knows nothing about where it lives: registers are read and
 * written through edma_model_reg_read/write, memory and interrupts go out
 * through struct edma_model_ops. A doorbell only marks the channel pending and
 * calls ops->kick(); the owner then calls edma_model_run() from process
 * context, which walks the linked lists, copies data and delivers
 * interrupts. That split keeps register accesses safe in atomic context
 * (dw-edma rings the doorbell under a spinlock with IRQs off) and makes the
 * engine deterministic under test.
 *
 * Behaviour (databook terms; deviations are marked):
 *  - ctrl (0x008) reports the channel counts; engine_en gates doorbells.
 *  - Doorbell bits [2:0] select the channel; bit 31 asks a running or
 *    pending channel to stop, which ends it with an abort.
 *  - ch_control1: CCS is latched when written and read back live; CS [6:5]
 *    reads 1 while the channel is pending or running, 3 once it stopped, 2
 *    after an abort.
 *  - LLE set: elements are fetched from the EP-local LLP address. An element
 *    whose CB differs from CCS stops the channel (LLP then points at it).
 *    A link element (LLP bit) jumps to its pointer and toggles CCS when TCB
 *    is set; it is itself subject to the CB rule unless the model is lenient.
 *  - Data elements copy transfer_size bytes: WRITE channels from EP memory
 *    (SAR) to PCI (DAR), READ channels from PCI (SAR) to EP memory (DAR).
 *  - An element with LIE or RIE sets the channel's done bit in int_status
 *    when it completes. The local interrupt is raised once per run when an
 *    LIE element completed (or an abort happened) and the bit is unmasked in
 *    int_mask. RIE sends the done IMWr: a 4-byte write of the channel's
 *    16-bit data (chXY_imwr_data, even channel in [15:0], odd in [31:16]) to
 *    done_imwr, independent of int_mask (the databook hint the series
 *    follows). Deviation: interrupts are delivered when the channel stops,
 *    not the moment the LIE element completes.
 *  - A fetch or copy error (bus op error), too many elements in one run
 *    (a link loop) or a stop request aborts: abort bit in int_status, cause
 *    in err_status (bit ch: data, bit 16+ch: linked list), CS = halted,
 *    local interrupt unless masked, abort IMWr when the run saw RIE.
 *  - int_clear clears the written status bits (and the error cause of a
 *    cleared abort). An IMWr to address 0 is not sent (counted instead).
 *  - LLE clear: one block from the channel's SAR/DAR/transfer_size, with
 *    LIE/RIE taken from ch_control1.
 */
#ifndef _EDMA_MODEL_H
#define _EDMA_MODEL_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/sizes.h>

#define EDMA_MODEL_REG_SIZE		SZ_8K
#define EDMA_MODEL_MAX_CH		8
#define EDMA_MODEL_LL_ELEM_SIZE		24

/* Global registers (offsets in the register block). */
#define EDMA_M_CTRL_DATA_ARB_PRIOR	0x000
#define EDMA_M_CTRL			0x008
#define EDMA_M_WR_ENGINE_EN		0x00c
#define EDMA_M_WR_DOORBELL		0x010
#define EDMA_M_WR_CH_ARB_WEIGHT_LO	0x018
#define EDMA_M_WR_CH_ARB_WEIGHT_HI	0x01c
#define EDMA_M_RD_ENGINE_EN		0x02c
#define EDMA_M_RD_DOORBELL		0x030
#define EDMA_M_RD_CH_ARB_WEIGHT_LO	0x038
#define EDMA_M_RD_CH_ARB_WEIGHT_HI	0x03c
#define EDMA_M_WR_INT_STATUS		0x04c
#define EDMA_M_WR_INT_MASK		0x054
#define EDMA_M_WR_INT_CLEAR		0x058
#define EDMA_M_WR_ERR_STATUS		0x05c
#define EDMA_M_WR_DONE_IMWR_LO		0x060
#define EDMA_M_WR_DONE_IMWR_HI		0x064
#define EDMA_M_WR_ABORT_IMWR_LO		0x068
#define EDMA_M_WR_ABORT_IMWR_HI		0x06c
#define EDMA_M_WR_CH01_IMWR_DATA	0x070	/* .. 0x07c: ch23, ch45, ch67 */
#define EDMA_M_WR_LL_ERR_EN		0x090
#define EDMA_M_RD_INT_STATUS		0x0a0
#define EDMA_M_RD_INT_MASK		0x0a8
#define EDMA_M_RD_INT_CLEAR		0x0ac
#define EDMA_M_RD_ERR_STATUS_LO		0x0b4
#define EDMA_M_RD_ERR_STATUS_HI		0x0b8
#define EDMA_M_RD_LL_ERR_EN		0x0c4
#define EDMA_M_RD_DONE_IMWR_LO		0x0cc
#define EDMA_M_RD_DONE_IMWR_HI		0x0d0
#define EDMA_M_RD_ABORT_IMWR_LO		0x0d4
#define EDMA_M_RD_ABORT_IMWR_HI		0x0d8
#define EDMA_M_RD_CH01_IMWR_DATA	0x0dc	/* .. 0x0e8 */
#define EDMA_M_WR_ENGINE_CHGROUP	0x100
#define EDMA_M_RD_ENGINE_CHGROUP	0x104
#define EDMA_M_WR_CH0_PWR_EN		0x128	/* .. 0x144 */
#define EDMA_M_RD_CH0_PWR_EN		0x168	/* .. 0x184 */

/* Channel registers: WRITE ch n at 0x200 + n * 0x200, READ at + 0x100. */
#define EDMA_M_CH_BASE(dir, ch)		(0x200 + (ch) * 0x200 + (dir) * 0x100)
#define EDMA_M_CH_CONTROL1		0x00
#define EDMA_M_CH_CONTROL2		0x04
#define EDMA_M_CH_XFER_SIZE		0x08
#define EDMA_M_CH_SAR_LO		0x0c
#define EDMA_M_CH_SAR_HI		0x10
#define EDMA_M_CH_DAR_LO		0x14
#define EDMA_M_CH_DAR_HI		0x18
#define EDMA_M_CH_LLP_LO		0x1c
#define EDMA_M_CH_LLP_HI		0x20
#define EDMA_M_CH_REGS_SIZE		0x24

/* ch_control1 and linked-list element control bits. */
#define EDMA_M_CB			BIT(0)
#define EDMA_M_TCB			BIT(1)
#define EDMA_M_LLP			BIT(2)
#define EDMA_M_LIE			BIT(3)
#define EDMA_M_RIE			BIT(4)
#define EDMA_M_CS			GENMASK(6, 5)
#define EDMA_M_CCS			BIT(8)
#define EDMA_M_LLE			BIT(9)

/* Channel status (ch_control1 CS). */
#define EDMA_M_CS_RUNNING		1
#define EDMA_M_CS_HALTED		2
#define EDMA_M_CS_STOPPED		3

#define EDMA_M_DOORBELL_STOP		BIT(31)
#define EDMA_M_INT_DONE(ch)		BIT(ch)
#define EDMA_M_INT_ABORT(ch)		BIT(16 + (ch))
#define EDMA_M_ERR_DATA(ch)		BIT(ch)
#define EDMA_M_ERR_LL(ch)		BIT(16 + (ch))

enum edma_model_dir {
	EDMA_MODEL_WR = 0,
	EDMA_MODEL_RD = 1,
};

/**
 * struct edma_model_ops - how the engine reaches the outside world
 * @local_read:  read EP-local memory (linked lists, EP side of copies)
 * @local_write: write EP-local memory
 * @pci_read:    read the PCI bus address space (host memory)
 * @pci_write:   write the PCI bus address space (host memory, IMWr)
 * @raise_irq:   pulse the channel's local interrupt line
 * @kick:        a doorbell was accepted: arrange for edma_model_run() to be
 *               called soon. Called in any context with IRQs possibly off;
 *               must not call back into the model.
 *
 * The memory ops return 0 or a negative errno; an error aborts the transfer.
 * They and @raise_irq are called from edma_model_run() with no model lock
 * held, so they may access the model's registers (an interrupt handler does).
 */
struct edma_model_ops {
	int (*local_read)(void *ctx, u64 addr, void *buf, size_t len);
	int (*local_write)(void *ctx, u64 addr, const void *buf, size_t len);
	int (*pci_read)(void *ctx, u64 addr, void *buf, size_t len);
	int (*pci_write)(void *ctx, u64 addr, const void *buf, size_t len);
	void (*raise_irq)(void *ctx, enum edma_model_dir dir, unsigned int ch);
	void (*kick)(void *ctx);
};

/**
 * struct edma_model_cfg - shape of the modelled engine
 * @wr_chans:      write channels, 1..8 (0: 8)
 * @rd_chans:      read channels, 1..8 (0: 8)
 * @lenient_links: follow link elements whatever their CB
 * @max_elements:  elements one run may fetch before it aborts (0: 65536)
 * @bounce_size:   copy buffer size (0: 64 KiB)
 */
struct edma_model_cfg {
	unsigned int wr_chans;
	unsigned int rd_chans;
	bool lenient_links;
	unsigned int max_elements;
	size_t bounce_size;
};

struct edma_model_stats {
	u64 doorbells;		/* accepted doorbells */
	u64 doorbells_ignored;	/* engine disabled or channel out of range */
	u64 runs;		/* channel runs started by edma_model_run() */
	u64 elements;		/* data elements (or non-LL blocks) completed */
	u64 links;		/* link elements followed */
	u64 bytes;		/* bytes copied */
	u64 bytes_wr;		/* of which by WRITE channels (EP -> PCI) */
	u64 bytes_rd;		/* of which by READ channels (PCI -> EP) */
	u64 done;		/* runs that set a done bit */
	u64 aborts;
	u64 irqs;		/* local interrupt pulses */
	u64 imwr;		/* IMWr messages written */
	u64 imwr_dropped;	/* IMWr with address 0, or whose write failed */
};

struct edma_model;

struct edma_model *edma_model_create(const struct edma_model_cfg *cfg,
				     const struct edma_model_ops *ops,
				     void *ctx);
void edma_model_destroy(struct edma_model *m);

/* Back to power-on state: all registers zero, nothing pending. */
void edma_model_reset(struct edma_model *m);

/*
 * @size is 1, 2, 4 or 8, aligned to min(size, 4); an 8-byte access is the
 * low then the high dword. Bad accesses read all ones and write nothing.
 */
u64 edma_model_reg_read(struct edma_model *m, unsigned int off, int size);
void edma_model_reg_write(struct edma_model *m, unsigned int off, int size,
			  u64 val);

/*
 * Run every pending channel until it stops; returns the number of channel
 * runs. Process context, one caller at a time.
 */
unsigned int edma_model_run(struct edma_model *m);

/* True when a doorbell is waiting for edma_model_run(). */
bool edma_model_pending(struct edma_model *m);

void edma_model_get_stats(struct edma_model *m, struct edma_model_stats *st);
unsigned int edma_model_chan_count(struct edma_model *m,
				   enum edma_model_dir dir);

#endif /* _EDMA_MODEL_H */
