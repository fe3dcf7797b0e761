// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The real-filesystem backend under a prefix (what --root and EPDMA_ROOT do): paths built
 * under the root, symlinks as configfs makes them, readlink normalised back to pci_ep
 * relative paths, and apply/re-apply/export on a tree whose function already exists.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "profile.h"
#include "testutil.h"

static struct epdma_ctx *ctx;
static char tmpdir[] = "/tmp/epdma-fs-XXXXXX";
static char pci_ep[1100];

static void put(const char *rel, const char *content)
{
	char p[1400];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", pci_ep, rel);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static void get(const char *rel, char *buf, size_t size)
{
	char p[1400];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", pci_ep, rel);
	f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void mk(const char *rel)
{
	char p[1400];

	snprintf(p, sizeof(p), "%s/%s", pci_ep, rel);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
	ck_assert_int_eq(epdma_ctx_set_root(ctx, tmpdir), 0);
	ck_assert_str_eq(epdma_ctx_get_root(ctx), tmpdir);
	snprintf(pci_ep, sizeof(pci_ep), "%s", epdma_ctx_get_pci_ep_root(ctx));
	{
		char p[3000];

		snprintf(p, sizeof(p), "mkdir -p %s/functions/pci_epf_test/t0 %s/controllers/c0",
			 pci_ep, pci_ep);
		ck_assert_int_eq(system(p), 0);
	}
	put("controllers/c0/start", "0\n");
	put("functions/pci_epf_test/t0/vendorid", "0x0000\n");
	put("functions/pci_epf_test/t0/msi_interrupts", "0\n");
	mk("functions/pci_epf_test/t0/primary");
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void teardown(void)
{
	epdma_ctx_free(ctx);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	strcpy(tmpdir, "/tmp/epdma-fs-XXXXXX");
}

static const char *profile =
	"{\"version\":1,\"name\":\"fs\",\"controller\":\"c0\",\"start\":true,\"functions\":["
	"{\"name\":\"t0\",\"driver\":\"pci_epf_test\","
	"\"attributes\":{\"vendorid\":\"0x104c\",\"msi_interrupts\":4}}]}";

START_TEST(test_roots)
{
	char want[1200];

	snprintf(want, sizeof(want), "%s/sys/kernel/config/pci_ep", tmpdir);
	ck_assert_str_eq(epdma_ctx_get_pci_ep_root(ctx), want);
	snprintf(want, sizeof(want), "%s/sys/kernel/debug", tmpdir);
	ck_assert_str_eq(epdma_ctx_get_debugfs_root(ctx), want);
	snprintf(want, sizeof(want), "%s/run/epdma", tmpdir);
	ck_assert_str_eq(epdma_ctx_get_run_dir(ctx), want);
	ck_assert_int_eq(epdma_ctx_set_sysfs_root(ctx, "relative"), -EINVAL);
}
END_TEST

START_TEST(test_apply_on_real_files)
{
	struct epdma_profile *p = load_ok(ctx, profile);
	struct epdma_plan *plan = NULL;
	struct epdma_apply_report rep;
	struct epdma_error err;
	char buf[1400], lt[1400];
	ssize_t n;

	ck_assert_int_eq(epdma_plan_new(ctx, p, &plan, &err), 0);
	ck_assert_uint_eq(epdma_plan_count(plan), 4);
	ck_assert_str_eq(epdma_plan_op(plan, 0)->old, "0x0000");
	epdma_plan_free(plan);

	ck_assert_msg(epdma_profile_apply(ctx, p, 0, &rep, &err) == 0, "%s", err.message);
	get("functions/pci_epf_test/t0/vendorid", buf, sizeof(buf));
	ck_assert_str_eq(buf, "0x104c");
	get("controllers/c0/start", buf, sizeof(buf));
	ck_assert_str_eq(buf, "1");
	/* configfs links are made with an absolute target inside the tree */
	snprintf(buf, sizeof(buf), "%s/controllers/c0/t0", pci_ep);
	n = readlink(buf, lt, sizeof(lt) - 1);
	ck_assert_int_gt(n, 0);
	lt[n] = '\0';
	snprintf(buf, sizeof(buf), "%s/functions/pci_epf_test/t0", pci_ep);
	ck_assert_str_eq(lt, buf);

	/* live now: nothing to do, and the link is recognised as the binding */
	ck_assert_int_eq(epdma_plan_new(ctx, p, &plan, &err), 0);
	ck_assert_uint_eq(epdma_plan_count(plan), 0);
	epdma_plan_free(plan);
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_relative_link_and_export)
{
	struct epdma_error err;
	char p[1400];
	char *text = NULL;

	/* the kernel reports links relative to the link's directory */
	snprintf(p, sizeof(p), "%s/controllers/c0/t0", pci_ep);
	ck_assert_int_eq(symlink("../../functions/pci_epf_test/t0", p), 0);
	put("functions/pci_epf_test/t0/msi_interrupts", "8\n");
	ck_assert_msg(epdma_export(ctx, NULL, NULL, false, &text, &err) == 0, "%s", err.message);
	ck_assert_str_eq(text, "{\"version\":1,\"name\":\"c0\",\"role\":\"endpoint\",\"controller\":"
			       "\"c0\",\"functions\":[{\"name\":\"t0\",\"driver\":\"pci_epf_test\","
			       "\"attributes\":{\"vendorid\":\"0x0000\",\"msi_interrupts\":8}}],"
			       "\"start\":false}");
	free(text);
}
END_TEST

START_TEST(test_missing_attribute_hint)
{
	struct epdma_profile *p = load_ok(ctx,
		"{\"version\":1,\"name\":\"fs\",\"controller\":\"c0\",\"functions\":["
		"{\"name\":\"t0\",\"driver\":\"pci_epf_test\",\"attributes\":{\"revid\":1}}]}");
	struct epdma_error err;
	char buf[64];

	/* an older kernel: the attribute file does not exist */
	ck_assert_int_eq(epdma_profile_apply(ctx, p, 0, NULL, &err), -ENOENT);
	ck_assert_str_eq(err.message, "operation 1 of 2 failed: write \"1\" to "
			 "functions/pci_epf_test/t0/revid: No such file or directory (this kernel "
			 "has no such attribute); rolled back 0 operation(s), the tree is as before");
	get("controllers/c0/start", buf, sizeof(buf));
	ck_assert_str_eq(buf, "0\n");
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_no_configfs)
{
	struct epdma_profile *p = load_ok(ctx, profile);
	struct epdma_error err;
	struct epdma_plan *plan = NULL;

	ck_assert_int_eq(epdma_ctx_set_root(ctx, "/nonexistent-epdma-root"), 0);
	ck_assert_int_eq(epdma_profile_apply(ctx, p, 0, NULL, &err), -ENODEV);
	ck_assert_str_eq(err.rule, "configfs");
	/* plan still shows what would be done from scratch */
	ck_assert_int_eq(epdma_plan_new(ctx, p, &plan, &err), 0);
	ck_assert_uint_eq(epdma_plan_count(plan), 5);
	epdma_plan_free(plan);
	epdma_profile_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("backend-fs");
	TCase *tc = tcase_create("fs");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roots);
	tcase_add_test(tc, test_apply_on_real_files);
	tcase_add_test(tc, test_relative_link_and_export);
	tcase_add_test(tc, test_missing_attribute_hint);
	tcase_add_test(tc, test_no_configfs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
