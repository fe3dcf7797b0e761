// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the status, module-state and test-run calls of libepdma, through the public
 * API the daemon uses: the ntb_ep_dma result parser field by field, the status model read
 * from the golden fixture trees, module decisions, and a test run against a fake debugfs in
 * which a thread plays the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ntb-ep-dma-nl.h"
#include "testutil.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must name tests/golden/fixtures"
#endif
#ifndef TESTBED_FIXTURES_DIR
#error "TESTBED_FIXTURES_DIR must name tests/fixtures/testbed"
#endif

static const char cover_result[] = "last_status: 0\n"
				   "last_len: 4096\n"
				   "local_buf_dma: 0xfffff000\n"
				   "local_buf_size: 4096\n"
				   "peer_ready: 1\n"
				   "peer_state: pass\n"
				   "peer_dma: 0x4e11e000\n"
				   "peer_size: 4096\n"
				   "peer_seq: 1\n"
				   "peer_xfer_len: 4096\n"
				   "link_up: 1\n";

static int parse(const char *text, struct epdma_test_result *r)
{
	return epdma_test_result_parse(text, strlen(text), r);
}

START_TEST(parse_cover_letter)
{
	struct epdma_test_result r;

	ck_assert_int_eq(parse(cover_result, &r), 0);
	ck_assert_uint_eq(r.fields, (1u << 11) - 1);
	ck_assert_int_eq(r.last_status, 0);
	ck_assert_uint_eq(r.last_len, 4096);
	ck_assert_uint_eq(r.local_buf_dma, 0xfffff000u);
	ck_assert_uint_eq(r.peer_dma, 0x4e11e000u);
	ck_assert_str_eq(r.peer_state, "pass");
	ck_assert_uint_eq(r.peer_seq, 1);
	ck_assert_uint_eq(r.link_up, 1);
}
END_TEST

START_TEST(parse_failure_and_extremes)
{
	struct epdma_test_result r;

	ck_assert_int_eq(parse("last_status: -110\npeer_state: fail\n", &r), 0);
	ck_assert_int_eq(r.last_status, -110);
	ck_assert_str_eq(r.peer_state, "fail");
	ck_assert(!(r.fields & EPDMA_TR_F_LINK_UP));

	ck_assert_int_eq(parse("last_status: 0\npeer_dma: 0xffffffffffffffff\n", &r), 0);
	ck_assert_uint_eq(r.peer_dma, UINT64_MAX);
	/* a later kernel may add fields; they do not break older tools */
	ck_assert_int_eq(parse("last_status: 0\nchannel: 3\npeer_state: xfer-done\n", &r), 0);
	ck_assert_str_eq(r.peer_state, "xfer-done");
	/* no trailing newline, CRLF */
	ck_assert_int_eq(parse("last_status: 0\r\nlink_up: 0", &r), 0);
	ck_assert_uint_eq(r.link_up, 0);
}
END_TEST

START_TEST(parse_rejects)
{
	static const char *const bad[] = {
		"",
		"peer_state: pass\n",				/* no last_status */
		"last_status: 0\nlink_up: 4294967296\n",	/* beyond u32 */
		"last_status: 0\npeer_state: PASS\n",		/* not a state it prints */
		"last_status: - 5\n",
		"last_status: 0\nlast_status: 0\n",		/* not one dump */
		"last_status: 0\nnot a field\n",
		"last_status: 0x\n",
		"last_status: 99999999999999999999\n",
		"last_status: 0\npeer_seq: -1\n",
	};
	struct epdma_test_result r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &r) == -EBADMSG, "accepted: %s", bad[i]);
	/* an embedded NUL within the given length */
	ck_assert_int_eq(epdma_test_result_parse("last_status: 0\n\0x", 17, &r), -EBADMSG);
	/* the length is honoured: the second line is outside it */
	ck_assert_int_eq(epdma_test_result_parse("last_status: -5\nlast_status: 0\n", 16, &r), 0);
	ck_assert_int_eq(r.last_status, -5);
}
END_TEST

static struct epdma_ctx *ctx_at(const char *tree)
{
	struct epdma_ctx *ctx;
	char root[1024];

	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
	snprintf(root, sizeof(root), "%s/%s", FIXTURES_DIR, tree);
	ck_assert_int_eq(epdma_ctx_set_root(ctx, root), 0);
	return ctx;
}

