// SPDX-License-Identifier: GPL-2.0
/*
 * edma_model: software DesignWare eDMA v0 (unrolled map) for the loopback
 * testbed. See edma_model.h for the behaviour it implements.
 */
#include <linux/bitfield.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sched.h>
#include <linux/errno.h>
#include <linux/unaligned.h>

#include "edma_model.h"

#define EDMA_M_MAX_ELEMENTS	65536
#define EDMA_M_BOUNCE_SIZE	SZ_64K
#define EDMA_M_INT_BITS		(GENMASK(7, 0) | GENMASK(23, 16))

struct edma_model_chan {
	u32 ctrl1;		/* without CS and CCS */
	u32 ctrl2;
	u32 xfer_size;
	u64 sar;
	u64 dar;
	u64 llp;
	u8 cs;
	bool ccs;
	bool pending;		/* doorbell accepted, run not started */
	bool active;		/* edma_model_run() is walking it */
	bool stop_req;		/* doorbell stop bit seen */
};

struct edma_model_dirstate {
	unsigned int nch;
	u32 engine_en;
	u32 int_status;
	u32 int_mask;
	u32 err_status;
	u32 err_status_hi;
	u32 ll_err_en;
	u64 done_imwr;
	u64 abort_imwr;
	u32 imwr_data[EDMA_MODEL_MAX_CH / 2];
	u64 arb_weight;
	u32 chgroup;
	u32 pwr_en[EDMA_MODEL_MAX_CH];
	struct edma_model_chan ch[EDMA_MODEL_MAX_CH];
};

struct edma_model {
	raw_spinlock_t lock;
	const struct edma_model_ops *ops;
	void *ctx;
	struct edma_model_cfg cfg;
	u32 arb_prior;
	struct edma_model_dirstate d[2];
	void *bounce;
	struct edma_model_stats stats;
};

/* What a channel run asks to be signalled once the lock is dropped. */
struct edma_model_events {
	bool local_irq;
	bool done_imwr;
	bool abort_imwr;
	u64 done_addr;
	u64 abort_addr;
	u16 data;
};

static void set_lo(u64 *reg, u32 val)
{
	*reg = (*reg & GENMASK_ULL(63, 32)) | val;
}

static void set_hi(u64 *reg, u32 val)
{
	*reg = (*reg & GENMASK_ULL(31, 0)) | ((u64)val << 32);
}

static u16 chan_imwr_data(struct edma_model_dirstate *d, unsigned int ch)
{
	u32 pair = d->imwr_data[ch / 2];

	return (ch & 1) ? pair >> 16 : pair & 0xffff;
}

/* Decode a channel register offset; returns false if @off is not one. */
static bool decode_chan(struct edma_model *m, unsigned int off,
			struct edma_model_chan **c, unsigned int *reg)
{
	unsigned int ch, dir, rel;

	if (off < 0x200)
		return false;
	ch = (off - 0x200) / 0x200;
	rel = (off - 0x200) % 0x200;
	dir = rel >= 0x100;
	rel -= dir * 0x100;
	if (ch >= m->d[dir].nch || rel >= EDMA_M_CH_REGS_SIZE)
		return false;
	*c = &m->d[dir].ch[ch];
	*reg = rel;
	return true;
}

static u32 chan_read(struct edma_model_chan *c, unsigned int reg)
{
	switch (reg) {
	case EDMA_M_CH_CONTROL1:
		return c->ctrl1 | FIELD_PREP(EDMA_M_CS, c->cs) |
		       (c->ccs ? EDMA_M_CCS : 0);
	case EDMA_M_CH_CONTROL2:
		return c->ctrl2;
	case EDMA_M_CH_XFER_SIZE:
		return c->xfer_size;
	case EDMA_M_CH_SAR_LO:
		return lower_32_bits(c->sar);
	case EDMA_M_CH_SAR_HI:
		return upper_32_bits(c->sar);
	case EDMA_M_CH_DAR_LO:
		return lower_32_bits(c->dar);
	case EDMA_M_CH_DAR_HI:
		return upper_32_bits(c->dar);
	case EDMA_M_CH_LLP_LO:
		return lower_32_bits(c->llp);
	case EDMA_M_CH_LLP_HI:
		return upper_32_bits(c->llp);
	}
	return 0;
}

