// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parser of ntb_ep_dma's netlink replies, without the kernel: the messages are built with
 * libnl the way the kernel builds them (genetlink header, u64 attributes after a PAD).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "epdma.h"
#include "ntb-ep-dma-nl.h"

#define FAMILY 0x1c

enum omit {
	OMIT_NONE,
	OMIT_DEVICE,
	OMIT_STATUS,
};

/* a RUN reply as the kernel sends it for 100 verified 64 KiB writes */
static struct nl_msg *reply(uint8_t cmd, enum omit omit, int32_t status)
{
	struct nl_msg *m = nlmsg_alloc();

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(genlmsg_put(m, 0, 7, FAMILY, 0, 0, cmd, 1));
	if (omit != OMIT_DEVICE)
		ck_assert_int_eq(nla_put_string(m, NTB_EP_DMA_A_DEVICE, "0000:01:00.0"), 0);
	nla_put_u32(m, NTB_EP_DMA_A_CHANNEL, 2);
	nla_put_string(m, NTB_EP_DMA_A_CHANNEL_NAME, "dma1chan2");
	nla_put_u8(m, NTB_EP_DMA_A_DIRECTION, NTB_EP_DMA_DIR_WRITE);
	nla_put_u32(m, NTB_EP_DMA_A_SIZE, 65536);
	nla_put_u32(m, NTB_EP_DMA_A_COUNT, 100);
	nla_put_u32(m, NTB_EP_DMA_A_DEPTH, 1);
	nla_put_u8(m, NTB_EP_DMA_A_VERIFY, 1);
	if (omit != OMIT_STATUS)
		nla_put_u32(m, NTB_EP_DMA_A_STATUS, (uint32_t)status);
	nla_put_u64(m, NTB_EP_DMA_A_BYTES, 6553600);
	nla_put_u32(m, NTB_EP_DMA_A_TRANSFERS, 100);
	nla_put_u32(m, NTB_EP_DMA_A_ERRORS, 0);
	nla_put_u64(m, NTB_EP_DMA_A_ELAPSED_NS, 50000000);
	nla_put_u64(m, NTB_EP_DMA_A_THROUGHPUT, 131072000);
	nla_put_u64(m, NTB_EP_DMA_A_LAT_MIN_NS, 100000);
	nla_put_u64(m, NTB_EP_DMA_A_LAT_AVG_NS, 150000);
	nla_put_u64(m, NTB_EP_DMA_A_LAT_P50_NS, 140000);
	nla_put_u64(m, NTB_EP_DMA_A_LAT_P99_NS, 300000);
	nla_put_u64(m, NTB_EP_DMA_A_LAT_MAX_NS, 310000);
	return m;
}

static int parse(struct nl_msg *m, struct epdma_nl_result *r)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	int ret = epdma_nl_result_parse(h, h->nlmsg_len, r);

	nlmsg_free(m);
	return ret;
}

START_TEST(run_reply)
{
	struct epdma_nl_result r;

	ck_assert_int_eq(parse(reply(NTB_EP_DMA_CMD_RUN, OMIT_NONE, 0), &r), 0);
	ck_assert_str_eq(r.device, "0000:01:00.0");
	ck_assert_str_eq(r.channel_name, "dma1chan2");
	ck_assert_uint_eq(r.channel, 2);
	ck_assert_uint_eq(r.direction, 0);
	ck_assert_uint_eq(r.size, 65536);
	ck_assert_uint_eq(r.count, 100);
	ck_assert(r.verify);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.bytes, 6553600);
	ck_assert_uint_eq(r.transfers, 100);
	ck_assert_uint_eq(r.elapsed_ns, 50000000);
	ck_assert_uint_eq(r.throughput, 131072000);
	ck_assert_uint_eq(r.lat_min_ns, 100000);
	ck_assert_uint_eq(r.lat_p50_ns, 140000);
	ck_assert_uint_eq(r.lat_p99_ns, 300000);
	ck_assert_uint_eq(r.lat_max_ns, 310000);
}
END_TEST

START_TEST(notification_and_failed_run)
{
	struct epdma_nl_result r;

	ck_assert_int_eq(parse(reply(NTB_EP_DMA_CMD_RUN_DONE, OMIT_NONE, -ENOLINK), &r), 0);
	ck_assert_int_eq(r.status, -ENOLINK);
}
END_TEST