static const struct epdma_status_module *module(const struct epdma_status *st, const char *n)
{
	for (size_t i = 0; i < st->n_modules; i++)
		if (!strcmp(st->modules[i].name, n))
			return &st->modules[i];
	ck_abort_msg("module %s not in status", n);
	return NULL;
}

START_TEST(status_host)
{
	struct epdma_ctx *ctx = ctx_at("host-dma");
	struct epdma_status *st;
	struct epdma_error err;

	ck_assert_int_eq(epdma_status_read(ctx, &st, &err), 0);
	ck_assert(!st->configfs_mounted);
	ck_assert_uint_eq(st->n_controllers, 0);
	ck_assert_uint_eq(st->n_pci_functions, 1);	/* the bridge (pcieport) is not listed */
	ck_assert_str_eq(st->pci_functions[0].driver, "ntb_hw_epf");
	ck_assert_str_eq(st->pci_functions[0].link_speed, "16.0 GT/s PCIe");
	ck_assert_int_eq(st->pci_functions[0].link_width, 4);
	ck_assert_uint_eq(st->n_ntb, 1);
	ck_assert_int_eq(st->ntb[0].link_up, 1);
	ck_assert_str_eq(st->ntb[0].pci_device, "0000:01:00.0");
	ck_assert_uint_eq(st->n_dma_exports, 1);
	ck_assert_str_eq(st->dma_exports[0].parent, "0000:01:00.0");
	/* the fixture's kernel does not show the locator attributes */
	ck_assert(!st->dma_exports[0].has_locator);
	ck_assert_uint_eq(st->dma_exports[0].n_channels, 4);
	ck_assert_str_eq(st->dma_exports[0].channels[3], "dma1chan3");
	ck_assert_uint_eq(st->n_dma_channels, 5);
	ck_assert_str_eq(st->dma_channels[0].device, "e7350000.dma-controller");
	ck_assert_int_eq(st->dma_channels[0].in_use, 1);
	ck_assert_int_eq(st->dma_channels[1].bytes_transferred, 4096);
	ck_assert_int_eq(module(st, "ntb_hw_epf")->state, EPDMA_MODULE_LIVE);
	ck_assert_int_eq(module(st, "ntb")->refcnt, 2);
	ck_assert_int_eq(module(st, "pci_epf_vntb")->state, EPDMA_MODULE_ABSENT);
	epdma_status_free(st);
	epdma_ctx_free(ctx);
}
END_TEST

START_TEST(status_endpoint)
{
	struct epdma_ctx *ctx = ctx_at("ep-vntb");
	const struct epdma_status_function *f = NULL;
	struct epdma_status *st;
	struct epdma_error err;

	ck_assert_int_eq(epdma_status_read(ctx, &st, &err), 0);
	ck_assert(st->configfs_mounted);
	ck_assert_uint_eq(st->n_controllers, 1);
	ck_assert_str_eq(st->controllers[0].parent, "e65d0000.pcie-ep");
	ck_assert_int_eq(st->controllers[0].started, 1);
	ck_assert_uint_eq(st->n_functions, 2);
	for (size_t i = 0; i < st->n_functions; i++)
		if (!strcmp(st->functions[i].driver, "pci_epf_vntb"))
			f = &st->functions[i];
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->subgroup, "pci_epf_vntb.0");
	ck_assert_int_eq(f->dma_bar, 2);
	ck_assert_int_eq(f->dma_offset, 0xF9000);
	ck_assert_int_eq(f->dma_num_chans, 4);
	ck_assert_uint_eq(st->n_bindings, 1);
	ck_assert_str_eq(st->bindings[0].function, "pci_epf_vntb/func1");
	ck_assert_str_eq(st->bindings[0].interface, "primary");
	ck_assert_int_eq(module(st, "dw_edma")->state, EPDMA_MODULE_BUILTIN);
	epdma_status_free(st);
	epdma_ctx_free(ctx);
}
END_TEST

