// SPDX-License-Identifier: LGPL-2.1-or-later
/* Profile parsing and validation: accepted examples, and rejected cases with exact messages. */
#include <stdio.h>
#include <stdlib.h>

#include "profile.h"
#include "testutil.h"

static struct epdma_ctx *ctx;

static void setup(void)
{
	ck_assert_int_eq(epdma_ctx_new(&ctx), 0);
}

static void teardown(void)
{
	epdma_ctx_free(ctx);
}

#define VNTB_HEAD                                                                              \
	"{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\","  \
	"\"driver\":\"pci_epf_vntb\",\"driver_attributes\":{"
#define VNTB_TAIL "}}]}"

struct bad_case {
	const char *json;
	const char *error;
};

static const struct bad_case bad[] = {
	{ "{\"version\":2,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\"}]}",
	  "test.json: /version: unsupported version 2 (this epdma reads version 1) [version]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\"}],\"foo\":1}",
	  "test.json: /foo: unknown key \"foo\" [unknown-key]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\",\"attributes\":{\"msi_interrupts\":33}}]}",
	  "test.json: /functions/0/attributes/msi_interrupts: msi_interrupts: 33 is out of range 1..32 [range]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\",\"attributes\":{\"msix_interrupts\":0}}]}",
	  "test.json: /functions/0/attributes/msix_interrupts: msix_interrupts: 0 is out of range 1..2048 [range]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\",\"attributes\":{\"vendorid\":\"0x10000\"}}]}",
	  "test.json: /functions/0/attributes/vendorid: vendorid: 0x10000 is out of range 0x0..0xffff [range]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\",\"attributes\":{\"vendorid\":\"1912\"}}]}",
	  "test.json: /functions/0/attributes/vendorid: vendorid: a string value must be hexadecimal like \"0x1f\" [format]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\",\"attributes\":{\"deviceid\":-1}}]}",
	  "test.json: /functions/0/attributes/deviceid: deviceid: negative value -1 is not allowed [range]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\",\"attributes\":{\"revid\":1.5}}]}",
	  "test.json: /functions/0/attributes/revid: revid: expected an integer or a \"0x...\" string, not a fractional number [type]" },
	{ VNTB_HEAD "\"num_mws\":1,\"mw1\":4096,\"mw2\":4096" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/mw2: \"mw2\" is for window 2 but num_mws is 1 [num-mws]" },
	{ VNTB_HEAD "\"mw1\":4096" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/mw1: \"mw1\" is for window 1 but num_mws is not set [num-mws]" },
	{ VNTB_HEAD "\"num_mws\":2,\"mw1\":4096" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/num_mws: num_mws is 2 but \"mw2\" (the size of window 2) is missing [required]" },
	{ VNTB_HEAD "\"num_mws\":5" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/num_mws: num_mws: 5 is out of range 1..4 [range]" },
	{ VNTB_HEAD "\"dma_num_chans\":9" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/dma_num_chans: dma_num_chans: 9 is out of range 1..8 [range]" },
	{ VNTB_HEAD "\"ctrl_bar\":6" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/ctrl_bar: ctrl_bar: 6 is out of range 0..5 [range]" },
	{ VNTB_HEAD "\"ctrl_bar\":2,\"db_bar\":2" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/db_bar: BAR 2 is already used by \"ctrl_bar\"; only memory windows and the DMA slice may share a BAR [bar-conflict]" },
	{ VNTB_HEAD "\"num_mws\":1,\"mw1\":\"0x100000\",\"mw1_bar\":2,\"dma_bar\":2,\"dma_offset\":\"0x1000\"" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/dma_bar: \"dma_bar\" and \"mw1_bar\" overlap in BAR 2 (offsets 0x1000 and 0x0); set distinct *_offset values [bar-conflict]" },
	{ VNTB_HEAD "\"num_mws\":2,\"mw1\":4096,\"mw2\":4096,\"mw1_bar\":2,\"mw2_bar\":2" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/mw2_bar: \"mw2_bar\" and \"mw1_bar\" overlap in BAR 2 (offsets 0x0 and 0x0); set distinct *_offset values [bar-conflict]" },
	{ VNTB_HEAD "\"dma_offset\":\"0x1000\"" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/dma_offset: \"dma_offset\" has no effect without \"dma_bar\" [requires]" },
	{ VNTB_HEAD "\"bogus\":1" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/bogus: unknown attribute \"bogus\" for driver pci_epf_vntb [unknown-key]" },
	{ VNTB_HEAD "\"num_mws\":1,\"mw1\":4096,\"num_mws\":2" VNTB_TAIL,
	  "test.json: /functions/0/driver_attributes/num_mws: key \"num_mws\" appears more than once [duplicate-key]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"t\",\"driver\":\"pci_epf_test\",\"driver_attributes\":{\"x\":1}}]}",
	  "test.json: /functions/0/driver_attributes/x: unknown attribute \"x\" for driver pci_epf_test [unknown-key]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"u\",\"driver\":\"my_epf\",\"driver_attributes\":{\"x\":[1]}}]}",
	  "test.json: /functions/0/driver_attributes/x: x: expected an integer or a string, not an array [type]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"u\",\"driver\":\"my_epf\",\"driver_attributes\":{\"a/b\":1}}]}",
	  "test.json: /functions/0/driver_attributes/a~1b: attribute name \"a/b\" is not a safe configfs file name [name]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"..\",\"driver\":\"d\"}]}",
	  "test.json: /functions/0/name: the function name must be 1..64 characters of A-Z a-z 0-9 _ - . : and not \".\" or \"..\" [name]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"../../x\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\"}]}",
	  "test.json: /controller: the controller name must be 1..64 characters of A-Z a-z 0-9 _ - . : and not \".\" or \"..\" [name]" },
	{ "{\"version\":1,\"name\":\"a\\u0000b\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\"}]}",
	  "test.json: /name: the profile name must be 1..64 characters of A-Z a-z 0-9 _ - . : and not \".\" or \"..\" [name]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\"},{\"name\":\"f\",\"driver\":\"e\"}]}",
	  "test.json: /functions/1/name: function name \"f\" is already used by /functions/0 [unique]" },
	{ "{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[]}",
	  "test.json: /functions: \"functions\" must list 1..16 functions, not 0 [range]" },
	{ "{\"version\":1,\"name\":\"p\",\"functions\":[{\"name\":\"f\",\"driver\":\"d\"}]}",
	  "test.json: an endpoint profile needs a \"controller\" [required]" },
	{ "{\"version\":1,\"name\":\"h\",\"role\":\"host\",\"controller\":\"c0\",\"match\":{\"vendor\":\"0x1912\",\"device\":\"0x0030\"}}",
	  "test.json: /controller: \"controller\" is only for role \"endpoint\" [role]" },
	{ "{\"version\":1,\"name\":\"h\",\"role\":\"host\",\"match\":{\"vendor\":\"0x1912\"}}",
	  "test.json: /match: \"match\" needs \"device\" [required]" },
	{ "{\"version\":1,\"name\":\"h\",\"role\":\"host\",\"match\":{\"vendor\":\"0x1912\",\"device\":1},\"modules\":[\"ntb/hw\"]}",
	  "test.json: /modules/0: module names are 1..64 characters of A-Z a-z 0-9 _ - [name]" },
	{ "{\"version\":1,\"name\":\"p\",\"role\":\"device\"}",
	  "test.json: /role: \"role\" must be \"endpoint\" or \"host\" [enum]" },
	{ "[1,2]", "test.json: a profile must be a JSON object, not an array [type]" },
	{ "{\"version\":1} x", "test.json: line 1 column 15: unexpected character [json]" },
	{ "{\"version\":1,", "test.json: unexpected end of file [json]" },
	{ "{\"name\":\"\xc3\x28\"}", "test.json: line 1 column 10: not valid UTF-8 [utf8]" },
	{ "{\"name\":\"\xed\xa0\x80\"}", "test.json: line 1 column 10: not valid UTF-8 [utf8]" },
	{ "{\"version\":1,\n\"name\":'p'}", "test.json: line 2 column 8: unexpected character [json]" },
};

START_TEST(test_rejected_cases)
{
	char got[2048];

	load_bad(ctx, bad[_i].json, got, sizeof(got));
	ck_assert_str_eq(got, bad[_i].error);
}
END_TEST

START_TEST(test_depth_limit)
{
	char json[256] = "{\"version\":1,\"x\":";
	size_t l = strlen(json);
	char got[1024];

	for (int i = 0; i < 20; i++)
		json[l++] = '[';
	for (int i = 0; i < 20; i++)
		json[l++] = ']';
	json[l++] = '}';
	json[l] = '\0';
	load_bad(ctx, json, got, sizeof(got));
	ck_assert_msg(strstr(got, "nested deeper than the limit [depth]"), "%s", got);
}
END_TEST

START_TEST(test_size_limit)
{
	char path[] = "/tmp/epdma-big-XXXXXX";
	struct epdma_profile *p = NULL;
	struct epdma_error err;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("{\"description\":\"", f);
	for (int i = 0; i < EPDMA_PROFILE_MAX_BYTES; i++)
		fputc('a', f);
	fputs("\"}", f);
	fclose(f);
	ck_assert_int_eq(epdma_profile_load(ctx, path, &p, &err), -EFBIG);
	ck_assert_str_eq(err.rule, "size");
	ck_assert_str_eq(err.file, path);
	unlink(path);
}
END_TEST

START_TEST(test_missing_file)
{
	struct epdma_profile *p = NULL;
	struct epdma_error err;

	ck_assert_int_eq(epdma_profile_load(ctx, "/nonexistent/x.json", &p, &err), -ENOENT);
	ck_assert_str_eq(err.message, "cannot open: No such file or directory");
	ck_assert_int_eq(epdma_exit_code(-ENOENT), EPDMA_EXIT_NOINPUT);
}
END_TEST

/* validate reports every problem, not only the first */
START_TEST(test_all_errors_reported)
{
	const char *json = VNTB_HEAD "\"num_mws\":9,\"db_count\":0,\"x\":1" VNTB_TAIL;
	char path[] = "/tmp/epdma-many-XXXXXX";
	struct epdma_error errs[8];
	size_t n = 0;
	int fd = mkstemp(path);

	ck_assert_int_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	ck_assert_int_eq(epdma_profile_check(ctx, path, errs, 8, &n), -EINVAL);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(errs[0].pointer, "/functions/0/driver_attributes/num_mws");
	ck_assert_str_eq(errs[1].pointer, "/functions/0/driver_attributes/db_count");
	ck_assert_str_eq(errs[2].rule, "unknown-key");
	ck_assert_str_eq(errs[2].file, path);
	unlink(path);
}
END_TEST

static const char *const examples[] = { "rcar-s4-vntb-dma.json", "host-ntb-dma.json",
					"pci-epf-test.json", "pci-epf-test-two.json" };

START_TEST(test_examples_valid_and_canonical)
{
	char path[1024];
	struct epdma_profile *p = NULL, *q = NULL;
	struct epdma_error err;
	char *j1 = NULL, *j2 = NULL;

	snprintf(path, sizeof(path), "%s/%s", EXAMPLES_DIR, examples[_i]);
	ck_assert_msg(epdma_profile_load(ctx, path, &p, &err) == 0, "%s", err.message);
	ck_assert_int_eq(epdma_profile_to_json(p, false, &j1), 0);
	/* the canonical form is a valid profile whose canonical form is itself */
	ck_assert_int_eq(epdma_profile_load_buffer(ctx, "canon", j1, strlen(j1), &q, &err), 0);
	ck_assert_int_eq(epdma_profile_to_json(q, false, &j2), 0);
	ck_assert_str_eq(j1, j2);
	free(j1);
	free(j2);
	epdma_profile_free(p);
	epdma_profile_free(q);
}
END_TEST

START_TEST(test_accessors)
{
	char path[1024];
	struct epdma_profile *p = NULL;
	uint16_t v, d;

	snprintf(path, sizeof(path), "%s/rcar-s4-vntb-dma.json", EXAMPLES_DIR);
	ck_assert_int_eq(epdma_profile_load(ctx, path, &p, NULL), 0);
	ck_assert_str_eq(epdma_profile_get_name(p), "rcar-s4-vntb-dma");
	ck_assert_str_eq(epdma_profile_get_controller(p), "e65d0000.pcie-ep");
	ck_assert(epdma_profile_get_start(p));
	ck_assert_int_eq(epdma_profile_get_role(p), EPDMA_ROLE_ENDPOINT);
	ck_assert_uint_eq(epdma_profile_function_count(p), 1);
	ck_assert_str_eq(epdma_profile_function_driver(p, 0), "pci_epf_vntb");
	ck_assert_int_eq(epdma_profile_get_match(p, &v, &d), -ENOENT);
	epdma_profile_free(p);

	snprintf(path, sizeof(path), "%s/host-ntb-dma.json", EXAMPLES_DIR);
	ck_assert_int_eq(epdma_profile_load(ctx, path, &p, NULL), 0);
	ck_assert_int_eq(epdma_profile_get_role(p), EPDMA_ROLE_HOST);
	ck_assert_int_eq(epdma_profile_get_match(p, &v, &d), 0);
	ck_assert_uint_eq(v, 0x1912);
	ck_assert_uint_eq(d, 0x0030);
	ck_assert_uint_eq(epdma_profile_module_count(p), 3);
	ck_assert_str_eq(epdma_profile_module(p, 2), "ntb_ep_dma");
	ck_assert_ptr_null(epdma_profile_module(p, 3));
	epdma_profile_free(p);
}
END_TEST

START_TEST(test_parse_u64_like_kstrtou64)
{
	uint64_t v;

	ck_assert_int_eq(ep_parse_u64("0x1912", &v), 0);
	ck_assert_uint_eq(v, 0x1912);
	ck_assert_int_eq(ep_parse_u64("32\n", &v), 0);
	ck_assert_uint_eq(v, 32);
	ck_assert_int_eq(ep_parse_u64("010", &v), 0);
	ck_assert_uint_eq(v, 8);
	ck_assert_int_eq(ep_parse_u64("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(ep_parse_u64("-1", &v), -EINVAL);
	ck_assert_int_eq(ep_parse_u64("0x", &v), -EINVAL);
	ck_assert_int_eq(ep_parse_u64("12a", &v), -EINVAL);
	ck_assert_int_eq(ep_parse_u64("18446744073709551616", &v), -ERANGE);
}
END_TEST

START_TEST(test_unknown_driver_values)
{
	struct epdma_profile *p = load_ok(ctx,
		"{\"version\":1,\"name\":\"p\",\"controller\":\"c0\",\"functions\":[{\"name\":\"u\","
		"\"driver\":\"my_epf\",\"driver_attributes\":{\"mode\":\"fast\",\"count\":-3}}]}");
	char *j = NULL;

	ck_assert_int_eq(epdma_profile_to_json(p, false, &j), 0);
	ck_assert_msg(strstr(j, "\"driver_attributes\":{\"mode\":\"fast\",\"count\":-3}"), "%s", j);
	free(j);
	epdma_profile_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("validate");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_rejected_cases, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_all_errors_reported);
	tcase_add_loop_test(tc, test_examples_valid_and_canonical, 0,
			    (int)(sizeof(examples) / sizeof(examples[0])));
	tcase_add_test(tc, test_accessors);
	tcase_add_test(tc, test_parse_u64_like_kstrtou64);
	tcase_add_test(tc, test_unknown_driver_values);
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
