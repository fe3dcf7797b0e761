// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * epdmactl test run: an ntb_ep_dma transfer test through its generic netlink family when the
 * kernel has it, else through debugfs, reported as text or as the same JSON either way
 * (schema: schemas/test-result.schema.json, version 3). The exit code says pass (0), fail (1),
 * timeout or busy (75), no device, a device that went away or the NTB link down (69) or
 * permission (77).
 *
 * epdmactl test watch: print the kernel's notification of every completed run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "epdmactl.h"

#define TIMEOUT_MAX_S 3600
#define COUNT_MAX 100000
#define SIZE_MIN 4
#define SIZE_MAX_BYTES (16u << 20)
#define DEPTH_MAX 64
#define CHANNEL_MAX 255
#define DEBUGFS_SIZE 4096
#define SYSTEM_DEBUGFS "/sys/kernel/debug"
/* of the JSON document (schemas/test-result.schema.json) */
#define RESULT_VERSION 3

enum via { VIA_AUTO, VIA_NETLINK, VIA_DEBUGFS };

/* what the user asked for beyond what debugfs can do (the first such option, or NULL) */
struct test_args {
	struct epdma_nl_opts nl;
	const char *netlink_only;
	enum via via;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* --count: how many ran and passed, and the spread of their durations */
static void print_runs(struct out *o, unsigned long requested, unsigned long done,
		       unsigned long passed, uint64_t *dur)
{
	out_open_object(o, "runs");
	out_uint(o, "requested", "runs: %llu requested", requested);
	out_uint(o, "completed", ", %llu run", done);
	out_uint(o, "passed", ", %llu passed", passed);
	if (done) {
		qsort(dur, done, sizeof(*dur), cmp_u64);
		out_open_object(o, "duration_us");
		out_uint(o, "min", NULL, dur[0]);
		out_uint(o, "median", NULL, dur[done / 2]);
		out_uint(o, "max", NULL, dur[done - 1]);
		out_close_object(o);
		out_text(o, "; duration min %.1f ms, median %.1f ms, max %.1f ms",
			 (double)dur[0] / 1000.0, (double)dur[done / 2] / 1000.0,
			 (double)dur[done - 1] / 1000.0);
	} else {
		out_null(o, "duration_us", NULL);
	}
	out_text(o, "\n");
	out_close_object(o);
}

static void hex(struct out *o, const char *key, const char *text, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)v);
	out_string(o, key, text, buf);
}

static void print_result(struct out *o, const struct epdma_test_result *r)
{
	unsigned int f = r->fields;

	out_open_object(o, "result");
	out_text(o, "  result:");
	if (f & EPDMA_TR_F_LAST_STATUS)
		out_int(o, "last_status", " last_status %lld", r->last_status);
	if (f & EPDMA_TR_F_LAST_LEN)
		out_uint(o, "last_len", " last_len %llu", r->last_len);
	if (f & EPDMA_TR_F_PEER_STATE)
		out_string(o, "peer_state", " peer_state %s", r->peer_state);
	if (f & EPDMA_TR_F_PEER_SEQ)
		out_uint(o, "peer_seq", " peer_seq %llu", r->peer_seq);
	if (f & EPDMA_TR_F_PEER_XFER_LEN)
		out_uint(o, "peer_xfer_len", " peer_xfer_len %llu", r->peer_xfer_len);
	if (f & EPDMA_TR_F_LINK_UP)
		out_bool(o, "link_up", " link_up %s", r->link_up != 0);
	out_text(o, "\n ");
	if (f & EPDMA_TR_F_PEER_READY)
		out_bool(o, "peer_ready", " peer_ready %s", r->peer_ready != 0);
	if (f & EPDMA_TR_F_LOCAL_BUF_DMA)
		hex(o, "local_buf_dma", " local_buf_dma %s", r->local_buf_dma);
	if (f & EPDMA_TR_F_LOCAL_BUF_SIZE)
		out_uint(o, "local_buf_size", " local_buf_size %llu", r->local_buf_size);
	if (f & EPDMA_TR_F_PEER_DMA)
		hex(o, "peer_dma", " peer_dma %s", r->peer_dma);
	if (f & EPDMA_TR_F_PEER_SIZE)
		out_uint(o, "peer_size", " peer_size %llu", r->peer_size);
	out_text(o, "\n");
	out_close_object(o);
}

