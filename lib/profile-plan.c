// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Planning: compare a profile with the live pci_ep tree and list the operations, in the order
 * the kernel needs them: the controller stopped if a bound function must change, rebinding
 * functions unlinked, each function made and its header then driver attributes written
 * (num_mws before mwN), every link after every attribute (the vNTB driver reads its
 * attributes at bind time), start last. Nothing that is already right is written again.
 */
#include <time.h>

#include "plan.h"

const char *epdma_op_type_name(enum epdma_op_type type)
{
	switch (type) {
	case EPDMA_OP_MKDIR: return "mkdir";
	case EPDMA_OP_WRITE: return "write";
	case EPDMA_OP_LINK: return "link";
	case EPDMA_OP_UNLINK: return "unlink";
	case EPDMA_OP_RMDIR: return "rmdir";
	}
	return "?";
}

void epdma_plan_free(struct epdma_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->ops[i].path);
		free(plan->ops[i].value);
		free(plan->ops[i].old);
	}
	free(plan->ops);
	free(plan);
}

size_t epdma_plan_count(const struct epdma_plan *plan)
{
	return plan->n;
}

const struct epdma_op *epdma_plan_op(const struct epdma_plan *plan, size_t i)
{
	return i < plan->n ? &plan->ops[i].pub : NULL;
}

