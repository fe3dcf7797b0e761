// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Randomised (fixed seed, reproducible) checks of the apply transaction beyond the seed
 * profile: from a random live state, a random target profile is applied with a failure at a
 * random operation; the tree as configfs shows it must be unchanged. Then the target applies,
 * re-applies with nothing to do, and its export re-applies with nothing to do.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "profile.h"
#include "testutil.h"

#define CTRL	  "e65d0000.pcie-ep"
#define SCENARIOS 300

static struct epdma_ctx *ctx;
static struct ep_fake *fake;
static char tmpdir[] = "/tmp/epdma-rand-XXXXXX";
static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

/* A valid random profile: one vNTB function, optionally a test function. */
static char *random_profile(void)
{
	char da[1024] = "", hdr[256];
	unsigned int n = 1 + rnd(4), len = 0;
	static const char *const sizes[] = { "\"0x1000\"", "\"0x10000\"", "\"0x100000\"", "65536",
					     "\"0xF9000\"" };

	len += (unsigned int)snprintf(da + len, sizeof(da) - len,
				      "\"db_count\":%u,\"spad_count\":%u,\"num_mws\":%u",
				      1 + rnd(32), rnd(4097), n);
	for (unsigned int w = 1; w <= n; w++)
		len += (unsigned int)snprintf(da + len, sizeof(da) - len,
					      ",\"mw%u\":%s,\"mw%u_bar\":%u", w,
					      sizes[rnd(5)], w, w + 1);
	if (rnd(2))
		len += (unsigned int)snprintf(da + len, sizeof(da) - len,
					      ",\"dma_bar\":5,\"dma_offset\":\"0x%x\",\"dma_num_chans\":%u",
					      rnd(2) ? 0x100000 : 0x200000, 1 + rnd(8));
	if (n < 4 && rnd(2))
		len += (unsigned int)snprintf(da + len, sizeof(da) - len, ",\"ctrl_bar\":0");
	if (rnd(2))
		len += (unsigned int)snprintf(da + len, sizeof(da) - len, ",\"db_bar\":1");
	if (rnd(2))
		snprintf(da + len, sizeof(da) - len, ",\"vntb_vid\":\"0x%x\",\"vbus_number\":%u",
			 rnd(0x10000), rnd(256));
	snprintf(hdr, sizeof(hdr), "\"vendorid\":\"0x%04x\",\"msi_interrupts\":%u", rnd(0x10000),
		 1 + rnd(32));
	return ep_strdup_printf(
		"{\"version\":1,\"name\":\"r\",\"controller\":\"" CTRL "\",\"start\":%s,"
		"\"functions\":[{\"name\":\"func1\",\"driver\":\"pci_epf_vntb\",\"attributes\":{%s},"
		"\"driver_attributes\":{%s}}%s]}",
		rnd(2) ? "true" : "false", hdr, da,
		rnd(2) ? ",{\"name\":\"t0\",\"driver\":\"pci_epf_test\",\"attributes\":"
			 "{\"msi_interrupts\":4}}" : "");
}

