// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Test run through ntb_ep_dma's generic netlink family (see ntb-ep-dma-nl.h).
 *
 * The kernel runs a RUN request inside our sendmsg(2): the call returns once the run is over
 * and the reply is queued. A timeout therefore cannot be a socket option; a helper thread
 * sends CANCEL on a second socket when it expires, and the kernel answers the run with
 * -ECANCELED and the figures of what was done.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

#include "epdma-private.h"
#include "ntb-ep-dma-nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static struct nla_policy result_policy[NTB_EP_DMA_A_MAX + 1] = {
	[NTB_EP_DMA_A_DEVICE] = { .type = NLA_STRING, .maxlen = NTB_EP_DMA_DEVICE_LEN },
	[NTB_EP_DMA_A_CHANNEL] = { .type = NLA_U32 },
	[NTB_EP_DMA_A_DIRECTION] = { .type = NLA_U8 },
	[NTB_EP_DMA_A_SIZE] = { .type = NLA_U32 },
	[NTB_EP_DMA_A_COUNT] = { .type = NLA_U32 },
	[NTB_EP_DMA_A_DEPTH] = { .type = NLA_U32 },
	[NTB_EP_DMA_A_VERIFY] = { .type = NLA_U8 },
	[NTB_EP_DMA_A_STATUS] = { .type = NLA_U32 },
	[NTB_EP_DMA_A_BYTES] = { .type = NLA_U64 },
	[NTB_EP_DMA_A_TRANSFERS] = { .type = NLA_U32 },
	[NTB_EP_DMA_A_ERRORS] = { .type = NLA_U32 },
	[NTB_EP_DMA_A_ELAPSED_NS] = { .type = NLA_U64 },
	[NTB_EP_DMA_A_THROUGHPUT] = { .type = NLA_U64 },
	[NTB_EP_DMA_A_LAT_MIN_NS] = { .type = NLA_U64 },
	[NTB_EP_DMA_A_LAT_AVG_NS] = { .type = NLA_U64 },
	[NTB_EP_DMA_A_LAT_P50_NS] = { .type = NLA_U64 },
	[NTB_EP_DMA_A_LAT_P99_NS] = { .type = NLA_U64 },
	[NTB_EP_DMA_A_LAT_MAX_NS] = { .type = NLA_U64 },
	[NTB_EP_DMA_A_CHANNEL_NAME] = { .type = NLA_STRING, .maxlen = 32 },
};

