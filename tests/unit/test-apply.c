// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Plan, apply, rollback, export, diff and clear over the fake configfs model. The central
 * property: a failure injected at any operation of an apply leaves the tree byte-identical.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "profile.h"
#include "testutil.h"

#define CTRL "e65d0000.pcie-ep"

static struct epdma_ctx *ctx;
static struct ep_fake *fake;
static char tmpdir[] = "/tmp/epdma-unit-XXXXXX";

static char *seed_json;

static char *read_example(const char *name)
{
	char path[1024];
	FILE *f;
	char *buf = calloc(1, 65536);
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", EXAMPLES_DIR, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
	ck_assert_int_eq(epdma_ctx_set_root(ctx, tmpdir), 0);
	ck_assert_int_eq(ep_fake_new(ctx, &fake), 0);
	ep_fake_install(fake);
	ck_assert_int_eq(ep_fake_add_controller(fake, CTRL), 0);
	ck_assert_int_eq(ep_fake_add_controller(fake, "other-ep"), 0);
	seed_json = read_example("rcar-s4-vntb-dma.json");
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void teardown(void)
{
	epdma_ctx_free(ctx);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	strcpy(tmpdir, "/tmp/epdma-unit-XXXXXX");
	free(seed_json);
}

static char *snapshot(void)
{
	char *s = NULL;

	ck_assert_int_eq(ep_fake_snapshot(fake, &s), 0);
	return s;
}

static void read_live(const char *path, char *buf, size_t size)
{
	struct ep_backend *b = ep_fake_backend(fake);

	ck_assert_msg(b->ops->read(b, path, buf, size) >= 0, "cannot read %s", path);
}

static int apply(struct epdma_profile *p, struct epdma_apply_report *rep, struct epdma_error *err)
{
	return epdma_profile_apply(ctx, p, 0, rep, err);
}

static size_t find_op(const struct epdma_plan *plan, enum epdma_op_type t, const char *suffix)
{
	for (size_t i = 0; i < epdma_plan_count(plan); i++) {
		const struct epdma_op *op = epdma_plan_op(plan, i);
		size_t l = strlen(op->path), sl = strlen(suffix);

		if (op->type == t && l >= sl && !strcmp(op->path + l - sl, suffix))
			return i;
	}
	ck_abort_msg("no %s op ending in %s", epdma_op_type_name(t), suffix);
	return 0;
}

START_TEST(test_plan_order_fresh_tree)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct epdma_plan *plan = NULL;
	size_t n, link, num_mws;

	ck_assert_int_eq(epdma_plan_new(ctx, p, &plan, NULL), 0);
	n = epdma_plan_count(plan);
	/* mkdir, 3 header writes, 13 driver writes, link, start */
	ck_assert_uint_eq(n, 19);
	ck_assert_int_eq(epdma_plan_op(plan, 0)->type, EPDMA_OP_MKDIR);
	ck_assert_str_eq(epdma_plan_op(plan, 0)->path, "functions/pci_epf_vntb/func1");
	ck_assert_str_eq(epdma_plan_op(plan, 4)->path,
			 "functions/pci_epf_vntb/func1/pci_epf_vntb.*/db_count");
	num_mws = find_op(plan, EPDMA_OP_WRITE, "/num_mws");
	ck_assert_uint_lt(num_mws, find_op(plan, EPDMA_OP_WRITE, "/mw1"));
	ck_assert_uint_lt(num_mws, find_op(plan, EPDMA_OP_WRITE, "/mw1_bar"));
	link = find_op(plan, EPDMA_OP_LINK, "/func1");
	ck_assert_str_eq(epdma_plan_op(plan, link)->path, "controllers/" CTRL "/func1");
	ck_assert_str_eq(epdma_plan_op(plan, link)->value, "functions/pci_epf_vntb/func1");
	for (size_t i = 0; i < link; i++)
		ck_assert_int_ne(epdma_plan_op(plan, i)->type, EPDMA_OP_LINK);
	ck_assert_uint_eq(link, n - 2);
	ck_assert_str_eq(epdma_plan_op(plan, n - 1)->path, "controllers/" CTRL "/start");
	ck_assert_str_eq(epdma_plan_op(plan, n - 1)->value, "1");
	epdma_plan_free(plan);
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_apply_then_reapply_writes_nothing)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct epdma_apply_report rep;
	struct epdma_error err;
	char v[64];
	unsigned int m;

	ck_assert_int_eq(apply(p, &rep, &err), 0);
	ck_assert_uint_eq(rep.ops_done, 19);
	read_live("functions/pci_epf_vntb/func1/vendorid", v, sizeof(v));
	ck_assert_str_eq(v, "0x1912");
	read_live("functions/pci_epf_vntb/func1/pci_epf_vntb.0/mw1", v, sizeof(v));
	ck_assert_str_eq(v, "1019904");
	read_live("functions/pci_epf_vntb/func1/pci_epf_vntb.0/dma_bar", v, sizeof(v));
	ck_assert_str_eq(v, "2");
	read_live("controllers/" CTRL "/start", v, sizeof(v));
	ck_assert_str_eq(v, "1");
	ck_assert_uint_eq(ep_fake_warnings(fake), 0);

	m = ep_fake_mutations(fake);
	ck_assert_int_eq(apply(p, &rep, &err), 0);
	ck_assert_uint_eq(rep.ops_total, 0);
	ck_assert_uint_eq(ep_fake_mutations(fake), m);
	epdma_profile_free(p);
}
END_TEST

