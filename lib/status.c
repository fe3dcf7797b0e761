// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Status: read what the kernel exposes about endpoint controllers, pci_ep configfs functions
 * and their bindings, NTB devices, the exported DMA slice (auxiliary device) and DMA channels,
 * the ntb_ep_dma test client and the modules involved.
 *
 * Everything is read from small text files and symlinks under the context's sysfs, configfs and
 * debugfs roots, so the same code runs against the live kernel and against captured trees.
 * Absent subsystems are not errors: a host has no pci_ep configfs, an endpoint has no
 * ntb_hw_epf. Every read is bounded (EPDMA_ATTR_MAX bytes, EPDMA_DIR_MAX entries).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "epdma-private.h"
#include "status-internal.h"

/* ---- bounded file helpers ---------------------------------------------------------------- */

int ep_st_read(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd;

	if (!size)
		return -EINVAL;
	/* O_NONBLOCK: a FIFO planted in a captured tree must not hang us */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return (int)n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size - 1) {
			char extra;

			/* Full buffer: only acceptable if the file ends exactly here. */
			n = read(fd, &extra, 1);
			if (n > 0) {
				close(fd);
				return -EFBIG;
			}
			break;
		}
	}
	close(fd);
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return (int)len;
}

int ep_st_read_attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r;

	r = ep_st_path(path, sizeof(path), "%s/%s", dir, name);
	if (r < 0)
		return r;
	return ep_st_read(path, buf, size);
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int ep_st_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;
	const char *p;

	s = skip_space(s);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	p = s;
	for (; *p; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned int)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned int)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned int)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (p == s)
		return -EINVAL;
	if (*skip_space(p) != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

int ep_st_parse_s64(const char *s, int64_t *out)
{
	bool neg = false;
	uint64_t v;
	int r;

	s = skip_space(s);
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	r = ep_st_parse_u64(s, &v);
	if (r < 0)
		return r;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > INT64_MAX)
			return -ERANGE;
		*out = (int64_t)v;
	}
	return 0;
}

int ep_st_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

bool ep_st_is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ep_st_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int ep_st_list_dir(const char *dir, char ***names, size_t *count)
{
	struct dirent *de;
	char **v;
	size_t n = 0;
	DIR *d;

	*names = NULL;
	*count = 0;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		int r = -errno;

		if (r == -ENOENT || r == -ENOTDIR) {
			*names = v;
			return 0;
		}
		free(v);
		return r;
	}
	while ((de = readdir(d))) {
		char **nv;

		/*
		 * sysfs, configfs and debugfs never name an entry with a leading dot; a copy of
		 * a tree does (".keep" in an empty directory of a captured fixture)
		 */
		if (de->d_name[0] == '.')
			continue;
		if (n >= EPDMA_DIR_MAX)
			break;
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv)
			goto oom;
		v = nv;
		v[n] = strdup(de->d_name);
		if (!v[n])
			goto oom;
		v[++n] = NULL;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	*count = n;
	return 0;
oom:
	closedir(d);
	ep_st_strv_free(v);
	return -ENOMEM;
}