START_TEST(status_empty_root)
{
	struct epdma_ctx *ctx = ctx_at("does-not-exist");
	struct epdma_status *st;
	struct epdma_error err;

	/* nothing there at all is a valid state, not an error */
	ck_assert_int_eq(epdma_status_read(ctx, &st, &err), 0);
	ck_assert_uint_eq(st->n_controllers + st->n_functions + st->n_ntb + st->n_dma_channels, 0);
	epdma_status_free(st);
	epdma_status_free(NULL);
	epdma_ctx_free(ctx);
}
END_TEST

START_TEST(module_states)
{
	struct epdma_ctx *ctx = ctx_at("ep-vntb");
	enum epdma_module_state s;
	struct epdma_module_result res[2];
	struct epdma_error err;
	const char *const bad[] = { "../etc", NULL };
	const char *const live[] = { "pci-epf-vntb", "dw_edma", NULL };

	ck_assert_int_eq(epdma_module_state(ctx, "pci_epf_vntb", &s), 0);
	ck_assert_int_eq(s, EPDMA_MODULE_LIVE);
	ck_assert_int_eq(epdma_module_state(ctx, "pci-epf-vntb", &s), 0);	/* '-' == '_' */
	ck_assert_int_eq(s, EPDMA_MODULE_LIVE);
	ck_assert_int_eq(epdma_module_state(ctx, "dw_edma", &s), 0);
	ck_assert_int_eq(s, EPDMA_MODULE_BUILTIN);
	ck_assert_int_eq(epdma_module_state(ctx, "pci_epf_ntb", &s), 0);
	ck_assert_int_eq(s, EPDMA_MODULE_ABSENT);
	ck_assert_int_eq(epdma_module_state(ctx, "../x", &s), -EINVAL);

	/* what the daemon calls: live and built-in are skipped without touching libkmod */
	ck_assert_int_eq(epdma_modules_load(ctx, live, 0, res, &err), 0);
	ck_assert_int_eq(res[0].action, EPDMA_MODULE_ALREADY_LIVE);
	ck_assert_int_eq(res[1].action, EPDMA_MODULE_IS_BUILTIN);
	ck_assert_int_eq(epdma_modules_load(ctx, bad, 0, res, &err), -EINVAL);
	ck_assert_int_eq(res[0].action, EPDMA_MODULE_FAILED);
	ck_assert_ptr_nonnull(strstr(err.message, "../etc"));
	ck_assert_int_eq(epdma_modules_load(ctx, NULL, 0, NULL, &err), 0);
	epdma_ctx_free(ctx);
}
END_TEST

/* ---- test run against a fake debugfs ----------------------------------------------------- */

#define TMPROOT_TEMPLATE "/tmp/epdma-unit-status-XXXXXX"
static char tmproot[] = TMPROOT_TEMPLATE;
static char devdir[1200];

/* a new temporary root (a test may make several one after the other) */
static void make_tmproot(void)
{
	memcpy(tmproot, TMPROOT_TEMPLATE, sizeof(tmproot));
	ck_assert_ptr_nonnull(mkdtemp(tmproot));
}

static void copy_fixture(void)
{
	char cmd[2600];

	make_tmproot();
	snprintf(cmd, sizeof(cmd), "cp -a '%s/host-dma/.' '%s/'", FIXTURES_DIR, tmproot);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(devdir, sizeof(devdir), "%s/sys/kernel/debug/ntb_ep_dma/0000:01:00.0", tmproot);
}

static void remove_fixture(void)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmproot);
	(void)!system(cmd);
}

static void write_file(const char *name, const char *text)
{
	char p[1400], tmp[1400];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", devdir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", devdir, name);
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(rename(tmp, p), 0);
}

/* Wait until "1" is written to run, as the kernel's write handler is entered. */
static void fake_kernel_wait_run(void)
{
	char p[1400], buf[8] = "";

	snprintf(p, sizeof(p), "%s/run", devdir);
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(p, "r");

		if (f) {
			size_t n = fread(buf, 1, sizeof(buf) - 1, f);

			buf[n] = '\0';
			fclose(f);
		}
		if (buf[0] == '1')
			break;
		usleep(2000);
	}
}

/* The kernel's part: once "1" is in run, publish a new result. */
static void *fake_kernel(void *arg)
{
	fake_kernel_wait_run();
	usleep(20000);
	write_file("result", arg);
	return NULL;
}

