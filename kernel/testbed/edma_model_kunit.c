// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the DesignWare eDMA model: register semantics, cycle-bit
 * rules, multi-chunk lists as dw-edma writes them, aborts on bad addresses,
 * local interrupts and IMWr messages (including multi-MSI data offsets).
 *
 * The model is compiled into this module (it is not exported by the
 * loopback EPC), so the suite runs on its own: modprobe edma_model_kunit.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "edma_model.c"

#define LOCAL_BASE	0x10000000ULL	/* EP-local memory */
#define LOCAL_SIZE	SZ_256K
#define LL_OFF		0x30000		/* LL regions: 0x1000 per channel */
#define PCI_BASE	0x80000000ULL	/* host memory seen over PCI */
#define PCI_SIZE	SZ_256K
#define MSI_BASE	0xfee00000ULL	/* "MSI controller": writes are logged */
#define MSI_SIZE	0x1000
#define MAX_MSGS	32

#define WR		EDMA_MODEL_WR
#define RD		EDMA_MODEL_RD

struct msi_msg_log {
	u64 addr;
	u32 data;
};

struct tb {
	struct kunit *test;
	struct edma_model *m;
	u8 *local;
	u8 *pci;
	unsigned int kicks;
	unsigned int bus_calls;
	unsigned int irqs[2][EDMA_MODEL_MAX_CH];
	struct msi_msg_log msg[MAX_MSGS];
	unsigned int nmsg;
	/* optional interrupt handler, called from raise_irq */
	void (*on_irq)(struct tb *t, int dir, unsigned int ch);
	unsigned int handled;
};

static int mem_access(struct tb *t, bool pci, u64 addr, size_t len, u8 **p)
{
	u64 base = pci ? PCI_BASE : LOCAL_BASE;
	u64 size = pci ? PCI_SIZE : LOCAL_SIZE;

	t->bus_calls++;
	if (addr < base || addr - base > size || len > size - (addr - base))
		return -EFAULT;
	*p = (pci ? t->pci : t->local) + (addr - base);
	return 0;
}

static int tb_local_read(void *ctx, u64 addr, void *buf, size_t len)
{
	u8 *p;
	int ret = mem_access(ctx, false, addr, len, &p);

	if (!ret)
		memcpy(buf, p, len);
	return ret;
}

static int tb_local_write(void *ctx, u64 addr, const void *buf, size_t len)
{
	u8 *p;
	int ret = mem_access(ctx, false, addr, len, &p);

	if (!ret)
		memcpy(p, buf, len);
	return ret;
}

static int tb_pci_read(void *ctx, u64 addr, void *buf, size_t len)
{
	u8 *p;
	int ret = mem_access(ctx, true, addr, len, &p);

	if (!ret)
		memcpy(buf, p, len);
	return ret;
}

static int tb_pci_write(void *ctx, u64 addr, const void *buf, size_t len)
{
	struct tb *t = ctx;
	u8 *p;
	int ret;

	if (addr >= MSI_BASE && addr < MSI_BASE + MSI_SIZE) {
		t->bus_calls++;
		if (len != 4 || t->nmsg >= MAX_MSGS)
			return -EINVAL;
		t->msg[t->nmsg].addr = addr;
		t->msg[t->nmsg].data = get_unaligned_le32(buf);
		t->nmsg++;
		return 0;
	}
	ret = mem_access(t, true, addr, len, &p);
	if (!ret)
		memcpy(p, buf, len);
	return ret;
}

static void tb_raise_irq(void *ctx, enum edma_model_dir dir, unsigned int ch)
{
	struct tb *t = ctx;

	t->irqs[dir][ch]++;
	if (t->on_irq)
		t->on_irq(t, dir, ch);
}

static void tb_kick(void *ctx)
{
	struct tb *t = ctx;

	t->kicks++;
}

static const struct edma_model_ops tb_ops = {
	.local_read = tb_local_read,
	.local_write = tb_local_write,
	.pci_read = tb_pci_read,
	.pci_write = tb_pci_write,
	.raise_irq = tb_raise_irq,
	.kick = tb_kick,
};

static void tb_model(struct tb *t, const struct edma_model_cfg *cfg)
{
	struct edma_model_cfg def = { };

	edma_model_destroy(t->m);
	t->m = edma_model_create(cfg ? cfg : &def, &tb_ops, t);
	KUNIT_ASSERT_FALSE(t->test, IS_ERR(t->m));
}

static int edma_test_init(struct kunit *test)
{
	struct tb *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	t->local = kunit_kzalloc(test, LOCAL_SIZE, GFP_KERNEL);
	t->pci = kunit_kzalloc(test, PCI_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->local);
	KUNIT_ASSERT_NOT_NULL(test, t->pci);
	test->priv = t;
	tb_model(t, NULL);
	return 0;
}

static void edma_test_exit(struct kunit *test)
{
	struct tb *t = test->priv;

	edma_model_destroy(t->m);
}

/* ---- register helpers ---- */

static u32 r32(struct tb *t, unsigned int off)
{
	return edma_model_reg_read(t->m, off, 4);
}

static void w32(struct tb *t, unsigned int off, u32 val)
{
	edma_model_reg_write(t->m, off, 4, val);
}

static unsigned int chreg(int dir, unsigned int ch, unsigned int reg)
{
	return EDMA_M_CH_BASE(dir, ch) + reg;
}

static unsigned int engine_en(int dir)
{
	return dir == WR ? EDMA_M_WR_ENGINE_EN : EDMA_M_RD_ENGINE_EN;
}

static unsigned int doorbell_reg(int dir)
{
	return dir == WR ? EDMA_M_WR_DOORBELL : EDMA_M_RD_DOORBELL;
}

static unsigned int int_status(int dir)
{
	return dir == WR ? EDMA_M_WR_INT_STATUS : EDMA_M_RD_INT_STATUS;
}

static unsigned int int_mask(int dir)
{
	return dir == WR ? EDMA_M_WR_INT_MASK : EDMA_M_RD_INT_MASK;
}

static unsigned int int_clear(int dir)
{
	return dir == WR ? EDMA_M_WR_INT_CLEAR : EDMA_M_RD_INT_CLEAR;
}

static unsigned int err_status(int dir)
{
	return dir == WR ? EDMA_M_WR_ERR_STATUS : EDMA_M_RD_ERR_STATUS_LO;
}

static unsigned int imwr_reg(int dir, bool abort, bool hi)
{
	if (dir == WR)
		return (abort ? EDMA_M_WR_ABORT_IMWR_LO : EDMA_M_WR_DONE_IMWR_LO) +
		       (hi ? 4 : 0);
	return (abort ? EDMA_M_RD_ABORT_IMWR_LO : EDMA_M_RD_DONE_IMWR_LO) +
	       (hi ? 4 : 0);
}

static unsigned int imwr_data_reg(int dir, unsigned int ch)
{
	return (dir == WR ? EDMA_M_WR_CH01_IMWR_DATA : EDMA_M_RD_CH01_IMWR_DATA) +
	       (ch / 2) * 4;
}

static unsigned int cs(struct tb *t, int dir, unsigned int ch)
{
	return FIELD_GET(EDMA_M_CS, r32(t, chreg(dir, ch, EDMA_M_CH_CONTROL1)));
}

static u64 ll_addr(int dir, unsigned int ch)
{
	return LOCAL_BASE + LL_OFF + (dir * EDMA_MODEL_MAX_CH + ch) * 0x1000;
}