int ep_st_link_basename(const char *path, char *buf, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

/* ---- small builders ---------------------------------------------------------------------- */

/* Grow *arr (of *n elements of @elem bytes) by one zeroed element; returns it or NULL. */
static void *push(void *arr_p, size_t *n, size_t elem)
{
	void **arr = arr_p;
	char *nv;

	nv = realloc(*arr, (*n + 1) * elem);
	if (!nv)
		return NULL;
	memset(nv + *n * elem, 0, elem);
	*arr = nv;
	return nv + (*n)++ * elem;
}

/*
 * Text the kernel prints is printable ASCII; anything else (a NUL, control characters, bytes
 * from a corrupt capture) is treated as unreadable rather than passed to terminals and JSON.
 */
static bool printable(const char *buf, int len)
{
	if (len < 0 || (size_t)len != strlen(buf))
		return false;
	for (int i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
			return false;
	return true;
}

/* strdup of an attribute, NULL when unreadable or not printable (the "not exposed" case). */
static char *attr_dup(const char *dir, const char *name)
{
	char buf[EPDMA_ATTR_MAX];
	int len = ep_st_read_attr(dir, name, buf, sizeof(buf));

	return printable(buf, len) ? strdup(buf) : NULL;
}

/* "0x" and hex digits, as the kernel prints PCI IDs; NULL otherwise. */
static char *hex_dup(char *s)
{
	size_t i;

	if (!s || strncmp(s, "0x", 2) || !s[2])
		goto bad;
	for (i = 2; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			goto bad;
	return s;
bad:
	free(s);
	return NULL;
}

/* A number as the kernel prints it (decimal, "0x" hex, or negative); -1 when it is not one. */
static int64_t parse_s64_or_unknown(const char *buf)
{
	int64_t v;
	uint64_t u;

	if (ep_st_parse_s64(buf, &v) == 0)
		return v;
	if (ep_st_parse_u64(buf, &u) == 0 && u <= INT64_MAX)
		return (int64_t)u;
	return -1;
}

static int64_t attr_s64(const char *dir, const char *name)
{
	char buf[64];

	if (ep_st_read_attr(dir, name, buf, sizeof(buf)) < 0)
		return -1;
	return parse_s64_or_unknown(buf);
}

/* Name of the device a sysfs link (driver, device, ...) points to, NULL if none. */
static char *link_dup(const char *dir, const char *name)
{
	char path[PATH_MAX], real[PATH_MAX], *base;

	if (ep_st_path(path, sizeof(path), "%s/%s", dir, name) < 0)
		return NULL;
	if (realpath(path, real)) {
		base = strrchr(real, '/');
		return strdup(base ? base + 1 : real);
	}
	/* dangling (a capture without the target): the link text still names it */
	if (ep_st_link_basename(path, real, sizeof(real)) < 0 || !strcmp(real, ".."))
		return NULL;
	return strdup(real);
}

/* Basename of the directory that @path (a sysfs device dir, maybe a symlink) lives in. */
static char *parent_name(const char *path)
{
	char real[PATH_MAX], *slash;

	if (!realpath(path, real))
		return NULL;
	slash = strrchr(real, '/');
	if (!slash || slash == real)
		return NULL;
	*slash = '\0';
	slash = strrchr(real, '/');
	return strdup(slash ? slash + 1 : real);
}

/* ---- the reader -------------------------------------------------------------------------- */

struct reader {
	struct epdma_ctx *ctx;
	struct epdma_error *err;
	struct epdma_status *st;
	struct ep_backend *be;	/* pci_ep configfs, real or the fake model */
	const char *sys;	/* sysfs root */
	const char *dbg;	/* debugfs root */
};

#define OOM(r) ep_error_set((r)->err, -ENOMEM, NULL, NULL, "oom", NULL, \
			    "out of memory while reading status")

/* List a configfs directory (relative to pci_ep); a missing one is an empty list. */
static int cfs_list(struct reader *r, const char *rel, struct ep_dirent **ents, size_t *n)
{
	int ret = r->be->ops->list(r->be, rel, ents, n);

	if (ret == -ENOENT || ret == -ENOTDIR) {
		*ents = NULL;
		*n = 0;
		return 0;
	}
	if (ret < 0)
		return ep_error_set(r->err, ret, NULL, NULL, "io", rel,
				    "cannot list configfs directory: %s", strerror(-ret));
	if (*n > EPDMA_DIR_MAX)
		*n = EPDMA_DIR_MAX;
	return 0;
}

static char *cfs_dup(struct reader *r, const char *rel)
{
	char buf[EPDMA_ATTR_MAX];
	int len = r->be->ops->read(r->be, rel, buf, sizeof(buf));

	return printable(buf, len) ? strdup(buf) : NULL;
}

static int64_t cfs_s64(struct reader *r, const char *rel)
{
	char buf[64];

	if (r->be->ops->read(r->be, rel, buf, sizeof(buf)) < 0)
		return -1;
	return parse_s64_or_unknown(buf);
}

static bool cfs_is_dir(struct reader *r, const char *rel)
{
	enum ep_node_type t;

	return r->be->ops->stat(r->be, rel, &t) == 0 && t == EP_NODE_DIR;
}

/*
 * Call @fn(r, path, name) for each entry of the directory <root>/<rel>, in name order; a
 * missing directory has no entries. Stops at the first error @fn returns. With @optional, a
 * directory that cannot be listed (debugfs is root-only) is no error either.
 */
static int for_each_entry(struct reader *r, const char *root, const char *rel, bool optional,
			  int (*fn)(struct reader *r, const char *path, const char *name))
{
	char dir[PATH_MAX];
	char **names;
	size_t n;
	int ret;

	if (ep_st_path(dir, sizeof(dir), "%s/%s", root, rel) < 0)
		return 0;
	ret = ep_st_list_dir(dir, &names, &n);
	if (ret < 0)
		return optional ? 0 : ep_error_set(r->err, ret, NULL, NULL, "io", NULL,
						   "cannot list %s: %s", dir, strerror(-ret));
	for (size_t i = 0; i < n && !ret; i++) {
		char path[PATH_MAX];

		if (ep_st_path(path, sizeof(path), "%s/%s", dir, names[i]) == 0)
			ret = fn(r, path, names[i]);
	}
	ep_st_strv_free(names);
	return ret;
}

/* class/pci_epc/<name> */
static int add_controller(struct reader *r, const char *path, const char *name)
{
	struct epdma_status_controller *c;
	char up[PATH_MAX];

	c = push(&r->st->controllers, &r->st->n_controllers, sizeof(*c));
	if (!c || !(c->name = strdup(name)))
		return OOM(r);
	c->started = -1;
	/* /sys/devices/.../<parent>/pci_epc/<name> */
	if (ep_st_path(up, sizeof(up), "%s/..", path) == 0)
		c->parent = parent_name(up);
	return 0;
}

/* configfs controllers/<name>: start state; ones sysfs does not list are shown too. */
static int read_cfs_controllers(struct reader *r)
{
	struct ep_dirent *ents;
	size_t n;
	int ret;

	ret = cfs_list(r, "controllers", &ents, &n);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		struct epdma_status_controller *c = NULL;
		char rel[EP_PATH_MAX];
		int64_t v;

		if (ents[i].type != EP_NODE_DIR)
			continue;
		for (size_t j = 0; j < r->st->n_controllers; j++)
			if (!strcmp(r->st->controllers[j].name, ents[i].name))
				c = &r->st->controllers[j];
		if (!c) {
			c = push(&r->st->controllers, &r->st->n_controllers, sizeof(*c));
			if (!c || !(c->name = strdup(ents[i].name))) {
				free(ents);
				return OOM(r);
			}
		}
		c->in_configfs = true;
		c->started = -1;
		if (ep_st_path(rel, sizeof(rel), "controllers/%s/start", ents[i].name) < 0)
			continue;
		v = cfs_s64(r, rel);
		c->started = v < 0 ? -1 : v != 0;
	}
	free(ents);
	return 0;
}

static int add_binding(struct reader *r, const char *ctrl, const char *func, const char *iface)
{
	struct epdma_status_binding *b;

	for (size_t i = 0; i < r->st->n_bindings; i++) {
		b = &r->st->bindings[i];
		if (!strcmp(b->controller, ctrl) && !strcmp(b->function, func) &&
		    !strcmp(b->interface, iface))
			return 0;
	}
	b = push(&r->st->bindings, &r->st->n_bindings, sizeof(*b));
	if (!b)
		return OOM(r);
	b->controller = strdup(ctrl);
	b->function = strdup(func);
	b->interface = strdup(iface);
	if (!b->controller || !b->function || !b->interface)
		return OOM(r);
	return 0;
}

/*
 * A function is bound to a controller either by a link controllers/<ctrl>/<any> ->
 * functions/<drv>/<fn> (primary interface) or by functions/<drv>/<fn>/{primary,secondary}/<ctrl>
 * -> controllers/<ctrl>. The backend resolves link targets relative to the pci_ep root.
 */
static int read_ctrl_links(struct reader *r)
{
	struct ep_dirent *ctrls, *ents;
	size_t nc, ne;
	int ret;

	ret = cfs_list(r, "controllers", &ctrls, &nc);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < nc && !ret; i++) {
		char rel[EP_PATH_MAX];

		if (ep_st_path(rel, sizeof(rel), "controllers/%s", ctrls[i].name) < 0)
			continue;
		ret = cfs_list(r, rel, &ents, &ne);
		for (size_t j = 0; j < ne && !ret; j++) {
			char lrel[EP_PATH_MAX], target[EP_PATH_MAX];

			if (ents[j].type != EP_NODE_LINK ||
			    ep_st_path(lrel, sizeof(lrel), "%s/%s", rel, ents[j].name) < 0 ||
			    r->be->ops->readlink(r->be, lrel, target, sizeof(target)) < 0 ||
			    strncmp(target, "functions/", 10))
				continue;
			ret = add_binding(r, ctrls[i].name, target + 10, "primary");
		}
		free(ents);
	}
	free(ctrls);
	return ret;
}

