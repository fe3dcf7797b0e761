/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal helpers of libepdma: cleanup attributes, the context layout, error and logging
 * helpers, and the configfs backend interface. Internal symbols use the ep_ prefix so that
 * the version script exports only epdma_*.
 */
#ifndef EPDMA_PRIVATE_H
#define EPDMA_PRIVATE_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "epdma.h"

#define _cleanup_(f)	__attribute__((cleanup(f)))
#define _printf_(a, b)	__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static inline void ep_freep(void *p)
{
	free(*(void **)p);
}

static inline void ep_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void ep_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void ep_json_putp(struct json_object **o)
{
	json_object_put(*o);
}

#define _cleanup_free_	 _cleanup_(ep_freep)
#define _cleanup_close_	 _cleanup_(ep_closep)
#define _cleanup_fclose_ _cleanup_(ep_fclosep)
#define _cleanup_json_	 _cleanup_(ep_json_putp)

/* Take ownership out of a cleanup variable. */
#define TAKE_PTR(p)                          \
	({                                   \
		typeof(p) _tmp_ = (p);       \
		(p) = NULL;                  \
		_tmp_;                       \
	})

#define EP_PATH_MAX 1024

struct ep_backend;

struct epdma_ctx {
	epdma_log_fn log_fn;
	void *log_data;
	int log_priority;
	char root[EP_PATH_MAX];
	char configfs[EP_PATH_MAX];
	char pci_ep[EP_PATH_MAX];
	char sysfs[EP_PATH_MAX];
	char debugfs[EP_PATH_MAX];
	char run_dir[EP_PATH_MAX];
	unsigned int subgroup_timeout_ms;
	struct ep_backend *backend;	/* NULL until first use: real filesystem */
};

void ep_log(struct epdma_ctx *ctx, int priority, const char *file, int line, const char *fn,
	    const char *fmt, ...) _printf_(6, 7);

#define ep_log_cond(ctx, prio, ...)                                                            \
	do {                                                                                   \
		if ((ctx) && (ctx)->log_fn && (ctx)->log_priority >= (prio))                   \
			ep_log(ctx, prio, __FILE__, __LINE__, __func__, __VA_ARGS__);          \
	} while (0)
#define ep_err(ctx, ...)   ep_log_cond(ctx, 3, __VA_ARGS__)
#define ep_info(ctx, ...)  ep_log_cond(ctx, 6, __VA_ARGS__)
#define ep_dbg(ctx, ...)   ep_log_cond(ctx, 7, __VA_ARGS__)

/*
 * ep_error_set() - fill @err (may be NULL) and return @code (a negative errno), so callers
 * can write "return ep_error_set(err, -EINVAL, ...)". @file/@pointer/@path may be NULL.
 */
int ep_error_set(struct epdma_error *err, int code, const char *file, const char *pointer,
		 const char *rule, const char *path, const char *fmt, ...) _printf_(7, 8);
void ep_error_clear(struct epdma_error *err);
/* Append to err->message (truncating: it is a human sentence). */
void ep_error_append(struct epdma_error *err, const char *fmt, ...) _printf_(2, 3);

/* Bounded string helpers. */
int ep_strlcpy(char *dst, const char *src, size_t size);	/* -ENAMETOOLONG on truncation */
int ep_path_join(char *dst, size_t size, const char *a, const char *b);
char *ep_strdup_printf(const char *fmt, ...) _printf_(1, 2);
/* snprintf that reports truncation as -ENAMETOOLONG (paths must never be cut short). */
int ep_pathf(char *dst, size_t size, const char *fmt, ...) _printf_(3, 4);

/* Is @name usable as one configfs path component? (no '/', not "." or "..", printable). */
bool ep_name_is_safe(const char *name, size_t max);

/* ---- backend: the pci_ep configfs tree, real or modelled ---- */

enum ep_node_type {
	EP_NODE_NONE,
	EP_NODE_DIR,
	EP_NODE_FILE,
	EP_NODE_LINK,
};

struct ep_dirent {
	char name[256];
	enum ep_node_type type;
};

/*
 * All paths are relative to the pci_ep root ("functions/pci_epf_test/func1/vendorid").
 * Every call returns 0 (or a length) or a negative errno, like the system calls it models.
 */
struct ep_backend_ops {
	int (*stat)(struct ep_backend *b, const char *path, enum ep_node_type *type);
	int (*list)(struct ep_backend *b, const char *path, struct ep_dirent **ents, size_t *n);
	/* read: at most size-1 bytes, NUL-terminated, trailing newline removed; returns length */
	int (*read)(struct ep_backend *b, const char *path, char *buf, size_t size);
	int (*write)(struct ep_backend *b, const char *path, const char *value);
	int (*mkdir)(struct ep_backend *b, const char *path);
	int (*rmdir)(struct ep_backend *b, const char *path);
	/* target is relative to the pci_ep root too */
	int (*symlink)(struct ep_backend *b, const char *target, const char *linkpath);
	int (*readlink)(struct ep_backend *b, const char *path, char *buf, size_t size);
	int (*unlink)(struct ep_backend *b, const char *path);
	/* persist (fake with a state file); may be NULL */
	int (*sync)(struct ep_backend *b);
	void (*free)(struct ep_backend *b);
};

struct ep_backend {
	const struct ep_backend_ops *ops;
	struct epdma_ctx *ctx;
};

int ep_backend_fs_new(struct epdma_ctx *ctx, struct ep_backend **out);
struct ep_backend *ep_ctx_backend(struct epdma_ctx *ctx);	/* never NULL after ctx_new */
void ep_ctx_set_backend(struct epdma_ctx *ctx, struct ep_backend *b);	/* takes ownership */
bool ep_pci_ep_present(struct epdma_ctx *ctx);

#endif /* EPDMA_PRIVATE_H */
