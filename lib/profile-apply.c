// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Apply as a transaction, and clear. Every operation that succeeds is journalled with its
 * inverse; when one fails, the journal is undone in reverse (start=0, unlink, old values
 * written back, rmdir), so the tree is left as it was found, and the error names the
 * operation and the errno the kernel returned. Applies are serialised by a lock file.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "plan.h"

struct undo {
	enum epdma_op_type type;	/* the inverse operation to run */
	char *path;
	char *value;
};

struct journal {
	struct undo *u;
	size_t n, cap;
};

static void journal_free(struct journal *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free(j->u[i].path);
		free(j->u[i].value);
	}
	free(j->u);
}

static int journal_push(struct journal *j, enum epdma_op_type type, const char *path,
			const char *value)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 32;
		struct undo *n = realloc(j->u, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		j->u = n;
		j->cap = cap;
	}
	j->u[j->n].type = type;
	j->u[j->n].path = strdup(path);
	j->u[j->n].value = value ? strdup(value) : NULL;
	if (!j->u[j->n].path || (value && !j->u[j->n].value)) {
		free(j->u[j->n].path);
		free(j->u[j->n].value);
		return -ENOMEM;
	}
	j->n++;
	return 0;
}

static int mkdir_p(const char *dir)
{
	char buf[EP_PATH_MAX];

	if (ep_strlcpy(buf, dir, sizeof(buf)) < 0)
		return -ENAMETOOLONG;
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int ep_lock_apply(struct epdma_ctx *ctx, int *fd, struct epdma_error *err)
{
	char path[EP_PATH_MAX];
	int r;

	r = mkdir_p(ctx->run_dir);
	if (r < 0)
		return ep_error_set(err, r, NULL, NULL, "lock", NULL,
				    "cannot create %s: %s", ctx->run_dir, strerror(-r));
	r = ep_path_join(path, sizeof(path), ctx->run_dir, "apply.lock");
	if (r < 0)
		return r;
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return ep_error_set(err, -errno, NULL, NULL, "lock", NULL, "cannot open %s: %s",
				    path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(*fd);
		*fd = -1;
		return ep_error_set(err, r, NULL, NULL, "lock", NULL,
				    "another apply or clear holds %s", path);
	}
	return 0;
}

static int run_op(struct ep_backend *b, enum epdma_op_type type, const char *path,
		  const char *value)
{
	switch (type) {
	case EPDMA_OP_MKDIR:
		return b->ops->mkdir(b, path);
	case EPDMA_OP_WRITE:
		return b->ops->write(b, path, value);
	case EPDMA_OP_LINK:
		return b->ops->symlink(b, value, path);
	case EPDMA_OP_UNLINK:
		return b->ops->unlink(b, path);
	case EPDMA_OP_RMDIR:
		return b->ops->rmdir(b, path);
	}
	return -EINVAL;
}

static bool under(const char *path, const char *dir)
{
	size_t l = strlen(dir);

	return !strncmp(path, dir, l) && path[l] == '/';
}

/* Undo in reverse; writes inside a directory that undo removes anyway are skipped. */
static unsigned int rollback(struct epdma_ctx *ctx, struct journal *j, size_t *undone,
			     char *first_fail, size_t size)
{
	struct ep_backend *b = ctx->backend;
	unsigned int errors = 0;

	*undone = 0;
	for (size_t i = j->n; i-- > 0;) {
		struct undo *u = &j->u[i];
		bool skip = false;
		int r;

		if (u->type == EPDMA_OP_WRITE) {
			for (size_t k = 0; k < i && !skip; k++)
				skip = j->u[k].type == EPDMA_OP_RMDIR && under(u->path, j->u[k].path);
		}
		if (skip)
			continue;
		r = run_op(b, u->type, u->path, u->value);
		/* start=0 on a stopped controller is EALREADY: already as before */
		if (r < 0 && r != -EALREADY) {
			ep_err(ctx, "undo %s %s failed: %s", epdma_op_type_name(u->type), u->path,
			       strerror(-r));
			if (!errors && first_fail)
				snprintf(first_fail, size, "%s %s: %s", epdma_op_type_name(u->type),
					 u->path, strerror(-r));
			errors++;
		} else {
			(*undone)++;
		}
	}
	return errors;
}

static int record_profile(struct epdma_ctx *ctx, const struct epdma_profile *p)
{
	char dir[EP_PATH_MAX], path[EP_PATH_MAX], tmp[EP_PATH_MAX + 8];
	_cleanup_free_ char *json = NULL;
	FILE *f;
	int r;

	if ((r = ep_path_join(dir, sizeof(dir), ctx->run_dir, "profiles")) < 0 ||
	    (r = ep_pathf(path, sizeof(path), "%s/%s.json", dir, p->name)) < 0 ||
	    (r = ep_pathf(tmp, sizeof(tmp), "%s.tmp", path)) < 0 || (r = mkdir_p(dir)) < 0 ||
	    (r = epdma_profile_to_json(p, true, &json)) < 0)
		return r;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fputs(json, f);
	fputc('\n', f);
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		return -errno;
	return 0;
}

static int describe_op(char *buf, size_t size, const struct ep_op *op)
{
	if (op->pub.type == EPDMA_OP_WRITE)
		return snprintf(buf, size, "write \"%s\" to %s", op->value, op->path);
	if (op->pub.type == EPDMA_OP_LINK)
		return snprintf(buf, size, "link %s -> %s", op->path, op->value);
	return snprintf(buf, size, "%s %s", epdma_op_type_name(op->pub.type), op->path);
}

int epdma_profile_apply(struct epdma_ctx *ctx, const struct epdma_profile *p, unsigned int flags,
			struct epdma_apply_report *report, struct epdma_error *err)
{
	struct ep_backend *b = ctx->backend;
	struct epdma_apply_report rep = { .failed_op = -1 };
	struct epdma_plan *plan = NULL;
	struct journal j = { 0 };
	_cleanup_close_ int lock = -1;
	int r;

	ep_error_clear(err);
	if (p->role != EPDMA_ROLE_ENDPOINT)
		return ep_error_set(err, -EINVAL, p->file, "/role", "role", NULL,
				    "a host profile has nothing to apply in configfs");
	if (!ep_pci_ep_present(ctx))
		return ep_error_set(err, -ENODEV, p->file, NULL, "configfs", NULL,
				    "no pci_ep configfs at %s (is configfs mounted and "
				    "CONFIG_PCI_ENDPOINT_CONFIGFS enabled?)", ctx->pci_ep);
	r = ep_lock_apply(ctx, &lock, err);
	if (r < 0)
		return r;
	r = ep_plan_build(ctx, p, &plan, err);
	if (r < 0)
		return r;
	rep.ops_total = plan->n;
	if (flags & EPDMA_APPLY_DRY_RUN)
		goto out;

	for (size_t i = 0; i < plan->n; i++) {
		struct ep_op *op = &plan->ops[i];
		char what[EP_PATH_MAX + 128];

		if (op->wildcard) {
			const struct ep_function *f = &p->functions[op->function];
			char fdir[EP_PATH_MAX], sub[256];

			snprintf(fdir, sizeof(fdir), "functions/%s/%s", f->driver, f->name);
			r = ep_wait_subgroup(ctx, fdir, f->driver, sub, sizeof(sub));
			if (r < 0) {
				rep.failed_op = (long)i;
				ep_error_set(err, r, p->file, f->pointer, "subgroup", fdir,
					     "the %s.N group did not appear under the new function "
					     "within %u ms: %s", f->driver, ctx->subgroup_timeout_ms,
					     strerror(-r));
				goto failed;
			}
			r = ep_plan_resolve(plan, i, op->function, fdir, sub);
			if (r < 0)
				goto failed_nomsg;
		}
		ep_dbg(ctx, "op %zu/%zu: %s %s", i + 1, plan->n, epdma_op_type_name(op->pub.type),
		       op->path);
		r = run_op(b, op->pub.type, op->path, op->value);
		if (r < 0) {
			rep.failed_op = (long)i;
			describe_op(what, sizeof(what), op);
			ep_error_set(err, r, p->file, NULL, "kernel", op->path,
				     "operation %zu of %zu failed: %s: %s", i + 1, plan->n, what,
				     strerror(-r));
			/* the two mistakes the bare errno hides best */
			if (r == -ENOENT && op->pub.type == EPDMA_OP_WRITE)
				ep_error_append(err, " (this kernel has no such attribute)");
			else if (r == -EACCES || r == -EPERM)
				ep_error_append(err, " (configfs needs root)");
			goto failed;
		}
		rep.ops_done++;
		switch (op->pub.type) {
		case EPDMA_OP_MKDIR:
			r = journal_push(&j, EPDMA_OP_RMDIR, op->path, NULL);
			break;
		case EPDMA_OP_WRITE:
			/* an unreadable old value (mwN beyond num_mws) cannot be restored; the
			 * kernel hides it again when num_mws is restored */
			if (op->old)
				r = journal_push(&j, EPDMA_OP_WRITE, op->path, op->old);
			else
				r = 0;
			break;
		case EPDMA_OP_LINK:
			r = journal_push(&j, EPDMA_OP_UNLINK, op->path, NULL);
			break;
		case EPDMA_OP_UNLINK:
			r = journal_push(&j, EPDMA_OP_LINK, op->path, op->old);
			break;
		case EPDMA_OP_RMDIR:
			r = 0;
			break;
		}
		if (r < 0) {
			rep.failed_op = (long)i;
			goto failed_nomsg;
		}
	}
	if (b->ops->sync)
		b->ops->sync(b);
	r = record_profile(ctx, p);
	if (r < 0)
		ep_err(ctx, "could not record profile %s under %s: %s", p->name, ctx->run_dir,
		       strerror(-r));
	r = 0;
	goto out;

failed_nomsg:
	ep_error_set(err, r, p->file, NULL, "internal", NULL, "%s", strerror(-r));
failed:
	{
		char first[EP_PATH_MAX + 64] = "";
		size_t undone = 0;	/* undo steps run; writes into removed functions need none */

		rep.rollback_errors = rollback(ctx, &j, &undone, first, sizeof(first));
		rep.rolled_back = rep.rollback_errors == 0;
		if (rep.rollback_errors)
			ep_error_append(err, "; rollback INCOMPLETE, %u undo step(s) failed, first: %s",
					rep.rollback_errors, first);
		else
			ep_error_append(err, "; rolled back %zu operation(s), the tree is as before",
					rep.ops_done);
		if (b->ops->sync)
			b->ops->sync(b);
	}
out:
	journal_free(&j);
	epdma_plan_free(plan);
	if (report)
		*report = rep;
	return r;
}

/* ---- clear ---- */

static int find_function(struct epdma_ctx *ctx, const char *name, char *fdir, size_t size)
{
	struct ep_backend *b = ctx->backend;
	_cleanup_free_ struct ep_dirent *drv = NULL;
	size_t n = 0;
	enum ep_node_type t;
	int r;

	r = b->ops->list(b, "functions", &drv, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (drv[i].type != EP_NODE_DIR)
			continue;
		if (ep_pathf(fdir, size, "functions/%s/%s", drv[i].name, name) == 0 &&
		    b->ops->stat(b, fdir, &t) == 0 && t == EP_NODE_DIR)
			return 0;
	}
	return -ENOENT;
}

/* Is any function still bound to controller @c (either way of linking)? */
static bool controller_in_use(struct epdma_ctx *ctx, const char *c)
{
	struct ep_backend *b = ctx->backend;
	_cleanup_free_ struct ep_dirent *drv = NULL;
	size_t nd = 0;

	if (b->ops->list(b, "functions", &drv, &nd) < 0)
		return false;
	for (size_t i = 0; i < nd; i++) {
		_cleanup_free_ struct ep_dirent *fns = NULL;
		char ddir[EP_PATH_MAX];
		size_t nf = 0;

		if (ep_pathf(ddir, sizeof(ddir), "functions/%s", drv[i].name) < 0 ||
		    b->ops->list(b, ddir, &fns, &nf) < 0)
			continue;
		for (size_t k = 0; k < nf; k++) {
			struct ep_binding binds[4];
			char fdir[EP_PATH_MAX];
			size_t nb = 0;

			if (ep_pathf(fdir, sizeof(fdir), "%s/%s", ddir, fns[k].name) < 0)
				continue;
			ep_function_bindings(ctx, fdir, binds, ARRAY_SIZE(binds), &nb);
			for (size_t x = 0; x < nb && x < ARRAY_SIZE(binds); x++)
				if (!strcmp(binds[x].controller, c))
					return true;
		}
	}
	return false;
}

int epdma_clear(struct epdma_ctx *ctx, const char *name, size_t *ops_done,
		struct epdma_error *err)
{
	struct ep_backend *b = ctx->backend;
	struct epdma_profile *p = NULL;
	char rec[EP_PATH_MAX];
	char (*fdirs)[EP_PATH_MAX] = NULL;
	char stopped[8][256];
	size_t nf = 0, done = 0, nstopped = 0;
	_cleanup_close_ int lock = -1;
	bool have_record;
	int r;

	ep_error_clear(err);
	if (!ep_name_is_safe(name, EPDMA_NAME_MAX))
		return ep_error_set(err, -EINVAL, NULL, NULL, "name", NULL,
				    "\"%s\" is not a valid profile or function name", name);
	if (!ep_pci_ep_present(ctx))
		return ep_error_set(err, -ENODEV, NULL, NULL, "configfs", NULL,
				    "no pci_ep configfs at %s", ctx->pci_ep);
	r = ep_lock_apply(ctx, &lock, err);
	if (r < 0)
		return r;
	r = ep_pathf(rec, sizeof(rec), "%s/profiles/%s.json", ctx->run_dir, name);
	if (r < 0)
		return r;
	have_record = access(rec, F_OK) == 0;
	if (have_record) {
		struct epdma_error perr;

		r = epdma_profile_load(ctx, rec, &p, &perr);
		if (r < 0) {
			if (err)
				*err = perr;
			return r;
		}
		fdirs = calloc(p->n_functions ? p->n_functions : 1, sizeof(*fdirs));
		if (!fdirs) {
			epdma_profile_free(p);
			return -ENOMEM;
		}
		for (size_t i = 0; i < p->n_functions; i++) {
			enum ep_node_type t;

			ep_pathf(fdirs[nf], sizeof(fdirs[nf]), "functions/%s/%s",
				 p->functions[i].driver, p->functions[i].name);
			if (b->ops->stat(b, fdirs[nf], &t) == 0)
				nf++;
		}
		epdma_profile_free(p);
	} else {
		fdirs = calloc(1, sizeof(*fdirs));
		if (!fdirs)
			return -ENOMEM;
		if (find_function(ctx, name, fdirs[0], sizeof(fdirs[0])) < 0) {
			free(fdirs);
			return ep_error_set(err, -ENOENT, NULL, NULL, "not-found", NULL,
					    "no applied profile and no function named \"%s\"", name);
		}
		nf = 1;
	}

	/* stop every controller a function is bound to, then unlink, then rmdir */
	for (int pass = 0; pass < 3 && r >= 0; pass++) {
		for (size_t i = 0; i < nf && r >= 0; i++) {
			struct ep_binding binds[8];
			size_t nb = 0;

			if (pass < 2)
				ep_function_bindings(ctx, fdirs[i], binds, ARRAY_SIZE(binds), &nb);
			for (size_t k = 0; pass < 2 && k < nb && k < ARRAY_SIZE(binds); k++) {
				char sp[EP_PATH_MAX], live[16];

				if (pass == 1) {
					r = b->ops->unlink(b, binds[k].link);
					if (r < 0) {
						ep_error_set(err, r, NULL, NULL, "kernel",
							     binds[k].link, "unlink %s failed: %s",
							     binds[k].link, strerror(-r));
						break;
					}
					done++;
					continue;
				}
				ep_pathf(sp, sizeof(sp), "controllers/%s/start", binds[k].controller);
				if (b->ops->read(b, sp, live, sizeof(live)) < 0 || strcmp(live, "1"))
					continue;
				r = b->ops->write(b, sp, "0");
				if (r < 0) {
					ep_error_set(err, r, NULL, NULL, "kernel", sp,
						     "stopping the controller failed: %s", strerror(-r));
					break;
				}
				if (nstopped < ARRAY_SIZE(stopped))
					ep_pathf(stopped[nstopped++], sizeof(stopped[0]), "%s",
						 binds[k].controller);
				done++;
			}
			if (pass == 2) {
				r = b->ops->rmdir(b, fdirs[i]);
				if (r < 0) {
					ep_error_set(err, r, NULL, NULL, "kernel", fdirs[i],
						     "rmdir %s failed: %s", fdirs[i], strerror(-r));
					break;
				}
				done++;
			}
		}
	}
	free(fdirs);
	/* a controller that still serves other functions is started again */
	for (size_t i = 0; r >= 0 && i < nstopped; i++) {
		char sp[EP_PATH_MAX];

		if (!controller_in_use(ctx, stopped[i]))
			continue;
		ep_pathf(sp, sizeof(sp), "controllers/%s/start", stopped[i]);
		r = b->ops->write(b, sp, "1");
		if (r < 0)
			ep_error_set(err, r, NULL, NULL, "kernel", sp,
				     "functions were removed, but restarting %s for the functions "
				     "still bound to it failed: %s", stopped[i], strerror(-r));
		else
			done++;
	}
	if (r >= 0) {
		r = 0;
		if (have_record)
			unlink(rec);
	}
	if (b->ops->sync)
		b->ops->sync(b);
	if (ops_done)
		*ops_done = done;
	return r;
}