static int add_op(struct epdma_plan *plan, enum epdma_op_type type, int function, bool wildcard,
		  const char *path, const char *value, const char *old)
{
	struct ep_op *op;

	if (plan->n == plan->cap) {
		size_t cap = plan->cap ? plan->cap * 2 : 32;
		struct ep_op *n = realloc(plan->ops, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		plan->ops = n;
		plan->cap = cap;
	}
	op = &plan->ops[plan->n];
	memset(op, 0, sizeof(*op));
	op->path = strdup(path);
	op->value = value ? strdup(value) : NULL;
	op->old = old ? strdup(old) : NULL;
	if (!op->path || (value && !op->value) || (old && !op->old)) {
		free(op->path);
		free(op->value);
		free(op->old);
		return -ENOMEM;
	}
	op->function = function;
	op->wildcard = wildcard;
	op->pub.type = type;
	op->pub.path = op->path;
	op->pub.value = op->value;
	op->pub.old = op->old;
	plan->n++;
	return 0;
}

int ep_plan_resolve(struct epdma_plan *plan, size_t from, int function, const char *fdir,
		    const char *subgroup)
{
	size_t fl = strlen(fdir);

	for (size_t i = from; i < plan->n; i++) {
		struct ep_op *op = &plan->ops[i];
		const char *rest;
		char *np;

		if (!op->wildcard || op->function != function)
			continue;
		/* fdir "/" "<driver>.*" "/" attr */
		rest = strchr(op->path + fl + 1, '/');
		np = ep_strdup_printf("%s/%s%s", fdir, subgroup, rest ? rest : "");
		if (!np)
			return -ENOMEM;
		free(op->path);
		op->path = np;
		op->pub.path = np;
		op->wildcard = false;
	}
	return 0;
}

int ep_read_attr(struct epdma_ctx *ctx, const char *path, char *buf, size_t size)
{
	struct ep_backend *b = ctx->backend;

	return b->ops->read(b, path, buf, size);
}

bool ep_values_equal(const struct ep_value *v, const char *live)
{
	uint64_t n;

	if (v->spec || v->is_num)
		return ep_parse_u64(live, &n) == 0 && n == v->num;
	return !strcmp(v->text, live);
}

/* "<driver>.<digits>" */
static bool is_subgroup_name(const char *name, const char *driver)
{
	size_t dl = strlen(driver);
	const char *p;

	if (strncmp(name, driver, dl) || name[dl] != '.' || !name[dl + 1])
		return false;
	for (p = name + dl + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int ep_find_subgroup(struct epdma_ctx *ctx, const char *fdir, const char *driver, char *out,
		     size_t size)
{
	struct ep_backend *b = ctx->backend;
	_cleanup_free_ struct ep_dirent *ents = NULL;
	size_t n = 0;
	int r;

	r = b->ops->list(b, fdir, &ents, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (ents[i].type == EP_NODE_DIR && is_subgroup_name(ents[i].name, driver))
			return ep_strlcpy(out, ents[i].name, size);
	return -ENOENT;
}

int ep_wait_subgroup(struct epdma_ctx *ctx, const char *fdir, const char *driver, char *out,
		     size_t size)
{
	struct timespec start, now, nap = { 0, 1000000 };
	long waited_ms;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		r = ep_find_subgroup(ctx, fdir, driver, out, size);
		if (r != -ENOENT)
			return r;
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms = (now.tv_sec - start.tv_sec) * 1000 +
			    (now.tv_nsec - start.tv_nsec) / 1000000;
		if (waited_ms >= (long)ctx->subgroup_timeout_ms)
			return -ETIMEDOUT;
		/* the kernel queues the work 1 ms after mkdir: poll at 1, 2, 4 .. 64 ms */
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 64000000)
			nap.tv_nsec *= 2;
	}
}

int ep_function_bindings(struct epdma_ctx *ctx, const char *fdir, struct ep_binding *out,
			 size_t max, size_t *n)
{
	struct ep_backend *b = ctx->backend;
	_cleanup_free_ struct ep_dirent *ctrls = NULL;
	size_t nc = 0;
	static const char *const ifaces[] = { "primary", "secondary" };

	*n = 0;
	if (b->ops->list(b, "controllers", &ctrls, &nc) < 0)
		nc = 0;
	for (size_t i = 0; i < nc; i++) {
		_cleanup_free_ struct ep_dirent *ents = NULL;
		char cdir[EP_PATH_MAX];
		size_t ne = 0;

		if (ctrls[i].type != EP_NODE_DIR ||
		    ep_path_join(cdir, sizeof(cdir), "controllers", ctrls[i].name) < 0 ||
		    b->ops->list(b, cdir, &ents, &ne) < 0)
			continue;
		for (size_t k = 0; k < ne; k++) {
			char lp[EP_PATH_MAX], t[EP_PATH_MAX];

			if (ents[k].type != EP_NODE_LINK ||
			    ep_path_join(lp, sizeof(lp), cdir, ents[k].name) < 0 ||
			    b->ops->readlink(b, lp, t, sizeof(t)) < 0 || strcmp(t, fdir))
				continue;
			if (*n < max) {
				ep_pathf(out[*n].controller, sizeof(out[*n].controller), "%s",
					 ctrls[i].name);
				ep_pathf(out[*n].link, sizeof(out[*n].link), "%s", lp);
			}
			(*n)++;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(ifaces); i++) {
		_cleanup_free_ struct ep_dirent *ents = NULL;
		char idir[EP_PATH_MAX];
		size_t ne = 0;

		if (ep_path_join(idir, sizeof(idir), fdir, ifaces[i]) < 0 ||
		    b->ops->list(b, idir, &ents, &ne) < 0)
			continue;
		for (size_t k = 0; k < ne; k++) {
			char lp[EP_PATH_MAX], t[EP_PATH_MAX];

			if (ents[k].type != EP_NODE_LINK ||
			    ep_path_join(lp, sizeof(lp), idir, ents[k].name) < 0 ||
			    b->ops->readlink(b, lp, t, sizeof(t)) < 0 ||
			    strncmp(t, "controllers/", 12))
				continue;
			if (*n < max) {
				ep_pathf(out[*n].controller, sizeof(out[*n].controller), "%s", t + 12);
				ep_pathf(out[*n].link, sizeof(out[*n].link), "%s", lp);
			}
			(*n)++;
		}
	}
	return 0;
}

/* Driver attributes in the order the driver needs them (table order), unknown ones after. */
static int order_rank(const struct ep_function *f, const struct ep_value *v)
{
	if (!f->dspec || !v->spec)
		return 1000;
	return (int)(v->spec - f->dspec->attrs);
}

static int plan_attrs(struct epdma_ctx *ctx, struct epdma_plan *plan, int fi,
		      const struct ep_function *f, const char *dir, bool exists, bool wildcard,
		      const struct ep_value *vals, size_t n, bool *changed)
{
	size_t done = 0;
	bool *used = calloc(n ? n : 1, sizeof(bool));
	int r = 0;

	if (!used)
		return -ENOMEM;
	/* stable selection sort by rank: n is small */
	while (done < n) {
		size_t best = n;

		for (size_t i = 0; i < n; i++)
			if (!used[i] && (best == n || order_rank(f, &vals[i]) < order_rank(f, &vals[best])))
				best = i;
		used[best] = true;
		done++;
		{
			const struct ep_value *v = &vals[best];
			char path[EP_PATH_MAX], live[EPDMA_ERR_MSG_MAX];
			bool have_live = false;

			r = ep_path_join(path, sizeof(path), dir, v->name);
			if (r < 0)
				break;
			if (exists && ep_read_attr(ctx, path, live, sizeof(live)) >= 0) {
				if (ep_values_equal(v, live))
					continue;
				have_live = true;
			}
			r = add_op(plan, EPDMA_OP_WRITE, fi, wildcard, path, v->text,
				   have_live ? live : NULL);
			if (r < 0)
				break;
			*changed = true;
		}
	}
	free(used);
	return r;
}

int ep_plan_build(struct epdma_ctx *ctx, const struct epdma_profile *p, struct epdma_plan **out,
		  struct epdma_error *err)
{
	struct ep_backend *b = ctx->backend;
	struct epdma_plan *plan;
	char cdir[EP_PATH_MAX], start_path[EP_PATH_MAX], live[64];
	bool *needs_link = NULL, *rebind = NULL, stop = false;
	struct ep_binding *bind_of = NULL;
	enum ep_node_type t;
	int r;

	if (p->role != EPDMA_ROLE_ENDPOINT)
		return ep_error_set(err, -EINVAL, p->file, "/role", "role", NULL,
				    "a host profile has nothing to do in configfs");
	plan = calloc(1, sizeof(*plan));
	needs_link = calloc(p->n_functions, sizeof(bool));
	rebind = calloc(p->n_functions, sizeof(bool));
	bind_of = calloc(p->n_functions, sizeof(*bind_of));
	if (!plan || !needs_link || !rebind || !bind_of) {
		r = -ENOMEM;
		goto fail;
	}
	plan->pci_ep_present = ep_pci_ep_present(ctx);
	if ((r = ep_path_join(cdir, sizeof(cdir), "controllers", p->controller)) < 0 ||
	    (r = ep_path_join(start_path, sizeof(start_path), cdir, "start")) < 0)
		goto fail;
	if (plan->pci_ep_present) {
		if (b->ops->stat(b, cdir, &t) < 0) {
			_cleanup_free_ struct ep_dirent *cs = NULL;
			char have[256] = "";
			size_t nc = 0, hl = 0;

			/* name the ones that exist: a typo is the usual cause */
			if (b->ops->list(b, "controllers", &cs, &nc) == 0)
				for (size_t i = 0; i < nc && hl < sizeof(have) - 1; i++)
					hl += (size_t)snprintf(have + hl, sizeof(have) - hl, "%s%s",
							       i ? ", " : "", cs[i].name);
			r = ep_error_set(err, -ENODEV, p->file, "/controller", "controller", cdir,
					 "endpoint controller \"%s\" not found (%s%s)", p->controller,
					 nc ? "present: " : "no controller is registered", have);
			goto fail;
		}
		plan->controller_started = ep_read_attr(ctx, start_path, live, sizeof(live)) >= 0 &&
					   !strcmp(live, "1");
	}

	/* pass 1: which functions exist, how they are bound, what must be written */
	for (size_t i = 0; i < p->n_functions; i++) {
		const struct ep_function *f = &p->functions[i];
		struct ep_binding binds[4];
		char ddir[EP_PATH_MAX], fdir[EP_PATH_MAX];
		size_t nb = 0;
		bool exists = false;

		if ((r = ep_path_join(ddir, sizeof(ddir), "functions", f->driver)) < 0 ||
		    (r = ep_path_join(fdir, sizeof(fdir), ddir, f->name)) < 0)
			goto fail;
		if (plan->pci_ep_present) {
			_cleanup_free_ char *ptr = ep_pointer_append(f->pointer, "driver");

			if (b->ops->stat(b, ddir, &t) < 0) {
				r = ep_error_set(err, -ENODEV, p->file, ptr, "driver", ddir,
						 "function driver \"%s\" is not available (load its "
						 "module)", f->driver);
				goto fail;
			}
			exists = b->ops->stat(b, fdir, &t) == 0;
		}
		if (exists) {
			ep_function_bindings(ctx, fdir, binds, ARRAY_SIZE(binds), &nb);
			for (size_t k = 0; k < nb && k < ARRAY_SIZE(binds); k++) {
				if (strcmp(binds[k].controller, p->controller)) {
					r = ep_error_set(err, -EBUSY, p->file, f->pointer, "bound",
							 binds[k].link,
							 "function \"%s\" is bound to controller \"%s\"; "
							 "clear it first", f->name,
							 binds[k].controller);
					goto fail;
				}
			}
			if (nb)
				bind_of[i] = binds[0];
		}
		needs_link[i] = nb == 0;
	}

	/* pass 2: attribute writes, into a scratch plan to learn which bound functions change */
	{
		struct epdma_plan body = { 0 };

		for (size_t i = 0; i < p->n_functions; i++) {
			const struct ep_function *f = &p->functions[i];
			char fdir[EP_PATH_MAX], sdir[EP_PATH_MAX], sub[256];
			bool exists = false, wildcard = false, changed = false;

			ep_pathf(fdir, sizeof(fdir), "functions/%s/%s", f->driver, f->name);
			if (plan->pci_ep_present)
				exists = b->ops->stat(b, fdir, &t) == 0;
			if (!exists) {
				r = add_op(&body, EPDMA_OP_MKDIR, (int)i, false, fdir, NULL, NULL);
				if (r < 0)
					goto body_fail;
			}
			r = plan_attrs(ctx, &body, (int)i, f, fdir, exists, false, f->attrs,
				       f->n_attrs, &changed);
			if (r < 0)
				goto body_fail;
			if (f->n_dattrs) {
				if (exists && ep_wait_subgroup(ctx, fdir, f->driver, sub,
							       sizeof(sub)) == 0) {
					ep_pathf(sdir, sizeof(sdir), "%s/%s", fdir, sub);
				} else {
					ep_pathf(sdir, sizeof(sdir), "%s/%s.%s", fdir, f->driver,
						 EP_SUBGROUP_WILDCARD);
					wildcard = true;
					exists = false;
				}
				r = plan_attrs(ctx, &body, (int)i, f, sdir, exists, wildcard,
					       f->dattrs, f->n_dattrs, &changed);
				if (r < 0)
					goto body_fail;
			}
			if (changed && !needs_link[i]) {
				/* the driver reads its attributes at bind time: rebind */
				rebind[i] = true;
				needs_link[i] = true;
				stop |= plan->controller_started;
			}
		}
		if (plan->controller_started && !p->start)
			stop = true;
		/* bind new functions with the controller stopped and start it again after, the
		 * same order as a first apply */
		for (size_t i = 0; i < p->n_functions; i++)
			stop |= plan->controller_started && needs_link[i];

		if (stop && (r = add_op(plan, EPDMA_OP_WRITE, -1, false, start_path, "0", "1")) < 0)
			goto body_fail;
		for (size_t i = 0; i < p->n_functions; i++) {
			char lt[EP_PATH_MAX];

			if (!rebind[i])
				continue;
			/* the link's target is kept as "old" so that undo can relink */
			if (b->ops->readlink(b, bind_of[i].link, lt, sizeof(lt)) < 0)
				lt[0] = '\0';
			r = add_op(plan, EPDMA_OP_UNLINK, (int)i, false, bind_of[i].link, NULL, lt);
			if (r < 0)
				goto body_fail;
		}
		/* move the body in */
		for (size_t i = 0; i < body.n; i++) {
			struct ep_op *op = &body.ops[i];

			r = add_op(plan, op->pub.type, op->function, op->wildcard, op->path,
				   op->value, op->old);
			if (r < 0)
				goto body_fail;
		}
		for (size_t i = 0; i < p->n_functions; i++) {
			const struct ep_function *f = &p->functions[i];
			char fdir[EP_PATH_MAX], link[EP_PATH_MAX];

			if (!needs_link[i])
				continue;
			ep_pathf(fdir, sizeof(fdir), "functions/%s/%s", f->driver, f->name);
			if (rebind[i])
				ep_pathf(link, sizeof(link), "%s", bind_of[i].link);
			else
				ep_pathf(link, sizeof(link), "%s/%s", cdir, f->name);
			if (strncmp(link, "controllers/", 12) == 0)
				r = add_op(plan, EPDMA_OP_LINK, (int)i, false, link, fdir, NULL);
			else
				r = add_op(plan, EPDMA_OP_LINK, (int)i, false, link, cdir, NULL);
			if (r < 0)
				goto body_fail;
		}
		if (p->start && (!plan->controller_started || stop))
			r = add_op(plan, EPDMA_OP_WRITE, -1, false, start_path, "1",
				   plan->pci_ep_present ? "0" : NULL);
body_fail:
		for (size_t i = 0; i < body.n; i++) {
			free(body.ops[i].path);
			free(body.ops[i].value);
			free(body.ops[i].old);
		}
		free(body.ops);
		if (r < 0)
			goto fail;
	}
	free(needs_link);
	free(rebind);
	free(bind_of);
	*out = plan;
	return 0;
fail:
	free(needs_link);
	free(rebind);
	free(bind_of);
	epdma_plan_free(plan);
	if (r == -ENOMEM)
		ep_error_set(err, r, p->file, NULL, "internal", NULL, "out of memory");
	return r;
}

int epdma_plan_new(struct epdma_ctx *ctx, const struct epdma_profile *p, struct epdma_plan **out,
		   struct epdma_error *err)
{
	return ep_plan_build(ctx, p, out, err);
}
