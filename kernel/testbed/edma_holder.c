// SPDX-License-Identifier: GPL-2.0
/*
 * edma_holder: a testbed-only DMAengine client that holds one channel of a
 * provider (dw-edma-aux) for as long as it is loaded, the way any other
 * driver that asked for a channel would. It lets the scenarios check what
 * happens to such a client when the provider goes away under it (link down,
 * endpoint function removed): its transfers must complete with an error, its
 * further calls must fail cleanly, and it must still be able to let go of
 * the channel and unload.
 *
 *   modprobe edma_holder dev=0000:10:00.0 [dir=to_dev|from_dev] [size=4096]
 *
 * picks a free slave channel whose DMA device is the PCI function @dev and
 * that can move data in direction @dir. Knobs in /sys/kernel/debug/edma_holder:
 *
 *   queue   write N: prepare, submit and issue N transfers (src -> dst, @size
 *           bytes each); fails with ENODEV when the channel refuses to prepare
 *   stage   write 1: prepare one transfer and keep it without submitting it
 *   fire    write 1: submit the staged transfer and issue it
 *   config  write 1: configure the channel again (fails once it is gone)
 *   status  counters, see holder_status_show()
 *
 * The slave address is an endpoint-local address. In the loopback testbed the
 * endpoint and the host are one kernel, so a host buffer's DMA address (its
 * physical address under UML) is a valid endpoint address: the holder copies
 * between two buffers of its own and checks the data of every transfer that
 * completes without error.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/kstrtox.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *dev_name_param;
module_param_named(dev, dev_name_param, charp, 0444);
MODULE_PARM_DESC(dev, "name of the DMA device (the PCI function) to take a channel of");

static char *dir_param = "to_dev";
module_param_named(dir, dir_param, charp, 0444);
MODULE_PARM_DESC(dir, "to_dev (host memory to the endpoint) or from_dev");

static unsigned int size = 4096;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "bytes per transfer");

#define HOLDER_MAX_QUEUE	64

static struct {
	struct mutex lock;		/* knobs */
	struct dma_chan *chan;
	struct device *dma_dev;		/* referenced: it may be unplugged */
	enum dma_transfer_direction dir;
	void *src, *dst;
	dma_addr_t src_dma, dst_dma;
	struct dma_async_tx_descriptor *staged;
	dma_cookie_t last_cookie;
	struct dentry *debugfs;

	spinlock_t stats_lock;		/* counters below, from callbacks */
	u64 submitted, completed, aborted, failed, verified, mismatch;
	u64 prep_failed, submit_failed;
	ktime_t last_error;		/* when the last error result came */
	int last_result;
} h;

static bool holder_filter(struct dma_chan *chan, void *param)
{
	struct device *dev = dmaengine_get_dma_device(chan);
	struct dma_slave_caps caps;

	if (!dev || strcmp(dev_name(dev), dev_name_param))
		return false;
	if (dma_get_slave_caps(chan, &caps))
		return false;

	return caps.directions & BIT(h.dir);
}

static int holder_config(void)
{
	struct dma_slave_config cfg = {
		.direction	= h.dir,
		.src_addr_width	= DMA_SLAVE_BUSWIDTH_4_BYTES,
		.dst_addr_width	= DMA_SLAVE_BUSWIDTH_4_BYTES,
	};

	/* The slave side is the endpoint's: here the other buffer */
	if (h.dir == DMA_MEM_TO_DEV)
		cfg.dst_addr = h.dst_dma;
	else
		cfg.src_addr = h.src_dma;

	return dmaengine_slave_config(h.chan, &cfg);
}

static void holder_cb(void *param, const struct dmaengine_result *res)
{
	enum dmaengine_tx_result result = res ? res->result : DMA_TRANS_NOERROR;
	bool same = false;
	unsigned long flags;

	if (result == DMA_TRANS_NOERROR)
		same = !memcmp(h.src, h.dst, size);

	spin_lock_irqsave(&h.stats_lock, flags);
	h.last_result = result;
	if (result == DMA_TRANS_NOERROR) {
		h.completed++;
		if (same)
			h.verified++;
		else
			h.mismatch++;
	} else {
		if (result == DMA_TRANS_ABORTED)
			h.aborted++;
		else
			h.failed++;
		h.last_error = ktime_get();
	}
	spin_unlock_irqrestore(&h.stats_lock, flags);
}