/* The central promise, checked at every operation index of the seed profile. */
START_TEST(test_failure_at_every_operation_rolls_back)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct epdma_plan *plan = NULL;
	size_t n;

	ck_assert_int_eq(epdma_plan_new(ctx, p, &plan, NULL), 0);
	n = epdma_plan_count(plan);
	epdma_plan_free(plan);
	for (unsigned int k = 1; k <= n; k++) {
		struct epdma_apply_report rep;
		struct epdma_error err;
		char *before = snapshot(), *after;
		int r;

		ep_fake_fail_at(fake, k, -EIO);
		r = apply(p, &rep, &err);
		ck_assert_msg(r == -EIO, "op %u: apply returned %d", k, r);
		ck_assert_int_eq(rep.failed_op, (long)k - 1);
		ck_assert_msg(rep.rolled_back, "op %u: rollback incomplete: %s", k, err.message);
		ck_assert_str_eq(err.rule, "kernel");
		after = snapshot();
		ck_assert_msg(!strcmp(before, after), "op %u: tree changed:\n--- before\n%s--- after\n%s",
			      k, before, after);
		ck_assert_uint_eq(ep_fake_warnings(fake), 0);
		free(before);
		free(after);
	}
	ep_fake_fail_at(fake, 0, 0);
	ck_assert_int_eq(apply(p, NULL, NULL), 0);
	epdma_profile_free(p);
}
END_TEST

/* Reconfiguring a live, started function: stop, unlink, write, relink, start; and rollback
 * of that (old values restored, relinked, restarted) at every operation index. */
START_TEST(test_reconfigure_live_function_rolls_back)
{
	struct epdma_profile *p = load_ok(ctx, seed_json), *q;
	struct epdma_plan *plan = NULL;
	char *changed = strdup(seed_json);
	size_t n;

	ck_assert_int_eq(apply(p, NULL, NULL), 0);
	/* same function, other doorbell count and vendor id */
	memcpy(strstr(changed, "\"db_count\": 16"), "\"db_count\": 32", 14);
	memcpy(strstr(changed, "\"0x1912\""), "\"0x1913\"", 8);
	q = load_ok(ctx, changed);
	ck_assert_int_eq(epdma_plan_new(ctx, q, &plan, NULL), 0);
	n = epdma_plan_count(plan);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(epdma_plan_op(plan, 0)->path, "controllers/" CTRL "/start");
	ck_assert_str_eq(epdma_plan_op(plan, 0)->value, "0");
	ck_assert_int_eq(epdma_plan_op(plan, 1)->type, EPDMA_OP_UNLINK);
	ck_assert_str_eq(epdma_plan_op(plan, 2)->old, "0x1912");
	ck_assert_str_eq(epdma_plan_op(plan, 3)->path,
			 "functions/pci_epf_vntb/func1/pci_epf_vntb.0/db_count");
	ck_assert_str_eq(epdma_plan_op(plan, 3)->old, "16");
	ck_assert_int_eq(epdma_plan_op(plan, 4)->type, EPDMA_OP_LINK);
	ck_assert_str_eq(epdma_plan_op(plan, 5)->value, "1");
	epdma_plan_free(plan);

	for (unsigned int k = 1; k <= n; k++) {
		struct epdma_apply_report rep;
		char *before = snapshot(), *after;

		ep_fake_fail_at(fake, k, -EINVAL);
		ck_assert_int_eq(apply(q, &rep, NULL), -EINVAL);
		ck_assert(rep.rolled_back);
		after = snapshot();
		ck_assert_msg(!strcmp(before, after), "op %u: tree changed:\n%s\n---\n%s", k,
			      before, after);
		free(before);
		free(after);
	}
	ep_fake_fail_at(fake, 0, 0);
	ck_assert_int_eq(apply(q, NULL, NULL), 0);
	ck_assert_uint_eq(ep_fake_warnings(fake), 0);
	free(changed);
	epdma_profile_free(p);
	epdma_profile_free(q);
}
END_TEST