static void chan_write(struct edma_model_chan *c, unsigned int reg, u32 val)
{
	switch (reg) {
	case EDMA_M_CH_CONTROL1:
		c->ctrl1 = val & ~(EDMA_M_CS | EDMA_M_CCS);
		c->ccs = !!(val & EDMA_M_CCS);
		break;
	case EDMA_M_CH_CONTROL2:
		c->ctrl2 = val;
		break;
	case EDMA_M_CH_XFER_SIZE:
		c->xfer_size = val;
		break;
	case EDMA_M_CH_SAR_LO:
		set_lo(&c->sar, val);
		break;
	case EDMA_M_CH_SAR_HI:
		set_hi(&c->sar, val);
		break;
	case EDMA_M_CH_DAR_LO:
		set_lo(&c->dar, val);
		break;
	case EDMA_M_CH_DAR_HI:
		set_hi(&c->dar, val);
		break;
	case EDMA_M_CH_LLP_LO:
		set_lo(&c->llp, val);
		break;
	case EDMA_M_CH_LLP_HI:
		set_hi(&c->llp, val);
		break;
	}
}

/*
 * Offsets of the per-direction global registers: index 0 is WRITE, 1 READ.
 * A value of 0 means the register does not exist for that direction.
 */
struct edma_model_dir_regs {
	unsigned int engine_en, doorbell, arb_lo, arb_hi, int_status, int_mask,
		     int_clear, err_lo, err_hi, done_lo, done_hi, abort_lo,
		     abort_hi, imwr_data, ll_err_en, chgroup, pwr_en;
};

static const struct edma_model_dir_regs dir_regs[2] = {
	[EDMA_MODEL_WR] = {
		.engine_en = EDMA_M_WR_ENGINE_EN,
		.doorbell = EDMA_M_WR_DOORBELL,
		.arb_lo = EDMA_M_WR_CH_ARB_WEIGHT_LO,
		.arb_hi = EDMA_M_WR_CH_ARB_WEIGHT_HI,
		.int_status = EDMA_M_WR_INT_STATUS,
		.int_mask = EDMA_M_WR_INT_MASK,
		.int_clear = EDMA_M_WR_INT_CLEAR,
		.err_lo = EDMA_M_WR_ERR_STATUS,
		.done_lo = EDMA_M_WR_DONE_IMWR_LO,
		.done_hi = EDMA_M_WR_DONE_IMWR_HI,
		.abort_lo = EDMA_M_WR_ABORT_IMWR_LO,
		.abort_hi = EDMA_M_WR_ABORT_IMWR_HI,
		.imwr_data = EDMA_M_WR_CH01_IMWR_DATA,
		.ll_err_en = EDMA_M_WR_LL_ERR_EN,
		.chgroup = EDMA_M_WR_ENGINE_CHGROUP,
		.pwr_en = EDMA_M_WR_CH0_PWR_EN,
	},
	[EDMA_MODEL_RD] = {
		.engine_en = EDMA_M_RD_ENGINE_EN,
		.doorbell = EDMA_M_RD_DOORBELL,
		.arb_lo = EDMA_M_RD_CH_ARB_WEIGHT_LO,
		.arb_hi = EDMA_M_RD_CH_ARB_WEIGHT_HI,
		.int_status = EDMA_M_RD_INT_STATUS,
		.int_mask = EDMA_M_RD_INT_MASK,
		.int_clear = EDMA_M_RD_INT_CLEAR,
		.err_lo = EDMA_M_RD_ERR_STATUS_LO,
		.err_hi = EDMA_M_RD_ERR_STATUS_HI,
		.done_lo = EDMA_M_RD_DONE_IMWR_LO,
		.done_hi = EDMA_M_RD_DONE_IMWR_HI,
		.abort_lo = EDMA_M_RD_ABORT_IMWR_LO,
		.abort_hi = EDMA_M_RD_ABORT_IMWR_HI,
		.imwr_data = EDMA_M_RD_CH01_IMWR_DATA,
		.ll_err_en = EDMA_M_RD_LL_ERR_EN,
		.chgroup = EDMA_M_RD_ENGINE_CHGROUP,
		.pwr_en = EDMA_M_RD_CH0_PWR_EN,
	},
};

static u32 int_bits(struct edma_model_dirstate *d)
{
	u32 chans = GENMASK(d->nch - 1, 0);

	return chans | chans << 16;
}