START_TEST(test_run_pass_and_fail)
{
	struct epdma_ctx *ctx;
	struct epdma_test_opts opts = { .device = "0000:01:00.0", .timeout_ms = 5000 };
	struct epdma_test_report rep;
	struct epdma_error err;
	pthread_t t;

	copy_fixture();
	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
	ck_assert_int_eq(epdma_ctx_set_root(ctx, tmproot), 0);

	pthread_create(&t, NULL, fake_kernel,
		       (void *)"last_status: 0\npeer_state: pass\npeer_seq: 2\nlink_up: 1\n");
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(rep.outcome, EPDMA_TEST_PASS);
	ck_assert(rep.has_result);
	ck_assert_uint_eq(rep.result.peer_seq, 2);
	ck_assert_str_eq(rep.device, "0000:01:00.0");

	write_file("run", "");
	pthread_create(&t, NULL, fake_kernel,
		       (void *)"last_status: -71\npeer_state: fail\npeer_seq: 3\n");
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -EPROTO);
	pthread_join(t, NULL);
	ck_assert_int_eq(rep.outcome, EPDMA_TEST_FAIL);
	ck_assert_ptr_nonnull(strstr(err.message, "0000:01:00.0"));

	/* nobody answers: the caller's timeout decides */
	write_file("run", "");
	opts.timeout_ms = 150;
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ETIMEDOUT);
	ck_assert_int_eq(rep.outcome, EPDMA_TEST_TIMEOUT);
	ck_assert_uint_ge(rep.duration_us, 150000);

	/* the peer never becomes ready */
	write_file("ready", "0\n");
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ETIMEDOUT);
	ck_assert_str_eq(rep.stage, "ready");

	opts.device = "0000:07:00.0";
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ENODEV);
	ck_assert_int_eq(rep.outcome, EPDMA_TEST_ERROR);
	epdma_ctx_free(ctx);
	remove_fixture();
}
END_TEST

/* ---- which device, and what ended a run --------------------------------------------------- */

/* A second ntb_ep_dma device: the endpoint's side of a loopback (vNTB's PCI function). */
static void add_ep_side(const char *driver)
{
	char cmd[3000];

	snprintf(cmd, sizeof(cmd),
		 "cp -a '%s' '%s/sys/kernel/debug/ntb_ep_dma/0000:20:00.0' && "
		 "mkdir -p '%s/sys/bus/pci/devices/0000:20:00.0' && "
		 "ln -s ../../drivers/%s '%s/sys/bus/pci/devices/0000:20:00.0/driver'",
		 devdir, tmproot, tmproot, driver, tmproot);
	ck_assert_int_eq(system(cmd), 0);
}

static void rm_path(const char *rel)
{
	char cmd[1600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", tmproot, rel);
	ck_assert_int_eq(system(cmd), 0);
}

static struct epdma_ctx *ctx_on_tmproot(void)
{
	struct epdma_ctx *ctx;

	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
	ck_assert_int_eq(epdma_ctx_set_root(ctx, tmproot), 0);
	return ctx;
}

/*
 * Without --device only a host-side device (bound to ntb_hw_epf) is taken: the endpoint's
 * side of a loopback is not a choice, and with the link down (the host's side gone) the
 * answer is "no device: the link", -ENODEV (exit 69), not a run on the endpoint's side.
 */
START_TEST(test_run_device_choice)
{
	struct epdma_test_opts opts = { .timeout_ms = 2000 };
	struct epdma_test_report rep;
	struct epdma_error err;
	struct epdma_ctx *ctx;
	pthread_t t;

	copy_fixture();
	add_ep_side("pci-vntb");
	ctx = ctx_on_tmproot();
	pthread_create(&t, NULL, fake_kernel,
		       (void *)"last_status: 0\npeer_state: pass\npeer_seq: 2\nlink_up: 1\n");
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), 0);
	pthread_join(t, NULL);
	ck_assert_str_eq(rep.device, "0000:01:00.0");

	/* link down: the loopback removes the host's function, its ntb_ep_dma device goes */
	rm_path("sys/kernel/debug/ntb_ep_dma/0000:01:00.0");
	rm_path("sys/bus/pci/devices/0000:01:00.0");
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ENODEV);
	ck_assert_int_eq(rep.outcome, EPDMA_TEST_ERROR);
	ck_assert_str_eq(rep.stage, "lookup");
	ck_assert_str_eq(rep.device, "");
	ck_assert_msg(strstr(err.message, "no host-side") && strstr(err.message, "link") &&
		      strstr(err.message, "0000:20:00.0 (pci-vntb)"), "%s", err.message);
	ck_assert_int_eq(epdma_exit_code(rep.error), EPDMA_EXIT_UNAVAILABLE);

	/* nothing at all (two real machines, link down) */
	rm_path("sys/kernel/debug/ntb_ep_dma/0000:20:00.0");
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ENODEV);
	ck_assert_msg(strstr(err.message, "no device") && strstr(err.message, "link"), "%s",
		      err.message);
	epdma_ctx_free(ctx);
	remove_fixture();
}
END_TEST