static struct dma_async_tx_descriptor *holder_prep(void)
{
	dma_addr_t buf = h.dir == DMA_MEM_TO_DEV ? h.src_dma : h.dst_dma;
	struct dma_async_tx_descriptor *tx;
	unsigned long flags;

	tx = dmaengine_prep_slave_single(h.chan, buf, size, h.dir,
					 DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx) {
		spin_lock_irqsave(&h.stats_lock, flags);
		h.prep_failed++;
		spin_unlock_irqrestore(&h.stats_lock, flags);
		return NULL;
	}
	tx->callback_result = holder_cb;

	return tx;
}

static int holder_submit(struct dma_async_tx_descriptor *tx)
{
	dma_cookie_t cookie = dmaengine_submit(tx);
	unsigned long flags;
	int ret = dma_submit_error(cookie);

	spin_lock_irqsave(&h.stats_lock, flags);
	if (ret)
		h.submit_failed++;
	else
		h.submitted++;
	spin_unlock_irqrestore(&h.stats_lock, flags);
	if (!ret)
		h.last_cookie = cookie;

	return ret;
}

static ssize_t holder_queue_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct dma_async_tx_descriptor *tx;
	unsigned int n, i;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &n);
	if (ret)
		return ret;
	if (!n || n > HOLDER_MAX_QUEUE)
		return -EINVAL;

	mutex_lock(&h.lock);
	memset(h.dst, 0, size);
	for (i = 0; i < n; i++) {
		tx = holder_prep();
		if (!tx) {
			ret = -ENODEV;
			break;
		}
		ret = holder_submit(tx);
		if (ret)
			break;
	}
	if (i)
		dma_async_issue_pending(h.chan);
	mutex_unlock(&h.lock);

	return ret ?: count;
}

static ssize_t holder_stage_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	int ret = 0;

	mutex_lock(&h.lock);
	if (h.staged) {
		ret = -EBUSY;
	} else {
		h.staged = holder_prep();
		if (!h.staged)
			ret = -ENODEV;
	}
	mutex_unlock(&h.lock);

	return ret ?: count;
}

static ssize_t holder_fire_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	int ret = -ENOENT;

	mutex_lock(&h.lock);
	if (h.staged) {
		ret = holder_submit(h.staged);
		h.staged = NULL;
		dma_async_issue_pending(h.chan);
	}
	mutex_unlock(&h.lock);

	return ret ?: count;
}

static ssize_t holder_config_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	int ret;

	mutex_lock(&h.lock);
	ret = holder_config();
	mutex_unlock(&h.lock);

	return ret ?: count;
}

static const char *holder_result_name(int result)
{
	switch (result) {
	case DMA_TRANS_NOERROR:
		return "noerror";
	case DMA_TRANS_READ_FAILED:
		return "read_failed";
	case DMA_TRANS_WRITE_FAILED:
		return "write_failed";
	case DMA_TRANS_ABORTED:
		return "aborted";
	default:
		return "unknown";
	}
}

/*
 * pending: submitted transfers whose callback has not run yet.
 * last_status: dma_async_is_tx_complete() of the last submitted cookie.
 * error_age_ms: how long ago the last error result came (-1: none yet).
 */
static int holder_status_show(struct seq_file *s, void *unused)
{
	static const char * const st[] = {
		[DMA_COMPLETE] = "complete", [DMA_IN_PROGRESS] = "in_progress",
		[DMA_PAUSED] = "paused", [DMA_ERROR] = "error",
	};
	enum dma_status last = DMA_COMPLETE;
	unsigned long flags;
	s64 age = -1;
	u64 done;

	mutex_lock(&h.lock);
	if (h.last_cookie > 0)
		last = dma_async_is_tx_complete(h.chan, h.last_cookie, NULL, NULL);
	seq_printf(s, "device: %s\n", dev_name(h.dma_dev));
	seq_printf(s, "direction: %s\n", dir_param);
	seq_printf(s, "staged: %d\n", !!h.staged);
	mutex_unlock(&h.lock);

	spin_lock_irqsave(&h.stats_lock, flags);
	done = h.completed + h.aborted + h.failed;
	if (h.last_error)
		age = ktime_ms_delta(ktime_get(), h.last_error);
	seq_printf(s, "submitted: %llu\ncompleted: %llu\naborted: %llu\nfailed: %llu\n",
		   h.submitted, h.completed, h.aborted, h.failed);
	seq_printf(s, "pending: %llu\nverified: %llu\nmismatch: %llu\n",
		   h.submitted - done, h.verified, h.mismatch);
	seq_printf(s, "prep_failed: %llu\nsubmit_failed: %llu\n",
		   h.prep_failed, h.submit_failed);
	seq_printf(s, "last_result: %s\nerror_age_ms: %lld\n",
		   h.submitted ? holder_result_name(h.last_result) : "none", age);
	spin_unlock_irqrestore(&h.stats_lock, flags);
	seq_printf(s, "last_status: %s\n",
		   last < ARRAY_SIZE(st) && st[last] ? st[last] : "unknown");

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(holder_status);

#define HOLDER_WO_FOPS(name)						\
static const struct file_operations holder_##name##_fops = {		\
	.owner	= THIS_MODULE,						\
	.open	= simple_open,						\
	.write	= holder_##name##_write,				\
	.llseek	= noop_llseek,						\
}