/* Returns true and fills @val if @off is a global register of @dir. */
static bool dir_read(struct edma_model *m, int dir, unsigned int off, u32 *val)
{
	const struct edma_model_dir_regs *r = &dir_regs[dir];
	struct edma_model_dirstate *d = &m->d[dir];

	if (off == r->engine_en)
		*val = d->engine_en;
	else if (off == r->doorbell || off == r->int_clear)
		*val = 0;
	else if (off == r->arb_lo)
		*val = lower_32_bits(d->arb_weight);
	else if (off == r->arb_hi)
		*val = upper_32_bits(d->arb_weight);
	else if (off == r->int_status)
		*val = d->int_status;
	else if (off == r->int_mask)
		*val = d->int_mask;
	else if (off == r->err_lo)
		*val = d->err_status;
	else if (r->err_hi && off == r->err_hi)
		*val = d->err_status_hi;
	else if (off == r->done_lo)
		*val = lower_32_bits(d->done_imwr);
	else if (off == r->done_hi)
		*val = upper_32_bits(d->done_imwr);
	else if (off == r->abort_lo)
		*val = lower_32_bits(d->abort_imwr);
	else if (off == r->abort_hi)
		*val = upper_32_bits(d->abort_imwr);
	else if (off >= r->imwr_data && off < r->imwr_data + 16)
		*val = d->imwr_data[(off - r->imwr_data) / 4];
	else if (off == r->ll_err_en)
		*val = d->ll_err_en;
	else if (off == r->chgroup)
		*val = d->chgroup;
	else if (off >= r->pwr_en && off < r->pwr_en + 4 * EDMA_MODEL_MAX_CH)
		*val = d->pwr_en[(off - r->pwr_en) / 4];
	else
		return false;
	return true;
}

/* Doorbell: only marks the channel; the caller kicks once unlocked. */
static bool doorbell(struct edma_model *m, int dir, u32 val)
{
	struct edma_model_dirstate *d = &m->d[dir];
	unsigned int ch = val & GENMASK(2, 0);
	struct edma_model_chan *c;

	if (ch >= d->nch || !(d->engine_en & BIT(0))) {
		m->stats.doorbells_ignored++;
		return false;
	}
	c = &d->ch[ch];
	if (val & EDMA_M_DOORBELL_STOP) {
		if (!c->pending && !c->active)
			return false;
		c->stop_req = true;
		c->pending = true;
		return true;
	}
	m->stats.doorbells++;
	c->pending = true;
	c->cs = EDMA_M_CS_RUNNING;
	return true;
}

static bool dir_write(struct edma_model *m, int dir, unsigned int off, u32 val,
		      bool *kick)
{
	const struct edma_model_dir_regs *r = &dir_regs[dir];
	struct edma_model_dirstate *d = &m->d[dir];
	unsigned int ch;

	if (off == r->engine_en) {
		d->engine_en = val & BIT(0);
		if (!d->engine_en) {
			/* Disabling drops what has not started yet. */
			for (ch = 0; ch < d->nch; ch++) {
				if (d->ch[ch].pending && !d->ch[ch].active) {
					d->ch[ch].pending = false;
					d->ch[ch].stop_req = false;
					d->ch[ch].cs = EDMA_M_CS_STOPPED;
				}
			}
		}
	} else if (off == r->doorbell) {
		*kick |= doorbell(m, dir, val);
	} else if (off == r->int_clear) {
		val &= int_bits(d);
		d->int_status &= ~val;
		/* Clearing an abort also clears what caused it. */
		for (ch = 0; ch < d->nch; ch++) {
			if (val & EDMA_M_INT_ABORT(ch)) {
				d->err_status &= ~(EDMA_M_ERR_DATA(ch) |
						   EDMA_M_ERR_LL(ch));
			}
		}
	} else if (off == r->int_mask) {
		d->int_mask = val & EDMA_M_INT_BITS;
	} else if (off == r->arb_lo) {
		set_lo(&d->arb_weight, val);
	} else if (off == r->arb_hi) {
		set_hi(&d->arb_weight, val);
	} else if (off == r->done_lo) {
		set_lo(&d->done_imwr, val);
	} else if (off == r->done_hi) {
		set_hi(&d->done_imwr, val);
	} else if (off == r->abort_lo) {
		set_lo(&d->abort_imwr, val);
	} else if (off == r->abort_hi) {
		set_hi(&d->abort_imwr, val);
	} else if (off >= r->imwr_data && off < r->imwr_data + 16) {
		d->imwr_data[(off - r->imwr_data) / 4] = val;
	} else if (off == r->ll_err_en) {
		d->ll_err_en = val;
	} else if (off == r->chgroup) {
		d->chgroup = val;
	} else if (off >= r->pwr_en && off < r->pwr_en + 4 * EDMA_MODEL_MAX_CH) {
		d->pwr_en[(off - r->pwr_en) / 4] = val & BIT(0);
	} else {
		/* int_status and err_status are read-only. */
		return off == r->int_status || off == r->err_lo ||
		       (r->err_hi && off == r->err_hi);
	}
	return true;
}