/* The chooser the netlink path uses on the device list, against the same sysfs. */
START_TEST(test_run_choose_device_list)
{
	const char *both[] = { "0000:01:00.0", "0000:20:00.0" };
	const char *ep_only[] = { "0000:20:00.0" };
	struct epdma_error err;
	struct epdma_ctx *ctx;
	char dev[64];

	copy_fixture();
	add_ep_side("pci-vntb");
	ctx = ctx_on_tmproot();
	ck_assert_int_eq(ep_test_choose_device(ctx, both, 2, "x", dev, sizeof(dev), &err), 0);
	ck_assert_str_eq(dev, "0000:01:00.0");
	ck_assert_int_eq(ep_test_choose_device(ctx, ep_only, 1, "x", dev, sizeof(dev), &err),
			 -ENODEV);
	ck_assert_ptr_nonnull(strstr(err.message, "link"));
	ck_assert_int_eq(ep_test_choose_device(ctx, NULL, 0, "it lists none", dev, sizeof(dev),
					       &err), -ENODEV);
	ck_assert_ptr_nonnull(strstr(err.message, "it lists none"));
	epdma_ctx_free(ctx);
	remove_fixture();

	/* two host-side devices: the caller chooses (-EINVAL: usage) */
	copy_fixture();
	add_ep_side("ntb_hw_epf");
	ctx = ctx_on_tmproot();
	ck_assert_int_eq(ep_test_choose_device(ctx, both, 2, "x", dev, sizeof(dev), &err),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "--device"));
	epdma_ctx_free(ctx);
	remove_fixture();
}
END_TEST

/* The real tree captured in the testbed, the host's side removed as at link down. */
START_TEST(test_run_loopback_capture_link_down)
{
	struct epdma_test_opts opts = { .timeout_ms = 2000 };
	struct epdma_test_report rep;
	struct epdma_error err;
	struct epdma_ctx *ctx;
	char cmd[2600];

	make_tmproot();
	snprintf(cmd, sizeof(cmd), "cp -a '%s/testbed-live/.' '%s/'", TESTBED_FIXTURES_DIR,
		 tmproot);
	ck_assert_int_eq(system(cmd), 0);
	ctx = ctx_on_tmproot();
	rm_path("sys/kernel/debug/ntb_ep_dma/0000:10:00.0");
	rm_path("sys/bus/pci/devices/0000:10:00.0");
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ENODEV);
	ck_assert_msg(strstr(err.message, "0000:20:00.0 (pci-vntb)") && strstr(err.message, "link"),
		      "%s", err.message);
	epdma_ctx_free(ctx);
	remove_fixture();
}
END_TEST

/* The kernel's part when the link goes: its device directory disappears after the write. */
static void *fake_kernel_gone(void *arg)
{
	(void)arg;
	char cmd[1300];

	fake_kernel_wait_run();
	usleep(20000);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", devdir);
	(void)!system(cmd);
	return NULL;
}

/*
 * What ended the run: the kernel's own 5 s limit (last_status -ETIMEDOUT) is not the
 * caller's timeout; a link lost during the run or a device gone is "unavailable", and the
 * run says so at once instead of waiting for the caller's timeout.
 */