static int read_function(struct reader *r, const char *drv, const char *fn)
{
	static const char *const ifaces[] = { "primary", "secondary" };
	struct epdma_status_function *f;
	char frel[EP_PATH_MAX], rel[EP_PATH_MAX], func[EP_PATH_MAX];
	struct ep_dirent *ents;
	size_t ne, dl = strlen(drv);
	int ret;

	if (ep_st_path(frel, sizeof(frel), "functions/%s/%s", drv, fn) < 0 ||
	    ep_st_path(func, sizeof(func), "%s/%s", drv, fn) < 0)
		return 0;
	f = push(&r->st->functions, &r->st->n_functions, sizeof(*f));
	if (!f)
		return OOM(r);
	f->driver = strdup(drv);
	f->name = strdup(fn);
	if (!f->driver || !f->name)
		return OOM(r);
	if (ep_st_path(rel, sizeof(rel), "%s/vendorid", frel) == 0)
		f->vendorid = hex_dup(cfs_dup(r, rel));
	if (ep_st_path(rel, sizeof(rel), "%s/deviceid", frel) == 0)
		f->deviceid = hex_dup(cfs_dup(r, rel));
	f->msi_interrupts = -1;
	if (ep_st_path(rel, sizeof(rel), "%s/msi_interrupts", frel) == 0)
		f->msi_interrupts = (int)cfs_s64(r, rel);
	f->dma_bar = f->dma_offset = f->dma_num_chans = -1;

	/* The driver's own attribute group is "<drv>.<index>": find it by listing. */
	ret = cfs_list(r, frel, &ents, &ne);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < ne; i++) {
		if (ents[i].type != EP_NODE_DIR || strncmp(ents[i].name, drv, dl) ||
		    ents[i].name[dl] != '.')
			continue;
		f->subgroup = strdup(ents[i].name);
		if (!f->subgroup) {
			free(ents);
			return OOM(r);
		}
		if (ep_st_path(rel, sizeof(rel), "%s/%s/dma_bar", frel, ents[i].name) == 0)
			f->dma_bar = cfs_s64(r, rel);
		if (ep_st_path(rel, sizeof(rel), "%s/%s/dma_offset", frel, ents[i].name) == 0)
			f->dma_offset = cfs_s64(r, rel);
		if (ep_st_path(rel, sizeof(rel), "%s/%s/dma_num_chans", frel, ents[i].name) == 0)
			f->dma_num_chans = cfs_s64(r, rel);
		break;
	}
	free(ents);

	for (size_t k = 0; k < 2; k++) {
		if (ep_st_path(rel, sizeof(rel), "%s/%s", frel, ifaces[k]) < 0)
			continue;
		ret = cfs_list(r, rel, &ents, &ne);
		if (ret < 0)
			return ret;
		for (size_t i = 0; i < ne && !ret; i++)
			if (ents[i].type == EP_NODE_LINK)
				ret = add_binding(r, ents[i].name, func, ifaces[k]);
		free(ents);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int read_functions(struct reader *r)
{
	struct ep_dirent *drvs, *fns;
	size_t nd, nf;
	int ret;

	r->st->configfs_mounted = cfs_is_dir(r, "");
	ret = cfs_list(r, "functions", &drvs, &nd);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < nd && !ret; i++) {
		char rel[EP_PATH_MAX];

		if (drvs[i].type != EP_NODE_DIR ||
		    ep_st_path(rel, sizeof(rel), "functions/%s", drvs[i].name) < 0)
			continue;
		ret = cfs_list(r, rel, &fns, &nf);
		for (size_t j = 0; j < nf && !ret; j++)
			if (fns[j].type == EP_NODE_DIR)
				ret = read_function(r, drvs[i].name, fns[j].name);
		free(fns);
	}
	free(drvs);
	if (!ret)
		ret = read_ctrl_links(r);
	return ret;
}