static const char *dir_name(uint32_t dir)
{
	return dir ? "read" : "write";
}

/* the "transfer" member: the same figures from netlink or from a series of debugfs runs */
static void print_transfer(struct out *o, const char *via, const struct epdma_nl_result *t,
			   bool has_channel)
{
	out_open_object(o, "transfer");
	out_string(o, "via", "  via %s:", via);
	out_string(o, "direction", " %s", dir_name(t->direction));
	if (has_channel) {
		out_uint(o, "channel", " channel %llu", t->channel);
		out_string(o, "channel_name", " (%s)", t->channel_name);
	} else {
		out_null(o, "channel", NULL);
		out_null(o, "channel_name", NULL);
	}
	out_uint(o, "size", ", %llu bytes", t->size);
	out_uint(o, "count", " x %llu", t->count);
	out_uint(o, "depth", ", depth %llu", t->depth);
	out_bool(o, "verify", ", verify %s", t->verify);
	out_text(o, "\n ");
	out_int(o, "status", " status %lld", t->status);
	out_uint(o, "transfers", ", %llu transferred", t->transfers);
	out_uint(o, "errors", ", %llu errors", t->errors);
	out_uint(o, "bytes", ", %llu bytes", t->bytes);
	out_uint(o, "elapsed_ns", NULL, t->elapsed_ns);
	out_uint(o, "throughput_bps", NULL, t->throughput);
	out_text(o, " in %.3f ms, %.1f MiB/s\n", (double)t->elapsed_ns / 1e6,
		 (double)t->throughput / (1024.0 * 1024.0));
	if (t->transfers) {
		out_open_object(o, "latency_ns");
		out_uint(o, "min", "  latency: min %llu", t->lat_min_ns);
		out_uint(o, "avg", " avg %llu", t->lat_avg_ns);
		out_uint(o, "p50", " p50 %llu", t->lat_p50_ns);
		out_uint(o, "p99", " p99 %llu", t->lat_p99_ns);
		out_uint(o, "max", " max %llu ns\n", t->lat_max_ns);
		out_close_object(o);
	} else {
		out_null(o, "latency_ns", NULL);
	}
	out_close_object(o);
}

static void test_usage(FILE *f)
{
	fputs("Usage: epdmactl test run [--device BDF] [--timeout SECONDS] [--count N]\n"
	      "                         [--size BYTES] [--depth N] [--channel N|any]\n"
	      "                         [--direction write|read] [--no-verify]\n"
	      "                         [--via auto|netlink|debugfs] [--json[=short|pretty]]\n"
	      "       epdmactl test watch [--count N] [--json[=short|pretty]]\n"
	      "\n"
	      "run: test DMA transfers to (write) or from (read) the peer with ntb_ep_dma and\n"
	      "report bytes, errors, throughput and latency. It uses the ntb_ep_dma generic\n"
	      "netlink family when the kernel has it, else debugfs (ready, run, result), which\n"
	      "only writes 4096 bytes, verified, one transfer at a time. --device names the PCI\n"
	      "function (default: the only host-side one, bound to ntb_hw_epf; every run of\n"
	      "--count uses the device the first one found); --timeout bounds each debugfs run,\n"
	      "or the whole netlink run (default 30 s for debugfs, none for netlink); the\n"
	      "kernel also gives up on each of its waits after 5 s, and the result says which\n"
	      "limit ended a run; --count N transfers (debugfs: stopping at the first that does\n"
	      "not pass); --size 4 to 16M, a multiple of 4 (suffix K or M); --depth 1 to 64\n"
	      "transfers in flight (without verification); --channel one exported channel.\n"
	      "watch: print every completed run (netlink notifications) until interrupted, or\n"
	      "--count of them.\n"
	      "Exit: 0 pass, 1 fail, 2 usage, 69 no (host-side) device, the device or the NTB\n"
	      "link went away, or no netlink family, 75 timeout or busy, 77 permission denied.\n",
	      f);
}

static int parse_uint(struct cli *cli, const char *opt, const char *arg, unsigned long min,
		      unsigned long max, unsigned long *val)
{
	char *end;

	errno = 0;
	*val = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || arg[0] == '+' || *val < min ||
	    *val > max) {
		cli_err(cli, "%s takes a number from %lu to %lu, not '%s'", opt, min, max, arg);
		return -EINVAL;
	}
	return 0;
}