static void put_data(struct tb *t, u64 at, u32 ctrl, u32 size, u64 sar,
		     u64 dar)
{
	u8 *p = t->local + (at - LOCAL_BASE);

	put_unaligned_le32(ctrl, p);
	put_unaligned_le32(size, p + 4);
	put_unaligned_le64(sar, p + 8);
	put_unaligned_le64(dar, p + 16);
}

static void put_link(struct tb *t, u64 at, u32 ctrl, u64 ptr)
{
	u8 *p = t->local + (at - LOCAL_BASE);

	memset(p, 0, EDMA_MODEL_LL_ELEM_SIZE);
	put_unaligned_le32(ctrl | EDMA_M_LLP, p);
	put_unaligned_le64(ptr, p + 8);
}

static u64 el(int dir, unsigned int ch, unsigned int i)
{
	return ll_addr(dir, ch) + i * EDMA_MODEL_LL_ELEM_SIZE;
}

/* What dw_edma_v0_core_start(first = true) does, then the doorbell. */
static void start_ll(struct tb *t, int dir, unsigned int ch, bool ccs, u64 llp)
{
	w32(t, engine_en(dir), 1);
	w32(t, chreg(dir, ch, EDMA_M_CH_CONTROL1),
	    (ccs ? EDMA_M_CCS : 0) | EDMA_M_LLE);
	w32(t, chreg(dir, ch, EDMA_M_CH_LLP_LO), lower_32_bits(llp));
	w32(t, chreg(dir, ch, EDMA_M_CH_LLP_HI), upper_32_bits(llp));
	w32(t, doorbell_reg(dir), ch);
}

static void fill(u8 *p, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = seed + i * 7;
}

static bool filled(const u8 *p, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (u8)(seed + i * 7))
			return false;
	return true;
}

static bool all_zero(const u8 *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static struct edma_model_stats stats(struct tb *t)
{
	struct edma_model_stats st;

	edma_model_get_stats(t->m, &st);
	return st;
}

/* ---- register semantics ---- */

static void reg_ctrl_reports_channel_counts(struct kunit *test)
{
	struct tb *t = test->priv;
	struct edma_model_cfg cfg = { .wr_chans = 2, .rd_chans = 3 };

	KUNIT_EXPECT_EQ(test, r32(t, EDMA_M_CTRL), 0x00080008);
	w32(t, EDMA_M_CTRL, 0);
	KUNIT_EXPECT_EQ(test, r32(t, EDMA_M_CTRL), 0x00080008);
	tb_model(t, &cfg);
	KUNIT_EXPECT_EQ(test, r32(t, EDMA_M_CTRL), 0x00030002);
	/* registers of absent channels do not exist */
	w32(t, chreg(WR, 2, EDMA_M_CH_LLP_LO), 0x1234);
	KUNIT_EXPECT_EQ(test, r32(t, chreg(WR, 2, EDMA_M_CH_LLP_LO)), 0);
	w32(t, chreg(RD, 2, EDMA_M_CH_LLP_LO), 0x1234);
	KUNIT_EXPECT_EQ(test, r32(t, chreg(RD, 2, EDMA_M_CH_LLP_LO)), 0x1234);
}

static void reg_bad_access(struct kunit *test)
{
	struct tb *t = test->priv;

	/* reserved space reads zero and ignores writes */
	w32(t, 0x0f0, 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, r32(t, 0x0f0), 0);
	w32(t, chreg(WR, 0, 0x40), 0xdeadbeef);
	KUNIT_EXPECT_EQ(test, r32(t, chreg(WR, 0, 0x40)), 0);
	/* beyond the block, misaligned or odd sizes: all ones, dropped */
	KUNIT_EXPECT_EQ(test, edma_model_reg_read(t->m, EDMA_MODEL_REG_SIZE, 4),
			0xffffffffULL);
	KUNIT_EXPECT_EQ(test, edma_model_reg_read(t->m, 0x062, 4), 0xffffffffULL);
	KUNIT_EXPECT_EQ(test, edma_model_reg_read(t->m, 0x060, 3), 0xffffffULL);
	KUNIT_EXPECT_EQ(test, edma_model_reg_read(t->m, EDMA_MODEL_REG_SIZE - 4, 8),
			U64_MAX);
	edma_model_reg_write(t->m, 0x062, 4, 0x1234);
	KUNIT_EXPECT_EQ(test, r32(t, 0x060), 0);
	/* doorbell and int_clear read as zero */
	w32(t, engine_en(WR), 1);
	w32(t, doorbell_reg(WR), 3);
	KUNIT_EXPECT_EQ(test, r32(t, doorbell_reg(WR)), 0);
	KUNIT_EXPECT_EQ(test, r32(t, int_clear(WR)), 0);
}

static void reg_subword_and_64bit_access(struct kunit *test)
{
	struct tb *t = test->priv;
	unsigned int llp = chreg(RD, 5, EDMA_M_CH_LLP_LO);

	/* dw-edma writes the unaligned LLP as two 32-bit halves */
	w32(t, llp, 0x89abcdef);
	w32(t, llp + 4, 0x01234567);
	KUNIT_EXPECT_EQ(test, edma_model_reg_read(t->m, llp, 8),
			0x0123456789abcdefULL);
	edma_model_reg_write(t->m, imwr_reg(RD, false, false), 8,
			     0xfedcba9876543210ULL);
	KUNIT_EXPECT_EQ(test, r32(t, imwr_reg(RD, false, false)), 0x76543210);
	KUNIT_EXPECT_EQ(test, r32(t, imwr_reg(RD, false, true)), 0xfedcba98);
	/* byte and half-word accesses see and update their lane only */
	w32(t, imwr_data_reg(WR, 2), 0x11223344);
	edma_model_reg_write(t->m, imwr_data_reg(WR, 2) + 1, 1, 0xaa);
	edma_model_reg_write(t->m, imwr_data_reg(WR, 2) + 2, 2, 0xbbcc);
	KUNIT_EXPECT_EQ(test, r32(t, imwr_data_reg(WR, 2)), 0xbbccaa44);
	KUNIT_EXPECT_EQ(test, edma_model_reg_read(t->m, imwr_data_reg(WR, 2) + 3, 1),
			0xbbULL);
	KUNIT_EXPECT_EQ(test, edma_model_reg_read(t->m, imwr_data_reg(WR, 2), 2),
			0xaa44ULL);
}

static void reg_int_mask_and_clear(struct kunit *test)
{
	struct tb *t = test->priv;

	w32(t, int_mask(RD), 0xffffffff);
	KUNIT_EXPECT_EQ(test, r32(t, int_mask(RD)), 0x00ff00ff);
	w32(t, int_mask(RD), 0x00010002);
	KUNIT_EXPECT_EQ(test, r32(t, int_mask(RD)), 0x00010002);
	KUNIT_EXPECT_EQ(test, r32(t, int_mask(WR)), 0);

	/* two channels finish: their done bits are set */
	put_data(t, el(RD, 0, 0), EDMA_M_CB | EDMA_M_LIE, 4, PCI_BASE, LOCAL_BASE);
	put_data(t, el(RD, 1, 0), EDMA_M_CB | EDMA_M_LIE, 4, PCI_BASE, LOCAL_BASE);
	start_ll(t, RD, 0, true, el(RD, 0, 0));
	start_ll(t, RD, 1, true, el(RD, 1, 0));
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 2U);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0x3);
	/* status is read-only; int_clear clears exactly the written bits */
	w32(t, int_status(RD), 0);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0x3);
	w32(t, int_clear(RD), EDMA_M_INT_DONE(1) | EDMA_M_INT_ABORT(0));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0x1);
	w32(t, int_clear(RD), 0x00ff00ff);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0);
}