static u32 reg_read32(struct edma_model *m, unsigned int off)
{
	struct edma_model_chan *c;
	unsigned int reg;
	u32 val;

	if (off == EDMA_M_CTRL)
		return FIELD_PREP(GENMASK(3, 0), m->d[EDMA_MODEL_WR].nch) |
		       FIELD_PREP(GENMASK(19, 16), m->d[EDMA_MODEL_RD].nch);
	if (off == EDMA_M_CTRL_DATA_ARB_PRIOR)
		return m->arb_prior;
	if (dir_read(m, EDMA_MODEL_WR, off, &val) ||
	    dir_read(m, EDMA_MODEL_RD, off, &val))
		return val;
	if (decode_chan(m, off, &c, &reg))
		return chan_read(c, reg);
	return 0;	/* reserved */
}

static void reg_write32(struct edma_model *m, unsigned int off, u32 val,
			bool *kick)
{
	struct edma_model_chan *c;
	unsigned int reg;

	if (off == EDMA_M_CTRL_DATA_ARB_PRIOR) {
		m->arb_prior = val;
		return;
	}
	if (dir_write(m, EDMA_MODEL_WR, off, val, kick) ||
	    dir_write(m, EDMA_MODEL_RD, off, val, kick))
		return;
	if (decode_chan(m, off, &c, &reg))
		chan_write(c, reg, val);
	/* ctrl and reserved offsets ignore writes */
}

static bool access_ok_size(unsigned int off, int size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	/* 64-bit accesses are two 32-bit ones (LLP is only 4-byte aligned) */
	if (off & (min(size, 4) - 1))
		return false;
	return off < EDMA_MODEL_REG_SIZE &&
	       size <= EDMA_MODEL_REG_SIZE - off;
}

u64 edma_model_reg_read(struct edma_model *m, unsigned int off, int size)
{
	unsigned long flags;
	u64 val;

	if (!access_ok_size(off, size))
		return size >= 8 ? U64_MAX : GENMASK_ULL(size * 8 - 1, 0);

	raw_spin_lock_irqsave(&m->lock, flags);
	if (size == 8) {
		val = reg_read32(m, off) | (u64)reg_read32(m, off + 4) << 32;
	} else {
		val = reg_read32(m, off & ~3U) >> ((off & 3) * 8);
		if (size < 4)
			val &= GENMASK_ULL(size * 8 - 1, 0);
	}
	raw_spin_unlock_irqrestore(&m->lock, flags);
	return val;
}

void edma_model_reg_write(struct edma_model *m, unsigned int off, int size,
			  u64 val)
{
	unsigned long flags;
	bool kick = false;

	if (!access_ok_size(off, size))
		return;

	raw_spin_lock_irqsave(&m->lock, flags);
	if (size == 8) {
		reg_write32(m, off, lower_32_bits(val), &kick);
		reg_write32(m, off + 4, upper_32_bits(val), &kick);
	} else if (size == 4) {
		reg_write32(m, off, val, &kick);
	} else {
		unsigned int shift = (off & 3) * 8;
		u32 mask = GENMASK(size * 8 - 1, 0) << shift;
		u32 old = reg_read32(m, off & ~3U);

		reg_write32(m, off & ~3U,
			    (old & ~mask) | (((u32)val << shift) & mask), &kick);
	}
	raw_spin_unlock_irqrestore(&m->lock, flags);

	if (kick && m->ops->kick)
		m->ops->kick(m->ctx);
}

/* ---------------------------------------------------------------------- */
/* The engine                                                              */

enum edma_model_end {
	EDMA_END_STOP,		/* CB mismatch: the list is consumed */
	EDMA_END_DISABLED,	/* engine disabled under the channel */
	EDMA_END_ERR_LL,	/* element fetch failed, or a link loop */
	EDMA_END_ERR_DATA,	/* copy failed */
	EDMA_END_STOPPED,	/* doorbell stop */
};

