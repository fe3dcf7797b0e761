// SPDX-License-Identifier: LGPL-2.1-or-later
/* The fake configfs backend (see backend-fake.h for what it models). */
#include <fcntl.h>
#include <sys/stat.h>

#include "backend-fake.h"
#include "profile.h"

enum fkind {
	K_PLAIN,
	K_DRIVER,
	K_FUNCTION,
	K_SUBGROUP,
	K_PRIMARY,	/* primary/ and secondary/: link a controller here */
	K_CONTROLLER,
};

enum fattr {
	A_HDR8,		/* header u8, shown 0x%04x */
	A_HDR16,	/* header u16, shown 0x%04x */
	A_MSI,		/* u8, shown %d */
	A_MSIX,		/* u16, shown %d */
	A_U32,		/* vntb/ntb counters, u32 shown %d (kstrtou32 errors as is) */
	A_NUM_MWS,	/* u32 <= 4 */
	A_MW,		/* u64 window size, index checked on show and store */
	A_MW_OFFSET,	/* u32, index checked, ERANGE */
	A_BAR,		/* int -1..5, shown %d */
	A_TEXT,		/* free-form (unknown drivers) */
	A_START,	/* controllers/<c>/start */
};

struct fnode {
	char name[256];
	enum ep_node_type type;
	enum fkind kind;
	struct fnode *parent, *child, *next;
	/* files */
	enum fattr attr;
	int mw;
	int64_t num;
	char text[EPDMA_ERR_MSG_MAX];
	/* links */
	char target[EP_PATH_MAX];
	/* functions */
	int index;
	unsigned int pending;	/* lookups before the subgroups appear */
	unsigned int bound;	/* links that bind it */
	/* controllers */
	bool started;
};

struct ep_fake {
	struct ep_backend base;	/* first: the backend pointer is the fake */
	struct fnode *root;
	unsigned int delay;
	unsigned int mutations;
	unsigned int fail_at;	/* absolute mutation number, 0 = never */
	int fail_err;
	int fail_start;
	unsigned int warnings;
	char *state_file;
};

static struct ep_fake *to_fake(struct ep_backend *b)
{
	return (struct ep_fake *)b;
}

static struct fnode *node_new(struct fnode *parent, const char *name, enum ep_node_type type,
			      enum fkind kind)
{
	struct fnode *n = calloc(1, sizeof(*n)), **pp;

	if (!n)
		return NULL;
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->type = type;
	n->kind = kind;
	n->parent = parent;
	if (parent) {
		/* keep children sorted: listings and snapshots are then deterministic */
		for (pp = &parent->child; *pp && strcmp((*pp)->name, name) < 0; pp = &(*pp)->next)
			;
		n->next = *pp;
		*pp = n;
	}
	return n;
}

static void node_free(struct fnode *n)
{
	while (n && n->child) {
		struct fnode *c = n->child;

		n->child = c->next;
		node_free(c);
	}
	free(n);
}

static void node_unlink_free(struct fnode *n)
{
	struct fnode **pp;

	for (pp = &n->parent->child; *pp != n; pp = &(*pp)->next)
		;
	*pp = n->next;
	n->next = NULL;
	node_free(n);
}