static bool is_bridge_driver(const char *drv)
{
	/* PCI functions that carry an NTB: the host's ntb_hw_epf and vNTB's virtual function. */
	return drv && (!strcmp(drv, "ntb_hw_epf") || !strcmp(drv, "pci-vntb"));
}

/* bus/pci/devices/<address>: only the functions that carry an NTB */
static int add_pci_function(struct reader *r, const char *ddir, const char *name)
{
	struct epdma_status_pci_function *p;
	char *drv = link_dup(ddir, "driver");

	if (!is_bridge_driver(drv)) {
		free(drv);
		return 0;
	}
	p = push(&r->st->pci_functions, &r->st->n_pci_functions, sizeof(*p));
	if (!p) {
		free(drv);
		return OOM(r);
	}
	p->driver = drv;
	p->address = strdup(name);
	if (!p->address)
		return OOM(r);
	p->vendor = hex_dup(attr_dup(ddir, "vendor"));
	p->device = hex_dup(attr_dup(ddir, "device"));
	p->link_speed = attr_dup(ddir, "current_link_speed");
	p->link_width = (int)attr_s64(ddir, "current_link_width");
	return 0;
}

/* bus/ntb/devices/<name> */
static int add_ntb(struct reader *r, const char *ddir, const char *name)
{
	struct epdma_status_ntb *t;

	t = push(&r->st->ntb, &r->st->n_ntb, sizeof(*t));
	if (!t || !(t->name = strdup(name)))
		return OOM(r);
	t->link_up = -1;
	t->driver = link_dup(ddir, "driver");
	t->pci_device = parent_name(ddir);
	return 0;
}