struct edma_model_run_state {
	int dir;
	unsigned int ch;
	u64 cur;		/* next element (LL) */
	bool ccs;
	u64 sar, dar;		/* progress of the last data element */
	u32 left;		/* bytes not copied of the last element */
	bool lie, rie;		/* done signalling owed */
	bool rie_seen;		/* for the abort IMWr */
	u64 bytes;		/* statistics, added under the lock at the end */
	u64 elements;
	u64 links;
};

static int bus_read(struct edma_model *m, bool pci, u64 addr, void *buf,
		    size_t len)
{
	if (pci)
		return m->ops->pci_read ? m->ops->pci_read(m->ctx, addr, buf, len)
					: -EFAULT;
	return m->ops->local_read ? m->ops->local_read(m->ctx, addr, buf, len)
				  : -EFAULT;
}

static int bus_write(struct edma_model *m, bool pci, u64 addr, const void *buf,
		     size_t len)
{
	if (pci)
		return m->ops->pci_write ? m->ops->pci_write(m->ctx, addr, buf, len)
					 : -EFAULT;
	return m->ops->local_write ? m->ops->local_write(m->ctx, addr, buf, len)
				   : -EFAULT;
}

/* Copy one block in the channel's direction; updates rs->sar/dar/left. */
static int copy_block(struct edma_model *m, struct edma_model_run_state *rs,
		      u64 sar, u64 dar, u32 size)
{
	/* WRITE: EP memory -> PCI; READ: PCI -> EP memory */
	bool src_pci = rs->dir == EDMA_MODEL_RD;
	int ret;

	rs->sar = sar;
	rs->dar = dar;
	rs->left = size;
	while (rs->left) {
		size_t n = min_t(size_t, rs->left, m->cfg.bounce_size);

		if (rs->sar + n < rs->sar || rs->dar + n < rs->dar)
			return -EFAULT;	/* wraps the address space */
		ret = bus_read(m, src_pci, rs->sar, m->bounce, n);
		if (!ret)
			ret = bus_write(m, !src_pci, rs->dar, m->bounce, n);
		if (ret)
			return ret;
		rs->sar += n;
		rs->dar += n;
		rs->left -= n;
		rs->bytes += n;
		if (rs->left)
			cond_resched();
	}
	return 0;
}

static bool engine_gone(struct edma_model *m, struct edma_model_run_state *rs,
			enum edma_model_end *end)
{
	struct edma_model_chan *c = &m->d[rs->dir].ch[rs->ch];
	unsigned long flags;
	bool gone = false;

	raw_spin_lock_irqsave(&m->lock, flags);
	if (c->stop_req) {
		*end = EDMA_END_STOPPED;
		gone = true;
	} else if (!(m->d[rs->dir].engine_en & BIT(0))) {
		*end = EDMA_END_DISABLED;
		gone = true;
	}
	raw_spin_unlock_irqrestore(&m->lock, flags);
	return gone;
}

static enum edma_model_end walk_list(struct edma_model *m,
				     struct edma_model_run_state *rs)
{
	enum edma_model_end end;
	unsigned int n;
	u8 el[EDMA_MODEL_LL_ELEM_SIZE];

	for (n = 0; ; n++) {
		u32 ctrl, size;
		u64 sar, dar;

		if (engine_gone(m, rs, &end))
			return end;
		if (n >= m->cfg.max_elements)
			return EDMA_END_ERR_LL;
		/* control, size/reserved, sar/llp: enough for a link element */
		if (bus_read(m, false, rs->cur, el, 16))
			return EDMA_END_ERR_LL;
		ctrl = get_unaligned_le32(el);
		/* a lenient model follows links whatever their CB */
		if (!((ctrl & EDMA_M_LLP) && m->cfg.lenient_links) &&
		    !!(ctrl & EDMA_M_CB) != rs->ccs)
			return EDMA_END_STOP;
		if (ctrl & EDMA_M_LLP) {
			if (ctrl & EDMA_M_TCB)
				rs->ccs = !rs->ccs;
			rs->cur = get_unaligned_le64(el + 8);
			rs->links++;
			continue;
		}
		if (bus_read(m, false, rs->cur + 16, el + 16, 8))
			return EDMA_END_ERR_LL;
		size = get_unaligned_le32(el + 4);
		sar = get_unaligned_le64(el + 8);
		dar = get_unaligned_le64(el + 16);
		if (ctrl & EDMA_M_RIE)
			rs->rie_seen = true;
		if (copy_block(m, rs, sar, dar, size))
			return EDMA_END_ERR_DATA;
		rs->elements++;
		rs->lie |= !!(ctrl & EDMA_M_LIE);
		rs->rie |= !!(ctrl & EDMA_M_RIE);
		rs->cur += EDMA_MODEL_LL_ELEM_SIZE;
	}
}