static int parse_size(struct cli *cli, const char *arg, uint32_t *size)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (!errno && end != arg && arg[0] != '-' && arg[0] != '+') {
		if ((*end == 'K' || *end == 'k') && !end[1] && v <= SIZE_MAX_BYTES)
			v <<= 10, end++;
		else if (*end == 'M' && !end[1] && v <= 16)
			v <<= 20, end++;
	}
	if (errno || end == arg || *end || arg[0] == '-' || arg[0] == '+' || v < SIZE_MIN ||
	    v > SIZE_MAX_BYTES || v % 4) {
		cli_err(cli, "--size takes bytes from 4 to 16M, a multiple of 4 (suffix K or M), "
			"not '%s'", arg);
		return -EINVAL;
	}
	*size = (uint32_t)v;
	return 0;
}

static int parse_timeout(struct cli *cli, const char *arg, unsigned int *ms)
{
	char *end;
	double s;

	s = strtod(arg, &end);
	if (end == arg || *end || !(s > 0) || s > TIMEOUT_MAX_S) {
		cli_err(cli, "--timeout takes seconds between 0 and %d, not '%s'", TIMEOUT_MAX_S,
			arg);
		return -EINVAL;
	}
	*ms = (unsigned int)(s * 1000.0 + 0.5);
	if (!*ms)
		*ms = 1;
	return 0;
}

/*
 * The figures of a series of debugfs runs, in the shape of a netlink result: each run is one
 * verified 4 KiB write, its latency the whole round trip through debugfs. Call before
 * print_runs(), which sorts @dur.
 */
static void debugfs_figures(struct epdma_nl_result *t, const struct epdma_test_report *rep,
			    int r, unsigned long count, unsigned long done, unsigned long passed,
			    const uint64_t *dur)
{
	uint64_t sum = 0, *sorted;

	memset(t, 0, sizeof(*t));
	t->size = rep->has_result && rep->result.last_len ? (uint32_t)rep->result.last_len :
							     DEBUGFS_SIZE;
	t->count = (uint32_t)count;
	t->depth = 1;
	t->verify = true;
	t->status = r;
	t->transfers = (uint32_t)passed;
	t->errors = (uint32_t)(done - passed);
	t->bytes = (uint64_t)passed * t->size;
	for (unsigned long i = 0; i < done; i++)
		sum += dur[i];
	t->elapsed_ns = sum * 1000u;
	if (t->elapsed_ns)
		t->throughput = (uint64_t)((double)t->bytes * 1e9 / (double)t->elapsed_ns);
	if (!passed)
		return;
	/* the latencies of the runs that passed: the first @passed */
	sorted = malloc(passed * sizeof(*sorted));
	if (!sorted) {
		t->transfers = 0;	/* no latency member rather than a wrong one */
		return;
	}
	memcpy(sorted, dur, passed * sizeof(*sorted));
	qsort(sorted, passed, sizeof(*sorted), cmp_u64);
	sum = 0;
	for (unsigned long i = 0; i < passed; i++)
		sum += sorted[i];
	t->lat_min_ns = sorted[0] * 1000u;
	t->lat_max_ns = sorted[passed - 1] * 1000u;
	t->lat_avg_ns = sum / passed * 1000u;
	t->lat_p50_ns = sorted[(passed * 50 + 99) / 100 - 1] * 1000u;
	t->lat_p99_ns = sorted[(passed * 99 + 99) / 100 - 1] * 1000u;
	free(sorted);
}

/* the exit code of a test that could not run or was cut short (both paths) */
static int test_exit_code(int r)
{
	switch (r) {
	case 0:
		return EPDMA_EXIT_OK;
	case -EBUSY:
	case -ETIMEDOUT:
		return EPDMA_EXIT_TEMPFAIL;
	case -EPERM:
	case -EACCES:
		return EPDMA_EXIT_NOPERM;
	case -ENODEV:
	case -ENOENT:
	case -ENOLINK:
	case -ENXIO:
		return EPDMA_EXIT_UNAVAILABLE;
	case -EINVAL:
	case -ERANGE:
	case -EMSGSIZE:
		return EPDMA_EXIT_USAGE;
	default:
		return EPDMA_EXIT_FAILED;
	}
}

