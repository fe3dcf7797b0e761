/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the unit tests. */
#ifndef EPDMA_TESTUTIL_H
#define EPDMA_TESTUTIL_H

#include <check.h>
#include <string.h>

#include "backend-fake.h"
#include "epdma.h"
#include "plan.h"

/* Load a profile from a string; fails the test with the error text if invalid. */
static inline struct epdma_profile *load_ok(struct epdma_ctx *ctx, const char *json)
{
	struct epdma_profile *p = NULL;
	struct epdma_error err;
	char buf[2048];
	int r = epdma_profile_load_buffer(ctx, "test.json", json, strlen(json), &p, &err);

	if (r < 0)
		epdma_error_format(&err, buf, sizeof(buf));
	ck_assert_msg(r == 0, "profile rejected: %s", r < 0 ? buf : "");
	return p;
}

/* Load a profile that must be rejected; returns the first error, formatted. */
static inline void load_bad(struct epdma_ctx *ctx, const char *json, char *out, size_t size)
{
	struct epdma_profile *p = NULL;
	struct epdma_error err;
	int r = epdma_profile_load_buffer(ctx, "test.json", json, strlen(json), &p, &err);

	ck_assert_msg(r < 0, "profile accepted: %s", json);
	epdma_error_format(&err, out, size);
}

#endif