START_TEST(test_run_what_ended_it)
{
	struct epdma_test_opts opts = { .device = "0000:01:00.0", .timeout_ms = 10000 };
	struct epdma_test_report rep;
	struct epdma_error err;
	struct epdma_ctx *ctx;
	pthread_t t;

	copy_fixture();
	ctx = ctx_on_tmproot();

	pthread_create(&t, NULL, fake_kernel,
		       (void *)"last_status: -110\npeer_state: ready\nlink_up: 1\n");
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ETIMEDOUT);
	pthread_join(t, NULL);
	ck_assert_int_eq(rep.outcome, EPDMA_TEST_TIMEOUT);
	ck_assert_int_eq(rep.timeout_by, EPDMA_TIMEOUT_KERNEL);
	ck_assert_uint_eq(rep.timeout_ms, EPDMA_NTB_EP_DMA_WAIT_MS);
	ck_assert_uint_lt(rep.duration_us, 5000000);
	ck_assert_msg(strstr(err.message, "kernel") && !strstr(err.message, "10000 ms"), "%s",
		      err.message);

	/*
	 * ... but when the link is down by then, its going was what ended the wait, whether
	 * the kernel's wait expired (-ETIMEDOUT) or it saw the link go (-ENOLINK)
	 */
	static const char *const link_gone[] = {
		"last_status: -110\npeer_state: ready\nlink_up: 0\n",
		"last_status: -67\npeer_state: ready\nlink_up: 0\n",
	};
	for (size_t i = 0; i < sizeof(link_gone) / sizeof(link_gone[0]); i++) {
		write_file("run", "");
		pthread_create(&t, NULL, fake_kernel, (void *)link_gone[i]);
		ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ENOLINK);
		pthread_join(t, NULL);
		ck_assert_int_eq(rep.outcome, EPDMA_TEST_ERROR);
		ck_assert_int_eq(rep.timeout_by, EPDMA_TIMEOUT_NONE);
		ck_assert_msg(strstr(err.message, "link went down"), "%s: %s", link_gone[i],
			      err.message);
	}

	/* the directory goes during the run: -ENODEV now, not after 10 s */
	write_file("run", "");
	pthread_create(&t, NULL, fake_kernel_gone, NULL);
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ENODEV);
	pthread_join(t, NULL);
	ck_assert_int_eq(rep.outcome, EPDMA_TEST_ERROR);
	ck_assert_uint_lt(rep.duration_us, 3000000);
	ck_assert_msg(strstr(err.message, "went away") && strstr(err.message, "link"), "%s",
		      err.message);

	/* ... and the next run on it, named as a --count series names it, says the link too */
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ENODEV);
	ck_assert_ptr_nonnull(strstr(err.message, "link"));

	/* our own limit */
	epdma_ctx_free(ctx);
	remove_fixture();
	copy_fixture();
	ctx = ctx_on_tmproot();
	opts.timeout_ms = 150;
	ck_assert_int_eq(epdma_test_run(ctx, &opts, &rep, &err), -ETIMEDOUT);
	ck_assert_int_eq(rep.timeout_by, EPDMA_TIMEOUT_CALLER);
	ck_assert_uint_eq(rep.timeout_ms, 150);
	epdma_ctx_free(ctx);
	remove_fixture();
}
END_TEST

/*
 * A copied tree has dot files the kernel never shows (".keep" in an empty directory of a
 * captured fixture): they are not devices (E2E-FINDINGS open 5).
 */
START_TEST(status_skips_dot_files)
{
	struct epdma_status *st;
	struct epdma_error err;
	struct epdma_ctx *ctx;
	char p[1400];
	FILE *f;

	copy_fixture();
	snprintf(p, sizeof(p), "%s/sys/bus/ntb/devices/.keep", tmproot);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ctx = ctx_on_tmproot();
	ck_assert_int_eq(epdma_status_read(ctx, &st, &err), 0);
	ck_assert_uint_eq(st->n_ntb, 1);
	ck_assert_str_eq(st->ntb[0].pci_device, "0000:01:00.0");
	epdma_status_free(st);
	epdma_ctx_free(ctx);
	remove_fixture();
}
END_TEST

/* ---- the DMA locator attributes (sysfs-bus-auxiliary-ntb-hw-epf) ------------------------ */

