// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer harness for the profile parser and validator, the code that reads files a user
 * (or a daemon's profiles.d) hands us. Any byte string must be either rejected with a
 * message that names a rule, or accepted as a profile whose canonical JSON is accepted again
 * unchanged (the round trip export relies on), and which plans against the fake configfs
 * without crashing.
 *
 * Built with -DEPDMA_FUZZ_REPLAY and replay-main.c it is a plain program that runs every file
 * (or directory) given on the command line through the same checks, so the committed corpus
 * is a regression test in every build, sanitizers included; there ok-* files must load and
 * bad-* files must be refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend-fake.h"
#include "epdma.h"
#include "replay.h"

static struct epdma_ctx *ctx;

static void init(void)
{
	struct ep_fake *fake;

	if (ctx)
		return;
	if (epdma_ctx_new(&ctx) < 0 || epdma_ctx_set_root(ctx, "/nonexistent-epdma-fuzz") < 0 ||
	    ep_fake_new(ctx, &fake) < 0)
		abort();
	ep_fake_install(fake);
	ep_fake_set_subgroup_delay(fake, 0);
	if (ep_fake_add_controller(fake, "e65d0000.pcie-ep") < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct epdma_profile *p = NULL, *q = NULL;
	struct epdma_plan *plan = NULL;
	struct epdma_error err;
	char *j1 = NULL, *j2 = NULL;
	int r;

	init();
	r = epdma_profile_load_buffer(ctx, "fuzz", (const char *)data, size, &p, &err);
	if (r < 0) {
		/* every rejection says which rule */
		if (!err.rule[0] || !err.message[0])
			abort();
		return 0;
	}
	if (epdma_profile_to_json(p, false, &j1) < 0)
		abort();
	if (epdma_profile_load_buffer(ctx, "canon", j1, strlen(j1), &q, &err) < 0) {
		fprintf(stderr, "canonical form rejected: %s\n%s\n", err.message, j1);
		abort();
	}
	if (epdma_profile_to_json(q, false, &j2) < 0 || strcmp(j1, j2)) {
		fprintf(stderr, "canonical form not stable:\n%s\n%s\n", j1, j2);
		abort();
	}
	if (epdma_profile_get_role(p) == EPDMA_ROLE_ENDPOINT &&
	    epdma_plan_new(ctx, p, &plan, &err) == 0) {
		for (size_t i = 0; i < epdma_plan_count(plan); i++) {
			const char *path = epdma_plan_op(plan, i)->path;

			if (!path[0] || strstr(path, ".."))
				abort();
		}
		epdma_plan_free(plan);
	}
	free(j1);
	free(j2);
	epdma_profile_free(p);
	epdma_profile_free(q);
	return 0;
}

#ifdef EPDMA_FUZZ_REPLAY
const char fuzz_replay_name[] = "fuzz-profile";

/* Corpus files named ok-* must load and bad-* must be refused: the corpus states the rules. */
int fuzz_replay_expect(const char *path, const char *base, const uint8_t *data, size_t size)
{
	struct epdma_profile *p = NULL;
	struct epdma_error err;
	int r;

	r = epdma_profile_load_buffer(ctx, "replay", (const char *)data, size, &p, &err);
	epdma_profile_free(p);
	if (!strncmp(base, "ok-", 3) && r < 0) {
		fprintf(stderr, "%s: rejected (%s), expected to load\n", path, err.message);
		return -1;
	}
	if (!strncmp(base, "bad-", 4) && r == 0) {
		fprintf(stderr, "%s: accepted, expected a refusal\n", path);
		return -1;
	}
	return 0;
}

void fuzz_replay_done(void)
{
	epdma_ctx_free(ctx);
}
#endif