START_TEST(test_new_function_on_started_controller)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	char *second = read_example("pci-epf-test.json");
	struct epdma_profile *q = load_ok(ctx, second);
	struct epdma_plan *plan = NULL;
	size_t n;

	ck_assert_int_eq(apply(p, NULL, NULL), 0);
	ck_assert_int_eq(epdma_plan_new(ctx, q, &plan, NULL), 0);
	n = epdma_plan_count(plan);
	ck_assert_str_eq(epdma_plan_op(plan, 0)->path, "controllers/" CTRL "/start");
	ck_assert_str_eq(epdma_plan_op(plan, 0)->value, "0");
	ck_assert_int_eq(epdma_plan_op(plan, n - 2)->type, EPDMA_OP_LINK);
	ck_assert_str_eq(epdma_plan_op(plan, n - 1)->value, "1");
	epdma_plan_free(plan);
	ck_assert_int_eq(apply(q, NULL, NULL), 0);
	ck_assert_uint_eq(ep_fake_warnings(fake), 0);
	free(second);
	epdma_profile_free(p);
	epdma_profile_free(q);
}
END_TEST

START_TEST(test_start_failure_message)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct epdma_apply_report rep;
	struct epdma_error err;
	char *before = snapshot(), *after;

	ep_fake_fail_start(fake, -EINVAL);
	ck_assert_int_eq(apply(p, &rep, &err), -EINVAL);
	ck_assert_str_eq(err.message,
			 "operation 19 of 19 failed: write \"1\" to controllers/" CTRL "/start: "
			 "Invalid argument; rolled back 18 operation(s), the tree is as before");
	ck_assert_str_eq(err.path, "controllers/" CTRL "/start");
	after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_late_subgroup)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct epdma_error err;

	ep_fake_set_subgroup_delay(fake, 7);
	ck_assert_int_eq(apply(p, NULL, &err), 0);
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_subgroup_never_appears)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct epdma_apply_report rep;
	struct epdma_error err;
	char *before = snapshot(), *after;

	ep_fake_set_subgroup_delay(fake, 1000000);
	epdma_ctx_set_subgroup_timeout_ms(ctx, 30);
	ck_assert_int_eq(apply(p, &rep, &err), -ETIMEDOUT);
	ck_assert_str_eq(err.rule, "subgroup");
	ck_assert(rep.rolled_back);
	after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_fake_kernel_rules)
{
	struct ep_backend *b = ep_fake_backend(fake);
	char v[64];

	ep_fake_set_subgroup_delay(fake, 0);
	ck_assert_int_eq(b->ops->mkdir(b, "functions/pci_epf_test/t0"), 0);
	ck_assert_int_eq(b->ops->mkdir(b, "functions/pci_epf_test/t0"), -EEXIST);
	ck_assert_int_eq(b->ops->mkdir(b, "controllers/x"), -EPERM);
	ck_assert_int_eq(b->ops->write(b, "functions/pci_epf_test/t0/msi_interrupts", "256"), -EINVAL);
	ck_assert_int_eq(b->ops->write(b, "functions/pci_epf_test/t0/vendorid", "0x1234"), 0);
	read_live("functions/pci_epf_test/t0/vendorid", v, sizeof(v));
	ck_assert_str_eq(v, "0x1234");
	ck_assert_int_eq(b->ops->symlink(b, "functions/pci_epf_test/t0", "controllers/" CTRL "/t0"), 0);
	ck_assert_int_eq(b->ops->symlink(b, "functions/pci_epf_test/t0", "controllers/other-ep/t0"),
			 -EBUSY);
	ck_assert_int_eq(b->ops->rmdir(b, "functions/pci_epf_test/t0"), -EBUSY);
	ck_assert_int_eq(b->ops->write(b, "controllers/" CTRL "/start", "0"), -EALREADY);
	ck_assert_int_eq(b->ops->mkdir(b, "functions/pci_epf_vntb/v0"), 0);
	ck_assert_int_eq(b->ops->write(b, "functions/pci_epf_vntb/v0/pci_epf_vntb.1/mw1", "4096"),
			 -EINVAL);
	ck_assert_int_eq(b->ops->write(b, "functions/pci_epf_vntb/v0/pci_epf_vntb.1/num_mws", "5"),
			 -EINVAL);
	ck_assert_int_eq(b->ops->unlink(b, "controllers/" CTRL "/t0"), 0);
	ck_assert_int_eq(b->ops->rmdir(b, "functions/pci_epf_test/t0"), 0);
}
END_TEST

