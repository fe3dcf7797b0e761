// SPDX-License-Identifier: LGPL-2.1-or-later
/* The real configfs backend: system calls under the context's pci_ep root. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "epdma-private.h"

/* Attribute files in configfs are one page at most; bound every read. */
#define ATTR_READ_MAX 4096

/* Every path from a profile was checked already; refuse ".." and "/..." here once more. */
static int full_path(struct ep_backend *b, const char *rel, char *buf, size_t size)
{
	const char *c = rel;

	if (rel[0] == '/')
		return -EINVAL;
	while (*c) {
		size_t n = strcspn(c, "/");

		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		c += n;
		c += *c == '/';
	}
	return ep_path_join(buf, size, b->ctx->pci_ep, rel);
}

static int fs_stat(struct ep_backend *b, const char *path, enum ep_node_type *type)
{
	char p[EP_PATH_MAX];
	struct stat st;
	int r = full_path(b, path, p, sizeof(p));

	if (r < 0)
		return r;
	if (lstat(p, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		*type = EP_NODE_DIR;
	else if (S_ISLNK(st.st_mode))
		*type = EP_NODE_LINK;
	else
		*type = EP_NODE_FILE;
	return 0;
}

static int cmp_dirent(const void *a, const void *b)
{
	return strcmp(((const struct ep_dirent *)a)->name, ((const struct ep_dirent *)b)->name);
}

static int fs_list(struct ep_backend *b, const char *path, struct ep_dirent **ents, size_t *n)
{
	char p[EP_PATH_MAX];
	struct ep_dirent *v = NULL, *nv;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r = full_path(b, path, p, sizeof(p));

	if (r < 0)
		return r;
	d = opendir(p);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				r = -ENOMEM;
				goto out;
			}
			v = nv;
		}
		if (ep_strlcpy(v[cnt].name, de->d_name, sizeof(v[cnt].name)) < 0)
			continue;
		switch (de->d_type) {
		case DT_DIR:
			v[cnt].type = EP_NODE_DIR;
			break;
		case DT_LNK:
			v[cnt].type = EP_NODE_LINK;
			break;
		case DT_REG:
			v[cnt].type = EP_NODE_FILE;
			break;
		default: {
			char sub[EP_PATH_MAX];
			enum ep_node_type t = EP_NODE_NONE;

			if (ep_path_join(sub, sizeof(sub), path, de->d_name) == 0)
				fs_stat(b, sub, &t);
			v[cnt].type = t;
		}
		}
		cnt++;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_dirent);
	*ents = v;
	*n = cnt;
	v = NULL;
	r = 0;
out:
	closedir(d);
	free(v);
	return r;
}

static int fs_read(struct ep_backend *b, const char *path, char *buf, size_t size)
{
	char p[EP_PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t want;
	ssize_t n;
	int r = full_path(b, path, p, sizeof(p));

	if (r < 0)
		return r;
	if (!size)
		return -EINVAL;
	want = size - 1 < ATTR_READ_MAX ? size - 1 : ATTR_READ_MAX;
	/* O_NONBLOCK: a FIFO in a captured tree under --root must not hang status or export */
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, want);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

static int fs_write(struct ep_backend *b, const char *path, const char *value)
{
	char p[EP_PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;
	int r = full_path(b, path, p, sizeof(p));

	if (r < 0)
		return r;
	/* O_TRUNC as the shell does: configfs ignores it, plain files (tests) need it */
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	/* configfs takes one write(2) per store; a short write is an error, not a retry */
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	r = close(fd);
	fd = -1;
	return r < 0 ? -errno : 0;
}

static int fs_mkdir(struct ep_backend *b, const char *path)
{
	char p[EP_PATH_MAX];
	int r = full_path(b, path, p, sizeof(p));

	if (r < 0)
		return r;
	return mkdir(p, 0755) < 0 ? -errno : 0;
}

static int fs_rmdir(struct ep_backend *b, const char *path)
{
	char p[EP_PATH_MAX];
	int r = full_path(b, path, p, sizeof(p));

	if (r < 0)
		return r;
	return rmdir(p) < 0 ? -errno : 0;
}

static int fs_symlink(struct ep_backend *b, const char *target, const char *linkpath)
{
	char t[EP_PATH_MAX], l[EP_PATH_MAX];
	int r;

	if ((r = full_path(b, target, t, sizeof(t))) < 0 ||
	    (r = full_path(b, linkpath, l, sizeof(l))) < 0)
		return r;
	return symlink(t, l) < 0 ? -errno : 0;
}

/* Normalise "a/b/../c" in place; returns -EINVAL if it climbs above the start. */
static int normalise(char *p)
{
	char *parts[64];
	size_t n = 0, len = 0;
	char *save = NULL, *tok;
	char out[EP_PATH_MAX];

	for (tok = strtok_r(p, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (n == 0)
				return -EINVAL;
			n--;
			continue;
		}
		if (n == ARRAY_SIZE(parts))
			return -ENAMETOOLONG;
		parts[n++] = tok;
	}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(out + len, sizeof(out) - len, "%s%s", i ? "/" : "", parts[i]);

		if (w < 0 || (size_t)w >= sizeof(out) - len)
			return -ENAMETOOLONG;
		len += (size_t)w;
	}
	memcpy(p, out, len + 1);
	return 0;
}

static int fs_readlink(struct ep_backend *b, const char *path, char *buf, size_t size)
{
	char p[EP_PATH_MAX], t[EP_PATH_MAX], abs[2 * EP_PATH_MAX];
	const char *root = b->ctx->pci_ep;
	size_t rl = strlen(root);
	ssize_t n;
	int r = full_path(b, path, p, sizeof(p));

	if (r < 0)
		return r;
	n = readlink(p, t, sizeof(t) - 1);
	if (n < 0)
		return -errno;
	t[n] = '\0';
	if (t[0] == '/') {
		snprintf(abs, sizeof(abs), "%s", t);
	} else {
		/* relative to the directory holding the link */
		char *slash = strrchr(p, '/');

		*slash = '\0';
		snprintf(abs, sizeof(abs), "%s/%s", p, t);
	}
	r = normalise(abs + 1);
	if (r < 0)
		return r;
	/* configfs links point inside the tree; anything else is reported as it is */
	if (strncmp(abs, root, rl) == 0 && abs[rl] == '/')
		return ep_strlcpy(buf, abs + rl + 1, size);
	return ep_strlcpy(buf, abs, size);
}

static int fs_unlink(struct ep_backend *b, const char *path)
{
	char p[EP_PATH_MAX];
	int r = full_path(b, path, p, sizeof(p));

	if (r < 0)
		return r;
	return unlink(p) < 0 ? -errno : 0;
}

static void fs_free(struct ep_backend *b)
{
	free(b);
}

static const struct ep_backend_ops fs_ops = {
	.stat = fs_stat,
	.list = fs_list,
	.read = fs_read,
	.write = fs_write,
	.mkdir = fs_mkdir,
	.rmdir = fs_rmdir,
	.symlink = fs_symlink,
	.readlink = fs_readlink,
	.unlink = fs_unlink,
	.free = fs_free,
};

int ep_backend_fs_new(struct epdma_ctx *ctx, struct ep_backend **out)
{
	struct ep_backend *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->ops = &fs_ops;
	b->ctx = ctx;
	*out = b;
	return 0;
}