/* An IMWr is a 4-byte memory write of the 16-bit data on the PCI side. */
static void send_imwr(struct edma_model *m, u64 addr, u16 data)
{
	__le32 msg = cpu_to_le32(data);
	unsigned long flags;
	bool sent;

	sent = addr && !bus_write(m, true, addr, &msg, sizeof(msg));
	raw_spin_lock_irqsave(&m->lock, flags);
	if (sent)
		m->stats.imwr++;
	else
		m->stats.imwr_dropped++;
	raw_spin_unlock_irqrestore(&m->lock, flags);
}

/* Run one channel; returns with the lock dropped, events filled in. */
static void run_chan(struct edma_model *m, int dir, unsigned int ch,
		     unsigned long flags)
	__releases(&m->lock)
{
	struct edma_model_dirstate *d = &m->d[dir];
	struct edma_model_chan *c = &d->ch[ch];
	struct edma_model_run_state rs = { .dir = dir, .ch = ch };
	struct edma_model_events ev = { };
	enum edma_model_end end = EDMA_END_STOP;
	bool ll = c->ctrl1 & EDMA_M_LLE;
	u32 ctrl1 = c->ctrl1;
	u64 sar = c->sar, dar = c->dar;
	u32 size = c->xfer_size;

	c->pending = false;
	c->active = true;
	c->cs = EDMA_M_CS_RUNNING;
	rs.cur = c->llp;
	rs.ccs = c->ccs;
	rs.sar = sar;
	rs.dar = dar;
	rs.left = size;
	rs.rie_seen = !!(ctrl1 & EDMA_M_RIE);
	m->stats.runs++;
	raw_spin_unlock_irqrestore(&m->lock, flags);

	if (ll) {
		end = walk_list(m, &rs);
	} else if (!engine_gone(m, &rs, &end)) {
		if (copy_block(m, &rs, sar, dar, size)) {
			end = EDMA_END_ERR_DATA;
		} else {
			rs.elements++;
			rs.lie = !!(ctrl1 & EDMA_M_LIE);
			rs.rie = !!(ctrl1 & EDMA_M_RIE);
			end = EDMA_END_STOP;
		}
	}

	raw_spin_lock_irqsave(&m->lock, flags);
	m->stats.bytes += rs.bytes;
	if (dir == EDMA_MODEL_WR)
		m->stats.bytes_wr += rs.bytes;
	else
		m->stats.bytes_rd += rs.bytes;
	m->stats.elements += rs.elements;
	m->stats.links += rs.links;
	c->active = false;
	c->stop_req = false;
	if (ll) {
		c->llp = rs.cur;
		c->ccs = rs.ccs;
	}
	c->sar = rs.sar;
	c->dar = rs.dar;
	c->xfer_size = rs.left;

	if (rs.lie || rs.rie) {
		d->int_status |= EDMA_M_INT_DONE(ch);
		m->stats.done++;
		if (rs.lie && !(d->int_mask & EDMA_M_INT_DONE(ch)))
			ev.local_irq = true;
		if (rs.rie) {
			ev.done_imwr = true;
			ev.done_addr = d->done_imwr;
		}
	}

	switch (end) {
	case EDMA_END_STOP:
	case EDMA_END_DISABLED:
		c->cs = EDMA_M_CS_STOPPED;
		break;
	case EDMA_END_ERR_LL:
	case EDMA_END_ERR_DATA:
	case EDMA_END_STOPPED:
		c->cs = EDMA_M_CS_HALTED;
		d->int_status |= EDMA_M_INT_ABORT(ch);
		if (end == EDMA_END_ERR_LL)
			d->err_status |= EDMA_M_ERR_LL(ch);
		else if (end == EDMA_END_ERR_DATA)
			d->err_status |= EDMA_M_ERR_DATA(ch);
		m->stats.aborts++;
		if (!(d->int_mask & EDMA_M_INT_ABORT(ch)))
			ev.local_irq = true;
		if (rs.rie_seen) {
			ev.abort_imwr = true;
			ev.abort_addr = d->abort_imwr;
		}
		break;
	}
	if (ev.local_irq && m->ops->raise_irq)
		m->stats.irqs++;
	/* A doorbell rung while the channel ran keeps it running. */
	if (c->pending)
		c->cs = EDMA_M_CS_RUNNING;
	ev.data = chan_imwr_data(d, ch);
	raw_spin_unlock_irqrestore(&m->lock, flags);

	if (ev.done_imwr)
		send_imwr(m, ev.done_addr, ev.data);
	if (ev.abort_imwr)
		send_imwr(m, ev.abort_addr, ev.data);
	if (ev.local_irq && m->ops->raise_irq)
		m->ops->raise_irq(m->ctx, dir, ch);
}