static void reg_control1_ccs_and_cs(struct kunit *test)
{
	struct tb *t = test->priv;
	unsigned int c1 = chreg(WR, 4, EDMA_M_CH_CONTROL1);

	/* CS is read-only; CCS and LLE read back what was written */
	w32(t, c1, EDMA_M_CCS | EDMA_M_LLE | EDMA_M_CS);
	KUNIT_EXPECT_EQ(test, r32(t, c1), EDMA_M_CCS | EDMA_M_LLE);
	w32(t, c1, EDMA_M_LLE);
	KUNIT_EXPECT_EQ(test, r32(t, c1), EDMA_M_LLE);

	/* CCS reads live: a link element with TCB toggled it */
	put_link(t, el(WR, 4, 0), EDMA_M_TCB | EDMA_M_CB, el(WR, 4, 1));
	put_data(t, el(WR, 4, 1), EDMA_M_LIE, 8, LOCAL_BASE, PCI_BASE);
	put_data(t, el(WR, 4, 2), EDMA_M_CB, 0, 0, 0);	/* end of list */
	start_ll(t, WR, 4, true, el(WR, 4, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, r32(t, c1) & EDMA_M_CCS, 0U);
	KUNIT_EXPECT_EQ(test, cs(t, WR, 4), EDMA_M_CS_STOPPED);
}

static void doorbell_ignored_when_engine_disabled(struct kunit *test)
{
	struct tb *t = test->priv;

	put_data(t, el(WR, 0, 0), EDMA_M_CB | EDMA_M_LIE, 16, LOCAL_BASE, PCI_BASE);
	w32(t, chreg(WR, 0, EDMA_M_CH_CONTROL1), EDMA_M_CCS | EDMA_M_LLE);
	w32(t, chreg(WR, 0, EDMA_M_CH_LLP_LO), lower_32_bits(el(WR, 0, 0)));
	w32(t, doorbell_reg(WR), 0);
	KUNIT_EXPECT_EQ(test, t->kicks, 0U);
	KUNIT_EXPECT_FALSE(test, edma_model_pending(t->m));
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 0U);
	KUNIT_EXPECT_EQ(test, cs(t, WR, 0), 0U);
	KUNIT_EXPECT_EQ(test, stats(t).doorbells_ignored, 1ULL);
	/* the read engine's enable does not count for write channels */
	w32(t, engine_en(RD), 1);
	w32(t, doorbell_reg(WR), 0);
	KUNIT_EXPECT_EQ(test, t->kicks, 0U);
	w32(t, engine_en(WR), 1);
	w32(t, doorbell_reg(WR), 0);
	KUNIT_EXPECT_EQ(test, t->kicks, 1U);
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 1U);
}

static void doorbell_only_queues(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->pci, 64, 1);
	put_data(t, el(RD, 2, 0), EDMA_M_CB | EDMA_M_LIE, 64, PCI_BASE,
		 LOCAL_BASE + 0x100);
	start_ll(t, RD, 2, true, el(RD, 2, 0));
	/* the doorbell touched no memory: it only asked for a run */
	KUNIT_EXPECT_EQ(test, t->kicks, 1U);
	KUNIT_EXPECT_EQ(test, t->bus_calls, 0U);
	KUNIT_EXPECT_TRUE(test, edma_model_pending(t->m));
	KUNIT_EXPECT_EQ(test, cs(t, RD, 2), EDMA_M_CS_RUNNING);
	KUNIT_EXPECT_TRUE(test, all_zero(t->local + 0x100, 64));
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 1U);
	KUNIT_EXPECT_TRUE(test, filled(t->local + 0x100, 64, 1));
	KUNIT_EXPECT_EQ(test, cs(t, RD, 2), EDMA_M_CS_STOPPED);
	KUNIT_EXPECT_FALSE(test, edma_model_pending(t->m));
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 0U);
}

static void doorbell_bad_channel_ignored(struct kunit *test)
{
	struct tb *t = test->priv;
	struct edma_model_cfg cfg = { .wr_chans = 2, .rd_chans = 2 };

	tb_model(t, &cfg);
	w32(t, engine_en(RD), 1);
	w32(t, doorbell_reg(RD), 5);
	KUNIT_EXPECT_EQ(test, t->kicks, 0U);
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 0U);
	KUNIT_EXPECT_EQ(test, stats(t).doorbells_ignored, 1ULL);
}

/* ---- copies and lists ---- */

static void read_channel_copies_pci_to_local(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->pci + 0x1000, 1000, 3);
	put_data(t, el(RD, 0, 0), EDMA_M_CB | EDMA_M_LIE, 1000,
		 PCI_BASE + 0x1000, LOCAL_BASE + 0x2000);
	put_link(t, el(RD, 0, 1), EDMA_M_TCB, ll_addr(RD, 0));
	start_ll(t, RD, 0, true, el(RD, 0, 0));
	edma_model_run(t->m);

	KUNIT_EXPECT_TRUE(test, filled(t->local + 0x2000, 1000, 3));
	KUNIT_EXPECT_TRUE(test, all_zero(t->local + 0x2000 + 1000, 64));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_DONE(0));
	KUNIT_EXPECT_EQ(test, t->irqs[RD][0], 1U);
	KUNIT_EXPECT_EQ(test, t->irqs[WR][0], 0U);
	KUNIT_EXPECT_EQ(test, cs(t, RD, 0), EDMA_M_CS_STOPPED);
	/* stopped at the link element, whose CB does not match */
	KUNIT_EXPECT_EQ(test, edma_model_reg_read(t->m, chreg(RD, 0, EDMA_M_CH_LLP_LO), 8),
			el(RD, 0, 1));
	KUNIT_EXPECT_EQ(test, r32(t, chreg(RD, 0, EDMA_M_CH_XFER_SIZE)), 0U);
	KUNIT_EXPECT_EQ(test, stats(t).bytes, 1000ULL);
	KUNIT_EXPECT_EQ(test, t->nmsg, 0U);
}

static void write_channel_copies_local_to_pci(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->local + 0x3000, 4096, 9);
	put_data(t, el(WR, 7, 0), EDMA_M_CB | EDMA_M_LIE, 4096,
		 LOCAL_BASE + 0x3000, PCI_BASE + 0x5000);
	start_ll(t, WR, 7, true, el(WR, 7, 0));
	edma_model_run(t->m);

	KUNIT_EXPECT_TRUE(test, filled(t->pci + 0x5000, 4096, 9));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)), EDMA_M_INT_DONE(7));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0U);
	KUNIT_EXPECT_EQ(test, t->irqs[WR][7], 1U);
	/* SAR/DAR show where the last element ended */
	KUNIT_EXPECT_EQ(test, edma_model_reg_read(t->m, chreg(WR, 7, EDMA_M_CH_DAR_LO), 8),
			PCI_BASE + 0x5000 + 4096);
}

/*
 * Both directions at once, as a host that drives exported channels of both
 * kinds does: a READ channel fills EP memory from the host, a WRITE channel
 * fills the host from EP memory, each touching only its destination side,
 * and the statistics count the bytes per direction.
 */
