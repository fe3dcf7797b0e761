/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One printer for text and JSON (the iproute2 print_* pattern): every field is emitted through
 * out_*() with a JSON key and a text format, so the two outputs always carry the same data.
 * In JSON mode the document is built in memory and printed by out_free(); in text mode each
 * call prints its text format immediately (a NULL text format prints nothing).
 */
#ifndef EPDMACTL_OUTPUT_H
#define EPDMACTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum out_mode {
	OUT_TEXT,
	OUT_JSON_SHORT,
	OUT_JSON_PRETTY,
};

struct out;

struct out *out_new(FILE *f, enum out_mode mode);
/* Prints the JSON document (if any) and frees. Returns 0 or -errno from the final write. */
int out_free(struct out *o);
bool out_is_json(const struct out *o);
FILE *out_file(const struct out *o);

/* Containers. @key is ignored inside arrays and for the top level. */
void out_open_object(struct out *o, const char *key);
void out_close_object(struct out *o);
void out_open_array(struct out *o, const char *key);
void out_close_array(struct out *o);

/* Fields: @text is a printf format with exactly one conversion for the value (or NULL). */
void out_string(struct out *o, const char *key, const char *text, const char *val);
void out_int(struct out *o, const char *key, const char *text, int64_t val);
void out_uint(struct out *o, const char *key, const char *text, uint64_t val);
void out_bool(struct out *o, const char *key, const char *text, bool val);
void out_null(struct out *o, const char *key, const char *text);
/* A string printed only in text mode (headings, separators). */
void out_text(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A copy of @s with control characters shown as \xHH, for terminals (free it); NULL on ENOMEM. */
char *out_escape(const char *s);

/* Embed an already-formed JSON value (e.g. a profile) under @key; printed as-is in text. */
void out_json_raw(struct out *o, const char *key, const char *json_text);

#endif
