// SPDX-License-Identifier: GPL-2.0-or-later
/* The single text/JSON printer of epdmactl. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output.h"

#define OUT_MAX_DEPTH 32

struct out {
	FILE *f;
	enum out_mode mode;
	struct json_object *root;
	struct json_object *stack[OUT_MAX_DEPTH];
	int depth;
	bool overflow;
};

struct out *out_new(FILE *f, enum out_mode mode)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->f = f;
	o->mode = mode;
	o->depth = -1;
	return o;
}

bool out_is_json(const struct out *o)
{
	return o->mode != OUT_TEXT;
}

FILE *out_file(const struct out *o)
{
	return o->f;
}

static void attach(struct out *o, const char *key, struct json_object *v)
{
	struct json_object *parent;

	if (o->depth < 0) {
		/* a bare value at the top level replaces any previous one */
		json_object_put(o->root);
		o->root = v;
		return;
	}
	parent = o->stack[o->depth];
	if (json_object_is_type(parent, json_type_array))
		json_object_array_add(parent, v);
	else
		json_object_object_add(parent, key ? key : "", v);
}

static void open_container(struct out *o, const char *key, struct json_object *c)
{
	if (o->depth + 1 >= OUT_MAX_DEPTH) {
		o->overflow = true;
		json_object_put(c);
		return;
	}
	if (o->depth < 0 && o->root) {
		json_object_put(c);
		return;
	}
	attach(o, key, c);
	o->stack[++o->depth] = c;
}

void out_open_object(struct out *o, const char *key)
{
	if (out_is_json(o))
		open_container(o, key, json_object_new_object());
}

void out_open_array(struct out *o, const char *key)
{
	if (out_is_json(o))
		open_container(o, key, json_object_new_array());
}

void out_close_object(struct out *o)
{
	if (out_is_json(o) && o->depth >= 0)
		o->depth--;
}

void out_close_array(struct out *o)
{
	out_close_object(o);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/*
 * Names come from directory listings and files anyone with write access to a tree (or a
 * corrupt capture) controls: a control character must not reach the terminal, where it could
 * rewrite the screen or the title. JSON escapes them itself; text shows them as \xHH.
 */
char *out_escape(const char *val)
{
	size_t n = 0;
	char *e, *p;

	for (const char *s = val; *s; s++)
		n += (unsigned char)*s < 0x20 || *s == 0x7f ? 4 : 1;
	e = malloc(n + 1);
	if (!e)
		return NULL;
	p = e;
	for (const char *s = val; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) {
			snprintf(p, 5, "\\x%02x", c);
			p += 4;
		} else {
			*p++ = (char)c;
		}
	}
	*p = '\0';
	return e;
}

void out_string(struct out *o, const char *key, const char *text, const char *val)
{
	char *esc;

	if (out_is_json(o)) {
		attach(o, key, val ? json_object_new_string(val) : NULL);
		return;
	}
	if (!text)
		return;
	esc = out_escape(val ? val : "");
	fprintf(o->f, text, esc ? esc : "?");
	free(esc);
}

void out_int(struct out *o, const char *key, const char *text, int64_t val)
{
	if (out_is_json(o))
		attach(o, key, json_object_new_int64(val));
	else if (text)
		fprintf(o->f, text, (long long)val);
}

void out_uint(struct out *o, const char *key, const char *text, uint64_t val)
{
	if (out_is_json(o))
		attach(o, key, json_object_new_uint64(val));
	else if (text)
		fprintf(o->f, text, (unsigned long long)val);
}

void out_bool(struct out *o, const char *key, const char *text, bool val)
{
	if (out_is_json(o))
		attach(o, key, json_object_new_boolean(val));
	else if (text)
		fprintf(o->f, text, val ? "true" : "false");
}

void out_null(struct out *o, const char *key, const char *text)
{
	if (out_is_json(o))
		attach(o, key, NULL);
	else if (text)
		fputs(text, o->f);
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (out_is_json(o))
		return;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}
#pragma GCC diagnostic pop

void out_json_raw(struct out *o, const char *key, const char *json_text)
{
	if (out_is_json(o)) {
		struct json_object *v = json_tokener_parse(json_text);

		attach(o, key, v);
	} else {
		fputs(json_text, o->f);
	}
}

int out_free(struct out *o)
{
	int r = 0;

	if (!o)
		return 0;
	if (out_is_json(o) && o->root) {
		int flags = o->mode == OUT_JSON_PRETTY ?
				    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
				    JSON_C_TO_STRING_PLAIN;

		flags |= JSON_C_TO_STRING_NOSLASHESCAPE;
		fprintf(o->f, "%s\n", json_object_to_json_string_ext(o->root, flags));
	}
	if (fflush(o->f) != 0)
		r = -errno;
	json_object_put(o->root);
	free(o);
	return r;
}
