// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for epdma_nl_result_parse(): the parser reads what comes from the
 * ntb_ep_dma generic netlink family (a RUN reply or a RUN_DONE notification), which a broken
 * or newer kernel may get wrong, so any byte string must be handled without a crash, a read
 * past the buffer, or an accepted result that breaks the invariants the printers rely on.
 *
 * Built with -DEPDMA_FUZZ_REPLAY and replay-main.c it replays the committed corpus (ok-* must
 * parse, bad-* must not) as a regression test in every build.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epdma.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct epdma_nl_result r;
	void *copy;
	int ret;

	/* exact-size heap copy: ASan catches any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = epdma_nl_result_parse(copy, size, &r);
	if (ret == 0) {
		if (!r.device[0] || !memchr(r.device, '\0', sizeof(r.device)) ||
		    strchr(r.device, '/') || !memchr(r.channel_name, '\0', sizeof(r.channel_name)))
			abort();
		if (r.status > 0 || r.status < -4095 || r.direction > 1)
			abort();
		if (r.count && r.transfers > r.count)
			abort();
		if (r.transfers && !(r.lat_min_ns <= r.lat_p50_ns && r.lat_p50_ns <= r.lat_p99_ns &&
				     r.lat_p99_ns <= r.lat_max_ns))
			abort();
	} else if (ret != -EBADMSG) {
		abort();
	}
	free(copy);
	return 0;
}

#ifdef EPDMA_FUZZ_REPLAY
const char fuzz_replay_name[] = "fuzz-netlink";

/* Corpus files named ok-* must parse and bad-* must be rejected (see replay-main.c). */
int fuzz_replay_expect(const char *path, const char *base, const uint8_t *data, size_t size)
{
	struct epdma_nl_result r;
	int ret = epdma_nl_result_parse(data, size, &r);

	if (!strncmp(base, "ok-", 3) && ret != 0) {
		fprintf(stderr, "%s: rejected (%d), expected to parse\n", path, ret);
		return -1;
	}
	if (!strncmp(base, "bad-", 4) && ret == 0) {
		fprintf(stderr, "%s: accepted, expected -EBADMSG\n", path);
		return -1;
	}
	return 0;
}
#endif