static void both_directions_counted_apart(struct kunit *test)
{
	struct tb *t = test->priv;
	struct edma_model_stats st;

	fill(t->pci + 0x1000, 512, 5);
	fill(t->local + 0x4000, 768, 6);
	put_data(t, el(RD, 2, 0), EDMA_M_CB | EDMA_M_RIE, 512,
		 PCI_BASE + 0x1000, LOCAL_BASE + 0x8000);
	put_data(t, el(WR, 1, 0), EDMA_M_CB | EDMA_M_RIE, 768,
		 LOCAL_BASE + 0x4000, PCI_BASE + 0x9000);
	start_ll(t, RD, 2, true, el(RD, 2, 0));
	start_ll(t, WR, 1, true, el(WR, 1, 0));
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 2U);

	KUNIT_EXPECT_TRUE(test, filled(t->local + 0x8000, 512, 5));
	KUNIT_EXPECT_TRUE(test, filled(t->pci + 0x9000, 768, 6));
	/* neither copied the other way: the mirror addresses stay empty */
	KUNIT_EXPECT_TRUE(test, all_zero(t->pci + 0x8000, 512));
	KUNIT_EXPECT_TRUE(test, all_zero(t->local + 0x9000, 768));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_DONE(2));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)), EDMA_M_INT_DONE(1));
	st = stats(t);
	KUNIT_EXPECT_EQ(test, st.bytes_rd, 512ULL);
	KUNIT_EXPECT_EQ(test, st.bytes_wr, 768ULL);
	KUNIT_EXPECT_EQ(test, st.bytes, 512ULL + 768ULL);
}

/*
 * A WRITE channel given a list built for a READ (source on the PCI side, as
 * a host that picked the wrong direction would write it) does not move the
 * data: the source is not EP memory, so the channel aborts with a data
 * error and nothing reaches either side.
 */
static void write_channel_with_read_list_aborts(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->pci + 0x1000, 256, 8);
	put_data(t, el(WR, 0, 0), EDMA_M_CB | EDMA_M_LIE, 256,
		 PCI_BASE + 0x1000, LOCAL_BASE + 0x2000);
	start_ll(t, WR, 0, true, el(WR, 0, 0));
	edma_model_run(t->m);

	KUNIT_EXPECT_TRUE(test, all_zero(t->local + 0x2000, 256));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)), EDMA_M_INT_ABORT(0));
	KUNIT_EXPECT_EQ(test, r32(t, err_status(WR)), EDMA_M_ERR_DATA(0));
	KUNIT_EXPECT_EQ(test, cs(t, WR, 0), EDMA_M_CS_HALTED);
	KUNIT_EXPECT_EQ(test, stats(t).bytes_wr, 0ULL);
	KUNIT_EXPECT_EQ(test, stats(t).bytes_rd, 0ULL);
}

static void multi_element_list(struct kunit *test)
{
	struct tb *t = test->priv;
	unsigned int i;

	fill(t->local, 3 * 512, 5);
	for (i = 0; i < 3; i++)
		put_data(t, el(WR, 1, i), EDMA_M_CB | (i == 2 ? EDMA_M_LIE : 0),
			 512, LOCAL_BASE + i * 512, PCI_BASE + 0x8000 + (2 - i) * 512);
	put_link(t, el(WR, 1, 3), EDMA_M_TCB, ll_addr(WR, 1));
	start_ll(t, WR, 1, true, el(WR, 1, 0));
	edma_model_run(t->m);

	/* each element went to its own place (reversed order) */
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test,
				memcmp(t->pci + 0x8000 + (2 - i) * 512, t->local + i * 512, 512),
				0);
	KUNIT_EXPECT_EQ(test, t->irqs[WR][1], 1U);
	KUNIT_EXPECT_EQ(test, stats(t).elements, 3ULL);
	KUNIT_EXPECT_EQ(test, stats(t).done, 1ULL);
}

static void zero_size_element(struct kunit *test)
{
	struct tb *t = test->priv;

	put_data(t, el(RD, 3, 0), EDMA_M_CB | EDMA_M_LIE, 0, PCI_BASE, LOCAL_BASE);
	start_ll(t, RD, 3, true, el(RD, 3, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_DONE(3));
	KUNIT_EXPECT_EQ(test, stats(t).bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, cs(t, RD, 3), EDMA_M_CS_STOPPED);
}

static void large_copy_through_small_bounce(struct kunit *test)
{
	struct tb *t = test->priv;
	struct edma_model_cfg cfg = { .bounce_size = 4096 };
	const size_t len = 100 * 1024 + 3;

	tb_model(t, &cfg);
	fill(t->pci, len, 11);
	put_data(t, el(RD, 6, 0), EDMA_M_CB | EDMA_M_LIE, len, PCI_BASE,
		 LOCAL_BASE + 1);
	start_ll(t, RD, 6, true, el(RD, 6, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_TRUE(test, filled(t->local + 1, len, 11));
	KUNIT_EXPECT_EQ(test, t->local[0], 0);
	KUNIT_EXPECT_EQ(test, stats(t).bytes, (u64)len);
}

static void non_ll_block_transfer(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->local + 0x400, 300, 13);
	w32(t, engine_en(WR), 1);
	w32(t, chreg(WR, 3, EDMA_M_CH_CONTROL1), EDMA_M_LIE);
	w32(t, chreg(WR, 3, EDMA_M_CH_XFER_SIZE), 300);
	w32(t, chreg(WR, 3, EDMA_M_CH_SAR_LO), lower_32_bits(LOCAL_BASE + 0x400));
	w32(t, chreg(WR, 3, EDMA_M_CH_DAR_LO), lower_32_bits(PCI_BASE + 0x600));
	w32(t, doorbell_reg(WR), 3);
	edma_model_run(t->m);
	KUNIT_EXPECT_TRUE(test, filled(t->pci + 0x600, 300, 13));
	KUNIT_EXPECT_EQ(test, r32(t, chreg(WR, 3, EDMA_M_CH_XFER_SIZE)), 0U);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)), EDMA_M_INT_DONE(3));
	KUNIT_EXPECT_EQ(test, t->irqs[WR][3], 1U);
}

/* ---- cycle-bit rules ---- */