/* "timeout": which limit ended a run that timed out (null when none did) */
static void print_timeout(struct out *o, enum epdma_test_timeout_by by, unsigned int ms)
{
	if (by == EPDMA_TIMEOUT_NONE) {
		out_null(o, "timeout", NULL);
		return;
	}
	out_open_object(o, "timeout");
	out_string(o, "by", "  timed out: %s", by == EPDMA_TIMEOUT_KERNEL ? "kernel" : "epdmactl");
	out_uint(o, "ms", ", its limit of %llu ms\n", ms);
	out_close_object(o);
}

static void print_error(struct out *o, int r, const char *message)
{
	const char *name = strerrorname_np(-r);

	out_open_object(o, "error");
	out_int(o, "errno", NULL, -r);
	out_string(o, "name", NULL, name ? name : "unknown");
	out_string(o, "message", NULL, message);
	out_close_object(o);
}

static int test_run_netlink(struct cli *cli, struct test_args *ta)
{
	struct epdma_error err = { 0 };
	struct epdma_nl_result res;
	enum epdma_test_outcome outcome;
	enum epdma_test_timeout_by by = EPDMA_TIMEOUT_NONE;
	unsigned int limit_ms = 0;
	struct timespec t0, t1;
	const char *stage;
	struct out *o = cli->out;
	uint64_t us;
	int r, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = epdma_nl_run(cli->ctx, &ta->nl, &res, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000u +
	     (uint64_t)((t1.tv_nsec - t0.tv_nsec) / 1000);

	if (r < 0) {
		outcome = r == -ETIMEDOUT ? EPDMA_TEST_TIMEOUT : EPDMA_TEST_ERROR;
		stage = res.device[0] ? "run" : "lookup";
		if (r == -ETIMEDOUT) {
			/* refused after the kernel's wait for the peer's buffer */
			by = EPDMA_TIMEOUT_KERNEL;
			limit_ms = EPDMA_NTB_EP_DMA_WAIT_MS;
		}
	} else if (res.status == 0) {
		outcome = EPDMA_TEST_PASS;
		stage = "result";
	} else {
		const char *name, *why = "";

		stage = "result";
		r = res.status;
		name = strerrorname_np(-r);
		switch (r) {
		case -ETIMEDOUT:
			outcome = EPDMA_TEST_TIMEOUT;
			if (res.timed_out) {
				by = EPDMA_TIMEOUT_CALLER;
				limit_ms = ta->nl.timeout_ms;
				why = ": cancelled at --timeout";
			} else {
				/* ntb_ep_dma gave up on one of its waits (a transfer, the peer) */
				by = EPDMA_TIMEOUT_KERNEL;
				limit_ms = EPDMA_NTB_EP_DMA_WAIT_MS;
				why = ": the kernel's limit of 5 s on a transfer or the peer's check";
			}
			break;
		case -ENOLINK:
		case -ENODEV:
			/* the run was cut short by the link or the device going away */
			outcome = EPDMA_TEST_ERROR;
			why = r == -ENOLINK ? ": the NTB link went down" :
					      ": the device went away with the NTB link";
			break;
		default:
			outcome = EPDMA_TEST_FAIL;
			break;
		}
		snprintf(err.message, sizeof(err.message),
			 "DMA test on %s ended with %s%s, after %u of %u transfers, %u errors",
			 res.device, name ? name : "an error", why, res.transfers, res.count,
			 res.errors);
	}

	out_open_object(o, NULL);
	out_int(o, "version", NULL, RESULT_VERSION);
	out_string(o, "via", NULL, "netlink");
	if (res.device[0])
		out_string(o, "device", "test %s: ", res.device);
	else
		out_null(o, "device", "test: ");
	out_string(o, "outcome", "%s", epdma_test_outcome_str(outcome));
	out_bool(o, "passed", NULL, outcome == EPDMA_TEST_PASS);
	out_string(o, "stage", outcome == EPDMA_TEST_PASS ? NULL : " at %s", stage);
	out_uint(o, "duration_us", NULL, us);
	out_text(o, " (%.1f ms)\n", (double)us / 1000.0);
	print_timeout(o, by, limit_ms);
	if (r < 0)
		print_error(o, r, err.message);
	else
		out_null(o, "error", NULL);
	out_null(o, "result", NULL);
	if (!strcmp(stage, "result"))
		print_transfer(o, "netlink", &res, true);
	else
		out_null(o, "transfer", NULL);
	out_close_object(o);

	if (r < 0 && !out_is_json(o))
		cli_err(cli, "%s", err.message);
	switch (outcome) {
	case EPDMA_TEST_PASS:
		rc = EPDMA_EXIT_OK;
		break;
	case EPDMA_TEST_FAIL:
		rc = EPDMA_EXIT_FAILED;
		break;
	case EPDMA_TEST_TIMEOUT:
		rc = EPDMA_EXIT_TEMPFAIL;
		break;
	default:
		rc = test_exit_code(r);
		if (rc == EPDMA_EXIT_OK)
			rc = EPDMA_EXIT_FAILED;
		break;
	}
	return rc;
}

struct watch_state {
	struct cli *cli;
	unsigned long left;	/* 0 = no limit */
};

/* one line per completed run: JSON (short) or text */
static int on_run_done(const struct epdma_nl_result *t, void *data)
{
	struct watch_state *w = data;
	const char *name = strerrorname_np(-t->status);

	if (out_is_json(w->cli->out)) {
		json_object *j = json_object_new_object(), *lat;

		json_object_object_add(j, "version", json_object_new_int(2));
		json_object_object_add(j, "event", json_object_new_string("run-done"));
		json_object_object_add(j, "device", json_object_new_string(t->device));
		json_object_object_add(j, "channel", json_object_new_int64(t->channel));
		json_object_object_add(j, "channel_name",
				       json_object_new_string(t->channel_name));
		json_object_object_add(j, "direction",
				       json_object_new_string(dir_name(t->direction)));
		json_object_object_add(j, "size", json_object_new_int64(t->size));
		json_object_object_add(j, "count", json_object_new_int64(t->count));
		json_object_object_add(j, "depth", json_object_new_int64(t->depth));
		json_object_object_add(j, "verify", json_object_new_boolean(t->verify));
		json_object_object_add(j, "status", json_object_new_int(t->status));
		json_object_object_add(j, "transfers", json_object_new_int64(t->transfers));
		json_object_object_add(j, "errors", json_object_new_int64(t->errors));
		json_object_object_add(j, "bytes", json_object_new_int64((int64_t)t->bytes));
		json_object_object_add(j, "elapsed_ns",
				       json_object_new_int64((int64_t)t->elapsed_ns));
		json_object_object_add(j, "throughput_bps",
				       json_object_new_int64((int64_t)t->throughput));
		lat = json_object_new_object();
		json_object_object_add(lat, "min", json_object_new_int64((int64_t)t->lat_min_ns));
		json_object_object_add(lat, "avg", json_object_new_int64((int64_t)t->lat_avg_ns));
		json_object_object_add(lat, "p50", json_object_new_int64((int64_t)t->lat_p50_ns));
		json_object_object_add(lat, "p99", json_object_new_int64((int64_t)t->lat_p99_ns));
		json_object_object_add(lat, "max", json_object_new_int64((int64_t)t->lat_max_ns));
		json_object_object_add(j, "latency_ns", t->transfers ? lat : NULL);
		if (!t->transfers)
			json_object_put(lat);
		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
	} else {
		printf("%s: %s %s x %u bytes on %s: %s, %u transferred, %u errors, "
		       "%.1f MiB/s, p50 %llu ns, p99 %llu ns\n",
		       t->device, dir_name(t->direction), t->verify ? "verified" : "unverified",
		       t->size, t->channel_name[0] ? t->channel_name : "?",
		       t->status ? (name ? name : "error") : "pass", t->transfers, t->errors,
		       (double)t->throughput / (1024.0 * 1024.0),
		       (unsigned long long)t->lat_p50_ns, (unsigned long long)t->lat_p99_ns);
	}
	fflush(stdout);
	return w->left && !--w->left ? 1 : 0;
}

static int test_watch(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct watch_state w = { .cli = cli };
	struct epdma_error err = { 0 };
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:j::h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_uint(cli, "--count", optarg, 1, COUNT_MAX, &w.left) < 0)
				return EPDMA_EXIT_USAGE;
			break;
		case 'j':
			if (cli_set_json(cli, optarg) < 0)
				return EPDMA_EXIT_USAGE;
			break;
		case 'h':
			test_usage(stdout);
			return EPDMA_EXIT_OK;
		default:
			test_usage(stderr);
			return EPDMA_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_err(cli, "test watch takes no arguments ('%s')", argv[optind]);
		return EPDMA_EXIT_USAGE;
	}
	r = epdma_nl_watch(on_run_done, &w, &err);
	if (r < 0) {
		cli_err_lib(cli, &err);
		return test_exit_code(r);
	}
	return EPDMA_EXIT_OK;
}