START_TEST(rejects_missing_and_wrong)
{
	struct epdma_nl_result r;
	struct nl_msg *m;

	ck_assert_int_eq(parse(reply(NTB_EP_DMA_CMD_RUN, OMIT_DEVICE, 0), &r), -EBADMSG);
	ck_assert_int_eq(parse(reply(NTB_EP_DMA_CMD_RUN, OMIT_STATUS, 0), &r), -EBADMSG);
	/* a device listing is not a result */
	ck_assert_int_eq(parse(reply(NTB_EP_DMA_CMD_GET_DEVICE, OMIT_NONE, 0), &r), -EBADMSG);
	/* a status that is not 0 or -errno */
	ck_assert_int_eq(parse(reply(NTB_EP_DMA_CMD_RUN, OMIT_NONE, 5), &r), -EBADMSG);
	ck_assert_int_eq(parse(reply(NTB_EP_DMA_CMD_RUN, OMIT_NONE, -100000), &r), -EBADMSG);

	/* percentiles out of order */
	m = reply(NTB_EP_DMA_CMD_RUN, OMIT_NONE, 0);
	nla_put_u64(m, NTB_EP_DMA_A_LAT_P99_NS, 1);	/* the last one counts */
	ck_assert_int_eq(parse(m, &r), -EBADMSG);

	/* more transfers than asked for */
	m = reply(NTB_EP_DMA_CMD_RUN, OMIT_NONE, 0);
	nla_put_u32(m, NTB_EP_DMA_A_TRANSFERS, 101);
	ck_assert_int_eq(parse(m, &r), -EBADMSG);

	/* a u32 where a u64 belongs */
	m = reply(NTB_EP_DMA_CMD_RUN, OMIT_NONE, 0);
	nla_put_u32(m, NTB_EP_DMA_A_BYTES, 1);
	ck_assert_int_eq(parse(m, &r), -EBADMSG);

	/* a direction that does not exist */
	m = reply(NTB_EP_DMA_CMD_RUN, OMIT_NONE, 0);
	nla_put_u8(m, NTB_EP_DMA_A_DIRECTION, 2);
	ck_assert_int_eq(parse(m, &r), -EBADMSG);
}
END_TEST

START_TEST(rejects_bad_strings)
{
	struct epdma_nl_result r;
	struct nl_msg *m;

	m = reply(NTB_EP_DMA_CMD_RUN, OMIT_DEVICE, 0);
	nla_put(m, NTB_EP_DMA_A_DEVICE, 4, "ntb0");	/* no NUL */
	ck_assert_int_eq(parse(m, &r), -EBADMSG);

	m = reply(NTB_EP_DMA_CMD_RUN, OMIT_DEVICE, 0);
	nla_put_string(m, NTB_EP_DMA_A_DEVICE, "");
	ck_assert_int_eq(parse(m, &r), -EBADMSG);

	m = reply(NTB_EP_DMA_CMD_RUN, OMIT_DEVICE, 0);
	nla_put_string(m, NTB_EP_DMA_A_DEVICE, "../../x");
	ck_assert_int_eq(parse(m, &r), -EBADMSG);

	m = reply(NTB_EP_DMA_CMD_RUN, OMIT_DEVICE, 0);
	nla_put_string(m, NTB_EP_DMA_A_DEVICE, "a\x1b[2Jb");
	ck_assert_int_eq(parse(m, &r), -EBADMSG);

	m = reply(NTB_EP_DMA_CMD_RUN, OMIT_DEVICE, 0);
	nla_put_string(m, NTB_EP_DMA_A_DEVICE,
		       "0123456789012345678901234567890123456789012345678901234567890123");
	ck_assert_int_eq(parse(m, &r), -EBADMSG);
}
END_TEST

START_TEST(rejects_truncation)
{
	struct epdma_nl_result r;
	struct nl_msg *m = reply(NTB_EP_DMA_CMD_RUN, OMIT_NONE, 0);
	struct nlmsghdr *h = nlmsg_hdr(m);
	size_t len = h->nlmsg_len;
	unsigned char *copy;

	/* every shorter length: the header's length no longer fits, never read past it */
	for (size_t l = 0; l < len; l++) {
		copy = malloc(l ? l : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, h, l);
		ck_assert_int_eq(epdma_nl_result_parse(copy, l, &r), -EBADMSG);
		free(copy);
	}
	/* a header that claims less than the genetlink header */
	h->nlmsg_len = NLMSG_HDRLEN + 2;
	ck_assert_int_eq(epdma_nl_result_parse(h, len, &r), -EBADMSG);
	ck_assert_int_eq(epdma_nl_result_parse(NULL, 0, &r), -EBADMSG);
	nlmsg_free(m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("netlink");
	TCase *tc = tcase_create("result");

	tcase_add_test(tc, run_reply);
	tcase_add_test(tc, notification_and_failed_run);
	tcase_add_test(tc, rejects_missing_and_wrong);
	tcase_add_test(tc, rejects_bad_strings);
	tcase_add_test(tc, rejects_truncation);
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