static struct fnode *child(struct fnode *d, const char *name)
{
	for (struct fnode *c = d ? d->child : NULL; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static struct fnode *attr_new(struct fnode *d, const char *name, enum fattr a, int64_t def, int mw)
{
	struct fnode *n = node_new(d, name, EP_NODE_FILE, K_PLAIN);

	if (n) {
		n->attr = a;
		n->num = def;
		n->mw = mw;
	}
	return n;
}

static struct fnode *fn_driver(struct fnode *fn)
{
	return fn->parent;
}

/* The delayed work of pci_epf_make(): primary/, secondary/ and the driver's group. */
static void materialise(struct fnode *fn)
{
	const char *drv = fn_driver(fn)->name;
	char name[300];
	struct fnode *g;

	node_new(fn, "primary", EP_NODE_DIR, K_PRIMARY);
	node_new(fn, "secondary", EP_NODE_DIR, K_PRIMARY);
	snprintf(name, sizeof(name), "%s.%d", drv, fn->index);
	if (!strcmp(drv, "pci_epf_test"))
		return;
	g = node_new(fn, name, EP_NODE_DIR, K_SUBGROUP);
	if (!g)
		return;
	if (!strcmp(drv, "pci_epf_custom")) {
		attr_new(g, "mode", A_TEXT, 0, 0);
		attr_new(g, "label", A_TEXT, 0, 0);
		return;
	}
	attr_new(g, "spad_count", A_U32, 64, 0);
	attr_new(g, "db_count", A_U32, 4, 0);
	attr_new(g, "num_mws", A_NUM_MWS, 0, 0);
	for (int w = 1; w <= 4; w++) {
		snprintf(name, sizeof(name), "mw%d", w);
		attr_new(g, name, A_MW, 0, w);
	}
	if (strcmp(drv, "pci_epf_vntb"))
		return;
	attr_new(g, "vbus_number", A_U32, 0, 0);
	attr_new(g, "vntb_vid", A_U32, 0, 0);
	attr_new(g, "vntb_pid", A_U32, 0, 0);
	attr_new(g, "ctrl_bar", A_BAR, 0, 0);
	attr_new(g, "db_bar", A_BAR, 1, 0);
	attr_new(g, "dma_bar", A_BAR, -1, 0);
	attr_new(g, "dma_offset", A_U32, 0, 0);
	attr_new(g, "dma_num_chans", A_U32, 0, 0);
	for (int w = 1; w <= 4; w++) {
		snprintf(name, sizeof(name), "mw%d_bar", w);
		attr_new(g, name, A_BAR, w + 1, w);
		snprintf(name, sizeof(name), "mw%d_offset", w);
		attr_new(g, name, A_MW_OFFSET, 0, w);
	}
}

/* Walk @path from the root; every function directory passed counts as a lookup. */
static struct fnode *lookup(struct ep_fake *f, const char *path)
{
	char buf[EP_PATH_MAX], *save = NULL, *tok;
	struct fnode *n = f->root;

	if (ep_strlcpy(buf, path, sizeof(buf)) < 0)
		return NULL;
	for (tok = strtok_r(buf, "/", &save); n && tok; tok = strtok_r(NULL, "/", &save)) {
		if (n->kind == K_FUNCTION && n->pending && --n->pending == 0)
			materialise(n);
		n = child(n, tok);
	}
	if (n && n->kind == K_FUNCTION && n->pending && --n->pending == 0)
		materialise(n);
	return n;
}

static struct fnode *lookup_parent(struct ep_fake *f, const char *path, const char **base)
{
	char buf[EP_PATH_MAX];
	char *slash;

	if (ep_strlcpy(buf, path, sizeof(buf)) < 0)
		return NULL;
	slash = strrchr(buf, '/');
	if (!slash) {
		*base = path;
		return f->root;
	}
	*slash = '\0';
	*base = path + (slash - buf) + 1;
	return lookup(f, buf);
}

static int mutation(struct ep_fake *f)
{
	f->mutations++;
	if (f->fail_at && f->mutations == f->fail_at)
		return f->fail_err;
	return 0;
}

static int save_state(struct ep_fake *f);

static int fake_stat(struct ep_backend *b, const char *path, enum ep_node_type *type)
{
	struct fnode *n = lookup(to_fake(b), path);

	if (!n)
		return -ENOENT;
	*type = n->type;
	return 0;
}

static int fake_list(struct ep_backend *b, const char *path, struct ep_dirent **ents, size_t *cnt)
{
	struct fnode *d = lookup(to_fake(b), path);
	size_t n = 0, i = 0;
	struct ep_dirent *v;

	if (!d)
		return -ENOENT;
	if (d->type != EP_NODE_DIR)
		return -ENOTDIR;
	for (struct fnode *c = d->child; c; c = c->next)
		n++;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (struct fnode *c = d->child; c; c = c->next, i++) {
		snprintf(v[i].name, sizeof(v[i].name), "%s", c->name);
		v[i].type = c->type;
	}
	*ents = v;
	*cnt = n;
	return 0;
}

static struct fnode *sibling_num_mws(struct fnode *n)
{
	return child(n->parent, "num_mws");
}

static int show(struct fnode *n, char *buf, size_t size)
{
	switch (n->attr) {
	case A_HDR8:
	case A_HDR16:
		return snprintf(buf, size, "0x%04x", (unsigned int)n->num);
	case A_MW:
		if (n->mw > sibling_num_mws(n)->num)
			return -EINVAL;
		return snprintf(buf, size, "%lld", (long long)n->num);
	case A_MW_OFFSET:
		if (n->mw > sibling_num_mws(n)->num)
			return -ERANGE;
		return snprintf(buf, size, "%u", (unsigned int)n->num);
	case A_TEXT:
		return snprintf(buf, size, "%s", n->text);
	case A_START:
		return snprintf(buf, size, "%d", n->parent->started);
	default:
		return snprintf(buf, size, "%lld", (long long)n->num);
	}
}

/* What reading or writing @n as an attribute file gets: 0, or the kernel's errno. */
static int check_file(const struct fnode *n)
{
	if (!n)
		return -ENOENT;
	if (n->type == EP_NODE_DIR)
		return -EISDIR;
	return n->type == EP_NODE_FILE ? 0 : -EINVAL;
}

static int fake_read(struct ep_backend *b, const char *path, char *buf, size_t size)
{
	struct fnode *n = lookup(to_fake(b), path);
	int r;

	r = check_file(n);
	if (r < 0)
		return r;
	r = show(n, buf, size);
	if (r >= 0 && (size_t)r >= size)
		r = (int)size - 1;
	return r;
}

static bool parse_bool(const char *s, bool *v)
{
	/* kstrtobool: first character decides */
	switch (s[0]) {
	case '1': case 'y': case 'Y': *v = true; return true;
	case '0': case 'n': case 'N': *v = false; return true;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N') { *v = true; return true; }
		if (s[1] == 'f' || s[1] == 'F') { *v = false; return true; }
		return false;
	default:
		return false;
	}
}

static int store(struct ep_fake *f, struct fnode *n, const char *val)
{
	uint64_t v = 0;
	int r = 0;

	if (n->attr == A_TEXT) {
		size_t l = strlen(val);

		if (l >= sizeof(n->text))
			return -EINVAL;
		snprintf(n->text, sizeof(n->text), "%s", val);
		while (l > 0 && n->text[l - 1] == '\n')
			n->text[--l] = '\0';
		return 0;
	}
	if (n->attr == A_START) {
		bool on;
		struct fnode *c = n->parent;

		if (!parse_bool(val, &on))
			return -EINVAL;
		if (on == c->started)
			return -EALREADY;
		if (on && f->fail_start)
			return f->fail_start;
		c->started = on;
		return 0;
	}
	if (n->attr == A_BAR) {
		long long s;
		char *end;

		errno = 0;
		s = strtoll(val, &end, 0);
		if (errno || end == val || (*end && strcmp(end, "\n")) || s < -1 || s > 5)
			return -EINVAL;
		n->num = s;
		return 0;
	}
	r = ep_parse_u64(val, &v);
	switch (n->attr) {
	case A_HDR8:
	case A_MSI:
		if (r < 0 || v > 0xff)
			return -EINVAL;
		break;
	case A_HDR16:
	case A_MSIX:
		if (r < 0 || v > 0xffff)
			return -EINVAL;
		break;
	case A_U32:
	case A_NUM_MWS:
	case A_MW_OFFSET:
		if (r < 0)
			return r;
		if (v > 0xffffffffULL)
			return -ERANGE;
		if (n->attr == A_NUM_MWS && v > 4)
			return -EINVAL;
		if (n->attr == A_MW_OFFSET && n->mw > sibling_num_mws(n)->num)
			return -ERANGE;
		break;
	case A_MW:
		if (r < 0)
			return r;
		if (n->mw > sibling_num_mws(n)->num)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	n->num = (int64_t)v;
	return 0;
}

static int fake_write(struct ep_backend *b, const char *path, const char *value)
{
	struct ep_fake *f = to_fake(b);
	struct fnode *n = lookup(f, path);
	int r;

	r = mutation(f);
	if (r < 0)
		return r;
	r = check_file(n);
	if (r < 0)
		return r;
	r = store(f, n, value);
	return r < 0 ? r : save_state(f);
}

static int next_index(struct ep_fake *f)
{
	/* idr_alloc: the lowest free index over all functions */
	for (int i = 0;; i++) {
		bool used = false;

		for (struct fnode *d = child(f->root, "functions")->child; d && !used; d = d->next)
			for (struct fnode *fn = d->child; fn && !used; fn = fn->next)
				used = fn->index == i;
		if (!used)
			return i;
	}
}

static int fake_mkdir(struct ep_backend *b, const char *path)
{
	struct ep_fake *f = to_fake(b);
	const char *base;
	struct fnode *d, *fn;
	int r, index;

	r = mutation(f);
	if (r < 0)
		return r;
	d = lookup_parent(f, path, &base);
	if (!d)
		return -ENOENT;
	if (child(d, base))
		return -EEXIST;
	if (d->kind != K_DRIVER)
		return -EPERM;
	index = next_index(f);
	fn = node_new(d, base, EP_NODE_DIR, K_FUNCTION);
	if (!fn)
		return -ENOMEM;
	fn->index = index;
	attr_new(fn, "vendorid", A_HDR16, 0, 0);
	attr_new(fn, "deviceid", A_HDR16, 0, 0);
	attr_new(fn, "revid", A_HDR8, 0, 0);
	attr_new(fn, "progif_code", A_HDR8, 0, 0);
	attr_new(fn, "subclass_code", A_HDR8, 0, 0);
	attr_new(fn, "baseclass_code", A_HDR8, 0, 0);
	attr_new(fn, "cache_line_size", A_HDR8, 0, 0);
	attr_new(fn, "subsys_vendor_id", A_HDR16, 0, 0);
	attr_new(fn, "subsys_id", A_HDR16, 0, 0);
	attr_new(fn, "interrupt_pin", A_HDR8, 0, 0);
	attr_new(fn, "msi_interrupts", A_MSI, 0, 0);
	attr_new(fn, "msix_interrupts", A_MSIX, 0, 0);
	fn->pending = f->delay;
	if (!fn->pending)
		materialise(fn);
	return save_state(f);
}

static bool has_links(struct fnode *fn)
{
	for (struct fnode *c = fn->child; c; c = c->next)
		if (c->kind == K_PRIMARY && c->child)
			return true;
	return false;
}

static int fake_rmdir(struct ep_backend *b, const char *path)
{
	struct ep_fake *f = to_fake(b);
	struct fnode *n;
	int r;

	r = mutation(f);
	if (r < 0)
		return r;
	n = lookup(f, path);
	if (!n)
		return -ENOENT;
	if (n->type != EP_NODE_DIR)
		return -ENOTDIR;
	if (n->kind != K_FUNCTION)
		return -EPERM;
	if (n->bound || has_links(n))
		return -EBUSY;
	node_unlink_free(n);
	return save_state(f);
}

static int fake_symlink(struct ep_backend *b, const char *target, const char *linkpath)
{
	struct ep_fake *f = to_fake(b);
	struct fnode *d, *t, *l, *fn;
	const char *base;
	int r;

	r = mutation(f);
	if (r < 0)
		return r;
	d = lookup_parent(f, linkpath, &base);
	t = lookup(f, target);
	if (!d || !t)
		return -ENOENT;
	if (child(d, base))
		return -EEXIST;
	if (d->kind == K_CONTROLLER && t->kind == K_FUNCTION)
		fn = t;
	else if (d->kind == K_PRIMARY && t->kind == K_CONTROLLER)
		fn = d->parent;
	else
		return -EPERM;
	/* pci_epc_add_epf(): one controller per interface */
	if (fn->bound || (d->kind == K_CONTROLLER && has_links(fn)))
		return -EBUSY;
	l = node_new(d, base, EP_NODE_LINK, K_PLAIN);
	if (!l)
		return -ENOMEM;
	snprintf(l->target, sizeof(l->target), "%s", target);
	if (d->kind == K_CONTROLLER)
		fn->bound++;
	return save_state(f);
}

static int fake_readlink(struct ep_backend *b, const char *path, char *buf, size_t size)
{
	struct fnode *n = lookup(to_fake(b), path);

	if (!n)
		return -ENOENT;
	if (n->type != EP_NODE_LINK)
		return -EINVAL;
	return ep_strlcpy(buf, n->target, size);
}

static struct fnode *link_controller(struct ep_fake *f, struct fnode *l)
{
	if (l->parent->kind == K_CONTROLLER)
		return l->parent;
	return lookup(f, l->target);
}

static int fake_unlink(struct ep_backend *b, const char *path)
{
	struct ep_fake *f = to_fake(b);
	struct fnode *n, *c;
	int r;

	r = mutation(f);
	if (r < 0)
		return r;
	n = lookup(f, path);
	if (!n)
		return -ENOENT;
	if (n->type == EP_NODE_DIR)
		return -EISDIR;
	if (n->type != EP_NODE_LINK)
		return -EPERM;	/* configfs attributes cannot be removed */
	c = link_controller(f, n);
	if (c && c->started)
		f->warnings++;	/* WARN_ON_ONCE(epc_group->start) */
	if (n->parent->kind == K_CONTROLLER) {
		struct fnode *fn = lookup(f, n->target);

		if (fn && fn->bound)
			fn->bound--;
	}
	node_unlink_free(n);
	return save_state(f);
}

/* ---- persistence (state file) ---- */

static struct json_object *node_json(struct fnode *n)
{
	struct json_object *o = json_object_new_object();
	struct json_object *kids;

	json_object_object_add(o, "type", json_object_new_int(n->type));
	json_object_object_add(o, "kind", json_object_new_int(n->kind));
	if (n->type == EP_NODE_FILE) {
		json_object_object_add(o, "attr", json_object_new_int(n->attr));
		json_object_object_add(o, "mw", json_object_new_int(n->mw));
		json_object_object_add(o, "num", json_object_new_int64(n->num));
		json_object_object_add(o, "text", json_object_new_string(n->text));
	}
	if (n->type == EP_NODE_LINK)
		json_object_object_add(o, "target", json_object_new_string(n->target));
	if (n->kind == K_FUNCTION) {
		json_object_object_add(o, "index", json_object_new_int(n->index));
		json_object_object_add(o, "pending", json_object_new_int((int)n->pending));
		json_object_object_add(o, "bound", json_object_new_int((int)n->bound));
	}
	if (n->kind == K_CONTROLLER)
		json_object_object_add(o, "started", json_object_new_boolean(n->started));
	kids = json_object_new_object();
	for (struct fnode *c = n->child; c; c = c->next)
		json_object_object_add(kids, c->name, node_json(c));
	json_object_object_add(o, "children", kids);
	return o;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static int node_from_json(struct fnode *parent, const char *name, struct json_object *o,
			  struct fnode **out)
{
	struct fnode *n;
	struct json_object *kids, *v;

	n = node_new(parent, name, (enum ep_node_type)jint(o, "type"), (enum fkind)jint(o, "kind"));
	if (!n)
		return -ENOMEM;
	n->attr = (enum fattr)jint(o, "attr");
	n->mw = (int)jint(o, "mw");
	n->num = jint(o, "num");
	snprintf(n->text, sizeof(n->text), "%s", jstr(o, "text"));
	snprintf(n->target, sizeof(n->target), "%s", jstr(o, "target"));
	n->index = (int)jint(o, "index");
	n->pending = (unsigned int)jint(o, "pending");
	n->bound = (unsigned int)jint(o, "bound");
	n->started = json_object_object_get_ex(o, "started", &v) && json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "children", &kids) &&
	    json_object_is_type(kids, json_type_object)) {
		json_object_object_foreach(kids, k, kv) {
			int r = node_from_json(n, k, kv, NULL);

			if (r < 0)
				return r;
		}
	}
	if (out)
		*out = n;
	return 0;
}

static int save_state(struct ep_fake *f)
{
	_cleanup_json_ struct json_object *o = NULL;
	_cleanup_free_ char *tmp = NULL;
	const char *s;
	FILE *fp;

	if (!f->state_file)
		return 0;
	o = node_json(f->root);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
	tmp = ep_strdup_printf("%s.tmp", f->state_file);
	if (!tmp)
		return -ENOMEM;
	fp = fopen(tmp, "we");
	if (!fp)
		return -errno;
	fputs(s, fp);
	if (fclose(fp) != 0 || rename(tmp, f->state_file) < 0)
		return -errno;
	return 0;
}

/* ---- public (internal) API ---- */

int ep_fake_new(struct epdma_ctx *ctx, struct ep_fake **out);

static const struct ep_backend_ops fake_ops;

static int fake_init_tree(struct ep_fake *f)
{
	static const char *const drivers[] = { "pci_epf_test", "pci_epf_ntb", "pci_epf_vntb",
					       "pci_epf_custom" };
	struct fnode *fns;

	f->root = node_new(NULL, "", EP_NODE_DIR, K_PLAIN);
	if (!f->root)
		return -ENOMEM;
	fns = node_new(f->root, "functions", EP_NODE_DIR, K_PLAIN);
	if (!fns || !node_new(f->root, "controllers", EP_NODE_DIR, K_PLAIN))
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		if (!node_new(fns, drivers[i], EP_NODE_DIR, K_DRIVER))
			return -ENOMEM;
	return 0;
}

int ep_fake_new(struct epdma_ctx *ctx, struct ep_fake **out)
{
	struct ep_fake *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	f->base.ops = &fake_ops;
	f->base.ctx = ctx;
	f->delay = 2;
	r = fake_init_tree(f);
	if (r < 0) {
		node_free(f->root);
		free(f);
		return r;
	}
	*out = f;
	return 0;
}

void ep_fake_install(struct ep_fake *f)
{
	ep_ctx_set_backend(f->base.ctx, &f->base);
}

int ep_fake_add_controller(struct ep_fake *f, const char *name)
{
	struct fnode *cs = child(f->root, "controllers"), *c;

	if (!ep_name_is_safe(name, EPDMA_NAME_MAX))
		return -EINVAL;
	if (child(cs, name))
		return -EEXIST;
	c = node_new(cs, name, EP_NODE_DIR, K_CONTROLLER);
	if (!c || !attr_new(c, "start", A_START, 0, 0))
		return -ENOMEM;
	return save_state(f);
}

void ep_fake_set_subgroup_delay(struct ep_fake *f, unsigned int lookups)
{
	f->delay = lookups;
}

void ep_fake_fail_at(struct ep_fake *f, unsigned int nth, int err)
{
	f->fail_at = nth ? f->mutations + nth : 0;
	f->fail_err = err;
}

void ep_fake_fail_start(struct ep_fake *f, int err)
{
	f->fail_start = err;
}

unsigned int ep_fake_mutations(const struct ep_fake *f)
{
	return f->mutations;
}

unsigned int ep_fake_warnings(const struct ep_fake *f)
{
	return f->warnings;
}

struct ep_backend *ep_fake_backend(struct ep_fake *f)
{
	return &f->base;
}

static int snap(struct fnode *n, const char *path, FILE *out)
{
	for (struct fnode *c = n->child; c; c = c->next) {
		char p[EP_PATH_MAX];

		snprintf(p, sizeof(p), "%s%s%s", path, path[0] ? "/" : "", c->name);
		switch (c->type) {
		case EP_NODE_DIR:
			fprintf(out, "d %s", p);
			if (c->kind == K_FUNCTION)
				fprintf(out, " index=%d bound=%u", c->index, c->bound);
			if (c->kind == K_CONTROLLER)
				fprintf(out, " started=%d", c->started);
			fputc('\n', out);
			snap(c, p, out);
			break;
		case EP_NODE_FILE:
			/* raw values: a window hidden by num_mws still counts */
			fprintf(out, "f %s = %lld '%s'\n", p, (long long)c->num, c->text);
			break;
		case EP_NODE_LINK:
			fprintf(out, "l %s -> %s\n", p, c->target);
			break;
		default:
			break;
		}
	}
	return 0;
}

int ep_fake_snapshot(struct ep_fake *f, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return -ENOMEM;
	snap(f->root, "", m);
	if (fclose(m) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}

static int fake_sync(struct ep_backend *b)
{
	return save_state(to_fake(b));
}

static void fake_free(struct ep_backend *b)
{
	struct ep_fake *f = to_fake(b);

	node_free(f->root);
	free(f->state_file);
	free(f);
}

static const struct ep_backend_ops fake_ops = {
	.stat = fake_stat,
	.list = fake_list,
	.read = fake_read,
	.write = fake_write,
	.mkdir = fake_mkdir,
	.rmdir = fake_rmdir,
	.symlink = fake_symlink,
	.readlink = fake_readlink,
	.unlink = fake_unlink,
	.sync = fake_sync,
	.free = fake_free,
};

int epdma_ctx_use_fake_configfs(struct epdma_ctx *ctx, const char *state_file)
{
	struct ep_fake *f;
	int r;

	r = ep_fake_new(ctx, &f);
	if (r < 0)
		return r;
	if (state_file) {
		_cleanup_json_ struct json_object *o = NULL;

		f->state_file = strdup(state_file);
		if (!f->state_file) {
			fake_free(&f->base);
			return -ENOMEM;
		}
		o = json_object_from_file(state_file);
		if (o) {
			/* replace the fresh tree by the saved one */
			node_free(f->root);
			f->root = NULL;
			r = node_from_json(NULL, "", o, &f->root);
			if (r == 0 && (!child(f->root, "functions") || !child(f->root, "controllers")))
				r = -EINVAL;
			if (r < 0) {
				fake_free(&f->base);
				return r;
			}
		} else if (access(state_file, F_OK) == 0) {
			fake_free(&f->base);
			return -EINVAL;
		} else {
			const char *env = secure_getenv("EPDMA_FAKE_CONTROLLERS");
			_cleanup_free_ char *list = strdup(env && env[0] ? env : "e65d0000.pcie-ep");
			char *save = NULL;

			if (!list) {
				fake_free(&f->base);
				return -ENOMEM;
			}
			for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				r = ep_fake_add_controller(f, t);
				if (r < 0) {
					fake_free(&f->base);
					return r;
				}
			}
			/* a state file makes sense for CLI runs: subgroups appear at once there */
			f->delay = 0;
		}
		f->delay = 0;
	}
	/* failure injection for CLI tests and demos of the rollback */
	{
		const char *at = secure_getenv("EPDMA_FAKE_FAIL_AT");
		const char *st = secure_getenv("EPDMA_FAKE_FAIL_START");

		if (at && at[0])
			ep_fake_fail_at(f, (unsigned int)strtoul(at, NULL, 10), -EIO);
		if (st && st[0] == '1')
			ep_fake_fail_start(f, -EINVAL);
	}
	ep_fake_install(f);
	return 0;
}

bool epdma_ctx_is_fake(const struct epdma_ctx *ctx)
{
	return ctx->backend && ctx->backend->ops == &fake_ops;
}
