// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Test run: drive the ntb_ep_dma bring-up test through debugfs.
 *
 * <debugfs>/ntb_ep_dma/<pci name>/ holds "ready" (reads 0/1: has the peer published its
 * buffer?), "run" (writing a non-zero number performs one DMA transfer to the peer and returns
 * only when the peer has verified it, or with an error) and "result" (one "key: value" line per
 * field). The kernel bounds each of its waits to 5 s, but a run can still take ~15 s, so the
 * write happens in a worker thread and the caller's timeout is enforced here.
 *
 * A fake debugfs made of plain files returns from write(2) at once; the result file is then
 * complete only when its text has changed, so we also wait for that (bounded by the timeout).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "epdma-private.h"
#include "status-internal.h"
#include "ntb-ep-dma-nl.h"

#define DEFAULT_TIMEOUT_MS 30000
#define POLL_MIN_MS 5
#define POLL_MAX_MS 100

/* ---- result parser ----------------------------------------------------------------------- */

enum field_kind { F_S64, F_U64, F_U32, F_STATE };

static const struct field {
	const char *key;
	unsigned int bit;
	enum field_kind kind;
	size_t off;
} fields[] = {
	{ "last_status", EPDMA_TR_F_LAST_STATUS, F_S64,
	  offsetof(struct epdma_test_result, last_status) },
	{ "last_len", EPDMA_TR_F_LAST_LEN, F_U64, offsetof(struct epdma_test_result, last_len) },
	{ "local_buf_dma", EPDMA_TR_F_LOCAL_BUF_DMA, F_U64,
	  offsetof(struct epdma_test_result, local_buf_dma) },
	{ "local_buf_size", EPDMA_TR_F_LOCAL_BUF_SIZE, F_U64,
	  offsetof(struct epdma_test_result, local_buf_size) },
	{ "peer_ready", EPDMA_TR_F_PEER_READY, F_U32,
	  offsetof(struct epdma_test_result, peer_ready) },
	{ "peer_state", EPDMA_TR_F_PEER_STATE, F_STATE,
	  offsetof(struct epdma_test_result, peer_state) },
	{ "peer_dma", EPDMA_TR_F_PEER_DMA, F_U64, offsetof(struct epdma_test_result, peer_dma) },
	{ "peer_size", EPDMA_TR_F_PEER_SIZE, F_U64, offsetof(struct epdma_test_result, peer_size) },
	{ "peer_seq", EPDMA_TR_F_PEER_SEQ, F_U64, offsetof(struct epdma_test_result, peer_seq) },
	{ "peer_xfer_len", EPDMA_TR_F_PEER_XFER_LEN, F_U64,
	  offsetof(struct epdma_test_result, peer_xfer_len) },
	{ "link_up", EPDMA_TR_F_LINK_UP, F_U32, offsetof(struct epdma_test_result, link_up) },
};

static const char *const peer_states[] = { "init", "ready", "xfer-done", "pass", "fail",
					    "unknown" };

/* Parse one value (NUL-terminated, trimmed) into the field. */
static int parse_value(const struct field *f, const char *v, struct epdma_test_result *out)
{
	char *dst = (char *)out + f->off;
	uint64_t u;
	int64_t s;

	switch (f->kind) {
	case F_S64:
		if (ep_st_parse_s64(v, &s) < 0)
			return -EBADMSG;
		memcpy(dst, &s, sizeof(s));
		return 0;
	case F_U64:
		if (ep_st_parse_u64(v, &u) < 0)
			return -EBADMSG;
		memcpy(dst, &u, sizeof(u));
		return 0;
	case F_U32: {
		uint32_t w;

		if (ep_st_parse_u64(v, &u) < 0 || u > UINT32_MAX)
			return -EBADMSG;
		w = (uint32_t)u;
		memcpy(dst, &w, sizeof(w));
		return 0;
	}
	case F_STATE:
		for (size_t i = 0; i < ARRAY_SIZE(peer_states); i++) {
			if (!strcmp(v, peer_states[i])) {
				/* only names we know: the text ends up in JSON and on terminals */
				snprintf(out->peer_state, sizeof(out->peer_state), "%s", v);
				return 0;
			}
		}
		return -EBADMSG;
	}
	return -EBADMSG;
}

