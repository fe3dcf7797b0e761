// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for epdma_test_result_parse(): the parser reads text the kernel (or a
 * corrupted debugfs, or anything mounted there) produces, so any byte string must be handled
 * without a crash, a read past the buffer, or an accepted result that breaks the invariants
 * the printers rely on.
 *
 * Built with -DEPDMA_FUZZ_REPLAY and replay-main.c it is a plain program that runs every file
 * given on the command line (or in the directories given) through the same checks: the
 * committed corpus becomes a regression test in every build, sanitizers included.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epdma.h"
#include "replay.h"

static const char *const states[] = { "init", "ready", "xfer-done", "pass", "fail", "unknown" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct epdma_test_result r;
	char *copy;
	int ret;

	/* exact-size heap copy: ASan catches any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = epdma_test_result_parse(copy, size, &r);
	if (ret == 0) {
		bool known = false;

		if (!(r.fields & EPDMA_TR_F_LAST_STATUS))
			abort();
		if (memchr(r.peer_state, '\0', sizeof(r.peer_state)) == NULL)
			abort();
		if (r.fields & EPDMA_TR_F_PEER_STATE) {
			for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
				known |= !strcmp(r.peer_state, states[i]);
			if (!known)
				abort();
		} else if (r.peer_state[0]) {
			abort();
		}
	} else if (ret != -EBADMSG && ret != -EINVAL) {
		abort();
	}
	free(copy);
	return 0;
}

#ifdef EPDMA_FUZZ_REPLAY
const char fuzz_replay_name[] = "fuzz-test-result";

/*
 * Corpus files named ok-* must parse and bad-* must be rejected: the committed corpus states
 * what the parser accepts. Other names (what libFuzzer adds) only need to pass the checks.
 */
int fuzz_replay_expect(const char *path, const char *base, const uint8_t *data, size_t size)
{
	struct epdma_test_result r;
	int ret = epdma_test_result_parse((const char *)data, size, &r);

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