/* class/dma/<channel> */
static int add_channel(struct reader *r, const char *cdir, const char *name)
{
	struct epdma_status_dma_channel *c;
	char dev[PATH_MAX];

	c = push(&r->st->dma_channels, &r->st->n_dma_channels, sizeof(*c));
	if (!c || !(c->name = strdup(name)))
		return OOM(r);
	c->device = link_dup(cdir, "device");
	if (ep_st_path(dev, sizeof(dev), "%s/device", cdir) == 0)
		c->driver = link_dup(dev, "driver");
	c->in_use = (int)attr_s64(cdir, "in_use");
	c->memcpy_count = attr_s64(cdir, "memcpy_count");
	c->bytes_transferred = attr_s64(cdir, "bytes_transferred");
	return 0;
}

#define EP_DMA_AUX_PREFIX "ntb_hw_epf.ep_dma_v1."

/* bus/auxiliary/devices/ntb_hw_epf.ep_dma_v1.<n>: the DMA slice the endpoint exports */
static int add_export(struct reader *r, const char *ddir, const char *name)
{
	static const char *const loc[] = { "dma_abi", "dma_bar", "dma_offset", "dma_size",
					   "dma_num_chans", "dma_irq_base", "dma_irq_count" };
	struct epdma_status_dma_export *e;
	uint32_t *vals[ARRAY_SIZE(loc)];
	bool all = true;

	if (strncmp(name, EP_DMA_AUX_PREFIX, strlen(EP_DMA_AUX_PREFIX)))
		return 0;
	e = push(&r->st->dma_exports, &r->st->n_dma_exports, sizeof(*e));
	if (!e || !(e->name = strdup(name)))
		return OOM(r);
	e->parent = parent_name(ddir);
	e->driver = link_dup(ddir, "driver");

	/*
	 * ntb_hw_epf passes the locator to the DMA provider as software-node properties, which
	 * sysfs does not show; a kernel that also shows them as read-only attributes (decimal
	 * u32, sysfs-bus-auxiliary-ntb-hw-epf) gets them displayed. All or nothing: a missing
	 * attribute or a value that is not a u32 leaves the locator "not exposed".
	 */
	vals[0] = &e->abi;
	vals[1] = &e->bar;
	vals[2] = &e->offset;
	vals[3] = &e->size;
	vals[4] = &e->num_chans;
	vals[5] = &e->irq_base;
	vals[6] = &e->irq_count;
	for (size_t k = 0; k < ARRAY_SIZE(loc); k++) {
		char buf[64];
		uint64_t v;

		if (ep_st_read_attr(ddir, loc[k], buf, sizeof(buf)) < 0 ||
		    ep_st_parse_u64(buf, &v) < 0 || v > UINT32_MAX) {
			all = false;
			break;
		}
		*vals[k] = (uint32_t)v;
	}
	e->has_locator = all;

	/* Channels whose provider device is the aux device or its PCI parent. */
	for (size_t k = 0; k < r->st->n_dma_channels; k++) {
		const char *pd = r->st->dma_channels[k].device;
		char **nv;

		if (!pd || (strcmp(pd, e->name) && (!e->parent || strcmp(pd, e->parent))))
			continue;
		nv = realloc(e->channels, (e->n_channels + 1) * sizeof(*nv));
		if (!nv)
			return OOM(r);
		e->channels = nv;
		e->channels[e->n_channels] = strdup(r->st->dma_channels[k].name);
		if (!e->channels[e->n_channels])
			return OOM(r);
		e->n_channels++;
	}
	return 0;
}