static void write_aux_attr(const char *name, const char *text)
{
	char p[1400];
	FILE *f;

	snprintf(p, sizeof(p), "%s/sys/devices/pci0000:00/0000:00:00.0/0000:01:00.0/"
		 "ntb_hw_epf.ep_dma_v1.0/%s", tmproot, name);
	if (!text) {
		ck_assert_int_eq(unlink(p), 0);
		return;
	}
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Read the status of the copied host-dma tree; *e gets the export's locator. */
static bool read_locator(struct epdma_status_dma_export *e)
{
	struct epdma_ctx *ctx;
	struct epdma_status *st;
	struct epdma_error err;
	bool shown;

	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
	ck_assert_int_eq(epdma_ctx_set_root(ctx, tmproot), 0);
	ck_assert_int_eq(epdma_status_read(ctx, &st, &err), 0);
	ck_assert_uint_eq(st->n_dma_exports, 1);
	/* the rest of the export is reported either way */
	ck_assert_str_eq(st->dma_exports[0].parent, "0000:01:00.0");
	ck_assert_uint_eq(st->dma_exports[0].n_channels, 4);
	shown = st->dma_exports[0].has_locator;
	if (e) {
		e->abi = st->dma_exports[0].abi;
		e->bar = st->dma_exports[0].bar;
		e->offset = st->dma_exports[0].offset;
		e->size = st->dma_exports[0].size;
		e->num_chans = st->dma_exports[0].num_chans;
		e->irq_base = st->dma_exports[0].irq_base;
		e->irq_count = st->dma_exports[0].irq_count;
	}
	epdma_status_free(st);
	epdma_ctx_free(ctx);
	return shown;
}

START_TEST(status_host_locator_attributes)
{
	struct epdma_status_dma_export e;

	copy_fixture();
	ck_assert(!read_locator(NULL));

	/* what ntb_hw_epf shows ("%u") for the cover letter's slice, MSI vectors 28..31 */
	write_aux_attr("dma_abi", "1\n");
	write_aux_attr("dma_bar", "2\n");
	write_aux_attr("dma_offset", "1019904\n");
	write_aux_attr("dma_size", "28672\n");
	write_aux_attr("dma_num_chans", "4\n");
	write_aux_attr("dma_irq_base", "28\n");
	ck_assert(!read_locator(NULL));	/* all or nothing */
	write_aux_attr("dma_irq_count", "4\n");
	ck_assert(read_locator(&e));
	ck_assert_uint_eq(e.abi, 1);
	ck_assert_uint_eq(e.bar, 2);
	ck_assert_uint_eq(e.offset, 0xf9000);
	ck_assert_uint_eq(e.size, 0x7000);
	ck_assert_uint_eq(e.num_chans, 4);
	ck_assert_uint_eq(e.irq_base, 28);
	ck_assert_uint_eq(e.irq_count, 4);

	/* out of range for the u32 it is in the kernel, or not a number: not trusted */
	write_aux_attr("dma_size", "4294967296\n");
	ck_assert(!read_locator(NULL));
	write_aux_attr("dma_size", "28672\n");
	write_aux_attr("dma_bar", "two\n");
	ck_assert(!read_locator(NULL));
	write_aux_attr("dma_bar", "2\n");
	ck_assert(read_locator(NULL));

	/* one missing (an older kernel, or a partial export) */
	write_aux_attr("dma_irq_count", NULL);
	ck_assert(!read_locator(NULL));
	remove_fixture();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, parse_cover_letter);
	tcase_add_test(tc, parse_failure_and_extremes);
	tcase_add_test(tc, parse_rejects);
	suite_add_tcase(s, tc);
	tc = tcase_create("status");
	tcase_add_test(tc, status_host);
	tcase_add_test(tc, status_endpoint);
	tcase_add_test(tc, status_empty_root);
	tcase_add_test(tc, status_host_locator_attributes);
	tcase_add_test(tc, module_states);
	suite_add_tcase(s, tc);
	tc = tcase_create("test-run");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_run_pass_and_fail);
	tcase_add_test(tc, test_run_device_choice);
	tcase_add_test(tc, test_run_choose_device_list);
	tcase_add_test(tc, test_run_loopback_capture_link_down);
	tcase_add_test(tc, status_skips_dot_files);
	tcase_add_test(tc, test_run_what_ended_it);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