/* What configfs shows: every readable file, every link, every directory, recursively. */
static void visible(const char *dir, FILE *out)
{
	struct ep_backend *b = ep_fake_backend(fake);
	struct ep_dirent *ents = NULL;
	size_t n = 0;

	if (b->ops->list(b, dir, &ents, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char p[1024], v[512];

		snprintf(p, sizeof(p), "%s%s%s", dir, dir[0] ? "/" : "", ents[i].name);
		if (ents[i].type == EP_NODE_DIR) {
			fprintf(out, "d %s\n", p);
			visible(p, out);
		} else if (ents[i].type == EP_NODE_LINK) {
			b->ops->readlink(b, p, v, sizeof(v));
			fprintf(out, "l %s -> %s\n", p, v);
		} else if (b->ops->read(b, p, v, sizeof(v)) >= 0) {
			fprintf(out, "f %s = %s\n", p, v);
		} else {
			fprintf(out, "f %s unreadable\n", p);
		}
	}
	free(ents);
}

static char *snapshot(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	visible("", m);
	fclose(m);
	return buf;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

START_TEST(test_random_rollback)
{
	unsigned int failures_injected = 0, rebinds = 0;

	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	for (unsigned int s = 0; s < SCENARIOS; s++) {
		char *a = random_profile(), *bjson = random_profile(), *before, *after, *text = NULL;
		struct epdma_profile *pa, *pb, *pe;
		struct epdma_plan *plan = NULL;
		struct epdma_apply_report rep;
		struct epdma_error err;
		size_t n;

		ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
		ck_assert_int_eq(epdma_ctx_set_root(ctx, tmpdir), 0);
		ck_assert_int_eq(ep_fake_new(ctx, &fake), 0);
		ep_fake_install(fake);
		ep_fake_set_subgroup_delay(fake, rnd(4));
		ck_assert_int_eq(ep_fake_add_controller(fake, CTRL), 0);
		pa = load_ok(ctx, a);
		pb = load_ok(ctx, bjson);
		if (rnd(4))	/* mostly from a live state, sometimes from scratch */
			ck_assert_msg(epdma_profile_apply(ctx, pa, 0, NULL, &err) == 0,
				      "scenario %u: %s", s, err.message);

		ck_assert_int_eq(epdma_plan_new(ctx, pb, &plan, NULL), 0);
		n = epdma_plan_count(plan);
		for (size_t i = 0; i < n; i++)
			rebinds += epdma_plan_op(plan, i)->type == EPDMA_OP_UNLINK;
		epdma_plan_free(plan);
		if (n) {
			unsigned int k = 1 + rnd((unsigned int)n);

			before = snapshot();
			ep_fake_fail_at(fake, k, rnd(2) ? -EIO : -EINVAL);
			ck_assert_int_lt(epdma_profile_apply(ctx, pb, 0, &rep, &err), 0);
			ck_assert_msg(rep.rolled_back, "scenario %u op %u: %s", s, k, err.message);
			after = snapshot();
			ck_assert_msg(!strcmp(before, after),
				      "scenario %u, failure at op %u of %zu:\n%s\n%s\n--- before\n%s"
				      "--- after\n%s", s, k, n, a, bjson, before, after);
			ck_assert_uint_eq(ep_fake_warnings(fake), 0);
			free(before);
			free(after);
			ep_fake_fail_at(fake, 0, 0);
			failures_injected++;
		}
		ck_assert_msg(epdma_profile_apply(ctx, pb, 0, &rep, &err) == 0, "scenario %u: %s",
			      s, err.message);
		ck_assert_uint_eq(ep_fake_warnings(fake), 0);
		ck_assert_int_eq(epdma_plan_new(ctx, pb, &plan, NULL), 0);
		ck_assert_msg(epdma_plan_count(plan) == 0, "scenario %u: not idempotent", s);
		epdma_plan_free(plan);
		ck_assert_int_eq(epdma_export(ctx, NULL, "func1", false, &text, &err), 0);
		pe = load_ok(ctx, text);
		ck_assert_int_eq(epdma_plan_new(ctx, pe, &plan, NULL), 0);
		ck_assert_msg(epdma_plan_count(plan) == 0, "scenario %u: export does not round-trip:"
			      " %s", s, text);
		epdma_plan_free(plan);
		free(text);
		epdma_profile_free(pa);
		epdma_profile_free(pb);
		epdma_profile_free(pe);
		free(a);
		free(bjson);
		epdma_ctx_free(ctx);
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		ck_assert_ptr_nonnull(mkdtemp(strcpy(tmpdir, "/tmp/epdma-rand-XXXXXX")));
	}
	/* the scenarios must actually exercise failures and rebinds, or they prove little */
	ck_assert_uint_gt(failures_injected, SCENARIOS / 2);
	ck_assert_uint_gt(rebinds, SCENARIOS / 4);
	rmdir(tmpdir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("random");
	TCase *tc = tcase_create("rollback");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_random_rollback);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