/* <debugfs>/ntb_ep_dma/<device>: the test client's view of one NTB device */
static int add_test_device(struct reader *r, const char *ddir, const char *name)
{
	struct epdma_status_test_device *t;
	struct epdma_test_result res;
	char buf[EPDMA_ATTR_MAX];
	int len;

	if (!ep_st_is_dir(ddir))
		return 0;
	t = push(&r->st->test_devices, &r->st->n_test_devices, sizeof(*t));
	if (!t || !(t->device = strdup(name)))
		return OOM(r);
	t->ready = (int)attr_s64(ddir, "ready");
	if (t->ready > 1)
		t->ready = 1;
	t->link_up = -1;
	len = ep_st_read_attr(ddir, "result", buf, sizeof(buf));
	if (len >= 0 && epdma_test_result_parse(buf, (size_t)len, &res) == 0) {
		t->has_result = true;
		t->last_status = (int)res.last_status;
		if (res.fields & EPDMA_TR_F_PEER_STATE)
			t->peer_state = strdup(res.peer_state);
		if (res.fields & EPDMA_TR_F_LINK_UP)
			t->link_up = res.link_up != 0;
	}
	/* ntb_ep_dma names its directory after the NTB device's PCI function. */
	for (size_t k = 0; k < r->st->n_ntb; k++) {
		struct epdma_status_ntb *nt = &r->st->ntb[k];

		if (t->link_up >= 0 &&
		    (!strcmp(nt->name, t->device) ||
		     (nt->pci_device && !strcmp(nt->pci_device, t->device)))) {
			nt->link_up = t->link_up;
			nt->link_source = "ntb_ep_dma";
		}
	}
	return 0;
}