static void cb_mismatch_stops_before_copy(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->pci, 32, 1);
	/* CCS = 1 but the element still carries CB = 0: nothing to consume */
	put_data(t, el(RD, 0, 0), EDMA_M_LIE, 32, PCI_BASE, LOCAL_BASE);
	start_ll(t, RD, 0, true, el(RD, 0, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_TRUE(test, all_zero(t->local, 32));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0U);
	KUNIT_EXPECT_EQ(test, t->irqs[RD][0], 0U);
	KUNIT_EXPECT_EQ(test, cs(t, RD, 0), EDMA_M_CS_STOPPED);
	KUNIT_EXPECT_EQ(test, r32(t, chreg(RD, 0, EDMA_M_CH_LLP_LO)),
			lower_32_bits(el(RD, 0, 0)));

	/* with CCS = 0 the same element is consumed */
	put_data(t, el(RD, 0, 1), EDMA_M_CB, 0, 0, 0);	/* end of list */
	start_ll(t, RD, 0, false, el(RD, 0, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_TRUE(test, filled(t->local, 32, 1));
	KUNIT_EXPECT_EQ(test, t->irqs[RD][0], 1U);
}

static void link_tcb_toggles_ccs(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->pci, 256, 2);
	/* CB=1 data, a CB=1 link with TCB to element 5, then CB=0 data */
	put_data(t, el(RD, 4, 0), EDMA_M_CB, 128, PCI_BASE, LOCAL_BASE);
	put_link(t, el(RD, 4, 1), EDMA_M_CB | EDMA_M_TCB, el(RD, 4, 5));
	put_data(t, el(RD, 4, 5), EDMA_M_LIE, 128, PCI_BASE + 128, LOCAL_BASE + 128);
	/* still CB=0 after it: CCS is now 0, so this one is consumed too... */
	put_data(t, el(RD, 4, 6), 0, 16, PCI_BASE, LOCAL_BASE + 0x1000);
	/* ...and this CB=1 element ends the list */
	put_data(t, el(RD, 4, 7), EDMA_M_CB, 16, PCI_BASE, LOCAL_BASE + 0x2000);
	start_ll(t, RD, 4, true, el(RD, 4, 0));
	edma_model_run(t->m);

	KUNIT_EXPECT_TRUE(test, filled(t->local, 256, 2));
	KUNIT_EXPECT_TRUE(test, filled(t->local + 0x1000, 16, 2));
	KUNIT_EXPECT_TRUE(test, all_zero(t->local + 0x2000, 16));
	KUNIT_EXPECT_EQ(test, stats(t).links, 1ULL);
	KUNIT_EXPECT_EQ(test, stats(t).elements, 3ULL);
	KUNIT_EXPECT_EQ(test, r32(t, chreg(RD, 4, EDMA_M_CH_LLP_LO)),
			lower_32_bits(el(RD, 4, 7)));
	KUNIT_EXPECT_EQ(test, r32(t, chreg(RD, 4, EDMA_M_CH_CONTROL1)) & EDMA_M_CCS, 0U);
}

static void link_without_tcb_keeps_ccs(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->pci, 64, 4);
	put_link(t, el(WR, 2, 0), EDMA_M_CB, el(WR, 2, 3));
	put_data(t, el(WR, 2, 3), EDMA_M_CB | EDMA_M_LIE, 64, LOCAL_BASE, PCI_BASE);
	fill(t->local, 64, 4);
	start_ll(t, WR, 2, true, el(WR, 2, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, t->irqs[WR][2], 1U);
	KUNIT_EXPECT_TRUE(test, filled(t->pci, 64, 4));
	KUNIT_EXPECT_EQ(test, r32(t, chreg(WR, 2, EDMA_M_CH_CONTROL1)) & EDMA_M_CCS,
			(u32)EDMA_M_CCS);
}

static void link_cb_rule_strict_and_lenient(struct kunit *test)
{
	struct tb *t = test->priv;
	struct edma_model_cfg lenient = { .lenient_links = true };

	/* a link whose CB differs from CCS is not consumed (databook) */
	put_link(t, el(RD, 1, 0), EDMA_M_TCB, el(RD, 1, 2));
	put_data(t, el(RD, 1, 2), EDMA_M_LIE, 8, PCI_BASE, LOCAL_BASE);
	put_data(t, el(RD, 1, 3), EDMA_M_CB, 0, 0, 0);	/* end of list */
	fill(t->pci, 8, 6);
	start_ll(t, RD, 1, true, el(RD, 1, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, stats(t).links, 0ULL);
	KUNIT_EXPECT_TRUE(test, all_zero(t->local, 8));
	KUNIT_EXPECT_EQ(test, r32(t, chreg(RD, 1, EDMA_M_CH_LLP_LO)),
			lower_32_bits(el(RD, 1, 0)));

	/* lenient: followed, TCB toggles CCS to 0, the CB=0 element runs */
	tb_model(t, &lenient);
	start_ll(t, RD, 1, true, el(RD, 1, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, stats(t).links, 1ULL);
	KUNIT_EXPECT_TRUE(test, filled(t->local, 8, 6));
	KUNIT_EXPECT_EQ(test, t->irqs[RD][1], 1U);
}

/*
 * Write one chunk the way dw_edma_v0_core_write_chunk() does: data elements
 * with CB = cb (LIE on the last), then a link back to the region start with
 * TCB and CB = !cb.
 */
static void driver_chunk(struct tb *t, int dir, unsigned int ch, bool cb,
			 unsigned int n, u64 sar, u64 dar, u32 sz)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		put_data(t, el(dir, ch, i),
			 (cb ? EDMA_M_CB : 0) | (i == n - 1 ? EDMA_M_LIE : 0),
			 sz, sar + i * sz, dar + i * sz);
	put_link(t, el(dir, ch, n), EDMA_M_TCB | (cb ? 0 : EDMA_M_CB),
		 ll_addr(dir, ch));
}

/*
 * dw-edma splits a descriptor into chunks of ll_max bursts. The first chunk
 * programs CCS/LLP; the next one is written into the same region after the
 * done interrupt and only rings the doorbell again.
 */
static void driver_multichunk_full_chunks(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->pci, 6 * 64, 8);
	driver_chunk(t, RD, 5, true, 3, PCI_BASE, LOCAL_BASE, 64);
	start_ll(t, RD, 5, true, ll_addr(RD, 5));
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 1U);
	KUNIT_EXPECT_EQ(test, t->irqs[RD][5], 1U);
	w32(t, int_clear(RD), EDMA_M_INT_DONE(5));

	driver_chunk(t, RD, 5, false, 3, PCI_BASE + 3 * 64, LOCAL_BASE + 3 * 64, 64);
	w32(t, doorbell_reg(RD), 5);
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 1U);
	KUNIT_EXPECT_EQ(test, t->irqs[RD][5], 2U);
	KUNIT_EXPECT_TRUE(test, filled(t->local, 6 * 64, 8));
	KUNIT_EXPECT_EQ(test, stats(t).elements, 6ULL);

	/* a third, full chunk with CB = 1 again */
	driver_chunk(t, RD, 5, true, 3, PCI_BASE, LOCAL_BASE + 0x1000, 64);
	w32(t, doorbell_reg(RD), 5);
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, t->irqs[RD][5], 3U);
	KUNIT_EXPECT_TRUE(test, filled(t->local + 0x1000, 3 * 64, 8));
}

/*
 * A shorter last chunk leaves the previous chunk's link where the engine
 * parked: the databook rule stops there (the descriptor never completes),
 * lenient links run it. This pins the difference between the two modes.
 */
static void driver_multichunk_short_last_chunk(struct kunit *test)
{
	struct tb *t = test->priv;
	struct edma_model_cfg lenient = { .lenient_links = true };
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass)
			tb_model(t, &lenient);
		memset(t->local, 0, 0x1000);
		memset(t->irqs, 0, sizeof(t->irqs));
		fill(t->pci, 5 * 64, 10);
		driver_chunk(t, RD, 0, true, 3, PCI_BASE, LOCAL_BASE, 64);
		start_ll(t, RD, 0, true, ll_addr(RD, 0));
		edma_model_run(t->m);
		KUNIT_EXPECT_EQ(test, t->irqs[RD][0], 1U);
		driver_chunk(t, RD, 0, false, 2, PCI_BASE + 3 * 64,
			     LOCAL_BASE + 3 * 64, 64);
		w32(t, doorbell_reg(RD), 0);
		edma_model_run(t->m);
		if (!pass) {
			KUNIT_EXPECT_EQ(test, t->irqs[RD][0], 1U);
			KUNIT_EXPECT_TRUE(test, all_zero(t->local + 3 * 64, 2 * 64));
		} else {
			KUNIT_EXPECT_EQ(test, t->irqs[RD][0], 2U);
			KUNIT_EXPECT_TRUE(test, filled(t->local, 5 * 64, 10));
		}
	}
}