static bool find_pending(struct edma_model *m, int *dir, unsigned int *ch)
{
	int d;
	unsigned int c;

	for (d = EDMA_MODEL_WR; d <= EDMA_MODEL_RD; d++) {
		for (c = 0; c < m->d[d].nch; c++) {
			if (m->d[d].ch[c].pending) {
				*dir = d;
				*ch = c;
				return true;
			}
		}
	}
	return false;
}

unsigned int edma_model_run(struct edma_model *m)
{
	unsigned int runs = 0, ch;
	unsigned long flags;
	int dir;

	for (;;) {
		raw_spin_lock_irqsave(&m->lock, flags);
		if (!find_pending(m, &dir, &ch)) {
			raw_spin_unlock_irqrestore(&m->lock, flags);
			break;
		}
		run_chan(m, dir, ch, flags);
		runs++;
	}
	return runs;
}

bool edma_model_pending(struct edma_model *m)
{
	unsigned long flags;
	unsigned int ch;
	bool ret;
	int dir;

	raw_spin_lock_irqsave(&m->lock, flags);
	ret = find_pending(m, &dir, &ch);
	raw_spin_unlock_irqrestore(&m->lock, flags);
	return ret;
}

void edma_model_reset(struct edma_model *m)
{
	unsigned long flags;
	int dir;

	raw_spin_lock_irqsave(&m->lock, flags);
	m->arb_prior = 0;
	for (dir = EDMA_MODEL_WR; dir <= EDMA_MODEL_RD; dir++) {
		unsigned int nch = m->d[dir].nch;

		memset(&m->d[dir], 0, sizeof(m->d[dir]));
		m->d[dir].nch = nch;
	}
	raw_spin_unlock_irqrestore(&m->lock, flags);
}

void edma_model_get_stats(struct edma_model *m, struct edma_model_stats *st)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&m->lock, flags);
	*st = m->stats;
	raw_spin_unlock_irqrestore(&m->lock, flags);
}

unsigned int edma_model_chan_count(struct edma_model *m,
				   enum edma_model_dir dir)
{
	return m->d[dir].nch;
}

struct edma_model *edma_model_create(const struct edma_model_cfg *cfg,
				     const struct edma_model_ops *ops,
				     void *ctx)
{
	struct edma_model *m;

	if (!ops || cfg->wr_chans > EDMA_MODEL_MAX_CH ||
	    cfg->rd_chans > EDMA_MODEL_MAX_CH)
		return ERR_PTR(-EINVAL);

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	raw_spin_lock_init(&m->lock);
	m->ops = ops;
	m->ctx = ctx;
	m->cfg = *cfg;
	if (!m->cfg.wr_chans)
		m->cfg.wr_chans = EDMA_MODEL_MAX_CH;
	if (!m->cfg.rd_chans)
		m->cfg.rd_chans = EDMA_MODEL_MAX_CH;
	if (!m->cfg.max_elements)
		m->cfg.max_elements = EDMA_M_MAX_ELEMENTS;
	if (!m->cfg.bounce_size)
		m->cfg.bounce_size = EDMA_M_BOUNCE_SIZE;
	m->d[EDMA_MODEL_WR].nch = m->cfg.wr_chans;
	m->d[EDMA_MODEL_RD].nch = m->cfg.rd_chans;
	m->bounce = kmalloc(m->cfg.bounce_size, GFP_KERNEL);
	if (!m->bounce) {
		kfree(m);
		return ERR_PTR(-ENOMEM);
	}
	return m;
}

void edma_model_destroy(struct edma_model *m)
{
	if (IS_ERR_OR_NULL(m))
		return;
	kfree(m->bounce);
	kfree(m);
}