HOLDER_WO_FOPS(queue);
HOLDER_WO_FOPS(stage);
HOLDER_WO_FOPS(fire);
HOLDER_WO_FOPS(config);

static int __init holder_init(void)
{
	dma_cap_mask_t mask;
	int ret;

	if (!dev_name_param || !*dev_name_param) {
		pr_err("edma_holder: dev=<DMA device name> is required\n");
		return -EINVAL;
	}
	if (!strcmp(dir_param, "to_dev")) {
		h.dir = DMA_MEM_TO_DEV;
	} else if (!strcmp(dir_param, "from_dev")) {
		h.dir = DMA_DEV_TO_MEM;
	} else {
		pr_err("edma_holder: dir=%s: want to_dev or from_dev\n", dir_param);
		return -EINVAL;
	}
	if (!size || size % 4) {
		pr_err("edma_holder: size=%u: want a non-zero multiple of 4\n", size);
		return -EINVAL;
	}
	mutex_init(&h.lock);
	spin_lock_init(&h.stats_lock);

	dma_cap_zero(mask);
	dma_cap_set(DMA_SLAVE, mask);
	h.chan = dma_request_channel(mask, holder_filter, NULL);
	if (!h.chan) {
		pr_err("edma_holder: no free %s channel of %s\n", dir_param,
		       dev_name_param);
		return -ENODEV;
	}
	h.dma_dev = get_device(dmaengine_get_dma_device(h.chan));

	ret = -ENOMEM;
	h.src = dma_alloc_coherent(h.dma_dev, size, &h.src_dma, GFP_KERNEL);
	h.dst = dma_alloc_coherent(h.dma_dev, size, &h.dst_dma, GFP_KERNEL);
	if (!h.src || !h.dst)
		goto err_free;
	get_random_bytes(h.src, size);

	ret = holder_config();
	if (ret) {
		pr_err("edma_holder: %s refused the slave configuration (%d)\n",
		       dma_chan_name(h.chan), ret);
		goto err_free;
	}

	h.debugfs = debugfs_create_dir("edma_holder", NULL);
	debugfs_create_file("queue", 0200, h.debugfs, NULL, &holder_queue_fops);
	debugfs_create_file("stage", 0200, h.debugfs, NULL, &holder_stage_fops);
	debugfs_create_file("fire", 0200, h.debugfs, NULL, &holder_fire_fops);
	debugfs_create_file("config", 0200, h.debugfs, NULL, &holder_config_fops);
	debugfs_create_file("status", 0444, h.debugfs, NULL, &holder_status_fops);

	pr_info("edma_holder: holding %s of %s (%s, %u bytes)\n",
		dma_chan_name(h.chan), dev_name(h.dma_dev), dir_param, size);
	return 0;

err_free:
	if (h.dst)
		dma_free_coherent(h.dma_dev, size, h.dst, h.dst_dma);
	if (h.src)
		dma_free_coherent(h.dma_dev, size, h.src, h.src_dma);
	dma_release_channel(h.chan);
	put_device(h.dma_dev);
	return ret;
}

static void __exit holder_exit(void)
{
	debugfs_remove_recursive(h.debugfs);
	/* what is still queued (or staged) goes; no callback runs after this */
	dmaengine_terminate_sync(h.chan);
	dma_release_channel(h.chan);
	dma_free_coherent(h.dma_dev, size, h.dst, h.dst_dma);
	dma_free_coherent(h.dma_dev, size, h.src, h.src_dma);
	put_device(h.dma_dev);
	pr_info("edma_holder: released the channel\n");
}

module_init(holder_init);
module_exit(holder_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("epdma testbed: a DMAengine client that holds one channel");