static int read_test_devices(struct reader *r)
{
	char dir[PATH_MAX];

	if (ep_st_path(dir, sizeof(dir), "%s/ntb_ep_dma", r->dbg) == 0)
		r->st->debugfs_test_present = ep_st_is_dir(dir);
	/* debugfs is root-only: not being able to look is not an error */
	return for_each_entry(r, r->dbg, "ntb_ep_dma", true, add_test_device);
}

/*
 * Without ntb_ep_dma's word, an ep_dma_v1 device under the NTB's PCI function still tells:
 * ntb_hw_epf adds it after LINK_UP and removes it before LINK_DOWN. Its absence says nothing
 * (the endpoint may export no DMA), so only "up" is inferred.
 */
static void infer_link_from_exports(struct epdma_status *st)
{
	for (size_t i = 0; i < st->n_ntb; i++) {
		struct epdma_status_ntb *nt = &st->ntb[i];

		if (nt->link_up >= 0 || !nt->pci_device)
			continue;
		for (size_t k = 0; k < st->n_dma_exports; k++) {
			if (st->dma_exports[k].parent &&
			    !strcmp(st->dma_exports[k].parent, nt->pci_device)) {
				nt->link_up = 1;
				nt->link_source = "dma-export";
			}
		}
	}
}

const char *const epdma_known_modules[] = {
	"pci_epf_vntb", "pci_epf_test", "pci_epf_ntb", "ntb", "ntb_hw_epf",
	"dw_edma", "dw_edma_aux", "ntb_ep_dma", NULL,
};

const char *epdma_module_state_str(enum epdma_module_state state)
{
	switch (state) {
	case EPDMA_MODULE_ABSENT:
		return "absent";
	case EPDMA_MODULE_BUILTIN:
		return "builtin";
	case EPDMA_MODULE_LIVE:
		return "live";
	case EPDMA_MODULE_COMING:
		return "coming";
	case EPDMA_MODULE_GOING:
		return "going";
	}
	return "unknown";
}

static int read_modules(struct reader *r)
{
	for (size_t i = 0; epdma_known_modules[i]; i++) {
		struct epdma_status_module *m;
		int ret;

		m = push(&r->st->modules, &r->st->n_modules, sizeof(*m));
		if (!m || !(m->name = strdup(epdma_known_modules[i])))
			return OOM(r);
		ret = epdma_module_state(r->ctx, m->name, &m->state);
		if (ret < 0)
			m->state = EPDMA_MODULE_ABSENT;
		m->refcnt = -1;
		if (m->state == EPDMA_MODULE_LIVE) {
			char mdir[PATH_MAX];

			if (ep_st_path(mdir, sizeof(mdir), "%s/module/%s", r->sys, m->name) == 0)
				m->refcnt = (int)attr_s64(mdir, "refcnt");
		}
	}
	return 0;
}