/* a string attribute: not empty, printable, NUL-terminated within the attribute */
static int get_string(struct nlattr *a, char *dst, size_t size)
{
	const char *s = nla_data(a);
	int len = nla_len(a);
	size_t n;

	n = strnlen(s, (size_t)len);
	if (!n || n == (size_t)len || n >= size)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '/')
			return -EBADMSG;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static uint64_t u64_or0(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static uint32_t u32_or0(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

int epdma_nl_result_parse(const void *msg, size_t len, struct epdma_nl_result *out)
{
	struct nlattr *tb[NTB_EP_DMA_A_MAX + 1];
	struct nlmsghdr *nlh = (struct nlmsghdr *)msg;
	struct genlmsghdr *gh;
	int32_t status;

	memset(out, 0, sizeof(*out));
	if (!msg || len > INT32_MAX || !nlmsg_ok(nlh, (int)len))
		return -EBADMSG;
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	gh = nlmsg_data(nlh);
	if (gh->cmd != NTB_EP_DMA_CMD_RUN && gh->cmd != NTB_EP_DMA_CMD_RUN_DONE)
		return -EBADMSG;
	if (genlmsg_parse(nlh, 0, tb, NTB_EP_DMA_A_MAX, result_policy) < 0)
		return -EBADMSG;
	if (!tb[NTB_EP_DMA_A_DEVICE] || !tb[NTB_EP_DMA_A_STATUS])
		return -EBADMSG;
	if (get_string(tb[NTB_EP_DMA_A_DEVICE], out->device, sizeof(out->device)) < 0)
		return -EBADMSG;
	if (tb[NTB_EP_DMA_A_CHANNEL_NAME] &&
	    get_string(tb[NTB_EP_DMA_A_CHANNEL_NAME], out->channel_name,
		       sizeof(out->channel_name)) < 0)
		return -EBADMSG;
	status = (int32_t)nla_get_u32(tb[NTB_EP_DMA_A_STATUS]);
	if (status > 0 || status < -4095)
		return -EBADMSG;
	out->status = status;
	out->channel = u32_or0(tb[NTB_EP_DMA_A_CHANNEL]);
	out->direction = tb[NTB_EP_DMA_A_DIRECTION] ? nla_get_u8(tb[NTB_EP_DMA_A_DIRECTION]) : 0;
	if (out->direction > NTB_EP_DMA_DIR_READ)
		return -EBADMSG;
	out->size = u32_or0(tb[NTB_EP_DMA_A_SIZE]);
	out->count = u32_or0(tb[NTB_EP_DMA_A_COUNT]);
	out->depth = u32_or0(tb[NTB_EP_DMA_A_DEPTH]);
	out->verify = tb[NTB_EP_DMA_A_VERIFY] && nla_get_u8(tb[NTB_EP_DMA_A_VERIFY]);
	out->bytes = u64_or0(tb[NTB_EP_DMA_A_BYTES]);
	out->transfers = u32_or0(tb[NTB_EP_DMA_A_TRANSFERS]);
	out->errors = u32_or0(tb[NTB_EP_DMA_A_ERRORS]);
	out->elapsed_ns = u64_or0(tb[NTB_EP_DMA_A_ELAPSED_NS]);
	out->throughput = u64_or0(tb[NTB_EP_DMA_A_THROUGHPUT]);
	out->lat_min_ns = u64_or0(tb[NTB_EP_DMA_A_LAT_MIN_NS]);
	out->lat_avg_ns = u64_or0(tb[NTB_EP_DMA_A_LAT_AVG_NS]);
	out->lat_p50_ns = u64_or0(tb[NTB_EP_DMA_A_LAT_P50_NS]);
	out->lat_p99_ns = u64_or0(tb[NTB_EP_DMA_A_LAT_P99_NS]);
	out->lat_max_ns = u64_or0(tb[NTB_EP_DMA_A_LAT_MAX_NS]);
	/* figures that cannot be: a kernel we do not understand */
	if (out->transfers > out->count && out->count)
		return -EBADMSG;
	if (out->transfers && !(out->lat_min_ns <= out->lat_p50_ns &&
				out->lat_p50_ns <= out->lat_p99_ns &&
				out->lat_p99_ns <= out->lat_max_ns))
		return -EBADMSG;
	return 0;
}

/* ---- sockets ------------------------------------------------------------------------------ */

static int nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_AGAIN:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

static int open_sock(struct nl_sock **skp, int *family)
{
	struct nl_sock *sk;
	int one = 1, r;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	r = genl_connect(sk);
	if (r < 0) {
		nl_socket_free(sk);
		return nl_errno(r);
	}
	/* the kernel's reason, without the echo of our request */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (family) {
		r = genl_ctrl_resolve(sk, NTB_EP_DMA_GENL_NAME);
		if (r < 0) {
			nl_socket_free(sk);
			return r == -NLE_OBJ_NOTFOUND ? -ENOENT : nl_errno(r);
		}
		*family = r;
	}
	*skp = sk;
	return 0;
}

int epdma_nl_available(void)
{
	struct nl_sock *sk;
	int family, r;

	r = open_sock(&sk, &family);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	nl_socket_free(sk);
	return 1;
}

struct reply {
	int error;		/* -errno from the kernel's error message */
	char message[256];	/* its extack text */
	bool have_result;
	int parse_error;
	struct epdma_nl_result *res;
	/* GET_DEVICE dump */
	char (*devices)[64];
	size_t n_devices, max_devices;
};

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct reply *rp = arg;

	(void)who;
	rp->error = e->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS && nlh->nlmsg_flags & NLM_F_CAPPED) {
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
		int off = NLMSG_HDRLEN + (int)sizeof(*e);

		if ((int)nlh->nlmsg_len > off &&
		    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
			      (int)nlh->nlmsg_len - off, NULL) == 0 &&
		    tb[NLMSGERR_ATTR_MSG])
			snprintf(rp->message, sizeof(rp->message), "%.*s",
				 nla_len(tb[NLMSGERR_ATTR_MSG]),
				 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	}
	return NL_STOP;
}

static int on_result(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct reply *rp = arg;

	rp->parse_error = epdma_nl_result_parse(nlh, nlh->nlmsg_len, rp->res);
	rp->have_result = rp->parse_error == 0;
	return NL_OK;
}

static int on_device(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NTB_EP_DMA_A_MAX + 1];
	struct reply *rp = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, NTB_EP_DMA_A_MAX, result_policy) < 0 ||
	    !tb[NTB_EP_DMA_A_DEVICE] || rp->n_devices >= rp->max_devices)
		return NL_OK;
	if (get_string(tb[NTB_EP_DMA_A_DEVICE], rp->devices[rp->n_devices], 64) == 0)
		rp->n_devices++;
	return NL_OK;
}

