/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plan internals shared by plan, apply, diff and clear. */
#ifndef EPDMA_PLAN_H
#define EPDMA_PLAN_H

#include "profile.h"

struct ep_op {
	struct epdma_op pub;	/* points into the strings below */
	char *path;
	char *value;
	char *old;
	int function;		/* index in the profile, -1 for controller operations */
	bool wildcard;		/* path has the "<driver>.*" placeholder */
};

struct epdma_plan {
	struct ep_op *ops;
	size_t n, cap;
	bool pci_ep_present;
	bool controller_started;
};

int ep_plan_build(struct epdma_ctx *ctx, const struct epdma_profile *p, struct epdma_plan **out,
		  struct epdma_error *err);
/* Replace the "<driver>.*" component of every later op of @function by @subgroup. */
int ep_plan_resolve(struct epdma_plan *plan, size_t from, int function, const char *fdir,
		    const char *subgroup);
/* Wait (bounded by the context's timeout) for the driver subgroup of @fdir to appear. */
int ep_wait_subgroup(struct epdma_ctx *ctx, const char *fdir, const char *driver, char *out,
		     size_t size);

int ep_lock_apply(struct epdma_ctx *ctx, int *fd, struct epdma_error *err);

#endif