/* ---- aborts ---- */

static void abort_bad_source_address(struct kunit *test)
{
	struct tb *t = test->priv;

	put_data(t, el(RD, 2, 0), EDMA_M_CB | EDMA_M_LIE, 64,
		 PCI_BASE + PCI_SIZE - 32, LOCAL_BASE);
	start_ll(t, RD, 2, true, el(RD, 2, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_ABORT(2));
	KUNIT_EXPECT_EQ(test, r32(t, err_status(RD)), EDMA_M_ERR_DATA(2));
	KUNIT_EXPECT_EQ(test, cs(t, RD, 2), EDMA_M_CS_HALTED);
	KUNIT_EXPECT_EQ(test, t->irqs[RD][2], 1U);
	KUNIT_EXPECT_TRUE(test, all_zero(t->local, 64));
	KUNIT_EXPECT_EQ(test, stats(t).aborts, 1ULL);
	/* clearing the abort clears its cause */
	w32(t, int_clear(RD), EDMA_M_INT_ABORT(2));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0U);
	KUNIT_EXPECT_EQ(test, r32(t, err_status(RD)), 0U);
}

static void abort_bad_destination_address(struct kunit *test)
{
	struct tb *t = test->priv;

	/* the first element is fine, the second writes nowhere */
	fill(t->local, 64, 12);
	put_data(t, el(WR, 0, 0), EDMA_M_CB, 32, LOCAL_BASE, PCI_BASE);
	put_data(t, el(WR, 0, 1), EDMA_M_CB | EDMA_M_LIE, 32, LOCAL_BASE + 32,
		 0x40000000ULL);
	start_ll(t, WR, 0, true, el(WR, 0, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_TRUE(test, filled(t->pci, 32, 12));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)), EDMA_M_INT_ABORT(0));
	KUNIT_EXPECT_EQ(test, r32(t, err_status(WR)), EDMA_M_ERR_DATA(0));
	KUNIT_EXPECT_EQ(test, cs(t, WR, 0), EDMA_M_CS_HALTED);
	/* LLP points at the failed element, transfer size shows what is left */
	KUNIT_EXPECT_EQ(test, r32(t, chreg(WR, 0, EDMA_M_CH_LLP_LO)),
			lower_32_bits(el(WR, 0, 1)));
	KUNIT_EXPECT_EQ(test, r32(t, chreg(WR, 0, EDMA_M_CH_XFER_SIZE)), 32U);
}

static void abort_bad_list_address(struct kunit *test)
{
	struct tb *t = test->priv;

	start_ll(t, RD, 7, true, 0x20000000ULL);
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_ABORT(7));
	KUNIT_EXPECT_EQ(test, r32(t, err_status(RD)), EDMA_M_ERR_LL(7));
	KUNIT_EXPECT_EQ(test, cs(t, RD, 7), EDMA_M_CS_HALTED);
	KUNIT_EXPECT_EQ(test, t->irqs[RD][7], 1U);

	/* a link into nowhere is a list error too */
	put_link(t, el(WR, 1, 0), EDMA_M_CB, 0x50000000ULL);
	start_ll(t, WR, 1, true, el(WR, 1, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, r32(t, err_status(WR)), EDMA_M_ERR_LL(1));
}

static void abort_link_loop(struct kunit *test)
{
	struct tb *t = test->priv;
	struct edma_model_cfg cfg = { .max_elements = 100 };

	tb_model(t, &cfg);
	/* a link to itself whose CB always matches never ends by itself */
	put_link(t, el(RD, 0, 0), EDMA_M_CB, el(RD, 0, 0));
	start_ll(t, RD, 0, true, el(RD, 0, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_ABORT(0));
	KUNIT_EXPECT_EQ(test, r32(t, err_status(RD)), EDMA_M_ERR_LL(0));
	KUNIT_EXPECT_EQ(test, stats(t).links, 100ULL);
}

static void abort_masked_raises_no_irq(struct kunit *test)
{
	struct tb *t = test->priv;

	w32(t, int_mask(WR), EDMA_M_INT_ABORT(5));
	put_data(t, el(WR, 5, 0), EDMA_M_CB | EDMA_M_LIE, 8, 0x1ULL, PCI_BASE);
	start_ll(t, WR, 5, true, el(WR, 5, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)), EDMA_M_INT_ABORT(5));
	KUNIT_EXPECT_EQ(test, t->irqs[WR][5], 0U);
	KUNIT_EXPECT_EQ(test, stats(t).irqs, 0ULL);
}

static void doorbell_stop_aborts(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->pci, 16, 1);
	put_data(t, el(RD, 1, 0), EDMA_M_CB | EDMA_M_LIE, 16, PCI_BASE, LOCAL_BASE);
	start_ll(t, RD, 1, true, el(RD, 1, 0));
	w32(t, doorbell_reg(RD), EDMA_M_DOORBELL_STOP | 1);
	edma_model_run(t->m);
	KUNIT_EXPECT_TRUE(test, all_zero(t->local, 16));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_ABORT(1));
	KUNIT_EXPECT_EQ(test, r32(t, err_status(RD)), 0U);
	KUNIT_EXPECT_EQ(test, cs(t, RD, 1), EDMA_M_CS_HALTED);
	/* stopping an idle channel does nothing */
	w32(t, int_clear(RD), 0x00ff00ff);
	w32(t, doorbell_reg(RD), EDMA_M_DOORBELL_STOP | 1);
	KUNIT_EXPECT_FALSE(test, edma_model_pending(t->m));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0U);
}

static void engine_disable_drops_pending(struct kunit *test)
{
	struct tb *t = test->priv;

	fill(t->local, 16, 1);
	put_data(t, el(WR, 6, 0), EDMA_M_CB | EDMA_M_LIE, 16, LOCAL_BASE, PCI_BASE);
	start_ll(t, WR, 6, true, el(WR, 6, 0));
	w32(t, engine_en(WR), 0);
	KUNIT_EXPECT_FALSE(test, edma_model_pending(t->m));
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 0U);
	KUNIT_EXPECT_TRUE(test, all_zero(t->pci, 16));
	KUNIT_EXPECT_EQ(test, cs(t, WR, 6), EDMA_M_CS_STOPPED);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)), 0U);
}

/* ---- IMWr ---- */

static void program_imwr(struct tb *t, int dir, u64 done, u64 abort)
{
	w32(t, imwr_reg(dir, false, false), lower_32_bits(done));
	w32(t, imwr_reg(dir, false, true), upper_32_bits(done));
	w32(t, imwr_reg(dir, true, false), lower_32_bits(abort));
	w32(t, imwr_reg(dir, true, true), upper_32_bits(abort));
}

/* dw_edma_v0_core_ch_config(): read-modify-write of the channel's half */
static void program_data(struct tb *t, int dir, unsigned int ch, u16 data)
{
	u32 tmp = r32(t, imwr_data_reg(dir, ch));

	if (ch & 1)
		tmp = (tmp & 0xffff) | (u32)data << 16;
	else
		tmp = (tmp & 0xffff0000) | data;
	w32(t, imwr_data_reg(dir, ch), tmp);
}

