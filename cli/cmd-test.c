// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * epdmactl test run: one ntb_ep_dma transfer through debugfs, reported as text or as JSON
 * (schema: schemas/test-result.schema.json). The exit code says pass (0), fail (1),
 * timeout (75), no device (69) or permission (77).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epdmactl.h"

#define TIMEOUT_MAX_S 3600
#define COUNT_MAX 100000

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

static void test_usage(FILE *f)
{
	fputs("Usage: epdmactl test run [--device BDF] [--timeout SECONDS] [--count N]\n"
	      "                         [--json[=short|pretty]]\n"
	      "\n"
	      "Run one ntb_ep_dma DMA transfer to the peer through debugfs (ready, run, result)\n"
	      "and report it. --device names the PCI function under\n"
	      "/sys/kernel/debug/ntb_ep_dma/ (default: the only one, or the only host-side one,\n"
	      "bound to ntb_hw_epf); --timeout bounds each run (default 30 s); --count runs N\n"
	      "transfers one after the other, stopping at the first that does not pass.\n"
	      "Exit: 0 pass, 1 fail, 69 no device, 75 timeout, 77 permission denied.\n",
	      f);
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

static int test_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },
		{ "json", optional_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct epdma_test_opts topts = { 0 };
	struct epdma_test_report rep;
	struct epdma_error err = { 0 };
	unsigned long count = 1, done = 0, passed = 0;
	bool counted = false;
	uint64_t *dur = NULL;
	struct out *o;
	int c, r, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:t:c:j::h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': {
			char *end;

			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || !count || count > COUNT_MAX ||
			    optarg[0] == '-') {
				cli_err(cli, "--count takes a number from 1 to %d, not '%s'",
					COUNT_MAX, optarg);
				return EPDMA_EXIT_USAGE;
			}
			counted = true;
			break;
		}
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

	dur = calloc(count, sizeof(*dur));
	if (!dur)
		return EPDMA_EXIT_FAILED;
	do {
		r = epdma_test_run(cli->ctx, &topts, &rep, &err);
		if (rep.stage && strcmp(rep.stage, "lookup"))
			dur[done++] = rep.duration_us;
		if (r == 0)
			passed++;
	} while (r == 0 && passed < count);
	o = cli->out;
	out_open_object(o, NULL);
	out_int(o, "version", NULL, 1);
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
		rc = r == -EINVAL ? EPDMA_EXIT_USAGE : epdma_exit_code(r);
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
	cli_err(cli, "unknown test command '%s' (try 'run')", argv[1]);
	return EPDMA_EXIT_USAGE;
}