int epdma_status_read(struct epdma_ctx *ctx, struct epdma_status **out, struct epdma_error *err)
{
	struct reader r = {
		.ctx = ctx,
		.err = err,
		.be = ep_ctx_backend(ctx),
		.sys = epdma_ctx_get_sysfs_root(ctx),
		.dbg = epdma_ctx_get_debugfs_root(ctx),
	};
	int ret;

	*out = NULL;
	r.st = calloc(1, sizeof(*r.st));
	if (!r.st)
		return OOM(&r);
	ret = for_each_entry(&r, r.sys, "class/pci_epc", false, add_controller);
	if (!ret)
		ret = read_cfs_controllers(&r);
	if (!ret)
		ret = read_functions(&r);
	if (!ret)
		ret = for_each_entry(&r, r.sys, "bus/pci/devices", false, add_pci_function);
	if (!ret)
		ret = for_each_entry(&r, r.sys, "bus/ntb/devices", false, add_ntb);
	if (!ret)
		ret = for_each_entry(&r, r.sys, "class/dma", false, add_channel);
	if (!ret)
		ret = for_each_entry(&r, r.sys, "bus/auxiliary/devices", false, add_export);
	if (!ret)
		ret = read_test_devices(&r);
	if (!ret)
		infer_link_from_exports(r.st);
	if (!ret)
		ret = read_modules(&r);
	if (ret < 0) {
		epdma_status_free(r.st);
		return ret;
	}
	*out = r.st;
	return 0;
}

/* Free the char * members at @offs of each of the @n records of @size bytes, then @arr. */
static void free_records(void *arr, size_t n, size_t size, const size_t *offs, size_t n_offs)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n_offs; k++)
			free(*(char **)((char *)arr + i * size + offs[k]));
	free(arr);
}

#define STR_MEMBER(arr, m) offsetof(typeof(*(arr)), m)
#define FREE_RECORDS(arr, n, ...)                                                  \
	do {                                                                       \
		const size_t offs_[] = { __VA_ARGS__ };                            \
		free_records((arr), (n), sizeof(*(arr)), offs_, ARRAY_SIZE(offs_)); \
	} while (0)

void epdma_status_free(struct epdma_status *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_dma_exports; i++) {
		struct epdma_status_dma_export *e = &st->dma_exports[i];

		for (size_t k = 0; k < e->n_channels; k++)
			free(e->channels[k]);
		free(e->channels);
	}
	FREE_RECORDS(st->controllers, st->n_controllers, STR_MEMBER(st->controllers, name),
		     STR_MEMBER(st->controllers, parent));
	FREE_RECORDS(st->functions, st->n_functions, STR_MEMBER(st->functions, driver),
		     STR_MEMBER(st->functions, name), STR_MEMBER(st->functions, subgroup),
		     STR_MEMBER(st->functions, vendorid), STR_MEMBER(st->functions, deviceid));
	FREE_RECORDS(st->bindings, st->n_bindings, STR_MEMBER(st->bindings, controller),
		     STR_MEMBER(st->bindings, function), STR_MEMBER(st->bindings, interface));
	FREE_RECORDS(st->pci_functions, st->n_pci_functions,
		     STR_MEMBER(st->pci_functions, address), STR_MEMBER(st->pci_functions, vendor),
		     STR_MEMBER(st->pci_functions, device), STR_MEMBER(st->pci_functions, driver),
		     STR_MEMBER(st->pci_functions, link_speed));
	FREE_RECORDS(st->ntb, st->n_ntb, STR_MEMBER(st->ntb, name),
		     STR_MEMBER(st->ntb, pci_device), STR_MEMBER(st->ntb, driver));
	FREE_RECORDS(st->dma_exports, st->n_dma_exports, STR_MEMBER(st->dma_exports, name),
		     STR_MEMBER(st->dma_exports, parent), STR_MEMBER(st->dma_exports, driver));
	FREE_RECORDS(st->dma_channels, st->n_dma_channels, STR_MEMBER(st->dma_channels, name),
		     STR_MEMBER(st->dma_channels, device), STR_MEMBER(st->dma_channels, driver));
	FREE_RECORDS(st->test_devices, st->n_test_devices, STR_MEMBER(st->test_devices, device),
		     STR_MEMBER(st->test_devices, peer_state));
	FREE_RECORDS(st->modules, st->n_modules, STR_MEMBER(st->modules, name));
	free(st);
}
