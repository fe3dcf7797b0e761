// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Diff: what differs between a profile and the live tree, derived from the plan (so diff and
 * apply can never disagree) plus what is live and not in the profile: other functions bound
 * to the profile's controller.
 */
#include "plan.h"

struct epdma_diff {
	struct epdma_diff_entry *e;
	size_t n, cap;
};

const char *epdma_diff_kind_name(enum epdma_diff_kind kind)
{
	switch (kind) {
	case EPDMA_DIFF_MISSING: return "missing";
	case EPDMA_DIFF_CHANGED: return "changed";
	case EPDMA_DIFF_EXTRA: return "extra";
	}
	return "?";
}

void epdma_diff_free(struct epdma_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free((char *)d->e[i].path);
		free((char *)d->e[i].desired);
		free((char *)d->e[i].live);
	}
	free(d->e);
	free(d);
}

size_t epdma_diff_count(const struct epdma_diff *d)
{
	return d->n;
}

const struct epdma_diff_entry *epdma_diff_entry(const struct epdma_diff *d, size_t i)
{
	return i < d->n ? &d->e[i] : NULL;
}

static int add(struct epdma_diff *d, enum epdma_diff_kind kind, const char *path,
	       const char *desired, const char *live)
{
	struct epdma_diff_entry *e;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct epdma_diff_entry *n = realloc(d->e, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->e = n;
		d->cap = cap;
	}
	e = &d->e[d->n];
	e->kind = kind;
	e->path = strdup(path);
	e->desired = desired ? strdup(desired) : NULL;
	e->live = live ? strdup(live) : NULL;
	if (!e->path || (desired && !e->desired) || (live && !e->live)) {
		free((char *)e->path);
		free((char *)e->desired);
		free((char *)e->live);
		return -ENOMEM;
	}
	d->n++;
	return 0;
}

static bool in_profile(const struct epdma_profile *p, const char *fdir)
{
	for (size_t i = 0; i < p->n_functions; i++) {
		char f[EP_PATH_MAX];

		if (ep_pathf(f, sizeof(f), "functions/%s/%s", p->functions[i].driver,
			     p->functions[i].name) == 0 && !strcmp(f, fdir))
			return true;
	}
	return false;
}

int epdma_diff_new(struct epdma_ctx *ctx, const struct epdma_profile *p, struct epdma_diff **out,
		   struct epdma_error *err)
{
	struct ep_backend *b = ctx->backend;
	struct epdma_plan *plan = NULL;
	struct epdma_diff *d;
	_cleanup_free_ struct ep_dirent *drivers = NULL;
	size_t nd = 0;
	bool restart = false;
	int r;

	ep_error_clear(err);
	r = ep_plan_build(ctx, p, &plan, err);
	if (r < 0)
		return r;
	d = calloc(1, sizeof(*d));
	if (!d) {
		epdma_plan_free(plan);
		return -ENOMEM;
	}
	/* a stop and a start of the controller are a restart around a (re)bind, not a
	 * difference of its state */
	for (size_t i = 0; i < plan->n; i++)
		if (plan->ops[i].function < 0 && plan->ops[i].pub.type == EPDMA_OP_WRITE &&
		    !strcmp(plan->ops[i].value, "0"))
			restart = plan->ops[plan->n - 1].function < 0 &&
				  !strcmp(plan->ops[plan->n - 1].value, "1");
	for (size_t i = 0; i < plan->n && r >= 0; i++) {
		const struct ep_op *op = &plan->ops[i];
		bool new_fn = false;

		if (restart && op->function < 0)
			continue;

		/* writes into a function that mkdir creates are "missing", not "changed" */
		for (size_t k = 0; k < i; k++)
			new_fn |= plan->ops[k].pub.type == EPDMA_OP_MKDIR &&
				  op->function == plan->ops[k].function;
		switch (op->pub.type) {
		case EPDMA_OP_MKDIR:
			r = add(d, EPDMA_DIFF_MISSING, op->path, "(function)", NULL);
			break;
		case EPDMA_OP_WRITE:
			if (new_fn || (!op->old && !plan->pci_ep_present))
				r = add(d, EPDMA_DIFF_MISSING, op->path, op->value, NULL);
			else
				r = add(d, EPDMA_DIFF_CHANGED, op->path, op->value,
					op->old ? op->old : "(unreadable)");
			break;
		case EPDMA_OP_LINK:
			/* a relink after an unlink is part of a rebind, not a missing link */
			if (op->function >= 0) {
				bool relink = false;

				for (size_t k = 0; k < i; k++)
					relink |= plan->ops[k].pub.type == EPDMA_OP_UNLINK &&
						  !strcmp(plan->ops[k].path, op->path);
				if (!relink)
					r = add(d, EPDMA_DIFF_MISSING, op->path, op->value, NULL);
			}
			break;
		default:
			break;
		}
	}
	/* functions bound to this controller that the profile does not name */
	if (r >= 0 && plan->pci_ep_present && b->ops->list(b, "functions", &drivers, &nd) == 0) {
		for (size_t i = 0; i < nd && r >= 0; i++) {
			_cleanup_free_ struct ep_dirent *fns = NULL;
			char ddir[EP_PATH_MAX];
			size_t nf = 0;

			if (ep_pathf(ddir, sizeof(ddir), "functions/%s", drivers[i].name) < 0 ||
			    b->ops->list(b, ddir, &fns, &nf) < 0)
				continue;
			for (size_t k = 0; k < nf && r >= 0; k++) {
				struct ep_binding binds[4];
				char fdir[EP_PATH_MAX];
				size_t nb = 0;

				if (ep_pathf(fdir, sizeof(fdir), "%s/%s", ddir, fns[k].name) < 0 ||
				    in_profile(p, fdir))
					continue;
				ep_function_bindings(ctx, fdir, binds, ARRAY_SIZE(binds), &nb);
				for (size_t x = 0; x < nb && x < ARRAY_SIZE(binds) && r >= 0; x++)
					if (!strcmp(binds[x].controller, p->controller))
						r = add(d, EPDMA_DIFF_EXTRA, binds[x].link, NULL, fdir);
			}
		}
	}
	epdma_plan_free(plan);
	if (r < 0) {
		epdma_diff_free(d);
		return r;
	}
	*out = d;
	return 0;
}