START_TEST(test_lock_serialises_applies)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct epdma_error err;
	int fd = -1;

	ck_assert_int_eq(ep_lock_apply(ctx, &fd, NULL), 0);
	/* flock locks belong to the open file description: a second open conflicts */
	ck_assert_int_eq(apply(p, NULL, &err), -EBUSY);
	ck_assert_str_eq(err.rule, "lock");
	ck_assert_int_eq(epdma_exit_code(-EBUSY), EPDMA_EXIT_TEMPFAIL);
	close(fd);
	ck_assert_int_eq(apply(p, NULL, &err), 0);
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_dry_run_changes_nothing)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct epdma_apply_report rep;

	ck_assert_int_eq(epdma_profile_apply(ctx, p, EPDMA_APPLY_DRY_RUN, &rep, NULL), 0);
	ck_assert_uint_eq(rep.ops_total, 19);
	ck_assert_uint_eq(rep.ops_done, 0);
	ck_assert_uint_eq(ep_fake_mutations(fake), 0);
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_refuses_function_bound_elsewhere)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct ep_backend *b = ep_fake_backend(fake);
	struct epdma_error err;
	struct epdma_plan *plan = NULL;

	ep_fake_set_subgroup_delay(fake, 0);
	ck_assert_int_eq(b->ops->mkdir(b, "functions/pci_epf_vntb/func1"), 0);
	ck_assert_int_eq(b->ops->symlink(b, "functions/pci_epf_vntb/func1", "controllers/other-ep/func1"), 0);
	ck_assert_int_eq(epdma_plan_new(ctx, p, &plan, &err), -EBUSY);
	ck_assert_str_eq(err.message, "function \"func1\" is bound to controller \"other-ep\"; clear it first");
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_missing_controller_and_driver)
{
	struct epdma_profile *p = load_ok(ctx,
		"{\"version\":1,\"name\":\"p\",\"controller\":\"nope\",\"functions\":[{\"name\":\"f\","
		"\"driver\":\"pci_epf_test\"}]}");
	struct epdma_profile *q = load_ok(ctx,
		"{\"version\":1,\"name\":\"p\",\"controller\":\"" CTRL "\",\"functions\":[{\"name\":\"f\","
		"\"driver\":\"pci_epf_missing\"}]}");
	struct epdma_error err;

	ck_assert_int_eq(apply(p, NULL, &err), -ENODEV);
	ck_assert_str_eq(err.message, "endpoint controller \"nope\" not found (present: "
			 CTRL ", other-ep)");
	ck_assert_int_eq(epdma_exit_code(-ENODEV), EPDMA_EXIT_UNAVAILABLE);
	ck_assert_int_eq(apply(q, NULL, &err), -ENODEV);
	ck_assert_str_eq(err.pointer, "/functions/0/driver");
	epdma_profile_free(p);
	epdma_profile_free(q);
}
END_TEST

START_TEST(test_export_round_trips)
{
	struct epdma_profile *p = load_ok(ctx, seed_json), *q;
	struct epdma_plan *plan = NULL;
	char *text = NULL;

	ck_assert_int_eq(apply(p, NULL, NULL), 0);
	ck_assert_int_eq(epdma_export(ctx, NULL, NULL, true, &text, NULL), 0);
	q = load_ok(ctx, text);
	ck_assert_str_eq(epdma_profile_get_controller(q), CTRL);
	ck_assert(epdma_profile_get_start(q));
	ck_assert_int_eq(epdma_plan_new(ctx, q, &plan, NULL), 0);
	ck_assert_uint_eq(epdma_plan_count(plan), 0);
	ck_assert_msg(strstr(text, "\"mw1\": \"0xf9000\""), "%s", text);
	epdma_plan_free(plan);
	free(text);

	/* applying the export on an empty tree rebuilds the same tree */
	{
		char *s1 = snapshot(), *s2;

		ck_assert_int_eq(epdma_clear(ctx, "rcar-s4-vntb-dma", NULL, NULL), 0);
		ck_assert_int_eq(apply(q, NULL, NULL), 0);
		s2 = snapshot();
		ck_assert_str_eq(s1, s2);
		free(s1);
		free(s2);
	}
	epdma_profile_free(p);
	epdma_profile_free(q);
}
END_TEST