static void imwr_done_even_and_odd_channels(struct kunit *test)
{
	struct tb *t = test->priv;

	program_imwr(t, WR, MSI_BASE + 0x40, MSI_BASE + 0x80);
	program_data(t, WR, 2, 0x1234);
	program_data(t, WR, 3, 0xabcd);
	KUNIT_EXPECT_EQ(test, r32(t, imwr_data_reg(WR, 2)), 0xabcd1234);

	put_data(t, el(WR, 2, 0), EDMA_M_CB | EDMA_M_LIE | EDMA_M_RIE, 4,
		 LOCAL_BASE, PCI_BASE);
	put_data(t, el(WR, 3, 0), EDMA_M_CB | EDMA_M_LIE | EDMA_M_RIE, 4,
		 LOCAL_BASE, PCI_BASE + 4);
	start_ll(t, WR, 2, true, el(WR, 2, 0));
	start_ll(t, WR, 3, true, el(WR, 3, 0));
	edma_model_run(t->m);
	KUNIT_ASSERT_EQ(test, t->nmsg, 2U);
	KUNIT_EXPECT_EQ(test, t->msg[0].addr, MSI_BASE + 0x40);
	KUNIT_EXPECT_EQ(test, t->msg[0].data, 0x1234U);
	KUNIT_EXPECT_EQ(test, t->msg[1].addr, MSI_BASE + 0x40);
	KUNIT_EXPECT_EQ(test, t->msg[1].data, 0xabcdU);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)),
			EDMA_M_INT_DONE(2) | EDMA_M_INT_DONE(3));
}

static void imwr_64bit_address(struct kunit *test)
{
	struct tb *t = test->priv;

	/* the high half must be used: a 32-bit-only engine would hit MSI_BASE */
	program_imwr(t, RD, (1ULL << 32) | MSI_BASE, 0);
	program_data(t, RD, 0, 0x55);
	put_data(t, el(RD, 0, 0), EDMA_M_CB | EDMA_M_RIE, 4, PCI_BASE, LOCAL_BASE);
	start_ll(t, RD, 0, true, el(RD, 0, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, t->nmsg, 0U);
	KUNIT_EXPECT_EQ(test, stats(t).imwr_dropped, 1ULL);
	/* RIE alone still marks the channel done, without a local interrupt */
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_DONE(0));
	KUNIT_EXPECT_EQ(test, t->irqs[RD][0], 0U);
}

static void imwr_independent_of_int_mask(struct kunit *test)
{
	struct tb *t = test->priv;

	/* the series' REMOTE mode: LIE|RIE in the list, local line masked */
	w32(t, int_mask(RD), EDMA_M_INT_DONE(4) | EDMA_M_INT_ABORT(4));
	program_imwr(t, RD, MSI_BASE, MSI_BASE);
	program_data(t, RD, 4, 0x7);
	put_data(t, el(RD, 4, 0), EDMA_M_CB | EDMA_M_LIE | EDMA_M_RIE, 4,
		 PCI_BASE, LOCAL_BASE);
	start_ll(t, RD, 4, true, el(RD, 4, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, t->irqs[RD][4], 0U);
	KUNIT_ASSERT_EQ(test, t->nmsg, 1U);
	KUNIT_EXPECT_EQ(test, t->msg[0].data, 0x7U);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_DONE(4));
}

static void imwr_needs_rie(struct kunit *test)
{
	struct tb *t = test->priv;

	program_imwr(t, WR, MSI_BASE, MSI_BASE);
	program_data(t, WR, 0, 0x99);
	put_data(t, el(WR, 0, 0), EDMA_M_CB | EDMA_M_LIE, 4, LOCAL_BASE, PCI_BASE);
	start_ll(t, WR, 0, true, el(WR, 0, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, t->nmsg, 0U);
	KUNIT_EXPECT_EQ(test, t->irqs[WR][0], 1U);
	KUNIT_EXPECT_EQ(test, stats(t).imwr, 0ULL);
}

/*
 * Multi-MSI: the host gives each channel its own vector; with a block of
 * MSI vectors the data of vector n is base + n (dw_edma_compose_msi in the
 * series). Every channel must send exactly its own value.
 */
static void imwr_multi_msi_data_offsets(struct kunit *test)
{
	struct tb *t = test->priv;
	const u16 base = 0x4a0;	/* aligned block of 16 vectors */
	unsigned int ch, i;
	int dir;

	for (dir = WR; dir <= RD; dir++) {
		program_imwr(t, dir, MSI_BASE + 0x10, MSI_BASE + 0x10);
		for (ch = 0; ch < 8; ch++)
			program_data(t, dir, ch, base + dir * 8 + ch);
	}
	/* the halves did not clobber each other */
	KUNIT_EXPECT_EQ(test, r32(t, imwr_data_reg(RD, 6)),
			(u32)(base + 15) << 16 | (base + 14));

	/* run the channels in a scrambled order, RIE only on the last element */
	for (i = 0; i < 16; i++) {
		unsigned int n = (i * 5) % 16;

		dir = n / 8;
		ch = n % 8;
		put_data(t, el(dir, ch, 0), EDMA_M_CB, 4, dir == WR ? LOCAL_BASE : PCI_BASE,
			 dir == WR ? PCI_BASE : LOCAL_BASE);
		put_data(t, el(dir, ch, 1), EDMA_M_CB | EDMA_M_LIE | EDMA_M_RIE, 4,
			 dir == WR ? LOCAL_BASE : PCI_BASE, dir == WR ? PCI_BASE : LOCAL_BASE);
		start_ll(t, dir, ch, true, el(dir, ch, 0));
		edma_model_run(t->m);
		KUNIT_ASSERT_EQ(test, t->nmsg, i + 1);
		KUNIT_EXPECT_EQ(test, t->msg[i].addr, MSI_BASE + 0x10);
		KUNIT_EXPECT_EQ(test, t->msg[i].data, (u32)(base + n));
	}
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)), 0xffU);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0xffU);
}

static void imwr_abort_message(struct kunit *test)
{
	struct tb *t = test->priv;

	program_imwr(t, RD, MSI_BASE + 0x100, MSI_BASE + 0x200);
	program_data(t, RD, 3, 0x33);
	put_data(t, el(RD, 3, 0), EDMA_M_CB | EDMA_M_LIE | EDMA_M_RIE, 4,
		 0x3ULL, LOCAL_BASE);
	start_ll(t, RD, 3, true, el(RD, 3, 0));
	edma_model_run(t->m);
	KUNIT_ASSERT_EQ(test, t->nmsg, 1U);
	KUNIT_EXPECT_EQ(test, t->msg[0].addr, MSI_BASE + 0x200);
	KUNIT_EXPECT_EQ(test, t->msg[0].data, 0x33U);
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), EDMA_M_INT_ABORT(3));

	/* an abort on a channel that never saw RIE stays local */
	put_data(t, el(RD, 2, 0), EDMA_M_CB | EDMA_M_LIE, 4, 0x3ULL, LOCAL_BASE);
	start_ll(t, RD, 2, true, el(RD, 2, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, t->nmsg, 1U);
	KUNIT_EXPECT_EQ(test, t->irqs[RD][2], 1U);
}