static int test_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "depth", required_argument, NULL, 'D' },
		{ "channel", required_argument, NULL, 'C' },
		{ "direction", required_argument, NULL, 'r' },
		{ "no-verify", no_argument, NULL, 'n' },
		{ "via", required_argument, NULL, 'v' },
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct test_args ta = { .nl = { .channel = -1 } };
	struct epdma_test_opts topts = { 0 };
	unsigned long v;
	struct epdma_test_report rep;
	struct epdma_error err = { 0 };
	unsigned long count = 1, done = 0, passed = 0;
	bool counted = false;
	struct epdma_nl_result fig;
	char device[sizeof(rep.device)];
	uint64_t *dur = NULL;
	struct out *o;
	int c, r, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:t:c:j::h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_uint(cli, "--count", optarg, 1, COUNT_MAX, &count) < 0)
				return EPDMA_EXIT_USAGE;
			counted = true;
			break;
		case 's':
			if (parse_size(cli, optarg, &ta.nl.size) < 0)
				return EPDMA_EXIT_USAGE;
			if (ta.nl.size != DEBUGFS_SIZE)
				ta.netlink_only = "--size";
			break;
		case 'D':
			if (parse_uint(cli, "--depth", optarg, 1, DEPTH_MAX, &v) < 0)
				return EPDMA_EXIT_USAGE;
			ta.nl.depth = (uint32_t)v;
			if (v > 1)
				ta.netlink_only = "--depth";
			break;
		case 'C':
			if (strcmp(optarg, "any")) {
				if (parse_uint(cli, "--channel", optarg, 0, CHANNEL_MAX, &v) < 0)
					return EPDMA_EXIT_USAGE;
				ta.nl.channel = (int)v;
				ta.netlink_only = "--channel";
			}
			break;
		case 'r':
			if (!strcmp(optarg, "write")) {
				ta.nl.direction = 0;
			} else if (!strcmp(optarg, "read")) {
				ta.nl.direction = 1;
				ta.netlink_only = "--direction read";
			} else {
				cli_err(cli, "--direction takes write or read, not '%s'", optarg);
				return EPDMA_EXIT_USAGE;
			}
			break;
		case 'n':
			ta.nl.no_verify = true;
			ta.netlink_only = "--no-verify";
			break;
		case 'v':
			if (!strcmp(optarg, "auto")) {
				ta.via = VIA_AUTO;
			} else if (!strcmp(optarg, "netlink")) {
				ta.via = VIA_NETLINK;
			} else if (!strcmp(optarg, "debugfs")) {
				ta.via = VIA_DEBUGFS;
			} else {
				cli_err(cli, "--via takes auto, netlink or debugfs, not '%s'", optarg);
				return EPDMA_EXIT_USAGE;
			}
			break;
		case 'd':
			topts.device = optarg;
			break;
		case 't':
			if (parse_timeout(cli, optarg, &topts.timeout_ms) < 0)
				return EPDMA_EXIT_USAGE;
			break;
		case 'j':
			if (cli_set_json(cli, optarg) < 0)
				return EPDMA_EXIT_USAGE;
			break;
		case 'h':
			test_usage(stdout);
			return EPDMA_EXIT_OK;
		default:
			test_usage(stderr);
			return EPDMA_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_err(cli, "test run takes no arguments ('%s')", argv[optind]);
		return EPDMA_EXIT_USAGE;
	}
	if (ta.via == VIA_DEBUGFS && ta.netlink_only) {
		cli_err(cli, "%s needs the ntb_ep_dma netlink family, not --via debugfs",
			ta.netlink_only);
		return EPDMA_EXIT_USAGE;
	}
	if (ta.via != VIA_DEBUGFS) {
		/* a debugfs root of a test tree means: not the running kernel's */
		int avail = strcmp(epdma_ctx_get_debugfs_root(cli->ctx), SYSTEM_DEBUGFS) ?
			    0 : epdma_nl_available();

		if (avail == 1) {
			ta.nl.device = topts.device;
			ta.nl.count = (uint32_t)count;
			ta.nl.timeout_ms = topts.timeout_ms;
			return test_run_netlink(cli, &ta);
		}
		if (ta.via == VIA_NETLINK || ta.netlink_only) {
			cli_err(cli, "%s needs the ntb_ep_dma netlink family, which is not "
				"registered (load the ntb_ep_dma of the epdma series)",
				ta.via == VIA_NETLINK ? "--via netlink" : ta.netlink_only);
			return EPDMA_EXIT_UNAVAILABLE;
		}
	}

	dur = calloc(count, sizeof(*dur));
	if (!dur)
		return EPDMA_EXIT_FAILED;
	do {
		r = epdma_test_run(cli->ctx, &topts, &rep, &err);
		if (rep.stage && strcmp(rep.stage, "lookup"))
			dur[done++] = rep.duration_us;
		if (r == 0)
			passed++;
		/*
		 * Every run goes to the device the first one found: looking again could pick
		 * another one, or none with a usage error, when the link goes down in between.
		 * A device that went away then says so (69).
		 */
		if (!topts.device && rep.device[0]) {
			snprintf(device, sizeof(device), "%s", rep.device);
			topts.device = device;
		}
	} while (r == 0 && passed < count);
	o = cli->out;
	out_open_object(o, NULL);
	out_int(o, "version", NULL, RESULT_VERSION);
	out_string(o, "via", NULL, "debugfs");
	debugfs_figures(&fig, &rep, r, count, done, passed, dur);
	if (counted)
		print_runs(o, count, done, passed, dur);
	free(dur);
	if (rep.device[0])
		out_string(o, "device", "test %s: ", rep.device);
	else
		out_null(o, "device", "test: ");
	out_string(o, "outcome", "%s", epdma_test_outcome_str(rep.outcome));
	out_bool(o, "passed", NULL, rep.outcome == EPDMA_TEST_PASS);
	out_string(o, "stage", rep.outcome == EPDMA_TEST_PASS ? NULL : " at %s", rep.stage);
	out_uint(o, "duration_us", NULL, rep.duration_us);
	out_text(o, " (%.1f ms)\n", (double)rep.duration_us / 1000.0);
	print_timeout(o, rep.timeout_by, rep.timeout_ms);
	if (r < 0) {
		const char *name = strerrorname_np(-r);

		out_open_object(o, "error");
		out_int(o, "errno", NULL, -r);
		out_string(o, "name", NULL, name ? name : "unknown");
		out_string(o, "message", NULL, err.message);
		out_close_object(o);
	} else {
		out_null(o, "error", NULL);
	}
	if (rep.has_result)
		print_result(o, &rep.result);
	else
		out_null(o, "result", NULL);
	if (done)
		print_transfer(o, "debugfs", &fig, false);
	else
		out_null(o, "transfer", NULL);
	out_close_object(o);

	if (r < 0 && !out_is_json(o))
		cli_err_lib(cli, &err);
	switch (rep.outcome) {
	case EPDMA_TEST_PASS:
		rc = EPDMA_EXIT_OK;
		break;
	case EPDMA_TEST_FAIL:
		rc = EPDMA_EXIT_FAILED;
		break;
	case EPDMA_TEST_TIMEOUT:
		rc = EPDMA_EXIT_TEMPFAIL;
		break;
	default:
		rc = test_exit_code(r);
		if (rc == EPDMA_EXIT_OK)
			rc = EPDMA_EXIT_FAILED;
		break;
	}
	return rc;
}

int cmd_test(struct cli *cli, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		test_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EPDMA_EXIT_USAGE : EPDMA_EXIT_OK;
	}
	if (!strcmp(argv[1], "run"))
		return test_run(cli, argc - 1, argv + 1);
	if (!strcmp(argv[1], "watch"))
		return test_watch(cli, argc - 1, argv + 1);
	cli_err(cli, "unknown test command '%s' (try 'run' or 'watch')", argv[1]);
	return EPDMA_EXIT_USAGE;
}