START_TEST(test_export_unknown_driver_and_function_filter)
{
	struct epdma_profile *p = load_ok(ctx,
		"{\"version\":1,\"name\":\"two\",\"controller\":\"" CTRL "\",\"functions\":["
		"{\"name\":\"c0\",\"driver\":\"pci_epf_custom\",\"driver_attributes\":{\"mode\":\"fast lane\"}},"
		"{\"name\":\"t0\",\"driver\":\"pci_epf_test\",\"attributes\":{\"msi_interrupts\":4}}]}");
	struct epdma_error err;
	char *text = NULL;

	ck_assert_int_eq(apply(p, NULL, &err), 0);
	ck_assert_int_eq(epdma_export(ctx, NULL, "c0", false, &text, NULL), 0);
	ck_assert_msg(strstr(text, "\"driver_attributes\":{\"mode\":\"fast lane\"}"), "%s", text);
	ck_assert_ptr_null(strstr(text, "t0"));
	ck_assert_ptr_null(strstr(text, "\"label\""));	/* empty values are left out */
	free(text);
	ck_assert_int_eq(epdma_export(ctx, NULL, "nope", false, &text, &err), -ENOENT);
	ck_assert_str_eq(err.message, "no function named \"nope\"");
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_diff_reports_changes_and_extras)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct ep_backend *b = ep_fake_backend(fake);
	struct epdma_diff *d = NULL;
	const struct epdma_diff_entry *e;

	ck_assert_int_eq(epdma_diff_new(ctx, p, &d, NULL), 0);
	ck_assert_uint_eq(epdma_diff_count(d), 19);
	ck_assert_int_eq(epdma_diff_entry(d, 0)->kind, EPDMA_DIFF_MISSING);
	epdma_diff_free(d);

	ck_assert_int_eq(apply(p, NULL, NULL), 0);
	ck_assert_int_eq(b->ops->write(b, "functions/pci_epf_vntb/func1/pci_epf_vntb.0/spad_count", "64"), 0);
	ck_assert_int_eq(b->ops->mkdir(b, "functions/pci_epf_test/stray"), 0);
	ck_assert_int_eq(b->ops->symlink(b, "functions/pci_epf_test/stray", "controllers/" CTRL "/stray"), 0);
	ck_assert_int_eq(epdma_diff_new(ctx, p, &d, NULL), 0);
	/* the restart around the rebind and the relink are not differences */
	ck_assert_uint_eq(epdma_diff_count(d), 2);
	e = epdma_diff_entry(d, 0);
	ck_assert_int_eq(e->kind, EPDMA_DIFF_CHANGED);
	ck_assert_str_eq(e->path, "functions/pci_epf_vntb/func1/pci_epf_vntb.0/spad_count");
	ck_assert_str_eq(e->live, "64");
	ck_assert_str_eq(e->desired, "128");
	e = epdma_diff_entry(d, 1);
	ck_assert_int_eq(e->kind, EPDMA_DIFF_EXTRA);
	ck_assert_str_eq(e->path, "controllers/" CTRL "/stray");
	epdma_diff_free(d);
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_clear_in_safe_order)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	struct epdma_error err;
	char *pristine = snapshot(), *after;
	size_t ops = 0;

	ck_assert_int_eq(apply(p, NULL, NULL), 0);
	ck_assert_int_eq(epdma_clear(ctx, "rcar-s4-vntb-dma", &ops, &err), 0);
	ck_assert_uint_eq(ops, 3);	/* start=0, unlink, rmdir */
	ck_assert_uint_eq(ep_fake_warnings(fake), 0);
	after = snapshot();
	ck_assert_str_eq(pristine, after);
	free(after);
	ck_assert_int_eq(epdma_clear(ctx, "rcar-s4-vntb-dma", &ops, &err), -ENOENT);
	ck_assert_str_eq(err.message, "no applied profile and no function named \"rcar-s4-vntb-dma\"");
	/* by function name, without a recorded profile */
	ck_assert_int_eq(apply(p, NULL, NULL), 0);
	ck_assert_int_eq(epdma_clear(ctx, "func1", &ops, &err), 0);
	ck_assert_uint_eq(ops, 3);
	ck_assert_int_eq(epdma_clear(ctx, "../x", &ops, &err), -EINVAL);
	free(pristine);
	epdma_profile_free(p);
}
END_TEST