static void imwr_address_zero_not_sent(struct kunit *test)
{
	struct tb *t = test->priv;

	program_data(t, WR, 1, 0x11);
	put_data(t, el(WR, 1, 0), EDMA_M_CB | EDMA_M_LIE | EDMA_M_RIE, 4,
		 LOCAL_BASE, PCI_BASE);
	start_ll(t, WR, 1, true, el(WR, 1, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_EQ(test, t->nmsg, 0U);
	KUNIT_EXPECT_EQ(test, stats(t).imwr_dropped, 1ULL);
	/* nothing was written to PCI address 0 either (it would fault) */
	KUNIT_EXPECT_EQ(test, t->irqs[WR][1], 1U);
}

/* ---- interrupt handler interplay ---- */

/* A handler like dw-edma's: read status, clear, start the next transfer. */
static void chain_handler(struct tb *t, int dir, unsigned int ch)
{
	u32 st = r32(t, int_status(dir));

	if (!(st & EDMA_M_INT_DONE(ch)))
		return;
	w32(t, int_clear(dir), EDMA_M_INT_DONE(ch));
	if (t->handled++ == 0) {
		driver_chunk(t, dir, ch, false, 1, PCI_BASE + 0x100,
			     LOCAL_BASE + 0x100, 0x100);
		w32(t, doorbell_reg(dir), ch);
	}
}

static void irq_handler_rings_next_doorbell(struct kunit *test)
{
	struct tb *t = test->priv;

	t->on_irq = chain_handler;
	fill(t->pci, 0x200, 14);
	driver_chunk(t, RD, 6, true, 1, PCI_BASE, LOCAL_BASE, 0x100);
	start_ll(t, RD, 6, true, ll_addr(RD, 6));
	/* the second doorbell, rung from the handler, runs in the same call */
	KUNIT_EXPECT_EQ(test, edma_model_run(t->m), 2U);
	KUNIT_EXPECT_EQ(test, t->handled, 2U);
	KUNIT_EXPECT_EQ(test, t->kicks, 2U);
	KUNIT_EXPECT_TRUE(test, filled(t->local, 0x200, 14));
	KUNIT_EXPECT_EQ(test, r32(t, int_status(RD)), 0U);
	KUNIT_EXPECT_EQ(test, cs(t, RD, 6), EDMA_M_CS_STOPPED);
}

/* dw_edma_v0_core_off() and probe-time ch_config(), as the core does them */
static void driver_probe_sequence(struct kunit *test)
{
	struct tb *t = test->priv;
	unsigned int ch;
	int dir;

	/* leave state behind: a finished channel and an enabled engine */
	put_data(t, el(WR, 0, 0), EDMA_M_CB | EDMA_M_LIE, 4, LOCAL_BASE, PCI_BASE);
	start_ll(t, WR, 0, true, el(WR, 0, 0));
	edma_model_run(t->m);
	KUNIT_EXPECT_NE(test, r32(t, int_status(WR)), 0U);

	for (dir = WR; dir <= RD; dir++) {
		w32(t, int_mask(dir), 0x00ff00ff);
		w32(t, int_clear(dir), 0x00ff00ff);
		w32(t, engine_en(dir), 0);
	}
	KUNIT_EXPECT_EQ(test, r32(t, int_status(WR)), 0U);
	KUNIT_EXPECT_EQ(test, r32(t, int_mask(RD)), 0x00ff00ffU);
	KUNIT_EXPECT_EQ(test, r32(t, engine_en(WR)), 0U);

	for (dir = WR; dir <= RD; dir++) {
		for (ch = 0; ch < 8; ch++) {
			program_imwr(t, dir, 0xfee0100cULL, 0xfee0100cULL);
			program_data(t, dir, ch, 0x20 + dir * 8 + ch);
		}
	}
	for (ch = 0; ch < 8; ch += 2)
		KUNIT_EXPECT_EQ(test, r32(t, imwr_data_reg(RD, ch)),
				(u32)(0x29 + ch) << 16 | (0x28 + ch));

	/* start(): unmask done/abort for the channel, enable LL errors */
	w32(t, int_mask(RD), r32(t, int_mask(RD)) & ~(EDMA_M_INT_DONE(1) |
						       EDMA_M_INT_ABORT(1)));
	KUNIT_EXPECT_EQ(test, r32(t, int_mask(RD)), 0x00fd00fdU);
	w32(t, EDMA_M_RD_LL_ERR_EN, r32(t, EDMA_M_RD_LL_ERR_EN) | BIT(1));
	KUNIT_EXPECT_EQ(test, r32(t, EDMA_M_RD_LL_ERR_EN), BIT(1));
}

static struct kunit_case edma_model_cases[] = {
	KUNIT_CASE(reg_ctrl_reports_channel_counts),
	KUNIT_CASE(reg_bad_access),
	KUNIT_CASE(reg_subword_and_64bit_access),
	KUNIT_CASE(reg_int_mask_and_clear),
	KUNIT_CASE(reg_control1_ccs_and_cs),
	KUNIT_CASE(doorbell_ignored_when_engine_disabled),
	KUNIT_CASE(doorbell_only_queues),
	KUNIT_CASE(doorbell_bad_channel_ignored),
	KUNIT_CASE(read_channel_copies_pci_to_local),
	KUNIT_CASE(write_channel_copies_local_to_pci),
	KUNIT_CASE(both_directions_counted_apart),
	KUNIT_CASE(write_channel_with_read_list_aborts),
	KUNIT_CASE(multi_element_list),
	KUNIT_CASE(zero_size_element),
	KUNIT_CASE(large_copy_through_small_bounce),
	KUNIT_CASE(non_ll_block_transfer),
	KUNIT_CASE(cb_mismatch_stops_before_copy),
	KUNIT_CASE(link_tcb_toggles_ccs),
	KUNIT_CASE(link_without_tcb_keeps_ccs),
	KUNIT_CASE(link_cb_rule_strict_and_lenient),
	KUNIT_CASE(driver_multichunk_full_chunks),
	KUNIT_CASE(driver_multichunk_short_last_chunk),
	KUNIT_CASE(abort_bad_source_address),
	KUNIT_CASE(abort_bad_destination_address),
	KUNIT_CASE(abort_bad_list_address),
	KUNIT_CASE(abort_link_loop),
	KUNIT_CASE(abort_masked_raises_no_irq),
	KUNIT_CASE(doorbell_stop_aborts),
	KUNIT_CASE(engine_disable_drops_pending),
	KUNIT_CASE(imwr_done_even_and_odd_channels),
	KUNIT_CASE(imwr_64bit_address),
	KUNIT_CASE(imwr_independent_of_int_mask),
	KUNIT_CASE(imwr_needs_rie),
	KUNIT_CASE(imwr_multi_msi_data_offsets),
	KUNIT_CASE(imwr_abort_message),
	KUNIT_CASE(imwr_address_zero_not_sent),
	KUNIT_CASE(irq_handler_rings_next_doorbell),
	KUNIT_CASE(driver_probe_sequence),
	{}
};

static struct kunit_suite edma_model_suite = {
	.name = "edma_model",
	.init = edma_test_init,
	.exit = edma_test_exit,
	.test_cases = edma_model_cases,
};

kunit_test_suite(edma_model_suite);

MODULE_DESCRIPTION("KUnit tests for the epdma testbed's DesignWare eDMA model");
MODULE_LICENSE("GPL");