static int transact(struct nl_sock *sk, struct nl_msg *msg, nl_recvmsg_msg_cb_t valid,
		    struct reply *rp)
{
	struct nl_cb *cb;
	int r;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, rp);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, rp);
	r = nl_send_auto(sk, msg);
	if (r < 0) {
		nl_cb_put(cb);
		return nl_errno(r);
	}
	r = nl_recvmsgs(sk, cb);
	if (r < 0 && !rp->error)
		rp->error = nl_errno(r);
	/* the ACK after a successful doit */
	if (!rp->error && valid == on_result)
		nl_wait_for_ack(sk);
	nl_cb_put(cb);
	return rp->error;
}

static int pick_device(struct epdma_ctx *ctx, struct nl_sock *sk, int family, char dev[64],
		       struct epdma_error *err)
{
	char devices[16][64];
	struct reply rp = { .devices = devices, .max_devices = ARRAY_SIZE(devices) };
	const char *names[ARRAY_SIZE(devices)];
	struct nl_msg *msg;
	int r;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
			 NTB_EP_DMA_CMD_GET_DEVICE, NTB_EP_DMA_GENL_VERSION)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	r = transact(sk, msg, on_device, &rp);
	nlmsg_free(msg);
	if (r < 0)
		return ep_error_set(err, r, NULL, NULL, "netlink", NULL,
				    "cannot list the ntb_ep_dma devices: %s",
				    rp.message[0] ? rp.message : strerror(-r));
	for (size_t i = 0; i < rp.n_devices; i++)
		names[i] = devices[i];
	return ep_test_choose_device(ctx, names, rp.n_devices, "it lists none", dev, 64, err);
}

/* ---- the timeout: CANCEL from a second socket ---------------------------------------------- */

struct canceller {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done, fired;
	unsigned int timeout_ms;
	int family;
	char device[64];
};

static void send_cancel(struct canceller *c)
{
	struct nl_sock *sk;
	struct nl_msg *msg;

	if (open_sock(&sk, NULL) < 0)
		return;
	msg = nlmsg_alloc();
	if (msg && genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, NLM_F_REQUEST,
			       NTB_EP_DMA_CMD_CANCEL, NTB_EP_DMA_GENL_VERSION) &&
	    nla_put_string(msg, NTB_EP_DMA_A_DEVICE, c->device) == 0)
		nl_send_sync(sk, msg);	/* frees msg */
	else
		nlmsg_free(msg);
	nl_socket_free(sk);
}

