// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * From bytes to a json-c tree, refusing what json-c would accept silently: files over
 * EPDMA_PROFILE_MAX_BYTES, invalid UTF-8, NUL bytes, nesting deeper than
 * EPDMA_PROFILE_MAX_DEPTH, trailing data, and duplicate keys (json-c keeps the last one,
 * which would make a typo'd second "num_mws" win without a word).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "profile.h"

void ep_diag_add(struct ep_diag *d, const char *pointer, const char *rule, const char *fmt, ...)
{
	struct epdma_error *e;
	va_list ap;

	d->count++;
	if (d->count > d->max)
		return;
	e = &d->errs[d->count - 1];
	memset(e, 0, sizeof(*e));
	e->code = -EINVAL;
	snprintf(e->file, sizeof(e->file), "%s", d->file ? d->file : "");
	snprintf(e->pointer, sizeof(e->pointer), "%s", pointer ? pointer : "");
	snprintf(e->rule, sizeof(e->rule), "%s", rule);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

char *ep_pointer_append(const char *base, const char *token)
{
	size_t bl = strlen(base), n = bl + 2;
	char *p, *o;

	for (const char *t = token; *t; t++)
		n += (*t == '~' || *t == '/') ? 2 : 1;
	p = malloc(n);
	if (!p)
		return NULL;
	memcpy(p, base, bl);
	o = p + bl;
	*o++ = '/';
	for (const char *t = token; *t; t++) {
		if (*t == '~') {
			*o++ = '~';
			*o++ = '0';
		} else if (*t == '/') {
			*o++ = '~';
			*o++ = '1';
		} else {
			*o++ = *t;
		}
	}
	*o = '\0';
	return p;
}

char *ep_pointer_index(const char *base, size_t i)
{
	return ep_strdup_printf("%s/%zu", base, i);
}

int ep_profile_read_file(const char *path, char **buf, size_t *len, struct epdma_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *b = NULL;
	struct stat st;
	size_t got = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ep_error_set(err, -errno, path, NULL, "io", NULL, "cannot open: %s",
				    strerror(errno));
	if (fstat(fd, &st) < 0)
		return ep_error_set(err, -errno, path, NULL, "io", NULL, "cannot stat: %s",
				    strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ep_error_set(err, -EISDIR, path, NULL, "io", NULL,
				    "is a directory, not a profile");
	/* st_size is not trusted (pipes, /proc): read at most one byte past the limit */
	b = malloc(EPDMA_PROFILE_MAX_BYTES + 2);
	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, b + got, EPDMA_PROFILE_MAX_BYTES + 1 - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ep_error_set(err, -errno, path, NULL, "io", NULL,
					    "cannot read: %s", strerror(errno));
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > EPDMA_PROFILE_MAX_BYTES)
			return ep_error_set(err, -EFBIG, path, NULL, "size", NULL,
					    "larger than %d bytes", EPDMA_PROFILE_MAX_BYTES);
	}
	b[got] = '\0';
	*buf = TAKE_PTR(b);
	*len = got;
	return 0;
}

static void line_col(const char *buf, size_t off, unsigned int *line, unsigned int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;

		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (i + n >= len)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

/* ---- duplicate keys: a small scanner over text json-c already accepted ---- */

struct scan {
	const char *s;
	size_t len, pos;
	struct ep_diag *d;
	bool found;
};

static void skip_ws(struct scan *sc)
{
	while (sc->pos < sc->len && (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' ||
				     sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
		sc->pos++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode a JSON string at sc->pos (on the quote) into a malloc'd buffer (\u escapes kept
 * as their code units in UTF-8 so that "a" and "\u0061" compare equal). */
static char *scan_string(struct scan *sc, size_t *out_len)
{
	size_t cap = 16, n = 0;
	char *o = malloc(cap);

	if (!o)
		return NULL;
	sc->pos++;
	while (sc->pos < sc->len && sc->s[sc->pos] != '"') {
		char buf[4];
		size_t bl = 1;
		char c = sc->s[sc->pos++];

		if (c == '\\' && sc->pos < sc->len) {
			char e = sc->s[sc->pos++];

			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				uint32_t cp = 0;

				for (int k = 0; k < 4 && sc->pos < sc->len; k++) {
					int h = hexval(sc->s[sc->pos++]);

					cp = (cp << 4) | (uint32_t)(h < 0 ? 0 : h);
				}
				/* code units, encoded individually: enough for equality */
				if (cp < 0x80) {
					buf[0] = (char)cp;
				} else if (cp < 0x800) {
					buf[0] = (char)(0xc0 | (cp >> 6));
					buf[1] = (char)(0x80 | (cp & 0x3f));
					bl = 2;
				} else {
					buf[0] = (char)(0xe0 | (cp >> 12));
					buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
					buf[2] = (char)(0x80 | (cp & 0x3f));
					bl = 3;
				}
				goto append;
			}
			default: c = e; break;
			}
		}
		buf[0] = c;
append:
		if (n + bl + 1 > cap) {
			char *no;

			cap = (n + bl + 1) * 2;
			no = realloc(o, cap);
			if (!no) {
				free(o);
				return NULL;
			}
			o = no;
		}
		memcpy(o + n, buf, bl);
		n += bl;
	}
	sc->pos++;	/* closing quote */
	o[n] = '\0';
	*out_len = n;
	return o;
}

struct key {
	char *s;
	size_t len;
};

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t m = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->s, y->s, m);

	if (r)
		return r;
	return x->len < y->len ? -1 : x->len > y->len;
}

static void scan_value(struct scan *sc, const char *ptr);