/* clearing one profile restarts the controller for the other one still bound to it */
START_TEST(test_clear_keeps_other_profile_running)
{
	struct epdma_profile *p = load_ok(ctx, seed_json);
	char *second = read_example("pci-epf-test.json");
	struct epdma_profile *q = load_ok(ctx, second);
	size_t ops = 0;
	char v[16];

	ck_assert_int_eq(apply(p, NULL, NULL), 0);
	ck_assert_int_eq(apply(q, NULL, NULL), 0);
	ck_assert_int_eq(epdma_clear(ctx, "epf-test", &ops, NULL), 0);
	ck_assert_uint_eq(ops, 4);	/* start=0, unlink, rmdir, start=1 */
	read_live("controllers/" CTRL "/start", v, sizeof(v));
	ck_assert_str_eq(v, "1");
	ck_assert_uint_eq(ep_fake_warnings(fake), 0);
	ck_assert_int_eq(epdma_clear(ctx, "rcar-s4-vntb-dma", &ops, NULL), 0);
	ck_assert_uint_eq(ops, 3);
	read_live("controllers/" CTRL "/start", v, sizeof(v));
	ck_assert_str_eq(v, "0");
	free(second);
	epdma_profile_free(p);
	epdma_profile_free(q);
}
END_TEST

START_TEST(test_host_profile_not_applied)
{
	struct epdma_profile *p = load_ok(ctx,
		"{\"version\":1,\"name\":\"h\",\"role\":\"host\",\"match\":{\"vendor\":\"0x1912\",\"device\":\"0x0030\"}}");
	struct epdma_error err;

	ck_assert_int_eq(apply(p, NULL, &err), -EINVAL);
	ck_assert_str_eq(err.rule, "role");
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_state_file_persists)
{
	char state[1100];
	struct epdma_ctx *c2;
	struct epdma_profile *p;
	char *text = NULL;

	snprintf(state, sizeof(state), "%s/fake.json", tmpdir);
	ck_assert_int_eq(epdma_ctx_use_fake_configfs(ctx, state), 0);
	ck_assert(epdma_ctx_is_fake(ctx));
	p = load_ok(ctx, seed_json);
	ck_assert_int_eq(apply(p, NULL, NULL), 0);
	ck_assert_int_eq(epdma_ctx_new(&c2), 0);
	ck_assert_int_eq(epdma_ctx_set_root(c2, tmpdir), 0);
	ck_assert_int_eq(epdma_ctx_use_fake_configfs(c2, state), 0);
	ck_assert_int_eq(epdma_export(c2, CTRL, NULL, false, &text, NULL), 0);
	ck_assert_msg(strstr(text, "\"db_count\":16"), "%s", text);
	free(text);
	epdma_ctx_free(c2);
	epdma_profile_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("apply");
	TCase *tc = tcase_create("fake-configfs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plan_order_fresh_tree);
	tcase_add_test(tc, test_apply_then_reapply_writes_nothing);
	tcase_add_test(tc, test_failure_at_every_operation_rolls_back);
	tcase_add_test(tc, test_reconfigure_live_function_rolls_back);
	tcase_add_test(tc, test_new_function_on_started_controller);
	tcase_add_test(tc, test_start_failure_message);
	tcase_add_test(tc, test_late_subgroup);
	tcase_add_test(tc, test_subgroup_never_appears);
	tcase_add_test(tc, test_fake_kernel_rules);
	tcase_add_test(tc, test_lock_serialises_applies);
	tcase_add_test(tc, test_dry_run_changes_nothing);
	tcase_add_test(tc, test_refuses_function_bound_elsewhere);
	tcase_add_test(tc, test_missing_controller_and_driver);
	tcase_add_test(tc, test_export_round_trips);
	tcase_add_test(tc, test_export_unknown_driver_and_function_filter);
	tcase_add_test(tc, test_diff_reports_changes_and_extras);
	tcase_add_test(tc, test_clear_in_safe_order);
	tcase_add_test(tc, test_clear_keeps_other_profile_running);
	tcase_add_test(tc, test_host_profile_not_applied);
	tcase_add_test(tc, test_state_file_persists);
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
