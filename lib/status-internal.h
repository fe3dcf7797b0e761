/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal helpers shared by status.c, modules.c and test-run.c: bounded reads of the small
 * text files the kernel exposes in sysfs, configfs and debugfs, and path building under the
 * context's (overridable) roots. Not part of the public API.
 */
#ifndef EPDMA_STATUS_INTERNAL_H
#define EPDMA_STATUS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

/* One sysfs/configfs/debugfs attribute never exceeds a page; anything longer is not ours. */
#define EPDMA_ATTR_MAX 4096
/* Upper bound on the entries we look at in one directory (controllers, channels, ...). */
#define EPDMA_DIR_MAX 1024

/*
 * Read at most @size - 1 bytes of @path into @buf, NUL-terminate and strip one trailing
 * newline. Returns the length or -errno (-EFBIG if the file holds more than fits).
 */
int ep_st_read(const char *path, char *buf, size_t size);

/* Like ep_st_read() but for a file named @name inside directory @dir. */
int ep_st_read_attr(const char *dir, const char *name, char *buf, size_t size);

/* Parse an unsigned integer as the kernel prints it (decimal or 0x-hex, optional spaces). */
int ep_st_parse_u64(const char *s, uint64_t *out);

/* Parse a signed integer (decimal, optional leading '-'). */
int ep_st_parse_s64(const char *s, int64_t *out);

/* snprintf into @buf; -ENAMETOOLONG when truncated. */
int ep_st_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* true if @path exists and is a directory (following symlinks). */
bool ep_st_is_dir(const char *path);

/*
 * Sorted names of the entries of @dir (none with a leading dot), at most EPDMA_DIR_MAX. *names is a
 * NULL-terminated array the caller frees with ep_st_strv_free(). A missing directory gives an
 * empty list and returns 0, because "nothing there" is a normal state for sysfs classes.
 */
int ep_st_list_dir(const char *dir, char ***names, size_t *count);
void ep_st_strv_free(char **v);

/* Basename of the target of symlink @path (e.g. a "driver" link), or -errno. */
int ep_st_link_basename(const char *path, char *buf, size_t size);

#pragma GCC visibility pop

#endif