static void scan_object(struct scan *sc, const char *ptr)
{
	struct key *keys = NULL;
	size_t n = 0, cap = 0;

	sc->pos++;	/* { */
	skip_ws(sc);
	while (sc->pos < sc->len && sc->s[sc->pos] != '}') {
		_cleanup_free_ char *child = NULL;
		size_t klen = 0;
		char *k;

		if (sc->s[sc->pos] == ',') {
			sc->pos++;
			skip_ws(sc);
			continue;
		}
		k = scan_string(sc, &klen);
		if (!k)
			break;
		if (n == cap) {
			struct key *nk;

			cap = cap ? cap * 2 : 8;
			nk = realloc(keys, cap * sizeof(*keys));
			if (!nk) {
				free(k);
				break;
			}
			keys = nk;
		}
		keys[n].s = k;
		keys[n].len = klen;
		n++;
		skip_ws(sc);
		sc->pos++;	/* : */
		skip_ws(sc);
		child = ep_pointer_append(ptr, k);
		scan_value(sc, child ? child : ptr);
		skip_ws(sc);
	}
	sc->pos++;	/* } */
	if (n > 1) {
		qsort(keys, n, sizeof(*keys), cmp_key);
		for (size_t i = 1; i < n; i++) {
			_cleanup_free_ char *p = NULL;

			if (cmp_key(&keys[i - 1], &keys[i]))
				continue;
			p = ep_pointer_append(ptr, keys[i].s);
			ep_diag_add(sc->d, p ? p : ptr, "duplicate-key",
				    "key \"%s\" appears more than once", keys[i].s);
			sc->found = true;
			break;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i].s);
	free(keys);
}

static void scan_array(struct scan *sc, const char *ptr)
{
	size_t idx = 0;

	sc->pos++;	/* [ */
	skip_ws(sc);
	while (sc->pos < sc->len && sc->s[sc->pos] != ']') {
		_cleanup_free_ char *child = NULL;

		if (sc->s[sc->pos] == ',') {
			sc->pos++;
			skip_ws(sc);
			continue;
		}
		child = ep_pointer_index(ptr, idx++);
		scan_value(sc, child ? child : ptr);
		skip_ws(sc);
	}
	sc->pos++;	/* ] */
}

static void scan_value(struct scan *sc, const char *ptr)
{
	skip_ws(sc);
	if (sc->pos >= sc->len)
		return;
	switch (sc->s[sc->pos]) {
	case '{':
		scan_object(sc, ptr);
		break;
	case '[':
		scan_array(sc, ptr);
		break;
	case '"': {
		size_t l;

		free(scan_string(sc, &l));
		break;
	}
	default: {
		/* number, true, false, null; json-c clamps integers beyond 64 bits silently */
		size_t start = sc->pos;
		bool integer = true;

		while (sc->pos < sc->len && !strchr(",]} \t\r\n", sc->s[sc->pos])) {
			integer &= strchr("-0123456789", sc->s[sc->pos]) != NULL;
			sc->pos++;
		}
		if (integer && sc->pos > start && !sc->found) {
			char num[32];
			size_t n = sc->pos - start;
			bool neg = sc->s[start] == '-';
			char *end;

			errno = 0;
			if (n < sizeof(num)) {
				memcpy(num, sc->s + start, n);
				num[n] = '\0';
				if (neg)
					(void)strtoll(num, &end, 10);
				else
					(void)strtoull(num, &end, 10);
			}
			if (n >= sizeof(num) || errno == ERANGE) {
				ep_diag_add(sc->d, ptr, "range", "integer %.*s%s does not fit in 64 bits",
					    (int)(n > 24 ? 24 : n), sc->s + start, n > 24 ? "..." : "");
				sc->found = true;
			}
		}
	}
	}
}

int ep_profile_parse(const char *buf, size_t len, struct ep_diag *d, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	unsigned int line, col;
	size_t bad, end;
	struct scan sc = { .s = buf, .len = len, .d = d };

	if (len > EPDMA_PROFILE_MAX_BYTES) {
		ep_diag_add(d, "", "size", "larger than %d bytes", EPDMA_PROFILE_MAX_BYTES);
		return -EFBIG;
	}
	bad = utf8_invalid_at((const unsigned char *)buf, len);
	if (bad < len) {
		line_col(buf, bad, &line, &col);
		ep_diag_add(d, "", "utf8", "line %u column %u: %s", line, col,
			    buf[bad] ? "not valid UTF-8" : "NUL byte");
		return -EINVAL;
	}
	/* json-c counts the top level as depth 1 */
	tok = json_tokener_new_ex(EPDMA_PROFILE_MAX_DEPTH + 1);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		json_object_put(root);
		ep_diag_add(d, "", "json", "unexpected end of file");
		return -EINVAL;
	}
	if (jerr != json_tokener_success) {
		json_object_put(root);
		line_col(buf, end < len ? end : (end > 0 ? end - 1 : 0), &line, &col);
		ep_diag_add(d, "", jerr == json_tokener_error_depth ? "depth" : "json",
			    "line %u column %u: %s", line, col,
			    jerr == json_tokener_error_depth ? "nested deeper than the limit" :
							       json_tokener_error_desc(jerr));
		return -EINVAL;
	}
	for (size_t i = end; i < len; i++) {
		if (!strchr(" \t\r\n", buf[i])) {
			json_object_put(root);
			line_col(buf, i, &line, &col);
			ep_diag_add(d, "", "json", "line %u column %u: data after the JSON value",
				    line, col);
			return -EINVAL;
		}
	}
	scan_value(&sc, "");
	if (sc.found) {
		json_object_put(root);
		return -EINVAL;
	}
	*out = root;
	return 0;
}
