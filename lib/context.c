// SPDX-License-Identifier: LGPL-2.1-or-later
/* The library context: roots, logging and the configfs backend. */
#include <stdarg.h>
#include <sys/stat.h>

#include "epdma-private.h"

#define DEFAULT_SUBGROUP_TIMEOUT_MS 2000

void ep_log(struct epdma_ctx *ctx, int priority, const char *file, int line, const char *fn,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx->log_fn(ctx->log_data, priority, file, line, fn, fmt, ap);
	va_end(ap);
}

static int set_dir(char *dst, const char *prefix, const char *dir)
{
	char tmp[EP_PATH_MAX];
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s%s", prefix ? prefix : "", dir);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(dst, tmp, (size_t)n + 1);
	return 0;
}

static int update_pci_ep(struct epdma_ctx *ctx)
{
	return ep_path_join(ctx->pci_ep, sizeof(ctx->pci_ep), ctx->configfs, "pci_ep");
}

int epdma_ctx_set_root(struct epdma_ctx *ctx, const char *prefix)
{
	char p[EP_PATH_MAX];
	size_t len;
	int r;

	if (!prefix)
		prefix = "";
	r = ep_strlcpy(p, prefix, sizeof(p));
	if (r < 0)
		return r;
	/* "/tmp/x/" and "/tmp/x" are the same prefix; "/" means no prefix */
	len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		p[--len] = '\0';
	if ((r = set_dir(ctx->configfs, p, "/sys/kernel/config")) < 0 ||
	    (r = set_dir(ctx->sysfs, p, "/sys")) < 0 ||
	    (r = set_dir(ctx->debugfs, p, "/sys/kernel/debug")) < 0 ||
	    (r = set_dir(ctx->run_dir, p, "/run/epdma")) < 0 ||
	    (r = update_pci_ep(ctx)) < 0)
		return r;
	memcpy(ctx->root, p, len + 1);
	return 0;
}

static int set_abs(char *dst, size_t size, const char *dir)
{
	if (!dir || dir[0] != '/')
		return -EINVAL;
	return ep_strlcpy(dst, dir, size);
}

int epdma_ctx_set_configfs_root(struct epdma_ctx *ctx, const char *dir)
{
	int r = set_abs(ctx->configfs, sizeof(ctx->configfs), dir);

	return r < 0 ? r : update_pci_ep(ctx);
}

int epdma_ctx_set_sysfs_root(struct epdma_ctx *ctx, const char *dir)
{
	return set_abs(ctx->sysfs, sizeof(ctx->sysfs), dir);
}

int epdma_ctx_set_debugfs_root(struct epdma_ctx *ctx, const char *dir)
{
	return set_abs(ctx->debugfs, sizeof(ctx->debugfs), dir);
}

int epdma_ctx_set_run_dir(struct epdma_ctx *ctx, const char *dir)
{
	return set_abs(ctx->run_dir, sizeof(ctx->run_dir), dir);
}

const char *epdma_ctx_get_root(const struct epdma_ctx *ctx)
{
	return ctx->root;
}

const char *epdma_ctx_get_configfs_root(const struct epdma_ctx *ctx)
{
	return ctx->configfs;
}

const char *epdma_ctx_get_pci_ep_root(const struct epdma_ctx *ctx)
{
	return ctx->pci_ep;
}

const char *epdma_ctx_get_sysfs_root(const struct epdma_ctx *ctx)
{
	return ctx->sysfs;
}

const char *epdma_ctx_get_debugfs_root(const struct epdma_ctx *ctx)
{
	return ctx->debugfs;
}

const char *epdma_ctx_get_run_dir(const struct epdma_ctx *ctx)
{
	return ctx->run_dir;
}

void epdma_ctx_set_log_fn(struct epdma_ctx *ctx, epdma_log_fn fn, void *userdata)
{
	ctx->log_fn = fn;
	ctx->log_data = userdata;
}

void epdma_ctx_set_log_priority(struct epdma_ctx *ctx, int priority)
{
	ctx->log_priority = priority;
}

int epdma_ctx_get_log_priority(const struct epdma_ctx *ctx)
{
	return ctx->log_priority;
}

void epdma_ctx_set_subgroup_timeout_ms(struct epdma_ctx *ctx, unsigned int ms)
{
	ctx->subgroup_timeout_ms = ms;
}

struct ep_backend *ep_ctx_backend(struct epdma_ctx *ctx)
{
	return ctx->backend;
}

void ep_ctx_set_backend(struct epdma_ctx *ctx, struct ep_backend *b)
{
	if (ctx->backend && ctx->backend->ops->free)
		ctx->backend->ops->free(ctx->backend);
	ctx->backend = b;
}

bool ep_pci_ep_present(struct epdma_ctx *ctx)
{
	enum ep_node_type t;

	return ctx->backend->ops->stat(ctx->backend, "", &t) == 0 && t == EP_NODE_DIR;
}

int epdma_ctx_new(struct epdma_ctx **out)
{
	struct epdma_ctx *ctx;
	struct ep_backend *b;
	const char *env;
	int r;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->log_priority = 3;
	ctx->subgroup_timeout_ms = DEFAULT_SUBGROUP_TIMEOUT_MS;
	r = epdma_ctx_set_root(ctx, secure_getenv("EPDMA_ROOT"));
	if (r < 0)
		goto fail;
	r = ep_backend_fs_new(ctx, &b);
	if (r < 0)
		goto fail;
	ctx->backend = b;
	env = secure_getenv("EPDMA_FAKE_CONFIGFS");
	if (env && env[0]) {
		r = epdma_ctx_use_fake_configfs(ctx, env);
		if (r < 0)
			goto fail;
	}
	*out = ctx;
	return 0;
fail:
	epdma_ctx_free(ctx);
	return r;
}

void epdma_ctx_free(struct epdma_ctx *ctx)
{
	if (!ctx)
		return;
	ep_ctx_set_backend(ctx, NULL);
	free(ctx);
}
