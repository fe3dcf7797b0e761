// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * LD_PRELOAD shim that plays the kernel's part for a pci_ep configfs tree kept in an
 * ordinary temporary directory, so epdmad's real file-system backend can run against it
 * (umockdev covers /sys and uevents but not configfs; see tests/udev/README section in
 * epdmad(8) TESTING).
 *
 * What it models, for paths under $EPDMA_SHIM_PCI_EP:
 *  - mkdir functions/<driver>/<name> makes the function's header attribute files at once,
 *    with the values the kernel shows for a new function ("0x0000", "0", ...);
 *  - about 1 ms later, from another thread like the kernel's delayed work, primary/,
 *    secondary/ and the driver subgroup <driver>.<N> (N global, as the kernel's IDA) appear,
 *    the subgroup atomically with its attribute files (pci_epf_test has none);
 *  - rmdir of a function removes its attributes and groups, but fails with EBUSY while
 *    primary/ or secondary/ still holds a link, like the kernel refuses to drop a bound EPF.
 * What it does not model: value validation (EINVAL on bad writes; a test can make writes to
 * one attribute fail with $EPDMA_SHIM_FAIL_WRITE=<path suffix>, refused at open), or
 * controllers/ (the test creates and removes controllers/<epc> as the kernel does when an
 * EPC is created and destroyed). lib's in-memory fake backend covers those in unit tests.
 *
 * Every mutating call under the tree (open for writing, mkdir, rmdir, symlink, unlink) is
 * appended to $EPDMA_SHIM_LOG as "SECONDS.NANOSECONDS(CLOCK_MONOTONIC) OP PATH [EXTRA]", so
 * tests can assert "no writes" for an idempotent apply and benchmarks can time them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int (*real_mkdir)(const char *, mode_t);
static int (*real_rmdir)(const char *);
static int (*real_open)(const char *, int, ...);
static int (*real_symlink)(const char *, const char *);
static int (*real_unlink)(const char *);
static atomic_int next_index;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void init(void)
{
	if (real_mkdir)
		return;
	real_rmdir = dlsym(RTLD_NEXT, "rmdir");
	real_open = dlsym(RTLD_NEXT, "open");
	real_symlink = dlsym(RTLD_NEXT, "symlink");
	real_unlink = dlsym(RTLD_NEXT, "unlink");
	real_mkdir = dlsym(RTLD_NEXT, "mkdir");
}

/* Path relative to the pci_ep root, or NULL if @path is outside it. */
static const char *rel(const char *path)
{
	const char *root = getenv("EPDMA_SHIM_PCI_EP");
	size_t n;

	if (!root || !path)
		return NULL;
	n = strlen(root);
	if (strncmp(path, root, n) || (path[n] != '/' && path[n] != '\0'))
		return NULL;
	return path[n] == '/' ? path + n + 1 : path + n;
}

static void oplog(const char *op, const char *r, const char *extra)
{
	const char *file = getenv("EPDMA_SHIM_LOG");
	int fd;
	char line[1200];
	struct timespec ts;
	int len;

	if (!file)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	len = snprintf(line, sizeof(line), "%lld.%09ld %s %s%s%s\n", (long long)ts.tv_sec,
		       ts.tv_nsec, op, r, extra ? " " : "", extra ?: "");
	pthread_mutex_lock(&log_lock);
	fd = real_open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)len) < 0) {
			/* nothing sensible to do in a shim */
		}
		close(fd);
	}
	pthread_mutex_unlock(&log_lock);
}

/* Is @r "functions/<driver>/<name>"? Copies driver into @drv. */
static bool is_function_dir(const char *r, char *drv, size_t size)
{
	const char *a, *b;

	if (strncmp(r, "functions/", 10))
		return false;
	a = r + 10;
	b = strchr(a, '/');
	if (!b || b == a || !b[1] || strchr(b + 1, '/'))
		return false;
	snprintf(drv, size, "%.*s", (int)(b - a), a);
	return true;
}

static void put(const char *dir, const char *name, const char *value)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = real_open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, value, strlen(value)) < 0 || write(fd, "\n", 1) < 0) {
		/* ignore */
	}
	close(fd);
}

struct late {
	char fn[1024];
	char drv[128];
	int index;
};

static void driver_attrs(const char *g, const char *drv)
{
	char name[32];

	put(g, "spad_count", "64");
	put(g, "db_count", "4");
	put(g, "num_mws", "0");
	for (int w = 1; w <= 4; w++) {
		snprintf(name, sizeof(name), "mw%d", w);
		put(g, name, "0");
	}
	if (strcmp(drv, "pci_epf_vntb"))
		return;
	put(g, "vbus_number", "0");
	put(g, "vntb_vid", "0");
	put(g, "vntb_pid", "0");
	put(g, "ctrl_bar", "0");
	put(g, "db_bar", "1");
	put(g, "dma_bar", "-1");
	put(g, "dma_offset", "0");
	put(g, "dma_num_chans", "0");
	for (int w = 1; w <= 4; w++) {
		char v[8];

		snprintf(name, sizeof(name), "mw%d_bar", w);
		snprintf(v, sizeof(v), "%d", w + 1);
		put(g, name, v);
		snprintf(name, sizeof(name), "mw%d_offset", w);
		put(g, name, "0");
	}
}