int epdma_test_result_parse(const char *buf, size_t len, struct epdma_test_result *out)
{
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return -EINVAL;
	while (pos < len) {
		char line[128], *colon, *key, *val, *end;
		size_t ll = 0, i;

		/* one line, bounded; a longer line cannot be a field of ours */
		while (pos + ll < len && buf[pos + ll] != '\n')
			ll++;
		if (ll >= sizeof(line)) {
			pos += ll + 1;
			continue;
		}
		memcpy(line, buf + pos, ll);
		line[ll] = '\0';
		pos += ll + 1;
		if (memchr(line, '\0', ll))
			return -EBADMSG;

		colon = strchr(line, ':');
		if (!colon) {
			/* blank lines are harmless, anything else is not the format we know */
			for (i = 0; i < ll; i++)
				if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
					return -EBADMSG;
			continue;
		}
		*colon = '\0';
		key = line;
		val = colon + 1;
		while (*val == ' ' || *val == '\t')
			val++;
		end = val + strlen(val);
		while (end > val && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';

		for (i = 0; i < ARRAY_SIZE(fields); i++) {
			if (strcmp(key, fields[i].key))
				continue;
			if (out->fields & fields[i].bit)
				return -EBADMSG;	/* a field twice: not one seq_file dump */
			if (parse_value(&fields[i], val, out) < 0)
				return -EBADMSG;
			out->fields |= fields[i].bit;
			break;
		}
		/* unknown keys: a newer kernel may add fields, keep going */
	}
	if (!(out->fields & EPDMA_TR_F_LAST_STATUS))
		return -EBADMSG;
	return 0;
}

/* ---- the run ----------------------------------------------------------------------------- */

const char *epdma_test_outcome_str(enum epdma_test_outcome outcome)
{
	switch (outcome) {
	case EPDMA_TEST_PASS:
		return "pass";
	case EPDMA_TEST_FAIL:
		return "fail";
	case EPDMA_TEST_TIMEOUT:
		return "timeout";
	case EPDMA_TEST_ERROR:
		return "error";
	}
	return "unknown";
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The blocking write of "run", shared between the caller and the worker thread. Whoever
 * drops the last reference frees it, so a caller that timed out can return while the kernel
 * is still busy with the write.
 */
struct run_job {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	int refs;
	bool done;
	int error;		/* 0 or -errno of open/write */
	char path[EP_PATH_MAX];
};

static void job_put(struct run_job *job)
{
	bool last;

	pthread_mutex_lock(&job->lock);
	last = --job->refs == 0;
	pthread_mutex_unlock(&job->lock);
	if (last) {
		pthread_mutex_destroy(&job->lock);
		pthread_cond_destroy(&job->done_cond);
		free(job);
	}
}

static void *run_worker(void *arg)
{
	struct run_job *job = arg;
	int fd, error = 0;

	fd = open(job->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		error = -errno;
	} else {
		ssize_t n;

		do {
			n = write(fd, "1\n", 2);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			error = -errno;
		else if (n != 2)
			error = -EIO;
		if (close(fd) < 0 && !error && errno != EINTR)
			error = -errno;
	}
	pthread_mutex_lock(&job->lock);
	job->error = error;
	job->done = true;
	pthread_cond_broadcast(&job->done_cond);
	pthread_mutex_unlock(&job->lock);
	job_put(job);
	return NULL;
}

/*
 * Write "1" to @path; 0/-errno of the write (the kernel's verdict on the run), or -ETIME if it
 * did not return by @deadline: a code of its own, since the kernel itself answers -ETIMEDOUT
 * when one of its waits expires.
 */
static int write_run(const char *path, uint64_t deadline_us)
{
	struct run_job *job;
	pthread_attr_t attr;
	pthread_t tid;
	int r;

	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	if (ep_strlcpy(job->path, path, sizeof(job->path)) < 0) {
		free(job);
		return -ENAMETOOLONG;
	}
	pthread_mutex_init(&job->lock, NULL);
	{
		pthread_condattr_t ca;

		/* the deadline is monotonic: a clock step must not stretch or cut the wait */
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&job->done_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	job->refs = 2;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&tid, &attr, run_worker, job);
	pthread_attr_destroy(&attr);
	if (r) {
		job->refs = 1;
		job_put(job);
		return -r;
	}

	pthread_mutex_lock(&job->lock);
	while (!job->done) {
		struct timespec ts = {
			.tv_sec = (time_t)(deadline_us / 1000000u),
			.tv_nsec = (long)(deadline_us % 1000000u) * 1000L,
		};

		if (now_us() >= deadline_us)
			break;
		/* now_us() is CLOCK_MONOTONIC, the clock of done_cond */
		pthread_cond_timedwait(&job->done_cond, &job->lock, &ts);
	}
	r = job->done ? job->error : -ETIME;
	pthread_mutex_unlock(&job->lock);
	job_put(job);
	return r;
}

/* The driver of PCI function @dev ("" if none); 0 or -errno. */
static int pci_driver(struct epdma_ctx *ctx, const char *dev, char *drv, size_t size)
{
	char link[EP_PATH_MAX];
	int r;

	drv[0] = '\0';
	r = ep_st_path(link, sizeof(link), "%s/bus/pci/devices/%s/driver",
		       epdma_ctx_get_sysfs_root(ctx), dev);
	if (r < 0)
		return r;
	return ep_st_link_basename(link, drv, size);
}

/* Is the PCI function @dev bound to ntb_hw_epf, i.e. the host (root complex) side? */
bool ep_test_host_side(struct epdma_ctx *ctx, const char *dev)
{
	char drv[64];

	return pci_driver(ctx, dev, drv, sizeof(drv)) == 0 && !strcmp(drv, "ntb_hw_epf");
}

/* Append ", @s" (or @s first) to @buf, marking a cut list with "..." */
static void list_add(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	if (len + 1 >= size)
		return;
	if (snprintf(buf + len, size - len, "%s%s", len ? ", " : "", s) >= (int)(size - len) &&
	    size > 4)
		memcpy(buf + size - 4, "...", 4);
}

int ep_test_choose_device(struct epdma_ctx *ctx, const char *const *names, size_t n,
			  const char *where, char *dev, size_t devsize, struct epdma_error *err)
{
	char hosts_list[160] = "", others[200] = "";
	size_t hosts = 0, host = 0;

	for (size_t i = 0; i < n; i++) {
		char drv[64], item[128];

		if (ep_test_host_side(ctx, names[i])) {
			if (!hosts++)
				host = i;
			list_add(hosts_list, sizeof(hosts_list), names[i]);
			continue;
		}
		if (pci_driver(ctx, names[i], drv, sizeof(drv)) < 0 || !drv[0])
			snprintf(drv, sizeof(drv), "no driver");
		snprintf(item, sizeof(item), "%s (%s)", names[i], drv);
		list_add(others, sizeof(others), item);
	}
	if (hosts == 1) {
		if (ep_strlcpy(dev, names[host], devsize) < 0)
			return ep_error_set(err, -ENAMETOOLONG, NULL, NULL, "device", NULL,
					    "device name %s too long", names[host]);
		return 0;
	}
	if (hosts > 1)
		return ep_error_set(err, -EINVAL, NULL, NULL, "ambiguous", NULL,
				    "%zu host-side ntb_ep_dma devices (%s): choose one with --device",
				    hosts, hosts_list);
	if (n == 0)
		return ep_error_set(err, -ENODEV, NULL, NULL, "no-device", NULL,
				    "ntb_ep_dma has no device (%s): the host's NTB device appears "
				    "when the NTB link comes up; is the link down?", where);
	/*
	 * Both ends in one kernel (a loopback setup) with the link down: only the endpoint's
	 * side is left, and a run there cannot work (the channels are exported to the host).
	 */
	return ep_error_set(err, -ENODEV, NULL, NULL, "no-host-device", NULL,
			    "no host-side ntb_ep_dma device (a PCI function bound to ntb_hw_epf), "
			    "only %s, not a host's; the host's NTB device appears when the NTB link "
			    "comes up: is the link down?", others);
}

/*
 * The device directory: the one asked for, else the only host-side one. Both sides show up
 * in one kernel in a loopback setup (the endpoint's vNTB function and the host's ntb_hw_epf
 * function); the test runs from the host, as in the series' instructions.
 */
static int find_device(struct epdma_ctx *ctx, const char *device, char *dev, size_t devsize,
		       char *dir, size_t dirsize, struct epdma_error *err)
{
	const char *dbg = epdma_ctx_get_debugfs_root(ctx);
	char top[EP_PATH_MAX], where[EP_PATH_MAX + 16];
	char **names;
	const char **dirs;
	size_t n, nd = 0;
	int r;

	if (ep_st_path(top, sizeof(top), "%s/ntb_ep_dma", dbg) < 0)
		return ep_error_set(err, -ENAMETOOLONG, NULL, NULL, "path", NULL,
				    "debugfs path too long");
	if (device) {
		if (!ep_name_is_safe(device, 64))
			return ep_error_set(err, -EINVAL, NULL, NULL, "device", NULL,
					    "'%s' is not a PCI device name", device);
		if (ep_st_path(dir, dirsize, "%s/%s", top, device) < 0)
			return -ENAMETOOLONG;
		if (!ep_st_is_dir(dir)) {
			if (!ep_st_is_dir(top))
				goto no_module;
			return ep_error_set(err, -ENODEV, NULL, NULL, "no-device", NULL,
					    "ntb_ep_dma has no device %s (no %s): it is gone when "
					    "the NTB link is down", device, dir);
		}
		snprintf(dev, devsize, "%s", device);
		return 0;
	}
	if (!ep_st_is_dir(top))
		goto no_module;
	r = ep_st_list_dir(top, &names, &n);
	if (r < 0)
		return ep_error_set(err, r, NULL, NULL, "io", NULL, "cannot list %s: %s", top,
				    strerror(-r));
	dirs = calloc(n + 1, sizeof(*dirs));
	if (!dirs) {
		ep_st_strv_free(names);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char d[EP_PATH_MAX];

		if (ep_st_path(d, sizeof(d), "%s/%s", top, names[i]) == 0 && ep_st_is_dir(d))
			dirs[nd++] = names[i];
	}
	snprintf(where, sizeof(where), "%s is empty", top);
	r = ep_test_choose_device(ctx, dirs, nd, where, dev, devsize, err);
	free(dirs);
	ep_st_strv_free(names);
	if (r == 0 && ep_st_path(dir, dirsize, "%s/%s", top, dev) < 0)
		r = -ENAMETOOLONG;
	return r;
no_module:
	return ep_error_set(err, -ENODEV, NULL, NULL, "no-device", NULL,
			    "%s does not exist: load ntb_ep_dma and mount debugfs", top);
}

static int read_result(const char *dir, char *buf, size_t size)
{
	return ep_st_read_attr(dir, "result", buf, size);
}

/* How long a limit is, for messages: "5 s", "0.5 s" */
static const char *secs(char *buf, size_t size, unsigned int ms)
{
	if (ms % 1000)
		snprintf(buf, size, "%.3g s", (double)ms / 1000.0);
	else
		snprintf(buf, size, "%u s", ms / 1000);
	return buf;
}

/*
 * The kernel's verdict on a run that did not pass (the errno of its write, or last_status of
 * the result): which outcome it is and the message that says why. Returns @r.
 */
static int kernel_verdict(struct epdma_test_report *rep, int r, unsigned int timeout_ms,
			  struct epdma_error *err)
{
	char a[32], b[32];

	switch (r) {
	case -ETIMEDOUT:
		/* one of ntb_ep_dma's own waits expired, within the time we allowed */
		rep->outcome = EPDMA_TEST_TIMEOUT;
		rep->timeout_by = EPDMA_TIMEOUT_KERNEL;
		rep->timeout_ms = EPDMA_NTB_EP_DMA_WAIT_MS;
		return ep_error_set(err, r, NULL, NULL, "kernel-timeout", NULL,
				    "DMA test on %s timed out in the kernel: ntb_ep_dma waits at most "
				    "%s for the peer, the transfer and the peer's check (the limit "
				    "here was %s)", rep->device,
				    secs(a, sizeof(a), EPDMA_NTB_EP_DMA_WAIT_MS),
				    secs(b, sizeof(b), timeout_ms));
	case -ENOLINK:
		rep->outcome = EPDMA_TEST_ERROR;
		return ep_error_set(err, r, NULL, NULL, "link-down", NULL,
				    "DMA test on %s ended: the NTB link went down", rep->device);
	case -ENODEV:
		/* no channel: the exported engine left with the link, or not a host's device */
		rep->outcome = EPDMA_TEST_ERROR;
		return ep_error_set(err, r, NULL, NULL, "no-channel", NULL,
				    "DMA test on %s found no DMA channel (ENODEV): the exported DMA "
				    "engine goes away with the NTB link, and only the host side has "
				    "one", rep->device);
	default:
		rep->outcome = EPDMA_TEST_FAIL;
		return ep_error_set(err, r, NULL, NULL, "run-failed", NULL,
				    "DMA test on %s failed: %s", rep->device, strerror(-r));
	}
}

/*
 * The kernel's wait expired because the link went down: the result (read right after the
 * run) shows the link down, or the device is already gone (@len -ENOENT). A debugfs run does
 * not watch the link while it waits, so this, not the 5 s, is what ended it. Returns @r, or
 * -ENOLINK when that is what happened.
 */
static int link_lost(struct epdma_test_report *rep, int r, int len, struct epdma_error *err)
{
	if (r != -ETIMEDOUT || rep->timeout_by != EPDMA_TIMEOUT_KERNEL)
		return r;
	if (len != -ENOENT && !(rep->has_result && (rep->result.fields & EPDMA_TR_F_LINK_UP) &&
				!rep->result.link_up))
		return r;
	rep->outcome = EPDMA_TEST_ERROR;
	rep->timeout_by = EPDMA_TIMEOUT_NONE;
	rep->timeout_ms = 0;
	return ep_error_set(err, -ENOLINK, NULL, NULL, "link-down", NULL,
			    "DMA test on %s ended: the NTB link went down (ntb_ep_dma gave up "
			    "waiting after %u ms, ETIMEDOUT)", rep->device,
			    EPDMA_NTB_EP_DMA_WAIT_MS);
}

/* The device directory went away under us: ntb_ep_dma removes it when the link goes down. */
static int device_gone(struct epdma_test_report *rep, struct epdma_error *err)
{
	rep->outcome = EPDMA_TEST_ERROR;
	return ep_error_set(err, -ENODEV, NULL, NULL, "device-gone", NULL,
			    "ntb_ep_dma device %s went away during the test: the NTB link went "
			    "down", rep->device);
}

int epdma_test_run(struct epdma_ctx *ctx, const struct epdma_test_opts *opts,
		   struct epdma_test_report *rep, struct epdma_error *err)
{
	unsigned int timeout_ms = opts && opts->timeout_ms ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	char dir[EP_PATH_MAX], path[EP_PATH_MAX];
	char before[EPDMA_ATTR_MAX], after[EPDMA_ATTR_MAX];
	uint64_t start = now_us(), deadline = start + (uint64_t)timeout_ms * 1000u;
	unsigned int delay = POLL_MIN_MS;
	int r, len_before, len;

	memset(rep, 0, sizeof(*rep));
	ep_error_clear(err);
	rep->outcome = EPDMA_TEST_ERROR;
	rep->stage = "lookup";

	r = find_device(ctx, opts ? opts->device : NULL, rep->device, sizeof(rep->device), dir,
			sizeof(dir), err);
	if (r < 0)
		goto out;

	/* 1. wait for the peer: "ready" reads 1 once it has published its buffer */
	rep->stage = "ready";
	for (;;) {
		char buf[32];
		uint64_t v;

		r = ep_st_read_attr(dir, "ready", buf, sizeof(buf));
		if (r == -ENOENT) {
			r = device_gone(rep, err);
			goto out;
		}
		if (r < 0) {
			r = ep_error_set(err, r, NULL, NULL, "io", NULL, "cannot read %s/ready: %s",
					 dir, strerror(-r));
			goto out;
		}
		if (ep_st_parse_u64(buf, &v) == 0 && v)
			break;
		if (now_us() >= deadline) {
			r = ep_error_set(err, -ETIMEDOUT, NULL, NULL, "timeout", NULL,
					 "peer of %s not ready after %u ms (is ntb_ep_dma loaded "
					 "on the other side?)", rep->device, timeout_ms);
			rep->outcome = EPDMA_TEST_TIMEOUT;
			rep->timeout_by = EPDMA_TIMEOUT_CALLER;
			rep->timeout_ms = timeout_ms;
			goto out;
		}
		sleep_ms(delay);
		delay = delay * 2 > POLL_MAX_MS ? POLL_MAX_MS : delay * 2;
	}

	/* 2. run */
	rep->stage = "run";
	len_before = read_result(dir, before, sizeof(before));
	if (len_before < 0)
		before[0] = '\0';
	if (ep_st_path(path, sizeof(path), "%s/run", dir) < 0) {
		r = -ENAMETOOLONG;
		goto out;
	}
	r = write_run(path, deadline);
	if (r == -ETIME) {
		r = -ETIMEDOUT;
		rep->outcome = EPDMA_TEST_TIMEOUT;
		rep->timeout_by = EPDMA_TIMEOUT_CALLER;
		rep->timeout_ms = timeout_ms;
		ep_error_set(err, r, NULL, NULL, "timeout", NULL,
			     "run on %s did not finish within %u ms (the kernel may still be "
			     "running it)", rep->device, timeout_ms);
		goto out;
	}
	if (r == -ENOENT) {
		r = device_gone(rep, err);
		goto out;
	}
	if (r == -EACCES || r == -EPERM || r == -ENOMEM || r == -ENAMETOOLONG) {
		ep_error_set(err, r, NULL, NULL, "io", NULL, "cannot write %s: %s", path,
			     strerror(-r));
		goto out;
	}
	if (r < 0)
		kernel_verdict(rep, r, timeout_ms, err);

	/* 3. result: complete once it differs from before (at once on the real kernel) */
	rep->stage = "result";
	delay = POLL_MIN_MS;
	for (;;) {
		len = read_result(dir, after, sizeof(after));
		/* after a failed run the result is a detail: one read, never a wait */
		if (r < 0 || (len >= 0 && (len_before < 0 || strcmp(before, after))))
			break;
		if (len == -ENOENT) {
			r = device_gone(rep, err);
			goto out;
		}
		if (now_us() >= deadline) {
			r = ep_error_set(err, -ETIMEDOUT, NULL, NULL, "timeout", NULL,
					 "no new result from %s within %u ms", rep->device,
					 timeout_ms);
			rep->outcome = EPDMA_TEST_TIMEOUT;
			rep->timeout_by = EPDMA_TIMEOUT_CALLER;
			rep->timeout_ms = timeout_ms;
			goto out;
		}
		sleep_ms(delay);
		delay = delay * 2 > POLL_MAX_MS ? POLL_MAX_MS : delay * 2;
	}
	if (len >= 0 && epdma_test_result_parse(after, (size_t)len, &rep->result) == 0)
		rep->has_result = true;
	if (r < 0) {
		/* failure already recorded; the result is the detail */
		r = link_lost(rep, r, len, err);
		goto out;
	}
	if (!rep->has_result) {
		r = ep_error_set(err, -EBADMSG, NULL, NULL, "result-format", NULL,
				 "cannot understand %s/result", dir);
		goto out;
	}
	if (rep->result.last_status != 0) {
		int64_t st = rep->result.last_status;

		/* the same verdict as the write's errno would have been */
		r = kernel_verdict(rep, st < 0 && st > -4096 ? (int)st : -EIO, timeout_ms, err);
		if (rep->outcome == EPDMA_TEST_FAIL)
			ep_error_set(err, r, NULL, NULL, "run-failed", NULL,
				     "DMA test on %s failed: last_status %lld, peer state %s",
				     rep->device, (long long)st,
				     rep->result.peer_state[0] ? rep->result.peer_state : "?");
		r = link_lost(rep, r, len, err);
		goto out;
	}
	if ((rep->result.fields & EPDMA_TR_F_PEER_STATE) &&
	    strcmp(rep->result.peer_state, "pass")) {
		r = -EIO;
		rep->outcome = EPDMA_TEST_FAIL;
		ep_error_set(err, r, NULL, NULL, "run-failed", NULL,
			     "DMA test on %s failed: last_status 0, peer state %s", rep->device,
			     rep->result.peer_state);
		goto out;
	}
	rep->outcome = EPDMA_TEST_PASS;
	r = 0;
out:
	rep->error = r;
	rep->duration_us = now_us() - start;
	return r;
}
