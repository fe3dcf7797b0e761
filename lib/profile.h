/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The validated profile model and the attribute tables of the known function drivers. */
#ifndef EPDMA_PROFILE_H
#define EPDMA_PROFILE_H

#include "epdma-private.h"

/* How a typed attribute is checked, written and compared. */
enum ep_attr_flags {
	EP_A_HEX = 1 << 0,	/* the kernel shows it in hex; export writes "0x..." */
	EP_A_MW = 1 << 1,	/* belongs to memory window @mw (mwN, mwN_bar, mwN_offset) */
	EP_A_BAR = 1 << 2,	/* a BAR number */
	EP_A_NUM_MWS = 1 << 3,	/* num_mws itself */
};

struct ep_attr_spec {
	const char *name;
	uint64_t min, max;
	unsigned int flags;
	int mw;			/* 1..4 with EP_A_MW */
};

struct ep_driver_spec {
	const char *name;
	const struct ep_attr_spec *attrs;	/* in the order apply writes them */
	size_t n_attrs;
	bool has_subgroup;	/* the driver adds a <driver>.N configfs group */
};

extern const struct ep_attr_spec ep_header_attrs[];
extern const size_t ep_n_header_attrs;

const struct ep_driver_spec *ep_driver_lookup(const char *driver);
const struct ep_attr_spec *ep_attr_lookup(const struct ep_attr_spec *tab, size_t n,
					  const char *name);

struct ep_value {
	char *name;
	const struct ep_attr_spec *spec;	/* NULL: attribute of an unknown driver */
	bool is_num;
	bool json_int;	/* unknown drivers: the profile gave a JSON integer */
	uint64_t num;
	char *text;	/* exactly what is written to the file */
	char *pointer;	/* JSON pointer in the profile */
};

struct ep_function {
	char *name;
	char *driver;
	const struct ep_driver_spec *dspec;	/* NULL for unknown drivers */
	struct ep_value *attrs;
	size_t n_attrs;
	struct ep_value *dattrs;
	size_t n_dattrs;
	char *pointer;
};

struct epdma_profile {
	char *file;
	char *name;
	char *description;
	enum epdma_role role;
	/* endpoint */
	char *controller;
	bool start;
	struct ep_function *functions;
	size_t n_functions;
	/* host */
	bool has_match;
	uint16_t match_vendor, match_device;
	char **modules;
	size_t n_modules;
};

/* profile-parse.c: bounded read, UTF-8, json-c, duplicate keys. */
struct ep_diag {
	const char *file;
	struct epdma_error *errs;
	size_t max;
	size_t count;
};

void ep_diag_add(struct ep_diag *d, const char *pointer, const char *rule, const char *fmt, ...)
	_printf_(4, 5);
int ep_profile_read_file(const char *path, char **buf, size_t *len, struct epdma_error *err);
int ep_profile_parse(const char *buf, size_t len, struct ep_diag *d, struct json_object **out);

/* profile-validate.c: typed model from the parsed JSON; errors go to @d. */
int ep_profile_build(struct json_object *root, struct ep_diag *d, struct epdma_profile **out);

/* Parse a number as the kernel's kstrtou64(s, 0) does (no sign, optional trailing newline). */
int ep_parse_u64(const char *s, uint64_t *v);

/* Append "/token" (escaped per RFC 6901) to a JSON pointer. */
char *ep_pointer_append(const char *base, const char *token);
char *ep_pointer_index(const char *base, size_t i);

/* profile-plan.c helpers shared with diff and export. */
#define EP_SUBGROUP_WILDCARD "*"
int ep_find_subgroup(struct epdma_ctx *ctx, const char *fdir, const char *driver, char *out,
		     size_t size);

/*
 * The live binding of a function: the link that binds it to a controller, either
 * controllers/<c>/<link> -> functions/<d>/<f> or functions/<d>/<f>/primary/<c> -> controllers/<c>.
 */
struct ep_binding {
	char controller[256];
	char link[EP_PATH_MAX];
};

int ep_function_bindings(struct epdma_ctx *ctx, const char *fdir, struct ep_binding *out,
			 size_t max, size_t *n);
int ep_read_attr(struct epdma_ctx *ctx, const char *path, char *buf, size_t size);
bool ep_values_equal(const struct ep_value *v, const char *live);

#endif