static void *late_groups(void *arg)
{
	struct late *l = arg;
	struct timespec ts = { 0, 1000000 };
	char p[1200], tmp[1200];

	/* The kernel queues this work 1 ms after mkdir; tests may ask for a slower "kernel". */
	if (getenv("EPDMA_SHIM_GROUP_DELAY_MS")) {
		long ms = atol(getenv("EPDMA_SHIM_GROUP_DELAY_MS"));

		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000L;
	}
	nanosleep(&ts, NULL);
	snprintf(p, sizeof(p), "%s/primary", l->fn);
	real_mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/secondary", l->fn);
	real_mkdir(p, 0755);
	if (strcmp(l->drv, "pci_epf_test")) {
		/* Build next to the function, then rename: the group appears complete. */
		snprintf(tmp, sizeof(tmp), "%s/../.shim-%s.%d", l->fn, l->drv, l->index);
		snprintf(p, sizeof(p), "%s/%s.%d", l->fn, l->drv, l->index);
		if (real_mkdir(tmp, 0755) == 0) {
			driver_attrs(tmp, l->drv);
			rename(tmp, p);
		}
	}
	free(l);
	return NULL;
}

int mkdir(const char *path, mode_t mode)
{
	char drv[128];
	const char *r;
	int ret;

	init();
	ret = real_mkdir(path, mode);
	r = rel(path);
	if (!r)
		return ret;
	oplog("mkdir", r, ret < 0 ? "(failed)" : NULL);
	if (ret == 0 && is_function_dir(r, drv, sizeof(drv))) {
		static const char *const hdr[] = { "vendorid", "deviceid", "subsys_vendor_id",
						   "subsys_id" };
		static const char *const hdr8[] = { "revid", "progif_code", "subclass_code",
						    "baseclass_code", "cache_line_size",
						    "interrupt_pin" };
		struct late *l = calloc(1, sizeof(*l));
		pthread_t t;
		int saved = errno;

		for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
			put(path, hdr[i], "0x0000");
		for (size_t i = 0; i < sizeof(hdr8) / sizeof(hdr8[0]); i++)
			put(path, hdr8[i], "0x00");
		put(path, "msi_interrupts", "0");
		put(path, "msix_interrupts", "0");
		if (l) {
			snprintf(l->fn, sizeof(l->fn), "%s", path);
			snprintf(l->drv, sizeof(l->drv), "%s", drv);
			l->index = atomic_fetch_add(&next_index, 1);
			if (pthread_create(&t, NULL, late_groups, l) == 0)
				pthread_detach(t);
			else
				free(l);
		}
		errno = saved;
	}
	return ret;
}

static bool dir_empty(const char *p)
{
	DIR *d = opendir(p);
	struct dirent *de;
	bool empty = true;

	if (!d)
		return true;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

/* Remove what the kernel made inside a function: files and (flat) groups. */
static void remove_contents(const char *p)
{
	DIR *d = opendir(p);
	struct dirent *de;
	char c[1200];

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(c, sizeof(c), "%s/%s", p, de->d_name);
		if (lstat(c, &st) == 0 && S_ISDIR(st.st_mode)) {
			remove_contents(c);
			real_rmdir(c);
		} else {
			real_unlink(c);
		}
	}
	closedir(d);
}

int rmdir(const char *path)
{
	char drv[128], p[1200];
	const char *r;
	int ret;

	init();
	r = rel(path);
	if (r && is_function_dir(r, drv, sizeof(drv))) {
		snprintf(p, sizeof(p), "%s/primary", path);
		if (!dir_empty(p)) {
			oplog("rmdir", r, "(EBUSY: bound)");
			errno = EBUSY;
			return -1;
		}
		snprintf(p, sizeof(p), "%s/secondary", path);
		if (!dir_empty(p)) {
			oplog("rmdir", r, "(EBUSY: bound)");
			errno = EBUSY;
			return -1;
		}
		remove_contents(path);
	}
	ret = real_rmdir(path);
	if (r)
		oplog("rmdir", r, ret < 0 ? "(failed)" : NULL);
	return ret;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	const char *r;

	init();
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	r = rel(path);
	if (r && (flags & O_ACCMODE) != O_RDONLY) {
		const char *fail = getenv("EPDMA_SHIM_FAIL_WRITE");
		size_t lr = strlen(r), lf = fail ? strlen(fail) : 0;

		/* The kernel refusing a value (EINVAL from the attribute's store()). */
		if (fail && lf && lr >= lf && !strcmp(r + lr - lf, fail)) {
			oplog("write", r, "(EINVAL injected)");
			errno = EINVAL;
			return -1;
		}
		oplog("write", r, NULL);
	}
	return real_open(path, flags, mode);
}

int symlink(const char *target, const char *linkpath)
{
	const char *r;
	int ret;

	init();
	ret = real_symlink(target, linkpath);
	r = rel(linkpath);
	if (r)
		oplog("link", r, ret < 0 ? "(failed)" : target);
	return ret;
}

int unlink(const char *path)
{
	const char *r;
	int ret;

	init();
	ret = real_unlink(path);
	r = rel(path);
	if (r)
		oplog("unlink", r, ret < 0 ? "(failed)" : NULL);
	return ret;
}
