// SPDX-License-Identifier: LGPL-2.1-or-later
/* Error reports, exit codes and small string helpers. */
#include <stdarg.h>

#include "epdma-private.h"

void ep_error_clear(struct epdma_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

int ep_error_set(struct epdma_error *err, int code, const char *file, const char *pointer,
		 const char *rule, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	ep_error_clear(err);
	err->code = code;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	snprintf(err->pointer, sizeof(err->pointer), "%s", pointer ? pointer : "");
	snprintf(err->rule, sizeof(err->rule), "%s", rule ? rule : "");
	snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void ep_error_append(struct epdma_error *err, const char *fmt, ...)
{
	size_t l;
	va_list ap;

	if (!err)
		return;
	l = strlen(err->message);
	va_start(ap, fmt);
	vsnprintf(err->message + l, sizeof(err->message) - l, fmt, ap);
	va_end(ap);
}

int epdma_error_format(const struct epdma_error *err, char *buf, size_t size)
{
	char where[EPDMA_ERR_FILE_MAX + EPDMA_ERR_POINTER_MAX + 8] = "";
	char tail[EPDMA_ERR_RULE_MAX + EPDMA_ERR_FILE_MAX + 32] = "";
	size_t w = 0, t = 0;

	if (err->file[0])
		w += (size_t)snprintf(where + w, sizeof(where) - w, "%s: ", err->file);
	if (err->pointer[0] && w < sizeof(where))
		snprintf(where + w, sizeof(where) - w, "%s: ", err->pointer);
	if (err->rule[0])
		t += (size_t)snprintf(tail + t, sizeof(tail) - t, " [%s]", err->rule);
	if (err->path[0] && t < sizeof(tail))
		snprintf(tail + t, sizeof(tail) - t, " (configfs: %s)", err->path);
	return snprintf(buf, size, "%s%s%s", where, err->message, tail);
}

int epdma_exit_code(int err)
{
	switch (err) {
	case 0:
		return EPDMA_EXIT_OK;
	case -EINVAL:
	case -EILSEQ:
	case -EFBIG:
	case -E2BIG:
		return EPDMA_EXIT_DATAERR;
	case -ENOENT:
		return EPDMA_EXIT_NOINPUT;
	case -ENODEV:
	case -ENXIO:
	case -ENOTCONN:
		return EPDMA_EXIT_UNAVAILABLE;
	case -EBUSY:
	case -EAGAIN:
	case -ETIMEDOUT:
		return EPDMA_EXIT_TEMPFAIL;
	case -EACCES:
	case -EPERM:
	case -EROFS:
		return EPDMA_EXIT_NOPERM;
	default:
		return EPDMA_EXIT_FAILED;
	}
}

int ep_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, len + 1);
	return 0;
}

int ep_path_join(char *dst, size_t size, const char *a, const char *b)
{
	int n;

	if (!b || !b[0])
		n = snprintf(dst, size, "%s", a);
	else if (!a || !a[0])
		n = snprintf(dst, size, "%s", b);
	else
		n = snprintf(dst, size, "%s/%s", a, b);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

char *ep_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

int ep_pathf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

bool ep_name_is_safe(const char *name, size_t max)
{
	size_t len = strlen(name);

	if (len == 0 || len > max)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		/* letters, digits and the punctuation controller names use ("e65d0000.pcie-ep") */
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.' || *c == ':'))
			return false;
	}
	return true;
}