static void *cancel_worker(void *arg)
{
	struct canceller *c = arg;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += c->timeout_ms / 1000;
	ts.tv_nsec += (long)(c->timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	while (!c->done)
		if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT)
			break;
	if (!c->done) {
		c->fired = true;
		pthread_mutex_unlock(&c->lock);
		send_cancel(c);
		return NULL;
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int epdma_nl_run(struct epdma_ctx *ctx, const struct epdma_nl_opts *opts,
		 struct epdma_nl_result *res, struct epdma_error *err)
{
	struct canceller c = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct reply rp = { .res = res };
	char dev[64];
	struct nl_sock *sk;
	struct nl_msg *msg;
	pthread_t tid;
	bool thread = false;
	int family, r;

	memset(res, 0, sizeof(*res));
	ep_error_clear(err);
	r = open_sock(&sk, &family);
	if (r == -ENOENT)
		return ep_error_set(err, -ENODEV, NULL, NULL, "no-device", NULL,
				    "the ntb_ep_dma netlink family is not registered: load ntb_ep_dma");
	if (r < 0)
		return ep_error_set(err, r, NULL, NULL, "netlink", NULL,
				    "cannot open a generic netlink socket: %s", strerror(-r));
	if (opts->device) {
		if (!ep_name_is_safe(opts->device, NTB_EP_DMA_DEVICE_LEN - 1)) {
			r = ep_error_set(err, -EINVAL, NULL, NULL, "device", NULL,
					 "'%s' is not a PCI device name", opts->device);
			goto out;
		}
		snprintf(dev, sizeof(dev), "%s", opts->device);
	} else {
		r = pick_device(ctx, sk, family, dev, err);
		if (r < 0)
			goto out;
	}
	snprintf(res->device, sizeof(res->device), "%s", dev);

	msg = nlmsg_alloc();
	if (!msg) {
		r = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_REQUEST | NLM_F_ACK,
			 NTB_EP_DMA_CMD_RUN, NTB_EP_DMA_GENL_VERSION) ||
	    nla_put_string(msg, NTB_EP_DMA_A_DEVICE, dev) < 0 ||
	    (opts->channel >= 0 && nla_put_u32(msg, NTB_EP_DMA_A_CHANNEL,
					       (uint32_t)opts->channel) < 0) ||
	    nla_put_u8(msg, NTB_EP_DMA_A_DIRECTION, (uint8_t)opts->direction) < 0 ||
	    (opts->size && nla_put_u32(msg, NTB_EP_DMA_A_SIZE, opts->size) < 0) ||
	    nla_put_u32(msg, NTB_EP_DMA_A_COUNT, opts->count ? opts->count : 1) < 0 ||
	    nla_put_u32(msg, NTB_EP_DMA_A_DEPTH, opts->depth ? opts->depth : 1) < 0 ||
	    nla_put_u8(msg, NTB_EP_DMA_A_VERIFY, !opts->no_verify) < 0) {
		nlmsg_free(msg);
		r = -ENOMEM;
		goto out;
	}

	if (opts->timeout_ms) {
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&c.cond, &ca);
		pthread_condattr_destroy(&ca);
		c.timeout_ms = opts->timeout_ms;
		c.family = family;
		snprintf(c.device, sizeof(c.device), "%s", dev);
		thread = pthread_create(&tid, NULL, cancel_worker, &c) == 0;
	}
	r = transact(sk, msg, on_result, &rp);
	nlmsg_free(msg);
	if (thread) {
		pthread_mutex_lock(&c.lock);
		c.done = true;
		pthread_cond_signal(&c.cond);
		pthread_mutex_unlock(&c.lock);
		pthread_join(tid, NULL);
		pthread_cond_destroy(&c.cond);
	}
	if (r < 0) {
		if (r == -EPERM)
			r = ep_error_set(err, r, NULL, NULL, "permission", NULL,
					 "running a test on %s needs CAP_NET_ADMIN", dev);
		else
			r = ep_error_set(err, r, NULL, NULL, "netlink", NULL,
					 "ntb_ep_dma refused the test on %s: %s", dev,
					 rp.message[0] ? rp.message : strerror(-r));
		goto out;
	}
	if (!rp.have_result) {
		r = ep_error_set(err, -EBADMSG, NULL, NULL, "result-format", NULL,
				 "cannot understand the reply of ntb_ep_dma on %s", dev);
		goto out;
	}
	if (c.fired && res->status == -ECANCELED) {
		res->status = -ETIMEDOUT;
		res->timed_out = true;
	}
	r = 0;
out:
	nl_socket_free(sk);
	return r;
}

/* ---- notifications ----------------------------------------------------------------------- */

struct watch {
	epdma_nl_watch_fn cb;
	void *data;
	int ret;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct epdma_nl_result res;
	struct watch *w = arg;

	if (epdma_nl_result_parse(nlh, nlh->nlmsg_len, &res) < 0)
		return NL_SKIP;		/* not ours to judge: keep watching */
	w->ret = w->cb(&res, w->data);
	return w->ret ? NL_STOP : NL_OK;
}

int epdma_nl_watch(epdma_nl_watch_fn cb, void *data, struct epdma_error *err)
{
	struct watch w = { .cb = cb, .data = data };
	struct nl_sock *sk;
	int grp, r;

	ep_error_clear(err);
	r = open_sock(&sk, NULL);
	if (r < 0)
		return ep_error_set(err, r, NULL, NULL, "netlink", NULL,
				    "cannot open a generic netlink socket: %s", strerror(-r));
	grp = genl_ctrl_resolve_grp(sk, NTB_EP_DMA_GENL_NAME, NTB_EP_DMA_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		nl_socket_free(sk);
		return ep_error_set(err, -ENODEV, NULL, NULL, "no-device", NULL,
				    "the ntb_ep_dma netlink family is not registered: load ntb_ep_dma");
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, &w);
	r = nl_socket_add_membership(sk, grp);
	if (r < 0) {
		nl_socket_free(sk);
		return ep_error_set(err, nl_errno(r), NULL, NULL, "netlink", NULL,
				    "cannot join the ntb_ep_dma events group");
	}
	while (!w.ret) {
		r = nl_recvmsgs_default(sk);
		if (r < 0 && !w.ret) {
			nl_socket_free(sk);
			return ep_error_set(err, nl_errno(r), NULL, NULL, "netlink", NULL,
					    "receiving ntb_ep_dma notifications: %s", nl_geterror(r));
		}
	}
	nl_socket_free(sk);
	return w.ret;
}
